//! The AWS SDK for JavaScript v3 (npm, exact versions in the committed
//! `tests/clients/js-sdk-v3/package-lock.json`, installed by `.ci/setup.d/clients.sh` with
//! `npm ci`) with its defaults: S3 with `forcePathStyle` (the SDK's default flexible checksums,
//! an `aws-chunked` PutObject with a CRC32 trailer), lib-storage's multipart `Upload` of 20 MiB
//! (S3's ETag computed with node's crypto), GetObject of it back, a presigned GET from
//! s3-request-presigner fetched with node's http(s); Kinesis over the client's default HTTP/2
//! handler (h2c with prior knowledge over HTTP, ALPN h2 over TLS, `:authority` signed in Host's
//! place); DynamoDB over HTTP/1.1 (`tests/clients/js-sdk-v3/client.js`). Over TLS, node trusts
//! mock-aws's certificate through `NODE_EXTRA_CA_CERTS`.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use super::{run_client, server, Run};
use crate::common::tools::SETUP;

/// The checks `client.js` prints `ok` for, in order.
pub const CHECKS: &[&str] = &[
    "CreateBucket",
    "PutObject",
    "PutObject (stream, aws-chunked)",
    "Upload 20 MiB (lib-storage multipart)",
    "CRC32 checksums (PutObject, COMPOSITE multipart, GetObject)",
    "HeadObject",
    "GetObject 20 MiB",
    "ListObjectsV2",
    "presigned GET (s3-request-presigner)",
    "DeleteObject",
    "DeleteBucket",
    "Kinesis CreateStream, DescribeStream (waiter), ListShards",
    "Kinesis PutRecord",
    "Kinesis GetShardIterator, GetRecords",
    "DynamoDB CreateTable",
    "DynamoDB PutItem",
    "DynamoDB GetItem",
    "Kinesis over HTTP/2",
    "verdicts",
];

/// The committed pins (`package.json`, which `npm ci` checks against the lockfile).
const PACKAGE_JSON: &str = include_str!("../../clients/js-sdk-v3/package.json");

fn dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/js-sdk-v3"
    ))
}

/// The pinned version of `@aws-sdk/NAME`.
fn pinned(name: &str) -> String {
    let pins: serde_json::Value = serde_json::from_str(PACKAGE_JSON).expect("package.json");
    pins["dependencies"][format!("@aws-sdk/{name}")]
        .as_str()
        .unwrap_or_else(|| panic!("@aws-sdk/{name} is not pinned in js-sdk-v3/package.json"))
        .to_owned()
}

/// The version shown in the README.
pub fn version() -> String {
    format!(
        "client-s3 {}, client-kinesis {}, client-dynamodb {} (npm)",
        pinned("client-s3"),
        pinned("client-kinesis"),
        pinned("client-dynamodb")
    )
}

/// Fails, naming the set-up command, unless node runs and every pinned package is installed
/// at its pin.
fn require() {
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.as_ref().is_ok_and(|o| o.status.success()),
        "the JS SDK v3 client needs node on PATH ({node:?}): run `{SETUP}`"
    );
    let pins: serde_json::Value = serde_json::from_str(PACKAGE_JSON).expect("package.json");
    for (name, want) in pins["dependencies"].as_object().expect("dependencies") {
        let want = want.as_str().unwrap_or_default();
        let path = dir().join("node_modules").join(name).join("package.json");
        let found = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v["version"].as_str().map(str::to_owned));
        assert!(
            found.as_deref() == Some(want),
            "{name} {want} is not installed in {} (found {found:?}): run `{SETUP}`",
            dir().join("node_modules").display()
        );
    }
}

fn run(tls: bool) -> Run {
    require();
    let server = server(tls);
    let mut cmd = Command::new("node");
    cmd.current_dir(dir())
        .arg("client.js")
        .arg(server.url())
        // The SDK's notice that later releases will need a newer node, on stderr.
        .env("NODE_NO_WARNINGS", "1")
        .env_remove("NODE_OPTIONS")
        // The SDK's defaults, not a setting of the machine's.
        .env_remove("AWS_REQUEST_CHECKSUM_CALCULATION")
        .env_remove("AWS_RESPONSE_CHECKSUM_VALIDATION")
        .env_remove("AWS_REGION")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY");
    match &server.cert {
        Some(cert) => cmd.env("NODE_EXTRA_CA_CERTS", cert),
        None => cmd.env_remove("NODE_EXTRA_CA_CERTS"),
    };
    run_client("JS SDK v3", cmd, Duration::from_secs(120))
}

#[test]
fn js_sdk_v3_over_http() {
    assert_eq!(run(false).ok, CHECKS);
}

#[test]
fn js_sdk_v3_over_tls() {
    assert_eq!(run(true).ok, CHECKS);
}
