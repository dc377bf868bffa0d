//! Errors of encoding and decoding `aws-chunked` bodies.

use std::fmt;

use super::*;

/// Errors of encoding and decoding `aws-chunked` bodies. Each variant has a stable
/// [`code`](Self::code).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChunkedError {
    /// The encoder or decoder was set up inconsistently (a signed mode without a chain, a
    /// trailer announced in a mode without trailers, ...).
    InvalidSetup {
        /// What is wrong.
        reason: String,
    },
    /// The framing is broken: not a chunk-size line, no CRLF after the data, a bare LF, bytes
    /// after the end of the body, a malformed trailer line.
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// A chunk-size or trailer line is longer than the limit.
    LineTooLong {
        /// The limit, bytes.
        limit: usize,
    },
    /// A chunk is larger than the limit (refused before its data is read).
    ChunkTooLarge {
        /// Chunk number, from 1.
        chunk: u64,
        /// Its announced size.
        size: u64,
        /// The limit.
        limit: usize,
    },
    /// A chunk other than the last data chunk is smaller than the minimum (S3: 8 KiB).
    ChunkTooSmall {
        /// Chunk number, from 1.
        chunk: u64,
        /// Its size.
        size: u64,
        /// The minimum.
        min: usize,
    },
    /// A signed mode's chunk carries no `chunk-signature`.
    MissingChunkSignature {
        /// Chunk number, from 1.
        chunk: u64,
    },
    /// A chunk's signature is not the one its data and the chain give.
    ChunkSignatureMismatch {
        /// Chunk number, from 1.
        chunk: u64,
        /// The string to sign the decoder computed.
        string_to_sign: String,
    },
    /// A chunk's signature verifies against an earlier link of the chain: the chunk was
    /// replayed or moved.
    ChainBroken {
        /// Chunk number, from 1.
        chunk: u64,
    },
    /// The body ended at a chunk boundary without the zero-length final chunk.
    MissingFinalChunk,
    /// The body ended inside a chunk-size line, chunk data, or the trailer.
    Truncated,
    /// The decoded length is not `x-amz-decoded-content-length`.
    DecodedLengthMismatch {
        /// The header's value.
        declared: u64,
        /// The length received (at least this much when the excess was refused early).
        received: u64,
    },
    /// The trailer section is larger than the limit.
    TrailerTooLarge {
        /// The limit, bytes.
        limit: usize,
    },
    /// The signed-trailer mode's trailer has no `x-amz-trailer-signature`.
    MissingTrailerSignature,
    /// The trailer signature is wrong.
    TrailerSignatureMismatch {
        /// The string to sign the decoder computed.
        string_to_sign: String,
    },
    /// A trailer announced in `x-amz-trailer` is missing.
    MissingTrailer {
        /// Its name.
        name: String,
    },
    /// A trailer not announced in `x-amz-trailer` arrived.
    UndeclaredTrailer {
        /// Its name.
        name: String,
    },
    /// `x-amz-trailer` announces a checksum this decoder does not compute.
    UnsupportedChecksum {
        /// Its name.
        name: String,
    },
    /// A checksum trailer's value is not the base64 of a checksum of that algorithm.
    InvalidChecksumValue {
        /// The trailer's name.
        name: String,
    },
    /// A checksum trailer does not match the decoded body.
    ChecksumMismatch {
        /// The algorithm.
        algorithm: ChecksumAlgorithm,
        /// The value sent.
        sent: String,
        /// The value of the body received.
        computed: String,
    },
}

impl ChunkedError {
    /// Stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidSetup { .. } => "invalid-setup",
            Self::Malformed { .. } => "malformed-framing",
            Self::LineTooLong { .. } => "line-too-long",
            Self::ChunkTooLarge { .. } => "chunk-too-large",
            Self::ChunkTooSmall { .. } => "chunk-too-small",
            Self::MissingChunkSignature { .. } => "missing-chunk-signature",
            Self::ChunkSignatureMismatch { .. } => "chunk-signature-mismatch",
            Self::ChainBroken { .. } => "chain-broken",
            Self::MissingFinalChunk => "missing-final-chunk",
            Self::Truncated => "truncated-body",
            Self::DecodedLengthMismatch { .. } => "decoded-length-mismatch",
            Self::TrailerTooLarge { .. } => "trailer-too-large",
            Self::MissingTrailerSignature => "missing-trailer-signature",
            Self::TrailerSignatureMismatch { .. } => "trailer-signature-mismatch",
            Self::MissingTrailer { .. } => "missing-trailer",
            Self::UndeclaredTrailer { .. } => "undeclared-trailer",
            Self::UnsupportedChecksum { .. } => "unsupported-checksum",
            Self::InvalidChecksumValue { .. } => "invalid-checksum-value",
            Self::ChecksumMismatch { .. } => "checksum-mismatch",
        }
    }
}

impl fmt::Display for ChunkedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidSetup { reason } => write!(f, "aws-chunked set-up: {reason}"),
            Self::Malformed { reason } => write!(f, "the aws-chunked body is malformed: {reason}"),
            Self::LineTooLong { limit } => write!(f, "a chunk-size or trailer line is longer than {limit} bytes"),
            Self::ChunkTooLarge { chunk, size, limit } => write!(f, "chunk {chunk} announces {size} bytes, over the limit of {limit}"),
            Self::ChunkTooSmall { chunk, size, min } => write!(f, "chunk {chunk} has {size} bytes; only the last chunk may be smaller than {min} bytes"),
            Self::MissingChunkSignature { chunk } => write!(f, "chunk {chunk} has no chunk-signature"),
            Self::ChunkSignatureMismatch { chunk, .. } => write!(f, "the signature of chunk {chunk} does not match its data and the previous signature"),
            Self::ChainBroken { chunk } => write!(f, "chunk {chunk} is signed after an earlier link of the chain: it was replayed or moved"),
            Self::MissingFinalChunk => f.write_str("the body ended without the zero-length final chunk"),
            Self::Truncated => f.write_str("the body ended in the middle of a chunk or of the trailer"),
            Self::DecodedLengthMismatch { declared, received } => write!(f, "x-amz-decoded-content-length is {declared} but the chunks hold {received} bytes"),
            Self::TrailerTooLarge { limit } => write!(f, "the trailer is longer than {limit} bytes"),
            Self::MissingTrailerSignature => f.write_str("the trailer has no x-amz-trailer-signature"),
            Self::TrailerSignatureMismatch { .. } => f.write_str("the trailer signature does not match the trailing headers and the final chunk's signature"),
            Self::MissingTrailer { name } => write!(f, "x-amz-trailer announces {name}, which the trailer does not carry"),
            Self::UndeclaredTrailer { name } => write!(f, "the trailer carries {name}, which x-amz-trailer does not announce"),
            Self::UnsupportedChecksum { name } => write!(f, "the checksum {name} is not supported (crc32, crc32c and sha256 are)"),
            Self::InvalidChecksumValue { name } => write!(f, "the value of the {name} trailer is not a valid checksum"),
            Self::ChecksumMismatch { algorithm, sent, computed } => write!(f, "the {} you specified ({sent}) did not match the calculated checksum ({computed})", algorithm.name()),
        }
    }
}

impl std::error::Error for ChunkedError {}

pub(super) fn setup(reason: &str) -> ChunkedError {
    ChunkedError::InvalidSetup {
        reason: reason.to_owned(),
    }
}

pub(super) fn malformed(reason: impl Into<String>) -> ChunkedError {
    ChunkedError::Malformed {
        reason: reason.into(),
    }
}
