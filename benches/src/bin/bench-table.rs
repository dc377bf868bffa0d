//! `bench-table`: runs the criterion benches of `sigv4-benches` (unless `--no-run`) and prints
//! one Markdown table of medians: this project, the aws-sigv4 crate, reqsign, the ratio, and the
//! lower bound where there is one (SHA-256 compressions: a GET header signature needs 26, with a
//! cached signing key 10; the key chain 16).

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

fn main() -> Result<()> {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    if !std::env::args().any(|a| a == "--no-run") {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["bench", "-p", "sigv4-benches", "--bench", "signing"])
            .current_dir(&workspace)
            .status()
            .context("running cargo bench")?;
        if !status.success() {
            bail!("cargo bench failed");
        }
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace.join("target"), PathBuf::from);
    let root = target.join("criterion");
    let block = median_ns(&root, "sha256-block", "raw")
        .context("no sha256-block result: run without --no-run")?;

    println!("| benchmark | this project | aws-sigv4 | reqsign | aws-sigv4 / ours | reqsign / ours | bound | ours / bound |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let rows: [(&str, &str, &str, Option<f64>); 7] = [
        (
            "key derivation (HMAC chain)",
            "key-derivation",
            "ours",
            Some(16.0 * block),
        ),
        (
            "signing key, cache hit",
            "key-derivation",
            "ours-cache-hit",
            None,
        ),
        (
            "GET header auth (get-vanilla)",
            "get-vanilla",
            "ours",
            Some(26.0 * block),
        ),
        (
            "GET header auth, cached key",
            "get-vanilla",
            "ours-cached-key",
            Some(10.0 * block),
        ),
        ("POST 1 KiB JSON (DynamoDB)", "post-1kib", "ours", None),
        ("presigned GET, 5 params", "presign-5-params", "ours", None),
        ("PUT 1 MiB signed payload (S3)", "put-1mib", "ours", None),
    ];
    for (label, group, ours_id, bound) in rows {
        let ours = median_ns(&root, group, ours_id);
        // The cache-hit row has no peer: neither peer caches signing keys.
        let peers = ours_id != "ours-cache-hit";
        let aws = median_ns(&root, group, "aws-sigv4").filter(|_| peers);
        let rq = median_ns(&root, group, "reqsign").filter(|_| peers);
        let bound = if group == "put-1mib" {
            median_ns(&root, group, "raw-sha256")
        } else {
            bound
        };
        let ratio = |peer: Option<f64>| match (peer, ours) {
            (Some(p), Some(o)) if o > 0.0 => format!("{:.2}×", p / o),
            _ => "n/a".to_owned(),
        };
        let over_bound = match (ours, bound) {
            (Some(o), Some(b)) if b > 0.0 => format!("{:.2}×", o / b),
            _ => "n/a".to_owned(),
        };
        println!(
            "| {label} | {} | {} | {} | {} | {} | {} | {over_bound} |",
            cell(ours),
            cell(aws),
            cell(rq),
            ratio(aws),
            ratio(rq),
            cell(bound)
        );
    }
    println!(
        "| verify GET (ours only) | {} | n/a | n/a | n/a | n/a | n/a | n/a |",
        cell(median_ns(&root, "verify-get", "ours"))
    );
    println!(
        "| SHA-256, one 64-byte block | {} | | | | | | |",
        fmt_ns(block)
    );
    println!();
    println!("Bounds: SHA-256 compressions × the measured block time (GET 26, cached key 10, key chain 16); for PUT 1 MiB, raw SHA-256 of the body. The 1 MiB row's bound column is raw SHA-256 of 1 MiB.");
    Ok(())
}
