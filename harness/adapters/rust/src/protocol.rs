//! The messages of the harness protocol, version 1, and the line loop.

use std::io::{BufRead, Write};

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};

/// The protocol version these adapters speak.
pub const PROTOCOL: u64 = 1;

/// `request` of a sign message.
#[derive(Debug, Deserialize)]
pub struct Request {
    /// The method, as sent.
    pub method: String,
    /// The request-target as on the wire (path, `?`, raw query).
    pub target: String,
    /// `[name, value]` pairs in order.
    pub headers: Vec<(String, String)>,
    /// The body, base64.
    #[serde(default)]
    pub body_b64: String,
}

/// `credentials` of a sign message.
#[derive(Debug, Deserialize)]
pub struct CaseCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token, if any.
    #[serde(default)]
    pub session_token: Option<String>,
}

/// `settings.payload`.
#[derive(Debug, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum Payload {
    /// SHA-256 of the body.
    Hash,
    /// `UNSIGNED-PAYLOAD`.
    Unsigned,
    /// A given hash.
    Precomputed {
        /// The value signed as the payload hash.
        value: String,
    },
}

/// `settings` of a sign message.
#[derive(Debug, Deserialize)]
pub struct Settings {
    /// `header` or `query`.
    pub location: String,
    /// Seconds, for `query`.
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// `double` or `single`.
    pub uri_encoding: String,
    /// Remove dot segments and empty segments.
    pub normalize_path: bool,
    /// The payload hash rule.
    pub payload: Payload,
    /// Add and sign `X-Amz-Content-Sha256`.
    #[serde(default)]
    pub content_sha256_header: bool,
    /// `include` or `after-signing`.
    #[serde(default = "include")]
    pub session_token: String,
    /// The headers that must be signed beyond host and the implementation's x-amz-*.
    #[serde(default)]
    pub signed_headers: Option<Vec<String>>,
}

fn include() -> String {
    "include".into()
}

/// A sign message.
#[derive(Debug, Deserialize)]
pub struct Case {
    /// The request before signing.
    pub request: Request,
    /// The credentials.
    pub credentials: CaseCredentials,
    /// The signing time, RFC 3339 UTC.
    pub time: String,
    /// Credential scope region.
    pub region: String,
    /// Credential scope service.
    pub service: String,
    /// The signing settings.
    pub settings: Settings,
}

impl Case {
    /// The body bytes.
    pub fn body(&self) -> anyhow::Result<Vec<u8>> {
        Ok(base64::engine::general_purpose::STANDARD.decode(&self.request.body_b64)?)
    }
    /// The path part of the target.
    pub fn path(&self) -> &str {
        self.request.target.split('?').next().unwrap_or("")
    }
}

/// The signed request of an `ok` answer.
#[derive(Debug)]
pub struct Signed {
    /// Method.
    pub method: String,
    /// Target with any added query parameters.
    pub target: String,
    /// Headers as sent.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

/// The answer to a sign message.
#[derive(Debug)]
pub enum Outcome {
    /// Signed, with the intermediate artifacts the library exposes.
    Ok(Answer),
    /// The library has no switch for a setting of the case.
    Unsupported(String),
    /// The library refused the input.
    Error(String),
}

/// An `ok` answer.
#[derive(Debug)]
pub struct Answer {
    /// The signed request.
    pub signed: Signed,
    /// The canonical request, if exposed.
    pub canonical_request: Option<String>,
    /// The string to sign, if exposed.
    pub string_to_sign: Option<String>,
    /// The signature, if exposed.
    pub signature: Option<String>,
}

/// The hello fields of an adapter.
#[derive(Debug)]
pub struct Hello {
    /// Implementation name.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
    /// Artifacts revealed in sign answers.
    pub reveals: &'static [&'static str],
}

/// Answers one input line.
pub fn answer(line: &str, hello: &Hello, sign: &dyn Fn(&Case) -> Outcome) -> Value {
    let msg: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            return json!({"protocol": PROTOCOL, "id": null, "status": "error", "message": format!("bad JSON: {e}")})
        }
    };
    let id = msg.get("id").cloned().unwrap_or(Value::Null);
    if msg.get("protocol").and_then(Value::as_u64) != Some(PROTOCOL) {
        let p = msg.get("protocol").cloned().unwrap_or(Value::Null);
        return json!({"protocol": PROTOCOL, "id": id, "status": "error", "message": format!("protocol {p} not supported")});
    }
    match msg.get("op").and_then(Value::as_str) {
        Some("hello") => json!({
            "protocol": PROTOCOL, "id": id, "status": "ok", "name": hello.name,
            "version": hello.version, "language": "rust", "reveals": hello.reveals,
        }),
        Some("sign") => {
            let case: Case = match serde_json::from_value(msg.clone()) {
                Ok(c) => c,
                Err(e) => {
                    return json!({"protocol": PROTOCOL, "id": id, "status": "error", "message": format!("bad sign message: {e}")})
                }
            };
            match sign(&case) {
                Outcome::Unsupported(reason) => {
                    json!({"protocol": PROTOCOL, "id": id, "status": "unsupported", "reason": reason})
                }
                Outcome::Error(message) => {
                    json!({"protocol": PROTOCOL, "id": id, "status": "error", "message": message})
                }
                Outcome::Ok(a) => {
                    let mut v = json!({
                        "protocol": PROTOCOL, "id": id, "status": "ok",
                        "signed": {
                            "method": a.signed.method,
                            "target": a.signed.target,
                            "headers": a.signed.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
                            "body_b64": base64::engine::general_purpose::STANDARD.encode(&a.signed.body),
                        },
                    });
                    for (k, x) in [
                        ("canonical_request", a.canonical_request),
                        ("string_to_sign", a.string_to_sign),
                        ("signature", a.signature),
                    ] {
                        if let Some(x) = x {
                            v[k] = Value::String(x);
                        }
                    }
                    v
                }
            }
        }
        other => {
            json!({"protocol": PROTOCOL, "id": id, "status": "error", "message": format!("unknown op {other:?}")})
        }
    }
}

/// Reads stdin line by line until EOF, answering each line on stdout.
pub fn run(hello: &Hello, sign: &dyn Fn(&Case) -> Outcome) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let a = answer(&line, hello, sign);
        writeln!(out, "{a}")?;
        out.flush()?;
    }
    Ok(())
}

/// True when path normalisation (dot segments, empty segments) would change `path`.
pub fn path_needs_normalising(path: &str) -> bool {
    path.contains("//") || path.split('/').skip(1).any(|s| s == "." || s == "..")
}

/// Parses the case's RFC 3339 time.
pub fn parse_time(text: &str) -> Result<std::time::SystemTime, String> {
    text.parse::<reqsign_core::time::Timestamp>()
        .map(|t| t.as_system_time())
        .map_err(|e| format!("time {text:?}: {e}"))
}
