//! The line loop of the harness protocol (versions 1 and 2) over the typed messages of
//! `sigv4_protocol`, the model the harness itself uses.

use std::io::{BufRead, Write};

use serde_json::Value;
pub use sigv4_protocol::{
    Algorithm, Answer, Credentials as CaseCredentials, Location, Payload, Request, SessionToken,
    Settings, Sign as Case, Signed, SignedRequest, UriEncoding,
};

/// The protocol version of v1-only messages.
pub const PROTOCOL: u64 = sigv4_protocol::V1;

/// The hello fields of an adapter.
#[derive(Debug)]
pub struct Hello {
    /// Implementation name.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
    /// Artifacts revealed in sign answers.
    pub reveals: &'static [&'static str],
    /// Protocol versions spoken (`[1]`, or `[1, 2]`).
    pub protocols: &'static [u64],
    /// Algorithms signed (version 2).
    pub algorithms: &'static [&'static str],
    /// Extensions (version 2: `"chunked"`).
    pub features: &'static [&'static str],
}

impl Hello {
    fn typed(&self) -> sigv4_protocol::Hello {
        let v2 = self.protocols.contains(&sigv4_protocol::V2);
        let strings = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        sigv4_protocol::Hello {
            name: self.name.into(),
            version: self.version.into(),
            language: "rust".into(),
            reveals: strings(self.reveals),
            protocols: if v2 { self.protocols.to_vec() } else { vec![] },
            algorithms: if v2 { strings(self.algorithms) } else { vec![] },
            features: if v2 { strings(self.features) } else { vec![] },
        }
    }
}

/// The signed request of an answer: the case's method, `target` and `headers`, and `body`.
pub fn signed_request(
    method: &str,
    target: String,
    headers: Vec<(String, String)>,
    body: &[u8],
) -> SignedRequest {
    SignedRequest {
        method: method.to_owned(),
        target,
        headers,
        body_b64: Some(sigv4_protocol::base64_encode(body)),
    }
}

/// An `ok` answer with the revealed artifacts.
pub fn ok(
    signed: SignedRequest,
    canonical_request: Option<String>,
    string_to_sign: Option<String>,
    signature: Option<String>,
) -> Answer {
    Answer::Ok(Box::new(Signed {
        signed,
        canonical_request,
        string_to_sign,
        signature,
        chunk_signatures: None,
        trailer_signature: None,
        signed_body_b64: None,
    }))
}

/// Answers one input line.
pub fn answer(line: &str, hello: &Hello, sign: &dyn Fn(&Case) -> Answer) -> Value {
    let msg: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            return sigv4_protocol::error_answer(PROTOCOL, &Value::Null, &format!("bad JSON: {e}"))
        }
    };
    let id = msg.get("id").cloned().unwrap_or(Value::Null);
    let protocol = msg.get("protocol").and_then(Value::as_u64);
    let Some(protocol) = protocol.filter(|p| hello.protocols.contains(p)) else {
        let p = msg.get("protocol").cloned().unwrap_or(Value::Null);
        return sigv4_protocol::error_answer(PROTOCOL, &id, &format!("protocol {p} not supported"));
    };
    match msg.get("op").and_then(Value::as_str) {
        Some("hello") => {
            let mut v = hello.typed().to_answer(&id);
            v["protocol"] = protocol.into();
            v
        }
        Some("sign") => {
            let case: Case = match serde_json::from_value(msg.clone()) {
                Ok(c) => c,
                Err(e) => {
                    return sigv4_protocol::error_answer(
                        protocol,
                        &id,
                        &format!("bad sign message: {e}"),
                    )
                }
            };
            let algorithm = case.settings.algorithm;
            let a =
                if !hello.algorithms.contains(&algorithm.name()) && algorithm != Algorithm::Sigv4 {
                    Answer::Unsupported(format!("{} is not implemented", algorithm.name()))
                } else if case.settings.payload.streaming_value().is_some()
                    && !hello.features.contains(&"chunked")
                {
                    Answer::Unsupported("aws-chunked streaming is not implemented".into())
                } else {
                    sign(&case)
                };
            a.to_value(protocol, &id)
        }
        other => sigv4_protocol::error_answer(protocol, &id, &format!("unknown op {other:?}")),
    }
}

/// Reads stdin line by line until EOF, answering each line on stdout.
pub fn run(hello: &Hello, sign: &dyn Fn(&Case) -> Answer) -> anyhow::Result<()> {
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
