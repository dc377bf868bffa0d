//! boto3 (the version pinned in `tests/requirements.txt`) against a real `mock-aws`.

use crate::common;

use std::process::Command;

#[test]
fn boto3_every_operation_and_presigned_urls() {
    let python = common::require(common::Tool::Boto3);
    let server = common::Server::start(&[]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/boto3_flow.py");
    let out = Command::new(&python)
        .arg(script)
        .arg(server.url())
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("run the venv's python");
    assert!(
        out.status.success(),
        "boto3 flow failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The verdict log labels each request's signing scheme (SigV4, SigV4 presigned, SigV2 in the
/// header and presigned, unsigned) as boto3 signs them (`tests/boto3_sigv2.py`); a SigV2
/// mismatch's `StringToSign` is the one botocore's SigV2 signer signed.
#[test]
fn boto3_sigv2_and_sigv4_are_labelled_in_the_verdicts() {
    let python = common::require(common::Tool::Boto3);
    let server = common::Server::start(&[]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/boto3_sigv2.py");
    let out = Command::new(&python)
        .arg(script)
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
        "boto3 SigV2 labels failed:\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let checks: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("ok "))
        .collect();
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
    let python = common::require(common::Tool::Boto3);
    let server = common::Server::start(&[]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/boto3_s3_config.py");
    let out = Command::new(&python)
        .arg(script)
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
        "boto3 S3 configurations failed:\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let checks: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("ok "))
        .collect();
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
