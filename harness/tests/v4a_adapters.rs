//! The SigV4a answers of the bundled adapters that sign it (protocol 2, `"algorithms"` with
//! `"sigv4a"`), checked without the harness's own v2 support: AWS's v4a suite case
//! `get-vanilla` (header and query) is sent to the adapter as a protocol-2 `sign` message, and
//! its answer must carry the suite's canonical request and string to sign byte for byte and a
//! signature that verifies under the suite's `public-key.json` and under the key our verifier
//! derives from the credentials (SigV4a signatures are randomised ECDSA, so they are verified,
//! never compared). A request changed after signing must not verify.
//!
//! The adapters are built by `bash .ci/setup`; a missing one fails naming it.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine;
use serde_json::{json, Value};
use sigv4_signer::v4a::verify_with_key;
use sigv4_signer::verify::{verify, VerifyParams, VerifySettings};
use sigv4_signer::{OwnedRequest, SigningTime};
use sigv4_vectors::suite::aws_v4a_suite_dir;
use sigv4_vectors::{Case, Context, Location};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Sends `messages` to the adapter binary, one line each after a hello, and returns the answers.
fn exchange(binary: &str, messages: &[Value]) -> Vec<Value> {
    let path = root().join(binary);
    assert!(
        path.exists(),
        "{} is not built: run `bash .ci/setup`",
        path.display()
    );
    let mut child = Command::new(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", path.display()));
    let mut stdin = child.stdin.take().expect("stdin");
    let mut input = String::from("{\"protocol\":1,\"op\":\"hello\",\"id\":\"hello\"}\n");
    for m in messages {
        input.push_str(&m.to_string());
        input.push('\n');
    }
    stdin.write_all(input.as_bytes()).expect("write");
    drop(stdin);
    let answers: Vec<Value> = BufReader::new(child.stdout.take().expect("stdout"))
        .lines()
        .map(|l| serde_json::from_str(&l.expect("read")).expect("a JSON line"))
        .collect();
    assert!(child.wait().expect("wait").success());
    assert_eq!(answers.len(), messages.len() + 1);
    let hello = &answers[0];
    assert_eq!(hello["status"], "ok", "{hello}");
    assert!(
        hello["protocols"]
            .as_array()
            .is_some_and(|p| p.contains(&json!(2))),
        "{hello}"
    );
    assert!(
        hello["algorithms"]
            .as_array()
            .is_some_and(|a| a.contains(&json!("sigv4a"))),
        "{hello}"
    );
    answers[1..].to_vec()
}

fn message(case: &Case, location: Location) -> Value {
    let c = &case.context;
    let query = location == Location::Query;
    json!({
        "protocol": 2, "op": "sign", "id": format!("aws-v4a/{}/{}", case.name, if query { "query" } else { "header" }),
        "request": {
            "method": case.request.method,
            "target": case.request.target,
            "headers": case.request.headers.iter().map(|(n, v)| [n, v]).collect::<Vec<_>>(),
            "body_b64": base64::engine::general_purpose::STANDARD.encode(&case.request.body),
        },
        "credentials": {"access_key_id": c.credentials.access_key_id,
                        "secret_access_key": c.credentials.secret_access_key,
                        "session_token": c.credentials.token},
        "time": c.timestamp, "region": c.region, "service": c.service,
        "settings": {
            "algorithm": "sigv4a",
            "location": if query { "query" } else { "header" },
            "expires_in": if query { json!(c.expiration_in_seconds) } else { json!(null) },
            "uri_encoding": if c.double_uri_encode { "double" } else { "single" },
            "normalize_path": c.normalize,
            "payload": match &c.payload_hash {
                None => json!({"mode": "hash"}),
                Some(h) if h == "UNSIGNED-PAYLOAD" => json!({"mode": "unsigned"}),
                Some(h) => json!({"mode": "precomputed", "value": h}),
            },
            "content_sha256_header": c.sign_body,
            "session_token": if c.omit_session_token { "after-signing" } else { "include" },
            "signed_headers": null,
        },
    })
}

fn signed_request(answer: &Value) -> OwnedRequest {
    let s = &answer["signed"];
    OwnedRequest {
        method: s["method"].as_str().expect("method").to_owned(),
        target: s["target"].as_str().expect("target").to_owned(),
        headers: s["headers"]
            .as_array()
            .expect("headers")
            .iter()
            .map(|h| {
                (
                    h[0].as_str().expect("name").to_owned(),
                    h[1].as_str().expect("value").to_owned(),
                )
            })
            .collect(),
        body: Vec::new(),
    }
}

/// The case's rules for the verifier (as `sigv4 check` derives them from `context.json`).
fn verify_settings(c: &Context) -> VerifySettings {
    let s = c.settings();
    VerifySettings::from(
        sigv4_signer::Settings::default()
            .with_uri_encoding(s.uri_encoding)
            .with_normalization(s.normalization)
            .with_payload(s.payload)
            .with_session_token(s.session_token),
    )
}

/// Checks the adapter's answer for one case at one location; the first problem, if any.
fn check_answer(case: &Case, location: Location, answer: &Value) -> Result<(), String> {
    let at = format!("{}/{location:?}", case.name);
    let c = &case.context;
    let public_key = case.public_key.ok_or("no public-key.json")?;
    let secret = c.credentials.secret_access_key.clone();
    let ak = c.credentials.access_key_id.clone();
    let lookup = move |k: &str| (k == ak).then(|| secret.clone());
    let params = VerifyParams::new(
        SigningTime::parse(&c.timestamp).map_err(|e| e.to_string())?,
        &lookup,
    )
    .with_settings(verify_settings(c))
    .with_region(&c.region)
    .with_service(&c.service);
    if answer["status"] != "ok" {
        return Err(format!("{at}: {answer}"));
    }
    let expected = case.expected(location);
    for (stage, want) in [
        ("canonical_request", &expected.canonical_request),
        ("string_to_sign", &expected.string_to_sign),
    ] {
        if want.is_some() && answer[stage].as_str() != want.as_deref() {
            return Err(format!(
                "{at}: {stage} differs:\n{}\nexpected:\n{}",
                answer[stage].as_str().unwrap_or("(none)"),
                want.as_deref().unwrap_or_default()
            ));
        }
    }
    let mut req = signed_request(answer);
    req.body.clone_from(&case.request.body);
    let text: String = req
        .headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}\n"))
        .collect();
    if !format!("{}{text}", req.target).contains("AWS4-ECDSA-P256-SHA256") {
        return Err(format!(
            "{at}: not a SigV4a request: {}\n{text}",
            req.target
        ));
    }
    verify(&req.signable(), &params)
        .map_err(|e| format!("{at}: {}: {e}\n{}\n{text}", e.code(), req.target))?;
    verify_with_key(&req.signable(), &params, &|_| Some(public_key))
        .map_err(|e| format!("{at}: under public-key.json: {}: {e}", e.code()))?;
    let mut changed = req.clone();
    changed.method = if req.method == "GET" { "HEAD" } else { "GET" }.to_owned();
    match verify(&changed.signable(), &params) {
        Err(e) if e.code() == "signature-mismatch" => Ok(()),
        other => Err(format!("{at}: a changed method gave {other:?}")),
    }
}

/// Every case and location of AWS's v4a suite through the adapter, in one process:
/// `get-vanilla` must pass at both locations, and the case/location pairs that fail must be
/// exactly `known`, those it answers `unsupported` for exactly `unsupported` (the adapter's
/// README explains each).
fn check_adapter(binary: &str, known: &[&str], unsupported: &[&str]) {
    let root = aws_v4a_suite_dir().expect("AWS's v4a suite");
    let mut cases: Vec<Case> = std::fs::read_dir(&root)
        .expect("read the v4a suite")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("context.json").exists())
        .map(|e| Case::load(&e.path()).expect("load a v4a case"))
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        cases.len() >= 30,
        "only {} v4a cases in {}",
        cases.len(),
        root.display()
    );
    let items: Vec<(&Case, Location)> = cases
        .iter()
        .flat_map(|c| c.locations().into_iter().map(move |l| (c, l)))
        .collect();
    let msgs: Vec<Value> = items.iter().map(|(c, l)| message(c, *l)).collect();
    let answers = exchange(binary, &msgs);
    let (mut failed, mut unsupported_seen) = (Vec::new(), Vec::new());
    for ((case, location), answer) in items.iter().zip(&answers) {
        let id = format!("{}/{}", case.name, location.prefix());
        if answer["status"] == "unsupported" {
            unsupported_seen.push(id);
            continue;
        }
        let result = check_answer(case, *location, answer);
        if case.name == "get-vanilla" {
            result.as_ref().unwrap_or_else(|e| panic!("{e}"));
        }
        if let Err(e) = result {
            eprintln!("{e}\n");
            failed.push(id);
        }
    }
    eprintln!(
        "{binary}: {} passed, {} failed, {} unsupported (v4a suite)",
        items.len() - failed.len() - unsupported_seen.len(),
        failed.len(),
        unsupported_seen.len()
    );
    assert_eq!(failed, known, "the v4a cases that fail through {binary}");
    assert_eq!(
        unsupported_seen, unsupported,
        "unsupported through {binary}"
    );
}

#[test]
fn aws_sdk_go_v2_sigv4a() {
    check_adapter(
        "target/adapters/aws-sdk-go-v2",
        &[
            // The library does not normalise paths (harness/adapters/aws-sdk-go-v2/README.md).
            "get-relative-normalized/header",
            "get-relative-normalized/query",
            "get-relative-relative-normalized/header",
            "get-relative-relative-normalized/query",
            "get-slash-dot-slash-normalized/header",
            "get-slash-dot-slash-normalized/query",
            "get-slash-normalized/header",
            "get-slash-normalized/query",
            "get-slash-pointless-dot-normalized/header",
            "get-slash-pointless-dot-normalized/query",
            "get-slashes-normalized/header",
            "get-slashes-normalized/query",
            // The v4 suite's erratum (single encoding) is applied to this case, whose v4a
            // request.txt has a raw space: signed as given, it is not `%20`.
            "get-space-normalized/header",
            "get-space-normalized/query",
            // url.Values.Encode sorts by the decoded key, not the encoded one.
            "get-vanilla-query-order-encoded/header",
            "get-vanilla-query-order-encoded/query",
            "get-vanilla-utf8-query/query",
        ],
        &[
            "post-sts-header-after/header",
            "post-sts-header-after/query",
        ],
    );
}
