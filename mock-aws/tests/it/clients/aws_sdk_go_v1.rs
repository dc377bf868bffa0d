//! The AWS SDK for Go v1 (Debian's `golang-github-aws-aws-sdk-go-dev` 1.44.133, with Debian's
//! Go 1.19, both installed by `.ci/setup.d/clients.sh`) with a Go S3 user's defaults: a
//! session with an endpoint, path-style addressing and static credentials; CreateBucket,
//! PutObject, s3manager's Uploader (20 MiB, multipart in its default 5 MiB parts) and
//! Downloader (ranged GETs in parallel), HeadObject, ListObjectsV2 and ListObjects, a presigned
//! GET, deletes (`tests/clients/aws-sdk-go-v1/main.go`). The program is built here, in GOPATH
//! mode against the Debian package's sources (no module proxy), into the target directory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::{run_client, script, server, Run};
use crate::common::tools::SETUP;

/// The pinned Debian package version (`.ci/setup.d/clients.sh`).
pub const PACKAGE: &str = "1.44.133-1";

/// The SDK's version (its `aws.SDKVersion`), from [`PACKAGE`].
pub const VERSION: &str = "1.44.133";

/// The checks the program prints `ok` for, in order.
pub const CHECKS: &[&str] = &[
    "CreateBucket",
    "PutObject",
    "s3manager.Uploader 20 MiB (multipart, ETag -5)",
    "HeadObject",
    "s3manager.Downloader 20 MiB (ranged GETs)",
    "ListObjectsV2",
    "ListObjects (v1)",
    "presigned GET (Presign)",
    "DeleteObject, DeleteBucket",
];

/// The Debian Go sources' root, GOPATH's second entry.
const GOCODE: &str = "/usr/share/gocode";

fn require() {
    let found = Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", "golang-github-aws-aws-sdk-go-dev"])
        .output();
    let version = found
        .as_ref()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    assert!(
        version == PACKAGE,
        "golang-github-aws-aws-sdk-go-dev {PACKAGE} is not installed (found {version:?}): run `{SETUP}`"
    );
    let sdk = Path::new(GOCODE).join("src/github.com/aws/aws-sdk-go/aws/version.go");
    let source = std::fs::read_to_string(&sdk).unwrap_or_default();
    assert!(
        source.contains(&format!("const SDKVersion = \"{VERSION}\"")),
        "{} does not say SDKVersion {VERSION}: run `{SETUP}`",
        sdk.display()
    );
    let go = Command::new("go").arg("version").output();
    assert!(
        go.as_ref().is_ok_and(|o| o.status.success()),
        "Go (Debian's golang-go) is not on PATH ({:?}): run `{SETUP}`",
        go.err()
    );
}

/// Builds the program once per test binary (bounded: 300 s, a cold Go cache on a loaded
/// machine takes about 90 s; a warm one about 2 s) into `target/<profile>/clients/`.
fn binary() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        require();
        let dir = Path::new(env!("CARGO_BIN_EXE_mock-aws"))
            .parent()
            .expect("target directory")
            .join("clients");
        let out = dir.join("aws-sdk-go-v1");
        let mut cmd = Command::new("go");
        cmd.args(["build", "-o"])
            .arg(&out)
            .arg("./aws-sdk-go-v1")
            .current_dir(script(""))
            .env("GO111MODULE", "off")
            .env(
                "GOPATH",
                format!("{}:{GOCODE}", dir.join("gopath").display()),
            )
            .env("GOCACHE", dir.join("go-cache"))
            .env("GOFLAGS", "-trimpath")
            .env("GOPROXY", "off")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("start go build");
        let start = Instant::now();
        while child.try_wait().expect("go build").is_none() {
            if start.elapsed() > Duration::from_secs(300) {
                let _ = child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let o = child.wait_with_output().expect("go build output");
        assert!(
            o.status.success(),
            "go build of tests/clients/aws-sdk-go-v1 failed (or ran over 300 s): {}",
            String::from_utf8_lossy(&o.stderr)
        );
        out
    })
}

fn run(tls: bool) -> Run {
    let program = binary();
    let server = server(tls);
    let mut cmd = Command::new(program);
    // Only what the program is given: no CA bundle from the environment.
    cmd.arg(server.url()).env_remove("AWS_CA_BUNDLE");
    if let Some(cert) = &server.cert {
        cmd.arg(cert);
    }
    run_client("aws-sdk-go v1", cmd, Duration::from_secs(120))
}

#[test]
fn aws_sdk_go_v1_over_http() {
    assert_eq!(run(false).ok, CHECKS);
}

#[test]
fn aws_sdk_go_v1_over_tls() {
    assert_eq!(run(true).ok, CHECKS);
}
