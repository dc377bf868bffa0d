//! This signer, the aws-sigv4 crate and reqsign's AWS v4 signer, in the same run.
//!
//! Each benchmark covers everything a user does per request: describe the request, sign,
//! apply the result (see `workloads/mod.rs`). Groups are `NAME/IMPL` with IMPL one of `ours`,
//! `aws-sigv4`, `reqsign`; the `bench-table` command reads the medians from `target/criterion`.

#![allow(missing_docs, clippy::unwrap_used)]

mod workloads;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

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

criterion_group!(signing, benches);
criterion_main!(signing);
