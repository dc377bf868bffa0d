//! The incremental, verifying decoder (rules in the module docs of [`crate::chunked`]).

use std::collections::VecDeque;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::*;
use crate::encoding::hex;
use crate::payload::EMPTY_SHA256;

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
