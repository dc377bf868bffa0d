//! Counts how many `verify` inputs (corpus files, artifacts) the verifier accepts, running the
//! target's checks on each: shows the accepting path (and its oracle) is exercised.
//!
//! Usage: `cargo run --release --example accepts -- corpus/verify`

use arbitrary::{Arbitrary, Unstructured};
use sigv4_fuzz::verify_target::{check, VerifyInput};

fn main() {
    let (mut total, mut accepted) = (0, 0);
    for dir in std::env::args().skip(1) {
        for e in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let bytes = std::fs::read(e.path()).expect("read input");
            let Ok(input) = VerifyInput::arbitrary_take_rest(Unstructured::new(&bytes)) else {
                continue;
            };
            total += 1;
            accepted += usize::from(check(&input));
        }
    }
    println!("{accepted} of {total} inputs accepted (each checked against the oracle)");
}
