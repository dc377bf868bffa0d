//! Verifying a GET (AWS's get-vanilla, signed by the signer) allocates at most 3 times: the
//! secret the lookup returns, and the one buffer that holds the canonical request, the string
//! to sign and the authentication's parts (issue 17's target is ≤ 3); once, the buffer, when
//! the secret is borrowed (`VerifyParams::new_borrowing`). One test in its own binary, so that
//! no other test's allocations are counted.

#![allow(missing_docs, clippy::unwrap_used)]

use std::alloc::System;

use sigv4_signer::verify::{parse_auth, verify, verify_parsed, VerifyParams};
use sigv4_signer::{
    sign, Credentials, SignableRequest, SignatureLocation, SigningParams, SigningTime,
};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn verify_of_get_vanilla_allocates_at_most_three_times() {
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    let time = SigningTime::parse("2015-08-30T12:36:00Z").unwrap();
    let creds = Credentials::new("AKIDEXAMPLE", SECRET);
    let params = SigningParams::new(&creds, "us-east-1", "service", time);
    let req = SignableRequest::new("GET", "/").header("Host", "example.amazonaws.com");
    let signed = sign(&req, &params, SignatureLocation::Headers)
        .unwrap()
        .apply(&req);
    let request = signed.signable();
    let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
    let vparams = VerifyParams::new(time, &lookup)
        .with_region("us-east-1")
        .with_service("service");
    // Warm up (nothing lazy is expected, but count steady state).
    verify(&request, &vparams).unwrap();

    let region = Region::new(GLOBAL);
    let verified = verify(&request, &vparams);
    let allocations = region.change().allocations;
    let verified = verified.unwrap();
    println!("verify of get-vanilla: {allocations} allocations");
    assert!(
        allocations <= 3,
        "verify of get-vanilla made {allocations} allocations (target ≤ 3)"
    );
    // The artifacts are AWS's get-vanilla.creq (aws-signing-test-suite/v4/get-vanilla).
    assert_eq!(
        verified.canonical_request(),
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(verified.access_key_id(), "AKIDEXAMPLE");
    assert_eq!(verified.auth().scope().service, "service");

    // Parsed once, verified with the parse: no more than verify itself.
    let region = Region::new(GLOBAL);
    let auth = parse_auth(&request).unwrap();
    let again = verify_parsed(&request, auth, &vparams);
    let allocations = region.change().allocations;
    assert_eq!(again.unwrap(), verified);
    assert!(
        allocations <= 3,
        "parse_auth + verify_parsed made {allocations} allocations (target ≤ 3)"
    );

    // With the secret borrowed from the key store, the one buffer alone.
    let store = SECRET.to_owned();
    let lookup = |k: &str| (k == "AKIDEXAMPLE").then_some(store.as_str());
    let vparams = VerifyParams::new_borrowing(time, &lookup)
        .with_region("us-east-1")
        .with_service("service");
    let region = Region::new(GLOBAL);
    let borrowed = verify(&request, &vparams);
    let allocations = region.change().allocations;
    assert_eq!(borrowed.unwrap(), verified);
    assert_eq!(allocations, 1, "verify with a borrowed secret");
}
