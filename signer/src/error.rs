//! Errors, one enum per area, each variant with a stable code string.
//!
//! Codes never change once published: tools and the verifier match on them.

use std::fmt;

/// Something about the request itself cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestError {
    /// The method is empty or not an HTTP token.
    InvalidMethod {
        /// The method as given (shortened).
        method: String,
    },
    /// The request-target is empty or holds a byte that cannot be sent (control characters).
    InvalidTarget {
        /// The target as given (shortened).
        target: String,
    },
    /// A header name is empty or holds a character outside RFC 9110's `tchar`.
    InvalidHeaderName {
        /// The name as given (shortened).
        name: String,
    },
    /// A header value holds CR, LF (outside an obs-fold continuation) or NUL.
    InvalidHeaderValue {
        /// The header's name.
        name: String,
    },
    /// There is no `Host` header; SigV4 always signs `host`.
    MissingHost,
    /// A presigned request already carries one of the `X-Amz-*` parameters the signer adds.
    ReservedQueryParameter {
        /// The parameter's name.
        name: String,
    },
    /// Text was required but the bytes are not UTF-8.
    NonUtf8 {
        /// What was not UTF-8.
        what: &'static str,
    },
}

impl RequestError {
    /// Stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidMethod { .. } => "invalid-method",
            Self::InvalidTarget { .. } => "invalid-target",
            Self::InvalidHeaderName { .. } => "invalid-header-name",
            Self::InvalidHeaderValue { .. } => "invalid-header-value",
            Self::MissingHost => "missing-host",
            Self::ReservedQueryParameter { .. } => "reserved-query-parameter",
            Self::NonUtf8 { .. } => "non-utf8",
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidMethod { method } => {
                write!(f, "the method {method:?} is not an HTTP token")
            }
            Self::InvalidTarget { target } => write!(
                f,
                "the request-target {target:?} is empty or holds control characters"
            ),
            Self::InvalidHeaderName { name } => {
                write!(f, "the header name {name:?} is not a valid HTTP field name")
            }
            Self::InvalidHeaderValue { name } => {
                write!(f, "the value of header {name:?} holds CR, LF or NUL")
            }
            Self::MissingHost => {
                f.write_str("the request has no Host header, and SigV4 must sign `host`")
            }
            Self::ReservedQueryParameter { name } => write!(
                f,
                "the query already holds {name}, which presigning adds itself"
            ),
            Self::NonUtf8 { what } => write!(f, "{what} is not valid UTF-8"),
        }
    }
}

impl std::error::Error for RequestError {}

/// A signing parameter is out of range or malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamsError {
    /// The timestamp is not RFC 3339 UTC nor `YYYYMMDDTHHMMSSZ`.
    InvalidTimestamp {
        /// The input (shortened).
        input: String,
    },
    /// `X-Amz-Expires` must be within 1..=604800 seconds (7 days).
    ExpiresOutOfRange {
        /// The requested lifetime.
        seconds: u64,
    },
    /// A credential-scope field (access key, region, service) is empty or holds `/` or
    /// whitespace.
    InvalidScopeField {
        /// Which field.
        field: &'static str,
    },
    /// A precomputed payload hash holds characters that cannot go in a header.
    InvalidPayloadHash,
}

impl ParamsError {
    /// Stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidTimestamp { .. } => "invalid-timestamp",
            Self::ExpiresOutOfRange { .. } => "expires-out-of-range",
            Self::InvalidScopeField { .. } => "invalid-scope-field",
            Self::InvalidPayloadHash => "invalid-payload-hash",
        }
    }
}

impl fmt::Display for ParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidTimestamp { input } => write!(f, "{input:?} is not a timestamp like 2015-08-30T12:36:00Z or 20150830T123600Z"),
            Self::ExpiresOutOfRange { seconds } => write!(f, "X-Amz-Expires of {seconds} s is outside 1..=604800 (AWS rejects presigned URLs valid for more than 7 days)"),
            Self::InvalidScopeField { field } => write!(f, "the {field} is empty or holds '/', ',' or whitespace, so it cannot go in a credential scope"),
            Self::InvalidPayloadHash => f.write_str("the precomputed payload hash holds characters that cannot go in a header"),
        }
    }
}

impl std::error::Error for ParamsError {}

/// Any error from signing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// The request cannot be signed.
    Request(RequestError),
    /// The parameters are wrong.
    Params(ParamsError),
    /// A SigV4a key could not be derived.
    V4aKey(crate::v4a::V4aKeyError),
}

impl SignError {
    /// Stable code of the underlying error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Request(e) => e.code(),
            Self::Params(e) => e.code(),
            Self::V4aKey(e) => e.code(),
        }
    }
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Request(e) => e.fmt(f),
            Self::Params(e) => e.fmt(f),
            Self::V4aKey(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for SignError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Request(e) => Some(e),
            Self::Params(e) => Some(e),
            Self::V4aKey(e) => Some(e),
        }
    }
}

impl From<crate::v4a::V4aKeyError> for SignError {
    fn from(e: crate::v4a::V4aKeyError) -> Self {
        Self::V4aKey(e)
    }
}

impl From<RequestError> for SignError {
    fn from(e: RequestError) -> Self {
        Self::Request(e)
    }
}

impl From<ParamsError> for SignError {
    fn from(e: ParamsError) -> Self {
        Self::Params(e)
    }
}

pub(crate) fn shorten(s: &str) -> String {
    s.chars().take(64).collect()
}
