//! A small HTTP/1.1 client for the probe: one connection per request (`Connection: close`),
//! the request bytes exactly as built (raw target, headers in order, repeated headers as
//! separate lines), a deadline for the whole exchange, loopback addresses only.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs as _};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use sigv4_signer::OwnedRequest;

/// The most of an answer that is kept.
const MAX_ANSWER: usize = 1 << 20;

/// An HTTP answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// The body (raw: a chunked transfer coding is left in place).
    pub body: Vec<u8>,
}

impl Answer {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What sending a request gave.
#[derive(Debug, Clone)]
pub enum Sent {
    /// An answer.
    Answer(Answer),
    /// No complete answer before the deadline.
    Hang(Duration),
    /// The connection failed or closed without an answer.
    NoAnswer(String),
}

impl Sent {
    /// One line for a note.
    pub fn describe(&self) -> String {
        match self {
            Sent::Answer(a) => format!("HTTP {}", a.status),
            Sent::Hang(d) => format!("no answer within {:.1} s", d.as_secs_f64()),
            Sent::NoAnswer(e) => format!("no answer: {e}"),
        }
    }
}

/// The socket address of an `http://HOST:PORT` endpoint, refused unless it is loopback.
pub fn loopback_addr(endpoint: &str) -> Result<SocketAddr> {
    let rest = endpoint
        .strip_prefix("http://")
        .context("the endpoint must be http://127.0.0.1:PORT (or [::1], localhost)")?;
    let hostport = rest.split('/').next().unwrap_or(rest);
    let addr = hostport
        .to_socket_addrs()
        .with_context(|| format!("resolving {hostport}"))?
        .find(|a| a.ip().is_loopback())
        .with_context(|| {
            format!("{hostport} is not a loopback address: the probe sends to 127.0.0.1 / ::1 only")
        })?;
    if !addr.ip().is_loopback() {
        bail!("{hostport} is not loopback");
    }
    Ok(addr)
}

/// The bytes of `req` on the wire, with `Connection: close` and a `Content-Length` when the
/// request has a body and none.
pub fn wire_bytes(req: &OwnedRequest) -> Vec<u8> {
    let mut out = format!("{} {} HTTP/1.1\r\n", req.method, req.target).into_bytes();
    for (n, v) in &req.headers {
        out.extend_from_slice(n.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let has_length = req
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
    if !has_length && (!req.body.is_empty() || matches!(req.method.as_str(), "PUT" | "POST")) {
        out.extend_from_slice(format!("Content-Length: {}\r\n", req.body.len()).as_bytes());
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out.extend_from_slice(&req.body);
    out
}

/// Sends `req` to `addr` (loopback only) and reads the answer, all within `timeout`.
pub fn send(addr: SocketAddr, req: &OwnedRequest, timeout: Duration) -> Sent {
    if !addr.ip().is_loopback() {
        return Sent::NoAnswer(format!("{addr} is not loopback"));
    }
    let start = Instant::now();
    let mut stream = match TcpStream::connect_timeout(&addr, timeout) {
        Ok(s) => s,
        Err(e) => return Sent::NoAnswer(format!("connect: {e}")),
    };
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(timeout));
    // A server may answer and close before the body is written (a refused upload); the
    // answer is read all the same.
    let write_error = stream.write_all(&wire_bytes(req)).err();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let left = timeout.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Sent::Hang(timeout);
        }
        let _ = stream.set_read_timeout(Some(left));
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                if buf.len() > MAX_ANSWER || complete(&buf) {
                    break;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                // Nothing, or headers without the end of the body: a hang either way.
                return Sent::Hang(timeout);
            }
            Err(e) => {
                if buf.is_empty() {
                    let w = write_error
                        .map(|w| format!(" (writing: {w})"))
                        .unwrap_or_default();
                    return Sent::NoAnswer(format!("reading: {e}{w}"));
                }
                break;
            }
        }
    }
    match parse(&buf) {
        Some(a) => Sent::Answer(a),
        None if buf.is_empty() => Sent::NoAnswer(match write_error {
            Some(e) => format!("connection closed (writing: {e})"),
            None => "connection closed without an answer".to_owned(),
        }),
        None => Sent::NoAnswer(format!(
            "not an HTTP answer: {:?}",
            String::from_utf8_lossy(&buf[..buf.len().min(80)])
        )),
    }
}

fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// Whether `buf` holds a whole answer by its Content-Length (else it ends at close).
fn complete(buf: &[u8]) -> bool {
    let Some(end) = head_end(buf) else {
        return false;
    };
    let Some(a) = parse(&buf[..end]) else {
        return false;
    };
    if a.status == 204 || a.status == 304 || (100..200).contains(&a.status) {
        return true;
    }
    match a
        .header("content-length")
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        Some(n) => buf.len() >= end + n,
        None => {
            a.header("transfer-encoding")
                .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"))
                && buf.ends_with(b"0\r\n\r\n")
        }
    }
}

fn parse(buf: &[u8]) -> Option<Answer> {
    let end = head_end(buf)?;
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let mut parts = status_line.splitn(3, ' ');
    if !parts.next()?.starts_with("HTTP/1.") {
        return None;
    }
    let status = parts.next()?.parse().ok()?;
    let headers = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            l.split_once(':')
                .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        })
        .collect();
    Some(Answer {
        status,
        headers,
        body: buf[end..].to_vec(),
    })
}
