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
use tokio_rustls::TlsAcceptor;

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
    /// Serve HTTPS. Without --tls-cert/--tls-key, a self-signed certificate for localhost and
    /// 127.0.0.1 is made at start and written to a file whose path is printed
    /// (`tls certificate: PATH`), for clients to trust.
    #[arg(long)]
    tls: bool,
    /// PEM certificate chain for --tls (implies --tls).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// PEM private key for --tls.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
}

fn parse_clock(s: &str) -> Result<SigningTime, String> {
    SigningTime::parse(s).map_err(|e| e.to_string())
}

fn to_hyper(resp: Response) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder().status(resp.status);
    for (n, v) in &resp.headers {
        builder = builder.header(n.as_str(), v.as_str());
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

fn log(v: &Verdict) {
    let mut line = format!(
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
        line.push_str(&format!(" error={c}"));
    }
    if let Some(c) = &v.verifier_code {
        line.push_str(&format!(" verifier={c}"));
    }
    if let Some(d) = &v.diagnosis {
        line.push_str(&format!(" diagnosis=\"{d}\""));
    }
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// An `aws-chunked` S3 upload: the seed signature is verified before the body is read, then
/// the body is decoded frame by frame as hyper delivers it; a chunk that fails stops the
/// reading (and the connection is closed, its body unread).
async fn serve_chunked(service: &Service, request: &Request, mut body: Incoming) -> Response {
    let mut upload = match service.begin_chunked(request) {
        Ok(u) => u,
        Err((resp, verdict)) => {
            if let Some(v) = &verdict {
                log(v);
            }
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
    if let Some(v) = &verdict {
        log(v);
    }
    if failed {
        resp.with_header("Connection", "close")
    } else {
        resp
    }
}

async fn serve(
    service: Arc<Service>,
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
    if Service::is_chunked(&request) {
        return Ok(to_hyper(serve_chunked(&service, &request, body).await));
    }
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
    if let Some(v) = &verdict {
        log(v);
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
    let tls = if args.tls || args.tls_cert.is_some() {
        match tls::acceptor(args.tls_cert.as_deref(), args.tls_key.as_deref()) {
            Ok(a) => Some(a),
            Err(e) => {
                eprintln!("mock-aws: cannot set up TLS: {e:#}");
                std::process::exit(1);
            }
        }
    } else {
        None
    };
    let code = runtime.block_on(run(args.listen, Arc::new(Service::new(config)), tls));
    std::process::exit(code);
}

fn serve_connection<I>(io: I, service: Arc<Service>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let svc = service_fn(move |req| serve(Arc::clone(&service), req));
        let conn = http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .max_buf_size(64 * 1024)
            .header_read_timeout(std::time::Duration::from_secs(30))
            .serve_connection(io, svc);
        if let Err(e) = conn.await {
            if !e.is_incomplete_message() {
                eprintln!("mock-aws: connection error: {e}");
            }
        }
    });
}

async fn run(listen: SocketAddr, service: Arc<Service>, tls: Option<TlsAcceptor>) -> i32 {
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
        let scheme = if tls.is_some() { "https" } else { "http" };
        let _ = writeln!(out, "listening on {scheme}://{addr}");
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
        match &tls {
            None => serve_connection(TokioIo::new(stream), service),
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let handshake = tokio::time::timeout(
                        std::time::Duration::from_secs(30),
                        acceptor.accept(stream),
                    )
                    .await;
                    match handshake {
                        Ok(Ok(s)) => serve_connection(TokioIo::new(s), service),
                        Ok(Err(e)) => eprintln!("mock-aws: TLS handshake failed: {e}"),
                        Err(_) => eprintln!("mock-aws: TLS handshake timed out"),
                    }
                });
            }
        }
    }
}

mod tls {
    //! HTTPS: rustls with the `ring` provider; a self-signed certificate made at start unless
    //! one is given.

    use std::io::Write as _;
    use std::path::Path;
    use std::sync::Arc;

    use anyhow::Context as _;
    use rustls_pki_types::pem::PemObject as _;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    use tokio_rustls::rustls;
    use tokio_rustls::TlsAcceptor;

    /// The acceptor for `--tls`, printing `tls certificate: PATH` for a generated certificate.
    pub fn acceptor(cert: Option<&Path>, key: Option<&Path>) -> anyhow::Result<TlsAcceptor> {
        let (chain, key) = match (cert, key) {
            (Some(cert), Some(key)) => {
                let chain = CertificateDer::pem_file_iter(cert)
                    .with_context(|| format!("reading {}", cert.display()))?
                    .collect::<Result<Vec<_>, _>>()
                    .with_context(|| format!("parsing {}", cert.display()))?;
                let key = PrivateKeyDer::from_pem_file(key)
                    .with_context(|| format!("reading {}", key.display()))?;
                (chain, key)
            }
            _ => {
                let generated = rcgen::generate_simple_self_signed(vec![
                    "localhost".to_owned(),
                    "127.0.0.1".to_owned(),
                ])
                .context("generating a self-signed certificate")?;
                let path =
                    std::env::temp_dir().join(format!("mock-aws-{}-cert.pem", std::process::id()));
                std::fs::write(&path, generated.cert.pem())
                    .with_context(|| format!("writing {}", path.display()))?;
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "tls certificate: {}", path.display());
                let _ = out.flush();
                let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                    generated.signing_key.serialize_der(),
                ));
                (vec![generated.cert.der().clone()], key)
            }
        };
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("the certificate and key do not make a TLS server")?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}
