//! `sigv4 explain` on what a deliberately broken signer printed.
//!
//! The broken signer is written here, in the style of AWS's Python samples (build the
//! canonical request by string concatenation, hash, HMAC chain), with one bug switched on at a
//! time. With no bug on, its canonical request and string to sign must equal the expected
//! files of AWS's suite and of vectors/cases (each cross-checked by independent
//! implementations), which makes it the correct case; with a bug on, the first differing line
//! is computed here against those expected files, and the diagnosis must name the bug.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const AMZ_DATE: &str = "20150830T123600Z";

#[derive(Default, Clone, Copy)]
struct Bugs {
    query_unsorted: bool,
    path_as_sent: bool,
    empty_body_hash: bool,
    spaces_not_collapsed: bool,
}

struct Printout {
    canonical_request: String,
    string_to_sign: String,
    authorization: String,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |x: u8| k.iter().map(|b| b ^ x).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}

fn encode(s: &[u8], keep_slash: bool) -> String {
    let mut out = String::new();
    for &b in s {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let pair = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(pair, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// The broken signer: a request file in, what it prints out.
fn broken_sign(request: &str, region: &str, service: &str, bugs: Bugs) -> Printout {
    let (head, body) = request.split_once("\n\n").unwrap_or((request, ""));
    let mut lines = head.lines();
    let mut first = lines.next().unwrap().split(' ');
    let (method, target) = (first.next().unwrap(), first.next().unwrap());
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            let v = v.trim();
            let v = if bugs.spaces_not_collapsed {
                v.to_owned()
            } else {
                v.split(' ')
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            (n.to_ascii_lowercase(), v)
        })
        .collect();
    headers.push(("x-amz-date".into(), AMZ_DATE.into()));
    headers.sort();
    let uri = if bugs.path_as_sent {
        path.to_owned()
    } else {
        encode(path.as_bytes(), true)
    };
    let mut params: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (encode(&decode(k), false), encode(&decode(v), false))
        })
        .collect();
    if !bugs.query_unsorted {
        params.sort();
    }
    let query = params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let canonical_headers: String = headers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let payload = hex(&Sha256::digest(if bugs.empty_body_hash {
        &b""[..]
    } else {
        body.as_bytes()
    }));
    let canonical_request =
        format!("{method}\n{uri}\n{query}\n{canonical_headers}\n{signed_headers}\n{payload}");
    let scope = format!("{}/{region}/{service}/aws4_request", &AMZ_DATE[..8]);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{AMZ_DATE}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let mut key = hmac(
        format!("AWS4{SECRET}").as_bytes(),
        &AMZ_DATE.as_bytes()[..8],
    );
    for part in [region, service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
    Printout {
        canonical_request,
        string_to_sign,
        authorization: format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
        ),
    }
}

fn aws_case(name: &str) -> PathBuf {
    sigv4_vectors::suite::aws_suite_dir()
        .expect("AWS suite (in the aws-sigv4 package)")
        .join(name)
}

fn our_case(name: &str) -> PathBuf {
    sigv4_vectors::suite::own_cases_dir().join(name)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn explain(args: &[&str]) -> (Output, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_sigv4"))
        .arg("explain")
        .args(args)
        .current_dir(common::root())
        .output()
        .expect("run sigv4");
    let s = common::stdout(&o);
    (o, s)
}

/// The 1-based number of the first line where two texts differ.
fn first_difference(want: &str, got: &str) -> usize {
    let (a, b): (Vec<&str>, Vec<&str>) = (want.split('\n').collect(), got.split('\n').collect());
    (0..a.len().max(b.len()))
        .find(|&i| a.get(i) != b.get(i))
        .expect("the texts differ")
        + 1
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

fn diagnosis_code(out: &str) -> &str {
    let line = out
        .lines()
        .find(|l| l.starts_with("diagnosis: "))
        .unwrap_or_else(|| panic!("no diagnosis line:\n{out}"));
    line["diagnosis: ".len()..].split(':').next().unwrap()
}

fn assert_first_line(out: &str, what: &str, line: usize, part: &str) {
    let want = format!("first differing line of the {what}: line {line} ({part})");
    assert!(out.contains(&want), "want {want:?} in:\n{out}");
}

/// AWS's suite files are the correct case: `explain` says identical and exits 0, reading the
/// two texts from one file as `print(canonical_request); print(string_to_sign)` writes them.
/// With no bug on, the broken signer writes the same texts.
#[test]
fn a_correct_printout_is_identical() {
    let dir = aws_case("get-vanilla-query-order-key-case");
    let p = broken_sign(
        &read(&dir.join("request.txt")),
        "us-east-1",
        "service",
        Bugs::default(),
    );
    assert_eq!(
        p.canonical_request,
        read(&dir.join("header-canonical-request.txt"))
    );
    assert_eq!(
        p.string_to_sign,
        read(&dir.join("header-string-to-sign.txt"))
    );
    let tmp = tempfile::tempdir().unwrap();
    // AWS's own files, printed one after the other.
    let printed = write(
        tmp.path(),
        "printed.txt",
        &format!(
            "{}\n{}\n",
            read(&dir.join("header-canonical-request.txt")),
            read(&dir.join("header-string-to-sign.txt"))
        ),
    );
    let req = dir.join("request.txt");
    let (o, out) = explain(&[
        "--printed",
        &printed,
        "--request",
        req.to_str().unwrap(),
        "--time",
        "2015-08-30T12:36:00Z",
        "--region",
        "us-east-1",
        "--service",
        "service",
    ]);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", common::stderr(&o));
    assert!(
        out.contains("a canonical request, then a string to sign"),
        "{out}"
    );
    assert!(out.contains("canonical request: identical"), "{out}");
    assert!(out.contains("string to sign: identical"), "{out}");
    assert!(out.contains("result: identical"), "{out}");
}

/// An unsorted query, pasted as the canonical request alone with the request given as flags:
/// no signature, so the diagnosis compares the text with the mistakes' variants.
#[test]
fn an_unsorted_query_is_named_without_a_signature() {
    let dir = aws_case("get-vanilla-query-order-key-case");
    let bugs = Bugs {
        query_unsorted: true,
        ..Bugs::default()
    };
    let p = broken_sign(
        &read(&dir.join("request.txt")),
        "us-east-1",
        "service",
        bugs,
    );
    let want = read(&dir.join("header-canonical-request.txt"));
    let line = first_difference(&want, &p.canonical_request);
    assert_eq!(line, 3);
    let tmp = tempfile::tempdir().unwrap();
    let creq = write(tmp.path(), "creq.txt", &p.canonical_request);
    let (o, out) = explain(&[
        "--canonical-request",
        &creq,
        "--url",
        "https://example.amazonaws.com/?Param2=value2&Param1=value1",
        "--time",
        "20150830T123600Z",
        "--region",
        "us-east-1",
        "--service",
        "service",
    ]);
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", common::stderr(&o));
    assert_first_line(&out, "canonical request", line, "query");
    assert!(
        out.contains("query parameters must be sorted by name"),
        "{out}"
    );
    assert_eq!(diagnosis_code(&out), "query-not-sorted", "{out}");
}

/// A JSON-protocol request (Kinesis PutRecord, vectors/cases) signed with the empty body's
/// hash, sent with its signature: the diagnosis re-verifies the signature.
#[test]
fn an_empty_body_hash_is_named_from_the_signature() {
    let dir = our_case("kinesis-put-record");
    let request = read(&dir.join("request.txt"));
    let bugs = Bugs {
        empty_body_hash: true,
        ..Bugs::default()
    };
    let good = broken_sign(&request, "us-east-1", "kinesis", Bugs::default());
    let want = read(&dir.join("header-canonical-request.txt"));
    assert_eq!(good.canonical_request, want);
    let p = broken_sign(&request, "us-east-1", "kinesis", bugs);
    let line = first_difference(&want, &p.canonical_request);
    assert_eq!(
        line,
        want.split('\n').count(),
        "the payload hash is the last line"
    );
    let (head, body) = request.split_once("\n\n").unwrap();
    let sent = format!(
        "{head}\nX-Amz-Date:{AMZ_DATE}\nAuthorization:{}\n\n{body}",
        p.authorization
    );
    let tmp = tempfile::tempdir().unwrap();
    let req = write(tmp.path(), "request.http", &sent);
    // botocore's debug log labels: CanonicalRequest: / StringToSign: / Signature:.
    let printed = write(
        tmp.path(),
        "debug.log",
        &format!(
            "2026-12-03 09:00:00,000 botocore.auth [DEBUG] CanonicalRequest:\n{}\n2026-12-03 09:00:00,000 botocore.auth [DEBUG] StringToSign:\n{}\n2026-12-03 09:00:00,000 botocore.auth [DEBUG] Signature:\n{}\n",
            p.canonical_request,
            p.string_to_sign,
            p.authorization.rsplit('=').next().unwrap()
        ),
    );
    let (o, out) = explain(&[
        "--printed",
        &printed,
        "--request",
        &req,
        "--secret-key",
        SECRET,
    ]);
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", common::stderr(&o));
    assert!(
        out.contains("labelled sections (canonical request, string to sign)"),
        "{out}"
    );
    assert_first_line(&out, "canonical request", line, "payload hash");
    assert_first_line(&out, "string to sign", 4, "canonical request hash");
    assert_eq!(diagnosis_code(&out), "payload-hash-of-empty-body", "{out}");
    // The buggy signer signed with the right secret: its signature is judged, and rejected.
    assert!(
        out.contains("signature: the request's signature does NOT verify with this secret"),
        "{out}"
    );
    let (_, wrong) = explain(&[
        "--printed",
        &printed,
        "--request",
        &req,
        "--secret-key",
        "not-the-secret",
    ]);
    assert!(
        wrong.contains("does NOT verify with this secret"),
        "{wrong}"
    );
    // Without the secret the signature is not judged; the printed texts name the bug, also
    // from a file saved with CRLF line ends.
    let crlf = write(
        tmp.path(),
        "crlf.txt",
        &format!("{}\n{}\n", p.canonical_request, p.string_to_sign).replace('\n', "\r\n"),
    );
    let (o, out) = explain(&["--printed", &crlf, "--request", &req]);
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", common::stderr(&o));
    assert!(out.contains("CRLF line ends read as LF"), "{out}");
    assert!(out.contains("no --secret-key"), "{out}");
    assert_first_line(&out, "canonical request", line, "payload hash");
    assert_eq!(diagnosis_code(&out), "payload-hash-of-empty-body", "{out}");
}

/// The path as curl signs it (raw `:` and the encoded space kept, vector
/// execute-api-get-path-spaces-colons): the new path-not-encoded mistake.
#[test]
fn a_path_signed_as_sent_is_named() {
    let dir = our_case("execute-api-get-path-spaces-colons");
    let request = read(&dir.join("request.txt"));
    let want = read(&dir.join("header-canonical-request.txt"));
    let good = broken_sign(&request, "us-east-1", "execute-api", Bugs::default());
    assert_eq!(good.canonical_request, want);
    let bugs = Bugs {
        path_as_sent: true,
        ..Bugs::default()
    };
    let p = broken_sign(&request, "us-east-1", "execute-api", bugs);
    let line = first_difference(&want, &p.canonical_request);
    assert_eq!(line, 2);
    let tmp = tempfile::tempdir().unwrap();
    // Both texts, the string to sign giving region, service and time.
    let printed = write(
        tmp.path(),
        "printed.txt",
        &format!("{}\n\n{}\n", p.canonical_request, p.string_to_sign),
    );
    let req = dir.join("request.txt");
    let (o, out) = explain(&["--printed", &printed, "--request", req.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", common::stderr(&o));
    assert!(
        out.contains("scope 20150830/us-east-1/execute-api"),
        "{out}"
    );
    assert_first_line(&out, "canonical request", line, "URI");
    assert_eq!(diagnosis_code(&out), "path-not-encoded", "{out}");
}

/// Inner runs of spaces not collapsed (AWS's get-header-value-trim): the differing header
/// line shows its spaces as `·`.
#[test]
fn uncollapsed_spaces_are_shown_and_named() {
    let dir = aws_case("get-header-value-trim");
    let request = read(&dir.join("request.txt"));
    let want = read(&dir.join("header-canonical-request.txt"));
    let good = broken_sign(&request, "us-east-1", "service", Bugs::default());
    assert_eq!(good.canonical_request, want);
    let bugs = Bugs {
        spaces_not_collapsed: true,
        ..Bugs::default()
    };
    let p = broken_sign(&request, "us-east-1", "service", bugs);
    let line = first_difference(&want, &p.canonical_request);
    let tmp = tempfile::tempdir().unwrap();
    let printed = write(
        tmp.path(),
        "printed.txt",
        &format!("{}\n{}\n", p.canonical_request, p.string_to_sign),
    );
    let req = dir.join("request.txt");
    let (o, out) = explain(&["--printed", &printed, "--request", req.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", common::stderr(&o));
    assert_first_line(&out, "canonical request", line, "header lines");
    assert!(out.contains("+ my-header2:\"a···b···c\""), "{out}");
    assert_eq!(diagnosis_code(&out), "header-values-not-trimmed", "{out}");
}

/// `sigv4 mistakes` prints the catalogue, and docs/diagnosis.md holds it between its markers.
#[test]
fn the_docs_table_is_the_generated_catalogue() {
    let o = Command::new(env!("CARGO_BIN_EXE_sigv4"))
        .arg("mistakes")
        .output()
        .unwrap();
    assert!(o.status.success());
    let table = common::stdout(&o);
    assert_eq!(table, sigv4_signer::diagnose::Mistake::catalogue_markdown());
    for m in sigv4_signer::diagnose::Mistake::catalogue() {
        assert!(
            table.contains(&format!("| `{}` |", m.code())),
            "{}",
            m.code()
        );
    }
    let doc = read(&common::root().join("docs/diagnosis.md"));
    let begin = doc
        .find("<!-- mistakes:begin")
        .and_then(|i| doc[i..].find('\n').map(|j| i + j + 1))
        .expect("docs/diagnosis.md has the begin marker");
    let end = doc.find("<!-- mistakes:end -->").expect("end marker");
    assert!(
        doc[begin..end] == table,
        "docs/diagnosis.md is out of date with the catalogue of mistakes; regenerate it with\n    cargo run -q -p sigv4-harness -- mistakes --write docs/diagnosis.md"
    );
}
