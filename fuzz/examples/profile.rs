//! Times each part of the checks over a corpus directory, to see where a fuzz target spends
//! its time. Usage: `cargo run --release --example profile -- corpus/canonical`

use std::time::Instant;

use arbitrary::{Arbitrary, Unstructured};
use sigv4_fuzz::Input;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "corpus/canonical".into());
    let inputs: Vec<Input> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
        .filter_map(|b| Input::arbitrary_take_rest(Unstructured::new(&b)).ok())
        .collect();
    let n = inputs.len() as f64;
    let rounds = 20;
    let time = |name: &str, f: &dyn Fn(&Input)| {
        let t = Instant::now();
        for _ in 0..rounds {
            for i in &inputs {
                f(i);
            }
        }
        let us = t.elapsed().as_secs_f64() * 1e6 / (n * f64::from(rounds));
        println!("{name:<28} {us:8.2} us/input  ({:>9.0} /s)", 1e6 / us);
    };
    println!("{} inputs from {dir}", inputs.len());
    time("check_headers", &|i| sigv4_fuzz::check_headers(i));
    time("check_query", &|i| sigv4_fuzz::check_query(i));
    time("check_uri", &|i| sigv4_fuzz::check_uri(i));
    time("known_difference", &|i| {
        let _ = sigv4_fuzz::known_difference(i);
    });
    time("sign_ours", &|i| {
        let _ = sigv4_fuzz::sign_ours(i);
    });
    time("sign_theirs (aws-sigv4)", &|i| {
        let _ = sigv4_fuzz::sign_theirs(i);
    });
    time("check (all, as before)", &|i| sigv4_fuzz::check(i));
}
