//! `bench-table`: runs the criterion benches of `sigv4-benches` and the allocation count
//! (unless `--no-run`), and prints one Markdown table of medians: this project, the aws-sigv4
//! crate, reqsign, the ratios, the lower bound where there is one, and heap allocations per
//! operation; then the benchmarks issue's targets, each met or not, with mock-aws's verified
//! requests/s against a bare hyper server answering unverified (the median of three short
//! `mock-aws-load` runs; `--no-load` skips them) and `cargo fuzz run canonical`'s executions
//! per second with the README's flags (30 s; `--no-fuzz` skips it).
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

/// The presign workload's compressions (what `blocks()` counts for it: 5 for the canonical
/// request, 16 for the key chain, 6 for the final HMAC; no body hash, the payload is unsigned).
const PRESIGN_BLOCKS: f64 = 27.0;

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
        label: "GET, plain hand-written signer (four Strings; the floor)",
        group: "get-native",
        ours: "hand-written",
        peers: false,
        blocks: Some(26.0),
        sign_only: None,
    },
    Row {
        label: "GET cached key, plain hand-written signer",
        group: "get-native",
        ours: "hand-written-cached-key",
        peers: false,
        blocks: Some(10.0),
        sign_only: None,
    },
    Row {
        label: "GET, fixed-text floor (only compressions, padding, hex, copies)",
        group: "get-native",
        ours: "floor",
        peers: false,
        blocks: Some(26.0),
        sign_only: None,
    },
    Row {
        label: "GET cached key, fixed-text floor",
        group: "get-native",
        ours: "floor-cached-key",
        peers: false,
        blocks: Some(10.0),
        sign_only: None,
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
        label: "presigned GET, fixed-text floor (only compressions, padding, hex, copies)",
        group: "presign-5-params",
        ours: "floor",
        peers: false,
        blocks: Some(PRESIGN_BLOCKS),
        sign_only: None,
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
        label: "presigned GET, 5 params, `sign()` alone",
        group: "sign-only",
        ours: "presign-5-params",
        peers: false,
        blocks: Some(PRESIGN_BLOCKS),
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
    let b = blocks();
    println!(
        "Compression counts of the targets' bounds (from the message lengths, `blocks()`): GET {}, GET with the key's HMAC pad states cached {}, POST 1 KiB {}, presign 5 params {}.",
        b.get, b.get_cached, b.post, b.presign
    );
    println!();
    median_ns(&root, "sha256-block", "raw")
        .context("no sha256-block result: run without --no-run")?;

    println!("Criterion medians:");
    println!();
    let median = |g: &str, id: &str| median_ns(&root, g, id);
    table(&median, &alloc);
    println!("Fastest batch over interleaved rounds (`signing --min-rounds`):");
    println!();
    let min = |g: &str, id: &str| mins.get(&format!("{g}/{id}")).copied();
    table(&min, &alloc);
    println!("Bounds: SHA-256 compressions × the measured time of one (GET 26, cached key 10, key chain 16, presign 27); for PUT 1 MiB, raw SHA-256 of the body. Allocations are heap allocations per operation (counting allocator, `benches/benches/allocs.rs`); in parentheses, those of this project's `sign()` alone.");
    println!();

    // The targets of issue 17, each a ratio of two times of one run (`higher`: at least the
    // limit, else at most).
    type Metric = Box<dyn Fn(&dyn Fn(&str, &str) -> Option<f64>) -> Option<f64>>;
    let per_block = |t: &dyn Fn(&str, &str) -> Option<f64>, g: &str, id: &str, n: u32| {
        ratio(t(g, id), t("sha256-block", "raw").map(|x| x * f64::from(n)))
    };
    let targets: Vec<(&str, Metric, bool, f64)> = vec![
        (
            "GET, own request type: ≤ 1.15× the 26-compression bound",
            Box::new(move |t| per_block(t, "get-native", "ours", b.get)),
            false,
            1.15,
        ),
        (
            "GET, own request type: faster than the hand-written signer (hand-written / ours)",
            Box::new(|t| ratio(t("get-native", "hand-written"), t("get-native", "ours"))),
            true,
            1.0,
        ),
        (
            "GET cached key: ≤ 1.3× its bound (pad states cached)",
            Box::new(move |t| per_block(t, "get-native", "ours-cached-key", b.get_cached)),
            false,
            1.3,
        ),
        (
            "GET cached key: faster than hand-written cached (hand-written / ours)",
            Box::new(|t| {
                ratio(
                    t("get-native", "hand-written-cached-key"),
                    t("get-native", "ours-cached-key"),
                )
            }),
            true,
            1.0,
        ),
        (
            "GET cached key: ≥ 8× aws-sigv4 (own request types)",
            Box::new(|t| {
                ratio(
                    t("get-native", "aws-sigv4"),
                    t("get-native", "ours-cached-key"),
                )
            }),
            true,
            8.0,
        ),
        (
            "POST 1 KiB, `sign()`: ≤ 1.3× its bound",
            Box::new(move |t| per_block(t, "sign-only", "post-1kib", b.post)),
            false,
            1.3,
        ),
        (
            "presign 5 params, `sign()`: ≤ 1.3× its bound",
            Box::new(move |t| per_block(t, "sign-only", "presign-5-params", b.presign)),
            false,
            1.3,
        ),
        (
            "verify GET ≤ 1.3× signing it (verify / `sign()` alone)",
            Box::new(|t| ratio(t("verify-get", "ours"), t("sign-only", "get-vanilla"))),
            false,
            1.3,
        ),
        (
            "PUT 1 MiB at ≥ 0.9× raw SHA-256 throughput (time ≤ 1.11× raw)",
            Box::new(|t| ratio(t("put-1mib", "ours"), t("put-1mib", "raw-sha256"))),
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
        let (a, b) = (metric(&median), metric(&min));
        println!(
            "| {label} | {} | {} | {} | {} |",
            fmt_ratio(a),
            met(a, higher, limit),
            fmt_ratio(b),
            met(b, higher, limit)
        );
    }
    fuzz_section(&workspace, &root)?;
    load_section(&workspace, &root)?;
    floor_section(&median, &min, b);
    Ok(())
}

/// What the floor (`workloads::floor`: get-vanilla and the presigned GET from fixed texts, so
/// only the compressions, their padding, the hex digests and the copies) leaves of the GET and
/// presign targets' allowances: the time a general signer may spend on everything the floor
/// skips (formatting the date, validating, lowercasing, parsing the target, sorting, encoding,
/// building the texts) and still meet the target.
fn floor_section(
    median: &dyn Fn(&str, &str) -> Option<f64>,
    min: &dyn Fn(&str, &str) -> Option<f64>,
    b: Blocks,
) {
    println!(
        "The fixed-text floor of the GET and presign targets (what no general signer can skip):"
    );
    println!();
    println!("| | measure | floor / bound | target × bound − floor (left for the rest) | ours − floor (spent on it) |");
    println!("| --- | --- | --- | --- | --- |");
    // Each target's operation and its floor, as (group, id).
    for (label, ours, floor, n, limit) in [
        (
            "GET",
            ("get-native", "ours"),
            ("get-native", "floor"),
            b.get,
            1.15,
        ),
        (
            "GET cached key",
            ("get-native", "ours-cached-key"),
            ("get-native", "floor-cached-key"),
            b.get_cached,
            1.3,
        ),
        (
            "presign 5 params, `sign()`",
            ("sign-only", "presign-5-params"),
            ("presign-5-params", "floor"),
            b.presign,
            1.3,
        ),
    ] {
        for (measure, t) in [("criterion medians", median), ("fastest batches", min)] {
            let (Some(ours), Some(fl), Some(block)) = (
                t(ours.0, ours.1),
                t(floor.0, floor.1),
                t("sha256-block", "raw"),
            ) else {
                continue;
            };
            let bound = block * f64::from(n);
            println!(
                "| {label} | {measure} | {} | {} | {} |",
                fmt_ratio(Some(fl / bound)),
                fmt_ns(limit * bound - fl),
                fmt_ns(ours - fl)
            );
        }
    }
}

/// mock-aws under load against the bare hyper baseline (`mock-aws-load`, `benches/LOAD.md`):
/// unless `--no-run` or `--no-load`, builds both servers and runs [`LOAD_RUNS`] short loads
/// one after another (20 s of each server, in alternating slices, 64 connections, no RSS
/// phase), writing `load-N.json` beside criterion's results; then prints the target row (it
/// continues the targets table), judged on the median run, and each run's figures.
fn load_section(workspace: &Path, root: &Path) -> Result<()> {
    let jsons: Vec<PathBuf> = (1..=LOAD_RUNS)
        .map(|i| root.join(format!("load-{i}.json")))
        .collect();
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--no-run" || a == "--no-load") {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let release = std::env::current_exe()?
            .parent()
            .is_some_and(|d| d.ends_with("release"));
        let mut build = Command::new(cargo);
        build
            .args([
                "build",
                "-q",
                "-p",
                "mock-aws",
                "-p",
                "sigv4-benches",
                "--bins",
            ])
            .current_dir(workspace);
        if release {
            build.arg("--release");
        }
        if !build.status().context("building mock-aws-load")?.success() {
            bail!("cargo build -p mock-aws -p sigv4-benches --bins failed");
        }
        let load = std::env::current_exe()?.with_file_name("mock-aws-load");
        std::fs::create_dir_all(root)?;
        for json in &jsons {
            let out = Command::new(&load)
                .args([
                    "--duration",
                    "20s",
                    "--connections",
                    "64",
                    "--rss-requests",
                    "0",
                    // The baseline: hyper's plain HTTP/1.1 builder, no timer (the load
                    // binary's default serves with mock-aws's transport instead).
                    "--bare-baseline",
                ])
                .arg("--json")
                .arg(json)
                .args(["--timeout", "5m"])
                .output()
                .with_context(|| format!("running {}", load.display()))?;
            if !out.status.success() {
                bail!(
                    "mock-aws-load failed:\n{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
    let runs: Vec<serde_json::Value> = jsons
        .iter()
        .filter_map(|json| {
            let text = std::fs::read_to_string(json).ok()?;
            serde_json::from_str::<serde_json::Value>(&text).ok()
        })
        .filter(|v| v["ratio"].as_f64().is_some())
        .collect();
    if runs.is_empty() {
        println!("| mock-aws verified requests/s ≥ 0.6× a bare hyper server (64 connections, same run) | n/a (no load-N.json in {}) | n/a | | |", root.display());
        println!();
        return Ok(());
    }
    let mut ratios: Vec<f64> = runs.iter().filter_map(|v| v["ratio"].as_f64()).collect();
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    let limit = runs[0]["target"].as_f64().unwrap_or(0.6);
    let spread = ratios
        .iter()
        .map(|r| format!("{r:.2}×"))
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "| mock-aws verified requests/s ≥ {limit}× a bare hyper server (64 connections, same run), median of {} runs | {} | {} | runs: {spread} | |",
        ratios.len(),
        fmt_ratio(Some(median)),
        if median >= limit { "yes" } else { "no" },
    );
    println!();
    let first = &runs[0];
    println!(
        "mock-aws under load (`mock-aws-load`, {} connections, {:.0} s of each server in alternating slices per run, {} runs one after another; {}):",
        first["connections"],
        first["duration_s"].as_f64().unwrap_or(0.0),
        runs.len(),
        first["cpu"].as_str().unwrap_or("?"),
    );
    println!();
    println!("| run | load average before / after | mock-aws requests/s | CPU per request: server / client | baseline requests/s | CPU per request: server / client | mock-aws / baseline | CPU per request, baseline / mock-aws (server + client) |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (i, v) in runs.iter().enumerate() {
        let f = |k: &str| v[k].as_f64();
        let rps = |k: &str| f(k).map_or_else(|| "n/a".to_owned(), |x| format!("{x:.0}"));
        let us = |k: &str| f(k).map_or_else(|| "n/a".to_owned(), |x| format!("{x:.1} µs"));
        println!(
            "| {} | {} / {} | {} | {} / {} | {} | {} / {} | {} | {} |",
            i + 1,
            v["load_before"].as_str().unwrap_or("?"),
            v["load_after"].as_str().unwrap_or("?"),
            rps("verified_rps"),
            us("server_us"),
            us("client_us"),
            rps("baseline_rps"),
            us("baseline_server_us"),
            us("baseline_client_us"),
            fmt_ratio(f("ratio")),
            fmt_ratio(f("cpu_ratio")),
        );
    }
    println!();
    println!("The baseline is hyper's plain HTTP/1.1 builder without a timer, answering the same requests unverified; the requests/s of both servers come from the same client in the same run.");
    println!();
    Ok(())
}

/// Load runs per bench-table run: one 20 s run moves by ±15 % on this 2-core machine, so the
/// target is judged on the median of three.
const LOAD_RUNS: usize = 3;

/// The target's command, as README.md and fuzz/README.md give it, plus a fresh output corpus
/// (the seeds in `corpus/canonical` are read, never written) and a time limit.
const FUZZ_SECONDS: u32 = 30;

/// `cargo fuzz run canonical` with the README's flags for [`FUZZ_SECONDS`] on the idle
/// machine (unless `--no-run` or `--no-fuzz`), its last status line kept in `fuzz.json`; then
/// the target row (it continues the targets table): ≥ 100k executions per second.
fn fuzz_section(workspace: &Path, root: &Path) -> Result<()> {
    let json = root.join("fuzz.json");
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--no-run" || a == "--no-fuzz") {
        let fuzz = workspace.join("fuzz");
        let out_corpus =
            std::env::temp_dir().join(format!("bench-table-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&out_corpus)?;
        let load_before = loadavg();
        let out = Command::new("cargo")
            .args([
                "fuzz",
                "run",
                "canonical",
                "-O",
                "--sanitizer",
                "none",
                "--no-trace-compares",
            ])
            .arg(&out_corpus)
            .arg("corpus/canonical")
            .args([
                "--",
                "-dict=canonical.dict",
                "-max_len=256",
                "-seed=1",
                &format!("-max_total_time={FUZZ_SECONDS}"),
            ])
            .current_dir(&fuzz)
            .output()
            .context("running cargo fuzz (install it with `bash .ci/setup`)")?;
        let _ = std::fs::remove_dir_all(&out_corpus);
        let log = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            bail!("cargo fuzz run canonical failed (is cargo-fuzz installed? `bash .ci/setup`):\n{log}");
        }
        let done = log
            .lines()
            .rev()
            .find(|l| l.contains("DONE") || l.contains("exec/s:"))
            .context("no status line in cargo fuzz's output")?;
        let field = |name: &str| -> Option<f64> {
            let rest = done.split(name).nth(1)?;
            rest.split_whitespace().next()?.parse().ok()
        };
        let v = serde_json::json!({
            "exec_s": field("exec/s:"),
            "cov": field("cov:"),
            "ft": field("ft:"),
            "seconds": FUZZ_SECONDS,
            "load_before": load_before,
            "load_after": loadavg(),
            "line": done.trim(),
        });
        std::fs::create_dir_all(root)?;
        std::fs::write(&json, serde_json::to_string_pretty(&v)?)?;
    }
    let v: Option<serde_json::Value> = std::fs::read_to_string(&json)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let label = "`cargo fuzz run canonical` with the README's flags: ≥ 100k exec/s on an idle core";
    let Some(v) = v else {
        println!("| {label} | n/a (no {}) | n/a | | |", json.display());
        return Ok(());
    };
    let rate = v["exec_s"].as_f64();
    println!(
        "| {label} | {} exec/s in {} s (cov {}, ft {}; load average {} before, {} after) | {} | | |",
        rate.map_or_else(|| "n/a".to_owned(), |r| format!("{r:.0}")),
        v["seconds"],
        v["cov"],
        v["ft"],
        v["load_before"].as_str().unwrap_or("?"),
        v["load_after"].as_str().unwrap_or("?"),
        match rate {
            Some(r) if r >= 100_000.0 => "yes",
            Some(_) => "no",
            None => "n/a",
        }
    );
    Ok(())
}

/// The 1, 5 and 15-minute load averages, or `?`.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".to_owned())
}

/// SHA-256 compressions of a message of `n` bytes (padding: a 0x80 byte and the 8-byte length).
fn sha_blocks(n: usize) -> u32 {
    u32::try_from(n.div_ceil(64).max((n + 9).div_ceil(64))).unwrap_or(u32::MAX)
}

/// The bounds of the targets, in compressions.
#[derive(Clone, Copy)]
struct Blocks {
    get: u32,
    get_cached: u32,
    post: u32,
    presign: u32,
}

/// Counts the compressions of each target's operation from its messages' lengths (the
/// canonical request and string to sign of the same request, signed here): body hash, canonical
/// request hash, the key chain (four HMACs of short data, 4 compressions each), and the final
/// HMAC (inner: the key's pad block and the string to sign; outer: the pad block and the 32-byte
/// inner hash). With the signing key's pad states cached, the two pad blocks are not hashed.
fn blocks() -> Blocks {
    use sigv4_signer::{
        sign, Credentials, PayloadMode, Settings, SignableRequest, SignatureLocation,
        SigningParams, SigningTime,
    };
    let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let time = SigningTime::from_unix_seconds(1_440_938_160);
    let host = "example.amazonaws.com";
    // The workloads' POST body is 1024 bytes of JSON (`json_body`).
    let body = vec![b'x'; 1024];
    let count = |req: &SignableRequest<'_>,
                 service: &str,
                 settings: Settings,
                 loc,
                 body_hash: bool,
                 cached: bool| {
        let params = SigningParams::new(&creds, "us-east-1", service, time).with_settings(settings);
        let out = sign(req, &params, loc).unwrap_or_else(|e| panic!("bound's request: {e}"));
        let hmac_final = sha_blocks(64 + out.string_to_sign().len()) + sha_blocks(64 + 32);
        let body = if body_hash && !req.body.is_empty() {
            sha_blocks(req.body.len())
        } else {
            u32::from(body_hash)
        };
        body + sha_blocks(out.canonical_request().len())
            + if cached {
                hmac_final - 2
            } else {
                16 + hmac_final
            }
    };
    let h = SignatureLocation::Headers;
    let get = SignableRequest::new("GET", "/").header("Host", host);
    let post = SignableRequest::new("POST", "/")
        .header("Host", host)
        .header("Content-Type", "application/x-amz-json-1.0")
        .header("X-Amz-Target", "DynamoDB_20120810.PutItem")
        .body(&body);
    let presign = SignableRequest::new("GET", "/photos/cat.jpg?a=1&b=two&c=3&d=four&e=5")
        .header("Host", host);
    let s3 = Settings::s3().with_payload(PayloadMode::Unsigned);
    Blocks {
        get: count(&get, "service", Settings::default(), h, true, false),
        get_cached: count(&get, "service", Settings::default(), h, true, true),
        post: count(&post, "dynamodb", Settings::default(), h, true, false),
        presign: count(
            &presign,
            "s3",
            s3,
            SignatureLocation::Query { expires_in: 3600 },
            false,
            false,
        ),
    }
}

/// Prints the table with times from `time`.
fn table(time: &dyn Fn(&str, &str) -> Option<f64>, alloc: &dyn Fn(&str, &str) -> String) {
    let block = time("sha256-block", "raw");
    println!("| benchmark | this project | aws-sigv4 | reqsign | aws-sigv4 / ours | reqsign / ours | bound | ours / bound | allocations: ours / aws-sigv4 / reqsign |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
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
    }
    println!(
        "| SHA-256, one 64-byte block (the bound's unit) | {} | | | | | | | |",
        cell(block)
    );
    println!();
    let hand = |id: &str, of: &str| ratio(time("get-native", id), time("get-native", of));
    println!(
        "ours / hand-written (own request types): GET {}, cached key {}",
        fmt_ratio(hand("ours", "hand-written")),
        fmt_ratio(hand("ours-cached-key", "hand-written-cached-key"))
    );
    println!();
}
