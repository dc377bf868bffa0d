//! Reading the authentication a request carries: the `Authorization` header or the presigned query's `X-Amz-*` parameters.

use crate::headers;
use crate::query::parse_query;
use crate::request::SignableRequest;
use crate::string_to_sign::{CredentialScope, ALGORITHM};
use crate::v4a;

use super::error::malformed;
use super::VerifyError;

/// Where the signature was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// `Authorization` header.
    Header,
    /// Presigned query.
    Query,
}

/// The parsed authentication of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuth {
    /// Header or query.
    pub kind: AuthKind,
    /// Access key id.
    pub access_key_id: String,
    /// Credential scope.
    pub scope: CredentialScope,
    /// Signed header names, as listed.
    pub signed_headers: Vec<String>,
    /// Signature, as sent.
    pub signature: String,
    /// `X-Amz-Expires`, for query auth.
    pub expires: Option<u64>,
    /// For SigV4a, its parts; `None` for SigV4. A SigV4a scope has no region: `scope.region`
    /// is then empty.
    pub v4a: Option<V4aAuth>,
}

/// The SigV4a parts of a parsed authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V4aAuth {
    /// `X-Amz-Region-Set`, when the request carries it ([`parse_authorization`], which sees
    /// the header value only, leaves it `None`).
    pub region_set: Option<String>,
}

pub(super) fn header<'r>(request: &SignableRequest<'r>, lname: &str) -> Option<&'r str> {
    request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(lname))
        .map(|(_, v)| *v)
}

/// The request's `Authorization` header; a request that carries it more than once is
/// malformed (AWS answers a request with two `Authorization` headers as malformed rather than
/// verifying one of them; `sigv4 probe`'s `duplicate-authorization` case).
pub(super) fn authorization<'r>(
    request: &SignableRequest<'r>,
) -> Result<Option<&'r str>, VerifyError> {
    let mut values = request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"));
    let first = values.next().map(|(_, v)| *v);
    if values.next().is_some() {
        return Err(malformed("the Authorization header appears more than once"));
    }
    Ok(first)
}

fn parse_credential(credential: &str, v4a: bool) -> Result<(String, CredentialScope), VerifyError> {
    let bad = || VerifyError::MalformedCredential {
        credential: credential.chars().take(128).collect(),
    };
    let parts: Vec<&str> = credential.split('/').collect();
    let (ak, date, region, service) = match (v4a, parts.as_slice()) {
        (false, [ak, date, region, service, "aws4_request"]) => (ak, date, *region, service),
        (true, [ak, date, service, "aws4_request"]) => (ak, date, "-", service),
        _ => return Err(bad()),
    };
    if ak.is_empty()
        || region.is_empty()
        || service.is_empty()
        || date.len() != 8
        || !date.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    Ok((
        (*ak).to_owned(),
        CredentialScope {
            date: (*date).to_owned(),
            region: if v4a {
                String::new()
            } else {
                region.to_owned()
            },
            service: (*service).to_owned(),
        },
    ))
}

/// Parses an `Authorization` header value.
pub fn parse_authorization(value: &str) -> Result<ParsedAuth, VerifyError> {
    let value = value.trim_matches([' ', '\t']);
    let (algorithm, rest) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    let is_v4a = algorithm == v4a::ALGORITHM;
    if algorithm != ALGORITHM && !is_v4a {
        return Err(VerifyError::UnsupportedAlgorithm {
            algorithm: algorithm.chars().take(64).collect(),
        });
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim_matches([' ', '\t']);
        if part.is_empty() {
            continue;
        }
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| malformed(format!("{part:?} is not Key=Value")))?;
        let slot = match k.trim_matches([' ', '\t']) {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            other => return Err(malformed(format!("unknown component {other:?}"))),
        };
        if slot.replace(v.trim_matches([' ', '\t'])).is_some() {
            return Err(malformed(format!("{k} appears twice")));
        }
    }
    let credential = credential.ok_or_else(|| malformed("no Credential"))?;
    let signed = signed.ok_or_else(|| malformed("no SignedHeaders"))?;
    let signature = signature.ok_or_else(|| malformed("no Signature"))?;
    let (access_key_id, scope) = parse_credential(credential, is_v4a)?;
    Ok(ParsedAuth {
        kind: AuthKind::Header,
        access_key_id,
        scope,
        signed_headers: split_signed_headers(signed)?,
        signature: signature.to_owned(),
        expires: None,
        v4a: is_v4a.then_some(V4aAuth { region_set: None }),
    })
}

fn split_signed_headers(list: &str) -> Result<Vec<String>, VerifyError> {
    let names: Vec<String> = list.split(';').map(str::to_owned).collect();
    if names.iter().any(|n| !headers::is_valid_name(n)) {
        return Err(malformed(format!(
            "SignedHeaders {list:?} is not a ';'-separated list of header names"
        )));
    }
    // A signer lists each header once (its values are joined on one line): a repeated name is
    // not a list any signer writes, and it would multiply a server's work for nothing.
    for (i, n) in names.iter().enumerate() {
        if names[..i].iter().any(|m| m.eq_ignore_ascii_case(n)) {
            return Err(malformed(format!("SignedHeaders lists {n} twice")));
        }
    }
    Ok(names)
}

pub(super) struct Presign {
    pub(super) auth: ParsedAuth,
    pub(super) date: String,
}

pub(super) fn parse_presign(query: &str) -> Result<Option<Presign>, VerifyError> {
    let get = |name: &str| -> Result<Option<String>, VerifyError> {
        let mut found = None;
        for (k, v) in parse_query(query) {
            if k == name.as_bytes() {
                if found.is_some() {
                    return Err(malformed(format!("{name} appears twice")));
                }
                found = Some(
                    String::from_utf8(v).map_err(|_| malformed(format!("{name} is not UTF-8")))?,
                );
            }
        }
        Ok(found)
    };
    let Some(signature) = get("X-Amz-Signature")? else {
        return Ok(None);
    };
    let algorithm = get("X-Amz-Algorithm")?.ok_or_else(|| malformed("no X-Amz-Algorithm"))?;
    let is_v4a = algorithm == v4a::ALGORITHM;
    if algorithm != ALGORITHM && !is_v4a {
        return Err(VerifyError::UnsupportedAlgorithm { algorithm });
    }
    let credential = get("X-Amz-Credential")?.ok_or_else(|| malformed("no X-Amz-Credential"))?;
    let date = get("X-Amz-Date")?.ok_or(VerifyError::MissingDate)?;
    let signed = get("X-Amz-SignedHeaders")?.ok_or_else(|| malformed("no X-Amz-SignedHeaders"))?;
    let expires = get("X-Amz-Expires")?.ok_or_else(|| malformed("no X-Amz-Expires"))?;
    let expires: u64 = expires.parse().map_err(|_| {
        malformed(format!(
            "X-Amz-Expires {expires:?} is not a number of seconds"
        ))
    })?;
    let (access_key_id, scope) = parse_credential(&credential, is_v4a)?;
    let v4a = match is_v4a {
        true => Some(V4aAuth {
            region_set: Some(get(v4a::REGION_SET_PARAM)?.ok_or(VerifyError::MissingRegionSet)?),
        }),
        false => None,
    };
    Ok(Some(Presign {
        auth: ParsedAuth {
            kind: AuthKind::Query,
            access_key_id,
            scope,
            signed_headers: split_signed_headers(&signed)?,
            signature,
            expires: Some(expires),
            v4a,
        },
        date,
    }))
}

/// The authentication a request carries (its `Authorization` header, else its presigned
/// query), parsed but not checked: what a server needs to route by credential scope before it
/// verifies.
pub fn parse_request_auth(request: &SignableRequest<'_>) -> Result<ParsedAuth, VerifyError> {
    let (_, query) = request.path_and_query()?;
    match authorization(request)? {
        Some(value) => parse_authorization(value).map(|a| with_region_set_header(request, a)),
        None => parse_presign(query)?
            .map(|p| p.auth)
            .ok_or(VerifyError::MissingAuthentication),
    }
}

/// A SigV4a header auth with the request's `X-Amz-Region-Set` header filled in.
pub(super) fn with_region_set_header(
    request: &SignableRequest<'_>,
    mut auth: ParsedAuth,
) -> ParsedAuth {
    if let Some(a) = &mut auth.v4a {
        a.region_set = header(request, v4a::REGION_SET_HEADER).map(str::to_owned);
    }
    auth
}
