//! boto3 (the version pinned in `tests/requirements.txt`) against a real `mock-aws`.

use crate::common;

/// The checks `tests/SCRIPT` printed (`ok CHECK` lines), run with boto3 against a fresh
/// `mock-aws`.
fn run_script(script: &str, what: &str) -> Vec<String> {
    let server = common::Server::start(&[]);
    common::run_python_script(common::Tool::Boto3, script, &server, what)
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
