//! `sigv4 fuzz` finds and shrinks a seeded divergence; `sigv4 live` reports mock-aws's
//! verdicts on a real client's requests.

mod common;

use std::process::Command;

use common::*;

#[test]
fn fuzz_finds_an_unsorted_query_and_shrinks_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = sigv4(
        &[
            "fuzz",
            "--adapter-name",
            "plain",
            "--cases",
            "1000",
            "--seed",
            "7",
            "--focus",
            "query",
            "--out",
            tmp.path().to_str().unwrap(),
        ],
        &[("PLAIN_ADAPTER_BREAK", "unsorted-query")],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}\n{}", stderr(&out));
    assert!(text.contains("query-not-sorted"), "{text}");
    // The reproduce line names the adapter, and the class it prints is what --accept takes.
    assert!(
        text.contains(
            "reproduce: sigv4 fuzz --adapter-name plain --cases 1000 --seed 7 --focus query"
        ),
        "{text}"
    );
    assert!(
        text.contains("divergence class: query-not-sorted"),
        "{text}"
    );
    let dir = tmp.path().join("fuzz-7");
    let case = sigv4_vectors::Case::load(&dir).expect("the finding loads as a case");
    let query = case.request.target.split_once('?').expect("a query").1;
    // Minimal: two parameters, a character or two each.
    assert_eq!(query.split('&').count(), 2, "{query}");
    assert!(query.len() <= 6, "not shrunk: {query}");
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(readme.contains("ours; needs cross-check before committing"));
    assert!(dir.join("header-canonical-request.txt").is_file());
}

/// With the unsorted-query class accepted, the broken adapter has no other divergence in the
/// query (the unbroken one has none: the next test), so the run goes through all its cases.
#[test]
fn fuzz_goes_on_past_an_accepted_divergence_class() {
    let tmp = tempfile::tempdir().unwrap();
    let out = sigv4(
        &[
            "fuzz",
            "--adapter-name",
            "plain",
            "--cases",
            "1000",
            "--seed",
            "7",
            "--focus",
            "query",
            "--accept",
            "query-not-sorted",
            "--out",
            tmp.path().to_str().unwrap(),
        ],
        &[("PLAIN_ADAPTER_BREAK", "unsorted-query")],
    );
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("no divergence in 1000 cases"));
}

/// The header generator makes values with whitespace runs and tabs: the plain adapter's known
/// tab divergence (it collapses a tab to a space, harness/adapters/plain/README.md) is found
/// and shrunk to a value with a tab; its class names the canonical headers.
#[test]
fn fuzz_of_headers_finds_the_tab_divergence() {
    let tmp = tempfile::tempdir().unwrap();
    let out = sigv4(
        &[
            "fuzz",
            "--adapter-name",
            "plain",
            "--cases",
            "500",
            "--seed",
            "5",
            "--focus",
            "headers",
            "--out",
            tmp.path().to_str().unwrap(),
        ],
        &[],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("minimal diverging case:"))
        .expect("a minimal case");
    assert!(line.contains("\\t"), "{line}");
    // The plain adapter collapses every whitespace run, tabs included, as botocore does: the
    // diagnosis names that mistake, and the class is its code.
    assert!(
        text.contains("divergence class: header-tabs-collapsed"),
        "{text}"
    );
}

#[test]
fn fuzz_of_the_query_finds_no_divergence_in_the_plain_adapter() {
    let tmp = tempfile::tempdir().unwrap();
    let out = sigv4(
        &[
            "fuzz",
            "--adapter-name",
            "plain",
            "--cases",
            "300",
            "--seed",
            "11",
            "--focus",
            "query",
            "--out",
            tmp.path().to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("no divergence in 300 cases"));
}

fn curl() -> &'static str {
    let ok = Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "curl is missing: run `bash .ci/setup`, which installs it"
    );
    "curl"
}

const CURL_STS: &str = r#"curl -sS --aws-sigv4 "aws:amz:us-east-1:sts" -u "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$AWS_ENDPOINT_URL/?Action=GetCallerIdentity&Version=2011-06-15" >/dev/null"#;

#[test]
fn live_with_curl_gets_an_accepted_verdict() {
    curl();
    let out = sigv4(
        &["live", "--timeout", "30", "--", "sh", "-c", CURL_STS],
        &[],
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    assert!(
        text.contains("-> 200 accepted (service sts, operation GetCallerIdentity)"),
        "{text}"
    );
    assert!(
        text.contains("1 requests: 1 accepted, 0 rejected"),
        "{text}"
    );
}

#[test]
fn live_reports_a_wrong_signature_with_its_diagnosis() {
    curl();
    let bad = CURL_STS.replace(":$AWS_SECRET_ACCESS_KEY", ":$AWS_SECRET_ACCESS_KEY ");
    let out = sigv4(&["live", "--timeout", "30", "--", "sh", "-c", &bad], &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("SignatureDoesNotMatch (signature-mismatch)"),
        "{text}"
    );
    assert!(text.contains("diagnosis (secret-trailing-space)"), "{text}");
}

#[test]
fn live_with_boto3_gets_verdicts() {
    let script = r#"
import boto3
boto3.client("sts").get_caller_identity()
boto3.client("dynamodb").list_tables()
"#;
    let py = python();
    let out = sigv4(
        &[
            "live",
            "--timeout",
            "60",
            "--",
            py.to_str().unwrap(),
            "-c",
            script,
        ],
        &[],
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    assert!(text.contains("operation GetCallerIdentity"), "{text}");
    assert!(text.contains("operation ListTables"), "{text}");
    assert!(
        text.contains("2 requests: 2 accepted, 0 rejected"),
        "{text}"
    );
}

#[test]
fn live_fails_when_the_program_fails() {
    let out = sigv4(
        &["live", "--timeout", "10", "--", "sh", "-c", "exit 4"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("no request reached mock-aws"));
}
