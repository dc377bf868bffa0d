//! The report of a run: a Markdown table on stdout, the failures on stderr, and whether the
//! run passed.

use std::time::Duration;

use crate::cli::Args;
use crate::client::ClientKind;
use crate::procfs::cpu_model;
use crate::run::Slices;
use crate::stats::{percentile, Stats};

/// Issue 17's target: verified requests/s at least this fraction of the bare hyper server's.
pub(crate) const BASELINE_TARGET: f64 = 0.6;

/// What a run measured.
pub(crate) struct Measured {
    pub(crate) args: Args,
    pub(crate) load_before: String,
    pub(crate) load_after: String,
    /// The timed phase, latencies sorted.
    pub(crate) timed: Stats,
    pub(crate) elapsed: Duration,
    /// The baseline's slices of the timed phase (bare hyper, latencies sorted).
    pub(crate) baseline: Option<Slices>,
    /// CPU per request of the timed phase, µs.
    pub(crate) server_us: f64,
    pub(crate) client_us: f64,
    /// (requests done, server `VmRSS` KiB) over the RSS phase.
    pub(crate) rss_points: Vec<(u64, u64)>,
    pub(crate) rss_stats: Stats,
    pub(crate) rss_elapsed: Duration,
    /// `VmRSS` before the timed phase and the peak, KiB.
    pub(crate) rss_start: u64,
    pub(crate) hwm: u64,
    /// The server's verdict counters over the run.
    pub(crate) accepted: u64,
    pub(crate) rejected: u64,
    /// The server's stderr log lines.
    pub(crate) log_lines: u64,
}

fn ms(us: u32) -> String {
    format!("{:.2} ms", f64::from(us) / 1000.0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Measured {
    /// Prints the table (stdout) and each failure (stderr); whether the run passed: no error,
    /// the server's counts agree with the answers, the RSS stayed within its limit, and at
    /// least one request was verified.
    pub(crate) fn report(&self) -> bool {
        let Measured {
            args,
            load_before,
            load_after,
            timed,
            elapsed,
            baseline,
            server_us,
            client_us,
            rss_points,
            rss_stats,
            rss_elapsed,
            rss_start,
            hwm,
            accepted,
            rejected,
            log_lines,
        } = self;
        let (accepted, rejected, rss_start, hwm) = (*accepted, *rejected, *rss_start, *hwm);
        let rps = timed.ok as f64 / elapsed.as_secs_f64();
        let answered = timed.ok + rss_stats.ok;
        let errors = timed.error_count()
            + rss_stats.error_count()
            + baseline.as_ref().map_or(0, |b| b.stats.error_count());
        let counts_agree = accepted == answered && rejected == 0;
        let growth = match (rss_points.first(), rss_points.last()) {
            (Some(&(_, a)), Some(&(_, b))) => b.saturating_sub(a),
            _ => 0,
        };
        let rss_ok = growth <= args.max_rss_growth_mib * 1024;
        let lat = &timed.latencies;

        let mix = format!("{}:{}", args.mix.0, args.mix.1);
        let server_flags = if args.server_args.is_empty() {
            "(default: one log line per request)".to_owned()
        } else {
            args.server_args.join(" ")
        };
        println!("### mock-aws under load\n");
        println!(
            "`mock-aws-load --duration {:?} --connections {} --mix {mix} --client {}` (DynamoDB PutItem : S3 GetObject of {} B), \
             mock-aws {server_flags}; {}, {} cores; load average {load_before} before, {load_after} after the timed phase.\n",
            args.duration,
            args.connections,
            if args.client == ClientKind::Raw { "raw" } else { "hyper" },
            args.object_size,
            cpu_model(),
            std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get),
        );
        println!("| measure | value |");
        println!("| --- | --- |");
        println!(
            "| verified requests/s | {} ({} in {:.1} s) |",
            thousands(rps.round() as u64),
            thousands(timed.ok),
            elapsed.as_secs_f64()
        );
        println!(
            "| latency p50 / p99 / p99.9 / max | {} / {} / {} / {} |",
            ms(percentile(lat, 50.0)),
            ms(percentile(lat, 99.0)),
            ms(percentile(lat, 99.9)),
            ms(lat.last().copied().unwrap_or(0))
        );
        let mut statuses = timed.statuses.clone();
        for (k, v) in &rss_stats.statuses {
            *statuses.entry(*k).or_default() += v;
        }
        let statuses: Vec<String> = statuses
            .iter()
            .map(|(k, v)| format!("{k}: {}", thousands(*v)))
            .collect();
        println!(
            "| HTTP statuses (both phases) | {} |",
            if statuses.is_empty() {
                "none".to_owned()
            } else {
                statuses.join(", ")
            }
        );
        println!(
            "| errors (non-200, wrong body, connection) | {} |",
            thousands(errors)
        );
        println!(
            "| server's verdicts: accepted / rejected | {} / {} (answered: {}) |",
            thousands(accepted),
            thousands(rejected),
            thousands(answered)
        );
        println!("| CPU per request: server / client | {server_us:.1} µs / {client_us:.1} µs |");
        let ratio = baseline.as_ref().map(|b| rps / b.rps().max(1e-9));
        if let Some(b) = baseline {
            let (bs, bc) = b.per_request_us();
            let bl = &b.stats.latencies;
            println!(
                "| baseline ({}, same requests and client, no verification): requests/s | {} ({} in {:.1} s) |",
                if args.bare_baseline {
                    "bare hyper HTTP/1.1"
                } else {
                    "hyper with mock-aws's transport"
                },
                thousands(b.rps().round() as u64),
                thousands(b.stats.ok),
                b.elapsed.as_secs_f64()
            );
            println!(
                "| baseline latency p50 / p99 / max | {} / {} / {} |",
                ms(percentile(bl, 50.0)),
                ms(percentile(bl, 99.0)),
                ms(bl.last().copied().unwrap_or(0))
            );
            println!("| baseline CPU per request: server / client | {bs:.1} µs / {bc:.1} µs |");
            // When the client and the server saturate the machine, requests/s are inversely
            // proportional to the CPU per request of both; this ratio moves less with the
            // machine's other load than requests/s do.
            println!(
                "| CPU per request, baseline / mock-aws (server + client) | {:.2}× |",
                (bs + bc) / (server_us + client_us).max(1e-9)
            );
            let r = ratio.unwrap_or(0.0);
            println!(
                "| verified / baseline requests/s (target ≥ {BASELINE_TARGET}×) | {r:.2}× ({}; {} slices each, alternating) |",
                if r >= BASELINE_TARGET { "met" } else { "not met" },
                args.rounds.max(1)
            );
        }
        if !rss_points.is_empty() {
            let points: Vec<String> = rss_points
                .iter()
                .map(|&(n, kib)| format!("{}: {}", thousands(n), mib(kib)))
                .collect();
            println!(
                "| server RSS over {} more requests ({:.0} req/s) | {} (start of run {}, peak {}) |",
                thousands(rss_stats.ok),
                rss_stats.ok as f64 / rss_elapsed.as_secs_f64().max(1e-9),
                points.join(", "),
                mib(rss_start),
                mib(hwm)
            );
        }
        println!("| server log lines | {} |", thousands(*log_lines));
        for (kind, n) in timed.errors.iter().chain(rss_stats.errors.iter()) {
            eprintln!("mock-aws-load: error x{n}: {kind}");
        }
        for (kind, n) in baseline.iter().flat_map(|b| b.stats.errors.iter()) {
            eprintln!("mock-aws-load: baseline error x{n}: {kind}");
        }
        if !counts_agree {
            eprintln!(
                "mock-aws-load: the server accepted {accepted} and rejected {rejected}, but {answered} requests were answered 200"
            );
        }
        if !rss_ok {
            eprintln!(
                "mock-aws-load: the server's RSS grew by {} over the RSS phase (limit {} MiB)",
                mib(growth),
                args.max_rss_growth_mib
            );
        }
        let mut json_ok = true;
        if let Some(path) = &args.json {
            let (bs, bc) = baseline.as_ref().map_or((0.0, 0.0), Slices::per_request_us);
            let v = serde_json::json!({
                "connections": args.connections,
                "duration_s": elapsed.as_secs_f64(),
                "server_args": args.server_args,
                "client": if args.client == ClientKind::Raw { "raw" } else { "hyper" },
                "cpu": cpu_model(),
                "load_before": load_before,
                "load_after": load_after,
                "verified_rps": rps,
                "verified": timed.ok,
                "server_us": server_us,
                "client_us": client_us,
                "p50_ms": f64::from(percentile(lat, 50.0)) / 1000.0,
                "p99_ms": f64::from(percentile(lat, 99.0)) / 1000.0,
                "baseline_rps": baseline.as_ref().map(Slices::rps),
                "baseline_server_us": baseline.as_ref().map(|_| bs),
                "baseline_client_us": baseline.as_ref().map(|_| bc),
                "ratio": ratio,
                "cpu_ratio": baseline.as_ref().map(|_| (bs + bc) / (server_us + client_us).max(1e-9)),
                "target": BASELINE_TARGET,
                "errors": errors,
                "passed": errors == 0 && counts_agree && rss_ok && timed.ok > 0,
            });
            if let Err(e) = std::fs::write(path, format!("{v:#}\n")) {
                eprintln!("mock-aws-load: cannot write {}: {e}", path.display());
                json_ok = false;
            }
        }
        errors == 0 && counts_agree && rss_ok && timed.ok > 0 && json_ok
    }
}
