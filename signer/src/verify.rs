//! Verification: re-derive a received request's signature and say precisely what is wrong.
//!
//! Header auth reads `Authorization: AWS4-HMAC-SHA256 Credential=AK/date/region/service/aws4_request,
//! SignedHeaders=a;b, Signature=hex` (spaces around the commas and `=` are tolerated, as AWS
//! does) and the request time from `X-Amz-Date`, or `Date` when there is no `X-Amz-Date`.
//! Query auth reads the `X-Amz-*` parameters of a presigned URL.
//!
//! Checks, in order, each with its own [`VerifyError`]: algorithm; credential shape; access key
//! known (through the caller's lookup); request date present and valid; credential-scope date
//! equal to the request date; region and service as expected; request time within the allowed
//! skew (header auth) or `X-Amz-Expires` in 1..=604800, not expired and not from the future
//! (query auth); `host` signed; every signed header present; `x-amz-content-sha256`, when it is
//! a hash, equal to the body's; the signature, compared in constant time.
//!
//! SigV4a (`AWS4-ECDSA-P256-SHA256`, see [`crate::v4a`]) goes through the same checks, with a
//! credential scope without region, the region set read from `X-Amz-Region-Set` (header or
//! parameter) and required to include the expected region or `*`, and the signature verified
//! with ECDSA under the public key derived from the secret.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::canonical_request::CanonicalRequest;
use crate::encoding::hex;
use crate::error::RequestError;
use crate::headers::{self, CanonicalHeaders};
use crate::key::SigningKey;
use crate::payload::{payload_hash, PayloadMode};
use crate::query::{canonical_query_without, join, parse_query, parse_query_with, EncodedParam};
use crate::query_auth::MAX_EXPIRES;
use crate::request::SignableRequest;
use crate::settings::SessionTokenMode;
use crate::string_to_sign::{string_to_sign, CredentialScope, ALGORITHM};
use crate::time::SigningTime;
use crate::uri::{canonical_uri, NormalizationMode, UriEncodingMode};
use crate::v4a::{self, V4aPublicKey, V4aScope, V4aSigningKey};

/// Default allowed clock skew, 15 minutes, as AWS allows.
pub const DEFAULT_MAX_SKEW: u64 = 900;

/// How the service being verified for canonicalises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifySettings {
    /// Path encoding of the service.
    pub uri_encoding: UriEncodingMode,
    /// Path normalisation of the service.
    pub normalization: NormalizationMode,
    /// The payload hash of a presigned request that carries no `x-amz-content-sha256`:
    /// [`PayloadMode::Unsigned`] for S3, [`PayloadMode::Hash`] elsewhere.
    pub presigned_payload: PayloadMode,
    /// [`SessionTokenMode::AddAfterSigning`] for services that take the token unsigned
    /// (a presigned query's `X-Amz-Security-Token` is then left out of the canonical query).
    pub session_token: SessionTokenMode,
    /// Accept a raw `+` in the query read as a plus sign too, as S3 does.
    pub accept_literal_plus: bool,
}

impl Default for VerifySettings {
    fn default() -> Self {
        Self {
            uri_encoding: UriEncodingMode::Double,
            normalization: NormalizationMode::Enabled,
            presigned_payload: PayloadMode::Hash,
            session_token: SessionTokenMode::Include,
            accept_literal_plus: false,
        }
    }
}

impl VerifySettings {
    /// S3's rules.
    pub fn s3() -> Self {
        Self {
            uri_encoding: UriEncodingMode::Single,
            normalization: NormalizationMode::Disabled,
            presigned_payload: PayloadMode::Unsigned,
            session_token: SessionTokenMode::Include,
            accept_literal_plus: true,
        }
    }
}

/// What the verifier needs besides the request.
pub struct VerifyParams<'a> {
    /// The server's current time.
    pub now: SigningTime,
    /// Allowed clock skew, seconds.
    pub max_skew: u64,
    /// The service's canonicalisation.
    pub settings: VerifySettings,
    /// The region the endpoint serves, if checked.
    pub expected_region: Option<&'a str>,
    /// The service the endpoint serves, if checked.
    pub expected_service: Option<&'a str>,
    /// The secret of an access key, or `None` when the key is unknown.
    pub lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl fmt::Debug for VerifyParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyParams")
            .field("now", &self.now)
            .field("max_skew", &self.max_skew)
            .field("settings", &self.settings)
            .field("expected_region", &self.expected_region)
            .field("expected_service", &self.expected_service)
            .finish_non_exhaustive()
    }
}

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

/// A request that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The parsed authentication.
    pub auth: ParsedAuth,
    /// The request time.
    pub time: SigningTime,
    /// The canonical request the server computed.
    pub canonical_request: String,
    /// The string to sign the server computed.
    pub string_to_sign: String,
}

/// Why a request did not verify. Each variant has a stable [`code`](Self::code).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// Neither an `Authorization` header nor `X-Amz-Signature`.
    MissingAuthentication,
    /// Not `AWS4-HMAC-SHA256`.
    UnsupportedAlgorithm {
        /// The algorithm sent.
        algorithm: String,
    },
    /// The `Authorization` header or presign parameters do not parse.
    MalformedAuthorization {
        /// What is wrong.
        reason: String,
    },
    /// The credential is not `AK/YYYYMMDD/region/service/aws4_request`.
    MalformedCredential {
        /// The credential sent.
        credential: String,
    },
    /// The access key is not known.
    UnknownAccessKey {
        /// The key sent.
        access_key_id: String,
    },
    /// No `X-Amz-Date` (nor `Date`).
    MissingDate,
    /// The request date does not parse.
    InvalidDate {
        /// The value sent.
        value: String,
    },
    /// The credential-scope date is not the date of the request time.
    ScopeDateMismatch {
        /// Date in the scope.
        scope_date: String,
        /// Date of `X-Amz-Date`.
        request_date: String,
    },
    /// The scope names another region.
    WrongRegion {
        /// Region in the scope.
        got: String,
        /// Region of the endpoint.
        expected: String,
    },
    /// The scope names another service.
    WrongService {
        /// Service in the scope.
        got: String,
        /// Service of the endpoint.
        expected: String,
    },
    /// Header auth whose request time is too far from the server's.
    RequestTimeTooSkewed {
        /// Request time.
        request_time: SigningTime,
        /// Server time.
        server_time: SigningTime,
        /// Allowed skew, seconds.
        max_skew: u64,
    },
    /// `X-Amz-Expires` outside 1..=604800.
    ExpiresOutOfRange {
        /// The value sent (unparsable values are reported as malformed).
        seconds: u64,
    },
    /// A presigned request whose lifetime is over.
    Expired {
        /// When it expired.
        expired_at: SigningTime,
        /// Server time.
        server_time: SigningTime,
    },
    /// A presigned request dated in the future beyond the allowed skew.
    NotYetValid {
        /// Request time.
        request_time: SigningTime,
        /// Server time.
        server_time: SigningTime,
    },
    /// `host` is not in SignedHeaders.
    HostNotSigned,
    /// A header listed in SignedHeaders is not in the request.
    SignedHeaderMissing {
        /// The header name.
        name: String,
    },
    /// `x-amz-content-sha256` is a hash that is not the body's.
    ContentSha256Mismatch {
        /// The header's value.
        claimed: String,
        /// The body's hash.
        computed: String,
    },
    /// The signature does not match the one the server computes.
    SignatureMismatch {
        /// The server's canonical request.
        canonical_request: String,
        /// The server's string to sign.
        string_to_sign: String,
    },
    /// The request itself is malformed.
    Request(RequestError),
    /// A SigV4a request without `X-Amz-Region-Set`.
    MissingRegionSet,
    /// A SigV4a region set that does not include the endpoint's region.
    RegionNotInRegionSet {
        /// The region set sent.
        region_set: String,
        /// Region of the endpoint.
        expected: String,
    },
}

impl VerifyError {
    /// Stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingAuthentication => "missing-authentication",
            Self::UnsupportedAlgorithm { .. } => "unsupported-algorithm",
            Self::MalformedAuthorization { .. } => "malformed-authorization",
            Self::MalformedCredential { .. } => "malformed-credential",
            Self::UnknownAccessKey { .. } => "unknown-access-key",
            Self::MissingDate => "missing-date",
            Self::InvalidDate { .. } => "invalid-date",
            Self::ScopeDateMismatch { .. } => "scope-date-mismatch",
            Self::WrongRegion { .. } => "wrong-region",
            Self::WrongService { .. } => "wrong-service",
            Self::RequestTimeTooSkewed { .. } => "request-time-too-skewed",
            Self::ExpiresOutOfRange { .. } => "expires-out-of-range",
            Self::Expired { .. } => "expired",
            Self::NotYetValid { .. } => "not-yet-valid",
            Self::HostNotSigned => "host-not-signed",
            Self::SignedHeaderMissing { .. } => "signed-header-missing",
            Self::ContentSha256Mismatch { .. } => "content-sha256-mismatch",
            Self::SignatureMismatch { .. } => "signature-mismatch",
            Self::Request(e) => e.code(),
            Self::MissingRegionSet => "missing-region-set",
            Self::RegionNotInRegionSet { .. } => "region-not-in-region-set",
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingAuthentication => f.write_str("the request has no Authorization header and no X-Amz-Signature parameter"),
            Self::UnsupportedAlgorithm { algorithm } => write!(f, "the algorithm {algorithm:?} is neither {ALGORITHM} nor {}", v4a::ALGORITHM),
            Self::MalformedAuthorization { reason } => write!(f, "the authorization is malformed: {reason}"),
            Self::MalformedCredential { credential } => write!(f, "the credential {credential:?} is not ACCESS_KEY/YYYYMMDD/region/service/aws4_request"),
            Self::UnknownAccessKey { access_key_id } => write!(f, "the access key {access_key_id:?} is not known"),
            Self::MissingDate => f.write_str("the request has no X-Amz-Date (nor Date)"),
            Self::InvalidDate { value } => write!(f, "the request date {value:?} is not YYYYMMDDTHHMMSSZ"),
            Self::ScopeDateMismatch { scope_date, request_date } => write!(f, "the credential scope's date {scope_date} is not the date of X-Amz-Date, {request_date}"),
            Self::WrongRegion { got, expected } => write!(f, "the credential scope names region {got:?}, but this endpoint is {expected:?}"),
            Self::WrongService { got, expected } => write!(f, "the credential scope names service {got:?}, but this endpoint is {expected:?}"),
            Self::RequestTimeTooSkewed { request_time, server_time, max_skew } => write!(f, "the request time {} is more than {max_skew} s from the server time {}", request_time.rfc3339(), server_time.rfc3339()),
            Self::ExpiresOutOfRange { seconds } => write!(f, "X-Amz-Expires of {seconds} s is outside 1..=604800"),
            Self::Expired { expired_at, server_time } => write!(f, "the presigned request expired at {}; it is now {}", expired_at.rfc3339(), server_time.rfc3339()),
            Self::NotYetValid { request_time, server_time } => write!(f, "the presigned request is dated {}, in the future (server time {})", request_time.rfc3339(), server_time.rfc3339()),
            Self::HostNotSigned => f.write_str("SignedHeaders does not include host"),
            Self::SignedHeaderMissing { name } => write!(f, "SignedHeaders lists {name}, which the request does not carry"),
            Self::ContentSha256Mismatch { claimed, computed } => write!(f, "x-amz-content-sha256 is {claimed} but the body hashes to {computed}"),
            Self::SignatureMismatch { .. } => f.write_str("the request signature we calculated does not match the signature you provided"),
            Self::Request(e) => e.fmt(f),
            Self::MissingRegionSet => f.write_str("the SigV4a request has no X-Amz-Region-Set"),
            Self::RegionNotInRegionSet { region_set, expected } => write!(f, "the region set {region_set:?} does not include this endpoint's region {expected:?}"),
        }
    }
}

impl std::error::Error for VerifyError {}

impl From<RequestError> for VerifyError {
    fn from(e: RequestError) -> Self {
        Self::Request(e)
    }
}

fn malformed(reason: impl Into<String>) -> VerifyError {
    VerifyError::MalformedAuthorization {
        reason: reason.into(),
    }
}

fn header<'r>(request: &SignableRequest<'r>, lname: &str) -> Option<&'r str> {
    request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(lname))
        .map(|(_, v)| *v)
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
    Ok(names)
}

struct Presign {
    auth: ParsedAuth,
    date: String,
}

fn parse_presign(query: &str) -> Result<Option<Presign>, VerifyError> {
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
    match header(request, "authorization") {
        Some(value) => parse_authorization(value).map(|a| with_region_set_header(request, a)),
        None => parse_presign(query)?
            .map(|p| p.auth)
            .ok_or(VerifyError::MissingAuthentication),
    }
}

/// A SigV4a header auth with the request's `X-Amz-Region-Set` header filled in.
fn with_region_set_header(request: &SignableRequest<'_>, mut auth: ParsedAuth) -> ParsedAuth {
    if let Some(a) = &mut auth.v4a {
        a.region_set = header(request, v4a::REGION_SET_HEADER).map(str::to_owned);
    }
    auth
}

/// Verifies a received request, SigV4 or SigV4a.
pub fn verify(
    request: &SignableRequest<'_>,
    params: &VerifyParams<'_>,
) -> Result<Verified, VerifyError> {
    let checked = check_before_signature(request, params)?;
    verify_checked(request, checked, params)
}

/// The signature check of [`verify`], after [`check_before_signature`].
pub(crate) fn verify_checked(
    request: &SignableRequest<'_>,
    checked: Checked,
    params: &VerifyParams<'_>,
) -> Result<Verified, VerifyError> {
    let (_, query) = request.path_and_query()?;
    let computed = compute(request, &checked, params, &Knobs::default())?;
    let sent = checked.auth.signature.to_ascii_lowercase();
    let matches = |c: &Computed| -> bool { c.signature.as_bytes().ct_eq(sent.as_bytes()).into() };
    if matches(&computed) {
        return Ok(Verified {
            auth: checked.auth,
            time: checked.time,
            canonical_request: computed.canonical_request,
            string_to_sign: computed.string_to_sign,
        });
    }
    // S3 accepts a raw `+` in the query read as a plus sign as well as a space (see
    // `crate::query`).
    if params.settings.accept_literal_plus && query.contains('+') {
        let alt = compute(
            request,
            &checked,
            params,
            &Knobs {
                query: QueryStyle::LiteralPlus,
                ..Knobs::default()
            },
        )?;
        if matches(&alt) {
            return Ok(Verified {
                auth: checked.auth,
                time: checked.time,
                canonical_request: alt.canonical_request,
                string_to_sign: alt.string_to_sign,
            });
        }
    }
    Err(VerifyError::SignatureMismatch {
        canonical_request: computed.canonical_request,
        string_to_sign: computed.string_to_sign,
    })
}

/// Every check up to the signature itself.
pub(crate) fn check_before_signature(
    request: &SignableRequest<'_>,
    params: &VerifyParams<'_>,
) -> Result<Checked, VerifyError> {
    let (_, query) = request.path_and_query()?;
    for (n, v) in &request.headers {
        headers::validate(n, v)?;
    }
    let (auth, date_value, date_is_http) = match header(request, "authorization") {
        Some(value) => {
            let auth = with_region_set_header(request, parse_authorization(value)?);
            match (header(request, "x-amz-date"), header(request, "date")) {
                (Some(d), _) => (auth, d.to_owned(), false),
                (None, Some(d)) => (auth, d.to_owned(), true),
                (None, None) => return Err(VerifyError::MissingDate),
            }
        }
        None => match parse_presign(query)? {
            Some(p) => (p.auth, p.date, false),
            None => return Err(VerifyError::MissingAuthentication),
        },
    };
    let secret =
        (params.lookup)(&auth.access_key_id).ok_or_else(|| VerifyError::UnknownAccessKey {
            access_key_id: auth.access_key_id.clone(),
        })?;
    let time = if date_is_http {
        SigningTime::parse_http_date(&date_value)
    } else {
        SigningTime::parse_amz_date(&date_value)
    }
    .map_err(|_| VerifyError::InvalidDate {
        value: date_value.chars().take(64).collect(),
    })?;
    if auth.scope.date != time.date_stamp() {
        return Err(VerifyError::ScopeDateMismatch {
            scope_date: auth.scope.date.clone(),
            request_date: time.date_stamp(),
        });
    }
    if let Some(a) = &auth.v4a {
        let set = a
            .region_set
            .as_deref()
            .ok_or(VerifyError::MissingRegionSet)?;
        if let Some(expected) = params.expected_region {
            if !v4a::region_set_includes(set, expected) {
                return Err(VerifyError::RegionNotInRegionSet {
                    region_set: set.chars().take(128).collect(),
                    expected: expected.to_owned(),
                });
            }
        }
        if v4a::key::parse_signature(&auth.signature).is_err() {
            return Err(malformed(
                "Signature is not a hex-encoded DER ECDSA P-256 signature",
            ));
        }
    } else if let Some(expected) = params.expected_region {
        if auth.scope.region != expected {
            return Err(VerifyError::WrongRegion {
                got: auth.scope.region.clone(),
                expected: expected.to_owned(),
            });
        }
    }
    if let Some(expected) = params.expected_service {
        if auth.scope.service != expected {
            return Err(VerifyError::WrongService {
                got: auth.scope.service.clone(),
                expected: expected.to_owned(),
            });
        }
    }
    let skew = i64::try_from(params.max_skew).unwrap_or(i64::MAX);
    let (t, now) = (time.unix_seconds(), params.now.unix_seconds());
    match auth.expires {
        None => {
            if t.abs_diff(now) > params.max_skew {
                return Err(VerifyError::RequestTimeTooSkewed {
                    request_time: time,
                    server_time: params.now,
                    max_skew: params.max_skew,
                });
            }
        }
        Some(expires) => {
            if !(1..=MAX_EXPIRES).contains(&expires) {
                return Err(VerifyError::ExpiresOutOfRange { seconds: expires });
            }
            if t.saturating_sub(skew) > now {
                return Err(VerifyError::NotYetValid {
                    request_time: time,
                    server_time: params.now,
                });
            }
            let expired_at = t.saturating_add(i64::try_from(expires).unwrap_or(i64::MAX));
            if now > expired_at {
                return Err(VerifyError::Expired {
                    expired_at: SigningTime::from_unix_seconds(expired_at),
                    server_time: params.now,
                });
            }
        }
    }
    if !auth.signed_headers.iter().any(|h| h == "host") {
        return Err(VerifyError::HostNotSigned);
    }
    for name in &auth.signed_headers {
        if header(request, name).is_none() {
            return Err(VerifyError::SignedHeaderMissing { name: name.clone() });
        }
    }
    let payload = match header(request, "x-amz-content-sha256") {
        Some(claimed) => {
            let is_hash = claimed.len() == 64 && claimed.bytes().all(|b| b.is_ascii_hexdigit());
            if is_hash {
                let computed = payload_hash(&PayloadMode::Hash, request.body)
                    .map_err(|_| malformed("payload"))?;
                if !claimed.eq_ignore_ascii_case(&computed) {
                    return Err(VerifyError::ContentSha256Mismatch {
                        claimed: claimed.to_owned(),
                        computed,
                    });
                }
            }
            claimed.to_owned()
        }
        None => {
            let mode = match auth.kind {
                AuthKind::Query => &params.settings.presigned_payload,
                AuthKind::Header => &PayloadMode::Hash,
            };
            payload_hash(mode, request.body).map_err(|_| malformed("payload"))?
        }
    };
    Ok(Checked {
        auth,
        time,
        secret,
        payload,
        date_header: header(request, "date").map(str::to_owned),
        v4a_key: None,
    })
}

/// What the checks before the signature established.
pub(crate) struct Checked {
    pub auth: ParsedAuth,
    pub time: SigningTime,
    pub secret: String,
    pub payload: String,
    pub date_header: Option<String>,
    /// For SigV4a: the public key to verify under; `None` derives it from the secret.
    pub v4a_key: Option<V4aPublicKey>,
}

/// The server's artifacts for one way of computing the signature.
pub(crate) struct Computed {
    pub canonical_request: String,
    pub string_to_sign: String,
    /// SigV4: the signature. SigV4a: ECDSA signatures are randomised, so the server cannot
    /// recompute one; this is the sent signature (lowercase) when it verifies, else empty.
    pub signature: String,
}

/// How the query is canonicalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum QueryStyle {
    /// The rule.
    #[default]
    Canonical,
    /// Arrival order, not sorted.
    Unsorted,
    /// `+` for spaces.
    PlusForSpace,
    /// Lowercase hex digits.
    LowercaseHex,
    /// A raw `+` read as a plus sign (`%2B`).
    LiteralPlus,
}

/// How header lines are built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum HeaderStyle {
    /// The rule.
    #[default]
    Canonical,
    /// Values as sent, not trimmed nor collapsed.
    Untrimmed,
    /// A repeated header on a line of its own per value.
    Unjoined,
}

/// Deviations from the rule, to reproduce what a faulty client computed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Knobs {
    pub uri_encoding: Option<UriEncodingMode>,
    pub normalization: Option<NormalizationMode>,
    pub query: QueryStyle,
    pub headers: HeaderStyle,
    pub payload: Option<&'static str>,
    /// `Some(true)`: the session token signed; `Some(false)`: not signed.
    pub token_signed: Option<bool>,
    /// The timestamp written in the string to sign.
    pub sts_time: Option<String>,
    pub secret_suffix: &'static str,
}

pub(crate) fn compute(
    request: &SignableRequest<'_>,
    c: &Checked,
    params: &VerifyParams<'_>,
    k: &Knobs,
) -> Result<Computed, VerifyError> {
    let (path, query) = request.path_and_query()?;
    let s = &params.settings;
    let token_unsigned = match k.token_signed {
        Some(signed) => !signed,
        None => s.session_token == SessionTokenMode::AddAfterSigning,
    };
    let skip = |key: &[u8]| match c.auth.kind {
        AuthKind::Header => false,
        AuthKind::Query => {
            key == b"X-Amz-Signature" || (token_unsigned && key == b"X-Amz-Security-Token")
        }
    };
    let query = match k.query {
        QueryStyle::Canonical => canonical_query_without(query, &[], skip),
        style => {
            let mut params: Vec<EncodedParam> =
                parse_query_with(query, style != QueryStyle::LiteralPlus)
                    .iter()
                    .filter(|(key, _)| !skip(key))
                    .map(|(key, v)| EncodedParam::from_decoded(key, v))
                    .collect();
            for p in &mut params {
                match style {
                    QueryStyle::PlusForSpace => {
                        p.key = p.key.replace("%20", "+");
                        p.value = p.value.replace("%20", "+");
                    }
                    QueryStyle::LowercaseHex => {
                        p.key = lowercase_hex(&p.key);
                        p.value = lowercase_hex(&p.value);
                    }
                    _ => {}
                }
            }
            if style != QueryStyle::Unsorted {
                params.sort_unstable();
            }
            join(&params)
        }
    };
    let mut signed: Vec<&str> = c.auth.signed_headers.iter().map(String::as_str).collect();
    match (k.token_signed, c.auth.kind) {
        (Some(true), AuthKind::Header)
            if !signed.contains(&"x-amz-security-token")
                && header(request, "x-amz-security-token").is_some() =>
        {
            signed.push("x-amz-security-token");
        }
        (Some(false), AuthKind::Header) => signed.retain(|h| *h != "x-amz-security-token"),
        _ => {}
    }
    let sent = request
        .headers
        .iter()
        .copied()
        .filter(|(n, _)| signed.iter().any(|s| n.eq_ignore_ascii_case(s)));
    let headers = match k.headers {
        HeaderStyle::Canonical => CanonicalHeaders::new(sent, |_| true),
        HeaderStyle::Untrimmed => {
            let joined = CanonicalHeaders::new(sent.clone().map(|(n, _)| (n, "")), |_| true);
            let lines = joined
                .entries()
                .iter()
                .map(|(name, _)| {
                    let values: Vec<&str> = sent
                        .clone()
                        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v)
                        .collect();
                    (name.clone(), values.join(","))
                })
                .collect();
            CanonicalHeaders::from_lines(lines)
        }
        HeaderStyle::Unjoined => {
            let mut lines: Vec<(String, String)> = sent
                .map(|(n, v)| (n.to_ascii_lowercase(), headers::canonical_value(v)))
                .collect();
            lines.sort_by(|a, b| a.0.cmp(&b.0));
            CanonicalHeaders::from_lines(lines)
        }
    };
    let creq = CanonicalRequest {
        method: request.method.to_owned(),
        uri: canonical_uri(
            path,
            k.uri_encoding.unwrap_or(s.uri_encoding),
            k.normalization.unwrap_or(s.normalization),
        ),
        query,
        headers,
        payload_hash: k.payload.map_or_else(|| c.payload.clone(), str::to_owned),
    };
    let canonical_request = creq.to_string();
    let sts_time = k.sts_time.clone().unwrap_or_else(|| c.time.amz_date());
    let creq_hash = hex(&Sha256::digest(canonical_request.as_bytes()));
    let secret = format!("{}{}", c.secret, k.secret_suffix);
    if c.auth.v4a.is_some() {
        let scope = V4aScope {
            date: c.auth.scope.date.clone(),
            service: c.auth.scope.service.clone(),
        };
        let string_to_sign = v4a::string_to_sign(&sts_time, &scope, &creq_hash);
        let key = match (c.v4a_key, k.secret_suffix) {
            (Some(key), "") => Some(key),
            _ => V4aSigningKey::derive(&c.auth.access_key_id, &secret)
                .ok()
                .map(|k| k.public_key()),
        };
        let valid = key.is_some_and(|key| {
            key.verify(&string_to_sign, &c.auth.signature)
                .unwrap_or(false)
        });
        return Ok(Computed {
            canonical_request,
            string_to_sign,
            signature: if valid {
                c.auth.signature.to_ascii_lowercase()
            } else {
                String::new()
            },
        });
    }
    let string_to_sign = string_to_sign(&sts_time, &c.auth.scope, &creq_hash);
    let signature = SigningKey::derive(
        &secret,
        &c.auth.scope.date,
        &c.auth.scope.region,
        &c.auth.scope.service,
    )
    .sign(&string_to_sign);
    Ok(Computed {
        canonical_request,
        string_to_sign,
        signature,
    })
}

fn lowercase_hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut hex_left = 0;
    for ch in s.chars() {
        if ch == '%' {
            hex_left = 2;
            out.push(ch);
        } else if hex_left > 0 {
            hex_left -= 1;
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{sign, Credentials, SignatureLocation, SigningParams};

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn t(s: &str) -> SigningTime {
        SigningTime::parse(s).unwrap()
    }

    fn signed(location: SignatureLocation, time: &str) -> (String, Vec<(String, String)>) {
        let creds = Credentials::new("AKIDEXAMPLE", SECRET);
        let params = SigningParams::new(&creds, "us-east-1", "service", t(time));
        let req = SignableRequest::new("GET", "/p?a=b").header("Host", "example.amazonaws.com");
        let out = sign(&req, &params, location).unwrap();
        let s = out.apply(&req);
        (s.target, s.headers)
    }

    fn check(
        target: &str,
        headers: &[(String, String)],
        now: &str,
    ) -> Result<Verified, VerifyError> {
        let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
        let params = VerifyParams {
            now: t(now),
            max_skew: DEFAULT_MAX_SKEW,
            settings: VerifySettings::default(),
            expected_region: Some("us-east-1"),
            expected_service: Some("service"),
            lookup: &lookup,
        };
        let req = SignableRequest {
            method: "GET",
            target,
            headers: headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect(),
            body: b"",
        };
        verify(&req, &params)
    }

    fn code(r: Result<Verified, VerifyError>) -> &'static str {
        r.err().map_or("ok", |e| e.code())
    }

    fn set(headers: &mut [(String, String)], name: &str, value: &str) {
        for (n, v) in headers.iter_mut() {
            if n.eq_ignore_ascii_case(name) {
                *v = value.to_owned();
            }
        }
    }

    #[test]
    fn header_auth_checks() {
        let (target, h) = signed(SignatureLocation::Headers, "2015-08-30T12:36:00Z");
        assert_eq!(code(check(&target, &h, "2015-08-30T12:50:00Z")), "ok");
        assert_eq!(
            code(check(&target, &h, "2015-08-30T12:52:00Z")),
            "request-time-too-skewed"
        );
        let no_date: Vec<_> = h
            .iter()
            .filter(|(n, _)| n != "X-Amz-Date")
            .cloned()
            .collect();
        assert_eq!(
            code(check(&target, &no_date, "2015-08-30T12:36:00Z")),
            "missing-date"
        );
        let auth = h
            .iter()
            .find(|(n, _)| n == "Authorization")
            .unwrap()
            .1
            .clone();

        // Spacing AWS tolerates.
        let mut h2 = h.clone();
        set(
            &mut h2,
            "authorization",
            &auth
                .replace(", ", ",")
                .replace("Credential=", " Credential = "),
        );
        assert_eq!(code(check(&target, &h2, "2015-08-30T12:36:00Z")), "ok");

        for (from, to, want) in [
            (
                "AWS4-HMAC-SHA256",
                "AWS4-HMAC-SHA1",
                "unsupported-algorithm",
            ),
            ("AKIDEXAMPLE", "AKIDOTHER", "unknown-access-key"),
            ("20150830/", "20150831/", "scope-date-mismatch"),
            ("us-east-1", "us-west-2", "wrong-region"),
            ("/service/", "/other/", "wrong-service"),
            ("/aws4_request", "/aws5_request", "malformed-credential"),
            ("SignedHeaders=host;", "SignedHeaders=", "host-not-signed"),
            (
                "SignedHeaders=host;",
                "SignedHeaders=host;x-gone;",
                "signed-header-missing",
            ),
            (", Signature=", ", Sig=", "malformed-authorization"),
            ("Signature=", "Signature=0", "signature-mismatch"),
        ] {
            let mut h2 = h.clone();
            set(&mut h2, "authorization", &auth.replacen(from, to, 1));
            assert_eq!(
                code(check(&target, &h2, "2015-08-30T12:36:00Z")),
                want,
                "{from} -> {to}"
            );
        }
        let mut h2 = h.clone();
        set(&mut h2, "x-amz-date", "2015-08-30T12:36:00Z");
        assert_eq!(
            code(check(&target, &h2, "2015-08-30T12:36:00Z")),
            "invalid-date"
        );
        assert_eq!(
            code(check(
                "/p?a=b",
                &[("Host".into(), "h".into())],
                "2015-08-30T12:36:00Z"
            )),
            "missing-authentication"
        );
    }

    #[test]
    fn a_signature_mismatch_carries_the_servers_artifacts() {
        let (target, h) = signed(SignatureLocation::Headers, "2015-08-30T12:36:00Z");
        match check(&target.replace("a=b", "a=c"), &h, "2015-08-30T12:36:00Z") {
            Err(VerifyError::SignatureMismatch {
                canonical_request,
                string_to_sign,
            }) => {
                assert!(canonical_request.contains("\na=c\n"));
                assert!(string_to_sign.starts_with("AWS4-HMAC-SHA256\n20150830T123600Z\n"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_the_auth_of_either_kind() {
        let (target, h) = signed(SignatureLocation::Headers, "2015-08-30T12:36:00Z");
        let req = SignableRequest {
            method: "GET",
            target: &target,
            headers: h.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect(),
            body: b"",
        };
        let auth = parse_request_auth(&req).unwrap();
        assert_eq!(
            (auth.kind, auth.scope.service.as_str()),
            (AuthKind::Header, "service")
        );
        let (target, h) = signed(
            SignatureLocation::Query { expires_in: 60 },
            "2015-08-30T12:36:00Z",
        );
        let req = SignableRequest {
            method: "GET",
            target: &target,
            headers: h.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect(),
            body: b"",
        };
        let auth = parse_request_auth(&req).unwrap();
        assert_eq!((auth.kind, auth.expires), (AuthKind::Query, Some(60)));
        assert_eq!(
            parse_request_auth(&SignableRequest::new("GET", "/"))
                .unwrap_err()
                .code(),
            "missing-authentication"
        );
    }

    #[test]
    fn query_auth_checks() {
        let (target, h) = signed(
            SignatureLocation::Query { expires_in: 60 },
            "2015-08-30T12:36:00Z",
        );
        assert_eq!(code(check(&target, &h, "2015-08-30T12:36:30Z")), "ok");
        assert_eq!(code(check(&target, &h, "2015-08-30T12:37:01Z")), "expired");
        assert_eq!(
            code(check(&target, &h, "2015-08-30T12:20:00Z")),
            "not-yet-valid"
        );
        assert_eq!(
            code(check(
                &target.replace("X-Amz-Expires=60", "X-Amz-Expires=604801"),
                &h,
                "2015-08-30T12:36:00Z"
            )),
            "expires-out-of-range"
        );
        assert_eq!(
            code(check(
                &target.replace("X-Amz-Expires=60", "X-Amz-Expires=soon"),
                &h,
                "2015-08-30T12:36:00Z"
            )),
            "malformed-authorization"
        );
        assert_eq!(
            code(check(
                &target.replace("a=b", "a=c"),
                &h,
                "2015-08-30T12:36:00Z"
            )),
            "signature-mismatch"
        );
    }
}
