//! The AWS CLI v2 (Debian's 2.9.19 at `/usr/bin/aws`, installed by `.ci/setup.d/clients.sh`)
//! with its defaults: s3 mb, cp up 20 MiB (multipart), ls, cp down, presign (fetched with
//! curl), cp --metadata --acl, an S3-to-S3 copy (UploadPartCopy), get-object-attributes, sync,
//! rm, rb (`tests/clients/awscli2_client.sh`). The venv's AWS CLI v1 is `aws_cli.rs`.

use std::process::Command;
use std::time::Duration;

use super::{run_client, script, server, Run};
use crate::common::tools::SETUP;

/// The pinned version (`.ci/setup.d/clients.sh`).
pub const VERSION: &str = "2.9.19";

/// The checks the script prints `ok` for, in order.
pub const CHECKS: &[&str] = &[
    "s3 mb",
    "s3 cp up 20 MiB (multipart)",
    "s3 ls (ListObjectsV2)",
    "s3 cp down 20 MiB",
    "s3 presign",
    "s3 cp --metadata --acl public-read",
    "s3 cp s3-to-s3 20 MiB (UploadPartCopy), get-object-attributes",
    "s3 sync up and down",
    "s3 rm, rb",
];

fn run(tls: bool) -> Run {
    let found = Command::new("/usr/bin/aws").arg("--version").output();
    let version = found
        .as_ref()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    assert!(
        version.starts_with(&format!("aws-cli/{VERSION} ")),
        "the AWS CLI v2 {VERSION} is not at /usr/bin/aws (found {version:?}): run `{SETUP}`"
    );
    let server = server(tls);
    let mut cmd = Command::new("bash");
    cmd.arg(script("awscli2_client.sh")).arg(server.url());
    if let Some(cert) = &server.cert {
        cmd.arg(cert);
    }
    run_client("aws-cli v2", cmd, Duration::from_secs(120))
}

#[test]
fn awscli2_over_http() {
    assert_eq!(run(false).ok, CHECKS);
}

#[test]
fn awscli2_over_tls() {
    assert_eq!(run(true).ok, CHECKS);
}
