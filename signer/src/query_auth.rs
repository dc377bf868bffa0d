//! Query auth (presigned URLs): the signature and its parameters in the query string.
//!
//! `X-Amz-Expires` must lie within 1..=604800 seconds: AWS rejects longer-lived presigned URLs
//! ("X-Amz-Expires must be less than a week (in seconds) that is 604800", S3 API reference,
//! "Authenticating Requests: Using Query Parameters"). The payload is never sent as a header
//! in query auth; the canonical request still ends with the payload hash.

use crate::encoding::{decode_query_component_with, encode_str_into};
use crate::error::{ParamsError, RequestError, SignError};
use crate::headers::SignedHeaders;
use crate::payload::PayloadHash;
use crate::query::{AddedParam, EncodedRun};
use crate::request::{find_either, SignableRequest};
use crate::settings::{SessionTokenMode, SignatureLocation, SigningParams};
use crate::sign::{capacity, check, date_of, write_signature, Added, SigningOutput, Span};
use crate::string_to_sign::ALGORITHM;

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
    // Every name checked starts with `X`; a key decodes to one only if the query holds an `X`
    // or a `%` (`+` decodes to a space). Most queries have neither: one pass, no split.
    if find_either(query.as_bytes(), b'X', b'%').is_none()
        && also.iter().all(|a| a.starts_with('X'))
    {
        return Ok(());
    }
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

/// The added parameters' text up to the credential's value: `X-Amz-Algorithm=` [`ALGORITHM`]
/// `&X-Amz-Credential=` (a test checks it).
const HEAD: &str = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=";

/// Appends `n` in decimal (the expiry: a few digits, no formatting machinery).
fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
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
    let as_is = check(request, params)?;
    let (path, query) = request.path_and_query()?;
    let token = params.credentials.session_token.as_deref();
    check_reserved(query, token.is_some(), &[])?;
    let payload = PayloadHash::new(&params.settings.payload, request.body)?;
    let payload = payload.as_str();
    let amz_date = params.time.amz_date_str();
    let amz_date = amz_date.as_str();
    let token_signed = matches!(params.settings.session_token, SessionTokenMode::Include);
    let signed = SignedHeaders::for_signing(&request.headers, &[], as_is);
    let mut text = String::with_capacity(capacity(
        request,
        params,
        payload.len() + 2 * token.map_or(0, str::len) + 64,
    ));

    // The added parameters are written once, encoded and in canonical order, at the start of
    // the buffer; the canonical request's query merges them in as they are (`query.rs`). Their
    // keys sort as listed; the values are encoded here: the date stamp, `X-Amz-Date` and the
    // expiry are digits, `T` and `Z`, the scope's `/` is `%2F` and the list's `;` is `%3B`.
    // The first parameter and the next key, as one text.
    text.push_str(HEAD);
    let first_eq = "X-Amz-Algorithm".len();
    let first_end = first_eq + 1 + ALGORITHM.len();
    encode_str_into(&mut text, &params.credentials.access_key_id, false);
    // The date stamp is digits (and `-` for a year before 0): unreserved.
    text.push_str("%2F");
    text.push_str(date_of(amz_date));
    for part in [params.region, params.service] {
        text.push_str("%2F");
        encode_str_into(&mut text, part, false);
    }
    text.push_str("%2Faws4_request&X-Amz-Date=");
    text.push_str(amz_date);
    text.push_str("&X-Amz-Expires=");
    let expires_start = text.len();
    push_decimal(&mut text, expires_in);
    let expires = Span::since(expires_start, &text);
    if let (Some(t), true) = (token, token_signed) {
        text.push_str("&X-Amz-Security-Token=");
        encode_str_into(&mut text, t, false);
    }
    text.push_str("&X-Amz-SignedHeaders=");
    let last_eq = text.len() - 1;
    let last_start = last_eq - "X-Amz-SignedHeaders".len();
    signed.write_names_encoded(&mut text);
    let run = EncodedRun {
        span: Span::since(0, &text),
        first: (first_eq, first_end),
        last: (last_start, last_eq),
    };
    debug_assert_eq!(run, EncodedRun::scan(&text, run.span));
    let added = [AddedParam::Encoded(run)];
    let w = write_signature(
        &mut text,
        request,
        Some((path, query)),
        params,
        payload,
        &signed,
        &added,
        amz_date,
    )?;

    // The decoded values, for the URL: the algorithm and the date are those of the string to
    // sign, the signed-headers list that of the canonical request.
    let algorithm = Span {
        start: w.sts.start,
        end: w.sts.start + ALGORITHM.len(),
    };
    let start = text.len();
    text.push_str(&params.credentials.access_key_id);
    text.push('/');
    text.extend_from_within(w.scope.start..w.scope.end);
    let credential = Span::since(start, &text);
    let token = token.map(|t| {
        let start = text.len();
        text.push_str(t);
        Span::since(start, &text)
    });
    let start = text.len();
    text.push_str(w.signature_hex.as_str());
    let signature = Span::since(start, &text);
    // In the order of `SigningOutput::query_params`; the expiry's digits are the same decoded.
    let a = ("X-Amz-Algorithm", algorithm);
    let c = ("X-Amz-Credential", credential);
    let d = ("X-Amz-Date", w.amz_date);
    let h = ("X-Amz-SignedHeaders", w.signed_headers);
    let e = ("X-Amz-Expires", expires);
    let s = ("X-Amz-Signature", signature);
    let out = match token {
        None => Added::of(&[a, c, d, h, e, s]),
        Some(t) => Added::of(&[a, c, d, h, e, ("X-Amz-Security-Token", t), s]),
    };
    Ok(SigningOutput::new(
        SignatureLocation::Query { expires_in },
        text,
        w.creq,
        w.sts,
        signature,
        out,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_holds_the_algorithm() {
        assert_eq!(
            HEAD,
            format!("X-Amz-Algorithm={ALGORITHM}&X-Amz-Credential=")
        );
    }

    #[test]
    fn decimal_is_display() {
        for n in [0, 1, 9, 10, 3600, 604_800, u64::MAX] {
            let mut s = String::from("x");
            push_decimal(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }
}
