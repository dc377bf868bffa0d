//! `sigv4 report`: every bundled adapter over every suite, written as `docs/conformance.md`
//! and `docs/conformance.html`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result};

use crate::adapter::{Adapter, Hello};
use crate::bundled::Bundled;
use crate::check::{run_items, Item, Outcome, Summary, Verdict, NOT_EXPRESSIBLE};
use crate::config::Config;
use crate::output::{esc, STYLE};
use crate::protocol::unsigned_request;

/// A rule where implementations are known to differ.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Diagnosis codes (`sigv4_signer::diagnose::Mistake::code`) and case names it explains.
    pub keys: &'static [&'static str],
    /// The rule.
    pub rule: &'static str,
    /// Who is right, and why.
    pub right: &'static str,
    /// Sources.
    pub source: &'static str,
}

/// The known rules, from `docs/rules.md` and the vectors' READMEs.
pub const RULES: &[Rule] = &[
    Rule {
        keys: &["query-plus-as-literal", "query-plus-for-space", "get-query-raw-plus", "get-query-encoded-plus", "s3-key-plus"],
        rule: "A raw `+` in the query is a space and signs as `%20`; `%2B` signs as `%2B`.",
        right: "AWS's own SDKs (aws-sigv4, aws-sdk-go-v2) read a raw `+` as a space; botocore keeps it, reqsign signs `%2B`. S3 accepts both readings.",
        source: "docs/rules.md#raw-plus; aws4fetch#83, curl#20543; vectors/cases/get-query-raw-plus",
    },
    Rule {
        keys: &["path-encoded-once", "path-encoded-twice", "double-encode-path", "double-url-encode", "double-encode-space", "get-space-normalized"],
        rule: "Non-S3 services encode the wire path again (`%3A` becomes `%253A`); S3 encodes it once.",
        right: "The suite (double-encode-path, double-url-encode), botocore's SigV4Auth and the aws-sigv4 crate; get-space-normalized is a suite erratum run with single encoding (vectors/src/legacy.rs).",
        source: "aws-sdk-js#853, aws4#14, botocore#838; curl 7.88 encodes a non-S3 path once (measured)",
    },
    Rule {
        keys: &["path-not-normalized", "path-normalized", "s3-key-dot-segments", "s3-key-double-slash"],
        rule: "Non-S3 services remove dot segments and collapse `//` before signing; S3 signs the path as sent.",
        right: "The suite's get-slash*/get-relative* cases; S3: botocore#838, aws-sdk-java-v2#3749.",
        source: "docs/rules.md#uri-normalisation",
    },
    Rule {
        keys: &["query-not-sorted", "get-vanilla-query-order-key-case", "get-vanilla-query-order-encoded"],
        rule: "Query parameters are sorted by encoded name, then encoded value (byte order).",
        right: "AWS's documentation and suite; curl 7.88 signs in arrival order (measured).",
        source: "aws4#103, requests-aws4auth#21, smithy-typescript#1404",
    },
    Rule {
        keys: &["query-lowercase-hex"],
        rule: "Percent-encoding uses uppercase hex.",
        right: "AWS's documentation (UriEncode).",
        source: "AWS SigV4 documentation, 'Create a canonical request'",
    },
    Rule {
        keys: &["session-token-signed", "session-token-not-signed", "post-sts-header-after", "post-sts-header-before", "get-session-token-omitted", "get-session-token-signed", "get-vanilla-with-session-token"],
        rule: "Session-token mode: most services sign X-Amz-Security-Token; some (IoT) want it added after signing.",
        right: "Both modes exist; the suite pins both (post-sts-header-before / -after). An implementation without the after-signing mode answers unsupported.",
        source: "aws4#30, aws-c-auth#34",
    },
    Rule {
        keys: &["header-values-not-trimmed", "get-header-value-trim", "get-header-value-multiline", "get-header-value-spaces"],
        rule: "Header values are trimmed and runs of spaces collapsed; obs-fold lines join with one space.",
        right: "AWS's documentation and suite; implementations differ on tabs and other whitespace.",
        source: "botocore#1182, aws-sdk-go-v2#1467, aws-c-auth#106",
    },
    Rule {
        keys: &["repeated-headers-not-joined", "get-header-key-duplicate", "get-header-value-order"],
        rule: "A repeated header is signed once, values joined with `,` in arrival order.",
        right: "The suite (get-header-key-duplicate).",
        source: "smithy-rs#2261, s3s#408",
    },
    Rule {
        keys: &["payload-unsigned", "payload-hash-of-empty-body", "put-unsigned-payload", "s3-presigned-get"],
        rule: "The payload hash is the body's SHA-256; UNSIGNED-PAYLOAD only where S3 allows it (presigned S3 URLs sign it).",
        right: "AWS S3 documentation; botocore's S3SigV4QueryAuth.",
        source: "vectors/cases/README.md",
    },
    Rule {
        keys: &["get-presign-expires-too-long"],
        rule: "X-Amz-Expires must be within 1..=604800 seconds.",
        right: "AWS's limit (S3 API reference, query-parameter authentication); clients that sign it anyway make URLs S3 rejects.",
        source: "aws-cli#5464, minio#5162",
    },
];

/// The rule explaining a verdict: by its diagnosis code, else by its case name.
pub fn rule_for(v: &Verdict) -> Option<&'static Rule> {
    let by = |key: &str| RULES.iter().find(|r| r.keys.contains(&key));
    v.diagnosis
        .as_ref()
        .and_then(|d| by(&d.code))
        .or_else(|| v.code.as_deref().and_then(by))
        .or_else(|| by(&v.case))
}

/// One implementation's column.
#[derive(Debug)]
pub struct Column {
    /// Adapter name.
    pub name: String,
    /// Its hello, when it started.
    pub hello: Option<Hello>,
    /// Its language: the hello's, else `adapter.json`'s.
    pub language: String,
    /// Why there are no verdicts (not installed), if so.
    pub note: Option<String>,
    /// Verdicts, by case id.
    pub verdicts: BTreeMap<String, Verdict>,
}

impl Column {
    /// The counts of its verdicts, over the items `keep` selects.
    pub fn summary(&self, keep: impl Fn(&Verdict) -> bool) -> Summary {
        Summary::of(self.verdicts.values().filter(|v| keep(v)))
    }
}

/// Runs every bundled adapter over `items`. An adapter that does not start gets a column
/// with the note `not installed: run <its set-up command>`; none is left out.
pub fn run_all(
    root: &Path,
    adapters: &[Bundled],
    items: &[Item],
    timeout: Duration,
) -> Vec<Column> {
    adapters
        .iter()
        .map(|b| {
            let mut a = Adapter::new(&b.command, Some(root.to_owned()), timeout);
            match a.hello() {
                Err(e) => {
                    let setup = b.setup.as_deref().unwrap_or(crate::bundled::SETUP);
                    let tail = a.stderr_tail();
                    let last = tail.lines().last().unwrap_or("").trim();
                    eprintln!("{}: not installed ({e}); {last}", b.name);
                    Column {
                        name: b.name.clone(),
                        hello: None,
                        language: b.language.clone().unwrap_or_else(|| "unknown".into()),
                        note: Some(format!("not installed: run {setup}")),
                        verdicts: BTreeMap::new(),
                    }
                }
                Ok(hello) => {
                    eprintln!("{}: running {} cases", b.name, items.len());
                    let vs = run_items(&mut a, items, &Config::default(), |_| {});
                    a.close();
                    let language = if hello.language.is_empty() {
                        b.language.clone().unwrap_or_else(|| "unknown".into())
                    } else {
                        hello.language.clone()
                    };
                    Column {
                        name: b.name.clone(),
                        hello: Some(hello),
                        language,
                        note: None,
                        verdicts: vs.into_iter().map(|v| (v.id.clone(), v)).collect(),
                    }
                }
            }
        })
        .collect()
}

fn cell(v: Option<&Verdict>, note: Option<&str>) -> (String, &'static str) {
    match (v, note) {
        (_, Some(_)) => ("not installed".into(), "missing"),
        (None, None) => ("-".into(), "missing"),
        (Some(v), None) => match v.outcome {
            Outcome::Exact => ("exact".into(), "exact"),
            Outcome::Accepted => ("accepted".into(), "accepted"),
            Outcome::Fail => (
                match &v.code {
                    Some(c) => format!("FAIL ({}, {c})", v.stage.as_deref().unwrap_or("?")),
                    None => format!("FAIL ({})", v.stage.as_deref().unwrap_or("?")),
                },
                "fail",
            ),
            Outcome::Unsupported => ("unsupported".into(), "unsupported"),
            Outcome::Disabled => ("disabled".into(), "disabled"),
            Outcome::AdapterError => ("ADAPTER-ERROR".into(), "adapter-error"),
        },
    }
}

fn version(c: &Column) -> String {
    c.hello
        .as_ref()
        .map(|h| h.version.clone())
        .unwrap_or_default()
}

/// The columns in language order (then name), as the summary groups them.
fn by_language(columns: &[Column]) -> Vec<(&str, Vec<&Column>)> {
    let mut groups: BTreeMap<&str, Vec<&Column>> = BTreeMap::new();
    for c in columns {
        groups.entry(c.language.as_str()).or_default().push(c);
    }
    groups.into_iter().collect()
}

type Group<'a> = (Option<&'static Rule>, Vec<(&'a Column, &'a Verdict)>);

/// The divergences grouped by rule (unexplained ones last), in case order.
fn grouped(columns: &[Column]) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for (c, v, rule) in divergences(columns) {
        let same = |g: &Group<'_>| match (g.0, rule) {
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            (None, None) => true,
            _ => false,
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(g) => g.1.push((c, v)),
            None => groups.push((rule, vec![(c, v)])),
        }
    }
    groups.sort_by_key(|g| g.0.is_none());
    groups
}

/// The divergences: every verdict that is a fail, unsupported or adapter error, with its rule
/// (but the cases an adapter's protocol cannot carry: the SigV4a section counts those).
fn divergences(columns: &[Column]) -> Vec<(&Column, &Verdict, Option<&'static Rule>)> {
    let mut out = Vec::new();
    for c in columns {
        for v in c.verdicts.values() {
            let protocol_limit = v
                .code
                .as_deref()
                .is_some_and(|c| NOT_EXPRESSIBLE.contains(&c));
            if matches!(
                v.outcome,
                Outcome::Fail | Outcome::Unsupported | Outcome::AdapterError
            ) && !protocol_limit
            {
                out.push((c, v, rule_for(v)));
            }
        }
    }
    out.sort_by(|a, b| (&a.1.id, &a.0.name).cmp(&(&b.1.id, &b.0.name)));
    out
}

/// Where a case comes from, for a reader who wants to open it.
fn case_source(item: &Item) -> String {
    match item.suite.as_str() {
        "aws" => format!(
            "AWS's suite, aws-signing-test-suite/v4/{} (in the aws-sigv4 crate)",
            item.name
        ),
        "aws-v4a" => format!(
            "AWS's SigV4a suite, aws-signing-test-suite/v4a/{} (in the aws-sigv4 crate)",
            item.name
        ),
        "ours" => format!(
            "vectors/cases/{} (sources in vectors/cases/README.md)",
            item.name
        ),
        other => format!("{other}/{}", item.name),
    }
}

/// The smallest case (by its request's size) among the failures of a group (among all its
/// verdicts when none failed): its minimal vector.
fn minimal_vector<'a>(
    items: &'a BTreeMap<String, &'a Item>,
    entries: &[(&Column, &Verdict)],
) -> Option<&'a Item> {
    let smallest = |fails_only: bool| {
        entries
            .iter()
            .filter(|(_, v)| !fails_only || v.outcome == Outcome::Fail)
            .filter_map(|(_, v)| items.get(&v.id).copied())
            .min_by_key(|i| (unsigned_request(&i.case.request).to_http1().len(), i.id()))
    };
    smallest(true).or_else(|| smallest(false))
}

fn request_text(item: &Item) -> String {
    let r = unsigned_request(&item.case.request);
    let text = String::from_utf8_lossy(&r.to_http1()).into_owned();
    let text: String = text.chars().take(600).collect();
    text.trim_end().to_owned()
}

const INTRO: &str = "Generated by `sigv4 report` (harness/README.md): every bundled adapter \
(harness/adapters/) over AWS's SigV4 suite (`aws/`, the CRT aws-signing-test-suite v4 in the \
aws-sigv4 crate), AWS's SigV4a suite (`aws-v4a/`, for adapters that speak protocol 2 with \
sigv4a) and this project's cases (`ours/`, vectors/cases), one row per case and location. \
Verdicts: `exact` (byte-equal to the expected files), `accepted` (not byte-equal, but our \
verifier accepts the request as sent under the case's rules and it differs only in ways AWS \
accepts: an extra signed header, an added x-amz-content-sha256, another signed-header choice, \
parameter order), `FAIL (first differing stage, code)`, `unsupported` (the implementation has \
no switch for a setting, or the adapter does not speak SigV4a / aws-chunked), `ADAPTER-ERROR` \
(crash, hang, garbage), `not installed` (the adapter did not start: run its set-up command). \
Do not edit by hand; regenerate.";

fn is_v4a(v: &Verdict) -> bool {
    v.suite == "aws-v4a"
}

/// The Markdown report.
pub fn markdown(items: &[Item], columns: &[Column]) -> String {
    let by_id: BTreeMap<String, &Item> = items.iter().map(|i| (i.id(), i)).collect();
    let mut m = String::from("# SigV4 conformance\n\n");
    m.push_str(INTRO);
    let langs: Vec<&str> = by_language(columns).iter().map(|g| g.0).collect();
    let _ = write!(
        m,
        "\n\n## Summary\n\n{} implementations in {} languages, {} cases. The counts are over the SigV4 cases (`aws/` and `ours/`); SigV4a has its own section below.\n\n| language | implementation | version | protocol | exact | accepted | failed | unsupported | adapter errors | note |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
        columns.len(),
        langs.len(),
        items.len()
    );
    for (lang, cs) in by_language(columns) {
        for c in cs {
            let s = c.summary(|v| !is_v4a(v));
            let _ = writeln!(
                m,
                "| {lang} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                c.name,
                version(c),
                c.hello
                    .as_ref()
                    .map_or(String::new(), |h| h.protocol().to_string()),
                s.exact,
                s.accepted,
                s.failed,
                s.unsupported,
                s.adapter_errors,
                c.note.as_deref().unwrap_or("")
            );
        }
    }
    m.push_str("\n## SigV4a\n\nAWS's v4a suite (`aws-v4a/`): the ECDSA signature is verified under the key derived from the credentials, canonical request and string to sign compared byte for byte where revealed.\n\n| implementation | signs SigV4a | exact | accepted | failed | unsupported | adapter errors |\n| --- | --- | --- | --- | --- | --- | --- |\n");
    for c in columns {
        let s = c.summary(is_v4a);
        let signs = c.hello.as_ref().map_or("not installed".to_owned(), |h| {
            if h.protocol() >= sigv4_protocol::V2 && h.signs(sigv4_protocol::Algorithm::Sigv4a) {
                "yes".into()
            } else {
                "no".into()
            }
        });
        let _ = writeln!(
            m,
            "| {} | {signs} | {} | {} | {} | {} | {} |",
            c.name, s.exact, s.accepted, s.failed, s.unsupported, s.adapter_errors
        );
    }
    m.push_str("\n## Accepted differences\n\n");
    let mut any_accepted = false;
    for c in columns {
        let acc: Vec<&Verdict> = c
            .verdicts
            .values()
            .filter(|v| v.outcome == Outcome::Accepted)
            .collect();
        if acc.is_empty() {
            continue;
        }
        any_accepted = true;
        let mut phrases: BTreeMap<String, usize> = BTreeMap::new();
        for v in &acc {
            let msg = v.message.trim_start_matches("accepted: ");
            for p in msg.split("; ") {
                *phrases.entry(p.to_owned()).or_default() += 1;
            }
        }
        let _ = writeln!(m, "- **{}** ({} cases):", c.name, acc.len());
        for (p, n) in phrases.iter().take(12) {
            let _ = writeln!(m, "  - {} ({n})", p.replace('|', "\\|"));
        }
    }
    if !any_accepted {
        m.push_str("None.\n");
    }
    m.push_str("\n## Divergences\n\n");
    let groups = grouped(columns);
    if groups.is_empty() {
        m.push_str("None: every installed implementation passes every case.\n");
    }
    for (rule, entries) in &groups {
        match rule {
            Some(r) => {
                let _ = writeln!(
                    m,
                    "### {}\n\n- who is right: {}\n- source: {}",
                    r.rule, r.right, r.source
                );
            }
            None => m.push_str("### No known rule explains these: investigate (`sigv4 check` shows the canonical requests)\n\n"),
        }
        if let Some(item) = minimal_vector(&by_id, entries) {
            let _ = writeln!(
                m,
                "- minimal vector: `{}` ({})\n\n```http\n{}\n```\n",
                item.id(),
                case_source(item),
                request_text(item)
            );
        } else {
            m.push('\n');
        }
        for (c, v) in entries {
            let _ = write!(m, "- **{}** `{}`: {}", c.name, v.id, v.outcome);
            if let Some(s) = &v.stage {
                let _ = write!(m, " at {s}");
            }
            if !v.message.is_empty() {
                let _ = write!(m, " ({})", v.message.replace('|', "\\|"));
            }
            m.push('\n');
        }
        m.push('\n');
    }
    m.push_str("\n## Matrix\n\n| case |");
    for c in columns {
        let _ = write!(m, " {} |", c.name);
    }
    m.push_str("\n| --- |");
    for _ in columns {
        m.push_str(" --- |");
    }
    m.push('\n');
    for item in items {
        let id = item.id();
        let _ = write!(m, "| `{id}` |");
        for c in columns {
            let (text, _) = cell(c.verdicts.get(&id), c.note.as_deref());
            let _ = write!(m, " {text} |");
        }
        m.push('\n');
    }
    m
}

/// The filter script of the HTML report: shows the rows and columns of one implementation,
/// the divergences of one rule. Plain inline JavaScript, no external assets.
const SCRIPT: &str = r#"function applyFilters(){
var impl=document.getElementById('f-impl').value, rule=document.getElementById('f-rule').value;
document.querySelectorAll('section[data-rule]').forEach(function(s){
s.style.display=(rule===''||s.getAttribute('data-rule')===rule)?'':'none';});
document.querySelectorAll('[data-impl]').forEach(function(e){
e.style.display=(impl===''||e.getAttribute('data-impl')===impl)?'':'none';});}
document.getElementById('f-impl').addEventListener('change',applyFilters);
document.getElementById('f-rule').addEventListener('change',applyFilters);"#;

/// The HTML report (self-contained).
pub fn html(items: &[Item], columns: &[Column]) -> String {
    let by_id: BTreeMap<String, &Item> = items.iter().map(|i| (i.id(), i)).collect();
    let mut h = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>SigV4 conformance</title><style>{STYLE}</style></head><body>\n<h1>SigV4 conformance</h1>\n<p>{}</p>\n",
        esc(INTRO)
    );
    h.push_str("<p><label>implementation <select id=\"f-impl\"><option value=\"\">all</option>");
    for c in columns {
        let _ = write!(h, "<option>{}</option>", esc(&c.name));
    }
    h.push_str(
        "</select></label> <label>rule <select id=\"f-rule\"><option value=\"\">all</option>",
    );
    for (i, r) in RULES.iter().enumerate() {
        let _ = write!(h, "<option value=\"r{i}\">{}</option>", esc(r.rule));
    }
    h.push_str("<option value=\"none\">no known rule</option></select></label></p>\n");
    h.push_str("<h2>Summary</h2>\n<table><tr><th>language</th><th>implementation</th><th>version</th><th>protocol</th><th>exact</th><th>accepted</th><th>failed</th><th>unsupported</th><th>adapter errors</th><th>SigV4a (exact/accepted/failed)</th><th>note</th></tr>\n");
    for (lang, cs) in by_language(columns) {
        for c in cs {
            let s = c.summary(|v| !is_v4a(v));
            let a = c.summary(is_v4a);
            let _ = writeln!(
                h,
                "<tr data-impl=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}/{}/{}</td><td{}>{}</td></tr>",
                esc(&c.name),
                esc(lang),
                esc(&c.name),
                esc(&version(c)),
                c.hello.as_ref().map_or(String::new(), |h| h.protocol().to_string()),
                s.exact,
                s.accepted,
                s.failed,
                s.unsupported,
                s.adapter_errors,
                a.exact,
                a.accepted,
                a.failed,
                if c.note.is_some() { " class=\"missing\"" } else { "" },
                esc(c.note.as_deref().unwrap_or(""))
            );
        }
    }
    h.push_str("</table>\n<h2>Divergences</h2>\n");
    let groups = grouped(columns);
    if groups.is_empty() {
        h.push_str("<p>None: every installed implementation passes every case.</p>\n");
    }
    for (rule, entries) in &groups {
        let key = rule
            .and_then(|r| RULES.iter().position(|x| std::ptr::eq(x, r)))
            .map_or("none".to_owned(), |i| format!("r{i}"));
        let (title, right, source) = rule
            .map_or(("No known rule explains these: investigate", "", ""), |r| {
                (r.rule, r.right, r.source)
            });
        let _ = writeln!(
            h,
            "<section data-rule=\"{key}\"><h3>{}</h3><p>who is right: {}<br>source: {}</p>",
            esc(title),
            esc(right),
            esc(source)
        );
        if let Some(item) = minimal_vector(&by_id, entries) {
            let _ = writeln!(
                h,
                "<p>minimal vector: <code>{}</code> ({})</p><pre>{}</pre>",
                esc(&item.id()),
                esc(&case_source(item)),
                esc(&request_text(item))
            );
        }
        h.push_str("<table><tr><th>implementation</th><th>case</th><th>verdict</th></tr>\n");
        for (c, v) in entries {
            let verdict = format!(
                "{}{} {}",
                v.outcome,
                v.stage
                    .as_ref()
                    .map(|s| format!(" at {s}"))
                    .unwrap_or_default(),
                v.message
            );
            let details = if v.detail.is_empty() {
                esc(&verdict)
            } else {
                format!(
                    "<details><summary>{}</summary><pre>{}</pre></details>",
                    esc(&verdict),
                    esc(&v.detail)
                )
            };
            let _ = writeln!(
                h,
                "<tr data-impl=\"{}\" data-rule=\"{key}\"><td>{}</td><td><code>{}</code></td><td class=\"{}\">{}</td></tr>",
                esc(&c.name),
                esc(&c.name),
                esc(&v.id),
                v.outcome,
                details
            );
        }
        h.push_str("</table></section>\n");
    }
    h.push_str("<h2>Matrix</h2>\n<table><tr><th>case</th>");
    for c in columns {
        let _ = write!(
            h,
            "<th data-impl=\"{}\">{}</th>",
            esc(&c.name),
            esc(&c.name)
        );
    }
    h.push_str("</tr>\n");
    for item in items {
        let id = item.id();
        let _ = write!(h, "<tr><td><code>{}</code></td>", esc(&id));
        for c in columns {
            let (text, class) = cell(c.verdicts.get(&id), c.note.as_deref());
            let _ = write!(
                h,
                "<td data-impl=\"{}\" class=\"{class}\">{}</td>",
                esc(&c.name),
                esc(&text)
            );
        }
        h.push_str("</tr>\n");
    }
    let _ = write!(h, "</table>\n<script>{SCRIPT}</script>\n</body></html>\n");
    h
}

/// Writes both files into `out_dir`.
pub fn write(out_dir: &Path, items: &[Item], columns: &[Column]) -> Result<()> {
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let md = out_dir.join("conformance.md");
    std::fs::write(&md, markdown(items, columns))
        .with_context(|| format!("writing {}", md.display()))?;
    let html_path = out_dir.join("conformance.html");
    std::fs::write(&html_path, html(items, columns))
        .with_context(|| format!("writing {}", html_path.display()))?;
    Ok(())
}
