//! A reference AWS Signature Version 4 signer: exact to the byte, with every intermediate
//! artifact (canonical request, string to sign, signature) readable from the result.
//!
//! No I/O, no clock, no async: the time is a parameter.
//!
//! ```
//! use sigv4_signer::{sign, Credentials, SignableRequest, SignatureLocation, SigningParams, SigningTime};
//!
//! // AWS's signing test suite, case `get-vanilla`.
//! let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
//! let time = SigningTime::parse("2015-08-30T12:36:00Z")?;
//! let params = SigningParams::new(&creds, "us-east-1", "service", time);
//! let request = SignableRequest::new("GET", "/").header("Host", "example.amazonaws.com");
//!
//! let out = sign(&request, &params, SignatureLocation::Headers)?;
//! assert_eq!(
//!     out.canonical_request(),
//!     "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\
//!      e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
//! );
//! assert_eq!(out.signature(), "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
//! let signed = out.apply(&request);
//! assert!(signed.header("Authorization").unwrap().starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What is here
//!
//! - Signing: [`sign`] with [`SigningParams`] (credentials, scope, [`SigningTime`],
//!   [`Settings`] made of `*Mode` enums) gives a [`SigningOutput`] holding every artifact;
//!   [`SignatureLocation`] chooses header or query auth (presigned URLs).
//! - [`verify`]: checks a received request and says precisely what is wrong;
//!   [`diagnose`]: names the client's mistake behind a signature mismatch.
//! - [`v4a`]: SigV4a (ECDSA P-256, a region set); [`chunked`]: `aws-chunked` streaming uploads
//!   (S3); [`http_adapter`]: signing an `http::Request`.
//!
//! # How it is built
//!
//! One private module per step of the algorithm, each stating its rule and where the rule comes
//! from: the canonical URI (`uri`), query (`query`) and headers (`headers`), the payload hash
//! (`payload`), the canonical request (`canonical_request`, the one writer every caller uses:
//! signing, verification, diagnosis, SigV4a), the string to sign (`string_to_sign`, likewise
//! one writer), key derivation (`key`), header auth and query auth. [`CanonicalRequest`] is a
//! read-only view of what the writer wrote.

// The signer's API is what the root and the public modules export; nothing else may be `pub`.
#![warn(unreachable_pub)]

mod canonical_request;
pub mod chunked;
pub mod diagnose;
mod encoding;
mod error;
mod header_auth;
mod headers;
#[cfg(feature = "http")]
pub mod http_adapter;
mod key;
mod payload;
mod query;
mod query_auth;
mod request;
mod settings;
mod sha256;
mod sign;
mod string_to_sign;
mod time;
mod uri;
pub mod v4a;
pub mod verify;

pub use canonical_request::CanonicalRequest;
pub use error::{ParamsError, RequestError, SignError};
pub use headers::CanonicalHeaders;
pub use key::{SigningKey, SigningKeyCache};
pub use payload::{ContentSha256Mode, PayloadMode, EMPTY_SHA256, UNSIGNED_PAYLOAD};
pub use query_auth::MAX_EXPIRES;
pub use request::{split_target, OwnedRequest, SignableRequest, SignedRequest};
pub use settings::{
    Algorithm, Credentials, SessionTokenMode, Settings, SignatureLocation, SigningParams,
};
pub use sign::{sign, Pairs, SigningOutput};
pub use string_to_sign::{CredentialScope, ScopeFields, ALGORITHM};
pub use time::SigningTime;
pub use uri::{NormalizationMode, UriEncodingMode};

/// Building blocks the project's fuzz targets, benchmarks and mock server call directly. Not
/// part of the API: they may change in any release.
#[doc(hidden)]
pub mod internal {
    pub use crate::canonical_request::CanonicalRequest;
    pub use crate::encoding::{base64, base64_decode, encode, hex};
    pub use crate::headers::{
        canonical_value, canonical_value_into, is_valid_name, validate, CanonicalHeaders,
        UNSIGNED_BY_DEFAULT,
    };
    pub use crate::key::{hmac_sha256, SigningKey, SigningKeyCache};
    pub use crate::payload::{
        payload_hash, sha256_hex, ContentSha256Mode, PayloadMode, EMPTY_SHA256, UNSIGNED_PAYLOAD,
    };
    pub use crate::query::{
        canonical_query, canonical_query_without, parse_query, parse_query_with,
    };
    pub use crate::request::{split_target, OwnedRequest, SignableRequest, SignedRequest};
    pub use crate::string_to_sign::{CredentialScope, ScopeFields, ALGORITHM};
    pub use crate::uri::{canonical_uri, normalize, NormalizationMode, UriEncodingMode};
}
