//! boto3 (the version pinned in `tests/requirements.txt`) against a real `mock-aws`.

use crate::common;

use std::process::Command;

/// Runs `tests/SCRIPT` with the venv's python against a fresh `mock-aws`, with no AWS
/// configuration from the environment; panics with its output when it fails. Returns the
/// checks it printed (`ok CHECK` lines).
fn run_script(script: &str, what: &str) -> Vec<String> {
    let python = common::require(common::Tool::Boto3);
    let server = common::Server::start(&[]);
    let path = format!("{}/tests/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(&python)
        .arg(path)
        .arg(server.url())
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("run the venv's python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{what} failed:\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("ok "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn boto3_every_operation_and_presigned_urls() {
    run_script("boto3_flow.py", "boto3 flow");
}

/// The verdict log labels each request's signing scheme (SigV4, SigV4 presigned, SigV2 in the
/// header and presigned, unsigned) as boto3 signs them (`tests/boto3_sigv2.py`); a SigV2
/// mismatch's `StringToSign` is the one botocore's SigV2 signer signed.
#[test]
fn boto3_sigv2_and_sigv4_are_labelled_in_the_verdicts() {
    let checks = run_script("boto3_sigv2.py", "boto3 SigV2 labels");
    assert_eq!(
        checks,
        [
            "SigV4 header",
            "SigV4 presigned",
            "SigV2 presigned",
            "SigV2 header",
            "SigV2 mismatch",
            "unsigned"
        ]
    );
}

/// What S3 keeps besides an object's bytes, one family at a time (`tests/boto3_s3_config.py`):
/// user metadata and stored headers (Put, Copy COPY/REPLACE, multipart, `MetadataTooLarge`,
/// GetObject's `response-*` overrides), UploadPartCopy of a range, versioning, object and bucket tags, ACLs, policy, CORS, lifecycle, default encryption,
/// GetObjectAttributes, website / logging / request payment, each read back through boto3's
/// parser.
#[test]
fn boto3_s3_metadata_tags_acls_and_bucket_configurations() {
    let checks = run_script("boto3_s3_config.py", "boto3 S3 configurations");
    assert_eq!(
        checks,
        [
            "metadata",
            "upload part copy",
            "versioning",
            "object tagging",
            "bucket tagging",
            "acl",
            "policy",
            "cors",
            "lifecycle",
            "encryption",
            "attributes",
            "website, logging, request payment"
        ]
    );
}
