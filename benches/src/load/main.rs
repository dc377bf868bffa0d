//! `mock-aws-load`: mock-aws under load.
//!
//! Starts the `mock-aws` binary as a child process on `127.0.0.1:0`, creates a DynamoDB table,
//! an S3 bucket and its objects, pre-signs a pool of distinct DynamoDB `PutItem` and S3
//! `GetObject` requests with this project's signer, then:
//!
//! 1. the timed phase: `--connections` keep-alive HTTP/1.1 connections (tokio + hyper) replay the
//!    pool round-robin for `--duration`; requests per second and latency percentiles;
//! 2. the RSS phase: `--rss-requests` more requests as fast as they go, the server's `VmRSS`
//!    (`/proc/PID/status`) read before, at every `--rss-step` and after.
//!
//! Every response must be a 200 with the expected body (`{}` for `PutItem`, the object's bytes
//! for `GetObject`), and the server's own counters (`GET /_mock-aws/verdicts`) must have
//! accepted exactly as many requests as were answered and rejected none: mock-aws re-verifies
//! every signature in full (it keeps no cache of verdicts nor of signing keys), so replaying
//! pre-signed requests costs the server what fresh ones would and keeps the client's CPU, on
//! the same machine, out of the way. Prints a Markdown block; exits 1 on any error, 2 on the
//! hard `--timeout`.
//!
//! In the same run, a bare hyper server (`baseline`, this binary started again) answers the
//! same requests over as many connections without verifying, in slices alternating with
//! mock-aws's; verified requests/s are reported as a ratio to its requests/s.
//!
//! The modules: `cli` (the flags), `server` (the child process), `baseline` (the bare hyper
//! server), `procfs` (`/proc`
//! readers), `pool` (signing and the pre-signed pool), `client` (the raw and hyper
//! clients), `calls` (set-up and the verdict counters), `phase` (workers until a stop),
//! `stats`, `run` (one run, measured) and `report` (the table).

mod baseline;
mod calls;
mod cli;
mod client;
mod phase;
mod pool;
mod procfs;
mod report;
mod run;
mod server;
mod stats;

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use clap::Parser;

use crate::cli::Args;
use crate::run::run;
use crate::server::Server;

fn main() {
    let args = Args::parse();
    let code = match main_inner(args) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            eprintln!("mock-aws-load: {e:#}");
            if e.to_string().contains("timed out") {
                2
            } else {
                1
            }
        }
    };
    std::process::exit(code);
}

fn main_inner(args: Args) -> Result<bool> {
    if args.serve_baseline {
        baseline::serve(&args)?;
        return Ok(true);
    }
    let path = match &args.server {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .map(|d| d.join("mock-aws"))
            .ok_or_else(|| anyhow!("no directory for the current executable"))?,
    };
    if !path.exists() {
        bail!(
            "{} not found: build it with `cargo build --release -p mock-aws` (or pass --server PATH)",
            path.display()
        );
    }
    let server = Server::start(&path, &args.server_args)?;
    let baseline = if args.no_baseline {
        None
    } else {
        let me = std::env::current_exe()?;
        let mut flags = vec![
            "--serve-baseline".to_owned(),
            format!("--objects={}", args.objects),
            format!("--object-size={}", args.object_size),
        ];
        if args.bare_baseline {
            flags.push("--bare-baseline".to_owned());
        }
        Some(Server::start(&me, &flags).context("starting the baseline server")?)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.client_threads.max(1))
        .enable_all()
        .build()?;
    let timeout = args.timeout;
    let result = runtime.block_on(async move {
        tokio::time::timeout(timeout, async {
            Ok(run(args, &server, baseline.as_ref()).await?.report())
        })
        .await
        .map_err(|_| anyhow!("timed out after {timeout:?} (--timeout)"))?
    });
    // Dropping the runtime cancels the workers; the server is killed when `server` drops.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}
