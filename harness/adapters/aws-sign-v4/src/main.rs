//! The adapter for the `aws-sign-v4` crate (crates.io, 0.3.0): `AwsSign::new(...)` then
//! `.sign()` (the Authorization value) and `.canonical_request()`; the string to sign comes
//! from the crate's public `string_to_sign` function, given the same pieces. The crate takes
//! the time as an argument (no clock); the caller supplies `host` and `x-amz-date` (and any
//! `x-amz-security-token` / `x-amz-content-sha256`) as headers, and every header given is
//! signed. Header auth only: the crate has no presigning.

// The protocol loop is the Rust template's (one copy: ../templates/rust/src/protocol.rs).
#[path = "../../templates/rust/src/protocol.rs"]
mod protocol;

use std::collections::HashSet;

use aws_sign_v4::{string_to_sign, AwsSign};
use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderName, HeaderValue};
use protocol::{body, header, headers, str_field, Adapter, Refusal, Signed};
use serde_json::{json, Value};

fn unsupported(why: &str) -> Refusal {
    Refusal::Unsupported(why.to_owned())
}

fn sign(msg: &Value) -> Result<Signed, Refusal> {
    let s = &msg["settings"];
    if s["algorithm"].as_str().is_some_and(|a| a != "sigv4") {
        return Err(unsupported("aws-sign-v4 signs SigV4 only"));
    }
    if s["location"] != "header" {
        return Err(unsupported("aws-sign-v4 has no presigning (query auth)"));
    }
    if s["payload"]["mode"] != "hash" {
        return Err(unsupported(
            "aws-sign-v4 always signs the SHA-256 of the body it is given (no UNSIGNED-PAYLOAD or given hash)",
        ));
    }
    if !s["signed_headers"].is_null() {
        return Err(unsupported(
            "aws-sign-v4 signs every header it is given; the adapter hands it all of them",
        ));
    }
    let given = headers(msg);
    let mut seen = HashSet::new();
    if !given
        .iter()
        .all(|(n, _)| seen.insert(n.to_ascii_lowercase()))
    {
        return Err(unsupported(
            "aws-sign-v4 collects the headers into a HashMap: one value per name, so a repeated header cannot be given",
        ));
    }
    let time: DateTime<Utc> = DateTime::parse_from_rfc3339(str_field(msg, "time")?)
        .map_err(|e| Refusal::Error(format!("time: {e}")))?
        .with_timezone(&Utc);
    let body = body(msg)?;
    let creds = &msg["credentials"];
    let token = creds["session_token"].as_str();
    let after = token.is_some() && s["session_token"] == "after-signing";
    let host = header(msg, "host").ok_or_else(|| Refusal::Error("no Host header".into()))?;

    // The headers the crate signs: the request's, then those the caller must add.
    let mut added: Vec<(String, String)> = vec![(
        "X-Amz-Date".into(),
        time.format("%Y%m%dT%H%M%SZ").to_string(),
    )];
    if s["content_sha256_header"] == true {
        // The crate hashes the body itself for the canonical request; the header carries the
        // same hash, computed by the crate's own dependency.
        added.push(("X-Amz-Content-Sha256".into(), sha256::digest(&body[..])));
    }
    if let (Some(t), false) = (token, after) {
        added.push(("X-Amz-Security-Token".into(), t.to_owned()));
    }
    let mut map = HeaderMap::new();
    for (n, v) in given.iter().chain(&added) {
        let name = HeaderName::from_bytes(n.as_bytes())
            .map_err(|e| Refusal::Error(format!("header name {n:?}: {e}")))?;
        let value = HeaderValue::from_str(v)
            .map_err(|e| Refusal::Error(format!("header value of {n}: {e}")))?;
        map.append(name, value);
    }
    let target = str_field(&msg["request"], "target")?;
    let method = str_field(&msg["request"], "method")?;
    let region = str_field(msg, "region")?;
    let service = str_field(msg, "service")?;
    let url = format!("https://{host}{target}");
    let signer = AwsSign::new(
        method,
        &url,
        &time,
        &map,
        region,
        str_field(creds, "access_key_id")?,
        str_field(creds, "secret_access_key")?,
        service,
        &body,
    );
    let authorization = signer.sign();
    let canonical = signer.canonical_request();
    let sts = string_to_sign(&time, region, &canonical, service);
    let signature = authorization
        .rsplit_once("Signature=")
        .map(|(_, sig)| sig.to_owned());
    let mut out_headers = given;
    out_headers.extend(added);
    out_headers.push(("Authorization".into(), authorization));
    if let (Some(t), true) = (token, after) {
        out_headers.push(("X-Amz-Security-Token".into(), t.to_owned()));
    }
    Ok(Signed {
        method: method.to_owned(),
        target: target.to_owned(),
        headers: out_headers,
        canonical_request: Some(canonical),
        string_to_sign: Some(sts),
        signature,
    })
}

fn main() {
    protocol::run(&Adapter {
        hello: json!({"name": "aws-sign-v4", "version": "0.3.0", "language": "rust",
                      "reveals": ["canonical_request", "string_to_sign", "signature"]}),
        max_protocol: 1,
        sign,
    });
}
