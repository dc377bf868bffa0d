//! Explains fuzz inputs (crash artifacts, corpus files): the decoded input, the known-difference
//! class it falls in, and the differential *without* filters, with both canonical requests.
//!
//! Usage: `cargo run --example explain -- FILE...`

use arbitrary::{Arbitrary, Unstructured};
use sigv4_fuzz::{differential, known_difference, Diff, Input};

fn main() {
    for f in std::env::args().skip(1) {
        let bytes = std::fs::read(&f).expect("read input");
        let input = Input::arbitrary_take_rest(Unstructured::new(&bytes)).expect("decodes");
        println!("== {f}\n{input:#?}\ntarget: {}", input.target());
        println!("known difference class: {:?}", known_difference(&input));
        match differential(&input, false) {
            Diff::Differs {
                ours_sig,
                theirs_sig,
                ours_creq,
                theirs_creq,
            } => {
                println!("-- sigv4_signer {ours_sig}:\n{ours_creq}\n-- aws-sigv4 {theirs_sig}:\n{theirs_creq}");
            }
            other => println!("differential: {other:?}"),
        }
        let checks = std::panic::catch_unwind(|| {
            sigv4_fuzz::check_headers(&input);
            sigv4_fuzz::check_query(&input);
            sigv4_fuzz::check_uri(&input);
        });
        println!(
            "property checks: {}",
            if checks.is_ok() { "pass" } else { "FAIL" }
        );
    }
}
