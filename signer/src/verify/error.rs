//! Why a request did not verify: [`VerifyError`], one variant per check, each with a stable code.

use std::fmt;

use crate::error::RequestError;
use crate::string_to_sign::ALGORITHM;
use crate::time::SigningTime;
use crate::v4a;

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

impl std::error::Error for VerifyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Request(e) => Some(e),
            _ => None,
        }
    }
}

impl From<RequestError> for VerifyError {
    fn from(e: RequestError) -> Self {
        Self::Request(e)
    }
}

pub(super) fn malformed(reason: impl Into<String>) -> VerifyError {
    VerifyError::MalformedAuthorization {
        reason: reason.into(),
    }
}
