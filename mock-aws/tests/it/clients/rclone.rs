//! rclone (Debian's 1.60.1, installed by `.ci/setup.d/clients.sh`), an S3 remote of provider
//! Other from the environment: mkdir, a 20 MiB copyto (one PutObject, under its 200 MiB
//! multipart cutoff), lsf (ListObjects v1), cat, lsjson --metadata, sync / check / md5sum /
//! size, deletefile, rmdir (`tests/clients/rclone_client.sh`).

use std::process::Command;
use std::time::Duration;

use super::{run_client, script, server, Run};
use crate::common::tools::SETUP;

/// The pinned version (`.ci/setup.d/clients.sh`; Debian builds it as `v1.60.1-DEV`).
pub const VERSION: &str = "1.60.1";

/// The checks the script prints `ok` for, in order.
pub const CHECKS: &[&str] = &[
    "mkdir",
    "copyto 20 MiB (one PutObject)",
    "lsf (ListObjects v1)",
    "cat 20 MiB",
    "lsjson --metadata (x-amz-meta-mtime)",
    "sync, check, md5sum, size",
    "deletefile, rmdir",
];

fn run(tls: bool) -> Run {
    let found = Command::new("rclone").arg("version").output();
    let version = found
        .as_ref()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .unwrap_or_default();
    assert!(
        version.starts_with(&format!("rclone v{VERSION}")),
        "rclone {VERSION} is not installed (found {version:?}): run `{SETUP}`"
    );
    let server = server(tls);
    let mut cmd = Command::new("bash");
    cmd.arg(script("rclone_client.sh")).arg(server.url());
    if let Some(cert) = &server.cert {
        cmd.arg(cert);
    }
    run_client("rclone", cmd, Duration::from_secs(120))
}

#[test]
fn rclone_over_http() {
    assert_eq!(run(false).ok, CHECKS);
}

#[test]
fn rclone_over_tls() {
    assert_eq!(run(true).ok, CHECKS);
}
