//! This signer, the aws-sigv4 crate and reqsign's AWS v4 signer, in the same run.
//!
//! Each benchmark covers everything a user does per request: describe the request, sign,
//! apply the result (see `workloads/mod.rs`). Groups are `NAME/IMPL` with IMPL one of `ours`,
//! `aws-sigv4`, `reqsign`; the `bench-table` command reads the medians from `target/criterion`.

#![allow(missing_docs, clippy::unwrap_used)]

mod workloads;

use std::hint::black_box;

use criterion::{criterion_group, Criterion, Throughput};

fn benches(c: &mut Criterion) {
    let fx = workloads::Fixture::new();

    let mut g = c.benchmark_group("sha256-block");
    g.bench_function("raw", |b| {
        let block = [sha2::digest::generic_array::GenericArray::from(
            [0x61u8; 64],
        )];
        let mut state = [0u32; 8];
        b.iter(|| {
            sha2::compress256(&mut state, black_box(&block));
            state[0]
        })
    });
    g.finish();

    let ops = workloads::operations(&fx);
    // `sign-only` rows time `sign()` alone (the signer without http::Request around it).
    let mut groups: Vec<&str> = ops.iter().map(|(g, _, _)| *g).collect();
    groups.dedup();
    for group in groups {
        let mut g = c.benchmark_group(group);
        if group == "put-1mib" {
            g.throughput(Throughput::Bytes(fx.mib.len() as u64));
            g.sample_size(20);
        }
        for (_, id, op) in ops.iter().filter(|(g, _, _)| *g == group) {
            g.bench_function(*id, |b| b.iter(|| black_box(op())));
        }
        g.finish();
    }
}

/// `signing --min-rounds`: a second, contention-robust measurement of the same operations.
/// Rounds go through every operation in turn (so all implementations see the same load), each
/// operation running a batch of about 2 ms; the result per operation is the fastest batch
/// over all rounds, per iteration. On a shared machine the median of criterion moves with the
/// load of the moment; the minimum over interleaved rounds comes from the quietest moments.
/// Written to `target/criterion/min-rounds.json` for `bench-table`. With `filter`, only the
/// operations whose `group/id` contains it (and the SHA-256 block, the bounds' unit), for a
/// quick comparison of a few rows (`--min-rounds 200 presign`).
fn min_rounds(rounds: usize, filter: Option<&str>) {
    use std::time::Instant;
    let fx = workloads::Fixture::new();
    let mut ops = workloads::operations(&fx);
    if let Some(f) = filter {
        ops.retain(|(g, id, _)| format!("{g}/{id}").contains(f));
    }
    let block = [sha2::digest::generic_array::GenericArray::from(
        [0x61u8; 64],
    )];
    let mut state = [0u32; 8];
    let mut sha = || {
        sha2::compress256(&mut state, black_box(&block));
        state[0] as usize
    };
    let mut names: Vec<String> = vec!["sha256-block/raw".to_owned()];
    names.extend(ops.iter().map(|(g, id, _)| format!("{g}/{id}")));
    let mut run = |i: usize| {
        if i == 0 {
            sha()
        } else {
            (ops[i - 1].2)()
        }
    };
    // Batch sizes of about 2 ms each.
    let iters: Vec<u64> = (0..names.len())
        .map(|i| {
            let t = Instant::now();
            let mut n = 0u64;
            while t.elapsed().as_micros() < 2_000 {
                black_box(run(i));
                n += 1;
            }
            n.max(1)
        })
        .collect();
    let mut best = vec![f64::INFINITY; names.len()];
    for _ in 0..rounds {
        for (i, &n) in iters.iter().enumerate() {
            let t = Instant::now();
            for _ in 0..n {
                black_box(run(i));
            }
            let ns = t.elapsed().as_nanos() as f64 / n as f64;
            best[i] = best[i].min(ns);
        }
    }
    let json: serde_json::Map<String, serde_json::Value> = names
        .iter()
        .zip(&best)
        .map(|(n, b)| (n.clone(), serde_json::json!(b)))
        .collect();
    for (n, b) in names.iter().zip(&best) {
        println!("min-rounds {n}: {b:.1} ns");
    }
    let exe = std::env::current_exe().unwrap();
    let dir = exe.ancestors().nth(3).unwrap().join("criterion");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("min-rounds.json"),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .unwrap();
}

criterion_group!(signing, benches);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--min-rounds") {
        let rounds = args.get(i + 1).and_then(|r| r.parse().ok()).unwrap_or(200);
        let filter = args
            .get(i + 2)
            .map(String::as_str)
            .filter(|f| !f.starts_with("--"));
        min_rounds(rounds, filter);
        return;
    }
    signing();
    Criterion::default().configure_from_args().final_summary();
}
