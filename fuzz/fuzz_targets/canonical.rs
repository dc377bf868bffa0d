//! Canonicalisation properties of sigv4_signer (headers, query, path), fast: no aws-sigv4 on
//! this path (the comparison with aws-sigv4 is the `differential` target). The checks live in
//! `src/lib.rs` (`sigv4_fuzz::check_invariants`).
#![no_main]

libfuzzer_sys::fuzz_target!(|input: sigv4_fuzz::Input| {
    sigv4_fuzz::check_one_family(&input);
});
