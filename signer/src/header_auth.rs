//! Header auth: the signature in `Authorization`, with `X-Amz-Date`, and where configured
//! `x-amz-content-sha256` and `X-Amz-Security-Token`.
//!
//! Headers of those names already on the request are replaced, not signed twice.

use crate::error::SignError;
use crate::payload::ContentSha256Mode;
use crate::request::SignableRequest;
use crate::settings::{SessionTokenMode, SignatureLocation, SigningParams};
use crate::sign::{check, headers_to_sign, payload_hash_for, prepare, SigningOutput};
use crate::string_to_sign::ALGORITHM;

/// Signs `request` for the `Authorization` header.
pub fn sign_headers(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
) -> Result<SigningOutput, SignError> {
    check(request, params)?;
    let payload_hash = payload_hash_for(request, params)?;
    let amz_date = params.time.amz_date();
    let token = params.credentials.session_token.as_deref();
    let s = &params.settings;

    let mut added = vec![("x-amz-date", amz_date.as_str())];
    if s.content_sha256 == ContentSha256Mode::Header {
        added.push(("x-amz-content-sha256", payload_hash.as_str()));
    }
    if let (Some(t), SessionTokenMode::Include) = (token, s.session_token) {
        added.push(("x-amz-security-token", t));
    }
    let p = prepare(
        request,
        params,
        &payload_hash,
        headers_to_sign(request, &added),
        &[],
    )?;

    let mut headers = vec![("X-Amz-Date".to_owned(), amz_date.clone())];
    if s.content_sha256 == ContentSha256Mode::Header {
        headers.push(("x-amz-content-sha256".to_owned(), payload_hash.clone()));
    }
    if let Some(t) = token {
        headers.push(("X-Amz-Security-Token".to_owned(), t.to_owned()));
    }
    headers.push((
        "Authorization".to_owned(),
        format!(
            "{ALGORITHM} Credential={}/{}, SignedHeaders={}, Signature={}",
            params.credentials.access_key_id,
            p.scope,
            p.canonical_request.signed_headers(),
            p.signature
        ),
    ));
    Ok(SigningOutput {
        location: SignatureLocation::Headers,
        canonical_request: p.canonical_request,
        canonical_request_text: p.canonical_request_text,
        scope: p.scope,
        string_to_sign: p.string_to_sign,
        signature: p.signature,
        headers,
        query: Vec::new(),
    })
}
