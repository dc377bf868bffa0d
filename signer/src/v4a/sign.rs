//! SigV4a signing, header and query auth, on the shared canonical-request steps.

use sha2::{Digest, Sha256};

use crate::encoding::hex;
use crate::error::{ParamsError, RequestError, SignError};
use crate::payload::ContentSha256Mode;
use crate::query::parse_query;
use crate::query_auth::MAX_EXPIRES;
use crate::request::SignableRequest;
use crate::settings::{SessionTokenMode, SignatureLocation, SigningParams};
use crate::sign::SigningOutput;
use crate::sign::{build_canonical_request, check, headers_to_sign, payload_hash_for};
use crate::string_to_sign::{check_scope_field, CredentialScope};
use crate::v4a::{
    string_to_sign, V4aScope, V4aSigningKey, ALGORITHM, REGION_SET_HEADER, REGION_SET_PARAM,
};

const RESERVED: &[&str] = &[
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    REGION_SET_PARAM,
];

/// Signs `request` with SigV4a. `params.region` is the region set: one region, a
/// comma-separated list, or `*`. `params.key_cache` is not used (the SigV4a key depends on the
/// credential only; derive it once with [`V4aSigningKey::derive`] to sign many requests).
///
/// The signature is deterministic (RFC 6979, see [`crate::v4a::key`]). The output's
/// [`scope()`](SigningOutput::scope) has an empty `region`: the SigV4a scope has none (its
/// text is [`V4aScope`]'s).
pub fn sign(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    location: SignatureLocation,
) -> Result<SigningOutput, SignError> {
    check(request, params)?;
    check_scope_field("region set", params.region)?;
    check_scope_field("service", params.service)?;
    let key = V4aSigningKey::derive(
        &params.credentials.access_key_id,
        &params.credentials.secret_access_key,
    )?;
    let payload_hash = payload_hash_for(request, params)?;
    let amz_date = params.time.amz_date();
    let token = params.credentials.session_token.as_deref();
    let token_signed = params.settings.session_token == SessionTokenMode::Include;
    let scope = V4aScope::new(params.time, params.service);
    let region_set = params.region;

    let mut out_headers = Vec::new();
    let mut out_query = Vec::new();
    let (canonical_request, canonical_request_text) = match location {
        SignatureLocation::Headers => {
            let mut added = vec![("x-amz-date", amz_date.as_str())];
            added.push((REGION_SET_HEADER, region_set));
            if params.settings.content_sha256 == ContentSha256Mode::Header {
                added.push(("x-amz-content-sha256", payload_hash.as_str()));
            }
            if let (Some(t), true) = (token, token_signed) {
                added.push(("x-amz-security-token", t));
            }
            let canonical_headers = headers_to_sign(request, &added);
            out_headers.push(("X-Amz-Date".to_owned(), amz_date.clone()));
            out_headers.push(("X-Amz-Region-Set".to_owned(), region_set.to_owned()));
            if params.settings.content_sha256 == ContentSha256Mode::Header {
                out_headers.push(("x-amz-content-sha256".to_owned(), payload_hash.clone()));
            }
            if let Some(t) = token {
                out_headers.push(("X-Amz-Security-Token".to_owned(), t.to_owned()));
            }
            build_canonical_request(request, params, &payload_hash, canonical_headers, &[])?
        }
        SignatureLocation::Query { expires_in } => {
            if !(1..=MAX_EXPIRES).contains(&expires_in) {
                return Err(ParamsError::ExpiresOutOfRange {
                    seconds: expires_in,
                }
                .into());
            }
            let (_, query) = request.path_and_query()?;
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
            let credential = format!("{}/{scope}", params.credentials.access_key_id);
            let canonical_headers = headers_to_sign(request, &[]);
            let signed_headers = canonical_headers.signed_headers();
            let expires = expires_in.to_string();
            out_query = vec![
                ("X-Amz-Algorithm".to_owned(), ALGORITHM.to_owned()),
                ("X-Amz-Credential".to_owned(), credential),
                ("X-Amz-Date".to_owned(), amz_date.clone()),
                ("X-Amz-SignedHeaders".to_owned(), signed_headers),
                ("X-Amz-Expires".to_owned(), expires),
            ];
            if let Some(t) = token {
                out_query.push(("X-Amz-Security-Token".to_owned(), t.to_owned()));
            }
            out_query.push((REGION_SET_PARAM.to_owned(), region_set.to_owned()));
            let added: Vec<(&str, &str)> = out_query
                .iter()
                .filter(|(k, _)| token_signed || k != "X-Amz-Security-Token")
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            build_canonical_request(request, params, &payload_hash, canonical_headers, &added)?
        }
    };
    let creq_hash = hex(&Sha256::digest(canonical_request_text.as_bytes()));
    let string_to_sign = string_to_sign(&amz_date, &scope, &creq_hash);
    let signature = key.sign(&string_to_sign);
    match location {
        SignatureLocation::Headers => out_headers.push((
            "Authorization".to_owned(),
            format!(
                "{ALGORITHM} Credential={}/{scope}, SignedHeaders={}, Signature={signature}",
                params.credentials.access_key_id,
                canonical_request.signed_headers(),
            ),
        )),
        SignatureLocation::Query { .. } => {
            out_query.push(("X-Amz-Signature".to_owned(), signature.clone()));
        }
    }
    Ok(SigningOutput {
        location,
        canonical_request,
        canonical_request_text,
        scope: CredentialScope {
            date: scope.date,
            region: String::new(),
            service: scope.service,
        },
        string_to_sign,
        signature,
        headers: out_headers,
        query: out_query,
    })
}
