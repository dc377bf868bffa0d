//! The baseline: a bare hyper HTTP/1.1 server on `127.0.0.1` that answers the pool's requests
//! as mock-aws does (the same status, body and about the same headers) without verifying,
//! parsing or storing anything. It runs as a child process like mock-aws (this binary started
//! again with `--serve-baseline`), so the two servers are measured the same way: the same
//! client, connections and pool, their CPU time read from `/proc`.
//!
//! Verified requests/s are then reported as a ratio to the baseline's requests/s (issue 17's
//! target: at least 0.6×): what verifying, routing and answering for real costs on top of
//! HTTP itself on this machine.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;

use crate::cli::Args;
use crate::pool::{object_body, BUCKET, DDB_JSON};

/// The precomputed answers.
struct Answers {
    /// `/BUCKET/obj-`: an object's path, before its index.
    prefix: String,
    /// The bytes of each S3 object, by index.
    objects: Vec<Bytes>,
}

/// A header every answer of mock-aws carries (its request id), of the same length.
const REQUEST_ID: &str = "MOCKAWS0000000000001";

impl Answers {
    fn answer(&self, req: &Request<Incoming>) -> Response<Full<Bytes>> {
        let object = req
            .uri()
            .path()
            .strip_prefix(self.prefix.as_str())
            .and_then(|j| j.parse::<usize>().ok())
            .and_then(|j| self.objects.get(j));
        let builder = Response::builder().status(200);
        let resp = match object {
            // S3 GetObject: the object, with S3's usual headers.
            Some(body) => builder
                .header("Content-Type", "application/octet-stream")
                .header("ETag", "\"0123456789abcdef0123456789abcdef\"")
                .header("Last-Modified", "Thu, 03 Dec 2026 11:00:00 GMT")
                .header("Accept-Ranges", "bytes")
                .header("x-amz-request-id", REQUEST_ID)
                .header("x-amz-id-2", REQUEST_ID)
                .body(Full::new(body.clone())),
            // DynamoDB PutItem: `{}`.
            None => builder
                .header("Content-Type", DDB_JSON)
                .header("x-amzn-RequestId", REQUEST_ID)
                .header("x-amz-crc32", "2745614147")
                .body(Full::new(Bytes::from_static(b"{}"))),
        };
        resp.unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
    }
}

/// Serves the baseline on `--listen` until killed; prints `listening on http://ADDR` first,
/// as mock-aws does.
pub(crate) fn serve(args: &Args) -> Result<()> {
    let answers = Arc::new(Answers {
        prefix: format!("/{BUCKET}/obj-"),
        objects: (0..args.objects.max(1))
            .map(|j| object_body(j, args.object_size))
            .collect(),
    });
    let listen: SocketAddr = args.listen.parse().context("--listen")?;
    // A multi-thread runtime with one worker per core, as mock-aws's.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(listen).await?;
        println!("listening on http://{}", listener.local_addr()?);
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(s) => s,
                Err(_) => continue,
            };
            let _ = stream.set_nodelay(true);
            let answers = Arc::clone(&answers);
            let bare = args.bare_baseline;
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    let answers = Arc::clone(&answers);
                    async move {
                        let resp = answers.answer(&req);
                        // Read the whole body, as mock-aws does before it answers.
                        let _ = req.into_body().collect().await;
                        Ok::<_, Infallible>(resp)
                    }
                });
                let io = TokioIo::new(stream);
                if bare {
                    let _ = http1::Builder::new().serve_connection(io, svc).await;
                    return;
                }
                // mock-aws's transport (`mock_aws::server`): HTTP/1.1 or HTTP/2 by the
                // connection's first bytes, a header-read timeout, a 64 KiB read buffer.
                let mut builder = auto::Builder::new(TokioExecutor::new());
                builder
                    .http1()
                    .timer(TokioTimer::new())
                    .max_buf_size(64 * 1024)
                    .header_read_timeout(Duration::from_secs(30));
                builder
                    .http2()
                    .timer(TokioTimer::new())
                    .max_concurrent_streams(256);
                let _ = builder.serve_connection(io, svc).await;
            });
        }
    })
}
