//! Canonicalisation properties of sigv4_signer (headers, query, path), fast: no aws-sigv4 on
//! this path (the comparison with aws-sigv4 is the `differential` target). The checks live in
//! `src/lib.rs` (`sigv4_fuzz::check_one_family`); the bytes are decoded as `Input`, but only
//! the field the input's family reads (`sigv4_fuzz::Family`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sigv4_fuzz::check_one_family_bytes(data);
});
