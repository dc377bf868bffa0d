//! Reading the authentication a request carries: the `Authorization` header or the presigned query's `X-Amz-*` parameters.

use std::borrow::Cow;
use std::fmt;

use crate::headers;
use crate::query::parse_query;
use crate::request::SignableRequest;
use crate::string_to_sign::{CredentialScope, ScopeFields, ALGORITHM};
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

/// HTTP/2's `:authority` pseudo-header, which stands for Host (RFC 9113 section 8.3.1). An HTTP/2
/// client may sign it under that name, with no `host` (the JS SDK v3's HTTP/2 handler does, for
/// Kinesis and Transcribe streaming), and AWS accepts it in Host's place: its error for a
/// request signing neither is "'Host' or ':authority' must be a 'SignedHeader' in the AWS
/// Authorization" (quoted in aws-sdk-js-v3#3796). The one name with a `:` a received request
/// may carry and sign.
pub(super) const AUTHORITY: &str = ":authority";

/// Checks a received header's name and value: [`headers::validate`], with `:authority` as a
/// name (its value is checked as any header's).
pub(crate) fn validate_received(name: &str, value: &str) -> Result<(), crate::RequestError> {
    if name.eq_ignore_ascii_case(AUTHORITY) {
        headers::validate("host", value)
    } else {
        headers::validate(name, value)
    }
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

/// The authentication of a request, borrowed from it: the `Authorization` header's value, or
/// the presigned query's `X-Amz-*` parameters (owned only when percent-decoding changed them).
/// Parsed and validated in shape ([`parse_auth`]), not checked: what a server routes on
/// before it verifies, and passes to [`super::verify_parsed`] so it parses the request once.
#[derive(Clone, PartialEq, Eq)]
pub struct RequestAuth<'a> {
    kind: AuthKind,
    /// `AK/date/region/service/aws4_request` (SigV4a: no region), validated.
    credential: Cow<'a, str>,
    /// Where the access key id, the date and the region end in `credential` (byte offsets of
    /// their `/`; SigV4a: the region ends where the date does), found once when it was checked.
    cut: [usize; 3],
    /// The `;`-separated signed header names, validated.
    signed_headers: Cow<'a, str>,
    signature: Cow<'a, str>,
    expires: Option<u64>,
    v4a: bool,
    region_set: Option<Cow<'a, str>>,
    /// Query auth: `X-Amz-Date`.
    pub(super) date: Option<Cow<'a, str>>,
}

impl<'a> RequestAuth<'a> {
    /// Header or query.
    pub fn kind(&self) -> AuthKind {
        self.kind
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.credential[..self.cut[0]]
    }

    /// The credential scope (for SigV4a, whose scope has no region, `region` is empty).
    pub fn scope(&self) -> ScopeFields<'_> {
        let [ak, date, region] = self.cut;
        let c = &*self.credential;
        // The service ends at the last `/` (before `aws4_request`).
        let end = c.len() - "/aws4_request".len();
        ScopeFields {
            date: &c[ak + 1..date],
            region: if self.v4a { "" } else { &c[date + 1..region] },
            service: &c[region + 1..end],
        }
    }

    /// The credential as sent (`AK/date/region/service/aws4_request`).
    pub fn credential(&self) -> &str {
        &self.credential
    }

    /// The signed header names, as listed.
    pub fn signed_headers(&self) -> std::str::Split<'_, char> {
        self.signed_headers.split(';')
    }

    /// The signed header list as sent (`a;b;c`).
    pub fn signed_headers_list(&self) -> &str {
        &self.signed_headers
    }

    /// The signature, as sent.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// `X-Amz-Expires`, for query auth.
    pub fn expires(&self) -> Option<u64> {
        self.expires
    }

    /// Whether this is SigV4a (`AWS4-ECDSA-P256-SHA256`).
    pub fn is_v4a(&self) -> bool {
        self.v4a
    }

    /// SigV4a: `X-Amz-Region-Set`, when the request carries it.
    pub fn region_set(&self) -> Option<&str> {
        self.region_set.as_deref()
    }

    /// The same authentication with every part owned.
    pub fn into_owned(self) -> RequestAuth<'static> {
        let own = |c: Cow<'a, str>| Cow::Owned(c.into_owned());
        RequestAuth {
            kind: self.kind,
            credential: own(self.credential),
            cut: self.cut,
            signed_headers: own(self.signed_headers),
            signature: own(self.signature),
            expires: self.expires,
            v4a: self.v4a,
            region_set: self.region_set.map(own),
            date: self.date.map(own),
        }
    }

    /// The owned [`ParsedAuth`] of the same authentication.
    pub fn to_parsed(&self) -> ParsedAuth {
        let scope = self.scope();
        ParsedAuth {
            kind: self.kind,
            access_key_id: self.access_key_id().to_owned(),
            scope: CredentialScope {
                date: scope.date.to_owned(),
                region: scope.region.to_owned(),
                service: scope.service.to_owned(),
            },
            signed_headers: self.signed_headers().map(str::to_owned).collect(),
            signature: self.signature.clone().into_owned(),
            expires: self.expires,
            v4a: self.v4a.then(|| V4aAuth {
                region_set: self.region_set.as_deref().map(str::to_owned),
            }),
        }
    }

    /// A view of the same authentication whose parts are the given slices (of a buffer the
    /// parts were copied into, in this order).
    pub(super) fn parts(&self) -> [&str; 4] {
        [
            &self.credential,
            &self.signed_headers,
            &self.signature,
            self.region_set.as_deref().unwrap_or_default(),
        ]
    }

    pub(super) fn with_parts<'b>(&self, parts: [&'b str; 4]) -> RequestAuth<'b> {
        RequestAuth {
            kind: self.kind,
            credential: Cow::Borrowed(parts[0]),
            cut: self.cut,
            signed_headers: Cow::Borrowed(parts[1]),
            signature: Cow::Borrowed(parts[2]),
            expires: self.expires,
            v4a: self.v4a,
            region_set: self.region_set.as_ref().map(|_| Cow::Borrowed(parts[3])),
            date: None,
        }
    }
}

impl fmt::Debug for RequestAuth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestAuth")
            .field("kind", &self.kind)
            .field("credential", &self.credential)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &self.signature)
            .field("expires", &self.expires)
            .field("v4a", &self.v4a)
            .field("region_set", &self.region_set)
            .finish()
    }
}

/// Checks `AK/date/region/service/aws4_request` (SigV4a: no region) and returns where the
/// access key id, the date and the region end (the region's end is the date's for SigV4a).
fn check_credential(credential: &str, v4a: bool) -> Result<[usize; 3], VerifyError> {
    let bad = || VerifyError::MalformedCredential {
        credential: credential.chars().take(128).collect(),
    };
    let mut slashes = credential
        .bytes()
        .enumerate()
        .filter_map(|(i, b)| (b == b'/').then_some(i));
    let mut next = || slashes.next().ok_or_else(bad);
    let ak = next()?;
    let date = next()?;
    let region = if v4a { date } else { next()? };
    let service = next()?;
    if slashes.next().is_some() || &credential[service + 1..] != "aws4_request" {
        return Err(bad());
    }
    let date_text = &credential[ak + 1..date];
    if ak == 0
        || (!v4a && region == date + 1)
        || service == region + 1
        || date_text.len() != 8
        || !date_text.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    Ok([ak, date, region])
}

/// Parses an `Authorization` header value.
pub fn parse_authorization(value: &str) -> Result<ParsedAuth, VerifyError> {
    parse_authorization_value(value).map(|a| a.to_parsed())
}

/// Parses an `Authorization` header value, borrowing from it.
pub fn parse_authorization_value(value: &str) -> Result<RequestAuth<'_>, VerifyError> {
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
    let cut = check_credential(credential, is_v4a)?;
    check_signed_headers(signed)?;
    Ok(RequestAuth {
        kind: AuthKind::Header,
        credential: Cow::Borrowed(credential),
        cut,
        signed_headers: Cow::Borrowed(signed),
        signature: Cow::Borrowed(signature),
        expires: None,
        v4a: is_v4a,
        region_set: None,
        date: None,
    })
}

fn check_signed_headers(list: &str) -> Result<(), VerifyError> {
    // Signers list the names lowercase and sorted; such a list has no name twice, which saves
    // the pairwise comparison below.
    let mut previous: Option<&str> = None;
    let mut sorted = true;
    for n in list.split(';') {
        if n != AUTHORITY && !headers::is_valid_name(n) {
            return Err(malformed(format!(
                "SignedHeaders {list:?} is not a ';'-separated list of header names"
            )));
        }
        sorted =
            sorted && previous.is_none_or(|p| p < n) && !n.bytes().any(|b| b.is_ascii_uppercase());
        previous = Some(n);
    }
    if sorted {
        return Ok(());
    }
    // A signer lists each header once (its values are joined on one line): a repeated name is
    // not a list any signer writes, and it would multiply a server's work for nothing.
    for (i, n) in list.split(';').enumerate() {
        if list.split(';').take(i).any(|m| m.eq_ignore_ascii_case(n)) {
            return Err(malformed(format!("SignedHeaders lists {n} twice")));
        }
    }
    Ok(())
}

pub(super) fn parse_presign(query: &str) -> Result<Option<RequestAuth<'_>>, VerifyError> {
    let get = |name: &str| -> Result<Option<Cow<'_, str>>, VerifyError> {
        let mut found = None;
        for (k, v) in parse_query(query) {
            if k == name.as_bytes() {
                if found.is_some() {
                    return Err(malformed(format!("{name} appears twice")));
                }
                found = Some(Cow::Owned(
                    String::from_utf8(v).map_err(|_| malformed(format!("{name} is not UTF-8")))?,
                ));
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
        return Err(VerifyError::UnsupportedAlgorithm {
            algorithm: algorithm.into_owned(),
        });
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
    let cut = check_credential(&credential, is_v4a)?;
    let region_set = match is_v4a {
        true => Some(get(v4a::REGION_SET_PARAM)?.ok_or(VerifyError::MissingRegionSet)?),
        false => None,
    };
    check_signed_headers(&signed)?;
    Ok(Some(RequestAuth {
        kind: AuthKind::Query,
        credential,
        cut,
        signed_headers: signed,
        signature,
        expires: Some(expires),
        v4a: is_v4a,
        region_set,
        date: Some(date),
    }))
}

/// The authentication a request carries (its `Authorization` header, else its presigned
/// query), parsed but not checked, owned. [`parse_auth`] borrows instead.
pub fn parse_request_auth(request: &SignableRequest<'_>) -> Result<ParsedAuth, VerifyError> {
    parse_auth(request).map(|a| a.to_parsed())
}

/// The authentication a request carries (its `Authorization` header, else its presigned
/// query), parsed but not checked, borrowed from the request: what a server needs to route by
/// credential scope before it verifies with [`super::verify_parsed`], which takes it instead of
/// parsing again.
pub fn parse_auth<'r>(request: &SignableRequest<'r>) -> Result<RequestAuth<'r>, VerifyError> {
    let (_, query) = request.path_and_query()?;
    match authorization(request)? {
        Some(value) => parse_authorization_value(value).map(|a| with_region_set_header(request, a)),
        None => parse_presign(query)?.ok_or(VerifyError::MissingAuthentication),
    }
}

/// A SigV4a header auth with the request's `X-Amz-Region-Set` header filled in.
pub(super) fn with_region_set_header<'r>(
    request: &SignableRequest<'r>,
    mut auth: RequestAuth<'r>,
) -> RequestAuth<'r> {
    if auth.v4a {
        auth.region_set = header(request, v4a::REGION_SET_HEADER).map(Cow::Borrowed);
    }
    auth
}
