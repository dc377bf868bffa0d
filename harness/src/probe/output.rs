//! The probe's results: terminal table, JSON, JUnit XML, and the published matrix
//! (docs/verifiers.md and .html).

use std::fmt::Write as _;

use serde_json::json;

use super::battery::Expect;
use super::judge::{Outcome, Summary, Verdict};
use super::Run;

fn expected(e: Expect) -> String {
    match e {
        Expect::Accept => "accept".to_owned(),
        Expect::Reject { code, status } => format!("{status} {code}"),
    }
}

fn short(s: &str, n: usize) -> String {
    let l = s.lines().next().unwrap_or("");
    if l.chars().count() > n {
        format!("{}…", l.chars().take(n).collect::<String>())
    } else {
        l.to_owned()
    }
}

/// The terminal table of one run, its notes and the closing summary line.
pub fn table(run: &Run) -> String {
    let w = run
        .verdicts
        .iter()
        .map(|v| v.case.id.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = format!(
        "probe of {}{}\n{:<13} {:<w$} {:<40} {:<40} NOTE\n",
        run.server,
        if run.about.is_empty() {
            String::new()
        } else {
            format!(" ({})", run.about)
        },
        "RESULT",
        "CASE",
        "AWS",
        "SERVER"
    );
    for v in &run.verdicts {
        let _ = writeln!(
            out,
            "{:<13} {:<w$} {:<40} {:<40} {}",
            v.outcome.name().to_uppercase(),
            v.case.id,
            expected(v.case.expect),
            v.answer(),
            if v.outcome == Outcome::Agreed {
                String::new()
            } else {
                short(&v.note, 80)
            }
        );
    }
    for n in &run.notes {
        let _ = writeln!(out, "note: {n}");
    }
    let _ = writeln!(out, "\n{}: {}", run.server, Summary::of(&run.verdicts));
    out
}

fn verdict_json(v: &Verdict) -> serde_json::Value {
    let (exp, code, status) = match v.case.expect {
        Expect::Accept => ("accept", None, None),
        Expect::Reject { code, status } => ("reject", Some(code), Some(status)),
    };
    json!({
        "case": v.case.id,
        "service": v.case.service.name(),
        "what": v.case.what,
        "aws": {"verdict": exp, "code": code, "status": status, "source": v.case.source},
        "outcome": v.outcome.name(),
        "status": v.status,
        "code": v.code,
        "note": v.note,
        "hole": (v.outcome != Outcome::Agreed).then_some(v.case.hole),
    })
}

/// One run as JSON.
pub fn json(run: &Run) -> serde_json::Value {
    let s = Summary::of(&run.verdicts);
    let summary: serde_json::Map<String, serde_json::Value> = Outcome::ALL
        .iter()
        .map(|o| (o.name().to_owned(), json!(s.get(*o))))
        .collect();
    json!({
        "server": run.server,
        "about": run.about,
        "summary": summary,
        "notes": run.notes,
        "verdicts": run.verdicts.iter().map(verdict_json).collect::<Vec<_>>(),
    })
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML: a testsuite per server, a testcase per case; anything but `agreed` is a
/// failure (5xx, hang and no answer are errors).
pub fn junit(runs: &[Run]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sigv4 probe\">\n",
    );
    for run in runs {
        let s = Summary::of(&run.verdicts);
        let errors = s.get(Outcome::ServerError) + s.get(Outcome::Hang) + s.get(Outcome::NoAnswer);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{errors}\">",
            xml(&run.server),
            run.verdicts.len(),
            s.disagreed() - errors
        );
        for v in &run.verdicts {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml(&run.server),
                xml(&v.case.id)
            );
            let msg = format!(
                "AWS: {}; server: {} ({})",
                expected(v.case.expect),
                v.answer(),
                v.outcome
            );
            match v.outcome {
                Outcome::Agreed => out.push_str("/>\n"),
                Outcome::ServerError | Outcome::Hang | Outcome::NoAnswer => {
                    let _ = writeln!(
                        out,
                        ">\n      <error message=\"{}\">{}</error>\n    </testcase>",
                        xml(&msg),
                        xml(&v.note)
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        xml(&msg),
                        xml(&format!("{}\n{}", v.case.hole, v.note))
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// The headline as text: one line per server.
pub fn headline_text(runs: &[Run]) -> String {
    let mut out = String::new();
    for r in runs {
        let _ = writeln!(out, "{}: {}", r.server, Summary::of(&r.verdicts));
    }
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The cases of all runs, in first-seen order (runs probe different services).
fn case_ids(runs: &[Run]) -> Vec<(String, &Verdict)> {
    let mut ids: Vec<(String, &Verdict)> = Vec::new();
    for r in runs {
        for v in &r.verdicts {
            if !ids.iter().any(|(i, _)| *i == v.case.id) {
                ids.push((v.case.id.clone(), v));
            }
        }
    }
    ids
}

fn cell(r: &Run, id: &str) -> String {
    match r.verdicts.iter().find(|v| v.case.id == id) {
        None => "–".to_owned(),
        Some(v) if v.outcome == Outcome::Agreed => format!("✓ {}", v.answer()),
        Some(v) => format!("✗ {} ({})", v.answer(), v.outcome),
    }
}

/// docs/verifiers.md.
pub fn markdown(runs: &[Run], skipped: &[(String, String)]) -> String {
    let mut out = String::from(
        "# Verifiers: what SigV4 servers accept that AWS rejects\n\n\
         Written by `sigv4 probe-report` (do not edit by hand): each bundled server is started on \
         127.0.0.1 and sent the battery of `harness/src/probe/battery.rs`, signed requests each \
         with the verdict AWS gives (accepted, or rejected with AWS's error code and status, \
         with its source). Every request is built with this project's signer and proven with \
         its verifier before it is sent; a must-reject request is a valid one changed in one way.\n\n\
         Outcomes: **agreed** (same verdict, and for a rejection the same code and status), \
         **other-code** (rejected as AWS does, with another code or status), **accepted-bad** \
         (accepted what AWS rejects: a hole), **rejected-good** (refused a request AWS accepts), \
         **5xx**, **hang** (no answer within the timeout), **no-answer** (connection closed).\n\n\
         ## Headline\n\n| server | cases | agreed | other-code | accepted-bad | rejected-good | 5xx | hang | no-answer |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for r in runs {
        let s = Summary::of(&r.verdicts);
        let _ = write!(
            out,
            "| {} ({}) | {} ",
            md_cell(&r.server),
            md_cell(&r.about),
            r.verdicts.len()
        );
        for o in Outcome::ALL {
            let _ = write!(out, "| {} ", s.get(o));
        }
        out.push_str("|\n");
    }
    for (name, reason) in skipped {
        let _ = writeln!(
            out,
            "| {} | skipped: {} | | | | | | | |",
            md_cell(name),
            md_cell(reason)
        );
    }
    out.push_str("\n## Matrix\n\n| case | request | AWS |");
    for r in runs {
        let _ = write!(out, " {} |", md_cell(&r.server));
    }
    out.push_str("\n| --- | --- | --- |");
    for _ in runs {
        out.push_str(" --- |");
    }
    out.push('\n');
    for (id, v) in case_ids(runs) {
        let _ = write!(
            out,
            "| `{}` | {} | {} |",
            id,
            md_cell(&v.case.what),
            expected(v.case.expect)
        );
        for r in runs {
            let _ = write!(out, " {} |", md_cell(&cell(r, &id)));
        }
        out.push('\n');
    }
    out.push_str("\n## Disagreements\n\nEach case a server answers otherwise than AWS, with what that lets through.\n");
    for r in runs {
        let bad: Vec<&Verdict> = r
            .verdicts
            .iter()
            .filter(|v| v.outcome != Outcome::Agreed)
            .collect();
        let _ = writeln!(out, "\n### {}\n", r.server);
        for n in &r.notes {
            let _ = writeln!(out, "- note: {}", md_cell(n));
        }
        if bad.is_empty() {
            out.push_str("None: every case agrees with AWS.\n");
        }
        for v in bad {
            let consequence = match v.outcome {
                Outcome::OtherCode => "rejected, as AWS does, but a client that reads the code (an SDK's retry or error mapping) sees another error",
                Outcome::ServerError | Outcome::Hang | Outcome::NoAnswer
                    if v.case.expect == Expect::Accept =>
                {
                    "a correct request makes the server fail"
                }
                Outcome::ServerError | Outcome::Hang | Outcome::NoAnswer => {
                    "the server fails on input AWS answers cleanly"
                }
                _ => v.case.hole,
            };
            let _ = writeln!(
                out,
                "- `{}` ({}): AWS {}; {} answered {} (**{}**){}. {}.",
                v.case.id,
                md_cell(&v.case.what),
                expected(v.case.expect),
                md_cell(&r.server),
                v.answer(),
                v.outcome,
                if v.note.is_empty() {
                    String::new()
                } else {
                    format!(", \"{}\"", md_cell(&short(&v.note, 140)))
                },
                consequence
            );
        }
    }
    out.push_str("\n## Sources of AWS's verdicts\n\n| case | source |\n| --- | --- |\n");
    for (id, v) in case_ids(runs) {
        let _ = writeln!(out, "| `{id}` | {} |", md_cell(v.case.source));
    }
    out
}

/// docs/verifiers.html: the same content as one self-contained page.
pub fn html(runs: &[Run], skipped: &[(String, String)]) -> String {
    let mut out = String::from(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>SigV4 verifiers</title>\n<style>\
         body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}\
         .ok{background:#e6f4e6}.bad{background:#fbe3e3}.code{background:#fff4d6}code{font-size:12px}</style></head><body>\n\
         <h1>Verifiers: what SigV4 servers accept that AWS rejects</h1>\n\
         <p>Written by <code>sigv4 probe-report</code>; see docs/verifiers.md for the method.</p>\n<h2>Headline</h2>\n<table><tr><th>server</th><th>cases</th>",
    );
    for o in Outcome::ALL {
        let _ = write!(out, "<th>{}</th>", o.name());
    }
    out.push_str("</tr>\n");
    for r in runs {
        let s = Summary::of(&r.verdicts);
        let _ = write!(
            out,
            "<tr><td>{} ({})</td><td>{}</td>",
            xml(&r.server),
            xml(&r.about),
            r.verdicts.len()
        );
        for o in Outcome::ALL {
            let _ = write!(out, "<td>{}</td>", s.get(o));
        }
        out.push_str("</tr>\n");
    }
    for (name, reason) in skipped {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td colspan=\"8\">skipped: {}</td></tr>",
            xml(name),
            xml(reason)
        );
    }
    out.push_str("</table>\n<h2>Matrix</h2>\n<table><tr><th>case</th><th>request</th><th>AWS</th>");
    for r in runs {
        let _ = write!(out, "<th>{}</th>", xml(&r.server));
    }
    out.push_str("</tr>\n");
    for (id, v) in case_ids(runs) {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td>",
            xml(&id),
            xml(&v.case.what),
            xml(&expected(v.case.expect))
        );
        for r in runs {
            let class = match r
                .verdicts
                .iter()
                .find(|x| x.case.id == id)
                .map(|x| x.outcome)
            {
                Some(Outcome::Agreed) => "ok",
                Some(Outcome::OtherCode) => "code",
                Some(_) => "bad",
                None => "",
            };
            let title = r
                .verdicts
                .iter()
                .find(|x| x.case.id == id && x.outcome != Outcome::Agreed)
                .map(|x| format!("{} {}", x.case.hole, x.note))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<td class=\"{class}\" title=\"{}\">{}</td>",
                xml(&title),
                xml(&cell(r, &id))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n<h2>Disagreements</h2>\n");
    for r in runs {
        let _ = writeln!(out, "<h3>{}</h3>\n<ul>", xml(&r.server));
        let mut any = false;
        for v in r.verdicts.iter().filter(|v| v.outcome != Outcome::Agreed) {
            any = true;
            let _ = writeln!(
                out,
                "<li><code>{}</code> ({}): AWS {}; answered {} (<b>{}</b>) {}. {}.</li>",
                xml(&v.case.id),
                xml(&v.case.what),
                xml(&expected(v.case.expect)),
                xml(&v.answer()),
                v.outcome,
                xml(&short(&v.note, 140)),
                xml(if v.outcome == Outcome::OtherCode {
                    "rejected, with another code"
                } else {
                    v.case.hole
                })
            );
        }
        if !any {
            out.push_str("<li>None: every case agrees with AWS.</li>\n");
        }
        for n in &r.notes {
            let _ = writeln!(out, "<li>note: {}</li>", xml(n));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</body></html>\n");
    out
}
