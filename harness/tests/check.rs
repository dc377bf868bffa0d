//! `sigv4 check` end to end: the plain adapter over both suites, a deliberately broken adapter
//! whose failures must be exactly the cases its broken rule affects, and misbehaving adapters.

mod common;

use std::collections::BTreeSet;

use common::*;
use sigv4_vectors::{Case, Location};

#[test]
fn plain_adapter_passes_both_suites() {
    let tmp = tempfile::tempdir().unwrap();
    let (json, junit, html) = (
        tmp.path().join("r.json"),
        tmp.path().join("r.xml"),
        tmp.path().join("r.html"),
    );
    let out = sigv4(
        &[
            "check",
            "--adapter-name",
            "plain",
            "--json",
            json.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
        ],
        &[],
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    let items = default_items();
    let verdicts = verdicts(&json);
    let want_ids: BTreeSet<String> = items.iter().map(|(id, ..)| id.clone()).collect();
    let got_ids: BTreeSet<String> = verdicts.keys().cloned().collect();
    assert_eq!(got_ids, want_ids, "one verdict per case and location");
    let unsupported: BTreeSet<String> = items
        .iter()
        .filter(|(_, c, _)| plain_unsupported(c))
        .map(|(id, ..)| id.clone())
        .collect();
    assert!(!unsupported.is_empty());
    for (id, v) in &verdicts {
        let want = if unsupported.contains(id) {
            "unsupported"
        } else {
            "exact"
        };
        assert_eq!(v["outcome"], want, "{id}: {v}");
    }
    // The expected-error case passes because the adapter refuses to sign it.
    assert_eq!(
        verdicts["ours/get-presign-expires-too-long/query"]["outcome"],
        "exact"
    );
    let closing = format!(
        "{} exact, 0 accepted, 0 failed, {} unsupported, 0 disabled",
        items.len() - unsupported.len(),
        unsupported.len()
    );
    assert_eq!(text.lines().last(), Some(closing.as_str()), "{text}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("<testsuite name=\"aws\""), "{xml}");
    assert!(xml.contains("<testsuite name=\"ours\""));
    assert_eq!(xml.matches("<testcase ").count(), items.len());
    assert_eq!(xml.matches("<skipped ").count(), unsupported.len());
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!doctype html>") && page.contains("</html>"));
    assert!(!page.contains("<script src") && !page.contains("<link "));
}

#[test]
fn disabled_cases_are_reported_with_their_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("c.toml");
    std::fs::write(
        &cfg,
        "[[disabled]]\ncase = \"aws/get-utf8\"\nreason = \"UTF-8 paths are out of scope\"\n",
    )
    .unwrap();
    let json = tmp.path().join("r.json");
    let out = sigv4(
        &[
            "check",
            "--adapter-name",
            "plain",
            "--config",
            cfg.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stdout(&out));
    let v = verdicts(&json);
    for loc in ["header", "query"] {
        let d = &v[&format!("aws/get-utf8/{loc}")];
        assert_eq!(d["outcome"], "disabled");
        assert_eq!(d["message"], "UTF-8 paths are out of scope");
    }
    assert!(stdout(&out).trim_end().ends_with("2 disabled"));
}

fn path_of(case: &Case) -> &str {
    let t = case.request.target.as_str();
    t.split_once('?').map_or(t, |(p, _)| p)
}

/// Encoding the path once instead of twice changes the canonical URI exactly when the path
/// (as on the wire) holds a `%`: double encoding turns it into `%25`, single encoding decodes
/// the triplet and re-encodes it. Raw characters are encoded the same way by both.
#[test]
fn broken_path_encoding_fails_exactly_the_cases_it_affects() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("r.json");
    let out = sigv4(
        &[
            "check",
            "--adapter-name",
            "plain",
            "--json",
            json.to_str().unwrap(),
        ],
        &[("PLAIN_ADAPTER_BREAK", "path-encode-once")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let want: BTreeSet<String> = default_items()
        .into_iter()
        .filter(|(_, c, loc)| {
            c.context.double_uri_encode
                && path_of(c).contains('%')
                && c.expected(*loc).error.is_none()
                && !plain_unsupported(c)
        })
        .map(|(id, ..)| id)
        .collect();
    assert!(want.len() >= 3, "{want:?}");
    let v = verdicts(&json);
    let failed: BTreeSet<String> = v
        .iter()
        .filter(|(_, v)| v["outcome"] == "fail")
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(failed, want);
    for id in &want {
        assert_eq!(v[id]["stage"], "canonical-request", "{id}");
        assert_eq!(v[id]["diagnosis"]["code"], "path-encoded-once", "{id}");
    }
}

/// An adapter that reveals only its signed request: the harness names the stage
/// `signed-request`, re-verifies, and shows the canonical request that reproduces the
/// adapter's signature next to the expected one.
#[test]
fn without_revealed_artifacts_the_canonical_request_is_reconstructed() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("r.json");
    let out = sigv4(
        &[
            "check",
            "--adapter-name",
            "plain",
            "--json",
            json.to_str().unwrap(),
            "vectors/cases/double-encode-space",
        ],
        &[
            ("PLAIN_ADAPTER_BREAK", "path-encode-once"),
            ("PLAIN_ADAPTER_REVEAL", "none"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let v = verdicts(&json);
    assert_eq!(v.len(), 2);
    for (id, v) in &v {
        assert_eq!(v["outcome"], "fail", "{id}");
        assert_eq!(v["stage"], "signed-request", "{id}");
        assert_eq!(v["diagnosis"]["code"], "path-encoded-once", "{id}");
        let detail = v["detail"].as_str().unwrap();
        assert!(
            detail.contains("canonical request that reproduces plain's signature"),
            "{detail}"
        );
        // The expected file double-encodes; the reconstructed one does not.
        assert!(detail.contains("- /example%2520space"), "{detail}");
        assert!(detail.contains("+ /example%20space"), "{detail}");
    }
}

/// `%XX` for every byte but the unreserved ones (AWS's UriEncode).
fn uri_encode(b: &[u8]) -> String {
    b.iter()
        .map(|&c| {
            if c.is_ascii_alphanumeric() || b"-_.~".contains(&c) {
                (c as char).to_string()
            } else {
                format!("%{c:02X}")
            }
        })
        .collect()
}

fn decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| {
            b.get(j)
                .and_then(|c| (*c as char).to_digit(16))
                .map(|d| d as u8)
        };
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push(h * 16 + l);
                i += 3;
            }
            (b'+', ..) => {
                out.push(b' ');
                i += 1;
            }
            (c, ..) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The encoded query parameters in the order a signer that does not sort would list them:
/// the request's, then (presigning) the X-Amz-* ones in the order they are appended.
fn arrival_order(case: &Case, loc: Location) -> Vec<(String, String)> {
    let query = case.request.target.split_once('?').map_or("", |(_, q)| q);
    let mut params: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (uri_encode(&decode(k)), uri_encode(&decode(v)))
        })
        .collect();
    if loc == Location::Query {
        let mut names = vec![
            "X-Amz-Algorithm",
            "X-Amz-Credential",
            "X-Amz-Date",
            "X-Amz-Expires",
        ];
        if case.context.credentials.token.is_some() {
            names.push("X-Amz-Security-Token");
        }
        names.push("X-Amz-SignedHeaders");
        params.extend(names.into_iter().map(|n| (n.to_owned(), String::new())));
    }
    params
}

#[test]
fn unsorted_query_fails_exactly_the_cases_whose_parameters_arrive_out_of_order() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("r.json");
    let out = sigv4(
        &[
            "check",
            "--adapter-name",
            "plain",
            "--json",
            json.to_str().unwrap(),
        ],
        &[("PLAIN_ADAPTER_BREAK", "unsorted-query")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let want: BTreeSet<String> = default_items()
        .into_iter()
        .filter(|(_, c, loc)| {
            let p = arrival_order(c, *loc);
            let mut sorted = p.clone();
            sorted.sort();
            p != sorted && c.expected(*loc).error.is_none() && !plain_unsupported(c)
        })
        .map(|(id, ..)| id)
        .collect();
    assert!(want.len() >= 3, "{want:?}");
    let v = verdicts(&json);
    let failed: BTreeSet<String> = v
        .iter()
        .filter(|(_, v)| v["outcome"] == "fail")
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(failed, want);
    for id in &want {
        assert_eq!(v[id]["stage"], "canonical-request", "{id}");
        assert_eq!(v[id]["diagnosis"]["code"], "query-not-sorted", "{id}");
    }
}

/// Held by the runs of the broken-adapter tests below and by the misbehaving-adapter test, whose
/// 2-second timeout must not be eaten by several full runs going on beside it on a loaded machine.
static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn heavy() -> std::sync::MutexGuard<'static, ()> {
    HEAVY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `sigv4 check` over both default suites with the plain adapter broken by `bug`, asserts
/// that it exits 1, and returns the verdicts.
fn check_with_bug(bug: &str) -> std::collections::BTreeMap<String, serde_json::Value> {
    let _one_at_a_time = heavy();
    let tmp = tempfile::tempdir().expect("temporary folder");
    let json = tmp.path().join("r.json");
    let out = sigv4(
        &[
            "check",
            "--adapter-name",
            "plain",
            "--json",
            json.to_str().expect("UTF-8 path"),
        ],
        &[("PLAIN_ADAPTER_BREAK", bug)],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    verdicts(&json)
}

fn failed_ids(v: &std::collections::BTreeMap<String, serde_json::Value>) -> BTreeSet<String> {
    v.iter()
        .filter(|(_, v)| v["outcome"] == "fail")
        .map(|(id, _)| id.clone())
        .collect()
}

/// Whether the expected outcome of a case at a location is a signature (not a refusal) and the
/// plain adapter can express it.
fn signable(c: &Case, loc: Location) -> bool {
    c.expected(loc).error.is_none() && !plain_unsupported(c)
}

/// Whether the body's hash goes into the canonical request: the case has a body and no fixed
/// `payload_hash` (UNSIGNED-PAYLOAD or a precomputed one).
fn body_is_hashed(c: &Case) -> bool {
    !c.request.body.is_empty() && c.context.payload_hash.is_none()
}

/// Whether the signed request carries `x-amz-content-sha256` (the payload hash in a header).
fn sends_content_sha256(c: &Case, loc: Location) -> bool {
    loc == Location::Header && c.context.sign_body
}

/// Our JSON-, query- and REST-protocol cases that send a body without `x-amz-content-sha256`:
/// the shape AWS's suite does not have (its two bodies are signed with the header).
fn json_shaped(id: &str, c: &Case, loc: Location) -> bool {
    id.starts_with("ours/") && body_is_hashed(c) && !sends_content_sha256(c, loc)
}

/// Hashing an empty body changes the canonical request's last line exactly for the cases whose
/// body is hashed; where no `x-amz-content-sha256` header carries the wrong hash too, the
/// diagnosis names the mistake.
#[test]
fn empty_body_hash_fails_exactly_the_cases_with_a_hashed_body() {
    let v = check_with_bug("empty-body-hash");
    let items = default_items();
    let want: BTreeSet<String> = items
        .iter()
        .filter(|(_, c, loc)| body_is_hashed(c) && signable(c, *loc))
        .map(|(id, ..)| id.clone())
        .collect();
    let json: BTreeSet<String> = items
        .iter()
        .filter(|(id, c, loc)| json_shaped(id, c, *loc))
        .map(|(id, ..)| id.clone())
        .collect();
    assert!(json.len() >= 10, "{json:?}");
    assert!(json.is_subset(&want));
    assert_eq!(failed_ids(&v), want);
    for (id, c, loc) in &items {
        if !want.contains(id) {
            continue;
        }
        assert_eq!(v[id]["stage"], "canonical-request", "{id}");
        if !sends_content_sha256(c, *loc) {
            assert_eq!(
                v[id]["diagnosis"]["code"], "payload-hash-of-empty-body",
                "{id}: {}",
                v[id]
            );
        }
    }
}

/// A signer tested on GETs and S3 alone: it hashes the body only where it also sends it as
/// `x-amz-content-sha256`. AWS's suite signs both of its bodies with that header, so only its
/// two presigned POSTs and our JSON, query and REST POSTs catch it.
#[test]
fn empty_body_hash_without_the_sha256_header_is_caught_by_the_json_shaped_cases() {
    let v = check_with_bug("empty-body-hash-without-sha256-header");
    let items = default_items();
    let want: BTreeSet<String> = items
        .iter()
        .filter(|(_, c, loc)| {
            body_is_hashed(c) && !sends_content_sha256(c, *loc) && signable(c, *loc)
        })
        .map(|(id, ..)| id.clone())
        .collect();
    let header_auth_in_aws_suite = want
        .iter()
        .filter(|id| id.starts_with("aws/") && id.ends_with("/header"))
        .count();
    assert_eq!(header_auth_in_aws_suite, 0, "{want:?}");
    assert!(want.iter().filter(|id| id.starts_with("ours/")).count() >= 10);
    assert_eq!(failed_ids(&v), want);
    for id in &want {
        assert_eq!(v[id]["stage"], "canonical-request", "{id}");
        assert_eq!(
            v[id]["diagnosis"]["code"], "payload-hash-of-empty-body",
            "{id}"
        );
    }
}

/// The value an HTTP library that normalises Content-Type after signing sends (the rule of the
/// plain adapter's `content-type-rewritten` switch, written again here): `; charset=utf-8`
/// appended to a bare media type, the parameters dropped from one with them.
fn rewritten_content_type(v: &str) -> String {
    match v.split_once(';') {
        Some((media_type, _)) => media_type.trim().to_owned(),
        None => format!("{v}; charset=utf-8"),
    }
}

/// Signing one Content-Type and sending another leaves every revealed artifact right: only the
/// signed request differs, in its Content-Type, for exactly the cases that have one.
#[test]
fn rewritten_content_type_fails_exactly_the_cases_with_a_content_type() {
    let v = check_with_bug("content-type-rewritten");
    let items = default_items();
    let content_type = |c: &Case| {
        c.request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.trim().to_owned())
    };
    let want: BTreeSet<String> = items
        .iter()
        .filter(|(_, c, loc)| content_type(c).is_some() && signable(c, *loc))
        .map(|(id, ..)| id.clone())
        .collect();
    let ours: Vec<&String> = want.iter().filter(|id| id.starts_with("ours/")).collect();
    assert!(ours.len() >= 10, "{ours:?}");
    // Both directions are exercised: a bare media type gains a parameter, and one with a
    // parameter loses it.
    let with_params = items
        .iter()
        .filter(|(id, c, _)| want.contains(id) && content_type(c).is_some_and(|t| t.contains(';')))
        .count();
    assert!(
        with_params >= 3 && with_params < want.len(),
        "{with_params}"
    );
    assert_eq!(failed_ids(&v), want);
    for (id, c, _) in &items {
        if !want.contains(id) {
            continue;
        }
        assert_eq!(v[id]["stage"], "signed-request", "{id}: {}", v[id]);
        let sent = rewritten_content_type(&content_type(c).unwrap());
        let detail = v[id]["detail"].as_str().unwrap();
        assert!(
            detail.contains(&format!("content-type:{sent}")),
            "{id}: {detail}"
        );
        // Every revealed artifact is right, so the verdict says what changed after signing.
        let signed = content_type(c).unwrap();
        let sentence = format!(
            "the adapter changed content-type after signing: signed {signed:?}, sent {sent:?}"
        );
        assert!(detail.contains(&sentence), "{id}: {detail}");
        assert_eq!(v[id]["code"], "header-changed-after-signing", "{id}");
    }
}

/// An adapter wrapping the plain one that crashes, hangs, prints garbage or answers another
/// id on four chosen cases.
const MISBEHAVING: &str = r#"
import importlib.util, json, os, sys, time
spec = importlib.util.spec_from_file_location("plain", os.path.join("harness", "adapters", "plain", "adapter.py"))
plain = importlib.util.module_from_spec(spec)
spec.loader.exec_module(plain)
for line in sys.stdin:
    msg = json.loads(line)
    mid = msg.get("id")
    if mid == "cases/get-query-tilde/header":
        sys.stderr.write("dying on purpose\n"); sys.stderr.flush()
        os._exit(3)
    if mid == "cases/get-query-tilde/query":
        time.sleep(60)
    if mid == "cases/get-host-port/header":
        print("this is not json", flush=True)
        continue
    if mid == "cases/get-host-port/query":
        print(json.dumps({"protocol": 1, "id": "someone-else", "status": "ok"}), flush=True)
        continue
    print(json.dumps(plain.answer(msg)), flush=True)
"#;

#[test]
fn misbehaving_adapters_give_adapter_errors_and_the_run_goes_on() {
    let _one_at_a_time = heavy();
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("bad.py");
    std::fs::write(&script, MISBEHAVING).unwrap();
    let json = tmp.path().join("r.json");
    let cmd = format!("{} {}", python().display(), script.display());
    let started = std::time::Instant::now();
    let out = sigv4(
        &[
            "check",
            "--adapter",
            &cmd,
            "--timeout",
            "2",
            "--json",
            json.to_str().unwrap(),
            "vectors/cases",
        ],
        &[],
    );
    assert!(started.elapsed().as_secs() < 60);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let v = verdicts(&json);
    let bad = [
        ("cases/get-query-tilde/header", "exited"),
        ("cases/get-query-tilde/query", "timeout"),
        ("cases/get-host-port/header", "garbage"),
        ("cases/get-host-port/query", "wrong-id"),
    ];
    for (id, code) in bad {
        assert_eq!(v[id]["outcome"], "adapter-error", "{id}: {}", v[id]);
        assert!(
            v[id]["message"].as_str().unwrap().starts_with(code),
            "{id}: {}",
            v[id]
        );
    }
    assert!(v["cases/get-query-tilde/header"]["detail"]
        .as_str()
        .unwrap()
        .contains("dying on purpose"));
    // Every other case still ran, on a restarted adapter.
    for (id, verdict) in &v {
        if !bad.iter().any(|(b, _)| b == id) {
            assert!(
                verdict["outcome"] == "exact" || verdict["outcome"] == "unsupported",
                "{id}: {verdict}"
            );
        }
    }
    assert!(stdout(&out).trim_end().ends_with(", 4 adapter errors"));
}

#[test]
fn an_adapter_that_never_says_hello_fails_every_case() {
    let out = sigv4(
        &[
            "check",
            "--adapter",
            "echo nope",
            "vectors/cases/get-host-port",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("hello failed"), "{text}");
    assert!(text.contains("run bash .ci/setup"), "{text}");
    assert!(
        text.trim_end().ends_with(
            "0 exact, 0 accepted, 0 failed, 0 unsupported, 0 disabled, 2 adapter errors"
        ),
        "{text}"
    );
}

/// A signer that always adds and signs `X-Amz-Content-Sha256` (header auth) makes requests
/// AWS accepts: every header-auth case whose expected files have no such header (the case's
/// `sign_body` is false) is `accepted`, naming the added header; the others stay `exact`.
#[test]
fn an_added_content_sha256_header_is_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("r.json");
    let out = sigv4(
        &[
            "check",
            "--adapter-name",
            "plain",
            "--json",
            json.to_str().unwrap(),
        ],
        &[("PLAIN_ADAPTER_BREAK", "add-content-sha256")],
    );
    assert!(out.status.success(), "{}", stdout(&out));
    let v = verdicts(&json);
    let mut accepted = 0;
    for (id, case, loc) in default_items() {
        let want = if plain_unsupported(&case) {
            "unsupported"
        } else if loc == Location::Header
            && !case.context.sign_body
            && case.expected(loc).error.is_none()
        {
            accepted += 1;
            "accepted"
        } else {
            "exact"
        };
        assert_eq!(v[&id]["outcome"], want, "{id}: {}", v[&id]);
        if want == "accepted" {
            let m = v[&id]["message"].as_str().unwrap();
            assert!(
                m.contains("adds the header x-amz-content-sha256"),
                "{id}: {m}"
            );
        }
    }
    assert!(accepted >= 40, "{accepted}");
    assert!(stdout(&out).contains(&format!(" {accepted} accepted, 0 failed")));
}

/// A signature that verifies over a request that is not the case's (a query parameter added)
/// is a failure, and the harness says the adapter changed the target.
#[test]
fn a_changed_request_target_fails_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("r.json");
    let out = sigv4(
        &[
            "check",
            "--adapter-name",
            "plain",
            "--json",
            json.to_str().unwrap(),
        ],
        &[("PLAIN_ADAPTER_BREAK", "change-target")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let v = verdicts(&json);
    for (id, case, loc) in default_items() {
        if plain_unsupported(&case) || case.expected(loc).error.is_some() {
            continue;
        }
        assert_eq!(v[&id]["outcome"], "fail", "{id}");
        assert_eq!(v[&id]["code"], "target-changed", "{id}");
        let m = v[&id]["message"].as_str().unwrap();
        assert!(
            m.contains("the adapter changed the request target from "),
            "{id}: {m}"
        );
        assert!(!m.contains("outside the signature"), "{id}: {m}");
    }
    assert!(v["aws/get-vanilla/header"]["message"]
        .as_str()
        .unwrap()
        .ends_with("the adapter changed the request target from / to /?plain-added=1"));
}

/// A table row (`RESULT CASE STAGE CODE NOTE`), not a failure's detail heading
/// (`FAIL id: message`).
fn is_row(l: &str) -> bool {
    let mut t = l.split_whitespace();
    matches!(
        t.next(),
        Some("FAIL" | "EXACT" | "ACCEPTED" | "UNSUPPORTED")
    ) && t
        .next()
        .is_some_and(|id| id.contains('/') && !id.ends_with(':'))
}

/// `check` shows only failures by default, every row with `--all`; `--suite` and
/// `--location` select cases; the CODE column carries the diagnosis.
#[test]
fn failures_only_by_default_with_filters_and_a_code_column() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("r.json");
    let args = |all: bool| {
        let mut a = vec![
            "check",
            "--adapter-name",
            "plain",
            "--suite",
            "ours",
            "--location",
            "query",
            "--json",
            json.to_str().unwrap(),
        ];
        if all {
            a.push("--all");
        }
        a.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let env = [("PLAIN_ADAPTER_BREAK", "path-encode-once")];
    let want: BTreeSet<String> = default_items()
        .into_iter()
        .filter(|(id, _, loc)| id.starts_with("ours/") && *loc == Location::Query)
        .map(|(id, ..)| id)
        .collect();
    let failing: BTreeSet<String> = default_items()
        .into_iter()
        .filter(|(id, c, loc)| {
            want.contains(id)
                && c.context.double_uri_encode
                && path_of(c).contains('%')
                && c.expected(*loc).error.is_none()
                && !plain_unsupported(c)
        })
        .map(|(id, ..)| id)
        .collect();
    assert!(!failing.is_empty());
    let a = args(false);
    let out = sigv4(&a.iter().map(String::as_str).collect::<Vec<_>>(), &env);
    let text = stdout(&out);
    let v = verdicts(&json);
    assert_eq!(v.keys().cloned().collect::<BTreeSet<_>>(), want);
    let rows: Vec<&str> = text.lines().filter(|l| is_row(l)).collect();
    assert_eq!(rows.len(), failing.len(), "{text}");
    assert!(text.lines().next().unwrap().contains(" CODE "), "{text}");
    for r in &rows {
        assert!(r.contains(" path-encoded-once "), "{r}");
    }
    let a = args(true);
    let out = sigv4(&a.iter().map(String::as_str).collect::<Vec<_>>(), &env);
    let text = stdout(&out);
    let rows = text.lines().filter(|l| is_row(l)).count();
    assert_eq!(rows, want.len(), "{text}");
    let bad = sigv4(
        &["check", "--adapter-name", "plain", "--suite", "nope"],
        &[],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("no such suite"), "{}", stderr(&bad));
}

/// Wraps the aws-sigv4 adapter (protocol 2) and, with TAMPER set, spoils its answers: `sig`
/// changes one hex digit inside the ECDSA signature's r (the DER stays well-formed), `chunk`
/// one digit of the second chunk signature.
const TAMPER: &str = r#"
import json, os, subprocess, sys
cmd = "cargo run -q --locked -p sigv4-adapters --bin adapter-aws-sigv4"
p = subprocess.Popen(cmd, shell=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
mode = os.environ.get("TAMPER", "")
def flip(s, i):
    return s[:i] + ("0" if s[i] != "0" else "1") + s[i + 1:]
for line in sys.stdin:
    p.stdin.write(line); p.stdin.flush()
    a = json.loads(p.stdout.readline())
    if a.get("status") == "ok" and mode == "sig" and "ECDSA" in json.dumps(a):
        old = a["signature"]; new = flip(old, 20)
        a["signature"] = new
        s = a["signed"]
        s["target"] = s["target"].replace(old, new)
        s["headers"] = [[n, v.replace(old, new)] for n, v in s["headers"]]
    if a.get("status") == "ok" and mode == "chunk" and a.get("chunk_signatures"):
        a["chunk_signatures"][1] = flip(a["chunk_signatures"][1], 5)
    print(json.dumps(a), flush=True)
"#;

fn aws_sigv4_adapter(
    tamper: &str,
    args: &[&str],
) -> std::collections::BTreeMap<String, serde_json::Value> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let script = tmp.path().join("tamper.py");
    std::fs::write(&script, TAMPER).expect("write tamper.py");
    let json = tmp.path().join("r.json");
    let cmd = format!("{} {}", python().display(), script.display());
    let mut a = vec![
        "check",
        "--adapter",
        cmd.as_str(),
        "--timeout",
        "600",
        "--json",
        json.to_str().expect("utf-8 path"),
    ];
    a.extend_from_slice(args);
    let out = sigv4(&a, &[("TAMPER", tamper)]);
    assert!(
        stderr(&out).contains("protocol 2"),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    verdicts(&json)
}

/// AWS's v4a suite through the aws-sigv4 adapter (protocol 2, sigv4a): canonical request and
/// string to sign equal the suite's files and the randomised signature verifies under the key
/// derived from the credentials, so each case is exact; the two cases with a raw space in the
/// path are refused by the crate (its request type rejects the target, as for AWS's v4
/// get-space-unnormalized). A signature spoilt inside r fails at the signature stage.
#[test]
fn sigv4a_suite_end_to_end_through_the_aws_sigv4_adapter() {
    let v = aws_sigv4_adapter("", &["--suite", "aws-v4a"]);
    let items: Vec<_> = default_items()
        .into_iter()
        .filter(|(id, ..)| id.starts_with("aws-v4a/"))
        .collect();
    assert_eq!(v.len(), items.len());
    assert!(items.len() >= 70, "{}", items.len());
    for (id, case, _) in &items {
        let want = if case.request.target.contains(' ') {
            "fail"
        } else {
            "exact"
        };
        assert_eq!(v[id]["outcome"], want, "{id}: {}", v[id]);
    }
    let v = aws_sigv4_adapter("sig", &["--suite", "aws-v4a"]);
    for (id, case, _) in &items {
        if case.request.target.contains(' ') {
            continue;
        }
        assert_eq!(v[id]["outcome"], "fail", "{id}: {}", v[id]);
        assert_eq!(v[id]["stage"], "signature", "{id}: {}", v[id]);
    }
}

/// The chunked extension: AWS's two S3 aws-chunked examples (vectors/cases, chunk signatures
/// from the S3 API reference) are exact through the aws-sigv4 adapter; a spoilt chunk
/// signature breaks the chain and fails.
#[test]
fn chunk_signatures_through_the_aws_sigv4_adapter() {
    let dirs = [
        "vectors/cases/s3-chunked-put-object",
        "vectors/cases/s3-chunked-put-object-trailer",
    ];
    let v = aws_sigv4_adapter("", &dirs);
    assert_eq!(v.len(), 2);
    for (id, x) in &v {
        assert_eq!(x["outcome"], "exact", "{id}: {x}");
    }
    let v = aws_sigv4_adapter("chunk", &dirs);
    for (id, x) in &v {
        assert_eq!(x["outcome"], "fail", "{id}: {x}");
        assert_eq!(x["stage"], "chunk-signatures", "{id}: {x}");
        assert_eq!(x["code"], "chunk-chain", "{id}: {x}");
    }
}

/// The script adapter templates (harness/adapters/templates/<language>/, one folder per
/// language) speak the protocol as they are: unfilled, they answer `unsupported` to every case
/// of the default suites, with no adapter error. (The Go and Rust templates are compiled; the
/// bundled adapters built from them are checked in `tests/templates.rs` and their own tests.)
#[test]
fn unfilled_adapter_templates_answer_unsupported_to_every_case() {
    let py = python();
    let mut commands = vec![format!(
        "{} harness/adapters/templates/python/adapter.py",
        py.display()
    )];
    for (interpreter, script) in [
        ("node", "node/adapter.js"),
        ("ruby", "ruby/adapter.rb"),
        ("php", "php/adapter.php"),
        ("perl", "perl/adapter.pl"),
    ] {
        let found = std::process::Command::new(interpreter)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(found, "{interpreter} is missing: run `bash .ci/setup`");
        commands.push(format!("{interpreter} harness/adapters/templates/{script}"));
    }
    let n = default_items().len();
    for cmd in &commands {
        let tmp = tempfile::tempdir().unwrap();
        let json = tmp.path().join("r.json");
        let out = sigv4(
            &["check", "--adapter", cmd, "--json", json.to_str().unwrap()],
            &[],
        );
        assert!(out.status.success(), "{cmd}: {}", stdout(&out));
        let v = verdicts(&json);
        assert_eq!(v.len(), n, "{cmd}");
        assert!(v.values().all(|x| x["outcome"] == "unsupported"), "{cmd}");
        assert!(stdout(&out).trim_end().ends_with(&format!(
            "0 exact, 0 accepted, 0 failed, {n} unsupported, 0 disabled"
        )));
    }
}

/// Wraps the plain adapter and moves the X-Amz-Date it sends one second on, after signing.
const LATE_DATE: &str = r#"
import json, subprocess, sys
p = subprocess.Popen([sys.executable, "harness/adapters/plain/adapter.py"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
for line in sys.stdin:
    p.stdin.write(line); p.stdin.flush()
    a = json.loads(p.stdout.readline())
    if a.get("status") == "ok" and "signed" in a:
        s = a["signed"]
        s["headers"] = [[n, v[:-3] + "01Z" if n.lower() == "x-amz-date" else v]
                        for n, v in s["headers"]]
    print(json.dumps(a), flush=True)
"#;

/// Every revealed artifact is right but the X-Amz-Date sent is not the one signed: re-verification
/// fails and no mistake reproduces the signature, and the verdict says which header changed, with
/// the value signed (the case's time) and the one sent.
#[test]
fn a_header_changed_after_signing_is_named_when_the_artifacts_match() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let script = tmp.path().join("late_date.py");
    std::fs::write(&script, LATE_DATE).expect("write late_date.py");
    let json = tmp.path().join("r.json");
    let cmd = format!("{} {}", python().display(), script.display());
    let case = root().join("vectors/cases/kinesis-put-record");
    let out = sigv4(
        &[
            "check",
            "--adapter",
            &cmd,
            "--json",
            json.to_str().expect("utf-8 path"),
            case.to_str().expect("utf-8 path"),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let v = verdicts(&json);
    assert_eq!(v.len(), 1, "{v:?}");
    let verdict = v.values().next().unwrap();
    let context: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(case.join("context.json")).unwrap()).unwrap();
    let signed = context["timestamp"]
        .as_str()
        .unwrap()
        .replace(['-', ':'], "");
    let sent = format!("{}01Z", &signed[..signed.len() - 3]);
    assert_eq!(verdict["outcome"], "fail", "{verdict}");
    assert_eq!(verdict["code"], "header-changed-after-signing", "{verdict}");
    let sentence =
        format!("the adapter changed x-amz-date after signing: signed {signed:?}, sent {sent:?}");
    assert!(
        verdict["detail"].as_str().unwrap().contains(&sentence),
        "{verdict}"
    );
}
