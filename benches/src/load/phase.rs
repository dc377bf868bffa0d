//! A load phase: one worker per connection replaying the pool round-robin until a deadline or
//! a shared budget of requests runs out.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::client::{ClientKind, Conn};
use crate::pool::Entry;
use crate::stats::Stats;

/// When a worker stops.
#[derive(Clone)]
pub(crate) enum Stop {
    /// Start no request after this instant.
    At(Instant),
    /// A shared budget of requests.
    Budget(Arc<AtomicU64>),
}

impl Stop {
    fn next(&self) -> bool {
        match self {
            Stop::At(t) => Instant::now() < *t,
            Stop::Budget(b) => b
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok(),
        }
    }
}

/// One connection replaying the pool from `start` until `stop`; a broken connection is
/// reopened (the worker ends when that fails too).
async fn worker(
    mut conn: Conn,
    addr: SocketAddr,
    kind: ClientKind,
    pool: Arc<Vec<Entry>>,
    start: usize,
    stop: Stop,
    record: bool,
) -> (Option<Conn>, Stats) {
    let mut stats = Stats::default();
    let mut i = start;
    while stop.next() {
        let e = &pool[i % pool.len()];
        i = i.wrapping_add(1);
        let t = Instant::now();
        let answer = conn.send(e).await;
        if let Ok((status, _)) = &answer {
            *stats.statuses.entry(*status).or_default() += 1;
        }
        match answer {
            Ok((200, body)) if body == e.expect => {
                stats.ok += 1;
                if record {
                    let us = t.elapsed().as_micros();
                    stats.latencies.push(u32::try_from(us).unwrap_or(u32::MAX));
                }
            }
            Ok((200, _)) => stats.error("200 with an unexpected body".to_owned()),
            Ok((status, body)) => stats.error(format!(
                "status {status}: {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            )),
            Err(err) => {
                stats.error(format!("connection: {err}"));
                match Conn::open(addr, kind).await {
                    Ok(c) => conn = c,
                    Err(_) => return (None, stats),
                }
            }
        }
    }
    (Some(conn), stats)
}

/// Runs every connection until `stop`; returns the stats and the wall time.
pub(crate) async fn phase(
    senders: &mut Vec<Conn>,
    addr: SocketAddr,
    kind: ClientKind,
    pool: &Arc<Vec<Entry>>,
    stop: &Stop,
    record: bool,
) -> Result<(Stats, Duration)> {
    let n = senders.len();
    let started = Instant::now();
    let tasks: Vec<_> = senders
        .drain(..)
        .enumerate()
        .map(|(w, s)| {
            tokio::spawn(worker(
                s,
                addr,
                kind,
                Arc::clone(pool),
                w * pool.len() / n.max(1),
                stop.clone(),
                record,
            ))
        })
        .collect();
    let mut stats = Stats::default();
    for t in tasks {
        let (s, st) = t.await?;
        if let Some(s) = s {
            senders.push(s);
        }
        stats.merge(st);
    }
    Ok((stats, started.elapsed()))
}
