//! boto3 (the version pinned in `tests/requirements.txt`) against a real `mock-aws`.

mod common;

use std::path::PathBuf;
use std::process::Command;

/// The venv's Python that `bash .ci/test` creates at the workspace root (or `$SIGV4_PYTHON`).
fn python() -> PathBuf {
    std::env::var_os("SIGV4_PYTHON").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin/python")),
        PathBuf::from,
    )
}

#[test]
fn boto3_every_operation_and_presigned_urls() {
    let pinned = include_str!("requirements.txt")
        .lines()
        .find_map(|l| l.trim().strip_prefix("boto3=="))
        .expect("boto3 is pinned in tests/requirements.txt")
        .to_owned();
    let probe = Command::new(python())
        .args(["-c", "import boto3; print(boto3.__version__)"])
        .output();
    let version = probe
        .as_ref()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    assert_eq!(
        version.as_deref(),
        Some(pinned.as_str()),
        "{} must have boto3=={pinned} (mock-aws/tests/requirements.txt); run the set-up command `bash .ci/test`: {probe:?}",
        python().display()
    );
    let server = common::Server::start(&[]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/boto3_flow.py");
    let out = Command::new(python())
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
