//! The `mock-aws` server: hyper 1.x on a multi-thread tokio runtime, serving
//! [`mock_aws::MockAws`].

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

use clap::Parser;
use mock_aws::{Config, Credential, MockAws};
use sigv4_signer::SigningTime;
use tokio::net::TcpListener;

// glibc malloc was about a quarter of the server's CPU under load (benches/LOAD.md).
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
    /// Largest request body accepted, bytes, but for S3 uploads (PutObject, UploadPart), which
    /// may have S3's 5 GiB; bigger gets the protocol's "too large" error.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    max_body: usize,
    /// Bytes of bodies kept in memory at most: S3 objects and parts stored in memory (without
    /// --data-dir) and bodies being received. A body that would pass it is refused before it
    /// is read (S3: EntityTooLarge, naming the limit).
    #[arg(long, default_value_t = mock_aws::storage::DEFAULT_MAX_MEMORY)]
    max_memory: u64,
    /// Keep S3 upload bodies and objects as files in this directory (created if missing),
    /// streamed to disk as they arrive; memory then holds a frame per body in flight.
    #[arg(long)]
    data_dir: Option<std::path::PathBuf>,
    /// How many verdicts GET /_mock-aws/verdicts keeps.
    #[arg(long, default_value_t = 1000)]
    verdicts: usize,
    /// Whether clients must sign X-Amz-Security-Token (`signed`, as STS, DynamoDB and S3
    /// require) or add it after signing (`after-signing`, as AWS IoT expects).
    #[arg(long, value_enum, default_value_t = TokenMode::Signed)]
    session_token: TokenMode,
    /// No log line per request (the verdicts endpoint still records every request).
    #[arg(long)]
    quiet: bool,
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

/// `--session-token`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum TokenMode {
    Signed,
    AfterSigning,
}

fn parse_clock(s: &str) -> Result<SigningTime, String> {
    SigningTime::parse(s).map_err(|e| e.to_string())
}

fn main() {
    let args = Args::parse();
    if let Some(dir) = &args.data_dir {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("mock-aws: cannot create --data-dir {}: {e}", dir.display());
            std::process::exit(1);
        }
    }
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
        max_memory: args.max_memory,
        data_dir: args.data_dir.clone(),
        verdict_capacity: args.verdicts.max(1),
        session_token: match args.session_token {
            TokenMode::Signed => sigv4_signer::SessionTokenMode::Include,
            TokenMode::AfterSigning => sigv4_signer::SessionTokenMode::AddAfterSigning,
        },
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
    let log = !args.quiet;
    let tls = if args.tls || args.tls_cert.is_some() {
        match mock_aws::tls::acceptor(args.tls_cert.as_deref(), args.tls_key.as_deref()) {
            Ok(a) => Some(a),
            Err(e) => {
                eprintln!("mock-aws: cannot set up TLS: {e:#}");
                std::process::exit(1);
            }
        }
    } else {
        None
    };
    let code = runtime.block_on(run(args.listen, Arc::new(MockAws::new(config)), log, tls));
    std::process::exit(code);
}

async fn run(
    listen: SocketAddr,
    service: Arc<MockAws>,
    log: bool,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> i32 {
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
    mock_aws::server::serve_tls(listener, service, log, tls).await;
    0
}
