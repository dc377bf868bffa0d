//! The aws-sigv4 crate (the Rust SDK's signer) as a real client of `mock-aws`.

use std::time::SystemTime;

use crate::common::{Conn, Server};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// Signs with aws-sigv4 and returns the headers to send (the request's plus the signer's).
fn aws_sigv4_headers(
    addr: &str,
    service: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: SignableBody<'_>,
    s3: bool,
) -> Vec<(String, String)> {
    let identity: Identity = Credentials::new("AKIDEXAMPLE", SECRET, None, None, "test").into();
    let mut settings = SigningSettings::default();
    if s3 {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .expect("params")
        .into();
    let mut all: Vec<(String, String)> = vec![("host".into(), addr.into())];
    all.extend(
        headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
    );
    let uri = format!("http://{addr}{target}");
    let signable = SignableRequest::new(
        method,
        uri.as_str(),
        all.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        body,
    )
    .expect("signable");
    let (instructions, _signature) = sign(signable, &params).expect("sign").into_parts();
    let (added, params) = instructions.into_parts();
    assert!(params.is_empty(), "header signing adds no query parameters");
    all.extend(
        added
            .iter()
            .map(|h| (h.name().to_owned(), h.value().to_owned())),
    );
    all
}

#[test]
fn aws_sigv4_signs_dynamodb_and_s3_requests_mock_aws_accepts() {
    let server = Server::start(&[]);
    let addr = server.addr.clone();
    let mut conn = Conn::open(&addr);

    // DynamoDB: CreateTable then ListTables (JSON 1.0).
    let create = br#"{"TableName":"tbl1","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}"#;
    for (target, body) in [
        ("DynamoDB_20120810.CreateTable", &create[..]),
        ("DynamoDB_20120810.ListTables", b"{}"),
    ] {
        let h = aws_sigv4_headers(
            &addr,
            "dynamodb",
            "POST",
            "/",
            &[
                ("content-type", "application/x-amz-json-1.0"),
                ("x-amz-target", target),
            ],
            SignableBody::Bytes(body),
            false,
        );
        let r = conn.send("POST", "/", &h, body);
        assert_eq!(r.status, 200, "{target}: {}", r.text());
    }
    let r = conn.send(
        "POST",
        "/",
        &aws_sigv4_headers(
            &addr,
            "dynamodb",
            "POST",
            "/",
            &[
                ("content-type", "application/x-amz-json-1.0"),
                ("x-amz-target", "DynamoDB_20120810.ListTables"),
            ],
            SignableBody::Bytes(b"{}"),
            false,
        ),
        b"{}",
    );
    assert_eq!(r.json()["TableNames"][0], "tbl1");

    // S3: bucket, a signed-payload PUT of a key with a space and UTF-8, an UNSIGNED-PAYLOAD PUT,
    // and both objects read back byte-identical.
    let h = aws_sigv4_headers(
        &addr,
        "s3",
        "PUT",
        "/sigv4-bucket",
        &[],
        SignableBody::Bytes(b""),
        true,
    );
    assert_eq!(conn.send("PUT", "/sigv4-bucket", &h, b"").status, 200);
    let body: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    let key = "/sigv4-bucket/a%20b/%E1%88%B4.bin";
    let h = aws_sigv4_headers(
        &addr,
        "s3",
        "PUT",
        key,
        &[],
        SignableBody::Bytes(&body),
        true,
    );
    let r = conn.send("PUT", key, &h, &body);
    assert_eq!(r.status, 200, "{}", r.text());
    let h = aws_sigv4_headers(
        &addr,
        "s3",
        "PUT",
        "/sigv4-bucket/u.txt",
        &[],
        SignableBody::UnsignedPayload,
        true,
    );
    let r = conn.send("PUT", "/sigv4-bucket/u.txt", &h, b"unsigned body");
    assert_eq!(r.status, 200, "{}", r.text());
    for (k, want) in [(key, &body[..]), ("/sigv4-bucket/u.txt", b"unsigned body")] {
        let h = aws_sigv4_headers(&addr, "s3", "GET", k, &[], SignableBody::Bytes(b""), true);
        let r = conn.send("GET", k, &h, b"");
        assert_eq!(r.status, 200, "{k}");
        assert_eq!(r.body, want, "{k} read back");
    }
}
