//! Shared test helpers: start the built `mock-aws` on a free loopback port, a small HTTP/1.1
//! client that sends the request-target exactly as given, and signing with our own signer.
#![allow(dead_code, missing_docs)]

pub mod png;
pub mod tools;
pub use tools::{pinned as tools_pinned, require, Tool};

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sigv4_signer::{
    sign, Credentials, SignableRequest, SignatureLocation, SignedRequest, SigningParams,
    SigningTime,
};

pub const AK: &str = "AKIDEXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// Runs `tests/SCRIPT` with the venv's Python (`tool`: `Python` or `Boto3`) against `server`
/// (its URL the first argument), with no AWS configuration from the environment; panics with
/// the script's output, headed by `what`, when it fails. Returns its stdout.
pub fn run_python_script(tool: Tool, script: &str, server: &Server, what: &str) -> String {
    let python = require(tool);
    let out = Command::new(&python)
        .arg(format!("{}/tests/{script}", env!("CARGO_MANIFEST_DIR")))
        .arg(server.url())
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", python.display()));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed:\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A running `mock-aws`; killed on drop.
pub struct Server {
    child: Child,
    pub addr: String,
    /// With `--tls`: the generated certificate's path (`tls certificate: PATH`).
    pub cert: Option<String>,
}

impl Server {
    pub fn start(extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mock-aws"))
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mock-aws");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        // Drain stderr (one line per request) so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = BufReader::new(stderr).read_to_end(&mut sink);
        });
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            while let Some(Ok(line)) = lines.next() {
                let listening = line.starts_with("listening on ");
                let _ = tx.send(line);
                if listening {
                    break;
                }
            }
            for _ in lines {}
        });
        let mut cert = None;
        let addr = loop {
            let line = rx
                .recv_timeout(Duration::from_secs(20))
                .expect("mock-aws printed no `listening on` line within 20 s");
            if let Some(path) = line.strip_prefix("tls certificate: ") {
                cert = Some(path.to_owned());
                continue;
            }
            break line
                .strip_prefix("listening on http://")
                .or_else(|| line.strip_prefix("listening on https://"))
                .unwrap_or_else(|| panic!("unexpected line {line:?}"))
                .to_owned();
        };
        Self { child, addr, cert }
    }

    /// The server's process id (for reading its `/proc/PID/status`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self) -> String {
        let scheme = if self.cert.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// One keep-alive HTTP/1.1 connection.
pub struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    pub fn open(addr: &str) -> Self {
        let s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(20))).ok();
        s.set_write_timeout(Some(Duration::from_secs(20))).ok();
        Self {
            reader: BufReader::new(s),
        }
    }

    /// Sends the request as given (target untouched; Content-Length added) and reads the answer.
    pub fn send(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Resp {
        let mut out = format!("{method} {target} HTTP/1.1\r\n");
        for (n, v) in headers {
            out.push_str(&format!("{n}: {v}\r\n"));
        }
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        {
            out.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        out.push_str("\r\n");
        let s = self.reader.get_mut();
        s.write_all(out.as_bytes()).expect("write head");
        s.write_all(body).expect("write body");
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {line:?}"));
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            self.reader.read_line(&mut h).expect("header line");
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
        let mut body = vec![0; if method == "HEAD" { 0 } else { len }];
        self.reader.read_exact(&mut body).expect("body");
        Resp {
            status,
            headers,
            body,
        }
    }
}

pub fn now() -> SigningTime {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    SigningTime::from_unix_seconds(i64::try_from(secs).expect("time"))
}

/// What to sign.
pub struct Sign<'a> {
    pub service: &'a str,
    pub secret: &'a str,
    pub access_key: &'a str,
    pub time: SigningTime,
    pub location: SignatureLocation,
    pub settings: sigv4_signer::Settings,
    pub region: &'a str,
}

impl<'a> Sign<'a> {
    pub fn new(service: &'a str) -> Self {
        Self {
            service,
            secret: SECRET,
            access_key: AK,
            time: now(),
            location: SignatureLocation::Headers,
            region: "us-east-1",
            settings: if service == "s3" {
                sigv4_signer::Settings::s3()
            } else {
                sigv4_signer::Settings::default()
            },
        }
    }

    /// Signs `method target` with `headers` (Host is added) and `body`.
    pub fn sign(
        &self,
        addr: &str,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> SignedRequest {
        let creds = Credentials::new(self.access_key, self.secret);
        let params = SigningParams::new(&creds, self.region, self.service, self.time)
            .with_settings(self.settings.clone());
        let mut req = SignableRequest::new(method, target)
            .header("Host", addr)
            .body(body);
        for (n, v) in headers {
            req = req.header(n, v);
        }
        let out = sign(&req, &params, self.location).expect("sign");
        out.apply(&req)
    }
}

/// Signs and sends on a fresh connection.
pub fn call(
    server: &Server,
    s: &Sign<'_>,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let signed = s.sign(&server.addr, method, target, headers, body);
    Conn::open(&server.addr).send(
        &signed.method,
        &signed.target,
        &signed.headers,
        &signed.body,
    )
}

pub const DDB_JSON: &str = "application/x-amz-json-1.0";

pub fn ddb(server: &Server, s: &Sign<'_>, op: &str, body: &serde_json::Value) -> Resp {
    let target = format!("DynamoDB_20120810.{op}");
    call(
        server,
        s,
        "POST",
        "/",
        &[("Content-Type", DDB_JSON), ("X-Amz-Target", &target)],
        body.to_string().as_bytes(),
    )
}
