//! reqsign's AWS v4 signing path at a given time.
//!
//! `reqsign_aws_v4::RequestSigner::sign_request` takes its time from the clock (its
//! `with_time` is `#[cfg(test)]`), and the harness signs at the case's time. So [`sign`] runs
//! the same public building blocks `sign_request` calls, in the same order, with the given
//! time: `SigningRequest::build`, `reqsign_aws_core::signing::canonicalize_headers`,
//! `canonicalize_query`, `canonical_request_string`, then reqsign's string to sign, key chain
//! and HMAC (`reqsign_core::hash`), the Authorization header or `append_query_pairs` +
//! `append_query_fragment`, and `SigningRequest::apply`. Only the order of the steps and the
//! presign parameter list (a private function of reqsign-aws-v4, restated here) are the
//! adapter's; `tests/reqsign_path.rs` checks that the result equals `RequestSigner`'s own
//! output at the same second.

use std::time::Duration;

use http::request::Parts;
use http::{header, HeaderValue};
use reqsign_aws_core::signing::{
    append_query_fragment, append_query_pairs, canonical_request_string, canonicalize_headers,
    canonicalize_query,
};
use reqsign_aws_core::Credential;
use reqsign_core::hash::{hex_hmac_sha256, hex_sha256, hmac_sha256};
use reqsign_core::time::Timestamp;
use reqsign_core::SigningRequest;

/// What reqsign computed for one request.
#[derive(Debug, Clone)]
pub struct Artifacts {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature, hex.
    pub signature: String,
}

/// Signs `parts` in place (headers, and the URI for presigning) as `RequestSigner` does, at `now`.
pub fn sign(
    parts: &mut Parts,
    cred: &Credential,
    service: &str,
    region: &str,
    expires_in: Option<Duration>,
    now: Timestamp,
) -> reqsign_core::Result<Artifacts> {
    let original_uri = parts.uri.clone();
    let mut req = SigningRequest::build(parts)?;
    canonicalize_headers(&mut req, cred, expires_in, now)?;
    let auth_query = authentication_query(&req, cred, expires_in, now, service, region);
    let canonical_query = canonicalize_query(&req, &auth_query);
    let canonical_request = canonical_request_string(&req, &canonical_query)?;
    let scope = format!("{}/{region}/{service}/aws4_request", now.format_date());
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
        now.format_iso8601(),
        hex_sha256(canonical_request.as_bytes())
    );
    let mut key = hmac_sha256(
        format!("AWS4{}", cred.secret_access_key).as_bytes(),
        now.format_date().as_bytes(),
    );
    for part in [region, service, "aws4_request"] {
        key = hmac_sha256(&key, part.as_bytes());
    }
    let signature = hex_hmac_sha256(&key, string_to_sign.as_bytes());
    let final_uri = if expires_in.is_some() {
        let unsigned = append_query_pairs(&original_uri, &auth_query)?;
        Some(append_query_fragment(
            &unsigned,
            &format!("X-Amz-Signature={signature}"),
        )?)
    } else {
        let value = format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={}, Signature={signature}",
            cred.access_key_id,
            req.header_name_to_vec_sorted().join(";"),
        );
        let mut value = HeaderValue::from_str(&value)
            .map_err(|e| reqsign_core::Error::unexpected(format!("authorization header: {e}")))?;
        value.set_sensitive(true);
        req.headers.insert(header::AUTHORIZATION, value);
        None
    };
    req.apply(parts)?;
    if let Some(uri) = final_uri {
        parts.uri = uri;
    }
    Ok(Artifacts {
        canonical_request,
        string_to_sign,
        signature,
    })
}

/// The presign parameters of reqsign-aws-v4 3.3 (`authentication_query`, private there).
fn authentication_query(
    req: &SigningRequest,
    cred: &Credential,
    expires_in: Option<Duration>,
    now: Timestamp,
    service: &str,
    region: &str,
) -> Vec<(String, String)> {
    let Some(expires) = expires_in else {
        return Vec::new();
    };
    let mut q = vec![
        (
            "X-Amz-Algorithm".to_string(),
            "AWS4-HMAC-SHA256".to_string(),
        ),
        (
            "X-Amz-Credential".to_string(),
            format!(
                "{}/{}/{region}/{service}/aws4_request",
                cred.access_key_id,
                now.format_date()
            ),
        ),
        ("X-Amz-Date".to_string(), now.format_iso8601()),
        ("X-Amz-Expires".to_string(), expires.as_secs().to_string()),
        (
            "X-Amz-SignedHeaders".to_string(),
            req.header_name_to_vec_sorted().join(";"),
        ),
    ];
    if let Some(token) = &cred.session_token {
        let authority = req.authority.as_str();
        let s3_express = authority.contains("s3express") || authority.contains("--x-s3");
        let name = if s3_express {
            "X-Amz-S3session-Token"
        } else {
            "X-Amz-Security-Token"
        };
        q.push((name.to_string(), token.clone()));
    }
    q
}
