//! The diagnosis of SigV4a requests: a client that signs with SigV4a and one of the known
//! mistakes (made through the signer's own settings) is rejected, and the mistake is named by
//! re-verifying the ECDSA signature under each mistake's canonical request.

#![allow(clippy::unwrap_used)]

use sigv4_signer::diagnose::{diagnose, Mistake};
use sigv4_signer::verify::{verify, VerifyParams, VerifySettings};
use sigv4_signer::{
    v4a, Credentials, PayloadMode, SessionTokenMode, Settings, SignableRequest, SignatureLocation,
    SigningParams, SigningTime, UriEncodingMode,
};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "session-token";

fn outcome(
    settings: Settings,
    secret: &str,
    location: SignatureLocation,
) -> (Result<(), &'static str>, Option<Mistake>) {
    let creds = Credentials::new("AKIDEXAMPLE", secret).with_session_token(TOKEN);
    let time = SigningTime::parse("2015-08-30T12:36:00Z").unwrap();
    let params = SigningParams::new(&creds, "us-east-1", "service", time).with_settings(settings);
    let req = SignableRequest::new("POST", "/a%3Ab/c?x=1")
        .header("Host", "example.amazonaws.com")
        .body(b"{}");
    let signed = v4a::sign(&req, &params, location).unwrap().apply(&req);
    let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
    let vp = VerifyParams::new(time, &lookup)
        .with_settings(VerifySettings::default())
        .with_region("us-east-1")
        .with_service("service");
    let r = SignableRequest {
        method: &signed.method,
        target: &signed.target,
        headers: signed
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect(),
        body: &signed.body,
    };
    (
        verify(&r, &vp).map(|_| ()).map_err(|e| e.code()),
        diagnose(&r, &vp).and_then(|d| d.mistakes.first().cloned()),
    )
}

#[test]
fn a_correct_sigv4a_client_has_no_diagnosis() {
    for location in [
        SignatureLocation::Headers,
        SignatureLocation::Query { expires_in: 60 },
    ] {
        assert_eq!(
            outcome(Settings::default(), SECRET, location),
            (Ok(()), None)
        );
    }
}

#[test]
fn sigv4a_mistakes_are_named() {
    let cases: Vec<(Settings, String, Mistake)> = vec![
        (
            Settings::default().with_uri_encoding(UriEncodingMode::Single),
            SECRET.to_owned(),
            Mistake::PathEncodedOnce,
        ),
        (
            Settings::default().with_payload(PayloadMode::Unsigned),
            SECRET.to_owned(),
            Mistake::PayloadUnsigned,
        ),
        (
            Settings::default().with_session_token(SessionTokenMode::AddAfterSigning),
            SECRET.to_owned(),
            Mistake::SessionTokenNotSigned,
        ),
        (
            Settings::default(),
            format!("{SECRET} "),
            Mistake::SecretTrailingSpace,
        ),
    ];
    for (settings, secret, want) in cases {
        for location in [
            SignatureLocation::Headers,
            SignatureLocation::Query { expires_in: 60 },
        ] {
            // In header auth an unsigned token header is simply not in SignedHeaders, which
            // the server verifies as listed: not a mismatch.
            if want == Mistake::SessionTokenNotSigned && location == SignatureLocation::Headers {
                continue;
            }
            let (verdict, mistake) = outcome(settings.clone(), &secret, location);
            assert_eq!(verdict, Err("signature-mismatch"), "{want:?} {location:?}");
            assert_eq!(mistake, Some(want.clone()), "{location:?}");
        }
    }
}
