//! Canonicalisation properties of sigv4_signer, and a differential against aws-sigv4.
//! The checks live in `src/lib.rs` (`sigv4_fuzz::check`).
#![no_main]

libfuzzer_sys::fuzz_target!(|input: sigv4_fuzz::Input| {
    sigv4_fuzz::check(&input);
});
