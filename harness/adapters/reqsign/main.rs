//! Harness adapter (protocol 1) for reqsign's AWS v4 signer (reqsign-aws-v4 3.3), through
//! `sigv4_adapters::reqsign_path` (reqsign's signing steps at the case's time).
//!
//! reqsign always signs an `x-amz-content-sha256` header; where a case does not ask for one,
//! the adapter signs with that default (the header set to the case's payload hash, reqsign's
//! API for the payload) and the harness judges the result by acceptance (`accepted`: our
//! verifier accepts the request as sent, and the only difference is the added signed header).

use std::time::Duration;

use reqsign_aws_core::Credential;
use reqsign_core::time::Timestamp;
use sha2::{Digest, Sha256};
use sigv4_adapters::protocol::{
    ok, path_needs_normalising, signed_request, Hello, Location, Payload, SessionToken, UriEncoding,
};
use sigv4_adapters::reqsign_path;
use sigv4_adapters::{hex, run, Answer, Case};

/// The reqsign-aws-v4 version of Cargo.lock (checked by tests/hello.rs).
const VERSION: &str = "3.3.1";

fn unsupported(reason: &str) -> Answer {
    Answer::Unsupported(reason.to_string())
}

fn sign_case(case: &Case) -> Answer {
    let st = &case.settings;
    let path = case.request.path();
    // reqsign's canonical path: each segment decoded and encoded once; never normalised.
    if st.uri_encoding == UriEncoding::Double && path.contains('%') {
        return unsupported("reqsign encodes the path once (no double encoding)");
    }
    if st.normalize_path && path_needs_normalising(path) {
        return unsupported("reqsign does not normalise the path");
    }
    if case.credentials.session_token.is_some() && st.session_token != SessionToken::Include {
        return unsupported("reqsign always signs the session token");
    }
    let body = match case.request.body() {
        Ok(b) => b,
        Err(e) => return Answer::Error(e),
    };
    let query = st.location == Location::Query;
    // reqsign signs the x-amz-content-sha256 header the caller sets as the payload hash; without
    // it, it adds `x-amz-content-sha256: UNSIGNED-PAYLOAD` (header auth) or signs
    // UNSIGNED-PAYLOAD without the header (presigning). The adapter sets the header to the
    // case's payload, except for a presigned UNSIGNED-PAYLOAD, which is reqsign's default.
    let content_sha256 = match &st.payload {
        Payload::Unsigned if query && !st.content_sha256_header => None,
        Payload::Hash => Some(hex(&Sha256::digest(&body))),
        Payload::Unsigned => Some("UNSIGNED-PAYLOAD".to_string()),
        Payload::Precomputed { value } => Some(value.clone()),
        _ => return unsupported("reqsign has no aws-chunked streaming"),
    };
    let now: Timestamp = match case.time.parse() {
        Ok(t) => t,
        Err(e) => return Answer::Error(format!("time {:?}: {e}", case.time)),
    };
    let host = case
        .request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.clone());
    let Some(host) = host else {
        return Answer::Error(
            "adapter: the request has no Host header (reqsign takes the URI's authority)".into(),
        );
    };
    let mut builder = http::Request::builder()
        .method(case.request.method.as_str())
        .uri(format!("http://{host}{}", case.request.target));
    for (n, v) in &case.request.headers {
        builder = builder.header(n.as_str(), v.as_str());
    }
    if let Some(v) = &content_sha256 {
        builder = builder.header("x-amz-content-sha256", v.as_str());
    }
    let (mut parts, ()) = match builder.body(()) {
        Ok(r) => r.into_parts(),
        Err(e) => return Answer::Error(format!("http::Request: {e}")),
    };
    let cred = Credential {
        access_key_id: case.credentials.access_key_id.clone(),
        secret_access_key: case.credentials.secret_access_key.clone(),
        session_token: case.credentials.session_token.clone(),
        expires_in: None,
    };
    let expires = query.then(|| Duration::from_secs(st.expires_in.unwrap_or(3600)));
    let art = match reqsign_path::sign(&mut parts, &cred, &case.service, &case.region, expires, now)
    {
        Ok(a) => a,
        Err(e) => return Answer::Error(format!("reqsign: {e}")),
    };
    // Signed headers: reqsign signs every header of the request (no switch).
    if let Some(wanted) = &st.signed_headers {
        let original: Vec<String> = case
            .request
            .headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        let mut chosen: Vec<String> = parts
            .headers
            .keys()
            .map(|k| k.as_str().to_string())
            .filter(|n| {
                n != "host"
                    && n != "authorization"
                    && (original.contains(n) || !n.starts_with("x-amz-"))
            })
            .collect();
        let mut want: Vec<String> = wanted
            .iter()
            .map(|n| n.to_ascii_lowercase())
            .filter(|n| n != "host")
            .collect();
        chosen.sort();
        chosen.dedup();
        want.sort();
        want.dedup();
        if chosen != want {
            return Answer::Unsupported(format!(
                "reqsign signs {chosen:?} of this request and has no switch to sign {want:?}"
            ));
        }
    }
    // The case's headers in their order, then what reqsign added.
    let mut headers = case.request.headers.clone();
    let original: Vec<String> = headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    for (n, v) in &parts.headers {
        if !original.contains(&n.as_str().to_string()) {
            headers.push((
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            ));
        }
    }
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    ok(
        signed_request(&case.request.method, target, headers, &body),
        Some(art.canonical_request),
        Some(art.string_to_sign),
        Some(art.signature),
    )
}

fn main() -> anyhow::Result<()> {
    run(
        &Hello {
            name: "reqsign",
            version: VERSION,
            reveals: &["canonical_request", "string_to_sign", "signature"],
            protocols: &[1],
            algorithms: &["sigv4"],
            features: &[],
        },
        &sign_case,
    )
}
