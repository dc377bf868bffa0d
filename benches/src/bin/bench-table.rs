//! `bench-table`: runs the criterion benches of `sigv4-benches` and the allocation count
//! (unless `--no-run`), and prints one Markdown table of medians: this project, the aws-sigv4
//! crate, reqsign, the ratios, the lower bound where there is one, and heap allocations per
//! operation; then the benchmarks issue's targets, each met or not.
//!
//! Bounds are SHA-256 compressions × the measured time of one compression: a GET header
//! signature needs 26 (1 for the empty-body hash, 3 for the canonical request, 16 for the key
//! chain, 6 for the final HMAC), with a cached signing key 10, the key chain alone 16. For the
//! 1 MiB PUT the bound is raw SHA-256 of the body.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

fn median_ns(root: &Path, group: &str, id: &str) -> Option<f64> {
    let path = root.join(group).join(id).join("new").join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["median"]["point_estimate"].as_f64()
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 1_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else if ns >= 1_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

fn cell(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_owned(), fmt_ns)
}

fn ratio(num: Option<f64>, den: Option<f64>) -> Option<f64> {
    match (num, den) {
        (Some(n), Some(d)) if d > 0.0 => Some(n / d),
        _ => None,
    }
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "n/a".to_owned(), |r| format!("{r:.2}×"))
}

fn cargo_bench(workspace: &Path, bench: &str, args: &[&str]) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["bench", "-p", "sigv4-benches", "--bench", bench])
        .args(args)
        .current_dir(workspace)
        .status()
        .with_context(|| format!("running cargo bench --bench {bench}"))?;
    if !status.success() {
        bail!("cargo bench --bench {bench} failed");
    }
    Ok(())
}

struct Row {
    label: &'static str,
    group: &'static str,
    ours: &'static str,
    peers: bool,
    /// SHA-256 compressions of the bound.
    blocks: Option<f64>,
    /// The `sign-only` id with `sign()` alone, for the allocation column.
    sign_only: Option<&'static str>,
}

const ROWS: &[Row] = &[
    Row {
        label: "key derivation (HMAC chain)",
        group: "key-derivation",
        ours: "ours",
        peers: true,
        blocks: Some(16.0),
        sign_only: None,
    },
    Row {
        label: "signing key, cache hit",
        group: "key-derivation",
        ours: "ours-cache-hit",
        peers: false,
        blocks: None,
        sign_only: None,
    },
    Row {
        label: "GET header auth (get-vanilla)",
        group: "get-vanilla",
        ours: "ours",
        peers: true,
        blocks: Some(26.0),
        sign_only: Some("get-vanilla"),
    },
    Row {
        label: "GET header auth, cached key",
        group: "get-vanilla",
        ours: "ours-cached-key",
        peers: true,
        blocks: Some(10.0),
        sign_only: Some("get-vanilla-cached-key"),
    },
    Row {
        label: "GET, each library's own request type (no http::Request)",
        group: "get-native",
        ours: "ours",
        peers: true,
        blocks: Some(26.0),
        sign_only: Some("get-vanilla"),
    },
    Row {
        label: "GET cached key, own request type",
        group: "get-native",
        ours: "ours-cached-key",
        peers: true,
        blocks: Some(10.0),
        sign_only: Some("get-vanilla-cached-key"),
    },
    Row {
        label: "POST 1 KiB JSON (DynamoDB)",
        group: "post-1kib",
        ours: "ours",
        peers: true,
        blocks: None,
        sign_only: Some("post-1kib"),
    },
    Row {
        label: "presigned GET, 5 params",
        group: "presign-5-params",
        ours: "ours",
        peers: true,
        blocks: None,
        sign_only: Some("presign-5-params"),
    },
    Row {
        label: "PUT 1 MiB signed payload (S3)",
        group: "put-1mib",
        ours: "ours",
        peers: true,
        blocks: None,
        sign_only: Some("put-1mib"),
    },
    Row {
        label: "GET, `sign()` alone (no http::Request)",
        group: "sign-only",
        ours: "get-vanilla",
        peers: false,
        blocks: Some(26.0),
        sign_only: None,
    },
    Row {
        label: "GET cached key, `sign()` alone",
        group: "sign-only",
        ours: "get-vanilla-cached-key",
        peers: false,
        blocks: Some(10.0),
        sign_only: None,
    },
    Row {
        label: "verify GET (ours only)",
        group: "verify-get",
        ours: "ours",
        peers: false,
        blocks: None,
        sign_only: None,
    },
];

fn main() -> Result<()> {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    if !std::env::args().any(|a| a == "--no-run") {
        cargo_bench(&workspace, "signing", &[])?;
        cargo_bench(&workspace, "signing", &["--", "--min-rounds", "200"])?;
        cargo_bench(&workspace, "allocs", &[])?;
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace.join("target"), PathBuf::from);
    let root = target.join("criterion");
    let read_map = |name: &str| -> BTreeMap<String, f64> {
        std::fs::read_to_string(root.join(name))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    };
    let allocs = read_map("allocs.json");
    let mins = read_map("min-rounds.json");
    let alloc = |group: &str, id: &str| {
        allocs
            .get(&format!("{group}/{id}"))
            .map_or_else(|| "n/a".to_owned(), |n| format!("{n}"))
    };
    median_ns(&root, "sha256-block", "raw")
        .context("no sha256-block result: run without --no-run")?;

    println!("Criterion medians:");
    println!();
    let median = |g: &str, id: &str| median_ns(&root, g, id);
    let by_median = table(&median, &alloc);
    println!("Fastest batch over interleaved rounds (`signing --min-rounds`):");
    println!();
    let min = |g: &str, id: &str| mins.get(&format!("{g}/{id}")).copied();
    let by_min = table(&min, &alloc);
    println!("Bounds: SHA-256 compressions × the measured time of one (GET 26, cached key 10, key chain 16); for PUT 1 MiB, raw SHA-256 of the body. Allocations are heap allocations per operation (counting allocator, `benches/benches/allocs.rs`); in parentheses, those of this project's `sign()` alone.");
    println!();

    // The targets of the benchmarks issue.
    type Metric = fn(&Measured) -> Option<f64>;
    let targets: [(&str, Metric, bool, f64); 8] = [
        (
            "GET ≥ 4× faster than aws-sigv4",
            |m| {
                m.get(&("get-vanilla", "ours"))
                    .and_then(|&(o, a, _)| ratio(a, o))
            },
            true,
            4.0,
        ),
        (
            "GET within 1.3× of the 26-compression bound",
            |m| {
                m.get(&("get-vanilla", "ours"))
                    .and_then(|&(o, _, b)| ratio(o, b))
            },
            false,
            1.3,
        ),
        (
            "GET with cached key ≥ 10× faster than aws-sigv4",
            |m| {
                m.get(&("get-vanilla", "ours-cached-key"))
                    .and_then(|&(o, a, _)| ratio(a, o))
            },
            true,
            10.0,
        ),
        (
            "GET ≥ 4×, each library's own request type",
            |m| {
                m.get(&("get-native", "ours"))
                    .and_then(|&(o, a, _)| ratio(a, o))
            },
            true,
            4.0,
        ),
        (
            "GET with cached key ≥ 10×, own request type",
            |m| {
                m.get(&("get-native", "ours-cached-key"))
                    .and_then(|&(o, a, _)| ratio(a, o))
            },
            true,
            10.0,
        ),
        (
            "POST 1 KiB ≥ 3× faster than aws-sigv4",
            |m| {
                m.get(&("post-1kib", "ours"))
                    .and_then(|&(o, a, _)| ratio(a, o))
            },
            true,
            3.0,
        ),
        (
            "presign ≥ 3× faster than aws-sigv4",
            |m| {
                m.get(&("presign-5-params", "ours"))
                    .and_then(|&(o, a, _)| ratio(a, o))
            },
            true,
            3.0,
        ),
        (
            "PUT 1 MiB at ≥ 0.9× raw SHA-256 throughput (time ≤ 1.11× raw)",
            |m| {
                m.get(&("put-1mib", "ours"))
                    .and_then(|&(o, _, b)| ratio(o, b))
            },
            false,
            1.0 / 0.9,
        ),
    ];
    println!("| target | criterion medians | met | fastest batches | met |");
    println!("| --- | --- | --- | --- | --- |");
    let met = |v: Option<f64>, higher: bool, limit: f64| match v {
        Some(v) if (higher && v >= limit) || (!higher && v <= limit) => "yes",
        Some(_) => "no",
        None => "n/a",
    };
    for (label, metric, higher, limit) in targets {
        let (a, b) = (metric(&by_median), metric(&by_min));
        println!(
            "| {label} | {} | {} | {} | {} |",
            fmt_ratio(a),
            met(a, higher, limit),
            fmt_ratio(b),
            met(b, higher, limit)
        );
    }
    Ok(())
}

type Measured = BTreeMap<(&'static str, &'static str), (Option<f64>, Option<f64>, Option<f64>)>;

/// Prints the table with times from `time`; returns (ours, aws-sigv4, bound) per row.
fn table(
    time: &dyn Fn(&str, &str) -> Option<f64>,
    alloc: &dyn Fn(&str, &str) -> String,
) -> Measured {
    let block = time("sha256-block", "raw");
    println!("| benchmark | this project | aws-sigv4 | reqsign | aws-sigv4 / ours | reqsign / ours | bound | ours / bound | allocations: ours / aws-sigv4 / reqsign |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut measured = BTreeMap::new();
    for r in ROWS {
        let ours = time(r.group, r.ours);
        let aws = time(r.group, "aws-sigv4").filter(|_| r.peers);
        let rq = time(r.group, "reqsign").filter(|_| r.peers);
        let bound = if r.group == "put-1mib" {
            time(r.group, "raw-sha256")
        } else {
            r.blocks.zip(block).map(|(n, b)| n * b)
        };
        let mut ours_allocs = alloc(r.group, r.ours);
        if let Some(id) = r.sign_only {
            ours_allocs = format!("{ours_allocs} ({} in `sign()`)", alloc("sign-only", id));
        }
        let allocs = if r.peers {
            format!(
                "{ours_allocs} / {} / {}",
                alloc(r.group, "aws-sigv4"),
                alloc(r.group, "reqsign")
            )
        } else {
            ours_allocs
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {allocs} |",
            r.label,
            cell(ours),
            cell(aws),
            cell(rq),
            fmt_ratio(ratio(aws, ours)),
            fmt_ratio(ratio(rq, ours)),
            cell(bound),
            fmt_ratio(ratio(ours, bound)),
        );
        measured.insert((r.group, r.ours), (ours, aws, bound));
    }
    println!(
        "| SHA-256, one 64-byte block (the bound's unit) | {} | | | | | | | |",
        cell(block)
    );
    println!();
    measured
}
