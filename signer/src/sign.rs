//! The steps shared by header and query auth, and the signing output.

use sha2::{Digest, Sha256};

use crate::canonical_request::CanonicalRequest;
use crate::encoding::{encode, hex};
use crate::error::{RequestError, SignError};
use crate::headers::{self, CanonicalHeaders, UNSIGNED_BY_DEFAULT};
use crate::key::SigningKey;
use crate::payload::payload_hash;
use crate::query::canonical_query;
use crate::request::{SignableRequest, SignedRequest};
use crate::settings::{SignatureLocation, SigningParams};
use crate::string_to_sign::{check_scope_field, string_to_sign, CredentialScope};
use crate::uri::canonical_uri;

/// Everything signing produced: the intermediate artifacts and what to add to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningOutput {
    pub(crate) location: SignatureLocation,
    pub(crate) canonical_request: CanonicalRequest,
    pub(crate) canonical_request_text: String,
    pub(crate) scope: CredentialScope,
    pub(crate) string_to_sign: String,
    pub(crate) signature: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
}

impl SigningOutput {
    /// The canonical request, as text.
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request_text
    }

    /// The canonical request, part by part.
    pub fn canonical_request_parts(&self) -> &CanonicalRequest {
        &self.canonical_request
    }

    /// The credential scope.
    pub fn scope(&self) -> &CredentialScope {
        &self.scope
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }

    /// The signature, lowercase hex.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// Where the signature goes.
    pub fn location(&self) -> SignatureLocation {
        self.location
    }

    /// Headers to set on the request (replacing any of the same name), in order. For header
    /// auth: `X-Amz-Date`, `x-amz-content-sha256`, `X-Amz-Security-Token`, `Authorization`.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Query parameters to append, decoded, in order. For query auth: `X-Amz-Algorithm`,
    /// `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-SignedHeaders`, `X-Amz-Expires`,
    /// `X-Amz-Security-Token`, `X-Amz-Signature`.
    pub fn query_params(&self) -> &[(String, String)] {
        &self.query
    }

    /// The `Authorization` header value, for header auth.
    pub fn authorization(&self) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == "Authorization")
            .map(|(_, v)| v.as_str())
    }

    /// The signed request: `request` with the headers set and the parameters appended.
    pub fn apply(&self, request: &SignableRequest<'_>) -> SignedRequest {
        let mut out_headers: Vec<(String, String)> = request
            .headers
            .iter()
            .filter(|(n, _)| !self.headers.iter().any(|(m, _)| m.eq_ignore_ascii_case(n)))
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        out_headers.extend(self.headers.iter().cloned());
        // A fragment (`#...`) is not part of the query: the parameters go before it.
        let (base, fragment) = request
            .target
            .split_at(request.target.find('#').unwrap_or(request.target.len()));
        let mut target = base.to_owned();
        if !self.query.is_empty() {
            // The query starts at the first `?`; a `?` inside it is data, not a separator.
            match target.split_once('?') {
                None => target.push('?'),
                Some((_, q)) if q.is_empty() || q.ends_with('&') => {}
                Some(_) => target.push('&'),
            }
            for (i, (k, v)) in self.query.iter().enumerate() {
                if i > 0 {
                    target.push('&');
                }
                target.push_str(&encode(k.as_bytes()));
                target.push('=');
                target.push_str(&encode(v.as_bytes()));
            }
        }
        target.push_str(fragment);
        SignedRequest {
            method: request.method.to_owned(),
            target,
            headers: out_headers,
            body: request.body.to_vec(),
        }
    }
}

/// The canonical headers to sign: the request's headers (but those in [`UNSIGNED_BY_DEFAULT`])
/// with `added` (lowercased names, such as `x-amz-date`) replacing any of the same name.
pub(crate) fn headers_to_sign(
    request: &SignableRequest<'_>,
    added: &[(&'static str, &str)],
) -> CanonicalHeaders {
    let replaced = |lname: &str| added.iter().any(|(n, _)| *n == lname);
    CanonicalHeaders::new(
        request
            .headers
            .iter()
            .copied()
            .filter(|(n, _)| !replaced(&n.to_ascii_lowercase()))
            .chain(added.iter().copied()),
        |lname| !UNSIGNED_BY_DEFAULT.contains(&lname),
    )
}

pub(crate) struct Prepared {
    pub canonical_request: CanonicalRequest,
    pub canonical_request_text: String,
    pub scope: CredentialScope,
    pub string_to_sign: String,
    pub signature: String,
}

/// Checks the request and parameters that do not depend on the location.
pub(crate) fn check(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
) -> Result<(), SignError> {
    if !headers::is_valid_name(request.method) {
        return Err(RequestError::InvalidMethod {
            method: crate::error::shorten(request.method),
        }
        .into());
    }
    for (n, v) in &request.headers {
        headers::validate(n, v)?;
    }
    if !request
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("host"))
    {
        return Err(RequestError::MissingHost.into());
    }
    check_scope_field("access key id", &params.credentials.access_key_id)?;
    Ok(())
}

/// Builds the canonical request, and its text.
pub(crate) fn build_canonical_request(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    payload_hash: &str,
    canonical_headers: CanonicalHeaders,
    added_query: &[(&str, &str)],
) -> Result<(CanonicalRequest, String), SignError> {
    let (path, query) = request.path_and_query()?;
    let s = &params.settings;
    let canonical_request = CanonicalRequest {
        method: request.method.to_owned(),
        uri: canonical_uri(path, s.uri_encoding, s.normalization),
        query: canonical_query(query, added_query),
        headers: canonical_headers,
        payload_hash: payload_hash.to_owned(),
    };
    let text = canonical_request.to_string();
    Ok((canonical_request, text))
}

/// Builds the canonical request, string to sign and signature.
pub(crate) fn prepare(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    payload_hash: &str,
    canonical_headers: CanonicalHeaders,
    added_query: &[(&str, &str)],
) -> Result<Prepared, SignError> {
    let scope = CredentialScope::new(params.time, params.region, params.service)?;
    let (canonical_request, canonical_request_text) = build_canonical_request(
        request,
        params,
        payload_hash,
        canonical_headers,
        added_query,
    )?;
    let creq_hash = hex(&Sha256::digest(canonical_request_text.as_bytes()));
    let string_to_sign = string_to_sign(&params.time.amz_date(), &scope, &creq_hash);
    let key = match params.key_cache {
        Some(cache) => cache.get(
            &params.credentials.secret_access_key,
            &scope.date,
            &scope.region,
            &scope.service,
        ),
        None => SigningKey::derive(
            &params.credentials.secret_access_key,
            &scope.date,
            &scope.region,
            &scope.service,
        ),
    };
    let signature = key.sign(&string_to_sign);
    Ok(Prepared {
        canonical_request,
        canonical_request_text,
        scope,
        string_to_sign,
        signature,
    })
}

/// Signs `request` with the signature in `location`.
pub fn sign(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    location: SignatureLocation,
) -> Result<SigningOutput, SignError> {
    match location {
        SignatureLocation::Headers => crate::header_auth::sign_headers(request, params),
        SignatureLocation::Query { expires_in } => {
            crate::query_auth::presign(request, params, expires_in)
        }
    }
}

pub(crate) fn payload_hash_for(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
) -> Result<String, SignError> {
    Ok(payload_hash(&params.settings.payload, request.body)?)
}
