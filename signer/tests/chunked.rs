//! aws-chunked: AWS's two documented examples, round trips of the three modes, every way of
//! tampering a body, and a property test of random bodies, chunk sizes and slicings.
//!
//! Expected values come from AWS's S3 API reference: "Signature Calculations for the
//! Authorization Header: Transferring Payload in Multiple Chunks" (example: PUT Object, 66,560
//! bytes of `a` in 64 KiB chunks) and "Signature calculations for trailing headers" (the same
//! object with a CRC32C trailer). The same numbers are in awslabs/aws-crt-swift's
//! `ChunkSignerTests` and several servers' tests that quote the docs.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use sigv4_signer::chunked::{
    decode_all, encoded_length, streaming_headers, ChecksumAlgorithm, ChunkSigner, ChunkedDecoder,
    ChunkedEncoder, ChunkedError, DecodeLimits, DecodingReader, StreamingMode,
};
use sigv4_signer::{
    sign, Credentials, Settings, SignableRequest, SignatureLocation, SigningParams, SigningTime,
};

const DOC_AK: &str = "AKIAIOSFODNN7EXAMPLE";
const DOC_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// The documented request of either example, signed; returns the seed signature and chain.
fn doc_seed(mode: StreamingMode, signed_headers_extra: &[(&str, &str)]) -> (String, ChunkSigner) {
    let creds = Credentials::new(DOC_AK, DOC_SECRET);
    let time = SigningTime::parse("20130524T000000Z").unwrap();
    let params = SigningParams::new(&creds, "us-east-1", "s3", time)
        .with_settings(Settings::s3().with_payload(mode.payload_mode()));
    let mut req = SignableRequest::new("PUT", "/examplebucket/chunkObject.txt")
        .header("Host", "s3.amazonaws.com")
        .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
        .header("Content-Encoding", "aws-chunked")
        .header("x-amz-decoded-content-length", "66560");
    for (n, v) in signed_headers_extra {
        req = req.header(n, v);
    }
    let out = sign(&req, &params, SignatureLocation::Headers).unwrap();
    (
        out.signature().to_owned(),
        ChunkSigner::from_signing(&out, &params),
    )
}

fn doc_body() -> Vec<u8> {
    vec![b'a'; 66560]
}

#[test]
fn aws_doc_example_signed_payload() {
    let (seed, mut chain) = doc_seed(StreamingMode::SignedPayload, &[("Content-Length", "66824")]);
    assert_eq!(
        seed,
        "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    );
    let body = doc_body();
    let decoder_chain = chain.clone();
    assert_eq!(
        chain.sign_chunk(&body[..65536]),
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
    );
    assert_eq!(
        chain.sign_chunk(&body[65536..]),
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
    );
    assert_eq!(
        chain.sign_chunk(b""),
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
    );

    // The documented wire body, built by hand, decodes; its documented Content-Length is the
    // encoder's.
    let mut wire = Vec::new();
    wire.extend_from_slice(b"10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n");
    wire.extend_from_slice(&body[..65536]);
    wire.extend_from_slice(b"\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n");
    wire.extend_from_slice(&body[65536..]);
    wire.extend_from_slice(b"\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n");
    assert_eq!(wire.len(), 66824);
    assert_eq!(
        encoded_length(StreamingMode::SignedPayload, 66560, 65536, None),
        66824
    );
    let dec = ChunkedDecoder::new(
        StreamingMode::SignedPayload,
        Some(decoder_chain.clone()),
        DecodeLimits::default(),
    )
    .unwrap()
    .with_decoded_length(66560);
    let (out, summary) = decode_all(dec, &wire).unwrap();
    assert_eq!(out, body);
    assert_eq!(summary.chunks, 2);
    // And our encoder writes exactly the documented bytes.
    assert_eq!(
        ChunkedEncoder::signed_payload(decoder_chain).encode_all(&body, 65536),
        wire
    );
}

#[test]
fn aws_doc_example_signed_trailer() {
    let (seed, chain) = doc_seed(
        StreamingMode::SignedPayloadTrailer,
        &[("x-amz-trailer", "x-amz-checksum-crc32c")],
    );
    assert_eq!(
        seed,
        "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
    );
    let body = doc_body();
    assert_eq!(ChecksumAlgorithm::Crc32c.digest(&body), "sOO8/Q==");
    let mut c = chain.clone();
    assert_eq!(
        c.sign_chunk(&body[..65536]),
        "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2"
    );
    assert_eq!(
        c.sign_chunk(&body[65536..]),
        "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7"
    );
    assert_eq!(
        c.sign_chunk(b""),
        "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"
    );
    assert_eq!(
        c.sign_trailer(&[("x-amz-checksum-crc32c".into(), "sOO8/Q==".into())]),
        "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
    );
    let wire = ChunkedEncoder::signed_payload_trailer(chain.clone(), ChecksumAlgorithm::Crc32c)
        .encode_all(&body, 65536);
    let tail = b"0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\nx-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n";
    assert!(wire.ends_with(tail));
    assert_eq!(
        wire.len() as u64,
        encoded_length(
            StreamingMode::SignedPayloadTrailer,
            66560,
            65536,
            Some(ChecksumAlgorithm::Crc32c)
        )
    );
    let dec = decoder(
        StreamingMode::SignedPayloadTrailer,
        Some(chain),
        Some(ChecksumAlgorithm::Crc32c),
    )
    .with_decoded_length(66560);
    let (out, summary) = decode_all(dec, &wire).unwrap();
    assert_eq!(out, body);
    assert_eq!(
        summary.checksums,
        vec![(ChecksumAlgorithm::Crc32c, "sOO8/Q==".to_owned())]
    );
}

// Checksums of "hello world": CRC32 DUoRhQ== (quoted by a server's test of boto3 uploads),
// CRC32C yZRlqg==, SHA-256 uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek= (RFC 4648 base64 of
// b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9, sha256sum).
#[test]
fn checksum_values() {
    assert_eq!(ChecksumAlgorithm::Crc32.digest(b"hello world"), "DUoRhQ==");
    assert_eq!(ChecksumAlgorithm::Crc32c.digest(b"hello world"), "yZRlqg==");
    assert_eq!(
        ChecksumAlgorithm::Sha256.digest(b"hello world"),
        "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="
    );
    assert_eq!(ChecksumAlgorithm::Crc32.digest(b""), "AAAAAA==");
}

fn test_chain(seed: &str) -> ChunkSigner {
    let time = SigningTime::parse("2026-11-23T12:00:00Z").unwrap();
    let scope = sigv4_signer::internal::CredentialScope::new(time, "us-east-1", "s3").unwrap();
    let key = sigv4_signer::SigningKey::derive(
        "secret",
        sigv4_signer::ScopeFields {
            date: &scope.date,
            region: "us-east-1",
            service: "s3",
        },
    );
    ChunkSigner::new(key, time, &scope, seed)
}

const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

fn encoder(
    mode: StreamingMode,
    chain: Option<ChunkSigner>,
    c: Option<ChecksumAlgorithm>,
) -> ChunkedEncoder {
    match mode {
        StreamingMode::SignedPayload => ChunkedEncoder::signed_payload(chain.unwrap()),
        StreamingMode::SignedPayloadTrailer => {
            ChunkedEncoder::signed_payload_trailer(chain.unwrap(), c.unwrap())
        }
        StreamingMode::UnsignedPayloadTrailer => {
            ChunkedEncoder::unsigned_payload_trailer(c.unwrap())
        }
        other => panic!("no encoder for {other:?}: add the new mode here"),
    }
}

fn decoder(
    mode: StreamingMode,
    chain: Option<ChunkSigner>,
    c: Option<ChecksumAlgorithm>,
) -> ChunkedDecoder {
    let limits = DecodeLimits {
        min_chunk_size: 0,
        ..DecodeLimits::default()
    };
    let d = ChunkedDecoder::new(mode, chain, limits).unwrap();
    match c {
        Some(c) if mode.has_trailer() => d.with_declared_trailers(c.header_name()).unwrap(),
        _ => d,
    }
}

/// (mode, chain for the encoder, chain for the decoder, checksum)
fn setups() -> Vec<(StreamingMode, Option<ChecksumAlgorithm>)> {
    vec![
        (StreamingMode::SignedPayload, None),
        (
            StreamingMode::SignedPayloadTrailer,
            Some(ChecksumAlgorithm::Crc32),
        ),
        (
            StreamingMode::SignedPayloadTrailer,
            Some(ChecksumAlgorithm::Sha256),
        ),
        (
            StreamingMode::UnsignedPayloadTrailer,
            Some(ChecksumAlgorithm::Crc32),
        ),
        (
            StreamingMode::UnsignedPayloadTrailer,
            Some(ChecksumAlgorithm::Crc32c),
        ),
        (
            StreamingMode::UnsignedPayloadTrailer,
            Some(ChecksumAlgorithm::Sha256),
        ),
    ]
}

fn chain_for(mode: StreamingMode) -> Option<ChunkSigner> {
    mode.signs_chunks().then(|| test_chain(SEED))
}

fn encode(mode: StreamingMode, c: Option<ChecksumAlgorithm>, body: &[u8], chunk: usize) -> Vec<u8> {
    encoder(mode, chain_for(mode), c).encode_all(body, chunk)
}

fn decode(
    mode: StreamingMode,
    c: Option<ChecksumAlgorithm>,
    wire: &[u8],
    len: Option<u64>,
) -> Result<Vec<u8>, ChunkedError> {
    let mut d = decoder(mode, chain_for(mode), c);
    if let Some(n) = len {
        d = d.with_decoded_length(n);
    }
    decode_all(d, wire).map(|(out, _)| out)
}

fn code(r: Result<Vec<u8>, ChunkedError>) -> &'static str {
    r.err().map_or("ok", |e| e.code())
}

fn body(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + i / 251) as u8).collect()
}

#[test]
fn round_trips_every_mode_and_fed_byte_by_byte() {
    for (mode, c) in setups() {
        let b = body(3000);
        let wire = encode(mode, c, &b, 1024);
        assert_eq!(
            wire.len() as u64,
            encoded_length(mode, 3000, 1024, c),
            "{mode}"
        );
        assert_eq!(decode(mode, c, &wire, Some(3000)).unwrap(), b, "{mode}");
        let mut d = decoder(mode, chain_for(mode), c);
        let mut out = Vec::new();
        for byte in &wire {
            d.push(std::slice::from_ref(byte), &mut out).unwrap();
        }
        d.finish().unwrap();
        assert_eq!(out, b);
        // Empty bodies too.
        let wire = encode(mode, c, b"", 1024);
        assert_eq!(decode(mode, c, &wire, Some(0)).unwrap(), b"");
        // Through the Read adapter.
        let wire = encode(mode, c, &b, 700);
        let mut r = DecodingReader::new(&wire[..], decoder(mode, chain_for(mode), c));
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut r, &mut got).unwrap();
        assert_eq!(got, b);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).position(|w| w == needle).unwrap()
}

#[test]
fn tampering_is_rejected() {
    let b = body(3000);
    for (mode, c) in setups() {
        let wire = encode(mode, c, &b, 1024);
        // Tampered chunk data (second chunk): signed modes refuse the chunk; the unsigned mode
        // only learns from the checksum.
        let mut t = wire.clone();
        let second = find(&t, b"\r\n400") + 2;
        let data_at = second + find(&t[second..], b"\r\n") + 2 + 10;
        t[data_at] ^= 1;
        let want = if mode.signs_chunks() {
            "chunk-signature-mismatch"
        } else {
            "checksum-mismatch"
        };
        assert_eq!(
            code(decode(mode, c, &t, None)),
            want,
            "{mode} tampered data"
        );

        // Truncated inside a chunk, and at a chunk boundary (final chunk missing).
        assert_eq!(
            code(decode(mode, c, &wire[..wire.len() / 2], None)),
            "truncated-body",
            "{mode}"
        );
        let last = find(&wire, b"\r\n0") + 2;
        assert_eq!(
            code(decode(mode, c, &wire[..last], None)),
            "missing-final-chunk",
            "{mode}"
        );
        // Truncated in the trailer.
        assert_eq!(
            code(decode(mode, c, &wire[..wire.len() - 1], None)),
            "truncated-body",
            "{mode}"
        );
        // Declared length disagrees.
        assert_eq!(
            code(decode(mode, c, &wire, Some(2999))),
            "decoded-length-mismatch",
            "{mode}"
        );
        assert_eq!(
            code(decode(mode, c, &wire, Some(3001))),
            "decoded-length-mismatch",
            "{mode}"
        );
        // Bytes after the end.
        let mut t = wire.clone();
        t.extend_from_slice(b"x");
        assert_eq!(
            code(decode(mode, c, &t, None)),
            "malformed-framing",
            "{mode}"
        );
        // A chunk over the limit is refused from its size line.
        let mut d = ChunkedDecoder::new(
            mode,
            chain_for(mode),
            DecodeLimits {
                max_chunk_size: 1000,
                min_chunk_size: 0,
                ..DecodeLimits::default()
            },
        )
        .unwrap();
        if let (true, Some(c)) = (mode.has_trailer(), c) {
            d = d.with_declared_trailers(c.header_name()).unwrap();
        }
        assert_eq!(
            d.push(&wire, &mut Vec::new()).unwrap_err().code(),
            "chunk-too-large"
        );
        // An over-long size line.
        let long = [b'0'; 2000];
        assert_eq!(code(decode(mode, c, &long, None)), "line-too-long");
        // A bare LF.
        assert_eq!(code(decode(mode, c, b"0\n\r\n", None)), "malformed-framing");
    }
}

#[test]
fn chain_and_trailer_tampering_is_rejected() {
    // ASCII, so that the body can be edited as text.
    let b: Vec<u8> = (0..3000).map(|i| b'a' + (i % 26) as u8).collect();
    // Chunks 1 and 2 swapped (both 1024 bytes, so framing stays valid).
    let wire = encode(StreamingMode::SignedPayload, None, &b, 1024);
    let c2 = find(&wire, b"\r\n400;") + 2;
    let c3 = c2 + find(&wire[c2..], b"\r\n3b8;") + 2;
    let mut swapped = Vec::new();
    swapped.extend_from_slice(&wire[c2..c3]);
    swapped.extend_from_slice(&wire[..c2]);
    swapped.extend_from_slice(&wire[c3..]);
    assert_eq!(
        code(decode(StreamingMode::SignedPayload, None, &swapped, None)),
        "chunk-signature-mismatch"
    );
    // Chunk 1 replayed in place of chunk 2: it verifies against the seed, an earlier link.
    let mut replayed = Vec::new();
    replayed.extend_from_slice(&wire[..c2]);
    replayed.extend_from_slice(&wire[..c2]);
    replayed.extend_from_slice(&wire[c3..]);
    assert_eq!(
        code(decode(StreamingMode::SignedPayload, None, &replayed, None)),
        "chain-broken"
    );
    // Another seed (a body signed for another request).
    let other = encoder(
        StreamingMode::SignedPayload,
        Some(test_chain(&"0".repeat(64))),
        None,
    )
    .encode_all(&b, 1024);
    assert_eq!(
        code(decode(StreamingMode::SignedPayload, None, &other, None)),
        "chunk-signature-mismatch"
    );
    // A chunk without its signature.
    let stripped = String::from_utf8_lossy(&wire).replacen(";chunk-signature=", ";x=", 1);
    assert_eq!(
        code(decode(
            StreamingMode::SignedPayload,
            None,
            stripped.as_bytes(),
            None
        )),
        "missing-chunk-signature"
    );

    // Signed trailer: wrong trailer signature, missing one, wrong checksum (re-signed so that
    // only the checksum is wrong).
    let m = StreamingMode::SignedPayloadTrailer;
    let c = Some(ChecksumAlgorithm::Crc32);
    let wire = encode(m, c, &b, 1024);
    let text = String::from_utf8_lossy(&wire).into_owned();
    let sig_at = text.find("x-amz-trailer-signature:").unwrap() + 24;
    let mut bad = text.clone();
    bad.replace_range(
        sig_at..sig_at + 1,
        if &text[sig_at..=sig_at] == "0" {
            "1"
        } else {
            "0"
        },
    );
    assert_eq!(
        code(decode(m, c, bad.as_bytes(), None)),
        "trailer-signature-mismatch"
    );
    let line_start = text.find("x-amz-trailer-signature:").unwrap();
    let mut nosig = text.clone();
    nosig.replace_range(line_start..line_start + 24 + 64 + 2, "");
    assert_eq!(
        code(decode(m, c, nosig.as_bytes(), None)),
        "missing-trailer-signature"
    );
    let good = ChecksumAlgorithm::Crc32.digest(&b);
    let tampered = text.replace(
        &format!("x-amz-checksum-crc32:{good}"),
        "x-amz-checksum-crc32:AAAAAA==",
    );
    assert_eq!(
        code(decode(m, c, tampered.as_bytes(), None)),
        "trailer-signature-mismatch"
    );
    // Re-sign the wrong checksum with the right chain: the signature is right, the checksum
    // is not.
    let mut chain = test_chain(SEED);
    for ch in b.chunks(1024) {
        chain.sign_chunk(ch);
    }
    chain.sign_chunk(b"");
    let resigned = chain.sign_trailer(&[("x-amz-checksum-crc32".into(), "AAAAAA==".into())]);
    let mut forged = text[..text.find("x-amz-checksum-crc32:").unwrap()].to_owned();
    forged.push_str(&format!(
        "x-amz-checksum-crc32:AAAAAA==\r\nx-amz-trailer-signature:{resigned}\r\n\r\n"
    ));
    assert_eq!(
        code(decode(m, c, forged.as_bytes(), None)),
        "checksum-mismatch"
    );

    // Unsigned trailer: wrong checksum, missing checksum, a trailer signature it must not carry,
    // an undeclared trailer.
    let m = StreamingMode::UnsignedPayloadTrailer;
    let wire = encode(m, c, &b, 1024);
    let text = String::from_utf8_lossy(&wire).into_owned();
    let wrong = text.replace(
        &format!("x-amz-checksum-crc32:{good}"),
        "x-amz-checksum-crc32:AAAAAA==",
    );
    assert_eq!(
        code(decode(m, c, wrong.as_bytes(), None)),
        "checksum-mismatch"
    );
    let missing = text.replace(&format!("x-amz-checksum-crc32:{good}\r\n"), "");
    assert_eq!(
        code(decode(m, c, missing.as_bytes(), None)),
        "missing-trailer"
    );
    let signed = text.replace(
        "\r\n\r\n",
        &format!("\r\nx-amz-trailer-signature:{}\r\n\r\n", "0".repeat(64)),
    );
    assert_eq!(
        code(decode(m, c, signed.as_bytes(), None)),
        "malformed-framing"
    );
    let other = text.replace(
        &format!("x-amz-checksum-crc32:{good}"),
        &format!("x-amz-checksum-crc32c:{good}"),
    );
    assert_eq!(
        code(decode(m, c, other.as_bytes(), None)),
        "undeclared-trailer"
    );
    let garbage = text.replace(
        &format!("x-amz-checksum-crc32:{good}"),
        "x-amz-checksum-crc32:not-b64!",
    );
    assert_eq!(
        code(decode(m, c, garbage.as_bytes(), None)),
        "invalid-checksum-value"
    );
}

#[test]
fn s3_minimum_chunk_size() {
    let b = body(20000);
    let m = StreamingMode::UnsignedPayloadTrailer;
    let c = ChecksumAlgorithm::Crc32;
    let limits = DecodeLimits::default();
    let d = || {
        ChunkedDecoder::new(m, None, limits)
            .unwrap()
            .with_declared_trailers(c.header_name())
            .unwrap()
    };
    // 8 KiB chunks and a short last one: fine.
    let ok = ChunkedEncoder::unsigned_payload_trailer(c).encode_all(&b, 8192);
    assert!(decode_all(d(), &ok).is_ok());
    // 4 KiB chunks: the second data chunk shows the first was too small.
    let small = ChunkedEncoder::unsigned_payload_trailer(c).encode_all(&b, 4096);
    let e = decode_all(d(), &small).unwrap_err();
    assert_eq!(
        (e.code(), e.to_string().contains("chunk 1 has 4096 bytes")),
        ("chunk-too-small", true)
    );
}

#[test]
fn setup_errors_and_headers() {
    assert_eq!(
        ChunkedDecoder::new(StreamingMode::SignedPayload, None, DecodeLimits::default())
            .unwrap_err()
            .code(),
        "invalid-setup"
    );
    assert_eq!(
        ChunkedDecoder::new(
            StreamingMode::UnsignedPayloadTrailer,
            Some(test_chain(SEED)),
            DecodeLimits::default()
        )
        .unwrap_err()
        .code(),
        "invalid-setup"
    );
    let d = ChunkedDecoder::new(
        StreamingMode::UnsignedPayloadTrailer,
        None,
        DecodeLimits::default(),
    )
    .unwrap();
    assert_eq!(
        d.with_declared_trailers("x-amz-checksum-crc64nvme")
            .unwrap_err()
            .code(),
        "unsupported-checksum"
    );
    assert_eq!(
        StreamingMode::from_content_sha256("STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
        Some(StreamingMode::UnsignedPayloadTrailer)
    );
    assert_eq!(StreamingMode::from_content_sha256("UNSIGNED-PAYLOAD"), None);
    let h = streaming_headers(66560, 66824, Some(ChecksumAlgorithm::Crc32c));
    assert!(h.contains(&("x-amz-trailer", "x-amz-checksum-crc32c".to_owned())));
    assert!(h.contains(&("Content-Encoding", "aws-chunked".to_owned())));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn random_bodies_round_trip(
        len in 0usize..5000,
        chunk in 1usize..2000,
        split in 1usize..700,
        setup in 0usize..6,
        seed in any::<u8>(),
    ) {
        let (mode, c) = setups()[setup];
        let b: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
        let wire = encode(mode, c, &b, chunk);
        prop_assert_eq!(wire.len() as u64, encoded_length(mode, len as u64, chunk as u64, c));
        let mut d = decoder(mode, chain_for(mode), c).with_decoded_length(len as u64);
        let mut out = Vec::new();
        for piece in wire.chunks(split) {
            d.push(piece, &mut out).unwrap();
            // Never more than what the complete chunks hold.
            prop_assert!(out.len() <= len);
        }
        let summary = d.finish().unwrap();
        prop_assert_eq!(summary.decoded_length, len as u64);
        prop_assert_eq!(out, b);
    }
}

/// Found by the `chunked` fuzz target: a long line ending in a bare LF was `malformed-framing`
/// fed whole but `line-too-long` fed in pieces. The limits now trip at the same byte.
#[test]
fn the_verdict_does_not_depend_on_the_slicing() {
    let limits = DecodeLimits {
        max_line: 256,
        max_trailer: 1024,
        min_chunk_size: 0,
        ..DecodeLimits::default()
    };
    let mut long = vec![b'a'; 300];
    long.push(b'\n');
    let mut trailer = b"0\r\n".to_vec();
    for _ in 0..5 {
        trailer
            .extend_from_slice(format!("x-amz-checksum-crc32:{}\r\n", "A".repeat(230)).as_bytes());
    }
    for body in [long, trailer] {
        let d = || {
            ChunkedDecoder::new(StreamingMode::UnsignedPayloadTrailer, None, limits)
                .unwrap()
                .with_declared_trailers("x-amz-checksum-crc32")
                .unwrap()
        };
        let whole = decode_all(d(), &body).unwrap_err().code();
        for step in [1, 7, 100] {
            let mut dec = d();
            let mut out = Vec::new();
            let mut err = None;
            for piece in body.chunks(step) {
                if let Err(e) = dec.push(piece, &mut out) {
                    err = Some(e.code());
                    break;
                }
            }
            assert_eq!(
                err.unwrap_or_else(|| dec.finish().unwrap_err().code()),
                whole,
                "step {step}"
            );
        }
    }
}
