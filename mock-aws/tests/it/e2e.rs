//! End to end: our own signer, curl and error shapes against a real `mock-aws` on loopback.

use crate::common::*;
use serde_json::json;
use sigv4_signer::{SignatureLocation, SigningTime, UriEncodingMode};

#[test]
fn own_signer_round_trips_sts_dynamodb_s3() {
    let server = Server::start(&[]);

    // STS GetCallerIdentity, POST form body.
    let r = call(
        &server,
        &Sign::new("sts"),
        "POST",
        "/",
        &[(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )],
        b"Action=GetCallerIdentity&Version=2011-06-15",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains("<Account>123456789012</Account>"),
        "{}",
        r.text()
    );
    assert!(r.text().contains("<UserId>AKIDEXAMPLE</UserId>"));

    // STS GetCallerIdentity, GET query.
    let r = call(
        &server,
        &Sign::new("sts"),
        "GET",
        "/?Action=GetCallerIdentity&Version=2011-06-15",
        &[],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());

    // DynamoDB.
    let s = Sign::new("dynamodb");
    let r = ddb(
        &server,
        &s,
        "CreateTable",
        &json!({
            "TableName": "things",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"
        }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["TableDescription"]["TableStatus"], "ACTIVE");
    let item = json!({"id": {"S": "a/b c"}, "n": {"N": "42"}});
    let r = ddb(
        &server,
        &s,
        "PutItem",
        &json!({"TableName": "things", "Item": item}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = ddb(
        &server,
        &s,
        "GetItem",
        &json!({"TableName": "things", "Key": {"id": {"S": "a/b c"}}}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["Item"], item);
    let r = ddb(&server, &s, "ListTables", &json!({}));
    assert_eq!(r.json()["TableNames"], json!(["things"]));
    let r = ddb(&server, &s, "DescribeTable", &json!({"TableName": "nope"}));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("ResourceNotFoundException")
    );
    let r = ddb(&server, &s, "Frobnicate", &json!({}));
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.service#UnknownOperationException"
    );
    let r = ddb(&server, &s, "DeleteTable", &json!({"TableName": "things"}));
    assert_eq!(r.status, 200, "{}", r.text());

    // S3: bucket, object byte-identical (signed payload), a raw `..` key, UNSIGNED-PAYLOAD.
    let s = Sign::new("s3");
    let r = call(&server, &s, "PUT", "/bucket-1", &[], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    let data: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let r = call(&server, &s, "PUT", "/bucket-1/dir/a%20b.bin", &[], &data);
    assert_eq!(r.status, 200, "{}", r.text());
    let r = call(&server, &s, "GET", "/bucket-1/dir/a%20b.bin", &[], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.body == data, "object not byte-identical");
    let r = call(&server, &s, "HEAD", "/bucket-1/dir/a%20b.bin", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("70000"));

    let r = call(&server, &s, "PUT", "/bucket-1/x/../y", &[], b"dots kept");
    assert_eq!(r.status, 200, "{}", r.text());
    let r = call(&server, &s, "GET", "/bucket-1/y", &[], b"");
    assert_eq!(r.status, 404, "the server must not normalise S3 keys");
    let r = call(&server, &s, "GET", "/bucket-1/x/../y", &[], b"");
    assert_eq!(r.body, b"dots kept");

    let mut unsigned = Sign::new("s3");
    unsigned.settings.payload = sigv4_signer::PayloadMode::Unsigned;
    let r = call(
        &server,
        &unsigned,
        "PUT",
        "/bucket-1/u",
        &[],
        b"unsigned body",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = call(&server, &unsigned, "GET", "/bucket-1/u", &[], b"");
    assert_eq!(r.body, b"unsigned body");

    // Presigned PUT and GET.
    let mut pre = Sign::new("s3");
    pre.location = SignatureLocation::Query { expires_in: 300 };
    pre.settings = sigv4_signer::Settings::s3().with_payload(sigv4_signer::PayloadMode::Unsigned);
    let r = call(&server, &pre, "PUT", "/bucket-1/pre", &[], b"presigned");
    assert_eq!(r.status, 200, "{}", r.text());
    let r = call(&server, &pre, "GET", "/bucket-1/pre", &[], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, b"presigned");

    let r = call(&server, &s, "GET", "/", &[], b"");
    assert!(r.text().contains("<Name>bucket-1</Name>"), "{}", r.text());
    let r = call(&server, &s, "DELETE", "/bucket-1/pre", &[], b"");
    assert_eq!(r.status, 204);

    // Every request got a verdict.
    let mut c = Conn::open(&server.addr);
    let v = c.send("GET", "/_mock-aws/verdicts", &[], b"").json();
    assert_eq!(v["rejected"], 0, "{v}");
    let last = &v["verdicts"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["operation"], "DeleteObject");
    assert_eq!(last["access_key"], "AKIDEXAMPLE");
    assert!(last["canonical_request"]
        .as_str()
        .unwrap()
        .starts_with("DELETE\n/bucket-1/pre\n"));
}

fn s3_bucket(server: &Server) {
    let r = call(server, &Sign::new("s3"), "PUT", "/neg", &[], b"");
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn wrong_secret_is_signature_mismatch_per_protocol() {
    let server = Server::start(&[]);
    s3_bucket(&server);
    let mut s = Sign::new("s3");
    s.secret = "not-the-secret";
    let r = call(&server, &s, "PUT", "/neg/k", &[], b"x");
    assert_eq!(r.status, 403);
    let t = r.text();
    assert!(t.contains("<Code>SignatureDoesNotMatch</Code>"), "{t}");
    assert!(t.contains("<CanonicalRequest>PUT\n/neg/k\n"), "{t}");
    assert!(t.contains("<StringToSign>AWS4-HMAC-SHA256\n"), "{t}");
    assert!(
        t.contains("<AWSAccessKeyId>AKIDEXAMPLE</AWSAccessKeyId>"),
        "{t}"
    );

    let mut s = Sign::new("dynamodb");
    s.secret = "not-the-secret";
    let r = ddb(&server, &s, "ListTables", &json!({}));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("InvalidSignatureException")
    );
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.service#InvalidSignatureException"
    );

    let mut s = Sign::new("sts");
    s.secret = "not-the-secret";
    let r = call(
        &server,
        &s,
        "GET",
        "/?Action=GetCallerIdentity&Version=2011-06-15",
        &[],
        b"",
    );
    assert_eq!(r.status, 403);
    assert!(
        r.text()
            .contains("<Type>Sender</Type><Code>SignatureDoesNotMatch</Code>"),
        "{}",
        r.text()
    );

    // A secret with a trailing newline is diagnosed.
    let secret = format!("{SECRET}\n");
    let mut s = Sign::new("dynamodb");
    s.secret = &secret;
    let r = ddb(&server, &s, "ListTables", &json!({}));
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("ends with a newline"),
        "{}",
        r.text()
    );
}

#[test]
fn tampered_body_unknown_key_host_not_signed() {
    let server = Server::start(&[]);
    s3_bucket(&server);

    // Tampered body, S3: the claimed x-amz-content-sha256 no longer matches.
    let signed = Sign::new("s3").sign(&server.addr, "PUT", "/neg/t", &[], b"original");
    let r = Conn::open(&server.addr).send("PUT", &signed.target, &signed.headers, b"tampered");
    assert_eq!(r.status, 400);
    assert!(
        r.text().contains("<Code>XAmzContentSHA256Mismatch</Code>"),
        "{}",
        r.text()
    );

    // Tampered body, DynamoDB: signature mismatch.
    let s = Sign::new("dynamodb");
    let signed = s.sign(
        &server.addr,
        "POST",
        "/",
        &[
            ("Content-Type", DDB_JSON),
            ("X-Amz-Target", "DynamoDB_20120810.ListTables"),
        ],
        b"{}",
    );
    let r = Conn::open(&server.addr).send("POST", "/", &signed.headers, b"{\"Limit\":1}");
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("InvalidSignatureException")
    );

    // Unknown key.
    let mut s = Sign::new("dynamodb");
    s.access_key = "AKIDUNKNOWN";
    let r = ddb(&server, &s, "ListTables", &json!({}));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("UnrecognizedClientException")
    );
    let mut s = Sign::new("s3");
    s.access_key = "AKIDUNKNOWN";
    let r = call(&server, &s, "GET", "/", &[], b"");
    assert_eq!(r.status, 403);
    assert!(
        r.text().contains("<Code>InvalidAccessKeyId</Code>"),
        "{}",
        r.text()
    );
    let mut s = Sign::new("sts");
    s.access_key = "AKIDUNKNOWN";
    let r = call(
        &server,
        &s,
        "GET",
        "/?Action=GetCallerIdentity&Version=2011-06-15",
        &[],
        b"",
    );
    assert_eq!(r.status, 403);
    assert!(
        r.text().contains("<Code>InvalidClientTokenId</Code>"),
        "{}",
        r.text()
    );

    // Missing host in SignedHeaders.
    let signed = Sign::new("dynamodb").sign(
        &server.addr,
        "POST",
        "/",
        &[
            ("Content-Type", DDB_JSON),
            ("X-Amz-Target", "DynamoDB_20120810.ListTables"),
        ],
        b"{}",
    );
    let headers: Vec<(String, String)> = signed
        .headers
        .iter()
        .map(|(n, v)| {
            let v = if n.eq_ignore_ascii_case("authorization") {
                v.replace(
                    "SignedHeaders=content-type;host;",
                    "SignedHeaders=content-type;",
                )
            } else {
                v.clone()
            };
            (n.clone(), v)
        })
        .collect();
    let r = Conn::open(&server.addr).send("POST", "/", &headers, b"{}");
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("IncompleteSignatureException")
    );
    assert!(r.json()["message"].as_str().unwrap().contains("'Host'"));

    // No authentication at all.
    let r = Conn::open(&server.addr).send(
        "POST",
        "/",
        &[
            ("Host".into(), server.addr.clone()),
            ("X-Amz-Target".into(), "DynamoDB_20120810.ListTables".into()),
            ("Content-Type".into(), DDB_JSON.into()),
        ],
        b"{}",
    );
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("MissingAuthenticationTokenException")
    );

    // Garbage Authorization: a 4xx in shape, never a 5xx.
    let r = Conn::open(&server.addr).send(
        "GET",
        "/neg/x",
        &[
            ("Host".into(), server.addr.clone()),
            (
                "Authorization".into(),
                "AWS4-HMAC-SHA256 Credential=%%%, ,=".into(),
            ),
        ],
        b"",
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.text()
            .contains("<Code>AuthorizationHeaderMalformed</Code>"),
        "{}",
        r.text()
    );
}

#[test]
fn expired_presign_and_skewed_clock() {
    let server = Server::start(&[]);
    s3_bucket(&server);
    let two_hours_ago = SigningTime::from_unix_seconds(now().unix_seconds() - 7200);

    let mut pre = Sign::new("s3");
    pre.location = SignatureLocation::Query { expires_in: 60 };
    pre.time = two_hours_ago;
    let r = call(&server, &pre, "GET", "/neg/k", &[], b"");
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.text()
            .contains("<Code>AccessDenied</Code><Message>Request has expired"),
        "{}",
        r.text()
    );
    assert!(r.text().contains("<Expires>"), "{}", r.text());

    let mut s = Sign::new("s3");
    s.time = two_hours_ago;
    let r = call(&server, &s, "GET", "/", &[], b"");
    assert_eq!(r.status, 403);
    assert!(
        r.text().contains("<Code>RequestTimeTooSkewed</Code>"),
        "{}",
        r.text()
    );

    let mut s = Sign::new("dynamodb");
    s.time = two_hours_ago;
    let r = ddb(&server, &s, "ListTables", &json!({}));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("InvalidSignatureException")
    );
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("Signature expired: "),
        "{}",
        r.text()
    );

    let mut s = Sign::new("sts");
    s.time = two_hours_ago;
    let r = call(
        &server,
        &s,
        "GET",
        "/?Action=GetCallerIdentity&Version=2011-06-15",
        &[],
        b"",
    );
    assert_eq!(r.status, 403);
    assert!(
        r.text().contains("<Message>Signature expired: "),
        "{}",
        r.text()
    );
}

#[test]
fn frozen_clock_replays_a_recorded_request() {
    let server = Server::start(&["--clock", "2015-08-30T12:36:00Z"]);
    let mut s = Sign::new("sts");
    s.time = SigningTime::parse("2015-08-30T12:40:00Z").unwrap();
    let r = call(
        &server,
        &s,
        "GET",
        "/?Action=GetCallerIdentity&Version=2011-06-15",
        &[],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn path_encoded_once_for_a_non_s3_service_is_diagnosed() {
    let server = Server::start(&[]);
    let mut s = Sign::new("dynamodb");
    s.settings.uri_encoding = UriEncodingMode::Single;
    let signed = s.sign(
        &server.addr,
        "POST",
        "/prefix/my%3Atable",
        &[
            ("Content-Type", DDB_JSON),
            ("X-Amz-Target", "DynamoDB_20120810.ListTables"),
        ],
        b"{}",
    );
    let r = Conn::open(&server.addr).send("POST", &signed.target, &signed.headers, b"{}");
    assert_eq!(r.status, 400);
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("InvalidSignatureException")
    );
    let msg = r.json()["message"].as_str().unwrap().to_owned();
    assert!(
        msg.contains("your signer encoded the path once; non-S3 services encode it twice"),
        "{msg}"
    );
    let v = Conn::open(&server.addr)
        .send("GET", "/_mock-aws/verdicts", &[], b"")
        .json();
    let last = v["verdicts"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["diagnosis_code"], "path-encoded-once");
    assert_eq!(last["error_code"], "InvalidSignatureException");
}

#[test]
fn oversized_body_gets_the_protocols_error_not_a_hang() {
    // S3 uploads may have 5 GiB; their limit here is the memory (--max-memory, no --data-dir).
    let server = Server::start(&["--max-body", "1024", "--max-memory", "2048"]);
    let big = vec![b'x'; 4096];
    let r = call(&server, &Sign::new("s3"), "PUT", "/b/k", &[], &big);
    assert_eq!(r.status, 400);
    assert!(
        r.text().contains("<Code>EntityTooLarge</Code>") && r.text().contains("--max-memory 2048"),
        "{}",
        r.text()
    );
    let r = call(
        &server,
        &Sign::new("dynamodb"),
        "POST",
        "/",
        &[
            ("Content-Type", DDB_JSON),
            ("X-Amz-Target", "DynamoDB_20120810.PutItem"),
        ],
        &big,
    );
    assert_eq!(r.status, 413);
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("RequestEntityTooLargeException")
    );
    // The server still serves.
    let r = call(
        &server,
        &Sign::new("sts"),
        "GET",
        "/?Action=GetCallerIdentity",
        &[],
        b"",
    );
    assert_eq!(r.status, 200);
}

#[test]
fn curl_aws_sigv4_put_and_get() {
    let curl_program = require(Tool::Curl);
    let server = Server::start(&[]);
    let user = format!("{AK}:{SECRET}");
    let curl = |args: &[&str]| {
        let out = std::process::Command::new(&curl_program)
            .args([
                "-sS",
                "--max-time",
                "20",
                "--aws-sigv4",
                "aws:amz:us-east-1:s3",
                "--user",
                &user,
            ])
            .args(["-w", "\n%{http_code}"])
            .args(args)
            .output()
            .expect("curl");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", ""));
        (code.to_owned(), body.to_owned())
    };
    let url = server.url();
    let (code, body) = curl(&["-X", "PUT", &format!("{url}/curl-bucket")]);
    assert_eq!(code, "200", "{body}");
    let payload = "hello from curl\n";
    let (code, body) = curl(&[
        "-X",
        "PUT",
        "--data-binary",
        payload,
        &format!("{url}/curl-bucket/greeting.txt"),
    ]);
    assert_eq!(code, "200", "{body}");
    let (code, body) = curl(&[&format!("{url}/curl-bucket/greeting.txt")]);
    assert_eq!(code, "200", "{body}");
    assert_eq!(body, payload);
}

#[test]
fn ten_thousand_requests_over_thirty_two_connections_all_get_a_verdict() {
    let server = Server::start(&["--verdicts", "100"]);
    let addr = server.addr.clone();
    let threads: Vec<_> = (0..32u32)
        .map(|t| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut conn = Conn::open(&addr);
                let mut ok = 0;
                for i in 0..313u32 {
                    let s = Sign::new("sts");
                    let target = format!("/?Action=GetCallerIdentity&Version=2011-06-15&n={t}-{i}");
                    let signed = s.sign(&addr, "GET", &target, &[], b"");
                    let r = conn.send("GET", &signed.target, &signed.headers, b"");
                    if r.status == 200 {
                        ok += 1;
                    }
                }
                ok
            })
        })
        .collect();
    let ok: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    // 32 connections x 313 requests = 10,016.
    assert_eq!(ok, 10_016);
    let v = Conn::open(&addr)
        .send("GET", "/_mock-aws/verdicts", &[], b"")
        .json();
    assert_eq!(v["total"], 10_016, "{}", v["total"]);
    assert_eq!(v["accepted"], 10_016);
    assert_eq!(
        v["verdicts"].as_array().unwrap().len(),
        100,
        "the ring buffer is bounded"
    );
    let r = Conn::open(&addr).send("POST", "/_mock-aws/reset", &[], b"");
    assert_eq!(r.status, 200);
    let v = Conn::open(&addr)
        .send("GET", "/_mock-aws/verdicts", &[], b"")
        .json();
    assert_eq!(v["total"], 0);
}

fn kinesis(server: &Server, op: &str, body: &serde_json::Value) -> Resp {
    let target = format!("Kinesis_20131202.{op}");
    call(
        server,
        &Sign::new("kinesis"),
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", &target),
        ],
        body.to_string().as_bytes(),
    )
}

fn b64(data: &[u8]) -> String {
    sigv4_signer::internal::base64(data)
}

#[test]
fn own_signer_kinesis_every_operation() {
    let server = Server::start(&[]);
    let r = kinesis(
        &server,
        "CreateStream",
        &json!({"StreamName": "events", "ShardCount": 3}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    let r = kinesis(
        &server,
        "CreateStream",
        &json!({"StreamName": "events", "ShardCount": 1}),
    );
    assert_eq!(r.header("x-amzn-ErrorType"), Some("ResourceInUseException"));
    let r = kinesis(
        &server,
        "DescribeStreamSummary",
        &json!({"StreamName": "events"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let d = &r.json()["StreamDescriptionSummary"];
    assert_eq!(d["StreamStatus"], "ACTIVE");
    assert_eq!(d["OpenShardCount"], 3);
    assert_eq!(
        d["StreamARN"],
        "arn:aws:kinesis:us-east-1:123456789012:stream/events"
    );
    // DescribeStream and ListShards: the shards' hash key ranges split 0..2^128 - 1 without
    // a gap (Kinesis API reference, HashKeyRange), as decimal strings.
    let r = kinesis(&server, "DescribeStream", &json!({"StreamName": "events"}));
    assert_eq!(r.status, 200, "{}", r.text());
    let d = &r.json()["StreamDescription"];
    assert_eq!(
        (&d["StreamStatus"], &d["HasMoreShards"]),
        (&json!("ACTIVE"), &json!(false))
    );
    let shards = d["Shards"].as_array().cloned().unwrap_or_default();
    let ids: Vec<_> = shards.iter().map(|s| s["ShardId"].clone()).collect();
    assert_eq!(
        ids,
        json!([
            "shardId-000000000000",
            "shardId-000000000001",
            "shardId-000000000002"
        ])
        .as_array()
        .cloned()
        .unwrap_or_default()
    );
    let key = |s: &serde_json::Value, k: &str| -> u128 {
        s["HashKeyRange"][k]
            .as_str()
            .and_then(|v| v.parse().ok())
            .expect("a hash key")
    };
    assert_eq!(key(&shards[0], "StartingHashKey"), 0);
    assert_eq!(key(&shards[2], "EndingHashKey"), u128::MAX);
    for w in shards.windows(2) {
        assert_eq!(
            key(&w[1], "StartingHashKey"),
            key(&w[0], "EndingHashKey") + 1
        );
    }
    let r = kinesis(&server, "ListShards", &json!({"StreamName": "events"}));
    assert_eq!(r.json()["Shards"], json!(shards));
    let r = kinesis(&server, "ListStreams", &json!({}));
    assert_eq!(r.json()["StreamNames"], json!(["events"]));
    assert_eq!(r.json()["HasMoreStreams"], false);

    // One partition key: every record lands on one shard, in order.
    let mut seqs = Vec::new();
    for i in 0..5u8 {
        let r = kinesis(
            &server,
            "PutRecord",
            &json!({"StreamName": "events", "PartitionKey": "user-1", "Data": b64(&[i, 0xff, b'\n'])}),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        seqs.push((
            r.json()["ShardId"].as_str().unwrap().to_owned(),
            r.json()["SequenceNumber"].as_str().unwrap().to_owned(),
        ));
    }
    let shard = seqs[0].0.clone();
    assert!(seqs.iter().all(|(s, _)| *s == shard));
    assert!(seqs.windows(2).all(|w| w[0].1 < w[1].1), "{seqs:?}");
    let records: Vec<_> = (0..30)
        .map(|i| json!({"PartitionKey": format!("k{i}"), "Data": b64(format!("r{i}").as_bytes())}))
        .collect();
    let r = kinesis(
        &server,
        "PutRecords",
        &json!({"StreamName": "events", "Records": records}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["FailedRecordCount"], 0);
    assert_eq!(r.json()["Records"].as_array().unwrap().len(), 30);

    // Read every shard from TRIM_HORIZON: all 35 records, each shard in order.
    let mut seen = Vec::new();
    for s in 0..3 {
        let r = kinesis(
            &server,
            "GetShardIterator",
            &json!({"StreamName": "events", "ShardId": format!("shardId-{s:012}"), "ShardIteratorType": "TRIM_HORIZON"}),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let mut it = r.json()["ShardIterator"].as_str().unwrap().to_owned();
        let mut last_seq = String::new();
        loop {
            let r = kinesis(
                &server,
                "GetRecords",
                &json!({"ShardIterator": it, "Limit": 4}),
            );
            assert_eq!(r.status, 200, "{}", r.text());
            let v = r.json();
            let recs = v["Records"].as_array().unwrap();
            if recs.is_empty() {
                break;
            }
            for rec in recs {
                let seq = rec["SequenceNumber"].as_str().unwrap().to_owned();
                assert!(seq > last_seq);
                last_seq = seq;
                seen.push(rec["Data"].as_str().unwrap().to_owned());
            }
            it = v["NextShardIterator"].as_str().unwrap().to_owned();
        }
    }
    assert_eq!(seen.len(), 35);
    assert!(seen.contains(&b64(&[4, 0xff, b'\n'])));
    // AFTER_SEQUENCE_NUMBER of the 4th PutRecord gives exactly the 5th.
    let r = kinesis(
        &server,
        "GetShardIterator",
        &json!({"StreamName": "events", "ShardId": shard, "ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": seqs[3].1}),
    );
    let it = r.json()["ShardIterator"].as_str().unwrap().to_owned();
    let r = kinesis(
        &server,
        "GetRecords",
        &json!({"ShardIterator": it, "Limit": 1}),
    );
    assert_eq!(r.json()["Records"][0]["SequenceNumber"], seqs[4].1.as_str());
    assert_eq!(r.json()["Records"][0]["PartitionKey"], "user-1");

    let r = kinesis(
        &server,
        "PutRecord",
        &json!({"StreamName": "nope", "PartitionKey": "k", "Data": "AA=="}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("ResourceNotFoundException")
    );
    let r = kinesis(&server, "MergeShards", &json!({}));
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.service#UnknownOperationException"
    );
    // A wrong secret: JSON 1.1's shape.
    let mut s = Sign::new("kinesis");
    s.secret = "nope";
    let r = call(
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
    assert_eq!(r.status, 400);
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("InvalidSignatureException")
    );
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
}

#[test]
fn own_signer_ec2_describe_regions_and_its_error_shape() {
    let server = Server::start(&[]);
    let target = "/?Action=DescribeRegions&Version=2016-11-15";
    let r = call(&server, &Sign::new("ec2"), "GET", target, &[], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    let t = r.text();
    assert!(
        t.contains("<DescribeRegionsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"),
        "{t}"
    );
    assert!(t.contains("<regionName>us-east-1</regionName><regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint>"), "{t}");
    assert!(
        !t.contains("af-south-1"),
        "opt-in regions only with AllRegions: {t}"
    );
    let r = call(
        &server,
        &Sign::new("ec2"),
        "POST",
        "/",
        &[(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )],
        b"Action=DescribeRegions&Version=2016-11-15&RegionName.1=eu-west-1&RegionName.2=af-south-1",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text().matches("<item>").count(), 2, "{}", r.text());
    assert!(r.text().contains("<optInStatus>not-opted-in</optInStatus>"));

    // EC2's error shape: <Response><Errors><Error>..</Error></Errors><RequestID>.
    let r = call(
        &server,
        &Sign::new("ec2"),
        "GET",
        "/?Action=DescribeRegions&Version=2016-11-15&RegionName.1=mars-1",
        &[],
        b"",
    );
    assert_eq!(r.status, 400);
    let t = r.text();
    assert!(
        t.contains("<Response><Errors><Error><Code>InvalidParameterValue</Code><Message>"),
        "{t}"
    );
    assert!(t.contains("</Error></Errors><RequestID>MOCKAWS"), "{t}");
    let r = call(
        &server,
        &Sign::new("ec2"),
        "GET",
        "/?Action=RunInstances&Version=2016-11-15",
        &[],
        b"",
    );
    assert!(
        r.text().contains("<Code>InvalidAction</Code>"),
        "{}",
        r.text()
    );
    let mut s = Sign::new("ec2");
    s.secret = "nope";
    let r = call(&server, &s, "GET", target, &[], b"");
    assert_eq!(r.status, 403);
    assert!(
        r.text()
            .contains("<Response><Errors><Error><Code>SignatureDoesNotMatch</Code>"),
        "{}",
        r.text()
    );
    let mut s = Sign::new("ec2");
    s.access_key = "AKIDNOBODY";
    let r = call(&server, &s, "GET", target, &[], b"");
    assert_eq!(r.status, 401);
    assert!(r.text().contains("<Code>AuthFailure</Code><Message>AWS was not able to validate the provided access credentials"), "{}", r.text());
    let mut s = Sign::new("ec2");
    s.time = SigningTime::from_unix_seconds(now().unix_seconds() - 7200);
    let r = call(&server, &s, "GET", target, &[], b"");
    assert_eq!(r.status, 400);
    assert!(
        r.text().contains("<Code>RequestExpired</Code>"),
        "{}",
        r.text()
    );
}

#[test]
fn own_signer_iam_users_with_header_and_presigned_auth() {
    let server = Server::start(&[]);
    let iam_post = |body: &str| {
        call(
            &server,
            &Sign::new("iam"),
            "POST",
            "/",
            &[(
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )],
            body.as_bytes(),
        )
    };
    let r = iam_post("Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Fteam%2F");
    assert_eq!(r.status, 200, "{}", r.text());
    let t = r.text();
    assert!(t.contains("<CreateUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><CreateUserResult><User><Path>/team/</Path><UserName>alice</UserName><UserId>AIDA"), "{t}");
    assert!(
        t.contains("<Arn>arn:aws:iam::123456789012:user/team/alice</Arn>"),
        "{t}"
    );
    let r = iam_post("Action=CreateUser&Version=2010-05-08&UserName=ALICE");
    assert_eq!(r.status, 409);
    assert!(
        r.text().contains("<Code>EntityAlreadyExists</Code>"),
        "{}",
        r.text()
    );
    let r = iam_post("Action=GetUser&Version=2010-05-08&UserName=bob");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("<ErrorResponse"), "{}", r.text());
    assert!(
        r.text().contains("<Code>NoSuchEntity</Code>"),
        "{}",
        r.text()
    );

    // Presigned query auth, GET: CreateUser, GetUser, ListUsers.
    let mut pre = Sign::new("iam");
    pre.location = SignatureLocation::Query { expires_in: 300 };
    let r = call(
        &server,
        &pre,
        "GET",
        "/?Action=CreateUser&Version=2010-05-08&UserName=bob",
        &[],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = call(
        &server,
        &pre,
        "GET",
        "/?Action=GetUser&Version=2010-05-08&UserName=Bob",
        &[],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains("<UserName>bob</UserName>"),
        "{}",
        r.text()
    );
    let r = call(
        &server,
        &pre,
        "GET",
        "/?Action=GetUser&Version=2010-05-08",
        &[],
        b"",
    );
    assert!(
        r.text().contains("<UserName>AKIDEXAMPLE</UserName>"),
        "{}",
        r.text()
    );
    let r = call(
        &server,
        &pre,
        "GET",
        "/?Action=ListUsers&Version=2010-05-08&MaxItems=1",
        &[],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let t = r.text();
    assert!(t.contains("<IsTruncated>true</IsTruncated><Users><member><Path>/team/</Path><UserName>alice</UserName>"), "{t}");
    assert!(t.contains("<Marker>alice</Marker>"), "{t}");
    let r = call(
        &server,
        &pre,
        "GET",
        "/?Action=ListUsers&Version=2010-05-08&Marker=alice",
        &[],
        b"",
    );
    assert!(
        r.text().contains(
            "<IsTruncated>false</IsTruncated><Users><member><Path>/</Path><UserName>bob</UserName>"
        ),
        "{}",
        r.text()
    );
    let r = call(
        &server,
        &pre,
        "GET",
        "/?Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fteam%2F",
        &[],
        b"",
    );
    assert_eq!(r.text().matches("<member>").count(), 1, "{}", r.text());

    // A presigned IAM URL signed with a wrong secret: the query protocol's error.
    let mut bad = Sign::new("iam");
    bad.location = SignatureLocation::Query { expires_in: 300 };
    bad.secret = "nope";
    let r = call(
        &server,
        &bad,
        "GET",
        "/?Action=ListUsers&Version=2010-05-08",
        &[],
        b"",
    );
    assert_eq!(r.status, 403);
    assert!(
        r.text().contains("<Code>SignatureDoesNotMatch</Code>"),
        "{}",
        r.text()
    );
}

#[test]
fn own_signer_s3_list_objects_v2_and_virtual_hosted_style() {
    let server = Server::start(&[]);
    let s = Sign::new("s3");
    assert_eq!(call(&server, &s, "PUT", "/lst", &[], b"").status, 200);
    for k in ["a/1", "a/2", "a/3", "b/1", "c", "d+e f"] {
        let target = format!("/lst/{}", k.replace('+', "%2B").replace(' ', "%20"));
        let r = call(&server, &s, "PUT", &target, &[], k.as_bytes());
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let r = call(&server, &s, "GET", "/lst?list-type=2", &[], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    let t = r.text();
    assert!(
        t.contains(
            "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>lst</Name>"
        ),
        "{t}"
    );
    assert!(t.contains("<KeyCount>6</KeyCount>"), "{t}");
    assert!(t.contains("<Key>d+e f</Key>"), "{t}");
    assert!(t.contains("<IsTruncated>false</IsTruncated>"), "{t}");

    // prefix + max-keys + continuation-token walk, in key order.
    let mut keys = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..5 {
        let mut target = "/lst?list-type=2&max-keys=2&prefix=a%2F".to_owned();
        if let Some(t) = &token {
            let enc: String = t
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            target.push_str(&format!("&continuation-token={enc}"));
        }
        let r = call(&server, &s, "GET", &target, &[], b"");
        assert_eq!(r.status, 200, "{}", r.text());
        let t = r.text();
        keys.extend(
            t.split("<Key>")
                .skip(1)
                .map(|p| p.split('<').next().unwrap().to_owned()),
        );
        token = t
            .split("<NextContinuationToken>")
            .nth(1)
            .map(|p| p.split('<').next().unwrap().to_owned());
        if token.is_none() {
            assert!(t.contains("<IsTruncated>false</IsTruncated>"), "{t}");
            break;
        }
    }
    assert_eq!(keys, ["a/1", "a/2", "a/3"]);

    // delimiter rolls keys up into CommonPrefixes; encoding-type=url encodes keys.
    let r = call(
        &server,
        &s,
        "GET",
        "/lst?delimiter=%2F&encoding-type=url&list-type=2",
        &[],
        b"",
    );
    let t = r.text();
    assert!(t.contains("<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes>"), "{t}");
    assert!(t.contains("<Key>d%2Be%20f</Key>"), "{t}");
    assert!(t.contains("<KeyCount>4</KeyCount>"), "{t}");
    assert!(t.contains("<EncodingType>url</EncodingType>"), "{t}");
    let r = call(&server, &s, "GET", "/nobucket?list-type=2", &[], b"");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("<Code>NoSuchBucket</Code>"));

    // Virtual-hosted style: the bucket is the Host's first label, signed as sent.
    let vhost = format!(
        "vhost.localhost:{}",
        server.addr.rsplit(':').next().unwrap()
    );
    let send = |method: &str, target: &str, body: &[u8]| {
        let signed = s.sign(&vhost, method, target, &[], body);
        Conn::open(&server.addr).send(
            &signed.method,
            &signed.target,
            &signed.headers,
            &signed.body,
        )
    };
    let r = send("PUT", "/", b"");
    assert_eq!(r.status, 200, "{}", r.text());
    let r = send("PUT", "/dir/k%20v", b"virtual");
    assert_eq!(r.status, 200, "{}", r.text());
    let r = send("GET", "/dir/k%20v", b"");
    assert_eq!(r.body, b"virtual");
    let r = call(&server, &s, "GET", "/vhost/dir/k%20v", &[], b"");
    assert_eq!(r.body, b"virtual", "path-style sees the same object");
    let r = send("GET", "/?list-type=2", b"");
    assert!(r.text().contains("<Name>vhost</Name>"), "{}", r.text());
    assert!(r.text().contains("<Key>dir/k v</Key>"), "{}", r.text());
    let v = Conn::open(&server.addr)
        .send("GET", "/_mock-aws/verdicts", &[], b"")
        .json();
    let last = v["verdicts"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["operation"], "ListObjectsV2");
}

/// A scope naming another region than the endpoint's: S3's AuthorizationHeaderMalformed, and
/// the signature family with AWS's "Credential should be scoped to a valid region, not 'X'."
/// elsewhere (cognitect-labs/aws-api#27 quotes STS; IAM's signature-v4-troubleshooting page).
#[test]
fn wrong_region_per_protocol() {
    let server = Server::start(&["--region", "eu-west-1"]);
    let s = Sign::new("sts"); // signs for us-east-1
    let r = call(
        &server,
        &s,
        "GET",
        "/?Action=GetCallerIdentity&Version=2011-06-15",
        &[],
        b"",
    );
    assert_eq!(r.status, 403, "{}", r.text());
    let t = r.text();
    assert!(t.contains("<Code>SignatureDoesNotMatch</Code>"), "{t}");
    assert!(
        t.contains("Credential should be scoped to a valid region, not &apos;us-east-1&apos;."),
        "{t}"
    );

    let r = ddb(&server, &Sign::new("dynamodb"), "ListTables", &json!({}));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.header("x-amzn-ErrorType"),
        Some("InvalidSignatureException")
    );
    let m = r.json()["message"].as_str().unwrap_or_default().to_owned();
    assert!(
        m.starts_with("Credential should be scoped to a valid region, not 'us-east-1'."),
        "{m}"
    );

    let r = call(&server, &Sign::new("s3"), "GET", "/", &[], b"");
    assert_eq!(r.status, 400);
    let t = r.text();
    assert!(
        t.contains("<Code>AuthorizationHeaderMalformed</Code>"),
        "{t}"
    );
    assert!(
        t.contains("the region &apos;us-east-1&apos; is wrong; expecting &apos;eu-west-1&apos;"),
        "{t}"
    );
}
