//! The verifier never panics and never accepts a signature not made with the secret
//! (`sigv4_fuzz::verify_target`).
#![no_main]

libfuzzer_sys::fuzz_target!(|input: sigv4_fuzz::verify_target::VerifyInput| {
    let _accepted = sigv4_fuzz::verify_target::check(&input);
});
