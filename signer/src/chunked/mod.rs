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
//! trailers. From `docs/rules.md#streaming` (`minio/s3verify#240`, `trinodb/aws-proxy#130`,
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

mod chain;
mod checksum;
mod decoder;
mod encoder;
mod error;
mod mode;
mod reader;

pub use chain::*;
pub use checksum::*;
pub use decoder::*;
pub use encoder::*;
pub use error::*;
pub use mode::*;
pub use reader::*;

/// The algorithm line of a chunk's string to sign.
pub const CHUNK_ALGORITHM: &str = "AWS4-HMAC-SHA256-PAYLOAD";
/// The algorithm line of the trailer's string to sign.
pub const TRAILER_ALGORITHM: &str = "AWS4-HMAC-SHA256-TRAILER";
/// The trailing header that carries the trailer signature.
pub const TRAILER_SIGNATURE_HEADER: &str = "x-amz-trailer-signature";
/// S3's smallest chunk but the last (`InvalidChunkSizeError` otherwise).
pub const MIN_CHUNK_SIZE: usize = 8192;
