//! `aws-chunked` streaming uploads (S3): the chunk-signature chain, trailing headers and
//! checksums, as an incremental encoder and an incremental, verifying decoder.
//!
//! No I/O and no clock: the [`ChunkedEncoder`] turns chunk bytes you give it into framed bytes,
//! the [`ChunkedDecoder`] takes arbitrary slices of a received body and releases decoded data
//! only once the chunk that holds it has verified. Memory is bounded by the largest chunk
//! ([`DecodeLimits::max_chunk_size`]) whatever the object size.
//!
//! # The three modes ([`StreamingMode`], the value of `x-amz-content-sha256`)
//!
//! - `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: the request is signed as usual with that literal as
//!   payload hash (the *seed* signature). Each chunk is framed
//!   `hex(size);chunk-signature=SIG\r\nDATA\r\n` and signed with the string to sign
//!   `AWS4-HMAC-SHA256-PAYLOAD\n<x-amz-date>\n<scope>\n<previous signature>\n<sha256("")>\n<sha256(DATA)>`,
//!   the previous signature being the seed for the first chunk. The body ends with a
//!   zero-length chunk, signed the same way, then `\r\n`.
//! - `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: the same chunks, then after the zero-length
//!   chunk the trailing headers `name:value\r\n`, then
//!   `x-amz-trailer-signature:SIG\r\n\r\n`, where SIG signs
//!   `AWS4-HMAC-SHA256-TRAILER\n<x-amz-date>\n<scope>\n<final chunk's signature>\n<sha256(trailers)>`
//!   and the trailers are hashed as `name:value\n` lines (names lowercased and sorted, values
//!   trimmed).
//! - `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: chunks `hex(size)\r\nDATA\r\n` without signatures,
//!   `0\r\n`, the trailing headers, `\r\n`. Integrity comes from a checksum trailer
//!   (`x-amz-checksum-crc32`, `-crc32c`, `-sha256`: base64 of the big-endian checksum) that the
//!   decoder compares with the decoded body.
//!
//! The request announces the encoding with `Content-Encoding: aws-chunked`,
//! `x-amz-decoded-content-length: <object size>` and, with trailers,
//! `x-amz-trailer: <comma-separated trailer names>` ([`streaming_headers`]).
//!
//! Sources: AWS's S3 API reference, "Signature Calculations for the Authorization Header:
//! Transferring Payload in Multiple Chunks" (`sigv4-streaming.html`: framing, chunk string to
//! sign, the 66,560-byte example checked in `vectors/cases/s3-chunked-put-object`) and
//! "Signature calculations for trailing headers" (`sigv4-streaming-trailers.html`: trailer
//! string to sign and its example, checked in this module's tests); the aws-sigv4 crate's
//! `sign::v4::sign_chunk` and `sign_trailer` (cross-checked in
//! `vectors/tests/chunked_aws_sigv4.rs`); S3's "Checking object integrity" for the checksum
//! trailers. From the field notes (`minio/s3verify#240`, `trinodb/aws-proxy#130`,
//! `s3-orchestrator#1536`): every chunk uses the request's timestamp, each chunk is verified
//! before its bytes are released, and an unsigned trailer carries no trailer signature.
//!
//! # Rules of the decoder
//!
//! - Lines end with CRLF; a bare LF, a size that is not 1 to 16 hex digits, or an extension
//!   other than one `chunk-signature=<64 hex>` (signed modes) is malformed; unsigned modes take
//!   no extension.
//! - S3 requires every chunk but the last data chunk to be at least 8 KiB
//!   (`InvalidChunkSizeError`); [`DecodeLimits::min_chunk_size`] enforces it when the next
//!   data chunk arrives.
//! - A chunk whose signature verifies against an earlier link of the chain (replayed or moved
//!   later) is [`ChunkedError::ChainBroken`]; any other wrong signature is
//!   [`ChunkedError::ChunkSignatureMismatch`]. (A chunk moved earlier cannot be told from
//!   tampered data: its predecessor has not been seen.)
//! - After the final chunk, a mode without trailers expects the empty line; trailer modes read
//!   trailer lines up to the empty line: every name announced in `x-amz-trailer` must be there,
//!   no other (but `x-amz-trailer-signature` in the signed mode, where it is required, and
//!   which the unsigned mode refuses).
//! - `x-amz-decoded-content-length`, when given, is checked as chunk sizes arrive (a chunk that
//!   would exceed it is refused before its data is read) and at the final chunk.
//! - After an error the decoder stays failed and repeats the error.

use std::collections::VecDeque;
use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::encoding::hex;
use crate::key::SigningKey;
use crate::payload::{PayloadMode, EMPTY_SHA256};
use crate::settings::SigningParams;
use crate::sign::SigningOutput;
use crate::string_to_sign::CredentialScope;
use crate::time::SigningTime;
use crate::verify::Verified;

/// The algorithm line of a chunk's string to sign.
pub const CHUNK_ALGORITHM: &str = "AWS4-HMAC-SHA256-PAYLOAD";
/// The algorithm line of the trailer's string to sign.
pub const TRAILER_ALGORITHM: &str = "AWS4-HMAC-SHA256-TRAILER";
/// The trailing header that carries the trailer signature.
pub const TRAILER_SIGNATURE_HEADER: &str = "x-amz-trailer-signature";
/// S3's smallest chunk but the last (`InvalidChunkSizeError` otherwise).
pub const MIN_CHUNK_SIZE: usize = 8192;

/// How the body of an `aws-chunked` request is signed: the value of `x-amz-content-sha256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// A checksum S3 takes as an `x-amz-checksum-*` header or trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChecksumAlgorithm {
    /// CRC-32 (ISO-HDLC, as zlib), `x-amz-checksum-crc32`.
    Crc32,
    /// CRC-32C (Castagnoli), `x-amz-checksum-crc32c`.
    Crc32c,
    /// SHA-256, `x-amz-checksum-sha256`.
    Sha256,
}

impl ChecksumAlgorithm {
    /// Every supported algorithm.
    pub const ALL: [Self; 3] = [Self::Crc32, Self::Crc32c, Self::Sha256];

    /// The header (and trailer) name.
    pub fn header_name(self) -> &'static str {
        match self {
            Self::Crc32 => "x-amz-checksum-crc32",
            Self::Crc32c => "x-amz-checksum-crc32c",
            Self::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// The algorithm of a header name (case-insensitive).
    pub fn from_header_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.header_name().eq_ignore_ascii_case(name))
    }

    /// The name S3 uses in messages (`CRC32`, `CRC32C`, `SHA256`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Crc32 => "CRC32",
            Self::Crc32c => "CRC32C",
            Self::Sha256 => "SHA256",
        }
    }

    /// Length of the base64 value (8 for the CRCs, 44 for SHA-256).
    pub fn encoded_len(self) -> usize {
        match self {
            Self::Crc32 | Self::Crc32c => 8,
            Self::Sha256 => 44,
        }
    }

    /// The checksum of `data`, base64.
    pub fn digest(self, data: &[u8]) -> String {
        let mut c = Checksum::new(self);
        c.update(data);
        c.finish()
    }
}

/// An incremental checksum.
#[derive(Clone)]
pub struct Checksum {
    state: ChecksumState,
}

#[derive(Clone)]
enum ChecksumState {
    Crc32(crc32fast::Hasher),
    Crc32c(u32),
    Sha256(Sha256),
}

impl fmt::Debug for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checksum")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

impl Checksum {
    /// A new checksum of nothing.
    pub fn new(algorithm: ChecksumAlgorithm) -> Self {
        let state = match algorithm {
            ChecksumAlgorithm::Crc32 => ChecksumState::Crc32(crc32fast::Hasher::new()),
            ChecksumAlgorithm::Crc32c => ChecksumState::Crc32c(0),
            ChecksumAlgorithm::Sha256 => ChecksumState::Sha256(Sha256::new()),
        };
        Self { state }
    }

    /// Its algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        match self.state {
            ChecksumState::Crc32(_) => ChecksumAlgorithm::Crc32,
            ChecksumState::Crc32c(_) => ChecksumAlgorithm::Crc32c,
            ChecksumState::Sha256(_) => ChecksumAlgorithm::Sha256,
        }
    }

    /// Adds `data`.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            ChecksumState::Crc32(h) => h.update(data),
            ChecksumState::Crc32c(c) => *c = crc32c::crc32c_append(*c, data),
            ChecksumState::Sha256(h) => h.update(data),
        }
    }

    /// The value as S3 writes it: base64 of the big-endian checksum.
    pub fn finish(self) -> String {
        match self.state {
            ChecksumState::Crc32(h) => base64(&h.finalize().to_be_bytes()),
            ChecksumState::Crc32c(c) => base64(&c.to_be_bytes()),
            ChecksumState::Sha256(h) => base64(&h.finalize()),
        }
    }
}

/// Standard base64 with padding (RFC 4648 section 4).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b = [
            group[0],
            group.get(1).copied().unwrap_or(0),
            group.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= group.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A chunk's string to sign.
pub fn chunk_string_to_sign(
    amz_date: &str,
    scope: &str,
    previous_signature: &str,
    chunk_sha256: &str,
) -> String {
    format!("{CHUNK_ALGORITHM}\n{amz_date}\n{scope}\n{previous_signature}\n{EMPTY_SHA256}\n{chunk_sha256}")
}

/// The trailing headers as hashed for the trailer signature: one `name:value\n` line each,
/// names lowercased and sorted, values trimmed of spaces and tabs.
pub fn canonical_trailers(trailers: &[(String, String)]) -> String {
    let mut lines: Vec<(String, &str)> = trailers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim_matches([' ', '\t'])))
        .collect();
    lines.sort();
    let mut out = String::new();
    for (n, v) in lines {
        out.push_str(&n);
        out.push(':');
        out.push_str(v);
        out.push('\n');
    }
    out
}

/// The trailer's string to sign.
pub fn trailer_string_to_sign(
    amz_date: &str,
    scope: &str,
    previous_signature: &str,
    canonical_trailers: &str,
) -> String {
    format!(
        "{TRAILER_ALGORITHM}\n{amz_date}\n{scope}\n{previous_signature}\n{}",
        hex(&Sha256::digest(canonical_trailers.as_bytes()))
    )
}

/// The signature chain of one request: signing key, request time, scope and the last
/// signature (the seed at first). Used by both the encoder and the decoder.
#[derive(Clone)]
pub struct ChunkSigner {
    key: SigningKey,
    amz_date: String,
    scope: String,
    previous: String,
}

impl fmt::Debug for ChunkSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkSigner")
            .field("amz_date", &self.amz_date)
            .field("scope", &self.scope)
            .field("previous", &self.previous)
            .finish_non_exhaustive()
    }
}

impl ChunkSigner {
    /// A chain that starts at `seed_signature`, the request's own signature.
    pub fn new(
        key: SigningKey,
        time: SigningTime,
        scope: &CredentialScope,
        seed_signature: &str,
    ) -> Self {
        Self {
            key,
            amz_date: time.amz_date(),
            scope: scope.to_string(),
            previous: seed_signature.to_ascii_lowercase(),
        }
    }

    /// The chain of a request the caller just signed (header auth) with `params`.
    pub fn from_signing(output: &SigningOutput, params: &SigningParams<'_>) -> Self {
        let scope = output.scope();
        let key = SigningKey::derive(
            &params.credentials.secret_access_key,
            &scope.date,
            &scope.region,
            &scope.service,
        );
        Self::new(key, params.time, scope, output.signature())
    }

    /// The chain of a request the server verified, with the secret of its access key.
    pub fn from_verified(verified: &Verified, secret: &str) -> Self {
        let scope = &verified.auth.scope;
        let key = SigningKey::derive(secret, &scope.date, &scope.region, &scope.service);
        Self::new(key, verified.time, scope, &verified.auth.signature)
    }

    /// The last signature of the chain.
    pub fn previous_signature(&self) -> &str {
        &self.previous
    }

    /// The string to sign of a chunk whose data hashes to `chunk_sha256`, after the current
    /// link.
    pub fn chunk_string_to_sign(&self, chunk_sha256: &str) -> String {
        chunk_string_to_sign(&self.amz_date, &self.scope, &self.previous, chunk_sha256)
    }

    fn chunk_signature_after(&self, previous: &str, chunk_sha256: &str) -> String {
        self.key.sign(&chunk_string_to_sign(
            &self.amz_date,
            &self.scope,
            previous,
            chunk_sha256,
        ))
    }

    /// Signs the next chunk (the zero-length final chunk too) and advances the chain.
    pub fn sign_chunk(&mut self, data: &[u8]) -> String {
        let hash = if data.is_empty() {
            EMPTY_SHA256.to_owned()
        } else {
            hex(&Sha256::digest(data))
        };
        self.sign_chunk_hash(&hash)
    }

    /// Signs the next chunk given the hex SHA-256 of its data, and advances the chain.
    pub fn sign_chunk_hash(&mut self, chunk_sha256: &str) -> String {
        let sig = self.chunk_signature_after(&self.previous, chunk_sha256);
        self.previous.clone_from(&sig);
        sig
    }

    /// The trailer's string to sign after the current link.
    pub fn trailer_string_to_sign(&self, trailers: &[(String, String)]) -> String {
        trailer_string_to_sign(
            &self.amz_date,
            &self.scope,
            &self.previous,
            &canonical_trailers(trailers),
        )
    }

    /// Signs the trailing headers (not `x-amz-trailer-signature`) and advances the chain.
    pub fn sign_trailer(&mut self, trailers: &[(String, String)]) -> String {
        let sig = self.key.sign(&self.trailer_string_to_sign(trailers));
        self.previous.clone_from(&sig);
        sig
    }
}

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

fn setup(reason: &str) -> ChunkedError {
    ChunkedError::InvalidSetup {
        reason: reason.to_owned(),
    }
}

fn malformed(reason: impl Into<String>) -> ChunkedError {
    ChunkedError::Malformed {
        reason: reason.into(),
    }
}

/// The headers an `aws-chunked` request adds (besides `x-amz-content-sha256`, which signing
/// with [`StreamingMode::payload_mode`] and S3 settings adds): `Content-Encoding`,
/// `Content-Length` (the encoded length), `x-amz-decoded-content-length` and, with a checksum,
/// `x-amz-trailer`. Sign them: the seed signature covers them.
pub fn streaming_headers(
    decoded_length: u64,
    encoded_length: u64,
    checksum: Option<ChecksumAlgorithm>,
) -> Vec<(&'static str, String)> {
    let mut h = vec![
        ("Content-Encoding", "aws-chunked".to_owned()),
        ("Content-Length", encoded_length.to_string()),
        ("x-amz-decoded-content-length", decoded_length.to_string()),
    ];
    if let Some(c) = checksum {
        h.push(("x-amz-trailer", c.header_name().to_owned()));
    }
    h
}

fn hex_len(n: u64) -> u64 {
    let bits = 64 - u64::from(n.leading_zeros());
    bits.div_ceil(4).max(1)
}

/// The `Content-Length` of a body of `decoded_length` bytes sent by [`ChunkedEncoder`] in
/// chunks of `chunk_size` (the last smaller), with `checksum` as the trailer.
pub fn encoded_length(
    mode: StreamingMode,
    decoded_length: u64,
    chunk_size: u64,
    checksum: Option<ChecksumAlgorithm>,
) -> u64 {
    let chunk_size = chunk_size.max(1);
    let sig = if mode.signs_chunks() {
        ";chunk-signature=".len() as u64 + 64
    } else {
        0
    };
    let frame = |size: u64| hex_len(size) + sig + 2 + size + 2;
    let full = decoded_length / chunk_size;
    let rest = decoded_length % chunk_size;
    let mut n = full * frame(chunk_size);
    if rest > 0 {
        n += frame(rest);
    }
    // The final chunk: `0[;chunk-signature=...]\r\n`.
    n += 1 + sig + 2;
    if let (true, Some(c)) = (mode.has_trailer(), checksum) {
        n += (c.header_name().len() + 1 + c.encoded_len() + 2) as u64;
    }
    if mode == StreamingMode::SignedPayloadTrailer {
        n += (TRAILER_SIGNATURE_HEADER.len() + 1 + 64 + 2) as u64;
    }
    n + 2
}

/// Frames chunks as they come. Feed [`encode_chunk`](Self::encode_chunk) one chunk at a time
/// (each call is one chunk; S3 wants every chunk but the last to be at least 8 KiB), then
/// [`finish`](Self::finish).
#[derive(Debug, Clone)]
pub struct ChunkedEncoder {
    mode: StreamingMode,
    signer: Option<ChunkSigner>,
    checksum: Option<Checksum>,
}

impl ChunkedEncoder {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`, chained from `signer`'s seed.
    pub fn signed_payload(signer: ChunkSigner) -> Self {
        Self {
            mode: StreamingMode::SignedPayload,
            signer: Some(signer),
            checksum: None,
        }
    }

    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER` with a `checksum` trailer.
    pub fn signed_payload_trailer(signer: ChunkSigner, checksum: ChecksumAlgorithm) -> Self {
        Self {
            mode: StreamingMode::SignedPayloadTrailer,
            signer: Some(signer),
            checksum: Some(Checksum::new(checksum)),
        }
    }

    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER` with a `checksum` trailer.
    pub fn unsigned_payload_trailer(checksum: ChecksumAlgorithm) -> Self {
        Self {
            mode: StreamingMode::UnsignedPayloadTrailer,
            signer: None,
            checksum: Some(Checksum::new(checksum)),
        }
    }

    /// The mode.
    pub fn mode(&self) -> StreamingMode {
        self.mode
    }

    /// Appends `data` framed as one chunk to `out`. Empty data appends nothing (a zero-length
    /// chunk would end the body: that is [`finish`](Self::finish)).
    pub fn encode_chunk(&mut self, data: &[u8], out: &mut Vec<u8>) {
        if data.is_empty() {
            return;
        }
        if let Some(c) = &mut self.checksum {
            c.update(data);
        }
        self.frame(data, out);
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    }

    fn frame(&mut self, data: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(format!("{:x}", data.len()).as_bytes());
        if let Some(s) = &mut self.signer {
            out.extend_from_slice(b";chunk-signature=");
            out.extend_from_slice(s.sign_chunk(data).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
    }

    /// Appends the final chunk, the trailer if the mode has one, and the closing empty line.
    pub fn finish(mut self, out: &mut Vec<u8>) {
        self.frame(&[], out);
        if let Some(c) = self.checksum.take() {
            let trailers = vec![(c.algorithm().header_name().to_owned(), c.finish())];
            for (n, v) in &trailers {
                out.extend_from_slice(format!("{n}:{v}\r\n").as_bytes());
            }
            if let Some(s) = &mut self.signer {
                let sig = s.sign_trailer(&trailers);
                out.extend_from_slice(format!("{TRAILER_SIGNATURE_HEADER}:{sig}\r\n").as_bytes());
            }
        }
        out.extend_from_slice(b"\r\n");
    }

    /// Encodes a whole `body` in chunks of `chunk_size` (at least 1).
    pub fn encode_all(mut self, body: &[u8], chunk_size: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(body.len() + 256);
        for chunk in body.chunks(chunk_size.max(1)) {
            self.encode_chunk(chunk, &mut out);
        }
        self.finish(&mut out);
        out
    }
}

/// Limits of the decoder. Memory use is about `max_chunk_size + max_trailer + max_line`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Largest chunk accepted, bytes (default 16 MiB).
    pub max_chunk_size: usize,
    /// Smallest chunk but the last data chunk (default [`MIN_CHUNK_SIZE`], as S3; 0 accepts
    /// any).
    pub min_chunk_size: usize,
    /// Longest chunk-size or trailer line, bytes without the CRLF (default 1024).
    pub max_line: usize,
    /// Largest trailer section, bytes (default 16 KiB).
    pub max_trailer: usize,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self {
            max_chunk_size: 16 * 1024 * 1024,
            min_chunk_size: MIN_CHUNK_SIZE,
            max_line: 1024,
            max_trailer: 16 * 1024,
        }
    }
}

/// What a decoded body was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedSummary {
    /// The mode.
    pub mode: StreamingMode,
    /// Decoded bytes.
    pub decoded_length: u64,
    /// Data chunks (not counting the final chunk).
    pub chunks: u64,
    /// The trailing headers (names lowercased), without `x-amz-trailer-signature`.
    pub trailers: Vec<(String, String)>,
    /// The checksum trailers verified against the body.
    pub checksums: Vec<(ChecksumAlgorithm, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    SizeLine,
    Data,
    DataCrlf,
    EndLine,
    TrailerLine,
    Done,
}

/// How many earlier links are kept to tell a replayed chunk from a tampered one.
const CHAIN_WINDOW: usize = 16;

/// Decodes and verifies an `aws-chunked` body fed in arbitrary slices.
#[derive(Debug, Clone)]
pub struct ChunkedDecoder {
    mode: StreamingMode,
    signer: Option<ChunkSigner>,
    limits: DecodeLimits,
    declared_length: Option<u64>,
    declared_trailers: Vec<String>,
    checksums: Vec<Checksum>,
    state: State,
    failed: Option<ChunkedError>,
    line: Vec<u8>,
    chunk: Vec<u8>,
    chunk_hash: Sha256,
    chunk_remaining: u64,
    chunk_signature: Option<String>,
    chunk_index: u64,
    short_chunk: Option<(u64, u64)>,
    decoded: u64,
    crlf_seen: usize,
    trailers: Vec<(String, String)>,
    trailer_signature: Option<String>,
    trailer_bytes: usize,
    earlier: VecDeque<String>,
    summary_checksums: Vec<(ChecksumAlgorithm, String)>,
}

impl ChunkedDecoder {
    /// A decoder for `mode`; `signer` (the chain from the verified seed signature) is required
    /// by the signed modes and refused by the unsigned one.
    pub fn new(
        mode: StreamingMode,
        signer: Option<ChunkSigner>,
        limits: DecodeLimits,
    ) -> Result<Self, ChunkedError> {
        match (mode.signs_chunks(), signer.is_some()) {
            (true, false) => {
                return Err(setup("a signed mode needs the chain of the seed signature"))
            }
            (false, true) => return Err(setup("the unsigned mode has no signature chain")),
            _ => {}
        }
        Ok(Self {
            mode,
            signer,
            limits,
            declared_length: None,
            declared_trailers: Vec::new(),
            checksums: Vec::new(),
            state: State::SizeLine,
            failed: None,
            line: Vec::new(),
            chunk: Vec::new(),
            chunk_hash: Sha256::new(),
            chunk_remaining: 0,
            chunk_signature: None,
            chunk_index: 0,
            short_chunk: None,
            decoded: 0,
            crlf_seen: 0,
            trailers: Vec::new(),
            trailer_signature: None,
            trailer_bytes: 0,
            earlier: VecDeque::new(),
            summary_checksums: Vec::new(),
        })
    }

    /// Checks the decoded length against `x-amz-decoded-content-length`.
    pub fn with_decoded_length(mut self, length: u64) -> Self {
        self.declared_length = Some(length);
        self
    }

    /// Reads the trailer names announced by `x-amz-trailer` (comma-separated). Checksum
    /// trailers among them are computed over the body and checked.
    pub fn with_declared_trailers(mut self, x_amz_trailer: &str) -> Result<Self, ChunkedError> {
        if !self.mode.has_trailer() {
            return Err(setup("x-amz-trailer with a mode that has no trailer"));
        }
        for name in x_amz_trailer.split(',') {
            let name = name.trim_matches([' ', '\t']).to_ascii_lowercase();
            if name.is_empty() {
                continue;
            }
            if name == TRAILER_SIGNATURE_HEADER || self.declared_trailers.contains(&name) {
                return Err(malformed(format!(
                    "x-amz-trailer lists {name} twice or lists the signature"
                )));
            }
            if name.starts_with("x-amz-checksum-") {
                let alg = ChecksumAlgorithm::from_header_name(&name)
                    .ok_or_else(|| ChunkedError::UnsupportedChecksum { name: name.clone() })?;
                self.checksums.push(Checksum::new(alg));
            }
            self.declared_trailers.push(name);
        }
        Ok(self)
    }

    /// The mode.
    pub fn mode(&self) -> StreamingMode {
        self.mode
    }

    /// Whether the whole body (through the closing empty line) has been decoded.
    pub fn is_done(&self) -> bool {
        self.state == State::Done && self.failed.is_none()
    }

    /// Decoded bytes released so far.
    pub fn decoded_length(&self) -> u64 {
        self.decoded
    }

    /// Feeds the next bytes of the body and appends the data they complete to `out`: a signed
    /// chunk's data is appended only after its signature verified. On error nothing more is
    /// appended, and every later call returns the same error.
    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), ChunkedError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        match self.step(input, out) {
            Ok(()) => Ok(()),
            Err(e) => {
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Declares the end of the body: `Ok` with a summary when it was complete, else why not.
    pub fn finish(&self) -> Result<DecodedSummary, ChunkedError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        match self.state {
            State::Done => Ok(DecodedSummary {
                mode: self.mode,
                decoded_length: self.decoded,
                chunks: self.chunk_index,
                trailers: self.trailers.clone(),
                checksums: self.summary_checksums.clone(),
            }),
            State::SizeLine if self.line.is_empty() => Err(ChunkedError::MissingFinalChunk),
            _ => Err(ChunkedError::Truncated),
        }
    }

    fn step(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), ChunkedError> {
        while !input.is_empty() {
            match self.state {
                State::SizeLine | State::EndLine | State::TrailerLine => {
                    let Some(line) = self.take_line(&mut input)? else {
                        return Ok(());
                    };
                    match self.state {
                        State::SizeLine => self.on_size_line(&line)?,
                        State::EndLine => {
                            if !line.is_empty() {
                                return Err(malformed(format!(
                                    "a line after the final chunk, but {} has no trailer",
                                    self.mode
                                )));
                            }
                            self.state = State::Done;
                        }
                        _ => self.on_trailer_line(&line)?,
                    }
                }
                State::Data => {
                    let n = usize::try_from(self.chunk_remaining)
                        .unwrap_or(usize::MAX)
                        .min(input.len());
                    let (data, rest) = input.split_at(n);
                    input = rest;
                    self.chunk_remaining -= n as u64;
                    if self.mode.signs_chunks() {
                        self.chunk_hash.update(data);
                        self.chunk.extend_from_slice(data);
                    } else {
                        self.release(data, out);
                    }
                    if self.chunk_remaining == 0 {
                        if self.mode.signs_chunks() {
                            let hash = hex(&std::mem::take(&mut self.chunk_hash).finalize());
                            self.verify_chunk(self.chunk_index, &hash)?;
                            let data = std::mem::take(&mut self.chunk);
                            self.release(&data, out);
                        }
                        self.state = State::DataCrlf;
                        self.crlf_seen = 0;
                    }
                }
                State::DataCrlf => {
                    let want = b"\r\n"[self.crlf_seen];
                    if input[0] != want {
                        return Err(malformed(format!(
                            "chunk {} is not followed by CRLF (more data than its size?)",
                            self.chunk_index
                        )));
                    }
                    input = &input[1..];
                    self.crlf_seen += 1;
                    if self.crlf_seen == 2 {
                        self.state = State::SizeLine;
                    }
                }
                State::Done => {
                    return Err(malformed("bytes after the end of the body"));
                }
            }
        }
        Ok(())
    }

    fn release(&mut self, data: &[u8], out: &mut Vec<u8>) {
        for c in &mut self.checksums {
            c.update(data);
        }
        self.decoded += data.len() as u64;
        out.extend_from_slice(data);
    }

    /// Takes bytes up to and including CRLF; `None` when the line is not complete yet.
    ///
    /// The limits trip at the same byte however the body is sliced: a line fails once it has
    /// `max_line + 2` bytes before its LF, the trailer once it exceeds `max_trailer` bytes;
    /// when both trip within one slice, the one at the earlier byte wins.
    fn take_line(&mut self, input: &mut &[u8]) -> Result<Option<Vec<u8>>, ChunkedError> {
        let limit = self.limits.max_line;
        let pos = input.iter().position(|&b| b == b'\n');
        let take = pos.map_or(input.len(), |p| p + 1);
        let before = self.line.len();
        let before_lf = before + take - usize::from(pos.is_some());
        // 1-based byte of this line at which each limit trips, if it does in this slice.
        let line_trip = (before_lf > limit + 1).then_some(limit + 2);
        let trailer_trip = (self.state == State::TrailerLine
            && self.trailer_bytes + take > self.limits.max_trailer)
            .then(|| before + (self.limits.max_trailer - self.trailer_bytes) + 1);
        match (line_trip, trailer_trip) {
            (Some(l), Some(t)) if l < t => return Err(ChunkedError::LineTooLong { limit }),
            (_, Some(_)) => {
                return Err(ChunkedError::TrailerTooLarge {
                    limit: self.limits.max_trailer,
                })
            }
            (Some(_), None) => return Err(ChunkedError::LineTooLong { limit }),
            (None, None) => {}
        }
        if self.state == State::TrailerLine {
            self.trailer_bytes += take;
        }
        self.line.extend_from_slice(&input[..take]);
        *input = &input[take..];
        if pos.is_none() {
            return Ok(None);
        }
        let mut line = std::mem::take(&mut self.line);
        line.pop();
        if line.pop() != Some(b'\r') {
            return Err(malformed("a line ends with a bare LF, not CRLF"));
        }
        Ok(Some(line))
    }

    fn on_size_line(&mut self, line: &[u8]) -> Result<(), ChunkedError> {
        let text =
            std::str::from_utf8(line).map_err(|_| malformed("a chunk-size line is not ASCII"))?;
        let (size_hex, ext) = match text.split_once(';') {
            Some((s, e)) => (s, Some(e)),
            None => (text, None),
        };
        if size_hex.is_empty()
            || size_hex.len() > 16
            || !size_hex.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(malformed(format!(
                "{:?} is not a chunk size in hex",
                text.chars().take(40).collect::<String>()
            )));
        }
        let size = u64::from_str_radix(size_hex, 16).map_err(|_| malformed("chunk size"))?;
        self.chunk_index += 1;
        let chunk = self.chunk_index;
        self.chunk_signature = match (self.mode.signs_chunks(), ext) {
            (true, None) => return Err(ChunkedError::MissingChunkSignature { chunk }),
            (true, Some(e)) => {
                let sig = e
                    .strip_prefix("chunk-signature=")
                    .ok_or(ChunkedError::MissingChunkSignature { chunk })?;
                if sig.len() != 64 || !sig.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(malformed(format!(
                        "the chunk-signature of chunk {chunk} is not 64 hex digits"
                    )));
                }
                Some(sig.to_ascii_lowercase())
            }
            (false, Some(_)) => {
                return Err(malformed(format!(
                    "chunk {chunk} has an extension, but {} chunks are unsigned",
                    self.mode
                )))
            }
            (false, None) => None,
        };
        if size > self.limits.max_chunk_size as u64 {
            return Err(ChunkedError::ChunkTooLarge {
                chunk,
                size,
                limit: self.limits.max_chunk_size,
            });
        }
        if size > 0 {
            if let Some((chunk, size)) = self.short_chunk {
                return Err(ChunkedError::ChunkTooSmall {
                    chunk,
                    size,
                    min: self.limits.min_chunk_size,
                });
            }
            if size < self.limits.min_chunk_size as u64 {
                self.short_chunk = Some((chunk, size));
            }
        }
        if let Some(declared) = self.declared_length {
            let total = self.decoded.saturating_add(size);
            if total > declared {
                return Err(ChunkedError::DecodedLengthMismatch {
                    declared,
                    received: total,
                });
            }
            if size == 0 && total != declared {
                return Err(ChunkedError::DecodedLengthMismatch {
                    declared,
                    received: total,
                });
            }
        }
        if size == 0 {
            // The final chunk: nothing to wait for, and not counted as a data chunk.
            self.chunk_index -= 1;
            self.verify_chunk(chunk, EMPTY_SHA256)?;
            self.state = if self.mode.has_trailer() {
                State::TrailerLine
            } else {
                State::EndLine
            };
        } else {
            self.chunk_remaining = size;
            self.chunk.clear();
            self.chunk_hash = Sha256::new();
            self.state = State::Data;
        }
        Ok(())
    }

    fn verify_chunk(&mut self, chunk: u64, chunk_sha256: &str) -> Result<(), ChunkedError> {
        let (Some(signer), Some(sent)) = (&mut self.signer, self.chunk_signature.take()) else {
            return Ok(());
        };
        let expected = signer.chunk_signature_after(&signer.previous, chunk_sha256);
        if bool::from(expected.as_bytes().ct_eq(sent.as_bytes())) {
            let old = std::mem::replace(&mut signer.previous, expected);
            if self.earlier.len() == CHAIN_WINDOW {
                self.earlier.pop_front();
            }
            self.earlier.push_back(old);
            return Ok(());
        }
        if self
            .earlier
            .iter()
            .any(|prev| signer.chunk_signature_after(prev, chunk_sha256) == sent)
        {
            return Err(ChunkedError::ChainBroken { chunk });
        }
        Err(ChunkedError::ChunkSignatureMismatch {
            chunk,
            string_to_sign: signer.chunk_string_to_sign(chunk_sha256),
        })
    }

    fn on_trailer_line(&mut self, line: &[u8]) -> Result<(), ChunkedError> {
        if line.is_empty() {
            return self.finish_trailers();
        }
        let text =
            std::str::from_utf8(line).map_err(|_| malformed("a trailer line is not UTF-8"))?;
        let (name, value) = text
            .split_once(':')
            .ok_or_else(|| malformed("a trailer line is not name:value"))?;
        let name = name.to_ascii_lowercase();
        if !crate::headers::is_valid_name(&name) {
            return Err(malformed("a trailer name is not a header name"));
        }
        let value = value.trim_matches([' ', '\t']).to_owned();
        if name == TRAILER_SIGNATURE_HEADER {
            if !self.mode.signs_chunks() {
                return Err(malformed(format!(
                    "x-amz-trailer-signature in {}, whose trailer is unsigned",
                    self.mode
                )));
            }
            if self.trailer_signature.replace(value).is_some() {
                return Err(malformed("x-amz-trailer-signature appears twice"));
            }
            return Ok(());
        }
        if self.trailer_signature.is_some() {
            return Err(malformed("a trailer after x-amz-trailer-signature"));
        }
        if !self.declared_trailers.contains(&name) {
            return Err(ChunkedError::UndeclaredTrailer { name });
        }
        if self.trailers.iter().any(|(n, _)| *n == name) {
            return Err(malformed(format!("the trailer {name} appears twice")));
        }
        self.trailers.push((name, value));
        Ok(())
    }

    fn finish_trailers(&mut self) -> Result<(), ChunkedError> {
        if let Some(signer) = &mut self.signer {
            let sent = self
                .trailer_signature
                .take()
                .ok_or(ChunkedError::MissingTrailerSignature)?
                .to_ascii_lowercase();
            let string_to_sign = signer.trailer_string_to_sign(&self.trailers);
            let expected = signer.key.sign(&string_to_sign);
            if !bool::from(expected.as_bytes().ct_eq(sent.as_bytes())) {
                return Err(ChunkedError::TrailerSignatureMismatch { string_to_sign });
            }
            signer.previous = expected;
        }
        for name in &self.declared_trailers {
            if !self.trailers.iter().any(|(n, _)| n == name) {
                return Err(ChunkedError::MissingTrailer { name: name.clone() });
            }
        }
        for c in std::mem::take(&mut self.checksums) {
            let alg = c.algorithm();
            let sent = self
                .trailers
                .iter()
                .find(|(n, _)| n == alg.header_name())
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            if sent.len() != alg.encoded_len() || !is_base64(&sent) {
                return Err(ChunkedError::InvalidChecksumValue {
                    name: alg.header_name().to_owned(),
                });
            }
            let computed = c.finish();
            if sent != computed {
                return Err(ChunkedError::ChecksumMismatch {
                    algorithm: alg,
                    sent,
                    computed,
                });
            }
            self.summary_checksums.push((alg, computed));
        }
        self.state = State::Done;
        Ok(())
    }
}

fn is_base64(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    s.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// Decodes a whole body at once (the slice is fed in one piece).
pub fn decode_all(
    mut decoder: ChunkedDecoder,
    body: &[u8],
) -> Result<(Vec<u8>, DecodedSummary), ChunkedError> {
    let mut out = Vec::with_capacity(body.len());
    decoder.push(body, &mut out)?;
    let summary = decoder.finish()?;
    Ok((out, summary))
}

/// A [`std::io::Read`] over the decoded data of an `aws-chunked` body read from `inner`:
/// an error of the decoder is an [`std::io::ErrorKind::InvalidData`] error wrapping the
/// [`ChunkedError`]; the end of `inner` before the end of the body is an error too.
#[derive(Debug)]
pub struct DecodingReader<R> {
    inner: R,
    decoder: ChunkedDecoder,
    buf: Vec<u8>,
    pos: usize,
    input: Vec<u8>,
}

impl<R: std::io::Read> DecodingReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R, decoder: ChunkedDecoder) -> Self {
        Self {
            inner,
            decoder,
            buf: Vec::new(),
            pos: 0,
            input: vec![0; 64 * 1024],
        }
    }

    /// The decoder (for its summary once reading returned 0).
    pub fn decoder(&self) -> &ChunkedDecoder {
        &self.decoder
    }
}

impl<R: std::io::Read> std::io::Read for DecodingReader<R> {
    fn read(&mut self, dst: &mut [u8]) -> std::io::Result<usize> {
        let invalid = |e: ChunkedError| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        while self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            if self.decoder.is_done() {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.input)?;
            if n == 0 {
                self.decoder.finish().map_err(invalid)?;
                return Ok(0);
            }
            self.decoder
                .push(&self.input[..n], &mut self.buf)
                .map_err(invalid)?;
        }
        let n = dst.len().min(self.buf.len() - self.pos);
        dst[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
