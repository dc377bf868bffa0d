//! Header auth: the signature in `Authorization`, with `X-Amz-Date`, and where configured
//! `x-amz-content-sha256` and `X-Amz-Security-Token`.
//!
//! Headers of those names already on the request are replaced, not signed twice.

use crate::error::SignError;
use crate::headers::SignedHeaders;
use crate::payload::{ContentSha256Mode, PayloadHash};
use crate::request::SignableRequest;
use crate::settings::{SessionTokenMode, SignatureLocation, SigningParams};
use crate::sign::{check, write_signature, Added, SigningOutput, Span};
use crate::string_to_sign::ALGORITHM;

/// The start of the `Authorization` value: the algorithm ([`ALGORITHM`]) and the name of its
/// first component, one copy.
const CREDENTIAL_PREFIX: &str = "AWS4-HMAC-SHA256 Credential=";

/// Signs `request` for the `Authorization` header.
pub(crate) fn sign_headers(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
) -> Result<SigningOutput, SignError> {
    let as_is = check(request, params)?;
    let s = &params.settings;
    let payload = PayloadHash::new(&s.payload, request.body)?;
    let payload = payload.as_str();
    let amz_date = params.time.amz_date_str();
    let amz_date = amz_date.as_str();
    let token = params.credentials.session_token.as_deref();

    let mut added = [("x-amz-date", amz_date), ("", ""), ("", "")];
    let mut n = 1;
    if s.content_sha256 == ContentSha256Mode::Header {
        added[n] = ("x-amz-content-sha256", payload);
        n += 1;
    }
    if let (Some(t), SessionTokenMode::Include) = (token, s.session_token) {
        added[n] = ("x-amz-security-token", t);
        n += 1;
    }
    let signed = SignedHeaders::for_signing(&request.headers, &added[..n], as_is);
    let cap = capacity(request, params, payload, amz_date);
    let mut text = String::with_capacity(cap);
    let w = write_signature(
        &mut text,
        request,
        None,
        params,
        payload,
        &signed,
        &[],
        amz_date,
    )?;

    let mut out = Added::default();
    out.push("X-Amz-Date", w.amz_date);
    if s.content_sha256 == ContentSha256Mode::Header {
        out.push("x-amz-content-sha256", w.payload_hash);
    }
    if let Some(t) = token {
        let start = text.len();
        text.push_str(t);
        out.push("X-Amz-Security-Token", Span::since(start, &text));
    }
    // The Authorization value ends with the signature: written once, its span the last 64
    // bytes of the value. The scope and the signed-headers list are copied from where the
    // string to sign and the canonical request have them.
    let start = text.len();
    text.push_str(CREDENTIAL_PREFIX);
    text.push_str(&params.credentials.access_key_id);
    text.push('/');
    text.extend_from_within(w.scope.start..w.scope.end);
    text.push_str(", SignedHeaders=");
    text.extend_from_within(w.signed_headers.start..w.signed_headers.end);
    text.push_str(", Signature=");
    let sig_start = text.len();
    text.push_str(w.signature_hex.as_str());
    let signature = Span::since(sig_start, &text);
    debug_assert!(text.len() <= cap, "{} > {cap}", text.len());
    out.push("Authorization", Span::since(start, &text));
    Ok(SigningOutput::new(
        SignatureLocation::Headers,
        text,
        w.creq,
        w.sts,
        signature,
        out,
    ))
}

/// A capacity that holds everything header auth writes for `request`, so the buffer is never
/// grown, and no more than that by much: a buffer past 1 KiB leaves the allocator's per-thread
/// cache (glibc's tcache holds chunks up to 1,032 bytes), which costs a POST with three headers
/// about 250 instructions to allocate and free.
///
/// What is written: the canonical request (the path and query may triple when encoded and the
/// query is written twice while sorting; each header at most as its name, a `:`, its value
/// and a newline, its name again in the signed-headers list with a `;`; a header value is never
/// longer once canonical), the string to sign, the `Authorization` value (the scope and the
/// signed-headers list again) and the session token's header value.
fn capacity(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    payload: &str,
    amz_date: &str,
) -> usize {
    let mut names = 0;
    let mut lines = 0;
    for (n, v) in &request.headers {
        names += n.len() + 1;
        lines += n.len() + v.len() + 2;
    }
    let c = params.credentials;
    let token = c.session_token.as_ref().map_or(0, String::len);
    // The added headers: `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token`.
    let added_names = 10 + 20 + 20 + 3;
    let added_lines = added_names + amz_date.len() + payload.len() + token + 6;
    let signed_headers = names + added_names;
    // `date/region/service/aws4_request`.
    let scope = amz_date.len() + params.region.len() + params.service.len() + 15;
    let creq = request.method.len()
        + 6 * request.target.len()
        + lines
        + added_lines
        + signed_headers
        + payload.len()
        + 8;
    let sts = ALGORITHM.len() + amz_date.len() + scope + 64 + 3;
    let authorization = ALGORITHM.len()
        + " Credential=/, SignedHeaders=, Signature=".len()
        + c.access_key_id.len()
        + scope
        + signed_headers
        + 64;
    creq + sts + authorization + token
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_prefix_is_the_algorithm_and_credential() {
        assert_eq!(CREDENTIAL_PREFIX, format!("{ALGORITHM} Credential="));
    }
}
