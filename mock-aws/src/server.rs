//! Serving [`MockAws`] over HTTP/1.1 and HTTP/2 with hyper: used by the `mock-aws` binary and by
//! programs that run the fake AWS in-process (`sigv4 live`).

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;

use crate::message::{request_from_http, Request, Response};
use crate::request_log::log_verdict;
use crate::routing::detect;
use crate::services::s3;
use crate::storage::MAX_PUT_SIZE;
use crate::MockAws;

fn to_hyper(resp: Response) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder().status(resp.status);
    for (n, v) in resp.headers {
        // The value's bytes move into the header, not copied; an invalid one fails the
        // builder, as a copied one would.
        builder = match hyper::header::HeaderValue::from_maybe_shared(Bytes::from(v)) {
            Ok(v) => builder.header(n.as_str(), v),
            Err(_) => builder.header(n.as_str(), "\n"),
        };
    }
    builder
        .body(Full::new(Bytes::from(resp.body)))
        .unwrap_or_else(|_| {
            let mut r = hyper::Response::new(Full::new(Bytes::from_static(
                b"mock-aws could not build the response",
            )));
            *r.status_mut() = hyper::StatusCode::BAD_REQUEST;
            r
        })
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
            log_verdict(log, verdict.as_ref());
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
    log_verdict(log, verdict.as_ref());
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
        log_verdict(log, Some(&v));
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
    log_verdict(log, verdict.as_ref());
    resp
}

async fn serve_one(
    service: Arc<MockAws>,
    log: bool,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let (parts, body) = req.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.to_string(), |pq| pq.as_str().to_owned());
    let mut request = request_from_http(&parts.method, target, &parts.headers, Vec::new());
    // HTTP/2 has no Host header: `:authority` stands for it (RFC 9113 section 8.3.1), and is
    // what an HTTP/2 client signs as `host`; the verifier then sees the request as over
    // HTTP/1.1.
    if request.header("host").is_none() {
        if let Some(authority) = parts.uri.authority() {
            request
                .headers
                .insert(0, ("host".to_owned(), authority.as_str().to_owned()));
        }
    }
    if MockAws::is_chunked(&request) {
        return Ok(to_hyper(serve_chunked(&service, log, &request, body).await));
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
            serve_upload(&service, log, &request, declared, body).await,
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
            log_verdict(log, Some(&v));
            return Ok(to_hyper(r.with_header("Connection", "close")));
        }
    };
    let too_large = if declared.is_some_and(|n| n > max as u64) {
        true
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
    log_verdict(log, verdict.as_ref());
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
                    *resp.body_mut() = Full::new(Bytes::new());
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
