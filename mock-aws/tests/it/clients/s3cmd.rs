//! s3cmd (Debian's 2.3.0, installed by `.ci/setup.d/clients.sh`) with its defaults: mb, a
//! 20 MiB put (multipart: two parts of its 15 MiB chunk), ls (ListObjects v1), get, info,
//! setacl, modify, sync, du, del, rb (`tests/clients/s3cmd_client.sh`).

use std::process::Command;
use std::time::Duration;

use super::{run_client, script, server, Run};
use crate::common::tools::SETUP;

/// The pinned version (`.ci/setup.d/clients.sh`).
pub const VERSION: &str = "2.3.0";

/// The checks the script prints `ok` for, in order.
pub const CHECKS: &[&str] = &[
    "mb",
    "put 20 MiB (multipart)",
    "ls (ListObjects v1)",
    "get 20 MiB",
    "info (bucket; object ACL and metadata)",
    "setacl --acl-public, modify --add-header",
    "sync, du",
    "del, rb",
];

fn require() {
    let found = Command::new("s3cmd").arg("--version").output();
    let version = found
        .as_ref()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    assert!(
        version == format!("s3cmd version {VERSION}"),
        "s3cmd {VERSION} is not installed (found {version:?}, {:?}): run `{SETUP}`",
        found.err()
    );
}

fn run(tls: bool) -> Run {
    require();
    let server = server(tls);
    let mut cmd = Command::new("bash");
    cmd.arg(script("s3cmd_client.sh")).arg(server.url());
    if let Some(cert) = &server.cert {
        cmd.arg(cert);
    }
    run_client("s3cmd", cmd, Duration::from_secs(120))
}

#[test]
fn s3cmd_over_http() {
    assert_eq!(run(false).ok, CHECKS);
}

#[test]
fn s3cmd_over_tls() {
    assert_eq!(run(true).ok, CHECKS);
}
