//! `sigv4 probe`: judge a server that verifies SigV4 (an S3-compatible store, an AWS emulator,
//! a signing proxy) with a battery of signed requests, each with the verdict AWS would give.
//!
//! - [`battery`]: the cases. Every request is built with this project's signer; a must-accept
//!   request is verified with `sigv4_signer::verify` before it is sent, a must-reject one is
//!   a signed request changed in exactly one way, and our verifier must reject it for that reason
//!   (or, where the reason is outside the signature, must accept its signature), so the battery
//!   proves itself before it judges a server.
//! - [`http`]: a small HTTP/1.1 client over loopback, every request with a timeout.
//! - [`judge`]: the answer's status and AWS error code against AWS's.
//! - [`targets`]: the bundled servers (mock-aws in-process, moto, s3rver, s3s-fs, LocalStack
//!   when installed), started on 127.0.0.1 and stopped by the runner.
//! - [`output`]: terminal table, JSON, JUnit, and docs/verifiers.md / .html.

pub mod battery;
pub mod http;
pub mod judge;
pub mod output;
pub mod targets;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context as _, Result};

pub use battery::{Ctx, Service};
pub use judge::Verdict;

/// `sigv4 probe`.
#[derive(clap::Args, Debug)]
pub struct ProbeArgs {
    /// The server, `http://127.0.0.1:PORT` (loopback only).
    #[arg(long, required_unless_present = "target")]
    pub endpoint: Option<String>,
    /// A bundled target started by the probe instead of --endpoint: mock-aws, moto, s3rver,
    /// s3s-fs, localstack.
    #[arg(long, conflicts_with = "endpoint")]
    pub target: Option<String>,
    /// Access key id the server knows.
    #[arg(long, default_value = "AKIDEXAMPLE")]
    pub access_key: String,
    /// Its secret.
    #[arg(long, default_value = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")]
    pub secret_key: String,
    /// A temporary credential the server knows, `AKID:SECRET:TOKEN`, for the session-token
    /// cases (left out without it).
    #[arg(long)]
    pub session_credentials: Option<String>,
    /// Services to probe (repeatable): s3, sts, dynamodb, kinesis. Default: s3.
    #[arg(long = "service", value_enum)]
    pub services: Vec<Service>,
    /// The region the server serves.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// The server verifies SigV4a (AWS4-ECDSA-P256-SHA256): add the SigV4a cases.
    #[arg(long)]
    pub sigv4a: bool,
    /// Per-request timeout, seconds (a request that takes longer is a `hang`).
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// Write the verdicts as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write JUnit XML.
    #[arg(long)]
    pub junit: Option<PathBuf>,
}

/// `sigv4 probe-report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Output folder (default: docs/ of the repository).
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Only these bundled targets (repeatable; default: all).
    #[arg(long = "target")]
    pub targets: Vec<String>,
    /// Per-request timeout, seconds.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
}

/// What one server answered to the battery.
#[derive(Debug, Clone)]
pub struct Run {
    /// The server's name.
    pub server: String,
    /// What it is (version).
    pub about: String,
    /// The verdicts, in battery order.
    pub verdicts: Vec<Verdict>,
    /// Notes: set-up answers, cases left out and why.
    pub notes: Vec<String>,
}

/// The clock of the probe (the signer has none): the current Unix time.
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Probes one running server: the set-up requests, then the battery, one request at a time.
pub fn probe(ctx: &Ctx, server: &str, about: &str, timeout: Duration) -> Result<Run> {
    let addr = ctx.addr;
    let mut notes = Vec::new();
    for (what, wire) in battery::setup(ctx)? {
        match http::send(addr, &wire, timeout) {
            http::Sent::Answer(a) => {
                if !(200..300).contains(&a.status) && a.status != 409 {
                    notes.push(format!(
                        "set-up {what}: {} {}",
                        a.status,
                        judge::error_code(&a).unwrap_or_default()
                    ));
                }
            }
            other => notes.push(format!("set-up {what}: {}", other.describe())),
        }
    }
    let cases = battery::build(ctx)?;
    notes.extend(battery::left_out(ctx));
    let verdicts = cases
        .iter()
        .map(|c| judge::judge(c, &http::send(addr, &c.wire, timeout)))
        .collect();
    Ok(Run {
        server: server.to_owned(),
        about: about.to_owned(),
        verdicts,
        notes,
    })
}

/// `sigv4 probe`: against `--endpoint`, or a bundled `--target` started for the run.
pub fn cmd_probe(args: &ProbeArgs) -> Result<ExitCode> {
    let timeout = Duration::from_secs_f64(args.timeout.clamp(0.1, 120.0));
    let services = if args.services.is_empty() {
        vec![Service::S3]
    } else {
        args.services.clone()
    };
    let run = if let Some(name) = &args.target {
        let root = crate::bundled::repo_root();
        let t = match targets::start(name, &root, timeout)? {
            targets::Started::Running(t) => t,
            targets::Started::Skipped(reason) => bail!("{name} not started: {reason}"),
        };
        let mut ctx = t.ctx(now_unix());
        ctx.services.retain(|s| services.contains(s));
        probe(&ctx, &t.name, &t.about, timeout)?
    } else {
        let endpoint = args.endpoint.as_deref().unwrap_or_default();
        let addr = http::loopback_addr(endpoint)?;
        let session = match &args.session_credentials {
            None => None,
            Some(s) => {
                let mut p = s.splitn(3, ':');
                match (p.next(), p.next(), p.next()) {
                    (Some(a), Some(k), Some(t)) => Some(battery::Key::new(a, k, Some(t))),
                    _ => bail!("--session-credentials is AKID:SECRET:TOKEN"),
                }
            }
        };
        let ctx = Ctx {
            addr,
            host: addr.to_string(),
            key: battery::Key::new(&args.access_key, &args.secret_key, None),
            session,
            region: args.region.clone(),
            services,
            sigv4a: args.sigv4a,
            now: now_unix(),
            run_id: format!("{:x}", now_unix()),
        };
        probe(&ctx, endpoint, "", timeout)?
    };
    print!("{}", output::table(&run));
    if let Some(p) = &args.json {
        std::fs::write(p, serde_json::to_string_pretty(&output::json(&run))? + "\n")
            .with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(p) = &args.junit {
        std::fs::write(p, output::junit(std::slice::from_ref(&run)))
            .with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(if judge::Summary::of(&run.verdicts).disagreed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `sigv4 probe-report`: every bundled target in turn, then docs/verifiers.md and .html.
pub fn cmd_report(args: &ReportArgs) -> Result<ExitCode> {
    let root = crate::bundled::repo_root();
    let timeout = Duration::from_secs_f64(args.timeout.clamp(0.1, 120.0));
    let names: Vec<String> = if args.targets.is_empty() {
        targets::NAMES.iter().map(|s| (*s).to_owned()).collect()
    } else {
        args.targets.clone()
    };
    let mut runs = Vec::new();
    let mut skipped = Vec::new();
    for name in &names {
        eprintln!("probe-report: starting {name}");
        match targets::start(name, &root, timeout) {
            Ok(targets::Started::Running(t)) => {
                let ctx = t.ctx(now_unix());
                let mut run = probe(&ctx, &t.name, &t.about, timeout)?;
                if let Some(r) = t.remark {
                    run.notes.insert(0, r.to_owned());
                }
                eprintln!(
                    "probe-report: {name}: {}",
                    judge::Summary::of(&run.verdicts)
                );
                runs.push(run);
                drop(t);
            }
            Ok(targets::Started::Skipped(reason)) => {
                eprintln!("probe-report: {name} skipped: {reason}");
                skipped.push((name.clone(), reason));
            }
            // A bundled target that does not start leaves the matrix incomplete: nothing is
            // written (docs/verifiers.md keeps what it has).
            Err(e) => bail!("{name} did not start: {e:#}"),
        }
    }
    if runs.is_empty() {
        bail!("no target ran (is its tool installed? bash .ci/setup)");
    }
    let out = args.out_dir.clone().unwrap_or_else(|| root.join("docs"));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let md = out.join("verifiers.md");
    let html = out.join("verifiers.html");
    std::fs::write(&md, output::markdown(&runs, &skipped))
        .with_context(|| format!("writing {}", md.display()))?;
    std::fs::write(&html, output::html(&runs, &skipped))
        .with_context(|| format!("writing {}", html.display()))?;
    print!("{}", output::headline_text(&runs));
    println!("wrote {} and {}", md.display(), html.display());
    Ok(ExitCode::SUCCESS)
}
