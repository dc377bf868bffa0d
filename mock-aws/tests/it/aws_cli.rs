//! The AWS CLI (awscli, pinned in `tests/requirements.txt`, installed in `.venv` by
//! `bash .ci/setup`) against a real `mock-aws`: the commands the README shows, run for real.

use crate::common;

use std::path::PathBuf;
use std::process::{Command, Output};

/// The venv's AWS CLI, checked (pinned version) by the one tool gate.
fn aws() -> PathBuf {
    common::require(common::Tool::AwsCli)
}

fn run(server: &common::Server, secret: &str, args: &[&str]) -> Output {
    run_with(server, secret, "/dev/null", args)
}

fn run_with(server: &common::Server, secret: &str, config: &str, args: &[&str]) -> Output {
    Command::new(aws())
        .arg("--endpoint-url")
        .arg(server.url())
        .args(args)
        .env("AWS_ACCESS_KEY_ID", common::AK)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", aws().display()))
}

fn ok(server: &common::Server, args: &[&str]) -> String {
    let out = run(server, common::SECRET, args);
    assert!(
        out.status.success(),
        "aws {args:?} failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn aws_cli_commands_are_accepted_and_a_bad_secret_is_explained() {
    common::require(common::Tool::AwsCli);

    let server = common::Server::start(&[]);
    assert!(ok(&server, &["sts", "get-caller-identity"]).contains("\"Account\""));

    ok(
        &server,
        &[
            "dynamodb",
            "create-table",
            "--table-name",
            "cli-table",
            "--attribute-definitions",
            "AttributeName=id,AttributeType=S",
            "--key-schema",
            "AttributeName=id,KeyType=HASH",
            "--billing-mode",
            "PAY_PER_REQUEST",
        ],
    );
    assert!(ok(&server, &["dynamodb", "list-tables"]).contains("cli-table"));
    ok(&server, &["kinesis", "list-streams"]);
    assert!(ok(&server, &["ec2", "describe-regions"]).contains("us-east-1"));
    assert!(ok(&server, &["iam", "list-users"]).contains("Users"));

    let dir = std::env::temp_dir().join(format!("mock-aws-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("hello world.txt");
    let content = "hello from the AWS CLI\n".repeat(100);
    std::fs::write(&file, &content).expect("write");
    let file = file.to_string_lossy().into_owned();
    ok(&server, &["s3", "mb", "s3://cli-bucket"]);
    ok(
        &server,
        &["s3", "cp", &file, "s3://cli-bucket/dir/hello world.txt"],
    );
    assert!(ok(&server, &["s3", "ls", "s3://cli-bucket/dir/"]).contains("hello world.txt"));
    let back = ok(
        &server,
        &["s3", "cp", "s3://cli-bucket/dir/hello world.txt", "-"],
    );
    assert_eq!(back, content);
    // awscli v1 presigns with SigV2 unless the profile asks for s3v4 (as the README says).
    let config = dir.join("config");
    std::fs::write(&config, "[default]\ns3 =\n    signature_version = s3v4\n").expect("write");
    let out = run_with(
        &server,
        common::SECRET,
        &config.to_string_lossy(),
        &[
            "s3",
            "presign",
            "s3://cli-bucket/dir/hello world.txt",
            "--expires-in",
            "60",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let url = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(url.contains("X-Amz-Signature="), "{url}");
    let target = &url[url.find("/cli-bucket").expect("path-style URL")..];
    let host = server.addr.clone();
    let r = common::Conn::open(&server.addr).send("GET", target, &[("Host".to_owned(), host)], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), content);
    let _ = std::fs::remove_dir_all(&dir);

    // A wrong secret: the CLI exits non-zero and prints the AWS error code.
    let out = run(&server, "not-the-secret", &["dynamodb", "list-tables"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("InvalidSignatureException"), "{err}");
    // A secret with a trailing newline (a classic copy-paste mistake) is named.
    let secret = format!("{}\n", common::SECRET);
    let out = run(&server, &secret, &["sts", "get-caller-identity"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SignatureDoesNotMatch"), "{err}");
    assert!(err.contains("newline"), "{err}");
}
