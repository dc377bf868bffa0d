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
//! The modules follow the steps of the algorithm: [`uri`], [`query`], [`headers`],
//! [`payload`], [`canonical_request`], [`string_to_sign`], [`key`], [`header_auth`],
//! [`query_auth`]. Each states the rule it implements and where the rule comes from.
//! [`v4a`] signs with SigV4a (ECDSA P-256, a region set); [`verify::verify`] accepts both.
//! [`chunked`] signs and verifies `aws-chunked` streaming uploads (S3).

pub mod canonical_request;
pub mod chunked;
pub mod diagnose;
pub mod encoding;
pub mod error;
pub mod header_auth;
pub mod headers;
#[cfg(feature = "http")]
pub mod http_adapter;
pub mod key;
pub mod payload;
pub mod query;
pub mod query_auth;
pub mod request;
pub mod settings;
pub mod sign;
pub mod string_to_sign;
pub mod time;
pub mod uri;
pub mod v4a;
pub mod verify;

pub use error::{ParamsError, RequestError, SignError};
pub use key::{SigningKey, SigningKeyCache};
pub use payload::{ContentSha256Mode, PayloadMode};
pub use request::{OwnedRequest, SignableRequest, SignedRequest};
pub use settings::{Credentials, SessionTokenMode, Settings, SignatureLocation, SigningParams};
pub use sign::{sign, SigningOutput};
pub use time::SigningTime;
pub use uri::{NormalizationMode, UriEncodingMode};
