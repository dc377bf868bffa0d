//! Debugging a hand-written signer with mock-aws: `tests/buggy_signer.py` (standard library
//! only, in the style of AWS's Python samples) sends Kinesis PutRecord, DynamoDB CreateTable,
//! STS GetCallerIdentity and execute-api GET requests with one typical bug on at a time (and two
//! at once on execute-api). Each bug must be named by the verdict's diagnosis code and in the
//! error body of the request's protocol; a wrong secret gets the unexplained text plus the
//! server's canonical request and string to sign. The expected codes are the bugs the script
//! puts in (its source says which); botocore parsing the bodies is `boto3_still_parses...`.

use crate::common;

const TOKEN_CRED: &str = "ASIAEXAMPLETOKEN:tokenSecretEXAMPLEKEY:FwoGZXIvYXdzEXAMPLETOKEN";

fn example_cred() -> String {
    format!("{}:{}", common::AK, common::SECRET)
}

/// The code each bug must be named by.
fn expected_code(bugs: &[String]) -> &'static str {
    let b: Vec<&str> = bugs.iter().map(String::as_str).collect();
    match b.as_slice() {
        ["untrimmed"] => "header-value-padded",
        ["ct-rewritten"] => "header-changed-after-signing",
        ["empty-hash"] => "payload-hash-of-empty-body",
        ["path-once"] => "path-encoded-once",
        ["query-unsorted"] => "query-not-sorted",
        ["token-unsigned"] => "session-token-not-signed",
        ["secret-newline"] => "secret-trailing-newline",
        ["wrong-secret"] => "unexplained",
        ["path-once", "query-unsorted"] => "path-encoded-once+query-not-sorted",
        other => panic!("no expectation for {other:?}"),
    }
}

#[test]
fn typical_bugs_of_a_hand_written_signer_are_named_in_every_protocol() {
    let cred = example_cred();
    let server = common::Server::start(&["--credentials", &cred, "--credentials", TOKEN_CRED]);
    let stdout = common::run_python_script(
        common::Tool::Python,
        "buggy_signer.py",
        &server,
        "buggy signer",
    );
    let answers: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let log = common::Conn::open(&server.addr)
        .send("GET", "/_mock-aws/verdicts", &[], b"")
        .json();
    let verdicts = log["verdicts"].as_array().expect("verdicts");
    assert_eq!(verdicts.len(), answers.len(), "{log}");
    assert_eq!(answers.len(), 31, "{stdout}");
    let mut named = 0;
    for (a, v) in answers.iter().zip(verdicts) {
        let name = a["name"].as_str().unwrap();
        let bugs: Vec<String> = a["bugs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_str().unwrap().to_owned())
            .collect();
        let body = a["body"].as_str().unwrap();
        let ctx = format!("{name} {bugs:?}: verdict {v}\nbody {body}");
        if bugs.is_empty() {
            assert_eq!(v["outcome"], "accepted", "{ctx}");
            if name == "execute-api" {
                // Verified, not emulated: said so in API Gateway's shape.
                assert_eq!(a["status"], 400, "{ctx}");
                assert_eq!(a["error_type"], "UnknownOperationException", "{ctx}");
                let j: serde_json::Value = serde_json::from_str(body).expect(&ctx);
                let msg = j["message"].as_str().unwrap();
                assert!(msg.contains("the signature verified"), "{ctx}");
                assert!(msg.contains("does not emulate"), "{ctx}");
            }
            continue;
        }
        let code = expected_code(&bugs);
        assert_eq!(v["outcome"], "rejected", "{ctx}");
        assert_eq!(v["diagnosis_code"], code, "{ctx}");
        // A rejected request's verdict still says which call it was.
        let operation = match name {
            "kinesis" => Some("PutRecord"),
            "dynamodb" => Some("CreateTable"),
            "sts" | "sts-get" => Some("GetCallerIdentity"),
            _ => None,
        };
        if let Some(op) = operation {
            assert_eq!(v["operation"], op, "{ctx}");
        }
        assert!(v["string_to_sign"].is_string(), "{ctx}");
        assert!(v["signature"].is_string(), "{ctx}");
        assert!(
            v["signed_headers"].as_str().unwrap().contains("host"),
            "{ctx}"
        );
        // The error body, in the protocol's shape, names it and carries both artifacts.
        match name {
            "kinesis" | "dynamodb" | "execute-api" => {
                let j: serde_json::Value = serde_json::from_str(body).expect(&ctx);
                assert_eq!(j["MockAwsDiagnosisCode"], code, "{ctx}");
                assert!(j["CanonicalRequest"].is_string(), "{ctx}");
                assert!(
                    j["StringToSign"]
                        .as_str()
                        .unwrap()
                        .starts_with("AWS4-HMAC-SHA256\n"),
                    "{ctx}"
                );
                assert!(
                    j["message"].as_str().unwrap().contains("does not match"),
                    "{ctx}"
                );
                assert_eq!(a["error_type"], "InvalidSignatureException", "{ctx}");
                if name == "execute-api" {
                    // API Gateway's shape: no __type, 403, the code in x-amzn-ErrorType.
                    assert!(j.get("__type").is_none(), "{ctx}");
                    assert_eq!(a["status"], 403, "{ctx}");
                } else {
                    assert_eq!(
                        j["__type"], "com.amazon.coral.service#InvalidSignatureException",
                        "{ctx}"
                    );
                    assert_eq!(a["status"], 400, "{ctx}");
                }
            }
            _ => {
                assert_eq!(a["status"], 403, "{ctx}");
                assert!(body.contains("<Code>SignatureDoesNotMatch</Code>"), "{ctx}");
                assert!(
                    body.contains(&format!(
                        "<MockAwsDiagnosisCode>{code}</MockAwsDiagnosisCode>"
                    )),
                    "{ctx}"
                );
                if code != "session-token-not-signed" {
                    assert!(body.contains("<CanonicalRequest>"), "{ctx}");
                }
                assert!(body.contains("<StringToSign>AWS4-HMAC-SHA256\n"), "{ctx}");
            }
        }
        if code == "unexplained" {
            assert!(
                v["diagnosis"]
                    .as_str()
                    .unwrap()
                    .contains("no known mistake reproduces your signature"),
                "{ctx}"
            );
            assert!(body.contains("CanonicalRequest"), "{ctx}");
        }
        named += 1;
    }
    assert_eq!(named, 26, "{stdout}");
}

#[test]
fn boto3_still_parses_every_protocols_error_with_the_extra_fields() {
    let server = common::Server::start(&[]);
    let stdout = common::run_python_script(
        common::Tool::Boto3,
        "boto3_errors.py",
        &server,
        "boto3 error parsing",
    );
    // The codes AWS answers a wrong secret with (errors.rs's table and its sources).
    for line in [
        "sts SignatureDoesNotMatch 403 The request signature we calculated does",
        "iam SignatureDoesNotMatch 403 The request signature we calculated does",
        "ec2 SignatureDoesNotMatch 403 The request signature we calculated does",
        "dynamodb InvalidSignatureException 400 The request signature we calculated does",
        "kinesis InvalidSignatureException 400 The request signature we calculated does",
        "lambda InvalidSignatureException 403 The request signature we calculated does",
        "s3 SignatureDoesNotMatch 403 The request signature we calculated does",
        // Verified but not emulated (mock-aws's own answer, README "Services mock-aws does
        // not emulate").
        "lambda-verified UnknownOperationException 400 mock-aws: the signature verified (servic",
    ] {
        assert!(
            stdout.lines().any(|l| l == line),
            "{line:?} missing from:\n{stdout}"
        );
    }
    // And every rejected verdict carries both artifacts.
    let log = common::Conn::open(&server.addr)
        .send("GET", "/_mock-aws/verdicts", &[], b"")
        .json();
    let verdicts = log["verdicts"].as_array().unwrap();
    let last = verdicts.last().unwrap();
    assert_eq!(last["outcome"], "accepted", "{last}");
    assert_eq!(last["service"], "lambda", "{last}");
    for v in verdicts.iter().filter(|v| v["outcome"] == "rejected") {
        assert!(
            v["canonical_request"].is_string() && v["string_to_sign"].is_string(),
            "{v}"
        );
    }
}

#[test]
fn client_canonical_request_header_gives_the_first_differing_line() {
    let server = common::Server::start(&[]);
    // A signer whose canonical request lacks the x-amz-target line, sent along with its
    // signature (made with a wrong secret here, so the request is rejected).
    let body = b"{}";
    let mut s = common::Sign::new("dynamodb");
    s.secret = "not-the-secret";
    let mut signed = s.sign(
        &server.addr,
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-amz-json-1.0"),
            ("X-Amz-Target", "DynamoDB_20120810.ListTables"),
        ],
        body,
    );
    let theirs = "POST\n/\n\ncontent-type:application/x-amz-json-1.0\nhost:HOST\n";
    let b64 = sigv4_signer::internal::base64(theirs.as_bytes());
    signed
        .headers
        .push(("x-mock-aws-canonical-request".to_owned(), b64));
    let resp = common::Conn::open(&server.addr).send("POST", "/", &signed.headers, body);
    let j = resp.json();
    let diff = j["MockAwsCanonicalRequestDiff"]
        .as_str()
        .expect("diff in the body");
    assert!(diff.contains("first difference at line 5"), "{diff}");
    assert!(diff.contains("yours:  host:HOST↵"), "{diff}");
    let log = common::Conn::open(&server.addr)
        .send("GET", "/_mock-aws/verdicts", &[], b"")
        .json();
    let v = &log["verdicts"][0];
    assert_eq!(v["canonical_request_diff"], diff, "{v}");
    assert_eq!(v["client_canonical_request"], theirs, "{v}");
}

#[test]
fn a_scope_naming_another_service_is_refused_as_aws_does() {
    let server = common::Server::start(&[]);
    // STS GetCallerIdentity (its Action and Version say STS) signed for iam.
    let s = common::Sign::new("iam");
    let body = b"Action=GetCallerIdentity&Version=2011-06-15";
    let resp = common::call(
        &server,
        &s,
        "POST",
        "/",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body,
    );
    // IAM User Guide, signature-v4-troubleshooting: "Credential should be scoped to correct
    // service"; the query services answer 403 SignatureDoesNotMatch.
    assert_eq!(resp.status, 403, "{}", resp.text());
    assert!(
        resp.text().contains("<Code>SignatureDoesNotMatch</Code>"),
        "{}",
        resp.text()
    );
    assert!(
        resp.text()
            .contains("Credential should be scoped to correct service: &apos;sts&apos;")
            || resp
                .text()
                .contains("Credential should be scoped to correct service: 'sts'"),
        "{}",
        resp.text()
    );
    // A Kinesis call signed for dynamodb: InvalidSignatureException 400.
    let s = common::Sign::new("dynamodb");
    let resp = common::call(
        &server,
        &s,
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "Kinesis_20131202.ListStreams"),
        ],
        b"{}",
    );
    assert_eq!(resp.status, 400, "{}", resp.text());
    assert_eq!(
        resp.header("x-amzn-ErrorType"),
        Some("InvalidSignatureException")
    );
    // An S3 GET signed for sts: S3's AuthorizationHeaderMalformed 400.
    let s = common::Sign::new("sts");
    let resp = common::call(&server, &s, "GET", "/bucket/key", &[], b"");
    assert_eq!(resp.status, 400, "{}", resp.text());
    assert!(
        resp.text()
            .contains("<Code>AuthorizationHeaderMalformed</Code>"),
        "{}",
        resp.text()
    );
    let log = common::Conn::open(&server.addr)
        .send("GET", "/_mock-aws/verdicts", &[], b"")
        .json();
    let services: Vec<_> = log["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{} {}",
                v["service"].as_str().unwrap(),
                v["verifier_code"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        services,
        [
            "sts wrong-service",
            "kinesis wrong-service",
            "s3 wrong-service"
        ]
    );
}
