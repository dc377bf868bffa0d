//! The wiremock integration end to end: a wiremock `MockServer` with `mock_aws::wiremock`'s
//! matcher and rejection responder, requests signed by our own signer and sent over a real
//! TCP connection (the HTTP/1.1 client of tests/it/common).

#![cfg(feature = "wiremock")]

use crate::common::*;
use mock_aws::wiremock::{sigv4, SigV4Matcher};
use mock_aws::Credential;
use serde_json::json;
use sigv4_signer::{Settings, SignatureLocation, UriEncodingMode};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TABLES: &str = "{\"TableNames\":[\"from-wiremock\"]}";

/// A wiremock server with a DynamoDB `ListTables` mock, an STS mock and an S3 PUT mock behind
/// the SigV4 matcher, and the rejections mounted.
async fn mock_server(verifier: &SigV4Matcher) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("x-amz-target", "DynamoDB_20120810.ListTables"))
        .and(verifier.clone())
        .respond_with(ResponseTemplate::new(200).set_body_raw(TABLES, DDB_JSON))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(verifier.clone())
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    verifier.mount_rejections(&server).await;
    server
}

fn addr(server: &MockServer) -> String {
    server.address().to_string()
}

/// Signs with `s` and sends to the wiremock server.
fn send(
    server: &MockServer,
    s: &Sign<'_>,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let a = addr(server);
    let signed = s.sign(&a, method, target, headers, body);
    Conn::open(&a).send(
        &signed.method,
        &signed.target,
        &signed.headers,
        &signed.body,
    )
}

fn list_tables(server: &MockServer, s: &Sign<'_>, target: &str) -> Resp {
    send(
        server,
        s,
        "POST",
        target,
        &[
            ("Content-Type", DDB_JSON),
            ("X-Amz-Target", "DynamoDB_20120810.ListTables"),
        ],
        json!({}).to_string().as_bytes(),
    )
}

#[tokio::test]
async fn signed_dynamodb_request_reaches_the_mock() {
    let verifier = sigv4(AK, SECRET).region("us-east-1").service("dynamodb");
    let server = mock_server(&verifier).await;
    let r = list_tables(&server, &Sign::new("dynamodb"), "/");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), TABLES);
    // A path that needs double encoding, signed correctly.
    let r = list_tables(&server, &Sign::new("dynamodb"), "/tables/my%3Atable");
    assert_eq!(r.status, 200, "{}", r.text());
    // Presigned (query auth) works too.
    let mut pre = Sign::new("dynamodb");
    pre.location = SignatureLocation::Query { expires_in: 300 };
    let r = list_tables(&server, &pre, "/");
    assert_eq!(r.status, 200, "{}", r.text());
    let received = server.received_requests().await.unwrap_or_default();
    assert_eq!(received.len(), 3);
}

#[tokio::test]
async fn wrong_secret_gets_invalid_signature_exception() {
    let verifier = sigv4(AK, SECRET).region("us-east-1");
    let server = mock_server(&verifier).await;
    let mut s = Sign::new("dynamodb");
    s.secret = "not-the-secret";
    let r = list_tables(&server, &s, "/");
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("InvalidSignatureException")
    );
    assert_eq!(r.header("content-type"), Some(DDB_JSON));
    let body = r.json();
    assert_eq!(
        body["__type"],
        "com.amazon.coral.service#InvalidSignatureException"
    );
    let msg = body["message"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with("The request signature we calculated does not match"),
        "{msg}"
    );
    // A wrong secret is not a known mistake: the diagnosis says none explains it and that the
    // secret is the likeliest cause.
    assert!(
        msg.contains("no known mistake reproduces your signature")
            && msg.contains("secret access key"),
        "{msg}"
    );
    assert!(r.header("x-amzn-requestid").is_some());
}

#[tokio::test]
async fn a_diagnosable_mistake_is_named_in_the_message() {
    let verifier = sigv4(AK, SECRET);
    let server = mock_server(&verifier).await;
    // The path encoded once for DynamoDB (curl 7.88's mistake).
    let mut s = Sign::new("dynamodb");
    s.settings.uri_encoding = UriEncodingMode::Single;
    let r = list_tables(&server, &s, "/tables/my%3Atable");
    assert_eq!(r.status, 400, "{}", r.text());
    let msg = r.json()["message"].as_str().unwrap_or_default().to_owned();
    assert!(
        msg.contains(&format!(
            "diagnosis: {}",
            sigv4_signer::diagnose::Mistake::PathEncodedOnce
        )),
        "{msg}"
    );
    // A secret read from a file with its newline.
    let secret = format!("{SECRET}\n");
    let mut s = Sign::new("dynamodb");
    s.secret = &secret;
    let r = list_tables(&server, &s, "/");
    let msg = r.json()["message"].as_str().unwrap_or_default().to_owned();
    assert!(msg.contains("ends with a newline"), "{msg}");
}

#[tokio::test]
async fn s3_and_query_mismatches_use_their_protocols_shapes() {
    let verifier = sigv4(AK, SECRET);
    let server = mock_server(&verifier).await;
    let mut s = Sign::new("s3");
    s.secret = "not-the-secret";
    let r = send(&server, &s, "PUT", "/bkt/key", &[], b"data");
    assert_eq!(r.status, 403, "{}", r.text());
    let t = r.text();
    assert!(t.contains("<Code>SignatureDoesNotMatch</Code>"), "{t}");
    assert!(t.contains("<CanonicalRequest>PUT\n/bkt/key\n"), "{t}");
    assert!(t.contains("<StringToSign>AWS4-HMAC-SHA256\n"), "{t}");
    assert!(
        t.contains("<AWSAccessKeyId>AKIDEXAMPLE</AWSAccessKeyId>"),
        "{t}"
    );

    // The same request correctly signed reaches the PUT mock.
    let r = send(&server, &Sign::new("s3"), "PUT", "/bkt/key", &[], b"data");
    assert_eq!(r.status, 200, "{}", r.text());

    let mut s = Sign::new("sts");
    s.secret = "not-the-secret";
    let r = send(
        &server,
        &s,
        "GET",
        "/?Action=GetCallerIdentity&Version=2011-06-15",
        &[],
        b"",
    );
    assert_eq!(r.status, 403, "{}", r.text());
    let t = r.text();
    assert!(t.contains("<ErrorResponse"), "{t}");
    assert!(t.contains("<Code>SignatureDoesNotMatch</Code>"), "{t}");
}

#[tokio::test]
async fn other_failures_map_through_the_error_table() {
    let verifier = sigv4(AK, SECRET).region("us-east-1");
    let server = mock_server(&verifier).await;
    // Unknown access key.
    let mut s = Sign::new("dynamodb");
    s.access_key = "AKIDUNKNOWN";
    let r = list_tables(&server, &s, "/");
    assert_eq!(r.status, 400);
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("UnrecognizedClientException")
    );
    // No signature at all.
    let r = Conn::open(&addr(&server)).send(
        "POST",
        "/",
        &[
            ("Host".to_owned(), addr(&server)),
            (
                "X-Amz-Target".to_owned(),
                "DynamoDB_20120810.ListTables".to_owned(),
            ),
            ("Content-Type".to_owned(), DDB_JSON.to_owned()),
        ],
        b"{}",
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("MissingAuthenticationTokenException")
    );
    // Skewed clock.
    let mut s = Sign::new("dynamodb");
    s.time = sigv4_signer::SigningTime::from_unix_seconds(now().unix_seconds() - 3600);
    let r = list_tables(&server, &s, "/");
    assert_eq!(r.status, 400);
    let msg = r.json()["message"].as_str().unwrap_or_default().to_owned();
    assert!(msg.starts_with("Signature expired"), "{msg}");
}

#[tokio::test]
async fn a_verified_request_no_mock_matches_gets_wiremocks_404() {
    let verifier = sigv4(AK, SECRET);
    let server = mock_server(&verifier).await;
    // Signed correctly, but there is no GET mock: wiremock's own 404, not an AWS error.
    let r = send(&server, &Sign::new("s3"), "GET", "/bkt/key", &[], b"");
    assert_eq!(r.status, 404, "{}", r.text());
    assert!(r.header("x-amz-request-id").is_none());
}

#[tokio::test]
async fn session_tokens_are_checked() {
    let verifier = SigV4Matcher::new([Credential {
        access_key_id: AK.to_owned(),
        secret: SECRET.to_owned(),
        session_token: Some("TOKEN".to_owned()),
    }]);
    let server = mock_server(&verifier).await;
    // Signed without the token: the signature verifies, the token does not.
    let r = list_tables(&server, &Sign::new("dynamodb"), "/");
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("UnrecognizedClientException")
    );
    // Signed with it.
    let a = addr(&server);
    let creds = sigv4_signer::Credentials::new(AK, SECRET).with_session_token("TOKEN");
    let params = sigv4_signer::SigningParams::new(&creds, "us-east-1", "dynamodb", now())
        .with_settings(Settings::default());
    let req = sigv4_signer::SignableRequest::new("POST", "/")
        .header("Host", &a)
        .header("Content-Type", DDB_JSON)
        .header("X-Amz-Target", "DynamoDB_20120810.ListTables")
        .body(b"{}");
    let signed = sigv4_signer::sign(&req, &params, SignatureLocation::Headers)
        .expect("sign")
        .apply(&req);
    let r = Conn::open(&a).send(
        &signed.method,
        &signed.target,
        &signed.headers,
        &signed.body,
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

/// The documented limit: wiremock resolves dot segments before the matcher sees the URL, so
/// an S3 key with `..` (which S3 signs as sent, and the `mock-aws` server accepts) fails here.
#[tokio::test]
async fn limit_dot_segments_are_resolved_before_the_matcher() {
    let verifier = sigv4(AK, SECRET);
    let server = mock_server(&verifier).await;
    let r = send(&server, &Sign::new("s3"), "PUT", "/bkt/x/../y", &[], b"d");
    assert_eq!(r.status, 403, "{}", r.text());
    let t = r.text();
    assert!(t.contains("<CanonicalRequest>PUT\n/bkt/y\n"), "{t}");
    assert!(t.contains("<Code>SignatureDoesNotMatch</Code>"), "{t}");
}
