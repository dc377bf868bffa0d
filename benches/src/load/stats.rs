//! Counting the answers: successes, statuses, failures, latencies, and percentiles.

use std::collections::BTreeMap;

#[derive(Default)]
/// What one or more workers saw.
pub(crate) struct Stats {
    /// Answers 200 with the expected body.
    pub(crate) ok: u64,
    /// Answers by HTTP status.
    pub(crate) statuses: BTreeMap<u16, u64>,
    /// Failures by kind.
    pub(crate) errors: BTreeMap<String, u64>,
    /// Latency of each request, microseconds.
    pub(crate) latencies: Vec<u32>,
}

impl Stats {
    pub(crate) fn error(&mut self, kind: String) {
        *self.errors.entry(kind).or_default() += 1;
    }

    pub(crate) fn merge(&mut self, other: Stats) {
        self.ok += other.ok;
        for (k, v) in other.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
        self.latencies.extend(other.latencies);
    }

    pub(crate) fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// The `p`-th percentile (nearest rank) of sorted latencies; 0 when there are none.
pub(crate) fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
