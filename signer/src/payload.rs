//! The payload hash: the last line of the canonical request.

use sha2::{Digest, Sha256};

use crate::encoding::{hex, hex32, Hex32};
use crate::error::ParamsError;

/// SHA-256 of the empty string, the payload hash of a request without a body.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The literal that S3 accepts instead of a payload hash.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// What the signature says about the body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PayloadMode {
    /// Hash the body bytes with SHA-256 (hex, lowercase).
    #[default]
    Hash,
    /// Use this value as the payload hash: a hash the caller computed, or a literal such as
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`.
    Precomputed(String),
    /// `UNSIGNED-PAYLOAD` (S3 only).
    Unsigned,
}

/// Whether the payload hash is also sent, and signed, as `x-amz-content-sha256`
/// (the suite's `sign_body`; S3 requires it). Only header auth adds the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ContentSha256Mode {
    /// No `x-amz-content-sha256` header.
    #[default]
    Omit,
    /// Add and sign `x-amz-content-sha256` with the payload hash.
    Header,
}

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// The payload hash for `body` under `mode`.
pub fn payload_hash(mode: &PayloadMode, body: &[u8]) -> Result<String, ParamsError> {
    Ok(PayloadHash::new(mode, body)?.as_str().to_owned())
}

/// A payload hash without allocating: a constant, the caller's text, or hex on the stack.
pub(crate) enum PayloadHash<'a> {
    Text(&'a str),
    Digest(Hex32),
}

impl<'a> PayloadHash<'a> {
    pub(crate) fn new(mode: &'a PayloadMode, body: &[u8]) -> Result<Self, ParamsError> {
        Ok(match mode {
            PayloadMode::Hash if body.is_empty() => Self::Text(EMPTY_SHA256),
            PayloadMode::Hash => Self::Digest(hex32(&Sha256::digest(body).into())),
            PayloadMode::Unsigned => Self::Text(UNSIGNED_PAYLOAD),
            PayloadMode::Precomputed(h) => {
                if h.is_empty() || !h.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(ParamsError::InvalidPayloadHash);
                }
                Self::Text(h)
            }
        })
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            Self::Text(t) => t,
            Self::Digest(h) => h.as_str(),
        }
    }
}
