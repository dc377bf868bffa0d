//! Query auth (presigned URLs): the signature and its parameters in the query string.
//!
//! `X-Amz-Expires` must lie within 1..=604800 seconds: AWS rejects longer-lived presigned URLs
//! ("X-Amz-Expires must be less than a week (in seconds) that is 604800", S3 API reference,
//! "Authenticating Requests: Using Query Parameters"). The payload is never sent as a header
//! in query auth; the canonical request still ends with the payload hash.

use crate::encoding::decode_query_component_with;
use crate::error::{ParamsError, RequestError, SignError};
use crate::headers::SignedHeaders;
use crate::payload::PayloadHash;
use crate::request::SignableRequest;
use crate::settings::{SessionTokenMode, SignatureLocation, SigningParams};
use crate::sign::{capacity, check, date_of, write_signature, Added, SigningOutput, Span};
use crate::string_to_sign::{push_scope, ALGORITHM};
use crate::time::StackStr;

/// Longest presign lifetime AWS accepts: 7 days.
pub const MAX_EXPIRES: u64 = 604_800;

/// The parameters query auth adds, which a request to presign must not carry already
/// (`X-Amz-Security-Token` too when there is a token; SigV4a adds `X-Amz-Region-Set`). The one
/// list for SigV4 and SigV4a.
const RESERVED: &[&str] = &[
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
];

/// Refuses a query that already carries a parameter presigning adds: those of [`RESERVED`],
/// the token's when `with_token`, and `also` (SigV4a's region set).
pub(crate) fn check_reserved(
    query: &str,
    with_token: bool,
    also: &[&str],
) -> Result<(), SignError> {
    for p in query.split('&').filter(|p| !p.is_empty()) {
        let k = p.split_once('=').map_or(p, |(k, _)| k);
        let decoded;
        // Decode only a key that has something to decode.
        let k = if k.contains(['%', '+']) {
            decoded = decode_query_component_with(k, true);
            decoded.as_slice()
        } else {
            k.as_bytes()
        };
        let clash = RESERVED.iter().chain(also).any(|r| r.as_bytes() == k)
            || (with_token && k == b"X-Amz-Security-Token");
        if clash {
            return Err(RequestError::ReservedQueryParameter {
                name: String::from_utf8_lossy(k).into_owned(),
            }
            .into());
        }
    }
    Ok(())
}

/// Presigns `request`, valid for `expires_in` seconds.
pub(crate) fn presign(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    expires_in: u64,
) -> Result<SigningOutput, SignError> {
    if !(1..=MAX_EXPIRES).contains(&expires_in) {
        return Err(ParamsError::ExpiresOutOfRange {
            seconds: expires_in,
        }
        .into());
    }
    check(request, params)?;
    let (_, query) = request.path_and_query()?;
    let token = params.credentials.session_token.as_deref();
    check_reserved(query, token.is_some(), &[])?;
    let payload = PayloadHash::new(&params.settings.payload, request.body)?;
    let payload = payload.as_str();
    let amz_date = params.time.amz_date_str();
    let token_signed = matches!(params.settings.session_token, SessionTokenMode::Include);

    // The credential, expiry and signed-headers list go in the query, so they are known
    // before the canonical request: they are written to a buffer of their own.
    let signed = SignedHeaders::for_signing(&request.headers, &[]);
    let mut pre = String::with_capacity(capacity(request, params, 0) / 2);
    pre.push_str(&params.credentials.access_key_id);
    pre.push('/');
    push_scope(
        &mut pre,
        date_of(amz_date.as_str()),
        params.region,
        params.service,
    );
    let credential_end = pre.len();
    let mut expires = StackStr::default();
    expires.push_int(i128::from(expires_in), 1);
    signed.write_names(&mut pre);
    let credential = &pre[..credential_end];
    let signed_headers = &pre[credential_end..];
    let mut added = [
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", credential),
        ("X-Amz-Date", amz_date.as_str()),
        ("X-Amz-Expires", expires.as_str()),
        ("X-Amz-SignedHeaders", signed_headers),
        ("", ""),
    ];
    let n = if let (Some(t), true) = (token, token_signed) {
        added[5] = ("X-Amz-Security-Token", t);
        6
    } else {
        5
    };
    let mut text = String::with_capacity(capacity(request, params, pre.len() + payload.len()));
    let w = write_signature(
        &mut text,
        request,
        params,
        payload,
        &signed,
        &added[..n],
        amz_date.as_str(),
    )?;

    let mut out = Added::default();
    let push = |text: &mut String, out: &mut Added, name: &'static str, value: &str| {
        let start = text.len();
        text.push_str(value);
        out.push(name, Span::since(start, text));
    };
    push(&mut text, &mut out, "X-Amz-Algorithm", ALGORITHM);
    push(&mut text, &mut out, "X-Amz-Credential", credential);
    out.push("X-Amz-Date", w.amz_date);
    push(&mut text, &mut out, "X-Amz-SignedHeaders", signed_headers);
    push(&mut text, &mut out, "X-Amz-Expires", expires.as_str());
    if let Some(t) = token {
        push(&mut text, &mut out, "X-Amz-Security-Token", t);
    }
    let start = text.len();
    text.push_str(w.signature_hex.as_str());
    let signature = Span::since(start, &text);
    out.push("X-Amz-Signature", signature);
    Ok(SigningOutput::new(
        SignatureLocation::Query { expires_in },
        text,
        w.creq,
        w.sts,
        signature,
        out,
    ))
}
