//! aws-chunked uploads against a real `mock-aws`: the aws-sigv4 crate's seed and chunk
//! signatures over HTTPS (`--tls`, read back byte-identical), boto3 with default settings over
//! HTTPS (`tests/boto3_chunked.py`), and every way of breaking a body answered with S3's code.

#![allow(clippy::unwrap_used, clippy::type_complexity)]

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::common::{Conn, Resp, Server, Sign};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, ServerName};
use sigv4_signer::chunked::{
    encoded_length, streaming_headers, ChecksumAlgorithm, ChunkSigner, ChunkedEncoder,
    StreamingMode,
};
use tokio_rustls::rustls;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// One HTTPS request (HTTP/1.1, `Connection: close`) trusting only `cert`.
fn https(
    server: &Server,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Resp {
    let cert = server.cert.as_ref().expect("server started with --tls");
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(cert).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let tcp = TcpStream::connect(&server.addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).ok();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let mut head = format!("{method} {target} HTTP/1.1\r\nConnection: close\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
    {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    tls.write_all(head.as_bytes()).unwrap();
    tls.write_all(body).unwrap();
    tls.flush().unwrap();
    let mut reader = BufReader::new(tls);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.push((n.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    Resp {
        status,
        headers,
        body,
    }
}

fn s3_settings() -> SigningSettings {
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings
}

/// Uploads `body` in `chunk`-byte chunks signed entirely by the aws-sigv4 crate: the seed with
/// `http_request::sign`, every chunk with `sign::v4::sign_chunk`, the trailer (when `trailer`)
/// with `sign::v4::sign_trailer`. Only the framing (`hex;chunk-signature=...`) is written here.
fn aws_sigv4_chunked_put(
    server: &Server,
    key: &str,
    body: &[u8],
    chunk: usize,
    trailer: bool,
) -> Resp {
    let identity: Identity = Credentials::new("AKIDEXAMPLE", SECRET, None, None, "test").into();
    let time = SystemTime::now();
    let mode = if trailer {
        StreamingMode::SignedPayloadTrailer
    } else {
        StreamingMode::SignedPayload
    };
    let checksum = trailer.then_some(ChecksumAlgorithm::Crc32);
    let mut headers: Vec<(String, String)> = vec![("host".into(), server.addr.clone())];
    for (n, v) in streaming_headers(
        body.len() as u64,
        encoded_length(mode, body.len() as u64, chunk as u64, checksum),
        checksum,
    ) {
        headers.push((n.to_owned(), v));
    }
    let params = || {
        v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("s3")
            .time(time)
            .settings(s3_settings())
            .build()
            .unwrap()
    };
    let target = format!("/chunked/{key}");
    let uri = format!("https://{}{target}", server.addr);
    let signable = SignableRequest::new(
        "PUT",
        uri.as_str(),
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        if trailer {
            SignableBody::StreamingSignedPayloadTrailer
        } else {
            SignableBody::Precomputed(mode.content_sha256().to_owned())
        },
    )
    .unwrap();
    let (instructions, seed) = sign(signable, &params().into()).unwrap().into_parts();
    let (added, _) = instructions.into_parts();
    headers.extend(
        added
            .iter()
            .map(|h| (h.name().to_owned(), h.value().to_owned())),
    );
    let params = params();
    let mut running = seed;
    let mut wire = Vec::new();
    for piece in body.chunks(chunk).chain(std::iter::once(&[][..])) {
        let sig = v4::sign_chunk(&Bytes::copy_from_slice(piece), &running, &params)
            .unwrap()
            .into_parts()
            .1;
        wire.extend_from_slice(format!("{:x};chunk-signature={sig}\r\n", piece.len()).as_bytes());
        if !piece.is_empty() {
            wire.extend_from_slice(piece);
            wire.extend_from_slice(b"\r\n");
        }
        running = sig;
    }
    if let Some(c) = checksum {
        let value = c.digest(body);
        let mut trailers = aws_smithy_runtime_api::http::Headers::new();
        trailers.insert(c.header_name(), value.clone());
        let sig = v4::sign_trailer(&trailers, &running, &params)
            .unwrap()
            .into_parts()
            .1;
        wire.extend_from_slice(
            format!(
                "{}:{value}\r\nx-amz-trailer-signature:{sig}\r\n",
                c.header_name()
            )
            .as_bytes(),
        );
    }
    wire.extend_from_slice(b"\r\n");
    https(server, "PUT", &target, &headers, &wire)
}

fn own_get(server: &Server, target: &str) -> Resp {
    let signed = Sign::new("s3").sign(&server.addr, "GET", target, &[], b"");
    https(server, "GET", &signed.target, &signed.headers, b"")
}

fn streaming_verdicts(server: &Server, get: impl Fn(&str) -> Resp) -> Vec<String> {
    let r = get("/_mock-aws/verdicts");
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let _ = server;
    v["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["streaming"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn aws_sigv4_signed_chunked_uploads_over_https_read_back_identical() {
    let server = Server::start(&["--tls"]);
    let signed = Sign::new("s3").sign(&server.addr, "PUT", "/chunked", &[], b"");
    let r = https(&server, "PUT", &signed.target, &signed.headers, b"");
    assert_eq!(r.status, 200, "{}", r.text());
    let body: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    for (key, trailer) in [("plain", false), ("trailer", true)] {
        let r = aws_sigv4_chunked_put(&server, key, &body, 65536, trailer);
        assert_eq!(r.status, 200, "{key}: {}", r.text());
        let got = own_get(&server, &format!("/chunked/{key}"));
        assert_eq!(got.status, 200);
        assert!(
            got.body == body,
            "{key}: read back {} bytes",
            got.body.len()
        );
    }
    let streaming = streaming_verdicts(&server, |t| https(&server, "GET", t, &[], b""));
    assert_eq!(
        streaming,
        vec![
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD: verified (4 chunks signed, 200000 bytes)".to_owned(),
            format!(
                "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: verified (4 chunks signed, 200000 bytes, checksum CRC32 {})",
                ChecksumAlgorithm::Crc32.digest(&body)
            ),
        ]
    );
}

/// Our signer and encoder, over plain HTTP, with a hook to break the framed body.
pub(crate) fn own_chunked_put(
    server: &Server,
    key: &str,
    body: &[u8],
    chunk: usize,
    mode: StreamingMode,
    tamper: impl Fn(Vec<u8>) -> Vec<u8>,
) -> Resp {
    let checksum = mode.has_trailer().then_some(ChecksumAlgorithm::Crc32c);
    let s = Sign {
        settings: sigv4_signer::Settings::s3().with_payload(mode.payload_mode()),
        ..Sign::new("s3")
    };
    let creds = sigv4_signer::Credentials::new(s.access_key, s.secret);
    let params = sigv4_signer::SigningParams::new(&creds, "us-east-1", "s3", s.time)
        .with_settings(s.settings.clone());
    let target = format!("/chunked/{key}");
    let extra = streaming_headers(
        body.len() as u64,
        encoded_length(mode, body.len() as u64, chunk as u64, checksum),
        checksum,
    );
    let mut req = sigv4_signer::SignableRequest::new("PUT", &target).header("Host", &server.addr);
    // Content-Length is left unsigned here so that a broken body can change it.
    for (n, v) in extra.iter().filter(|(n, _)| *n != "Content-Length") {
        req = req.header(n, v);
    }
    let out = sigv4_signer::sign(&req, &params, sigv4_signer::SignatureLocation::Headers).unwrap();
    let mut headers = out.apply(&req).headers;
    let enc = match (mode, checksum) {
        (StreamingMode::SignedPayload, _) => {
            ChunkedEncoder::signed_payload(ChunkSigner::from_signing(&out, &params))
        }
        (StreamingMode::SignedPayloadTrailer, Some(c)) => {
            ChunkedEncoder::signed_payload_trailer(ChunkSigner::from_signing(&out, &params), c)
        }
        (_, c) => ChunkedEncoder::unsigned_payload_trailer(c.unwrap()),
    };
    let wire = tamper(enc.encode_all(body, chunk));
    headers.push(("Content-Length".to_owned(), wire.len().to_string()));
    Conn::open(&server.addr).send("PUT", &target, &headers, &wire)
}

pub(crate) fn s3_code(r: &Resp) -> String {
    let t = r.text();
    t.split("<Code>")
        .nth(1)
        .and_then(|s| s.split("</Code>").next())
        .unwrap_or("")
        .to_owned()
}

fn replace(wire: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = wire
        .windows(from.len())
        .position(|w| w == from)
        .expect("pattern in body");
    let mut out = wire[..at].to_vec();
    out.extend_from_slice(to);
    out.extend_from_slice(&wire[at + from.len()..]);
    out
}

#[test]
fn broken_bodies_get_s3s_codes_and_store_nothing() {
    let server = Server::start(&[]);
    let r = common::call(&server, &Sign::new("s3"), "PUT", "/chunked", &[], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    let body: Vec<u8> = (0..20_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let chunk = 8192;
    let id = |w: Vec<u8>| w;
    for mode in StreamingMode::ALL {
        let r = own_chunked_put(&server, "ok", &body, chunk, mode, id);
        assert_eq!(r.status, 200, "{mode}: {}", r.text());
    }
    let flip_data = |w: Vec<u8>| replace(w, b"abcdefghij", b"abcdefghiJ");
    let swap_chunks = |w: Vec<u8>| {
        // The first two frames, `2000;chunk-signature=<64 hex>\r\n<8192 bytes>\r\n` each.
        let frame = 4 + 17 + 64 + 2 + 8192 + 2;
        let mut out = w[frame..2 * frame].to_vec();
        out.extend_from_slice(&w[..frame]);
        out.extend_from_slice(&w[2 * frame..]);
        out
    };
    let cut_final = |w: Vec<u8>| {
        let at = w.windows(3).rposition(|x| x == b"\r\n0").unwrap() + 2;
        w[..at].to_vec()
    };
    let truncate = |w: Vec<u8>| w[..w.len() / 2].to_vec();
    let cases: Vec<(
        &str,
        StreamingMode,
        usize,
        Box<dyn Fn(Vec<u8>) -> Vec<u8>>,
        u16,
        &str,
    )> = vec![
        (
            "data",
            StreamingMode::SignedPayload,
            chunk,
            Box::new(flip_data),
            403,
            "SignatureDoesNotMatch",
        ),
        (
            "data-t",
            StreamingMode::SignedPayloadTrailer,
            chunk,
            Box::new(flip_data),
            403,
            "SignatureDoesNotMatch",
        ),
        (
            "data-u",
            StreamingMode::UnsignedPayloadTrailer,
            chunk,
            Box::new(flip_data),
            400,
            "BadDigest",
        ),
        (
            "swap",
            StreamingMode::SignedPayload,
            chunk,
            Box::new(swap_chunks),
            403,
            "SignatureDoesNotMatch",
        ),
        (
            "trailer-sig",
            StreamingMode::SignedPayloadTrailer,
            chunk,
            Box::new(|w| {
                let at = w
                    .windows(24)
                    .position(|x| x == b"x-amz-trailer-signature:")
                    .unwrap()
                    + 24;
                let mut w = w;
                w[at] = if w[at] == b'0' { b'1' } else { b'0' };
                w
            }),
            403,
            "SignatureDoesNotMatch",
        ),
        (
            "checksum-u",
            StreamingMode::UnsignedPayloadTrailer,
            chunk,
            Box::new(|w| {
                let at = w
                    .windows(22)
                    .position(|x| x == b"x-amz-checksum-crc32c:")
                    .unwrap()
                    + 22;
                let mut w = w;
                w[at] = if w[at] == b'A' { b'B' } else { b'A' };
                w
            }),
            400,
            "BadDigest",
        ),
        (
            "cut",
            StreamingMode::SignedPayload,
            chunk,
            Box::new(cut_final),
            400,
            "IncompleteBody",
        ),
        (
            "half",
            StreamingMode::UnsignedPayloadTrailer,
            chunk,
            Box::new(truncate),
            400,
            "IncompleteBody",
        ),
        (
            "small",
            StreamingMode::UnsignedPayloadTrailer,
            4096,
            Box::new(id),
            403,
            "InvalidChunkSizeError",
        ),
    ];
    for (key, mode, size, tamper, status, code) in cases {
        let r = own_chunked_put(&server, key, &body, size, mode, tamper);
        assert_eq!(
            (r.status, s3_code(&r).as_str()),
            (status, code),
            "{key} ({mode}): {}",
            r.text()
        );
        let g = common::call(
            &server,
            &Sign::new("s3"),
            "GET",
            &format!("/chunked/{key}"),
            &[],
            b"",
        );
        assert_eq!(g.status, 404, "{key} must not be stored");
    }
    let r = common::call(&server, &Sign::new("s3"), "GET", "/chunked/ok", &[], b"");
    assert_eq!(r.body, body);
}

#[test]
fn boto3_default_settings_upload_aws_chunked_over_https() {
    let python = common::require(common::Tool::Boto3);
    let server = Server::start(&["--tls"]);
    let out = Command::new(&python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/boto3_chunked.py"
        ))
        .arg(server.url())
        .arg(server.cert.as_ref().unwrap())
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_REQUEST_CHECKSUM_CALCULATION")
        .env_remove("AWS_CA_BUNDLE")
        .output()
        .expect("run the venv's python");
    assert!(
        out.status.success(),
        "boto3 chunked flow failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
