//! `mock-aws-load`: mock-aws under load.
//!
//! Starts the `mock-aws` binary as a child process on `127.0.0.1:0`, creates a DynamoDB table,
//! an S3 bucket and its objects, pre-signs a pool of distinct DynamoDB `PutItem` and S3
//! `GetObject` requests with this project's signer, then:
//!
//! 1. the timed phase: `--connections` keep-alive HTTP/1.1 connections (tokio + hyper) replay the
//!    pool round-robin for `--duration`; requests per second and latency percentiles;
//! 2. the RSS phase: `--rss-requests` more requests as fast as they go, the server's `VmRSS`
//!    (`/proc/PID/status`) read before, at every `--rss-step` and after.
//!
//! Every response must be a 200 with the expected body (`{}` for `PutItem`, the object's bytes
//! for `GetObject`), and the server's own counters (`GET /_mock-aws/verdicts`) must have
//! accepted exactly as many requests as were answered and rejected none: mock-aws re-verifies
//! every signature in full (it keeps no cache of verdicts nor of signing keys), so replaying
//! pre-signed requests costs the server what fresh ones would and keeps the client's CPU, on
//! the same machine, out of the way. Prints a Markdown block; exits 1 on any error, 2 on the
//! hard `--timeout`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context, Result};
use bytes::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Uri};
use hyper_util::rt::TokioIo;
use sigv4_signer::{
    sign, Credentials, SignableRequest, SignatureLocation, SignedRequest, SigningParams,
    SigningTime,
};

const AK: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const REGION: &str = "us-east-1";
const TABLE: &str = "load-table";
const BUCKET: &str = "load-bucket";
const DDB_JSON: &str = "application/x-amz-json-1.0";

/// Load generator for mock-aws: signed DynamoDB PutItem and S3 GetObject over keep-alive
/// connections, then the server's RSS over many requests.
#[derive(Debug, Parser)]
#[command(name = "mock-aws-load")]
struct Args {
    /// The mock-aws binary (default: `mock-aws` beside this binary, i.e. the same cargo profile).
    #[arg(long)]
    server: Option<PathBuf>,
    /// An argument for mock-aws (repeatable), e.g. `--server-arg=--quiet`.
    #[arg(long = "server-arg", allow_hyphen_values = true)]
    server_args: Vec<String>,
    /// Length of the timed phase (`30s`, `500ms`, `2m`, or seconds).
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    duration: Duration,
    /// Keep-alive connections.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// DynamoDB PutItem : S3 GetObject ratio.
    #[arg(long, default_value = "1:1", value_parser = parse_mix)]
    mix: (u32, u32),
    /// Distinct pre-signed requests replayed round-robin.
    #[arg(long, default_value_t = 10_000)]
    pool: usize,
    /// S3 objects created (GetObject spreads over them).
    #[arg(long, default_value_t = 64)]
    objects: usize,
    /// Size of each S3 object, bytes.
    #[arg(long, default_value_t = 1024)]
    object_size: usize,
    /// Requests of the RSS phase (0 skips it).
    #[arg(long, default_value_t = 1_000_000)]
    rss_requests: u64,
    /// RSS is read after every this many requests of the RSS phase.
    #[arg(long, default_value_t = 250_000)]
    rss_step: u64,
    /// Fail when the server's RSS grows by more than this many MiB over the RSS phase.
    #[arg(long, default_value_t = 64)]
    max_rss_growth_mib: u64,
    /// HTTP client of the load connections.
    #[arg(long, value_enum, default_value_t = ClientKind::Raw)]
    client: ClientKind,
    /// Worker threads of the client's runtime (the server has its own).
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// Hard limit on the whole run; past it the server is killed and the exit code is 2.
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    timeout: Duration,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("{s:?} is not a duration like 30s, 500ms, 2m");
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: f64 = num.parse().map_err(|_| bad())?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(bad()),
    };
    if !secs.is_finite() || secs <= 0.0 {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(secs))
}

fn parse_mix(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("{s:?} is not DYNAMODB:S3 weights like 1:1");
    let (a, b) = s.split_once(':').ok_or_else(bad)?;
    let (a, b): (u32, u32) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
    if a + b == 0 || a > 1000 || b > 1000 {
        return Err(bad());
    }
    Ok((a, b))
}

/// The running server; killed on drop.
struct Server {
    child: Child,
    addr: SocketAddr,
    log_lines: Arc<AtomicU64>,
}

impl Server {
    fn start(path: &PathBuf, extra: &[String]) -> Result<Self> {
        let mut child = Command::new(path)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", path.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let stderr = child.stderr.take().context("no stderr")?;
        // Drain the per-request log like a log collector would, counting its lines; a short
        // read means the pipe is empty, so wait 5 ms before the next (one wake-up per batch,
        // not per line: the pipe holds 64 KiB, the server queues more).
        let log_lines = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&log_lines);
        std::thread::spawn(move || {
            let mut r = stderr;
            let mut buf = vec![0u8; 1 << 16];
            while let Ok(n) = r.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let lines = buf[..n].iter().filter(|&&b| b == b'\n').count();
                counter.fetch_add(lines as u64, Ordering::Relaxed);
                if n < buf.len() {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        });
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        let mut server = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log_lines,
        };
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .map_err(|_| anyhow!("mock-aws printed no `listening on` line within 20 s"))?;
        server.addr = line
            .strip_prefix("listening on http://")
            .ok_or_else(|| anyhow!("unexpected first line from mock-aws: {line:?}"))?
            .parse()
            .context("mock-aws's address")?;
        Ok(server)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `VmRSS` and `VmHWM` of a process, KiB.
fn rss_kib(pid: u32) -> Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let field = |name: &str| -> Result<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| anyhow!("no {name} in /proc/{pid}/status"))
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

/// User + system CPU time of a process (all its threads), seconds. `/proc/PID/stat` counts in
/// USER_HZ, which Linux fixes at 100 for this interface.
fn cpu_seconds(pid: &str) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or_else(|| anyhow!("bad /proc/{pid}/stat"))?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // After ')': state is field 3, so utime (14) and stime (15) are at 11 and 12.
    let ticks = |i: usize| -> Result<f64> {
        f.get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or_else(|| anyhow!("bad /proc/{pid}/stat"))
    };
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}

fn now() -> SigningTime {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    SigningTime::from_unix_seconds(i64::try_from(secs).unwrap_or(i64::MAX))
}

fn sign_request(
    host: &str,
    service: &str,
    time: SigningTime,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<SignedRequest> {
    let creds = Credentials::new(AK, SECRET);
    let settings = if service == "s3" {
        sigv4_signer::Settings::s3()
    } else {
        sigv4_signer::Settings::default()
    };
    let params = SigningParams::new(&creds, REGION, service, time).with_settings(settings);
    let mut req = SignableRequest::new(method, target)
        .header("Host", host)
        .body(body);
    for (n, v) in headers {
        req = req.header(n, v);
    }
    let out = sign(&req, &params, SignatureLocation::Headers).map_err(|e| anyhow!("sign: {e}"))?;
    Ok(out.apply(&req))
}

/// One pre-signed request and the body its answer must have.
struct Entry {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    /// The whole request as it goes on the wire (for `--client raw`).
    wire: Bytes,
    expect: Bytes,
}

impl Entry {
    fn new(signed: &SignedRequest, expect: Bytes) -> Result<Self> {
        let mut headers = HeaderMap::new();
        for (n, v) in &signed.headers {
            headers.append(
                HeaderName::from_bytes(n.as_bytes())?,
                HeaderValue::from_str(v)?,
            );
        }
        let mut wire = format!("{} {} HTTP/1.1\r\n", signed.method, signed.target);
        for (n, v) in &signed.headers {
            wire.push_str(&format!("{n}: {v}\r\n"));
        }
        wire.push_str(&format!("Content-Length: {}\r\n\r\n", signed.body.len()));
        let mut wire = wire.into_bytes();
        wire.extend_from_slice(&signed.body);
        Ok(Self {
            method: Method::from_bytes(signed.method.as_bytes())?,
            uri: signed.target.parse()?,
            headers,
            body: Bytes::from(signed.body.clone()),
            wire: Bytes::from(wire),
            expect,
        })
    }

    fn request(&self) -> hyper::Request<Full<Bytes>> {
        let mut req = hyper::Request::new(Full::new(self.body.clone()));
        *req.method_mut() = self.method.clone();
        *req.uri_mut() = self.uri.clone();
        *req.headers_mut() = self.headers.clone();
        req
    }
}

fn object_body(j: usize, size: usize) -> Bytes {
    let seed = format!("object {j} of mock-aws-load\n");
    Bytes::from(seed.bytes().cycle().take(size).collect::<Vec<u8>>())
}

/// Pre-signs the pool, interleaved by the mix (1:1 gives PutItem, GetObject, PutItem, ...).
fn build_pool(args: &Args, host: &str) -> Result<Vec<Entry>> {
    let (wd, ws) = args.mix;
    let cycle = (wd + ws) as usize;
    let t0 = now();
    let mut pool = Vec::with_capacity(args.pool);
    let (mut nd, mut ns) = (0usize, 0usize);
    for i in 0..args.pool.max(1) {
        if (i % cycle) < wd as usize {
            let item = serde_json::json!({
                "TableName": TABLE,
                "Item": {
                    "pk": {"S": format!("item-{nd:06}")},
                    "n": {"N": nd.to_string()},
                    "payload": {"S": "a DynamoDB item written by mock-aws-load, about 100 bytes of attribute"},
                },
            })
            .to_string();
            let signed = sign_request(
                host,
                "dynamodb",
                t0,
                "POST",
                "/",
                &[
                    ("Content-Type", DDB_JSON),
                    ("X-Amz-Target", "DynamoDB_20120810.PutItem"),
                ],
                item.as_bytes(),
            )?;
            pool.push(Entry::new(&signed, Bytes::from_static(b"{}"))?);
            nd += 1;
        } else {
            // Distinct requests: the key varies, and the signing time steps back one second per
            // round over the objects (well inside the server's 15-minute skew).
            let j = ns % args.objects.max(1);
            let back = i64::try_from(ns / args.objects.max(1)).unwrap_or(0);
            let time = SigningTime::from_unix_seconds(t0.unix_seconds() - back);
            let signed = sign_request(
                host,
                "s3",
                time,
                "GET",
                &format!("/{BUCKET}/obj-{j:04}"),
                &[],
                b"",
            )?;
            pool.push(Entry::new(&signed, object_body(j, args.object_size))?);
            ns += 1;
        }
    }
    Ok(pool)
}

type Sender = SendRequest<Full<Bytes>>;

/// Which HTTP client the load connections use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ClientKind {
    /// Writes each pre-serialised request in one write and parses the answer with httparse
    /// (hyper's parser): the least client CPU, so the most of the machine is left to the server.
    Raw,
    /// hyper's HTTP/1.1 client connection.
    Hyper,
}

/// A keep-alive connection of either client.
enum Conn {
    Raw(RawConn),
    Hyper(Sender),
}

impl Conn {
    async fn open(addr: SocketAddr, kind: ClientKind) -> Result<Self> {
        Ok(match kind {
            ClientKind::Raw => Conn::Raw(RawConn::open(addr).await?),
            ClientKind::Hyper => Conn::Hyper(connect(addr).await?),
        })
    }

    async fn send(&mut self, e: &Entry) -> Result<(u16, Bytes)> {
        match self {
            Conn::Raw(c) => c.send(&e.wire).await,
            Conn::Hyper(s) => send(s, e.request()).await,
        }
    }
}

/// HTTP/1.1 over one TCP connection, one request in flight; answers must carry
/// `Content-Length` (mock-aws's always do).
struct RawConn {
    stream: tokio::net::TcpStream,
    buf: bytes::BytesMut,
}

impl RawConn {
    async fn open(addr: SocketAddr) -> Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: bytes::BytesMut::with_capacity(16 * 1024),
        })
    }

    async fn fill(&mut self) -> Result<()> {
        use tokio::io::AsyncReadExt as _;
        if self.buf.capacity() - self.buf.len() < 4096 {
            self.buf.reserve(16 * 1024);
        }
        if self.stream.read_buf(&mut self.buf).await? == 0 {
            bail!("the server closed the connection");
        }
        Ok(())
    }

    async fn send(&mut self, wire: &[u8]) -> Result<(u16, Bytes)> {
        use tokio::io::AsyncWriteExt as _;
        self.stream.write_all(wire).await?;
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut resp = httparse::Response::new(&mut headers);
            let head = match resp.parse(&self.buf)? {
                httparse::Status::Complete(n) => {
                    let len = resp
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                        .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse().ok());
                    Some((n, resp.code.unwrap_or(0), len))
                }
                httparse::Status::Partial => None,
            };
            match head {
                Some((n, status, Some(len))) => {
                    let len: usize = len;
                    while self.buf.len() < n + len {
                        self.fill().await?;
                    }
                    let msg = self.buf.split_to(n + len).freeze();
                    return Ok((status, msg.slice(n..)));
                }
                Some((_, status, None)) => bail!("answer {status} without Content-Length"),
                None => self.fill().await?,
            }
        }
    }
}

async fn connect(addr: SocketAddr) -> Result<Sender> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

async fn send(sender: &mut Sender, req: hyper::Request<Full<Bytes>>) -> Result<(u16, Bytes)> {
    sender.ready().await?;
    let resp = sender.send_request(req).await?;
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

/// Signs and sends one set-up request on a fresh connection; it must answer 200.
async fn setup_call(
    addr: SocketAddr,
    service: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Bytes> {
    let signed = sign_request(
        &addr.to_string(),
        service,
        now(),
        method,
        target,
        headers,
        body,
    )?;
    let mut sender = connect(addr).await?;
    let (status, body) = send(&mut sender, Entry::new(&signed, Bytes::new())?.request()).await?;
    if status != 200 {
        bail!(
            "set-up {method} {target} ({service}) answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    Ok(body)
}

async fn setup(addr: SocketAddr, args: &Args) -> Result<()> {
    let table = serde_json::json!({
        "TableName": TABLE,
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    })
    .to_string();
    setup_call(
        addr,
        "dynamodb",
        "POST",
        "/",
        &[
            ("Content-Type", DDB_JSON),
            ("X-Amz-Target", "DynamoDB_20120810.CreateTable"),
        ],
        table.as_bytes(),
    )
    .await?;
    setup_call(addr, "s3", "PUT", &format!("/{BUCKET}"), &[], b"").await?;
    for j in 0..args.objects.max(1) {
        let body = object_body(j, args.object_size);
        setup_call(
            addr,
            "s3",
            "PUT",
            &format!("/{BUCKET}/obj-{j:04}"),
            &[("Content-Type", "application/octet-stream")],
            &body,
        )
        .await?;
    }
    Ok(())
}

/// The server's verdict counters: (total, accepted, rejected).
async fn verdict_counts(addr: SocketAddr) -> Result<(u64, u64, u64)> {
    let mut sender = connect(addr).await?;
    let mut req = hyper::Request::new(Full::new(Bytes::new()));
    *req.uri_mut() = "/_mock-aws/verdicts".parse()?;
    req.headers_mut()
        .insert("host", HeaderValue::from_str(&addr.to_string())?);
    let (status, body) = send(&mut sender, req).await?;
    if status != 200 {
        bail!("GET /_mock-aws/verdicts answered {status}");
    }
    let v: serde_json::Value = serde_json::from_slice(&body)?;
    let n = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| anyhow!("no {k:?} in the verdicts"))
    };
    Ok((n("total")?, n("accepted")?, n("rejected")?))
}

/// When a worker stops.
#[derive(Clone)]
enum Stop {
    /// Start no request after this instant.
    At(Instant),
    /// A shared budget of requests.
    Budget(Arc<AtomicU64>),
}

impl Stop {
    fn next(&self) -> bool {
        match self {
            Stop::At(t) => Instant::now() < *t,
            Stop::Budget(b) => b
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok(),
        }
    }
}

#[derive(Default)]
struct Stats {
    ok: u64,
    /// Answers by HTTP status.
    statuses: BTreeMap<u16, u64>,
    errors: BTreeMap<String, u64>,
    /// Latency of each request, microseconds.
    latencies: Vec<u32>,
}

impl Stats {
    fn error(&mut self, kind: String) {
        *self.errors.entry(kind).or_default() += 1;
    }

    fn merge(&mut self, other: Stats) {
        self.ok += other.ok;
        for (k, v) in other.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
        self.latencies.extend(other.latencies);
    }

    fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

async fn worker(
    mut conn: Conn,
    addr: SocketAddr,
    kind: ClientKind,
    pool: Arc<Vec<Entry>>,
    start: usize,
    stop: Stop,
    record: bool,
) -> (Option<Conn>, Stats) {
    let mut stats = Stats::default();
    let mut i = start;
    while stop.next() {
        let e = &pool[i % pool.len()];
        i = i.wrapping_add(1);
        let t = Instant::now();
        let answer = conn.send(e).await;
        if let Ok((status, _)) = &answer {
            *stats.statuses.entry(*status).or_default() += 1;
        }
        match answer {
            Ok((200, body)) if body == e.expect => {
                stats.ok += 1;
                if record {
                    let us = t.elapsed().as_micros();
                    stats.latencies.push(u32::try_from(us).unwrap_or(u32::MAX));
                }
            }
            Ok((200, _)) => stats.error("200 with an unexpected body".to_owned()),
            Ok((status, body)) => stats.error(format!(
                "status {status}: {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            )),
            Err(err) => {
                stats.error(format!("connection: {err}"));
                match Conn::open(addr, kind).await {
                    Ok(c) => conn = c,
                    Err(_) => return (None, stats),
                }
            }
        }
    }
    (Some(conn), stats)
}

/// Runs every connection until `stop`; returns the stats and the wall time.
async fn phase(
    senders: &mut Vec<Conn>,
    addr: SocketAddr,
    kind: ClientKind,
    pool: &Arc<Vec<Entry>>,
    stop: &Stop,
    record: bool,
) -> Result<(Stats, Duration)> {
    let n = senders.len();
    let started = Instant::now();
    let tasks: Vec<_> = senders
        .drain(..)
        .enumerate()
        .map(|(w, s)| {
            tokio::spawn(worker(
                s,
                addr,
                kind,
                Arc::clone(pool),
                w * pool.len() / n.max(1),
                stop.clone(),
                record,
            ))
        })
        .collect();
    let mut stats = Stats::default();
    for t in tasks {
        let (s, st) = t.await?;
        if let Some(s) = s {
            senders.push(s);
        }
        stats.merge(st);
    }
    Ok((stats, started.elapsed()))
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(us: u32) -> String {
    format!("{:.2} ms", f64::from(us) / 1000.0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_owned())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

async fn run(args: Args, server: &Server) -> Result<bool> {
    let addr = server.addr;
    let pid = server.pid();
    let spid = pid.to_string();
    let load_before = loadavg();
    setup(addr, &args).await?;
    let (_, acc0, rej0) = verdict_counts(addr).await?;

    let mut senders = Vec::with_capacity(args.connections);
    for _ in 0..args.connections.max(1) {
        senders.push(Conn::open(addr, args.client).await?);
    }

    // Timed phase.
    let pool = Arc::new(build_pool(&args, &addr.to_string())?);
    let (rss_start, _) = rss_kib(pid)?;
    let (cpu_s0, cpu_c0) = (cpu_seconds(&spid)?, cpu_seconds("self")?);
    let (mut timed, elapsed) = phase(
        &mut senders,
        addr,
        args.client,
        &pool,
        &Stop::At(Instant::now() + args.duration),
        true,
    )
    .await?;
    let (cpu_s1, cpu_c1) = (cpu_seconds(&spid)?, cpu_seconds("self")?);
    let load_after = loadavg();
    timed.latencies.sort_unstable();
    let rps = timed.ok as f64 / elapsed.as_secs_f64();
    let per_req = |cpu: f64| {
        if timed.ok == 0 {
            0.0
        } else {
            cpu / timed.ok as f64 * 1e6
        }
    };
    let (server_us, client_us) = (per_req(cpu_s1 - cpu_s0), per_req(cpu_c1 - cpu_c0));

    // RSS phase.
    let mut rss_points: Vec<(u64, u64)> = Vec::new();
    let mut rss_stats = Stats::default();
    let mut rss_elapsed = Duration::ZERO;
    if args.rss_requests > 0 && !senders.is_empty() {
        let pool = Arc::new(build_pool(&args, &addr.to_string())?);
        rss_points.push((0, rss_kib(pid)?.0));
        let step = args.rss_step.clamp(1, args.rss_requests);
        let mut done = 0;
        while done < args.rss_requests {
            let n = step.min(args.rss_requests - done);
            let (st, el) = phase(
                &mut senders,
                addr,
                args.client,
                &pool,
                &Stop::Budget(Arc::new(AtomicU64::new(n))),
                false,
            )
            .await?;
            rss_stats.merge(st);
            rss_elapsed += el;
            done += n;
            rss_points.push((done, rss_kib(pid)?.0));
            if senders.is_empty() {
                break;
            }
        }
    }
    // VmHWM and VmRSS are sampled by the kernel separately; the peak is the larger of both.
    let hwm = rss_points
        .iter()
        .map(|&(_, k)| k)
        .fold(rss_kib(pid)?.1, u64::max);

    // The server's own count: every answered request accepted, none rejected.
    let (_, acc1, rej1) = verdict_counts(addr).await?;
    let answered = timed.ok + rss_stats.ok;
    let errors = timed.error_count() + rss_stats.error_count();
    let accepted = acc1 - acc0;
    let rejected = rej1 - rej0;
    let counts_agree = accepted == answered && rejected == 0;
    let growth = match (rss_points.first(), rss_points.last()) {
        (Some(&(_, a)), Some(&(_, b))) => b.saturating_sub(a),
        _ => 0,
    };
    let rss_ok = growth <= args.max_rss_growth_mib * 1024;
    let lat = &timed.latencies;

    let mix = format!("{}:{}", args.mix.0, args.mix.1);
    let server_flags = if args.server_args.is_empty() {
        "(default: one log line per request)".to_owned()
    } else {
        args.server_args.join(" ")
    };
    println!("### mock-aws under load\n");
    println!(
        "`mock-aws-load --duration {:?} --connections {} --mix {mix} --client {}` (DynamoDB PutItem : S3 GetObject of {} B), \
         mock-aws {server_flags}; {}, {} cores; load average {load_before} before, {load_after} after the timed phase.\n",
        args.duration,
        args.connections,
        if args.client == ClientKind::Raw { "raw" } else { "hyper" },
        args.object_size,
        cpu_model(),
        std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get),
    );
    println!("| measure | value |");
    println!("| --- | --- |");
    println!(
        "| verified requests/s | {} ({} in {:.1} s) |",
        thousands(rps.round() as u64),
        thousands(timed.ok),
        elapsed.as_secs_f64()
    );
    println!(
        "| latency p50 / p99 / p99.9 / max | {} / {} / {} / {} |",
        ms(percentile(lat, 50.0)),
        ms(percentile(lat, 99.0)),
        ms(percentile(lat, 99.9)),
        ms(lat.last().copied().unwrap_or(0))
    );
    let mut statuses = timed.statuses.clone();
    for (k, v) in &rss_stats.statuses {
        *statuses.entry(*k).or_default() += v;
    }
    let statuses: Vec<String> = statuses
        .iter()
        .map(|(k, v)| format!("{k}: {}", thousands(*v)))
        .collect();
    println!(
        "| HTTP statuses (both phases) | {} |",
        if statuses.is_empty() {
            "none".to_owned()
        } else {
            statuses.join(", ")
        }
    );
    println!(
        "| errors (non-200, wrong body, connection) | {} |",
        thousands(errors)
    );
    println!(
        "| server's verdicts: accepted / rejected | {} / {} (answered: {}) |",
        thousands(accepted),
        thousands(rejected),
        thousands(answered)
    );
    println!("| CPU per request: server / client | {server_us:.1} µs / {client_us:.1} µs |");
    if !rss_points.is_empty() {
        let points: Vec<String> = rss_points
            .iter()
            .map(|&(n, kib)| format!("{}: {}", thousands(n), mib(kib)))
            .collect();
        println!(
            "| server RSS over {} more requests ({:.0} req/s) | {} (start of run {}, peak {}) |",
            thousands(rss_stats.ok),
            rss_stats.ok as f64 / rss_elapsed.as_secs_f64().max(1e-9),
            points.join(", "),
            mib(rss_start),
            mib(hwm)
        );
    }
    println!(
        "| server log lines | {} |",
        thousands(server.log_lines.load(Ordering::Relaxed))
    );
    for (kind, n) in timed.errors.iter().chain(rss_stats.errors.iter()) {
        eprintln!("mock-aws-load: error x{n}: {kind}");
    }
    if !counts_agree {
        eprintln!(
            "mock-aws-load: the server accepted {accepted} and rejected {rejected}, but {answered} requests were answered 200"
        );
    }
    if !rss_ok {
        eprintln!(
            "mock-aws-load: the server's RSS grew by {} over the RSS phase (limit {} MiB)",
            mib(growth),
            args.max_rss_growth_mib
        );
    }
    Ok(errors == 0 && counts_agree && rss_ok && timed.ok > 0)
}

fn main() {
    let args = Args::parse();
    let code = match main_inner(args) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            eprintln!("mock-aws-load: {e:#}");
            if e.to_string().contains("timed out") {
                2
            } else {
                1
            }
        }
    };
    std::process::exit(code);
}

fn main_inner(args: Args) -> Result<bool> {
    let path = match &args.server {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .map(|d| d.join("mock-aws"))
            .ok_or_else(|| anyhow!("no directory for the current executable"))?,
    };
    if !path.exists() {
        bail!(
            "{} not found: build it with `cargo build --release -p mock-aws` (or pass --server PATH)",
            path.display()
        );
    }
    let server = Server::start(&path, &args.server_args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.client_threads.max(1))
        .enable_all()
        .build()?;
    let timeout = args.timeout;
    let result = runtime.block_on(async move {
        tokio::time::timeout(timeout, run(args, &server))
            .await
            .map_err(|_| anyhow!("timed out after {timeout:?} (--timeout)"))?
    });
    // Dropping the runtime cancels the workers; the server is killed when `server` drops.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}
