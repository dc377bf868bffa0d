//! Heap allocations per operation, for each benchmark row and implementation.
//!
//! A counting wrapper around the system allocator is this binary's global allocator (criterion's
//! binary keeps the plain one, so timings are not affected). Each operation runs a few times to
//! warm up (lazy statics, caches), then `RUNS` times counted; the count per run is written to
//! `target/criterion/allocs.json` for `bench-table`, and printed.
//!
//! `allocs --profile GROUP/ID N` runs one operation N times and nothing else: for
//! `valgrind --tool=callgrind` (instructions per operation = the difference of two runs / ΔN).

#![allow(missing_docs, clippy::unwrap_used)]

mod workloads;

use std::alloc::System;
use std::hint::black_box;

use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const RUNS: usize = 100;

fn main() {
    let fx = workloads::Fixture::new();
    let ops = workloads::operations(&fx);
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--profile") {
        let name = &args[i + 1];
        let n: usize = args[i + 2].parse().unwrap();
        if name == "sha256-block/raw" {
            let block = [sha2::digest::generic_array::GenericArray::from(
                [0x61u8; 64],
            )];
            let mut state = [0u32; 8];
            for _ in 0..n {
                sha2::compress256(&mut state, black_box(&block));
            }
            black_box(state);
            return;
        }
        let (_, _, op) = ops
            .iter()
            .find(|(g, id, _)| format!("{g}/{id}") == *name)
            .unwrap_or_else(|| panic!("no operation {name}"));
        for _ in 0..n {
            black_box(op());
        }
        return;
    }
    if !args.iter().any(|a| a == "--bench") {
        // `cargo test --all-targets` runs bench targets without `--bench`: check that every
        // operation runs and that the counter counts, quickly (debug build).
        for (group, id, op) in &ops {
            let region = Region::new(GLOBAL);
            black_box(op());
            assert!(
                region.change().allocations > 0 || group.starts_with("key-derivation"),
                "{group}/{id}: no allocation counted"
            );
        }
        // The hand-written floor signs get-vanilla as AWS's suite does
        // (aws-signing-test-suite/v4/get-vanilla/header-signed-request.txt).
        assert_eq!(
            workloads::hand::authorization(
                workloads::AK,
                workloads::SECRET,
                "us-east-1",
                "service",
                workloads::HOST,
                "/",
                "20150830T123600Z",
                None,
            ),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        // So does the floor, whose texts are fixed (the same suite file).
        assert!(
            workloads::floor::authorization("20150830T123600Z", workloads::SECRET, None).ends_with(
                "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
            )
        );
        println!("allocs: {} operations ran", ops.len());
        return;
    }
    let mut json = serde_json::Map::new();
    for (group, id, op) in &ops {
        for _ in 0..3 {
            black_box(op());
        }
        let region = Region::new(GLOBAL);
        for _ in 0..RUNS {
            black_box(op());
        }
        let stats = region.change();
        let per_op = stats.allocations as f64 / RUNS as f64;
        let bytes = stats.bytes_allocated as f64 / RUNS as f64;
        println!("allocs {group}/{id}: {per_op} per operation ({bytes:.0} bytes)");
        json.insert(format!("{group}/{id}"), serde_json::json!(per_op));
    }
    let exe = std::env::current_exe().unwrap();
    // target/release/deps/allocs-HASH
    let target = exe.ancestors().nth(3).unwrap().to_path_buf();
    let dir = target.join("criterion");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("allocs.json"),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .unwrap();
}
