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
