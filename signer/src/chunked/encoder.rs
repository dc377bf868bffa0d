//! The encoder: the headers an `aws-chunked` request adds, its encoded length, and the incremental framer.

use super::*;

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
