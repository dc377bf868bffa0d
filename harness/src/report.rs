//! `sigv4 report`: every bundled adapter over every suite, written as `docs/conformance.md`
//! and `docs/conformance.html`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result};

use crate::adapter::{Adapter, Hello};
use crate::bundled::Bundled;
use crate::check::{run_items, Item, Outcome, Summary, Verdict};
use crate::config::Config;
use crate::output::{esc, STYLE};

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

/// The known rules, from `FIELD-NOTES.md` and the vectors' READMEs.
pub const RULES: &[Rule] = &[
    Rule {
        keys: &["query-plus-as-literal", "query-plus-for-space", "get-query-raw-plus", "get-query-encoded-plus", "s3-key-plus"],
        rule: "A raw `+` in the query is a space and signs as `%20`; `%2B` signs as `%2B`.",
        right: "AWS's own SDKs (aws-sigv4, aws-sdk-go-v2) read a raw `+` as a space; botocore keeps it, reqsign signs `%2B`. S3 accepts both readings.",
        source: "FIELD-NOTES.md (Canonical query); aws4fetch#83, curl#20543; vectors/cases/get-query-raw-plus",
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
        source: "FIELD-NOTES.md (Canonical URI)",
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
        .or_else(|| by(&v.case))
}

/// One implementation's column.
#[derive(Debug)]
pub struct Column {
    /// Adapter name.
    pub name: String,
    /// Its hello, when it started.
    pub hello: Option<Hello>,
    /// Why there are no verdicts (not installed), if so.
    pub note: Option<String>,
    /// Verdicts, by case id.
    pub verdicts: BTreeMap<String, Verdict>,
}

/// Runs every bundled adapter over `items`.
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
                    let setup = b.setup.as_deref().unwrap_or("bash .ci/test");
                    let tail = a.stderr_tail();
                    let last = tail.lines().last().unwrap_or("").trim();
                    eprintln!("{}: not installed ({e}); {last}", b.name);
                    Column {
                        name: b.name.clone(),
                        hello: None,
                        note: Some(format!("not installed: run {setup}")),
                        verdicts: BTreeMap::new(),
                    }
                }
                Ok(hello) => {
                    eprintln!("{}: running {} cases", b.name, items.len());
                    let vs = run_items(&mut a, items, &Config::default(), |_| {});
                    a.close();
                    Column {
                        name: b.name.clone(),
                        hello: Some(hello),
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
            Outcome::Pass => ("pass".into(), "pass"),
            Outcome::Fail => (
                format!("FAIL ({})", v.stage.as_deref().unwrap_or("?")),
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
        .map(|h| format!("{} ({})", h.version, h.language))
        .unwrap_or_default()
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

/// The divergences: every verdict that is not a pass, with its rule.
fn divergences(columns: &[Column]) -> Vec<(&Column, &Verdict, Option<&'static Rule>)> {
    let mut out = Vec::new();
    for c in columns {
        for v in c.verdicts.values() {
            if matches!(
                v.outcome,
                Outcome::Fail | Outcome::Unsupported | Outcome::AdapterError
            ) {
                out.push((c, v, rule_for(v)));
            }
        }
    }
    out.sort_by(|a, b| (&a.1.id, &a.0.name).cmp(&(&b.1.id, &b.0.name)));
    out
}

const INTRO: &str = "Generated by `sigv4 report` (harness/README.md): every bundled adapter \
(harness/adapters/) over AWS's SigV4 suite (`aws/`, the CRT aws-signing-test-suite v4 in the \
aws-sigv4 crate) and this project's cases (`ours/`, vectors/cases), one row per case and \
location. AWS's SigV4a suite is not run yet (protocol v1 has no SigV4a settings). Verdicts: \
`pass`, `FAIL (first differing stage)`, `unsupported` (the implementation has no switch for a \
setting), `ADAPTER-ERROR` (crash, hang, garbage). Do not edit by hand; regenerate.";

/// The Markdown report.
pub fn markdown(items: &[Item], columns: &[Column]) -> String {
    let mut m = String::from("# SigV4 conformance\n\n");
    m.push_str(INTRO);
    m.push_str("\n\n## Summary\n\n| implementation | version | passed | failed | unsupported | adapter errors | note |\n| --- | --- | --- | --- | --- | --- | --- |\n");
    for c in columns {
        let vs: Vec<Verdict> = c.verdicts.values().cloned().collect();
        let s = Summary::of(&vs);
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} | {} | {} | {} |",
            c.name,
            version(c),
            s.passed,
            s.failed,
            s.unsupported,
            s.adapter_errors,
            c.note.as_deref().unwrap_or("")
        );
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
                    "### {}\n\n- who is right: {}\n- source: {}\n",
                    r.rule, r.right, r.source
                );
            }
            None => m.push_str("### No known rule explains these: investigate (`sigv4 check` shows the canonical requests)\n\n"),
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

/// The HTML report (self-contained).
pub fn html(items: &[Item], columns: &[Column]) -> String {
    let mut h = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>SigV4 conformance</title><style>{STYLE}</style></head><body>\n<h1>SigV4 conformance</h1>\n<p>{}</p>\n<h2>Summary</h2>\n<table><tr><th>implementation</th><th>version</th><th>passed</th><th>failed</th><th>unsupported</th><th>adapter errors</th><th>note</th></tr>\n",
        esc(INTRO)
    );
    for c in columns {
        let vs: Vec<Verdict> = c.verdicts.values().cloned().collect();
        let s = Summary::of(&vs);
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td{}>{}</td></tr>",
            esc(&c.name),
            esc(&version(c)),
            s.passed,
            s.failed,
            s.unsupported,
            s.adapter_errors,
            if c.note.is_some() { " class=\"missing\"" } else { "" },
            esc(c.note.as_deref().unwrap_or(""))
        );
    }
    h.push_str("</table>\n<h2>Divergences</h2>\n");
    let ds = divergences(columns);
    if ds.is_empty() {
        h.push_str("<p>None: every installed implementation passes every case.</p>\n");
    } else {
        h.push_str("<table><tr><th>implementation</th><th>case</th><th>verdict</th><th>rule</th><th>who is right</th><th>source</th></tr>\n");
        for (c, v, rule) in &ds {
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
            let (r, right, source) = rule.map_or(("no known rule: investigate", "", ""), |r| {
                (r.rule, r.right, r.source)
            });
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td><code>{}</code></td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&c.name),
                esc(&v.id),
                v.outcome,
                details,
                esc(r),
                esc(right),
                esc(source)
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("<h2>Matrix</h2>\n<table><tr><th>case</th>");
    for c in columns {
        let _ = write!(h, "<th>{}</th>", esc(&c.name));
    }
    h.push_str("</tr>\n");
    for item in items {
        let id = item.id();
        let _ = write!(h, "<tr><td><code>{}</code></td>", esc(&id));
        for c in columns {
            let (text, class) = cell(c.verdicts.get(&id), c.note.as_deref());
            let _ = write!(h, "<td class=\"{class}\">{}</td>", esc(&text));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n</body></html>\n");
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
