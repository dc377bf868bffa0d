//! Serving [`MockAws`] over HTTP/1.1 and HTTP/2 with hyper: used by the `mock-aws` binary and by
//! programs that run the fake AWS in-process (`sigv4 live`).

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;

use crate::message::{request_from_http, Request, Response};
use crate::request_log::log_verdict;
use crate::routing::detect;
use crate::services::s3;
use crate::storage::{Segment, FRAME, MAX_PUT_SIZE};
use crate::MockAws;
use tokio::sync::mpsc;

/// A response body: bytes in memory, or pieces of storage (GetObject) sent a frame of at most
/// [`FRAME`] bytes at a time, so that no object is read into memory whole. Memory slices are
/// sent as they are (shared, not copied); files are read by a blocking task a frame at a time
/// into a channel of four frames, which the connection drains as the client reads:
/// a slow client holds at most those frames and hyper's write buffer.
#[derive(Debug)]
pub enum ServerBody {
    /// Bytes in memory, sent as one frame (`None` once sent).
    Full(Option<Bytes>),
    /// Memory slices, sent a frame at a time.
    Slices(VecDeque<Bytes>),
    /// Frames read from files by a blocking task, and the bytes still to come.
    Files {
        /// The frames (or the read error).
        rx: mpsc::Receiver<std::io::Result<Bytes>>,
        /// Bytes not yet sent.
        remaining: u64,
    },
}

/// Frames read ahead of the client when a body comes from files.
const READ_AHEAD: usize = 4;

impl ServerBody {
    /// An empty body (HEAD).
    fn empty() -> Self {
        Self::Full(None)
    }

    /// A body of `segments`, in order; a file's are read on a blocking task (which stops when
    /// the client goes away and the body is dropped).
    fn stream(mut segments: Vec<Segment>) -> Self {
        // One slice of memory that fits a frame (a small object, as in the load run) is sent
        // as it is, as one frame: no queue to allocate.
        if let [Segment::Mem(b)] = segments.as_mut_slice() {
            if b.len() <= FRAME {
                return Self::Full(Some(std::mem::take(b)));
            }
        }
        if segments.iter().all(|s| matches!(s, Segment::Mem(_))) {
            return Self::Slices(
                segments
                    .into_iter()
                    .filter_map(|s| match s {
                        Segment::Mem(b) => Some(b),
                        Segment::File { .. } => None,
                    })
                    .collect(),
            );
        }
        let remaining = segments.iter().map(Segment::len).sum();
        let (tx, rx) = mpsc::channel(READ_AHEAD);
        tokio::task::spawn_blocking(move || {
            for seg in &segments {
                let mut open = true;
                let read = seg.read_frames(|frame| {
                    open = tx.blocking_send(Ok(frame)).is_ok();
                    open
                });
                if let Err(e) = read {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
                if !open {
                    return;
                }
            }
        });
        Self::Files { rx, remaining }
    }

    fn len(&self) -> u64 {
        match self {
            Self::Full(b) => b.as_ref().map_or(0, |b| b.len() as u64),
            Self::Slices(q) => q.iter().map(|b| b.len() as u64).sum(),
            Self::Files { remaining, .. } => *remaining,
        }
    }
}

impl hyper::body::Body for ServerBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            Self::Full(b) => Poll::Ready(
                b.take()
                    .filter(|b| !b.is_empty())
                    .map(|b| Ok(Frame::data(b))),
            ),
            Self::Slices(q) => loop {
                let Some(front) = q.front_mut() else {
                    return Poll::Ready(None);
                };
                if front.is_empty() {
                    q.pop_front();
                    continue;
                }
                let n = front.len().min(FRAME);
                return Poll::Ready(Some(Ok(Frame::data(front.split_to(n)))));
            },
            Self::Files { rx, remaining } => match rx.poll_recv(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    *remaining = remaining.saturating_sub(frame.len() as u64);
                    Poll::Ready(Some(Ok(Frame::data(frame))))
                }
                Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
                Poll::Ready(None) if *remaining > 0 => Poll::Ready(Some(Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("mock-aws: the object's file ended {remaining} bytes early"),
                )))),
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.len() == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len())
    }
}

/// The header names mock-aws's answers carry on every request (as the services write them),
/// as hyper's names without parsing: `HeaderName::from_bytes` lowercases and checks each name,
/// about 200 instructions a header under callgrind. Any other name is parsed.
fn known_header_name(name: &str) -> Option<hyper::header::HeaderName> {
    use hyper::header::{self, HeaderName};
    const X_AMZN_REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");
    const X_AMZ_REQUEST_ID: HeaderName = HeaderName::from_static("x-amz-request-id");
    const X_AMZ_SSE: HeaderName = HeaderName::from_static("x-amz-server-side-encryption");
    Some(match name {
        "Content-Type" => header::CONTENT_TYPE,
        "Content-Length" => header::CONTENT_LENGTH,
        "x-amzn-RequestId" => X_AMZN_REQUEST_ID,
        "x-amz-request-id" => X_AMZ_REQUEST_ID,
        "ETag" => header::ETAG,
        "Last-Modified" => header::LAST_MODIFIED,
        "Accept-Ranges" => header::ACCEPT_RANGES,
        "x-amz-server-side-encryption" => X_AMZ_SSE,
        "Connection" => header::CONNECTION,
        _ => return None,
    })
}

fn to_hyper(resp: Response) -> hyper::Response<ServerBody> {
    // Built in place (no `http::response::Builder`, which moves the whole response through
    // every header it adds); a status, name or value that is not valid HTTP fails the whole
    // response, as the builder did.
    let fail = || {
        let mut r = hyper::Response::new(ServerBody::Full(Some(Bytes::from_static(
            b"mock-aws could not build the response",
        ))));
        *r.status_mut() = hyper::StatusCode::BAD_REQUEST;
        r
    };
    let Ok(status) = hyper::StatusCode::from_u16(resp.status) else {
        return fail();
    };
    let mut headers = hyper::HeaderMap::with_capacity(resp.headers.len());
    for (n, v) in resp.headers {
        let name = match known_header_name(&n) {
            Some(name) => name,
            None => match hyper::header::HeaderName::from_bytes(n.as_bytes()) {
                Ok(name) => name,
                Err(_) => return fail(),
            },
        };
        // The value's bytes move into the header, not copied.
        let Ok(value) = hyper::header::HeaderValue::from_maybe_shared(Bytes::from(v)) else {
            return fail();
        };
        headers.append(name, value);
    }
    let body = match resp.stream {
        Some(segments) => ServerBody::stream(segments),
        None => ServerBody::Full(Some(Bytes::from(resp.body))),
    };
    let mut r = hyper::Response::new(body);
    *r.status_mut() = status;
    *r.headers_mut() = headers;
    r
}

/// An `aws-chunked` S3 upload: the seed signature is verified before the body is read, then
/// the body is decoded frame by frame as hyper delivers it; a chunk that fails stops the
/// reading (and the connection is closed, its body unread).
async fn serve_chunked(
    service: &MockAws,
    log: bool,
    request: &Request,
    mut body: Incoming,
) -> Response {
    let mut upload = match service.begin_chunked(request) {
        Ok(u) => u,
        Err((resp, verdict)) => {
            log_verdict(log, verdict.as_deref());
            return resp.with_header("Connection", "close");
        }
    };
    let mut failed = false;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    if !upload.push(&data) {
                        failed = true;
                        break;
                    }
                }
            }
            // The client went away or broke the HTTP framing: the decoder reports the body
            // as truncated.
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    let (resp, verdict) = service.finish_chunked(request, upload);
    log_verdict(log, verdict.as_deref());
    if failed {
        resp.with_header("Connection", "close")
    } else {
        resp
    }
}

/// A PutObject or UploadPart body streamed to storage (a file with `--data-dir`, else memory
/// counted against `--max-memory`) and hashed on the way, then verified with that hash: at
/// most S3's 5 GiB, refused before it is read when the declared length is over a limit.
async fn serve_upload(
    service: &MockAws,
    log: bool,
    request: &Request,
    declared: Option<u64>,
    mut body: Incoming,
) -> Response {
    let storage = Arc::clone(service.storage());
    let refuse = |msg: String| {
        let (r, v) = service.refuse_body(request, &msg);
        log_verdict(log, Some(&*v));
        r.with_header("Connection", "close")
    };
    let too_large = |n: u64| {
        format!("Your proposed upload exceeds the maximum allowed object size. (mock-aws: {n} bytes is over S3's 5 GiB for one PutObject or UploadPart)")
    };
    if let Some(n) = declared.filter(|n| *n > MAX_PUT_SIZE) {
        return refuse(too_large(n));
    }
    let mut reservation = if storage.data_dir().is_none() {
        match storage.reserve(declared.unwrap_or(0)) {
            Some(r) => Some(r),
            None => return refuse(storage.memory_message(declared.unwrap_or(0))),
        }
    } else {
        None
    };
    let mut sink = match storage.sink(declared, s3::header_checksum(request)) {
        Ok(s) => s,
        Err(e) => {
            return Response::new(
                500,
                "text/plain",
                format!("mock-aws cannot store the body in --data-dir: {e}"),
            )
        }
    };
    while let Some(frame) = body.frame().await {
        let data = match frame {
            Ok(f) => match f.into_data() {
                Ok(d) => d,
                Err(_) => continue,
            },
            Err(e) => {
                return Response::new(
                    400,
                    "text/plain",
                    format!("mock-aws could not read the request body: {e}"),
                )
                .with_header("Connection", "close")
            }
        };
        let after = sink.len() + data.len() as u64;
        if after > MAX_PUT_SIZE {
            return refuse(too_large(after));
        }
        if let Some(r) = &mut reservation {
            if after > r.bytes() && !r.grow(after - r.bytes()) {
                return refuse(storage.memory_message(after));
            }
        }
        if let Err(e) = sink.write(&data) {
            return Response::new(
                500,
                "text/plain",
                format!("mock-aws cannot store the body in --data-dir: {e}"),
            );
        }
    }
    let mut streamed = match sink.finish() {
        Ok(s) => s,
        Err(e) => {
            return Response::new(
                500,
                "text/plain",
                format!("mock-aws cannot store the body in --data-dir: {e}"),
            )
        }
    };
    streamed.reservation = reservation;
    let (resp, verdict) = service.handle_streamed(request, streamed);
    log_verdict(log, verdict.as_deref());
    resp
}

tokio::task_local! {
    /// The HTTP version of the request this task serves, for its verdict.
    static HTTP_VERSION: &'static str;
}

/// The HTTP version of the request being served on this task (`HTTP/1.1`, `HTTP/2`), or
/// `None` outside [`serve`] (a [`MockAws`] called in-process).
pub fn http_version() -> Option<&'static str> {
    HTTP_VERSION.try_with(|v| *v).ok()
}

fn version_label(v: hyper::Version) -> &'static str {
    match v {
        hyper::Version::HTTP_09 => "HTTP/0.9",
        hyper::Version::HTTP_10 => "HTTP/1.0",
        hyper::Version::HTTP_11 => "HTTP/1.1",
        hyper::Version::HTTP_2 => "HTTP/2",
        hyper::Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/?",
    }
}

async fn serve_one(
    service: Arc<MockAws>,
    log: bool,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<ServerBody>, std::convert::Infallible> {
    HTTP_VERSION
        .scope(
            version_label(req.version()),
            serve_request(service, log, req),
        )
        .await
}

async fn serve_request(
    service: Arc<MockAws>,
    log: bool,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<ServerBody>, std::convert::Infallible> {
    let (parts, body) = req.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.to_string(), |pq| pq.as_str().to_owned());
    let mut request = request_from_http(&parts.method, target, &parts.headers, Vec::new());
    // HTTP/2 has no Host header: `:authority` stands for it (RFC 9113 section 8.3.1), and is
    // what an HTTP/2 client signs as `host`; the verifier then sees the request as over
    // HTTP/1.1.
    // A client may also sign it under its own name, `:authority` (the JS SDK v3's HTTP/2
    // handler does, with no host), as AWS accepts: it is kept as a header of that name too.
    if request.header("host").is_none() {
        if let Some(authority) = parts.uri.authority() {
            let authority = authority.as_str().to_owned();
            if parts.version == hyper::Version::HTTP_2 {
                request
                    .headers
                    .insert(0, (":authority".to_owned(), authority.clone()));
            }
            request.headers.insert(0, ("host".to_owned(), authority));
        }
    }
    // The rare streamed paths are boxed: the future of every request (which hyper keeps per
    // connection and moves on each request) stays the size of the common path's.
    if MockAws::is_chunked(&request) {
        return Ok(to_hyper(
            Box::pin(serve_chunked(&service, log, &request, body)).await,
        ));
    }
    let max = service.config().max_body;
    let declared = request
        .header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    if !MockAws::is_internal(&request.target)
        // PutObject and UploadPart are PUTs: other requests skip the S3 parse and the routing.
        && request.method == "PUT"
        && s3::is_upload(&request)
        && detect(&request).service == "s3"
    {
        return Ok(to_hyper(
            Box::pin(serve_upload(&service, log, &request, declared, body)).await,
        ));
    }
    // Other bodies are read into memory: counted against --max-memory while they are.
    let _reservation = match service
        .storage()
        .reserve(declared.unwrap_or(0).min(max as u64))
    {
        Some(r) => r,
        None => {
            let msg = service.storage().memory_message(declared.unwrap_or(0));
            let (r, v) = service.refuse_body(&request, &msg);
            log_verdict(log, Some(&*v));
            return Ok(to_hyper(r.with_header("Connection", "close")));
        }
    };
    let too_large = if declared.is_some_and(|n| n > max as u64) {
        true
    } else if hyper::body::Body::is_end_stream(&body) {
        // No body (a GET): nothing to collect.
        false
    } else {
        match Limited::new(body, max).collect().await {
            Ok(c) => {
                request.body = c.to_bytes().to_vec();
                false
            }
            Err(e) => {
                if e.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    true
                } else {
                    // The client went away or sent a broken body; answer anyway.
                    let r = Response::new(
                        400,
                        "text/plain",
                        format!("mock-aws could not read the request body: {e}"),
                    );
                    return Ok(to_hyper(r));
                }
            }
        }
    };
    let (resp, verdict) = if too_large {
        let (r, v) = service.too_large(&request);
        (r.with_header("Connection", "close"), Some(v))
    } else {
        service.handle(&request)
    };
    log_verdict(log, verdict.as_deref());
    Ok(to_hyper(resp))
}

/// Accepts connections on `listener` forever, serving `service`; with `log`, one line per
/// verdict on stderr.
pub async fn serve(listener: TcpListener, service: Arc<MockAws>, log: bool) {
    serve_tls(listener, service, log, None).await;
}

fn serve_connection<I>(io: I, service: Arc<MockAws>, log: bool)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let svc = service_fn(move |req: hyper::Request<Incoming>| {
            let head = req.method() == hyper::Method::HEAD;
            let answer = serve_one(Arc::clone(&service), log, req);
            async move {
                let mut resp = answer.await?;
                // A HEAD answer has no body (an error's XML included): HTTP/1.1 drops it, but
                // over HTTP/2 it would be DATA on a HEAD stream, a protocol error for the client.
                if head {
                    *resp.body_mut() = ServerBody::empty();
                }
                Ok::<_, std::convert::Infallible>(resp)
            }
        });
        // HTTP/1.1, or HTTP/2 when the connection opens with its preface (h2c with prior
        // knowledge, or ALPN h2 over TLS). An HTTP/1.1 `Upgrade: h2c` is answered over
        // HTTP/1.1, as a server may (RFC 9113 section 3.1 deprecates that upgrade).
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(hyper_util::rt::TokioTimer::new())
            .max_buf_size(64 * 1024)
            .header_read_timeout(std::time::Duration::from_secs(30));
        builder
            .http2()
            .timer(hyper_util::rt::TokioTimer::new())
            .max_concurrent_streams(256);
        if let Err(e) = builder.serve_connection(io, svc).await {
            let incomplete = e
                .downcast_ref::<hyper::Error>()
                .is_some_and(hyper::Error::is_incomplete_message);
            if !incomplete {
                eprintln!("mock-aws: connection error: {e}");
            }
        }
    });
}

/// As [`serve`], over TLS when `tls` is given (the handshake bounded to 30 s).
pub async fn serve_tls(
    listener: TcpListener,
    service: Arc<MockAws>,
    log: bool,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("mock-aws: accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = Arc::clone(&service);
        match &tls {
            None => serve_connection(TokioIo::new(stream), service, log),
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let handshake = tokio::time::timeout(
                        std::time::Duration::from_secs(30),
                        acceptor.accept(stream),
                    )
                    .await;
                    match handshake {
                        Ok(Ok(s)) => serve_connection(TokioIo::new(s), service, log),
                        Ok(Err(e)) => eprintln!("mock-aws: TLS handshake failed: {e}"),
                        Err(_) => eprintln!("mock-aws: TLS handshake timed out"),
                    }
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each name [`known_header_name`] answers is the one `HeaderName::from_bytes` parses.
    #[test]
    fn known_header_names_as_parsed() {
        for name in [
            "Content-Type",
            "Content-Length",
            "x-amzn-RequestId",
            "x-amz-request-id",
            "ETag",
            "Last-Modified",
            "Accept-Ranges",
            "x-amz-server-side-encryption",
            "Connection",
        ] {
            assert_eq!(
                known_header_name(name),
                Some(hyper::header::HeaderName::from_bytes(name.as_bytes()).unwrap()),
                "{name}"
            );
        }
        assert_eq!(known_header_name("content-type"), None);
        assert_eq!(known_header_name("x-amz-meta-a"), None);
    }
}
