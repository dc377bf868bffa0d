//! The three streaming modes: the values of `x-amz-content-sha256` that announce an `aws-chunked` body.

use std::fmt;

use crate::payload::PayloadMode;

/// How the body of an `aws-chunked` request is signed: the value of `x-amz-content-sha256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StreamingMode {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: signed chunks, no trailer.
    SignedPayload,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks and a signed trailer.
    SignedPayloadTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: unsigned chunks and an unsigned checksum trailer.
    UnsignedPayloadTrailer,
}

impl StreamingMode {
    /// Every mode.
    pub const ALL: [Self; 3] = [
        Self::SignedPayload,
        Self::SignedPayloadTrailer,
        Self::UnsignedPayloadTrailer,
    ];

    /// The `x-amz-content-sha256` value, which is also the payload hash of the seed signature.
    pub fn content_sha256(self) -> &'static str {
        match self {
            Self::SignedPayload => "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            Self::SignedPayloadTrailer => "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            Self::UnsignedPayloadTrailer => "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        }
    }

    /// The mode an `x-amz-content-sha256` value names (exact, case-sensitive).
    pub fn from_content_sha256(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.content_sha256() == value)
    }

    /// The payload mode to sign the request (the seed) with.
    pub fn payload_mode(self) -> PayloadMode {
        PayloadMode::Precomputed(self.content_sha256().to_owned())
    }

    /// Whether chunks carry `chunk-signature`.
    pub fn signs_chunks(self) -> bool {
        !matches!(self, Self::UnsignedPayloadTrailer)
    }

    /// Whether trailing headers follow the final chunk.
    pub fn has_trailer(self) -> bool {
        !matches!(self, Self::SignedPayload)
    }
}

impl fmt::Display for StreamingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.content_sha256())
    }
}
