//! The client suite: real S3 clients, each with its user's defaults (an endpoint, credentials,
//! path-style addressing), against a real `mock-aws` over HTTP and over `--tls`, each with a
//! 20 MiB upload and download. One module per client; each client's script prints
//! `ok OPERATION` per check it passed, which [`run_client`] collects for the README's table
//! (`tests/clients/`, `mock-aws/README.md` "Clients").

pub mod boto3;

use std::process::Command;
use std::time::Duration;

use crate::common::Server;

/// What a client run proved: the operations it printed `ok` for.
#[derive(Debug)]
pub struct Run {
    pub ok: Vec<String>,
}

/// Runs `cmd` (with `endpoint` and, over TLS, the certificate appended by the caller) bounded
/// by `timeout`; panics with its output when it fails or times out.
pub fn run_client(name: &str, mut cmd: Command, timeout: Duration) -> Run {
    cmd.env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{name}: cannot start: {e}"));
    let start = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                break;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("{name}: {e}"),
        }
    }
    let out = child.wait_with_output().expect("client output");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} failed (or ran over {timeout:?}):\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Run {
        ok: stdout
            .lines()
            .filter_map(|l| l.strip_prefix("ok "))
            .map(str::to_owned)
            .collect(),
    }
}

/// A fresh `mock-aws` over HTTP, or over `--tls` with its certificate.
pub fn server(tls: bool) -> Server {
    Server::start(if tls { &["--tls"] } else { &[] })
}

/// The script `tests/clients/NAME`.
pub fn script(name: &str) -> String {
    format!("{}/tests/clients/{name}", env!("CARGO_MANIFEST_DIR"))
}
