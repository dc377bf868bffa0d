//! `sigv4 probe` end to end: against mock-aws (in-process, every service), against lax
//! verifiers written here (each with one hole the probe must flag), and against the bundled
//! third-party targets (they start, answer every case, and are stopped).
//!
//! Expected values: AWS's verdicts are the battery's, with their sources (AWS's docs and AWS
//! answers quoted in issue threads); the lax verifiers' holes are made on purpose here, so which
//! cases each must fail is known independently of the probe.

// The helpers below are test code too (clippy's allow-unwrap-in-tests covers #[test] fns only).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use sigv4_signer::chunked::{decode_all, ChunkSigner, ChunkedDecoder, DecodeLimits, StreamingMode};
use sigv4_signer::verify::{verify, VerifyParams, VerifySettings};
use sigv4_signer::{OwnedRequest, SigningTime};

const AK: &str = "AKIDEXAMPLE";
const SK: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sigv4(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sigv4"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run sigv4")
}

fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs the probe with `args` and `--json`, returns the JSON document and the output.
fn probe(args: &[&str]) -> (Value, Output) {
    probe_with_timeout(args, "10")
}

fn probe_with_timeout(args: &[&str], timeout: &str) -> (Value, Output) {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("probe.json");
    let junit = tmp.path().join("probe.xml");
    let mut all = vec!["probe"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[
        "--json",
        json.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
        "--timeout",
        timeout,
    ]);
    let out = sigv4(&all);
    let doc = std::fs::read_to_string(&json)
        .unwrap_or_else(|e| panic!("no JSON written ({e}):\n{}", text(&out)));
    let junit = std::fs::read_to_string(&junit).unwrap();
    let doc: Value = serde_json::from_str(&doc).unwrap();
    let n = doc["verdicts"].as_array().unwrap().len();
    assert_eq!(junit.matches("<testcase ").count(), n, "{junit}");
    (doc, out)
}

fn ids_with(doc: &Value, outcome: &str) -> BTreeSet<String> {
    doc["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["outcome"] == outcome)
        .map(|v| v["case"].as_str().unwrap().to_owned())
        .collect()
}

fn not_agreed(doc: &Value) -> BTreeSet<String> {
    doc["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["outcome"] != "agreed")
        .map(|v| {
            format!(
                "{}: AWS {} {}, mock-aws {} {}",
                v["case"].as_str().unwrap(),
                v["aws"]["status"],
                v["aws"]["code"],
                v["status"],
                v["code"]
            )
        })
        .collect()
}

/// Where mock-aws answers otherwise than AWS today, each with the reason: none. (The
/// `*/wrong-service` rows were here until mock-aws routed by the request's shape, `X-Amz-Target`,
/// `Action` and `Version`, and rejected a scope naming another service; mock-aws/src/routing.rs.)
const MOCK_AWS_KNOWN: &[&str] = &[];

#[test]
fn mock_aws_agrees_with_aws_on_every_case() {
    let (doc, out) = probe(&[
        "--target",
        "mock-aws",
        "--service",
        "s3",
        "--service",
        "sts",
        "--service",
        "dynamodb",
        "--service",
        "kinesis",
    ]);
    let n = doc["verdicts"].as_array().unwrap().len();
    assert!(n >= 130, "{n} cases:\n{}", text(&out));
    let off: BTreeSet<String> = doc["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["outcome"] != "agreed")
        .map(|v| v["case"].as_str().unwrap().to_owned())
        .collect();
    let known: BTreeSet<String> = MOCK_AWS_KNOWN.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(
        off,
        known,
        "mock-aws's disagreements with AWS changed:\n{}\n{}",
        not_agreed(&doc).into_iter().collect::<Vec<_>>().join("\n"),
        text(&out)
    );
    // The session-token and SigV4a cases ran (mock-aws is started with both).
    let ids = ids_with(&doc, "agreed");
    for id in [
        "s3/session-token",
        "s3/sigv4a",
        "sts/presigned-get",
        "s3/chunked-signed-trailer",
    ] {
        assert!(ids.contains(id), "{id} missing or not agreed");
    }
    // Every case agrees with AWS, so probe exits 0.
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn probe_refuses_non_loopback_endpoints() {
    let out = sigv4(&["probe", "--endpoint", "http://192.0.2.1:9000"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("loopback"), "{}", text(&out));
}

// ---------------------------------------------------------------------------------------
// Lax verifiers: our verifier with one check switched off, behind a tiny HTTP/1.1 server.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hole {
    /// Accepts any signature that parses.
    Signature,
    /// Uses the request's own date as "now": no skew, no expiry.
    Clock,
    /// Never compares the body with x-amz-content-sha256.
    ContentSha256,
    /// Does not require `host` to be signed.
    HostUnsigned,
    /// Answers 500 to an Authorization header that does not parse.
    Malformed500,
    /// Never answers a request whose Authorization header does not parse.
    HangOnMalformed,
}

/// S3's code and status for a verifier code (S3 API reference, Error responses; the sources
/// of each are in the battery).
fn s3_error(code: &str, presigned: bool) -> (u16, &'static str) {
    match code {
        "signature-mismatch" | "signed-header-missing" => (403, "SignatureDoesNotMatch"),
        "unknown-access-key" => (403, "InvalidAccessKeyId"),
        "request-time-too-skewed" => (403, "RequestTimeTooSkewed"),
        "expired"
        | "not-yet-valid"
        | "host-not-signed"
        | "missing-authentication"
        | "missing-date"
        | "invalid-date" => (403, "AccessDenied"),
        "expires-out-of-range" => (400, "AuthorizationQueryParametersError"),
        "unsupported-algorithm" => (400, "InvalidArgument"),
        "content-sha256-mismatch" => (400, "XAmzContentSHA256Mismatch"),
        _ if presigned => (400, "AuthorizationQueryParametersError"),
        _ => (400, "AuthorizationHeaderMalformed"),
    }
}

fn request_time(req: &OwnedRequest) -> Option<SigningTime> {
    let v = req.header("x-amz-date").map(str::to_owned).or_else(|| {
        req.target
            .split_once("X-Amz-Date=")
            .map(|(_, r)| r.split('&').next().unwrap_or(r).to_owned())
    })?;
    SigningTime::parse_amz_date(&v).ok()
}

fn lax_answer(hole: Hole, req: &OwnedRequest) -> (u16, String) {
    let real_now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let now = match (hole, request_time(req)) {
        (Hole::Clock, Some(t)) => t,
        _ => SigningTime::from_unix_seconds(real_now),
    };
    let lookup = |ak: &str| (ak == AK).then(|| SK.to_owned());
    let params = VerifyParams::new(now, &lookup)
        .with_settings(VerifySettings::s3())
        .with_region("us-east-1")
        .with_service("s3");
    let signable = req.signable();
    match verify(&signable, &params) {
        Ok(v) => {
            let Some(mode) = req
                .header("x-amz-content-sha256")
                .and_then(StreamingMode::from_content_sha256)
            else {
                return (200, String::new());
            };
            let signer = mode
                .signs_chunks()
                .then(|| ChunkSigner::from_verified(&v, SK));
            let mut dec = ChunkedDecoder::new(mode, signer, DecodeLimits::default()).unwrap();
            if let Some(t) = req.header("x-amz-trailer") {
                dec = dec.with_declared_trailers(t).unwrap();
            }
            match decode_all(dec, &req.body) {
                Ok(_) => (200, String::new()),
                Err(_) if hole == Hole::Signature => (200, String::new()),
                Err(_) => (403, "SignatureDoesNotMatch".to_owned()),
            }
        }
        Err(e) => {
            let code = e.code();
            let ignored = match hole {
                Hole::Signature => code == "signature-mismatch",
                Hole::ContentSha256 => code == "content-sha256-mismatch",
                Hole::HostUnsigned => code == "host-not-signed",
                Hole::Clock | Hole::Malformed500 | Hole::HangOnMalformed => false,
            };
            if ignored {
                return (200, String::new());
            }
            if hole == Hole::Malformed500 && code.starts_with("malformed") {
                return (500, "InternalError".to_owned());
            }
            if hole == Hole::HangOnMalformed && code.starts_with("malformed") {
                return (0, String::new());
            }
            let (status, aws) = s3_error(code, req.target.contains("X-Amz-Signature="));
            (status, aws.to_owned())
        }
    }
}

fn read_request(stream: &mut TcpStream) -> Option<OwnedRequest> {
    let mut r = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.trim_end().splitn(3, ' ');
    let (method, target) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        let (n, v) = h.split_once(':')?;
        headers.push((n.to_owned(), v.trim().to_owned()));
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    // The client's own headers are not part of what was signed.
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case("connection"));
    Some(OwnedRequest {
        method,
        target,
        headers,
        body,
    })
}

/// Starts a lax verifier on 127.0.0.1; its threads end with the test process.
fn lax_server(hole: Hole) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                let Some(req) = read_request(&mut stream) else {
                    return;
                };
                let (status, code) = lax_answer(hole, &req);
                if status == 0 {
                    // Holds the connection open past the probe's timeout, answering nothing.
                    std::thread::sleep(std::time::Duration::from_secs(20));
                    return;
                }
                let body = if code.is_empty() {
                    String::new()
                } else {
                    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>lax</Message></Error>")
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    format!("http://{addr}")
}

fn check_hole(hole: Hole, outcome: &str, must_flag: &[&str]) {
    let endpoint = lax_server(hole);
    let timeout = if hole == Hole::HangOnMalformed {
        "1"
    } else {
        "10"
    };
    let (doc, out) = probe_with_timeout(
        &[
            "--endpoint",
            &endpoint,
            "--access-key",
            AK,
            "--secret-key",
            SK,
        ],
        timeout,
    );
    assert_eq!(out.status.code(), Some(1), "{hole:?}: {}", text(&out));
    let flagged = ids_with(&doc, outcome);
    for id in must_flag {
        assert!(
            flagged.contains(*id),
            "{hole:?}: {id} not flagged {outcome}; flagged: {flagged:?}\n{}",
            text(&out)
        );
    }
    // Otherwise the lax verifier is a correct one: nothing AWS accepts is refused.
    let refused = ids_with(&doc, "rejected-good");
    assert!(refused.is_empty(), "{hole:?}: {refused:?}\n{}", text(&out));
}

#[test]
fn lax_verifier_ignoring_the_signature_is_flagged() {
    check_hole(
        Hole::Signature,
        "accepted-bad",
        &[
            "s3/wrong-secret",
            "s3/changed-host",
            "s3/changed-x-amz-date",
            "s3/changed-x-amz-meta-probe",
            "s3/changed-path",
            "s3/changed-query",
            "s3/changed-method",
            "s3/changed-x-amz-content-sha256",
            "s3/presigned-signature-changed",
            "s3/chunked-signature-broken",
        ],
    );
}

#[test]
fn lax_verifier_ignoring_the_clock_is_flagged() {
    check_hole(
        Hole::Clock,
        "accepted-bad",
        &[
            "s3/skew-16min-behind",
            "s3/skew-16min-ahead",
            "s3/presigned-expired",
            "s3/presigned-not-yet-valid",
        ],
    );
}

#[test]
fn lax_verifier_ignoring_content_sha256_is_flagged() {
    check_hole(
        Hole::ContentSha256,
        "accepted-bad",
        &["s3/changed-body", "s3/content-sha256-not-body"],
    );
}

#[test]
fn lax_verifier_not_requiring_host_signed_is_flagged() {
    check_hole(Hole::HostUnsigned, "accepted-bad", &["s3/host-not-signed"]);
}

#[test]
fn lax_verifier_failing_on_malformed_authorization_is_flagged() {
    check_hole(
        Hole::Malformed500,
        "5xx",
        &["s3/malformed-no-signature", "s3/malformed-garbage"],
    );
}

#[test]
fn lax_verifier_hanging_on_malformed_authorization_is_flagged() {
    check_hole(
        Hole::HangOnMalformed,
        "hang",
        &["s3/malformed-no-signature", "s3/malformed-garbage"],
    );
}

// ---------------------------------------------------------------------------------------
// The bundled third-party targets: each starts, answers every case, and is stopped. What they
// answer is the published matrix's business (docs/verifiers.md), not this test's.

fn bundled_runs(target: &str, services: &[&str]) {
    let mut args = vec!["--target", target];
    for s in services {
        args.extend_from_slice(&["--service", s]);
    }
    // A target that is not installed makes the probe fail with `run bash .ci/setup`; the
    // panic of `probe` shows it.
    let (doc, out) = probe(&args);
    let n = doc["verdicts"].as_array().unwrap().len();
    assert!(n >= 50, "{target}: {n} verdicts\n{}", text(&out));
    assert!(
        doc["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["outcome"].is_string()),
        "{target}"
    );
}

#[test]
fn bundled_s3rver_runs() {
    bundled_runs("s3rver", &["s3"]);
}

#[test]
fn bundled_s3s_fs_runs() {
    bundled_runs("s3s-fs", &["s3"]);
}

#[test]
fn bundled_moto_runs() {
    bundled_runs("moto", &["s3", "sts", "dynamodb"]);
}
