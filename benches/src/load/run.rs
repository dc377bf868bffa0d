//! One run: set-up, the timed phase, the RSS phase, and the server's counters, measured into a
//! [`Measured`] for the report.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::calls::{setup, verdict_counts};
use crate::cli::Args;
use crate::client::Conn;
use crate::phase::{phase, Stop};
use crate::pool::{build_pool, Entry};
use crate::procfs::{cpu_seconds, loadavg, rss_kib};
use crate::report::Measured;
use crate::server::Server;
use crate::stats::Stats;

/// What one server did over its slices of the timed phase.
#[derive(Default)]
pub(crate) struct Slices {
    pub(crate) stats: Stats,
    pub(crate) elapsed: Duration,
    /// CPU seconds over the slices: the server's and the client's.
    pub(crate) server_cpu: f64,
    pub(crate) client_cpu: f64,
}

impl Slices {
    /// CPU per answered request of the server and of the client, µs.
    pub(crate) fn per_request_us(&self) -> (f64, f64) {
        let per = |cpu: f64| {
            if self.stats.ok == 0 {
                0.0
            } else {
                cpu / self.stats.ok as f64 * 1e6
            }
        };
        (per(self.server_cpu), per(self.client_cpu))
    }

    /// Answered requests per second.
    pub(crate) fn rps(&self) -> f64 {
        self.stats.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Loads the server with process `pid` over `senders` until `until`, adding to `into`.
async fn slice(
    senders: &mut Vec<Conn>,
    addr: SocketAddr,
    pid: u32,
    args: &Args,
    pool: &Arc<Vec<Entry>>,
    until: Duration,
    into: &mut Slices,
) -> Result<()> {
    let spid = pid.to_string();
    let (s0, c0) = (cpu_seconds(&spid)?, cpu_seconds("self")?);
    let (stats, elapsed) = phase(
        senders,
        addr,
        args.client,
        pool,
        &Stop::At(Instant::now() + until),
        true,
    )
    .await?;
    let (s1, c1) = (cpu_seconds(&spid)?, cpu_seconds("self")?);
    into.stats.merge(stats);
    into.elapsed += elapsed;
    into.server_cpu += s1 - s0;
    into.client_cpu += c1 - c0;
    Ok(())
}

/// Loads `server` as `args` say and measures it; with a `baseline`, loads that too, over as
/// many connections of the same client, in slices alternating with the server's.
pub(crate) async fn run(
    args: Args,
    server: &Server,
    baseline: Option<&Server>,
) -> Result<Measured> {
    let addr = server.addr;
    let pid = server.pid();
    let load_before = loadavg();
    setup(addr, &args).await?;
    let (_, acc0, rej0) = verdict_counts(addr).await?;

    let mut senders = Vec::with_capacity(args.connections);
    for _ in 0..args.connections.max(1) {
        senders.push(Conn::open(addr, args.client).await?);
    }
    let mut base_senders = Vec::new();
    if let Some(b) = baseline {
        for _ in 0..args.connections.max(1) {
            base_senders.push(Conn::open(b.addr, args.client).await?);
        }
    }

    // Timed phase: mock-aws's slices and the baseline's, taking turns (which goes first
    // alternates, so that a change of the machine's load between slices evens out).
    let pool = Arc::new(build_pool(&args, &addr.to_string())?);
    let (rss_start, _) = rss_kib(pid)?;
    let rounds = if baseline.is_some() {
        args.rounds.max(1)
    } else {
        1
    };
    let each = args.duration / rounds;
    let mut ours = Slices::default();
    let mut base = Slices::default();
    for round in 0..rounds {
        for ours_turn in [round % 2 == 0, round % 2 == 1] {
            match (ours_turn, baseline) {
                (true, _) => {
                    slice(&mut senders, addr, pid, &args, &pool, each, &mut ours).await?;
                }
                (false, Some(b)) => {
                    slice(
                        &mut base_senders,
                        b.addr,
                        b.pid(),
                        &args,
                        &pool,
                        each,
                        &mut base,
                    )
                    .await?;
                }
                (false, None) => {}
            }
        }
    }
    let load_after = loadavg();
    ours.stats.latencies.sort_unstable();
    base.stats.latencies.sort_unstable();
    let (server_us, client_us) = ours.per_request_us();

    // RSS phase.
    let mut rss_points: Vec<(u64, u64)> = Vec::new();
    let mut rss_stats = Stats::default();
    let mut rss_elapsed = Duration::ZERO;
    if args.rss_requests > 0 && !senders.is_empty() {
        let pool = Arc::new(build_pool(&args, &addr.to_string())?);
        rss_points.push((0, rss_kib(pid)?.0));
        let step = args.rss_step.clamp(1, args.rss_requests);
        let mut done = 0;
        while done < args.rss_requests {
            let n = step.min(args.rss_requests - done);
            let (st, el) = phase(
                &mut senders,
                addr,
                args.client,
                &pool,
                &Stop::Budget(Arc::new(AtomicU64::new(n))),
                false,
            )
            .await?;
            rss_stats.merge(st);
            rss_elapsed += el;
            done += n;
            rss_points.push((done, rss_kib(pid)?.0));
            if senders.is_empty() {
                break;
            }
        }
    }
    // VmHWM and VmRSS are sampled by the kernel separately; the peak is the larger of both.
    let hwm = rss_points
        .iter()
        .map(|&(_, k)| k)
        .fold(rss_kib(pid)?.1, u64::max);

    // The server's own count: every answered request accepted, none rejected.
    let (_, acc1, rej1) = verdict_counts(addr).await?;
    Ok(Measured {
        args,
        load_before,
        load_after,
        timed: ours.stats,
        elapsed: ours.elapsed,
        baseline: baseline.map(|_| base),
        server_us,
        client_us,
        rss_points,
        rss_stats,
        rss_elapsed,
        rss_start,
        hwm,
        accepted: acc1 - acc0,
        rejected: rej1 - rej0,
        log_lines: server.log_lines.load(Ordering::Relaxed),
    })
}
