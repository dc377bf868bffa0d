//! The harness's JSON-lines protocol (harness/PROTOCOL.md, versions 1 and 2): one message per
//! line on stdin, one answer line on stdout, in order; exit 0 when stdin closes. Nothing here
//! signs: `sign` in main.rs does, through the library under test.

use std::io::{BufRead, Write};

use serde_json::{json, Map, Value};

/// What `sign` returns when it cannot sign.
pub enum Refusal {
    /// The library cannot express a setting (`"status":"unsupported"`).
    Unsupported(String),
    /// The library refused the input (`"status":"error"`).
    Error(String),
}

/// A signed request and what the library revealed.
pub struct Signed {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub canonical_request: Option<String>,
    pub string_to_sign: Option<String>,
    pub signature: Option<String>,
}

/// The adapter: its hello fields and its sign function.
pub struct Adapter {
    /// `name`, `version`, `language`, `reveals` (and `algorithms` for protocol 2).
    pub hello: Value,
    /// 1, or 2 to answer `"protocols":[1,2]`.
    pub max_protocol: u64,
    pub sign: fn(&Value) -> Result<Signed, Refusal>,
}

fn answer(adapter: &Adapter, line: &str) -> Value {
    let msg: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            return json!({"protocol": 1, "id": null, "status": "error", "message": format!("not JSON: {e}")})
        }
    };
    let proto = msg["protocol"].as_u64().unwrap_or(0);
    let id = msg["id"].clone();
    if !(proto == 1 || (proto == 2 && adapter.max_protocol >= 2)) {
        return json!({"protocol": 1, "id": id, "status": "error", "message": format!("protocol {proto} not supported")});
    }
    let mut out = Map::new();
    out.insert("protocol".into(), json!(proto));
    out.insert("id".into(), id);
    match msg["op"].as_str() {
        Some("hello") => {
            out.insert("status".into(), json!("ok"));
            if let Value::Object(h) = &adapter.hello {
                out.extend(h.clone());
            }
            if adapter.max_protocol >= 2 {
                out.insert("protocols".into(), json!([1, 2]));
            }
        }
        Some("sign") => {
            // A library that panics on bad input gets an error answer, not a dead adapter.
            let result = std::panic::catch_unwind(|| (adapter.sign)(&msg)).unwrap_or_else(|p| {
                let why = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                Err(Refusal::Error(format!("the library panicked: {why}")))
            });
            match result {
                Ok(s) => {
                    out.insert("status".into(), json!("ok"));
                    out.insert(
                        "signed".into(),
                        json!({"method": s.method, "target": s.target,
                               "headers": s.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>()}),
                    );
                    for (k, v) in [
                        ("canonical_request", s.canonical_request),
                        ("string_to_sign", s.string_to_sign),
                        ("signature", s.signature),
                    ] {
                        if let Some(v) = v {
                            out.insert(k.into(), json!(v));
                        }
                    }
                }
                Err(Refusal::Unsupported(r)) => {
                    out.insert("status".into(), json!("unsupported"));
                    out.insert("reason".into(), json!(r));
                }
                Err(Refusal::Error(m)) => {
                    out.insert("status".into(), json!("error"));
                    out.insert("message".into(), json!(m));
                }
            }
        }
        other => {
            out.insert("status".into(), json!("error"));
            out.insert("message".into(), json!(format!("unknown op {other:?}")));
        }
    }
    Value::Object(out)
}

/// Runs the loop until stdin closes.
pub fn run(adapter: &Adapter) {
    std::panic::set_hook(Box::new(|_| {}));
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let a = answer(adapter, &line);
        if writeln!(stdout, "{a}")
            .and_then(|_| stdout.flush())
            .is_err()
        {
            break;
        }
    }
}

/// A request header's first value (case-insensitive).
pub fn header<'a>(msg: &'a Value, name: &str) -> Option<&'a str> {
    msg["request"]["headers"].as_array()?.iter().find_map(|h| {
        (h[0].as_str()?.eq_ignore_ascii_case(name))
            .then(|| h[1].as_str())
            .flatten()
    })
}

/// The request's headers as pairs.
pub fn headers(msg: &Value) -> Vec<(String, String)> {
    msg["request"]["headers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| Some((h[0].as_str()?.to_owned(), h[1].as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// The request's body.
pub fn body(msg: &Value) -> Result<Vec<u8>, Refusal> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(msg["request"]["body_b64"].as_str().unwrap_or(""))
        .map_err(|e| Refusal::Error(format!("body_b64: {e}")))
}

/// A string field of the message, or an error naming it.
pub fn str_field<'a>(v: &'a Value, name: &str) -> Result<&'a str, Refusal> {
    v[name]
        .as_str()
        .ok_or_else(|| Refusal::Error(format!("missing {name}")))
}
