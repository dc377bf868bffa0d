//! The `mock-aws` server: hyper 1.x on a multi-thread tokio runtime, serving
//! [`mock_aws::Service`].

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use mock_aws::{Config, Credential, Request, Response, Service, Verdict};
use sigv4_signer::SigningTime;
use tokio::net::TcpListener;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A fake AWS that re-verifies every SigV4 signature and says why one is wrong.
#[derive(Debug, Parser)]
#[command(name = "mock-aws", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port; the real one is printed).
    #[arg(long, default_value = "127.0.0.1:4566")]
    listen: SocketAddr,
    /// Accepted credential AKID:SECRET[:TOKEN]; repeatable. Default: AWS's example pair
    /// AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY.
    #[arg(long = "credentials", value_parser = Credential::parse)]
    credentials: Vec<Credential>,
    /// Region every endpoint serves.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Freeze the clock at this RFC 3339 time (to replay recorded requests).
    #[arg(long, value_parser = parse_clock)]
    clock: Option<SigningTime>,
    /// Allowed clock skew, seconds.
    #[arg(long, default_value_t = sigv4_signer::verify::DEFAULT_MAX_SKEW)]
    max_skew: u64,
    /// Largest request body accepted, bytes; bigger gets the protocol's "too large" error.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    max_body: usize,
    /// How many verdicts GET /_mock-aws/verdicts keeps.
    #[arg(long, default_value_t = 1000)]
    verdicts: usize,
    /// No log line per request (the verdicts endpoint still records every request).
    #[arg(long)]
    quiet: bool,
}

fn parse_clock(s: &str) -> Result<SigningTime, String> {
    SigningTime::parse(s).map_err(|e| e.to_string())
}

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

/// The per-request log: lines go through a bounded queue to one thread that writes them to
/// stderr. While requests keep coming, that thread wakes every 2 ms and writes what queued up
/// in one `write`, so a request costs no system call for its log line (the queue wakes nobody);
/// when a 2 ms round found nothing it blocks on the queue again. A request waits only when
/// 16k lines are queued (stderr not read).
type Log = std::sync::mpsc::SyncSender<String>;

fn start_log() -> Log {
    let (tx, rx) = std::sync::mpsc::sync_channel::<String>(16 * 1024);
    std::thread::spawn(move || {
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
        while let Ok(line) = rx.recv() {
            let _ = out.write_all(line.as_bytes());
            loop {
                std::thread::sleep(std::time::Duration::from_millis(2));
                let mut n = 0;
                while let Ok(line) = rx.try_recv() {
                    let _ = out.write_all(line.as_bytes());
                    n += 1;
                }
                let _ = out.flush();
                if n == 0 {
                    break;
                }
            }
        }
    });
    tx
}

fn log(log: &Log, v: &Verdict) {
    use std::fmt::Write as _;
    let mut line = String::with_capacity(128);
    let _ = write!(
        line,
        "{} {} {} -> {} {} service={} op={}",
        v.seq,
        v.method,
        v.path,
        v.status,
        v.outcome,
        v.service,
        v.operation.as_deref().unwrap_or("-"),
    );
    if let Some(c) = &v.error_code {
        let _ = write!(line, " error={c}");
    }
    if let Some(c) = &v.verifier_code {
        let _ = write!(line, " verifier={c}");
    }
    if let Some(d) = &v.diagnosis {
        let _ = write!(line, " diagnosis=\"{d}\"");
    }
    line.push('\n');
    let _ = log.send(line);
}

async fn serve(
    service: Arc<Service>,
    logger: Option<Log>,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let (parts, body) = req.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.to_string(), |pq| pq.as_str().to_owned());
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut request = Request {
        method: parts.method.as_str().to_owned(),
        target,
        headers,
        body: Vec::new(),
    };
    let max = service.config().max_body;
    let declared = request
        .header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok());
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
    if let (Some(v), Some(l)) = (&verdict, &logger) {
        log(l, v);
    }
    Ok(to_hyper(resp))
}

fn main() {
    let args = Args::parse();
    let config = Config {
        credentials: if args.credentials.is_empty() {
            vec![Credential::example()]
        } else {
            args.credentials
        },
        region: args.region,
        clock: args.clock,
        max_skew: args.max_skew,
        max_body: args.max_body,
        verdict_capacity: args.verdicts.max(1),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mock-aws: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let logger = (!args.quiet).then(start_log);
    let code = runtime.block_on(run(args.listen, Arc::new(Service::new(config)), logger));
    std::process::exit(code);
}

async fn run(listen: SocketAddr, service: Arc<Service>, logger: Option<Log>) -> i32 {
    let listener = match TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("mock-aws: cannot listen on {listen}: {e}");
            return 1;
        }
    };
    let addr = listener.local_addr().unwrap_or(listen);
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
    }
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
        let logger = logger.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| serve(Arc::clone(&service), logger.clone(), req));
            let conn = http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .max_buf_size(64 * 1024)
                .header_read_timeout(std::time::Duration::from_secs(30))
                .serve_connection(TokioIo::new(stream), svc);
            if let Err(e) = conn.await {
                if !e.is_incomplete_message() {
                    eprintln!("mock-aws: connection error: {e}");
                }
            }
        });
    }
}
