//! sigv4_signer signs like aws-sigv4 wherever both accept the request, except in the
//! known-difference classes of `FINDINGS.md` (`sigv4_fuzz::check_differential`).
#![no_main]

libfuzzer_sys::fuzz_target!(|input: sigv4_fuzz::Input| {
    sigv4_fuzz::check_differential(&input);
});
