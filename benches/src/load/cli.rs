//! The command line of `mock-aws-load`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::client::ClientKind;

/// Load generator for mock-aws: signed DynamoDB PutItem and S3 GetObject over keep-alive
/// connections, then the server's RSS over many requests.
#[derive(Debug, Parser)]
#[command(name = "mock-aws-load")]
pub(crate) struct Args {
    /// The mock-aws binary (default: `mock-aws` beside this binary, i.e. the same cargo profile).
    #[arg(long)]
    pub(crate) server: Option<PathBuf>,
    /// An argument for mock-aws (repeatable), e.g. `--server-arg=--quiet`.
    #[arg(long = "server-arg", allow_hyphen_values = true)]
    pub(crate) server_args: Vec<String>,
    /// Length of the timed phase (`30s`, `500ms`, `2m`, or seconds).
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub(crate) duration: Duration,
    /// Keep-alive connections.
    #[arg(long, default_value_t = 64)]
    pub(crate) connections: usize,
    /// DynamoDB PutItem : S3 GetObject ratio.
    #[arg(long, default_value = "1:1", value_parser = parse_mix)]
    pub(crate) mix: (u32, u32),
    /// Distinct pre-signed requests replayed round-robin.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) pool: usize,
    /// S3 objects created (GetObject spreads over them).
    #[arg(long, default_value_t = 64)]
    pub(crate) objects: usize,
    /// Size of each S3 object, bytes.
    #[arg(long, default_value_t = 1024)]
    pub(crate) object_size: usize,
    /// Requests of the RSS phase (0 skips it).
    #[arg(long, default_value_t = 1_000_000)]
    pub(crate) rss_requests: u64,
    /// RSS is read after every this many requests of the RSS phase.
    #[arg(long, default_value_t = 250_000)]
    pub(crate) rss_step: u64,
    /// Fail when the server's RSS grows by more than this many MiB over the RSS phase.
    #[arg(long, default_value_t = 64)]
    pub(crate) max_rss_growth_mib: u64,
    /// HTTP client of the load connections.
    #[arg(long, value_enum, default_value_t = ClientKind::Raw)]
    pub(crate) client: ClientKind,
    /// Worker threads of the client's runtime (the server has its own).
    #[arg(long, default_value_t = 1)]
    pub(crate) client_threads: usize,
    /// Hard limit on the whole run; past it the server is killed and the exit code is 2.
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub(crate) timeout: Duration,
    /// Skip the baseline (a bare hyper server answering the same requests without verifying,
    /// loaded for as long as mock-aws, in alternating slices).
    #[arg(long)]
    pub(crate) no_baseline: bool,
    /// The baseline with hyper's HTTP/1.1 builder and no timer, instead of mock-aws's
    /// transport (HTTP/1.1 and HTTP/2 detected per connection, a 30 s header-read timeout:
    /// a timer armed for every request, a 64 KiB read buffer).
    #[arg(long)]
    pub(crate) bare_baseline: bool,
    /// Slices of the timed phase: mock-aws and the baseline take turns, each `--duration`
    /// divided by this, so that both see the same machine.
    #[arg(long, default_value_t = 4)]
    pub(crate) rounds: u32,
    /// Also write the figures as JSON to this file (read by `bench-table`).
    #[arg(long)]
    pub(crate) json: Option<PathBuf>,
    /// Run as the baseline server (started by the load run itself).
    #[arg(long, hide = true)]
    pub(crate) serve_baseline: bool,
    /// The baseline server's address (with `--serve-baseline`).
    #[arg(long, hide = true, default_value = "127.0.0.1:0")]
    pub(crate) listen: String,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("{s:?} is not a duration like 30s, 500ms, 2m");
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: f64 = num.parse().map_err(|_| bad())?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(bad()),
    };
    if !secs.is_finite() || secs <= 0.0 {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(secs))
}

fn parse_mix(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("{s:?} is not DYNAMODB:S3 weights like 1:1");
    let (a, b) = s.split_once(':').ok_or_else(bad)?;
    let (a, b): (u32, u32) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
    if a + b == 0 || a > 1000 || b > 1000 {
        return Err(bad());
    }
    Ok((a, b))
}
