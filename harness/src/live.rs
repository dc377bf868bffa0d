//! `sigv4 live -- CMD ARGS`: a fresh mock-aws in-process on 127.0.0.1, a client program run
//! against it, then the server's verdict on every request the program made.

use std::fmt::Write as _;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use mock_aws::{Config, Credential, MockAws, Request};
use serde_json::Value;

/// The access key the program gets (AWS's documented example pair).
pub const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
/// The secret the program gets.
pub const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// The region the program gets and the server serves.
pub const REGION: &str = "us-east-1";

/// What a live run found.
#[derive(Debug)]
pub struct LiveResult {
    /// The program's exit status, or `None` when it was killed at the timeout.
    pub status: Option<std::process::ExitStatus>,
    /// The verdicts, oldest first (the `verdicts` array of `/_mock-aws/verdicts`).
    pub verdicts: Vec<Value>,
    /// The printed report.
    pub report: String,
}

impl LiveResult {
    /// Requests rejected because of their signature (any verifier code but a too-large body).
    pub fn signature_rejections(&self) -> usize {
        self.verdicts
            .iter()
            .filter(|v| {
                v["verifier_code"]
                    .as_str()
                    .is_some_and(|c| c != "request-too-large")
            })
            .count()
    }

    /// Whether `live` exits non-zero.
    pub fn is_failure(&self) -> bool {
        !self.status.is_some_and(|s| s.success())
            || self.signature_rejections() > 0
            || self.verdicts.is_empty()
    }
}

/// Starts mock-aws, runs `argv` with the AWS environment pointing at it (bounded by
/// `timeout`), and reads the verdicts.
pub fn run(argv: &[String], timeout: Duration) -> Result<LiveResult> {
    let (program, args) = argv
        .split_first()
        .context("give the client program after `--`: sigv4 live -- CMD ARGS")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let service = Arc::new(MockAws::new(Config {
        credentials: vec![Credential::example()],
        region: REGION.to_owned(),
        verdict_capacity: 10_000,
        ..Config::default()
    }));
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .context("listening on 127.0.0.1")?;
    let addr = listener.local_addr()?;
    runtime.spawn(mock_aws::server::serve(
        listener,
        Arc::clone(&service),
        false,
    ));
    let endpoint = format!("http://{addr}");
    eprintln!(
        "sigv4 live: mock-aws on {endpoint}; running {}",
        argv.join(" ")
    );
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .env("AWS_ENDPOINT_URL", &endpoint)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
        .env("AWS_DEFAULT_REGION", REGION)
        .env("AWS_REGION", REGION)
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        // No shared config or credentials files of the user's leak in.
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .process_group(0)
        .spawn()
        .with_context(|| format!("starting {program}"))?;
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break Some(s);
        }
        if started.elapsed() > timeout {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let (resp, _) = service.handle(&Request {
        method: "GET".into(),
        target: "/_mock-aws/verdicts".into(),
        headers: vec![("Host".into(), addr.to_string())],
        body: Vec::new(),
    });
    let doc: Value = serde_json::from_slice(&resp.body).context("reading the verdicts")?;
    let verdicts = doc["verdicts"].as_array().cloned().unwrap_or_default();
    runtime.shutdown_timeout(Duration::from_secs(1));
    if doc["total"].as_u64().unwrap_or(0) as usize > verdicts.len() {
        bail!("more requests than the verdict ring holds");
    }
    let mut report = String::new();
    match status {
        Some(s) => {
            let _ = writeln!(
                report,
                "program exited with {s} after {:.1} s",
                elapsed.as_secs_f64()
            );
        }
        None => {
            let _ = writeln!(
                report,
                "program killed: still running after {} s (--timeout)",
                timeout.as_secs()
            );
        }
    }
    for v in &verdicts {
        let _ = writeln!(
            report,
            "#{} {} {} -> {} {} (service {}, operation {}){}",
            v["seq"],
            v["method"].as_str().unwrap_or(""),
            v["path"].as_str().unwrap_or(""),
            v["status"],
            v["outcome"].as_str().unwrap_or(""),
            v["service"].as_str().unwrap_or(""),
            v["operation"].as_str().unwrap_or("-"),
            match (v["error_code"].as_str(), v["verifier_code"].as_str()) {
                (Some(e), Some(c)) => format!(": {e} ({c})"),
                (Some(e), None) => format!(": {e}"),
                (None, Some(c)) => format!(": {c}"),
                (None, None) => String::new(),
            }
        );
        if let Some(d) = v["diagnosis"].as_str() {
            let _ = writeln!(
                report,
                "    diagnosis ({}): {d}",
                v["diagnosis_code"].as_str().unwrap_or("")
            );
        }
        if v["verifier_code"].as_str() == Some("signature-mismatch") {
            if let Some(c) = v["canonical_request"].as_str() {
                let _ = writeln!(report, "    the server's canonical request:");
                for l in c.lines() {
                    let _ = writeln!(report, "      {}", l.escape_debug());
                }
            }
        }
    }
    let result = LiveResult {
        status,
        verdicts,
        report,
    };
    let accepted = result
        .verdicts
        .iter()
        .filter(|v| v["outcome"] == "accepted")
        .count();
    let mut report = result.report.clone();
    let _ = writeln!(
        report,
        "{} requests: {} accepted, {} rejected ({} for the signature)",
        result.verdicts.len(),
        accepted,
        result.verdicts.len() - accepted,
        result.signature_rejections()
    );
    if result.verdicts.is_empty() {
        let _ = writeln!(
            report,
            "no request reached mock-aws: is the program using AWS_ENDPOINT_URL?"
        );
    }
    Ok(LiveResult { report, ..result })
}
