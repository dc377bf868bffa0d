//! One run: set-up, the timed phase, the RSS phase, and the server's counters, measured into a
//! [`Measured`] for the report.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::calls::{setup, verdict_counts};
use crate::cli::Args;
use crate::client::Conn;
use crate::phase::{phase, Stop};
use crate::pool::build_pool;
use crate::procfs::{cpu_seconds, loadavg, rss_kib};
use crate::report::Measured;
use crate::server::Server;
use crate::stats::Stats;

/// Loads `server` as `args` say and measures it.
pub(crate) async fn run(args: Args, server: &Server) -> Result<Measured> {
    let addr = server.addr;
    let pid = server.pid();
    let spid = pid.to_string();
    let load_before = loadavg();
    setup(addr, &args).await?;
    let (_, acc0, rej0) = verdict_counts(addr).await?;

    let mut senders = Vec::with_capacity(args.connections);
    for _ in 0..args.connections.max(1) {
        senders.push(Conn::open(addr, args.client).await?);
    }

    // Timed phase.
    let pool = Arc::new(build_pool(&args, &addr.to_string())?);
    let (rss_start, _) = rss_kib(pid)?;
    let (cpu_s0, cpu_c0) = (cpu_seconds(&spid)?, cpu_seconds("self")?);
    let (mut timed, elapsed) = phase(
        &mut senders,
        addr,
        args.client,
        &pool,
        &Stop::At(Instant::now() + args.duration),
        true,
    )
    .await?;
    let (cpu_s1, cpu_c1) = (cpu_seconds(&spid)?, cpu_seconds("self")?);
    let load_after = loadavg();
    timed.latencies.sort_unstable();
    let per_req = |cpu: f64| {
        if timed.ok == 0 {
            0.0
        } else {
            cpu / timed.ok as f64 * 1e6
        }
    };
    let (server_us, client_us) = (per_req(cpu_s1 - cpu_s0), per_req(cpu_c1 - cpu_c0));

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
        timed,
        elapsed,
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
