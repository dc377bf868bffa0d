//! The aws-chunked decoder (`sigv4_signer::chunked::ChunkedDecoder`) on arbitrary bodies.
//!
//! Input: byte 0 picks the mode (and a checksum), byte 1 how the body is sliced when fed;
//! the rest is the body. The chain is the one of AWS's documented examples (secret
//! `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`, 20130524T000000Z, us-east-1, s3, and the
//! documented seed signatures), so that the seed corpus (`examples/chunked_seeds.rs`: the
//! documented bodies and small ones) starts from valid bodies.
//!
//! Invariants: the decoder never panics; fed in any slicing it gives the same verdict and
//! data as fed whole; it releases no more bytes than it has verified; and when it accepts a
//! signed body, every chunk signature and the trailer signature in it are the ones the
//! chain of AWS's documented strings to sign under the key (key derivation and HMAC from the
//! aws-sigv4 crate, the strings built here), and the accepted data is the chunks' data.
#![no_main]

use std::time::{Duration, SystemTime};

use aws_sigv4::sign::v4;
use sigv4_signer::chunked::{
    ChecksumAlgorithm, ChunkSigner, ChunkedDecoder, DecodeLimits, StreamingMode,
};
use sigv4_signer::internal::sha256_hex;
use sigv4_signer::internal::CredentialScope;
use sigv4_signer::{SigningKey, SigningTime};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const SEED_TRAILER: &str = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
/// 2013-05-24T00:00:00Z.
const TIME: i64 = 1_369_353_600;

fn setup(
    selector: u8,
) -> (
    StreamingMode,
    Option<ChecksumAlgorithm>,
    Option<&'static str>,
) {
    let checksum = ChecksumAlgorithm::ALL[usize::from(selector >> 2) % 3];
    match selector % 3 {
        0 => (StreamingMode::SignedPayload, None, Some(SEED)),
        1 => (
            StreamingMode::SignedPayloadTrailer,
            Some(checksum),
            Some(SEED_TRAILER),
        ),
        _ => (StreamingMode::UnsignedPayloadTrailer, Some(checksum), None),
    }
}

fn decoder(
    mode: StreamingMode,
    checksum: Option<ChecksumAlgorithm>,
    seed: Option<&str>,
) -> ChunkedDecoder {
    let time = SigningTime::from_unix_seconds(TIME);
    let scope = CredentialScope::new(time, "us-east-1", "s3").expect("scope");
    let chain = seed.map(|s| {
        ChunkSigner::new(
            SigningKey::derive(
                SECRET,
                sigv4_signer::ScopeFields {
                    date: &scope.date,
                    region: "us-east-1",
                    service: "s3",
                },
            ),
            time,
            &scope,
            s,
        )
    });
    let limits = DecodeLimits {
        max_chunk_size: 1 << 20,
        min_chunk_size: 0,
        max_line: 256,
        max_trailer: 1024,
    };
    let d = ChunkedDecoder::new(mode, chain, limits).expect("decoder");
    match checksum {
        Some(c) => d.with_declared_trailers(c.header_name()).expect("trailers"),
        None => d,
    }
}

/// Re-checks an accepted signed body: every chunk signature (and the trailer's) must be the
/// HMAC chain of the strings to sign AWS documents, under the key, with key derivation and
/// HMAC from the aws-sigv4 crate (`sign::v4::generate_signing_key`, `calculate_signature`).
fn chain_agrees(mode: StreamingMode, seed: &str, body: &[u8], data: &[u8]) {
    let key = v4::generate_signing_key(
        SECRET,
        SystemTime::UNIX_EPOCH + Duration::from_secs(TIME as u64),
        "us-east-1",
        "s3",
    );
    let head = "20130524T000000Z\n20130524/us-east-1/s3/aws4_request";
    let mut rest = body;
    let mut running = seed.to_owned();
    let mut collected = Vec::new();
    let line = |rest: &mut &[u8]| -> String {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("an accepted body has CRLF lines");
        let l = String::from_utf8(rest[..end].to_vec()).expect("an accepted line is UTF-8");
        *rest = &rest[end + 2..];
        l
    };
    loop {
        let l = line(&mut rest);
        let (size, sig) = l.split_once(";chunk-signature=").expect("signed chunk");
        let size = usize::from_str_radix(size, 16).expect("hex size");
        let chunk = &rest[..size];
        let sts = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{head}\n{running}\n{}\n{}",
            sha256_hex(b""),
            sha256_hex(chunk)
        );
        let expected = v4::calculate_signature(&key, sts.as_bytes());
        assert_eq!(
            sig.to_ascii_lowercase(),
            expected,
            "accepted a chunk not signed with the key"
        );
        running = expected;
        collected.extend_from_slice(chunk);
        rest = &rest[size..];
        if size == 0 {
            break;
        }
        assert_eq!(&rest[..2], b"\r\n");
        rest = &rest[2..];
    }
    assert_eq!(collected, data, "accepted data is not the chunks' data");
    if mode == StreamingMode::SignedPayloadTrailer {
        let mut trailers: Vec<(String, String)> = Vec::new();
        loop {
            let l = line(&mut rest);
            let (name, value) = l.split_once(':').expect("name:value");
            let (name, value) = (name.to_ascii_lowercase(), value.trim_matches([' ', '\t']));
            if name == "x-amz-trailer-signature" {
                trailers.sort();
                let canonical: String =
                    trailers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
                let sts = format!(
                    "AWS4-HMAC-SHA256-TRAILER\n{head}\n{running}\n{}",
                    sha256_hex(canonical.as_bytes())
                );
                let expected = v4::calculate_signature(&key, sts.as_bytes());
                assert_eq!(
                    value.to_ascii_lowercase(),
                    expected,
                    "accepted a trailer not signed with the key"
                );
                break;
            }
            trailers.push((name, value.to_owned()));
        }
    }
}

libfuzzer_sys::fuzz_target!(|input: &[u8]| {
    let [selector, step, body @ ..] = input else {
        return;
    };
    let (mode, checksum, seed) = setup(*selector);

    let mut whole = decoder(mode, checksum, seed);
    let mut out_whole = Vec::new();
    let pushed = whole.push(body, &mut out_whole);
    let verdict_whole = pushed.and_then(|()| whole.finish().map(|_| ()));

    let mut sliced = decoder(mode, checksum, seed);
    let mut out_sliced = Vec::new();
    let mut pushed = Ok(());
    for piece in body.chunks(usize::from(*step).max(1)) {
        pushed = sliced.push(piece, &mut out_sliced);
        assert!(out_sliced.len() as u64 == sliced.decoded_length());
        if pushed.is_err() {
            break;
        }
    }
    let verdict_sliced = pushed.and_then(|()| sliced.finish().map(|_| ()));
    assert_eq!(
        verdict_whole.as_ref().map_err(|e| e.code()),
        verdict_sliced.as_ref().map_err(|e| e.code()),
        "the slicing changed the verdict"
    );
    if verdict_whole.is_ok() {
        assert_eq!(out_whole, out_sliced);
        if let Some(seed) = seed {
            chain_agrees(mode, seed, body, &out_whole);
        }
        if let Some(c) = checksum {
            // Trailer names are case-insensitive, values (base64) are not.
            let value = c.digest(&out_whole);
            let text = String::from_utf8_lossy(body);
            let sent = text.split("\r\n").any(|line| {
                line.split_once(':').is_some_and(|(n, v)| {
                    n.eq_ignore_ascii_case(c.header_name()) && v.trim_matches([' ', '\t']) == value
                })
            });
            assert!(sent, "accepted a checksum that is not the data's");
        }
    }
});
