//! Writing `sigv4 check` results: terminal table, JSON, JUnit XML, a self-contained HTML page.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use crate::adapter::Hello;
use crate::check::{Outcome, Summary, Verdict};

/// The terminal table: one row per verdict (with `all` false, only the failures and adapter
/// errors), then the details of every failure, then the closing
/// `N exact, A accepted, M failed, U unsupported, D disabled` line.
pub fn table(verdicts: &[Verdict], all: bool) -> String {
    let shown: Vec<&Verdict> = verdicts
        .iter()
        .filter(|v| all || matches!(v.outcome, Outcome::Fail | Outcome::AdapterError))
        .collect();
    let w = shown.iter().map(|v| v.id.len()).max().unwrap_or(4).max(4);
    let mut out = String::new();
    if !shown.is_empty() {
        let _ = writeln!(
            out,
            "{:<13} {:<w$} {:<17} {:<26} NOTE",
            "RESULT", "CASE", "STAGE", "CODE"
        );
    }
    for v in &shown {
        let _ = writeln!(
            out,
            "{:<13} {:<w$} {:<17} {:<26} {}",
            v.outcome.to_string().to_uppercase(),
            v.id,
            v.stage.as_deref().unwrap_or("-"),
            v.code.as_deref().unwrap_or("-"),
            one_line(&v.message, 100)
        );
    }
    let mut details = String::new();
    for v in verdicts {
        if matches!(v.outcome, Outcome::Fail | Outcome::AdapterError) && !v.detail.is_empty() {
            let _ = write!(
                details,
                "\n{} {}: {}\n{}",
                v.outcome.to_string().to_uppercase(),
                v.id,
                v.message,
                v.detail
            );
            if !v.detail.ends_with('\n') {
                details.push('\n');
            }
        }
    }
    out.push_str(&details);
    if !all {
        let hidden = verdicts.len() - shown.len();
        if hidden > 0 {
            let _ = writeln!(
                out,
                "\n({hidden} exact, accepted, unsupported or disabled rows not shown; --all shows every row)"
            );
        }
    }
    let _ = writeln!(out, "\n{}", Summary::of(verdicts));
    out
}

fn one_line(s: &str, n: usize) -> String {
    let l = s.lines().next().unwrap_or("");
    if l.chars().count() > n {
        format!("{}…", l.chars().take(n).collect::<String>())
    } else {
        l.to_owned()
    }
}

/// The JSON document: adapter, summary, verdicts.
pub fn json_doc(adapter: &str, hello: Option<&Hello>, verdicts: &[Verdict]) -> serde_json::Value {
    json!({
        "adapter": adapter,
        "implementation": hello,
        "summary": Summary::of(verdicts),
        "verdicts": verdicts,
    })
}

/// XML-escapes text (also for HTML).
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            // Characters XML 1.0 cannot carry.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {
                let _ = write!(o, "\\u{{{:x}}}", c as u32);
            }
            c => o.push(c),
        }
    }
    o
}

/// JUnit XML: one `testsuite` per suite, one `testcase` per case and location; `fail` is a
/// `failure`, `adapter-error` an `error`, `unsupported` and `disabled` are `skipped`.
pub fn junit(adapter: &str, verdicts: &[Verdict]) -> String {
    let mut by_suite: BTreeMap<&str, Vec<&Verdict>> = BTreeMap::new();
    for v in verdicts {
        by_suite.entry(&v.suite).or_default().push(v);
    }
    let total = Summary::of(verdicts);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"sigv4 check {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        esc(adapter),
        verdicts.len(),
        total.failed,
        total.adapter_errors,
        total.unsupported + total.disabled
    );
    for (suite, vs) in by_suite {
        let s = Summary::of(vs.iter().copied());
        let time: u64 = vs.iter().map(|v| v.millis).sum();
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
            esc(suite),
            vs.len(),
            s.failed,
            s.adapter_errors,
            s.unsupported + s.disabled,
            time as f64 / 1000.0
        );
        for v in vs {
            let _ = write!(
                x,
                "    <testcase classname=\"{}\" name=\"{}/{}\" time=\"{:.3}\"",
                esc(&v.suite),
                esc(&v.case),
                esc(&v.location),
                v.millis as f64 / 1000.0
            );
            match v.outcome {
                Outcome::Exact | Outcome::Accepted => x.push_str("/>\n"),
                Outcome::Fail => {
                    let _ = write!(
                        x,
                        ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                        esc(&v.message),
                        esc(v.stage.as_deref().unwrap_or("fail")),
                        esc(&v.detail)
                    );
                }
                Outcome::AdapterError => {
                    let _ = write!(
                        x,
                        ">\n      <error message=\"{}\" type=\"adapter-error\">{}</error>\n    </testcase>\n",
                        esc(&v.message),
                        esc(&v.detail)
                    );
                }
                Outcome::Unsupported | Outcome::Disabled => {
                    let _ = write!(
                        x,
                        ">\n      <skipped message=\"{}: {}\"/>\n    </testcase>\n",
                        v.outcome,
                        esc(&v.message)
                    );
                }
            }
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

/// The page's style, shared with the conformance report.
pub const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}\
.exact,.pass{background:#dfd}.accepted{background:#efe}.fail{background:#fdd}.adapter-error{background:#fc9}.unsupported{background:#eee}\
.disabled{background:#ddf}.missing{background:#fff3c4}pre{white-space:pre-wrap;font-size:.85em;margin:0}\
code{font-size:.9em}";

/// A self-contained HTML report of one run.
pub fn html(adapter: &str, hello: Option<&Hello>, verdicts: &[Verdict]) -> String {
    let mut h = String::new();
    let title = format!("sigv4 check: {adapter}");
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    if let Some(hello) = hello {
        let _ = writeln!(
            h,
            "<p>Implementation: <b>{}</b> {} ({}); reveals: {}</p>",
            esc(&hello.name),
            esc(&hello.version),
            esc(&hello.language),
            esc(&hello.reveals.join(", "))
        );
    }
    let _ = writeln!(
        h,
        "<p><b>{}</b></p>",
        esc(&Summary::of(verdicts).to_string())
    );
    h.push_str(
        "<table><tr><th>case</th><th>result</th><th>stage</th><th>code</th><th>details</th></tr>\n",
    );
    for v in verdicts {
        let details = if v.detail.is_empty() {
            esc(&v.message)
        } else {
            format!(
                "<details><summary>{}</summary><pre>{}</pre></details>",
                esc(&v.message),
                esc(&v.detail)
            )
        };
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&v.id),
            v.outcome,
            v.outcome,
            esc(v.stage.as_deref().unwrap_or("")),
            esc(v.code.as_deref().unwrap_or("")),
            details
        );
    }
    h.push_str("</table>\n</body></html>\n");
    h
}
