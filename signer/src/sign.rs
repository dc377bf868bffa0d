//! The steps shared by header and query auth, and the signing output.
//!
//! # One buffer
//!
//! Signing writes every text it makes into one `String`, sized up front: the canonical
//! request, the string to sign, the signature, and the values of the headers or query
//! parameters to add. [`SigningOutput`] keeps that buffer and where each part lies in it, so a
//! signature costs one allocation (SigV4 query auth too: its parameters, which must be known
//! before the canonical request, are written encoded at the start of the same buffer, and
//! the canonical query takes them from there). The canonical request is hashed from the buffer, not streamed into
//! the hasher: it is an artifact callers read ([`SigningOutput::canonical_request`]), and
//! writing it costs far less than the SHA-256 work around it. The structured views
//! ([`SigningOutput::canonical_request_parts`], [`SigningOutput::scope`],
//! [`SigningOutput::headers`], [`SigningOutput::query_params`]) are built from the buffer on
//! first use; [`SigningOutput::header_pairs`] and [`SigningOutput::query_pairs`] borrow from it.

use std::fmt;
use std::sync::OnceLock;

use crate::canonical_request::{write_canonical_request, CanonicalRequest, Parts, Rules};
use crate::encoding::{encode_str_into, hex32, Hex32};
use crate::error::{RequestError, SignError};
use crate::headers::{self, SignedHeaders};
use crate::key::SigningKey;
use crate::query::AddedParam;
use crate::request::{SignableRequest, SignedRequest};
use crate::settings::{Algorithm, SignatureLocation, SigningParams};
use crate::string_to_sign::{
    check_scope_field, push_scope, write_string_to_sign, CredentialScope, ScopeFields, ALGORITHM,
};

/// Where a text lies in the output's buffer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// The span from `start` to the end of `text`.
    pub(crate) fn since(start: usize, text: &str) -> Self {
        Self {
            start,
            end: text.len(),
        }
    }
}

/// The `(name, value)` pairs to add, the values in the output's buffer: up to 8 inline (SigV4a
/// query auth adds 8, the most of any signature), any more on the heap. Nothing is dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Added {
    inline: [(&'static str, Span); 8],
    n: usize,
    more: Vec<(&'static str, Span)>,
}

impl Added {
    pub(crate) fn push(&mut self, name: &'static str, value: Span) {
        match self.inline.get_mut(self.n) {
            Some(slot) if self.more.is_empty() => {
                *slot = (name, value);
                self.n += 1;
            }
            _ => {
                if self.more.is_empty() {
                    self.more.extend_from_slice(&self.inline);
                }
                self.more.push((name, value));
            }
        }
    }

    /// The pairs of `pairs`, in order: one copy, not a push each.
    pub(crate) fn of(pairs: &[(&'static str, Span)]) -> Self {
        let mut added = Self::default();
        match added.inline.get_mut(..pairs.len()) {
            Some(slots) => {
                slots.copy_from_slice(pairs);
                added.n = pairs.len();
            }
            None => added.more = pairs.to_vec(),
        }
        added
    }

    fn as_slice(&self) -> &[(&'static str, Span)] {
        if self.more.is_empty() {
            &self.inline[..self.n]
        } else {
            &self.more
        }
    }
}

/// Everything signing produced: the intermediate artifacts and what to add to the request.
#[derive(Clone)]
pub struct SigningOutput {
    pub(crate) location: SignatureLocation,
    pub(crate) text: String,
    pub(crate) creq: Span,
    pub(crate) sts: Span,
    pub(crate) signature: Span,
    pub(crate) added: Added,
    views: OnceLock<Box<Views>>,
}

/// The structured views of a [`SigningOutput`], each built from its buffer on first use. Kept
/// behind one pointer, allocated when a view is first asked for: most callers never ask, and
/// the output is moved on every return (inline, the four would double its size).
#[derive(Clone, Default)]
struct Views {
    parts: OnceLock<CanonicalRequest>,
    scope: OnceLock<CredentialScope>,
    headers_owned: OnceLock<Vec<(String, String)>>,
    query_owned: OnceLock<Vec<(String, String)>>,
}

impl PartialEq for SigningOutput {
    fn eq(&self, other: &Self) -> bool {
        self.location == other.location
            && self.canonical_request() == other.canonical_request()
            && self.string_to_sign() == other.string_to_sign()
            && self.signature() == other.signature()
            && self.header_pairs().eq(other.header_pairs())
            && self.query_pairs().eq(other.query_pairs())
    }
}

impl Eq for SigningOutput {}

impl fmt::Debug for SigningOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningOutput")
            .field("location", &self.location)
            .field("canonical_request", &self.canonical_request())
            .field("string_to_sign", &self.string_to_sign())
            .field("signature", &self.signature())
            .field("headers", &self.header_pairs().collect::<Vec<_>>())
            .field("query", &self.query_pairs().collect::<Vec<_>>())
            .finish()
    }
}

/// `(name, value)` pairs borrowed from a [`SigningOutput`].
#[derive(Debug, Clone)]
pub struct Pairs<'a> {
    text: &'a str,
    pairs: std::slice::Iter<'a, (&'static str, Span)>,
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (&'static str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let (n, s) = self.pairs.next()?;
        Some((n, &self.text[s.start..s.end]))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.pairs.size_hint()
    }
}

impl ExactSizeIterator for Pairs<'_> {}

impl SigningOutput {
    pub(crate) fn new(
        location: SignatureLocation,
        text: String,
        creq: Span,
        sts: Span,
        signature: Span,
        added: Added,
    ) -> Self {
        Self {
            location,
            text,
            creq,
            sts,
            signature,
            added,
            views: OnceLock::new(),
        }
    }

    fn views(&self) -> &Views {
        self.views.get_or_init(Box::default)
    }

    fn span(&self, s: Span) -> &str {
        &self.text[s.start..s.end]
    }

    /// The canonical request, as text.
    pub fn canonical_request(&self) -> &str {
        self.span(self.creq)
    }

    /// The canonical request, part by part (built from the text on first use).
    pub fn canonical_request_parts(&self) -> &CanonicalRequest {
        self.views()
            .parts
            .get_or_init(|| CanonicalRequest::parse(self.canonical_request()))
    }

    /// The credential scope (built from the string to sign on first use).
    pub fn scope(&self) -> &CredentialScope {
        self.views().scope.get_or_init(|| {
            let mut lines = self.string_to_sign().split('\n');
            let algorithm = lines.next().unwrap_or("");
            let line = lines.nth(1).unwrap_or("");
            let mut f = line.split('/');
            let mut next = || f.next().unwrap_or("").to_owned();
            let date = next();
            // A SigV4a scope has no region: `date/service/aws4_request`.
            let region = if algorithm == crate::v4a::ALGORITHM {
                String::new()
            } else {
                next()
            };
            CredentialScope {
                date,
                region,
                service: next(),
            }
        })
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> &str {
        self.span(self.sts)
    }

    /// The signature, lowercase hex.
    pub fn signature(&self) -> &str {
        self.span(self.signature)
    }

    /// Where the signature goes.
    pub fn location(&self) -> SignatureLocation {
        self.location
    }

    fn pairs(&self, query: bool) -> Pairs<'_> {
        let mine = matches!(self.location, SignatureLocation::Query { .. }) == query;
        let all = self.added.as_slice();
        Pairs {
            text: &self.text,
            pairs: if mine { all } else { &all[..0] }.iter(),
        }
    }

    /// Headers to set on the request (replacing any of the same name), in order, borrowed:
    /// what [`Self::headers`] holds, without allocating.
    pub fn header_pairs(&self) -> Pairs<'_> {
        self.pairs(false)
    }

    /// Query parameters to append, decoded, in order, borrowed: what [`Self::query_params`]
    /// holds, without allocating.
    pub fn query_pairs(&self) -> Pairs<'_> {
        self.pairs(true)
    }

    /// Headers to set on the request (replacing any of the same name), in order. For header
    /// auth: `X-Amz-Date`, `x-amz-content-sha256`, `X-Amz-Security-Token`, `Authorization`.
    /// Copied out on first use; [`Self::header_pairs`] borrows instead.
    pub fn headers(&self) -> &[(String, String)] {
        self.views()
            .headers_owned
            .get_or_init(|| owned(self.header_pairs()))
    }

    /// Query parameters to append, decoded, in order. For query auth: `X-Amz-Algorithm`,
    /// `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-SignedHeaders`, `X-Amz-Expires`,
    /// `X-Amz-Security-Token`, `X-Amz-Signature`. Copied out on first use;
    /// [`Self::query_pairs`] borrows instead.
    pub fn query_params(&self) -> &[(String, String)] {
        self.views()
            .query_owned
            .get_or_init(|| owned(self.query_pairs()))
    }

    /// The `Authorization` header value, for header auth.
    pub fn authorization(&self) -> Option<&str> {
        self.header_pairs()
            .find(|(n, _)| *n == "Authorization")
            .map(|(_, v)| v)
    }

    /// `target` with the query parameters appended (encoded); `target` itself for header auth.
    pub fn signed_target(&self, target: &str) -> String {
        let mut out = String::with_capacity(target.len() + self.text.len());
        // A fragment (`#...`) is not part of the query: the parameters go before it.
        let (base, fragment) = target.split_at(target.find('#').unwrap_or(target.len()));
        out.push_str(base);
        let mut query = self.query_pairs().peekable();
        if query.peek().is_some() {
            // The query starts at the first `?`; a `?` inside it is data, not a separator.
            match base.split_once('?') {
                None => out.push('?'),
                Some((_, q)) if q.is_empty() || q.ends_with('&') => {}
                Some(_) => out.push('&'),
            }
            for (i, (k, v)) in query.enumerate() {
                if i > 0 {
                    out.push('&');
                }
                encode_str_into(&mut out, k, false);
                out.push('=');
                encode_str_into(&mut out, v, false);
            }
        }
        out.push_str(fragment);
        out
    }

    /// The signed request: `request` with the headers set and the parameters appended, as an
    /// owned copy (the body too). To send a request you already hold, set
    /// [`Self::header_pairs`] on it and use [`Self::signed_target`] instead, or use
    /// [`crate::http_adapter::apply_http`].
    pub fn apply(&self, request: &SignableRequest<'_>) -> SignedRequest {
        let mut out_headers: Vec<(String, String)> = request
            .headers
            .iter()
            .filter(|(n, _)| !self.header_pairs().any(|(m, _)| m.eq_ignore_ascii_case(n)))
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        out_headers.extend(
            self.header_pairs()
                .map(|(n, v)| (n.to_owned(), v.to_owned())),
        );
        SignedRequest {
            method: request.method.to_owned(),
            target: self.signed_target(request.target),
            headers: out_headers,
            body: request.body.to_vec(),
        }
    }
}

fn owned(pairs: Pairs<'_>) -> Vec<(String, String)> {
    pairs.map(|(n, v)| (n.to_owned(), v.to_owned())).collect()
}

/// Checks the request and parameters that do not depend on the location.
/// Returns which header lines can be written as they are ([`headers::AsIs`]), found by the
/// same scans.
pub(crate) fn check(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
) -> Result<headers::AsIs, SignError> {
    if !headers::is_valid_name(request.method) {
        return Err(RequestError::InvalidMethod {
            method: crate::error::shorten(request.method),
        }
        .into());
    }
    let mut as_is = headers::AsIs::default();
    let mut host = false;
    // Every header is validated first; a missing `Host` is reported after (as before the
    // two loops were one).
    for (i, (n, v)) in request.headers.iter().enumerate() {
        as_is.set(i, headers::validate_line(n, v)?);
        host |= headers::eq_names(n, "host");
    }
    if !host {
        return Err(RequestError::MissingHost.into());
    }
    check_scope_field("access key id", &params.credentials.access_key_id)?;
    Ok(as_is)
}

/// What [`write_signature`] wrote, as spans of its buffer, and the signature it computed
/// (which the caller writes where it goes: at the end of the `Authorization` value for
/// header auth, so that it is written once).
pub(crate) struct Written {
    pub creq: Span,
    pub sts: Span,
    pub amz_date: Span,
    /// The credential scope, in the string to sign.
    pub scope: Span,
    /// The signed-headers list, in the canonical request.
    pub signed_headers: Span,
    pub payload_hash: Span,
    pub signature_hex: Hex32,
}

/// A capacity that holds everything signing writes for `request`, so the buffer is never
/// grown: the path and query may triple when encoded and the query is written twice while
/// sorting; headers appear as lines and twice in the signed-headers list.
pub(crate) fn capacity(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    extra: usize,
) -> usize {
    let headers: usize = request
        .headers
        .iter()
        .map(|(n, v)| 3 * n.len() + v.len() + 4)
        .sum();
    let c = params.credentials;
    request.method.len()
        + 6 * request.target.len()
        + headers
        + 3 * (c.access_key_id.len() + params.region.len() + params.service.len())
        + 2 * c.session_token.as_ref().map_or(0, String::len)
        + 3 * extra
        + 600
}

/// The canonical-request parts of a request being signed.
pub(crate) fn parts<'p, 'a>(
    request: &'p SignableRequest<'a>,
    payload_hash: &'p str,
    signed: &'p SignedHeaders<'p, 'a>,
    added_query: &'p [AddedParam<'p>],
) -> Result<Parts<'p, 'a>, SignError> {
    let (path, query) = request.path_and_query()?;
    Ok(parts_of(
        request,
        (path, query),
        payload_hash,
        signed,
        added_query,
    ))
}

/// [`parts`] with the target already split into path and query.
pub(crate) fn parts_of<'p, 'a>(
    request: &'p SignableRequest<'a>,
    (path, query): (&'p str, &'p str),
    payload_hash: &'p str,
    signed: &'p SignedHeaders<'p, 'a>,
    added_query: &'p [AddedParam<'p>],
) -> Parts<'p, 'a> {
    Parts {
        method: request.method,
        path,
        query,
        added_query,
        skip_query: None,
        headers: signed,
        payload_hash,
    }
}

/// The rules the settings give.
pub(crate) fn rules(params: &SigningParams<'_>) -> Rules {
    Rules::of(params.settings.uri_encoding, params.settings.normalization)
}

/// Writes the canonical request and the string to sign to `out`, and computes the signature.
/// `path_and_query` is the request's target, split ([`SignableRequest::path_and_query`]), when
/// the caller has split it already (it is split here otherwise, after the scope is checked).
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_signature(
    out: &mut String,
    request: &SignableRequest<'_>,
    path_and_query: Option<(&str, &str)>,
    params: &SigningParams<'_>,
    payload_hash: &str,
    signed: &SignedHeaders<'_, '_>,
    added_query: &[AddedParam<'_>],
    amz_date: &str,
) -> Result<Written, SignError> {
    check_scope_field("region", params.region)?;
    check_scope_field("service", params.service)?;
    let path_and_query = match path_and_query {
        Some(pq) => pq,
        None => request.path_and_query()?,
    };
    let creq = write_canonical_request(
        out,
        &parts_of(request, path_and_query, payload_hash, signed, added_query),
        rules(params),
    );
    let date = date_of(amz_date);
    let (sts, amz_date_span) = write_string_to_sign(out, creq.all, ALGORITHM, amz_date, |out| {
        push_scope(out, date, params.region, params.service);
    });

    let scope = ScopeFields {
        date,
        region: params.region,
        service: params.service,
    };
    let secret = &params.credentials.secret_access_key;
    let key = match params.key_cache {
        Some(cache) => cache.get(secret, scope),
        None => SigningKey::derive(secret, scope),
    };
    let signature_hex = hex32(&key.sign_bytes(&out.as_bytes()[sts.start..sts.end]));
    Ok(Written {
        creq: creq.all,
        sts,
        amz_date: amz_date_span,
        // The string to sign is `algorithm\ndate\nscope\nhash`, the hash 64 hex digits.
        scope: Span {
            start: amz_date_span.end + 1,
            end: sts.end - 65,
        },
        signed_headers: creq.signed_headers,
        payload_hash: creq.payload_hash,
        signature_hex,
    })
}

/// The date stamp of an `X-Amz-Date` value: what comes before the `T`.
pub(crate) fn date_of(amz_date: &str) -> &str {
    // `DATE` + `THHMMSSZ`.
    amz_date
        .get(..amz_date.len().saturating_sub(8))
        .unwrap_or(amz_date)
}

/// Signs `request` with the signature in `location`, with SigV4 or SigV4a as
/// [`SigningParams::algorithm`] says.
pub fn sign(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    location: SignatureLocation,
) -> Result<SigningOutput, SignError> {
    if params.algorithm == Algorithm::SigV4a {
        return crate::v4a::sign(request, params, location);
    }
    match location {
        SignatureLocation::Headers => crate::header_auth::sign_headers(request, params),
        SignatureLocation::Query { expires_in } => {
            crate::query_auth::presign(request, params, expires_in)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_of_is_pushing_each() {
        let pairs: Vec<(&'static str, Span)> = (0..12)
            .map(|i| {
                (
                    "n",
                    Span {
                        start: i,
                        end: i + 1,
                    },
                )
            })
            .collect();
        for n in 0..pairs.len() {
            let mut pushed = Added::default();
            for &(k, v) in &pairs[..n] {
                pushed.push(k, v);
            }
            let of = Added::of(&pairs[..n]);
            assert_eq!(of.as_slice(), pushed.as_slice());
            assert_eq!(of.as_slice(), &pairs[..n]);
        }
    }
}
