//! The AWS SDK for Ruby's aws-sdk-s3 (Debian's `ruby-aws-sdk-s3` 1.117.2 and
//! `ruby-aws-sdk-core` 3.168.1 with Ruby 3.1, installed by `.ci/setup.d/clients.sh`) with a
//! Ruby S3 user's defaults: a client with an endpoint, path-style addressing and static
//! credentials; create_bucket, put_object, `Object#upload_file` of 20 MiB (multipart, 5 MiB
//! parts), head_object, get_object to a file, `Object#download_file` (GETs by partNumber),
//! list_objects_v2 and list_objects, a Presigner URL, deletes
//! (`tests/clients/ruby_aws_sdk_s3.rb`).

use std::process::Command;
use std::time::Duration;

use super::{run_client, script, server, Run};
use crate::common::tools::SETUP;

/// aws-sdk-s3's version (`Aws::S3::GEM_VERSION`; `.ci/setup.d/clients.sh` pins 1.117.2-1).
pub const VERSION: &str = "1.117.2";

/// aws-sdk-core's version (`Aws::CORE_GEM_VERSION`; pinned as 3.168.1-2).
pub const CORE_VERSION: &str = "3.168.1";

/// The checks the script prints `ok` for, in order.
pub const CHECKS: &[&str] = &[
    "create_bucket",
    "put_object",
    "upload_file 20 MiB (defaults: one PutObject)",
    "upload_file 20 MiB (multipart, ETag -5)",
    "head_object",
    "get_object 20 MiB",
    "download_file 20 MiB (GETs by partNumber)",
    "list_objects_v2",
    "list_objects",
    "presigned GET (Presigner)",
    "delete_object, delete_bucket",
];

fn run(tls: bool) -> Run {
    let found = Command::new("ruby")
        .args([
            "-e",
            "require 'aws-sdk-s3'; puts Aws::S3::GEM_VERSION, Aws::CORE_GEM_VERSION",
        ])
        .output();
    let versions = found
        .as_ref()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    assert!(
        versions == format!("{VERSION} {CORE_VERSION}"),
        "Ruby with aws-sdk-s3 {VERSION} and aws-sdk-core {CORE_VERSION} is not installed (found {versions:?}, {:?}): run `{SETUP}`",
        found.err()
    );
    let server = server(tls);
    let mut cmd = Command::new("ruby");
    // Only what the script is given: no CA bundle from the environment.
    cmd.arg(script("ruby_aws_sdk_s3.rb"))
        .arg(server.url())
        .env_remove("AWS_CA_BUNDLE");
    if let Some(cert) = &server.cert {
        cmd.arg(cert);
    }
    run_client("Ruby aws-sdk-s3", cmd, Duration::from_secs(120))
}

#[test]
fn ruby_aws_sdk_s3_over_http() {
    assert_eq!(run(false).ok, CHECKS);
}

#[test]
fn ruby_aws_sdk_s3_over_tls() {
    assert_eq!(run(true).ok, CHECKS);
}
