//! What the signer signs the verifier accepts; one changed signed component makes it reject
//! unless canonically equivalent (`sigv4_fuzz::roundtrip`).
#![no_main]

libfuzzer_sys::fuzz_target!(|input: sigv4_fuzz::roundtrip::RoundtripInput| {
    sigv4_fuzz::roundtrip::check(&input);
});
