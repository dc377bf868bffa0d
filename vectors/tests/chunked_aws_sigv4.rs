//! aws-chunked signing cross-checked against the aws-sigv4 crate (AWS's Rust signer): the
//! seed signature of each streaming mode (`http_request::sign` with
//! `SignableBody::Precomputed(STREAMING-AWS4-HMAC-SHA256-PAYLOAD)`,
//! `StreamingSignedPayloadTrailer`, `StreamingUnsignedPayloadTrailer`), every chunk signature
//! (`sign::v4::sign_chunk`) and the trailer signature (`sign::v4::sign_trailer`) must equal
//! ours. Two independent implementations agreeing; AWS's documented examples are checked in
//! `vectors/cases/s3-chunked-*` and `signer/tests/chunked.rs`.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{
    sign as aws_sign, PayloadChecksumKind, PercentEncodingMode, SignableBody,
    SignableRequest as AwsRequest, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use proptest::prelude::*;
use sigv4_signer::chunked::{
    streaming_headers, ChecksumAlgorithm, ChunkSigner, ChunkedDecoder, ChunkedEncoder,
    DecodeLimits, StreamingMode,
};
use sigv4_signer::{
    sign, Credentials, Settings, SignableRequest, SignatureLocation, SigningParams, SigningTime,
};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn aws_params(identity: &Identity, unix: u64) -> v4::SigningParams<'_, SigningSettings> {
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    v4::SigningParams::builder()
        .identity(identity)
        .region("eu-west-3")
        .name("s3")
        .time(SystemTime::UNIX_EPOCH + Duration::from_secs(unix))
        .settings(settings)
        .build()
        .unwrap()
}

/// Both implementations sign the request and the whole chain; returns (ours, aws-sigv4's) as
/// the list of signatures: seed, chunks, final chunk, trailer.
fn both(
    mode: StreamingMode,
    body: &[u8],
    chunk: usize,
    trailers: &[(String, String)],
    unix: u64,
) -> (Vec<String>, Vec<String>) {
    let checksum = mode.has_trailer().then_some(ChecksumAlgorithm::Crc32);
    let headers: Vec<(String, String)> = std::iter::once((
        "host".to_owned(),
        "bucket.s3.eu-west-3.amazonaws.com".to_owned(),
    ))
    .chain(
        streaming_headers(body.len() as u64, 1 + body.len() as u64, checksum)
            .into_iter()
            .map(|(n, v)| (n.to_owned(), v)),
    )
    .collect();

    // Ours.
    let creds = Credentials::new("AKIDEXAMPLE", SECRET);
    let params = SigningParams::new(
        &creds,
        "eu-west-3",
        "s3",
        SigningTime::from_unix_seconds(unix as i64),
    )
    .with_settings(Settings::s3().with_payload(mode.payload_mode()));
    let mut req = SignableRequest::new("PUT", "/my%20key.bin");
    for (n, v) in &headers {
        req = req.header(n, v);
    }
    let out = sign(&req, &params, SignatureLocation::Headers).unwrap();
    let mut ours = vec![out.signature().to_owned()];
    let mut chain = ChunkSigner::from_signing(&out, &params);
    if mode.signs_chunks() {
        ours.extend(body.chunks(chunk).map(|c| chain.sign_chunk(c)));
        ours.push(chain.sign_chunk(b""));
        if mode == StreamingMode::SignedPayloadTrailer {
            ours.push(chain.sign_trailer(trailers));
        }
    }

    // aws-sigv4.
    let identity: Identity = AwsCredentials::new("AKIDEXAMPLE", SECRET, None, None, "test").into();
    let uri = "https://bucket.s3.eu-west-3.amazonaws.com/my%20key.bin";
    let signable = AwsRequest::new(
        "PUT",
        uri,
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        match mode {
            StreamingMode::SignedPayload => {
                SignableBody::Precomputed(mode.content_sha256().to_owned())
            }
            StreamingMode::SignedPayloadTrailer => SignableBody::StreamingSignedPayloadTrailer,
            StreamingMode::UnsignedPayloadTrailer => SignableBody::StreamingUnsignedPayloadTrailer,
            other => panic!("no aws-sigv4 body for {other:?}: add the new mode here"),
        },
    )
    .unwrap();
    let seed = aws_sign(signable, &aws_params(&identity, unix).into())
        .unwrap()
        .into_parts()
        .1;
    let mut theirs = vec![seed.clone()];
    if mode.signs_chunks() {
        let p = aws_params(&identity, unix);
        let mut running = seed;
        for c in body.chunks(chunk).chain(std::iter::once(&[][..])) {
            running = v4::sign_chunk(&bytes::Bytes::copy_from_slice(c), &running, &p)
                .unwrap()
                .into_parts()
                .1;
            theirs.push(running.clone());
        }
        if mode == StreamingMode::SignedPayloadTrailer {
            let mut h = aws_smithy_runtime_api::http::Headers::new();
            for (n, v) in trailers {
                h.insert(n.clone(), v.clone());
            }
            theirs.push(v4::sign_trailer(&h, &running, &p).unwrap().into_parts().1);
        }
    }
    (ours, theirs)
}

#[test]
fn every_mode_agrees_with_aws_sigv4() {
    let body: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    let crc = ChecksumAlgorithm::Crc32.digest(&body);
    let trailers = vec![("x-amz-checksum-crc32".to_owned(), crc)];
    for mode in StreamingMode::ALL {
        let (ours, theirs) = both(mode, &body, 65536, &trailers, 1_700_000_000);
        assert_eq!(ours, theirs, "{mode}");
        assert_eq!(
            ours.len(),
            if mode.signs_chunks() {
                1 + 3 + usize::from(mode.has_trailer())
            } else {
                1
            }
        );
    }
}

#[test]
fn several_trailers_sorted_lowercased_and_trimmed_agree() {
    let trailers = vec![
        ("X-Amz-Meta-Zeta".to_owned(), "  last  ".to_owned()),
        (
            "x-amz-checksum-sha256".to_owned(),
            ChecksumAlgorithm::Sha256.digest(b"abc"),
        ),
        ("x-amz-meta-alpha".to_owned(), "first".to_owned()),
    ];
    let (ours, theirs) = both(
        StreamingMode::SignedPayloadTrailer,
        b"abc",
        8192,
        &trailers,
        1_600_000_123,
    );
    assert_eq!(ours, theirs);
}

#[test]
fn a_body_signed_by_aws_sigv4_decodes() {
    // The framed body built from aws-sigv4's signatures alone (seed, chunks, trailer) goes
    // through our decoder.
    let body = vec![7u8; 20_000];
    let crc = ChecksumAlgorithm::Crc32.digest(&body);
    let trailers = vec![("x-amz-checksum-crc32".to_owned(), crc.clone())];
    let (_, theirs) = both(
        StreamingMode::SignedPayloadTrailer,
        &body,
        8192,
        &trailers,
        1_700_000_000,
    );
    let mut wire = Vec::new();
    let mut sigs = theirs[1..].iter();
    for c in body.chunks(8192).chain(std::iter::once(&[][..])) {
        wire.extend_from_slice(
            format!("{:x};chunk-signature={}\r\n", c.len(), sigs.next().unwrap()).as_bytes(),
        );
        if !c.is_empty() {
            wire.extend_from_slice(c);
            wire.extend_from_slice(b"\r\n");
        }
    }
    wire.extend_from_slice(
        format!(
            "x-amz-checksum-crc32:{crc}\r\nx-amz-trailer-signature:{}\r\n\r\n",
            sigs.next().unwrap()
        )
        .as_bytes(),
    );
    let time = SigningTime::from_unix_seconds(1_700_000_000);
    let scope = sigv4_signer::internal::CredentialScope::new(time, "eu-west-3", "s3").unwrap();
    let key = sigv4_signer::SigningKey::derive(
        SECRET,
        sigv4_signer::ScopeFields {
            date: &scope.date,
            region: "eu-west-3",
            service: "s3",
        },
    );
    let chain = ChunkSigner::new(key, time, &scope, &theirs[0]);
    let dec = ChunkedDecoder::new(
        StreamingMode::SignedPayloadTrailer,
        Some(chain.clone()),
        DecodeLimits::default(),
    )
    .unwrap()
    .with_declared_trailers("x-amz-checksum-crc32")
    .unwrap()
    .with_decoded_length(20_000);
    let (out, _) = sigv4_signer::chunked::decode_all(dec, &wire).unwrap();
    assert_eq!(out, body);
    // And our encoder writes those very bytes.
    assert_eq!(
        ChunkedEncoder::signed_payload_trailer(chain, ChecksumAlgorithm::Crc32)
            .encode_all(&body, 8192),
        wire
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]
    #[test]
    fn random_bodies_and_times_agree(
        len in 0usize..3000,
        chunk in 1usize..1500,
        unix in 1_000_000_000u64..2_000_000_000,
        mode in 0usize..3,
    ) {
        let body: Vec<u8> = (0..len).map(|i| (i * 13) as u8).collect();
        let trailers = vec![("x-amz-checksum-crc32c".to_owned(), ChecksumAlgorithm::Crc32c.digest(&body))];
        let (ours, theirs) = both(StreamingMode::ALL[mode], &body, chunk, &trailers, unix);
        prop_assert_eq!(ours, theirs);
    }
}
