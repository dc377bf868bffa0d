//! The MinIO Python client (PyPI, pinned in `.ci/setup.d/clients.sh`, in the venv) with its
//! defaults: make_bucket, fput_object of 20 MiB (multipart, 5 MiB parts, S3's ETag checked
//! with hashlib), list_objects (v2), fget_object, a presigned SigV4 GET, removes
//! (`tests/clients/minio_client.py`).

use std::process::Command;
use std::time::Duration;

use super::{run_client, script, server, Run};
use crate::common::tools::{program, SETUP};
use crate::common::Tool;

/// The pinned version (`.ci/setup.d/clients.sh`).
pub const VERSION: &str = "7.2.20";

/// The checks the script prints `ok` for, in order.
pub const CHECKS: &[&str] = &[
    "make_bucket, bucket_exists",
    "fput_object 20 MiB (multipart)",
    "list_objects",
    "fget_object 20 MiB",
    "presigned GET (SigV4)",
    "remove_object, remove_bucket",
];

fn run(tls: bool) -> Run {
    let python = program(Tool::Python);
    let found = Command::new(&python)
        .args(["-c", "import minio; print(minio.__version__)"])
        .output();
    let version = found
        .as_ref()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    assert!(
        version == VERSION,
        "minio {VERSION} is not in {} (found {version:?}): run `{SETUP}`",
        python.display()
    );
    let server = server(tls);
    let mut cmd = Command::new(python);
    cmd.arg(script("minio_client.py")).arg(server.url());
    if let Some(cert) = &server.cert {
        cmd.arg(cert);
    }
    run_client("minio", cmd, Duration::from_secs(120))
}

#[test]
fn minio_over_http() {
    assert_eq!(run(false).ok, CHECKS);
}

#[test]
fn minio_over_tls() {
    assert_eq!(run(true).ok, CHECKS);
}
