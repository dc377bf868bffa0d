//! S3 `aws-chunked` uploads: the seed signature verified from the headers before the body is
//! read, then the body decoded and each chunk's signature, the trailer and its checksum checked
//! as the bytes arrive ([`ChunkedUpload`]), the object stored only when all of it verified.

use std::sync::Arc;

use sigv4_signer::chunked::{
    ChecksumAlgorithm, ChunkSigner, ChunkedDecoder, ChunkedError, DecodeLimits, StreamingMode,
};

use crate::auth::Authenticated;
use crate::error_body::{error_response, s3_chunked_details};
use crate::errors::{aws_error, chunked_error, AwsError, Protocol};
use crate::message::{Request, Response};
use crate::mock_aws::MockAws;
use crate::routing::{detect, is_inspection};
use crate::storage::{Reservation, Sink, MAX_PUT_SIZE};
use crate::verdicts::Verdict;

/// The streaming mode an S3 request's `x-amz-content-sha256` names, if any.
pub fn chunked_mode(req: &Request) -> Option<StreamingMode> {
    req.header("x-amz-content-sha256")
        .and_then(|v| StreamingMode::from_content_sha256(v.trim()))
}

/// An S3 request with an `aws-chunked` body whose seed signature verified: feed it the body's
/// bytes as they arrive ([`push`](Self::push)), then hand it to [`MockAws::finish_chunked`].
/// It holds at most one chunk besides the decoded object.
pub struct ChunkedUpload {
    auth: Authenticated,
    mode: StreamingMode,
    decoder: ChunkedDecoder,
    /// Where the decoded object goes (memory, or a file with `--data-dir`).
    sink: Sink,
    /// One decoded piece on its way to the sink.
    buf: Vec<u8>,
    /// The memory the object will take, reserved before reading (memory storage only).
    reservation: Option<Reservation>,
    /// Whether writing to the sink failed.
    write_failed: bool,
}

impl std::fmt::Debug for ChunkedUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkedUpload")
            .field("mode", &self.mode)
            .field("decoded", &self.sink.len())
            .finish_non_exhaustive()
    }
}

impl ChunkedUpload {
    /// Feeds the next bytes of the body; `false` once the body failed (stop reading then).
    pub fn push(&mut self, bytes: &[u8]) -> bool {
        let ok = self.decoder.push(bytes, &mut self.buf).is_ok();
        if self.sink.write(&self.buf).is_err() {
            self.write_failed = true;
        }
        self.buf.clear();
        ok && !self.write_failed
    }

    /// Whether the whole body has arrived.
    pub fn is_done(&self) -> bool {
        self.decoder.is_done()
    }
}

/// The AWS-worded message of an S3 chunked-decoding error.
fn chunked_message(code: AwsError, err: &ChunkedError) -> String {
    let aws = match (code.code, err) {
        ("SignatureDoesNotMatch", _) => "The request signature we calculated does not match the signature you provided. Check your key and signing method.".to_owned(),
        ("IncompleteBody", _) => "The request body terminated unexpectedly".to_owned(),
        ("InvalidChunkSizeError", ChunkedError::ChunkTooSmall { .. }) => "Only the last chunk is allowed to have a size less than 8192 bytes".to_owned(),
        ("BadDigest", ChunkedError::ChecksumMismatch { algorithm, .. }) => format!("The {} you specified did not match the calculated checksum.", algorithm.name()),
        ("InvalidRequest", ChunkedError::InvalidChecksumValue { name }) => format!("Value for {name} trailing header is invalid."),
        _ => String::new(),
    };
    if aws.is_empty() {
        format!("mock-aws: {err}")
    } else {
        format!("{aws} (mock-aws: {err})")
    }
}

impl MockAws {
    /// Whether `req` is an S3 request with an `aws-chunked` body, which
    /// [`begin_chunked`](Self::begin_chunked) reads in pieces.
    pub fn is_chunked(req: &Request) -> bool {
        !is_inspection(&req.target) && chunked_mode(req).is_some() && detect(req).service == "s3"
    }

    /// Verifies the seed signature of an `aws-chunked` request (`req` without its body) and
    /// returns the upload to feed, or the answer to give without reading the body.
    // The `Err` is the complete answer, made once per request: boxing it buys nothing.
    #[allow(clippy::result_large_err)]
    pub fn begin_chunked(
        &self,
        req: &Request,
    ) -> Result<ChunkedUpload, (Response, Option<Arc<Verdict>>)> {
        let auth = self.authenticate(req)?;
        self.chunked_upload(req, auth)
    }

    // The `Err` is the complete answer, made once per request: boxing it buys nothing.
    #[allow(clippy::result_large_err)]
    pub(crate) fn chunked_upload(
        &self,
        req: &Request,
        mut auth: Authenticated,
    ) -> Result<ChunkedUpload, (Response, Option<Arc<Verdict>>)> {
        let Some(mode) = chunked_mode(req) else {
            return Err(self.dispatch(req, auth));
        };
        // The operation a failure's verdict names, as `authenticate` leaves it to the caller
        // when the signature verified.
        auth.verdict.operation = crate::framing::operation_hint(req);
        let fail = |auth: Authenticated, code: &str, msg: String| {
            let Authenticated {
                target,
                rid,
                mut verdict,
                ..
            } = auth;
            let err = if code == "request-too-large" {
                aws_error(code, Protocol::S3, false)
            } else {
                chunked_error(code)
            };
            verdict.error_code = Some(err.code.to_owned());
            verdict.verifier_code = Some(code.to_owned());
            verdict.streaming = Some(format!("{mode}: rejected ({code})"));
            let resp = error_response(Protocol::S3, err, &msg, &rid, "");
            self.conclude(&target, rid, resp, verdict)
        };
        let declared = match req
            .header("x-amz-decoded-content-length")
            .map(|v| v.trim().parse::<u64>())
        {
            Some(Ok(n)) => n,
            _ => {
                return Err(fail(
                    auth,
                    "missing-decoded-content-length",
                    "You must provide the Content-Length HTTP header. (mock-aws: an aws-chunked upload needs a numeric x-amz-decoded-content-length)".to_owned(),
                ))
            }
        };
        if declared > MAX_PUT_SIZE {
            let msg = format!(
                "Your proposed upload exceeds the maximum allowed object size. (mock-aws: x-amz-decoded-content-length {declared} is over S3's 5 GiB)"
            );
            return Err(fail(auth, "request-too-large", msg));
        }
        let reservation = if self.storage.data_dir().is_none() {
            match self.storage.reserve(declared) {
                Some(r) => Some(r),
                None => {
                    let msg = self.storage.memory_message(declared);
                    return Err(fail(auth, "request-too-large", msg));
                }
            }
        } else {
            None
        };
        let trailer_checksum = req
            .header("x-amz-trailer")
            .and_then(|t| ChecksumAlgorithm::from_header_name(t.trim()));
        let sink = match self.storage.sink(Some(declared), trailer_checksum) {
            Ok(s) => s,
            Err(e) => {
                let msg = format!("mock-aws cannot store the body: {e}");
                return Err(fail(auth, "request-too-large", msg));
            }
        };
        let signer = mode
            .signs_chunks()
            .then(|| ChunkSigner::from_verified(&auth.verified, auth.secret(&self.config)));
        let limits = DecodeLimits {
            max_chunk_size: self.config.max_body.clamp(1, 16 * 1024 * 1024),
            ..DecodeLimits::default()
        };
        let built = ChunkedDecoder::new(mode, signer, limits).and_then(|d| {
            let d = d.with_decoded_length(declared);
            match req.header("x-amz-trailer") {
                Some(t) if mode.has_trailer() => d.with_declared_trailers(t),
                _ => Ok(d),
            }
        });
        match built {
            Ok(decoder) => Ok(ChunkedUpload {
                auth,
                mode,
                decoder,
                sink,
                buf: Vec::with_capacity(64 * 1024),
                reservation,
                write_failed: false,
            }),
            Err(e) => {
                let msg = chunked_message(chunked_error(e.code()), &e);
                Err(fail(auth, e.code(), msg))
            }
        }
    }

    /// S3's `InternalError` (500) for a body mock-aws could not store: the disk, not the
    /// client, failed.
    fn storage_failed(&self, auth: Authenticated, what: &str) -> (Response, Option<Arc<Verdict>>) {
        let Authenticated {
            target,
            rid,
            verdict,
            ..
        } = auth;
        let resp = error_response(
            Protocol::S3,
            AwsError {
                code: "InternalError",
                status: 500,
            },
            &format!("We encountered an internal error. Please try again. (mock-aws: {what})"),
            &rid,
            "",
        );
        self.conclude(&target, rid, resp, verdict)
    }

    /// Ends an upload once its body ended (or failed): stores the object when every chunk,
    /// the trailer and the checksum verified, else answers S3's error for the first failure.
    pub fn finish_chunked(
        &self,
        req: &Request,
        upload: ChunkedUpload,
    ) -> (Response, Option<Arc<Verdict>>) {
        let ChunkedUpload {
            mut auth,
            mode,
            decoder,
            sink,
            reservation,
            write_failed,
            ..
        } = upload;
        let finished = decoder.finish();
        if write_failed {
            return self.storage_failed(auth, "writing the body to --data-dir failed");
        }
        match finished {
            Ok(summary) => {
                let checks: Vec<String> = summary
                    .checksums
                    .iter()
                    .map(|(a, v)| format!("{} {v}", a.name()))
                    .collect();
                auth.verdict.streaming = Some(format!(
                    "{mode}: verified ({} chunks{}, {} bytes{})",
                    summary.chunks,
                    if mode.signs_chunks() { " signed" } else { "" },
                    summary.decoded_length,
                    if checks.is_empty() {
                        String::new()
                    } else {
                        format!(", checksum {}", checks.join(", "))
                    }
                ));
                let mut decoded = req.clone();
                decoded.body = Vec::new();
                let streamed = match sink.finish() {
                    Ok(mut s) => {
                        s.reservation = reservation;
                        s
                    }
                    Err(e) => return self.storage_failed(auth, &e.to_string()),
                };
                decoded
                    .headers
                    .retain(|(n, _)| !n.eq_ignore_ascii_case("content-encoding"));
                if let Some(rest) = req.header("content-encoding").map(|v| {
                    v.split(',')
                        .map(|s| s.trim())
                        .filter(|s| !s.eq_ignore_ascii_case("aws-chunked") && !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(",")
                }) {
                    if !rest.is_empty() {
                        decoded.headers.push(("content-encoding".to_owned(), rest));
                    }
                }
                self.dispatch_with(&decoded, auth, Some(streamed))
            }
            Err(e) => {
                let code = chunked_error(e.code());
                let Authenticated {
                    target,
                    rid,
                    mut verdict,
                    ..
                } = auth;
                verdict.error_code = Some(code.code.to_owned());
                verdict.verifier_code = Some(e.code().to_owned());
                verdict.streaming = Some(format!("{mode}: rejected ({})", e.code()));
                let extra = s3_chunked_details(&e);
                let resp =
                    error_response(Protocol::S3, code, &chunked_message(code, &e), &rid, &extra);
                self.conclude(&target, rid, resp, verdict)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, EXAMPLE_ACCESS_KEY, EXAMPLE_SECRET};
    use sigv4_signer::chunked::{
        encoded_length, streaming_headers, ChecksumAlgorithm, ChunkedEncoder,
    };
    use sigv4_signer::{
        sign, Credentials, Settings, SignableRequest, SignatureLocation, SigningParams,
    };

    fn signed(
        service: &MockAws,
        method: &str,
        target: &str,
        extra: &[(&str, String)],
        payload: PayloadChoice<'_>,
    ) -> Request {
        let creds = Credentials::new(EXAMPLE_ACCESS_KEY, EXAMPLE_SECRET);
        let settings = match payload {
            PayloadChoice::Streaming(m) => Settings::s3().with_payload(m.payload_mode()),
            PayloadChoice::Body(_) => Settings::s3(),
        };
        let params =
            SigningParams::new(&creds, "us-east-1", "s3", service.now()).with_settings(settings);
        let body = match payload {
            PayloadChoice::Body(b) => b,
            PayloadChoice::Streaming(_) => &[],
        };
        let mut req = SignableRequest::new(method, target)
            .header("Host", "127.0.0.1:4566")
            .body(body);
        for (n, v) in extra {
            req = req.header(n, v);
        }
        let out = sign(&req, &params, SignatureLocation::Headers).expect("sign");
        let s = out.apply(&req);
        Request {
            method: s.method,
            target: s.target,
            headers: s.headers,
            body: s.body,
        }
    }

    enum PayloadChoice<'a> {
        Body(&'a [u8]),
        Streaming(StreamingMode),
    }

    /// In-process use (`MockAws::handle` with the body in memory) decodes aws-chunked too.
    #[test]
    fn handle_decodes_a_buffered_chunked_body() {
        let service = MockAws::new(Config::default());
        let (r, _) = service.handle(&signed(
            &service,
            "PUT",
            "/bkt",
            &[],
            PayloadChoice::Body(b""),
        ));
        assert_eq!(r.status, 200);
        let body = b"hello chunked world".repeat(100);
        let c = ChecksumAlgorithm::Crc32;
        let mode = StreamingMode::UnsignedPayloadTrailer;
        let extra: Vec<(&str, String)> = streaming_headers(
            body.len() as u64,
            encoded_length(mode, body.len() as u64, 8192, Some(c)),
            Some(c),
        );
        let mut req = signed(
            &service,
            "PUT",
            "/bkt/k",
            &extra,
            PayloadChoice::Streaming(mode),
        );
        req.body = ChunkedEncoder::unsigned_payload_trailer(c).encode_all(&body, 8192);
        let (r, v) = service.handle(&req);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let v = v.expect("verdict");
        assert!(
            v.streaming
                .as_deref()
                .is_some_and(|s| s.contains("verified")),
            "{v:?}"
        );
        let (r, _) = service.handle(&signed(
            &service,
            "GET",
            "/bkt/k",
            &[],
            PayloadChoice::Body(b""),
        ));
        assert_eq!(r.body_bytes().unwrap(), body);
        // A wrong checksum: BadDigest, and the object is not replaced.
        let good = c.digest(&body);
        let mut bad = signed(
            &service,
            "PUT",
            "/bkt/k",
            &extra,
            PayloadChoice::Streaming(mode),
        );
        let mut wire =
            ChunkedEncoder::unsigned_payload_trailer(c).encode_all(&b"x".repeat(body.len()), 8192);
        let at = wire.windows(good.len()).position(|w| w == good.as_bytes());
        assert!(at.is_none());
        let text = String::from_utf8_lossy(&wire).into_owned();
        let (head, _) = text.rsplit_once("x-amz-checksum-crc32:").expect("trailer");
        wire = format!("{head}x-amz-checksum-crc32:{good}\r\n\r\n").into_bytes();
        bad.body = wire;
        let (r, v) = service.handle(&bad);
        assert_eq!(
            (r.status, v.and_then(|v| v.error_code.clone())),
            (400, Some("BadDigest".to_owned()))
        );
        let (r, _) = service.handle(&signed(
            &service,
            "GET",
            "/bkt/k",
            &[],
            PayloadChoice::Body(b""),
        ));
        assert_eq!(r.body_bytes().unwrap(), body);
    }
}
