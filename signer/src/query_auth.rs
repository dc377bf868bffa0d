//! Query auth (presigned URLs): the signature and its parameters in the query string.
//!
//! `X-Amz-Expires` must lie within 1..=604800 seconds: AWS rejects longer-lived presigned URLs
//! ("X-Amz-Expires must be less than a week (in seconds) that is 604800", S3 API reference,
//! "Authenticating Requests: Using Query Parameters"). The payload is never sent as a header
//! in query auth; the canonical request still ends with the payload hash.

use crate::error::{ParamsError, RequestError, SignError};
use crate::query::parse_query;
use crate::request::SignableRequest;
use crate::settings::{SessionTokenMode, SignatureLocation, SigningParams};
use crate::sign::{check, headers_to_sign, payload_hash_for, prepare, SigningOutput};
use crate::string_to_sign::ALGORITHM;

/// Longest presign lifetime AWS accepts: 7 days.
pub const MAX_EXPIRES: u64 = 604_800;

const RESERVED: &[&str] = &[
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
];

/// Presigns `request`, valid for `expires_in` seconds.
pub fn presign(
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
    for (k, _) in parse_query(query) {
        let clash = RESERVED.iter().any(|r| r.as_bytes() == k.as_slice())
            || (token.is_some() && k == b"X-Amz-Security-Token");
        if clash {
            return Err(RequestError::ReservedQueryParameter {
                name: String::from_utf8_lossy(&k).into_owned(),
            }
            .into());
        }
    }
    let payload_hash = payload_hash_for(request, params)?;
    let amz_date = params.time.amz_date();
    let credential = format!(
        "{}/{}/{}/{}/aws4_request",
        params.credentials.access_key_id,
        params.time.date_stamp(),
        params.region,
        params.service
    );
    let expires = expires_in.to_string();
    let token_signed = matches!(params.settings.session_token, SessionTokenMode::Include);

    // The signed-headers list goes in the query, so it is known before the canonical request.
    let canonical_headers = headers_to_sign(request, &[]);
    let signed_headers = canonical_headers.signed_headers();
    let mut added = vec![
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", credential.as_str()),
        ("X-Amz-Date", amz_date.as_str()),
        ("X-Amz-Expires", expires.as_str()),
        ("X-Amz-SignedHeaders", signed_headers.as_str()),
    ];
    if let (Some(t), true) = (token, token_signed) {
        added.push(("X-Amz-Security-Token", t));
    }
    let p = prepare(request, params, &payload_hash, canonical_headers, &added)?;

    let mut query = vec![
        ("X-Amz-Algorithm".to_owned(), ALGORITHM.to_owned()),
        ("X-Amz-Credential".to_owned(), credential),
        ("X-Amz-Date".to_owned(), amz_date),
        ("X-Amz-SignedHeaders".to_owned(), signed_headers),
        ("X-Amz-Expires".to_owned(), expires),
    ];
    if let Some(t) = token {
        query.push(("X-Amz-Security-Token".to_owned(), t.to_owned()));
    }
    query.push(("X-Amz-Signature".to_owned(), p.signature.clone()));
    Ok(SigningOutput {
        location: SignatureLocation::Query { expires_in },
        canonical_request: p.canonical_request,
        canonical_request_text: p.canonical_request_text,
        scope: p.scope,
        string_to_sign: p.string_to_sign,
        signature: p.signature,
        headers: Vec::new(),
        query,
    })
}
