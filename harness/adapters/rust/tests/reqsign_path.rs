//! The reqsign adapter signs through `sigv4_adapters::reqsign_path` (reqsign's own building
//! blocks at a given time) because `RequestSigner` reads the clock. This checks that path
//! against `RequestSigner::sign_request` itself: sign with RequestSigner (clock time), read the
//! time it used back from its output, sign the same request through the path at that time,
//! and compare every header and the URI.
#![allow(clippy::unwrap_used, missing_docs)]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use reqsign_aws_v4::{Credential, RequestSigner};
use reqsign_core::time::Timestamp;
use reqsign_core::SignRequest;

fn poll_once<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("reqsign's signer waited"),
    }
}

fn parse_amz(s: &str) -> Timestamp {
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15]
    );
    iso.parse().unwrap()
}

fn requests() -> Vec<http::request::Parts> {
    let mk = |m: &str, uri: &str, hs: &[(&str, &str)]| {
        let mut b = http::Request::builder().method(m).uri(uri);
        for (n, v) in hs {
            b = b.header(*n, *v);
        }
        b.body(()).unwrap().into_parts().0
    };
    vec![
        mk("GET", "https://example.amazonaws.com/", &[]),
        mk(
            "GET",
            "https://examplebucket.s3.amazonaws.com/a%20b/c?b=2&a=1&a=0&flag",
            &[("range", "bytes=0-9")],
        ),
        mk(
            "POST",
            "https://example.amazonaws.com/x",
            &[
                ("content-type", "application/json"),
                ("x-amz-content-sha256", "abc"),
                ("my-header", "  a   b "),
            ],
        ),
    ]
}

#[test]
fn reqsign_path_equals_request_signer() {
    let ctx = reqsign_core::Context::new();
    for token in [None, Some("TOKEN/+=".to_string())] {
        let cred = Credential {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: token.clone(),
            expires_in: None,
        };
        for expires in [None, Some(Duration::from_secs(900))] {
            for original in requests() {
                let mut theirs = original.clone();
                poll_once(RequestSigner::new("service", "us-east-1").sign_request(
                    &ctx,
                    &mut theirs,
                    Some(&cred),
                    expires,
                ))
                .unwrap();
                let date = match expires {
                    None => theirs.headers["x-amz-date"].to_str().unwrap().to_string(),
                    Some(_) => {
                        let q = theirs.uri.query().unwrap();
                        q.split('&')
                            .find_map(|p| p.strip_prefix("X-Amz-Date="))
                            .unwrap()
                            .to_string()
                    }
                };
                let mut ours = original.clone();
                let art = sigv4_adapters::reqsign_path::sign(
                    &mut ours,
                    &cred,
                    "service",
                    "us-east-1",
                    expires,
                    parse_amz(&date),
                )
                .unwrap();
                assert_eq!(
                    ours.uri, theirs.uri,
                    "URI of {} (expires {expires:?}, token {token:?})",
                    original.uri
                );
                assert_eq!(
                    ours.headers, theirs.headers,
                    "headers of {} (expires {expires:?})",
                    original.uri
                );
                let sig_in = |p: &http::request::Parts| match expires {
                    None => p.headers["authorization"].to_str().unwrap().to_string(),
                    Some(_) => p.uri.to_string(),
                };
                assert!(sig_in(&theirs).contains(&art.signature));
            }
        }
    }
}
