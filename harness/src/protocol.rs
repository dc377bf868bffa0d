//! Building protocol-v1 `sign` messages from cases, and reading the answers.

use base64::Engine as _;
use serde_json::{json, Value};
use sigv4_signer::internal::UNSIGNED_PAYLOAD;
use sigv4_vectors::{Context, Location, RawRequest};

/// The protocol version this harness speaks.
pub const PROTOCOL: u64 = 1;

/// Headers removed from a case's request before it goes to the adapter: the implementation
/// adds what it adds (`PROTOCOL.md`, "request.headers").
pub const STRIPPED_HEADERS: [&str; 4] = [
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
];

/// The request as it goes to the adapter: the case's, without [`STRIPPED_HEADERS`].
pub fn unsigned_request(request: &RawRequest) -> RawRequest {
    RawRequest {
        method: request.method.clone(),
        target: request.target.clone(),
        headers: request
            .headers
            .iter()
            .filter(|(n, _)| !STRIPPED_HEADERS.contains(&n.to_ascii_lowercase().as_str()))
            .cloned()
            .collect(),
        body: request.body.clone(),
    }
}

/// The `settings` object of a context at a location.
pub fn settings(context: &Context, location: Location) -> Value {
    let payload = match context.payload_hash.as_deref() {
        None => json!({"mode": "hash"}),
        Some(UNSIGNED_PAYLOAD) => json!({"mode": "unsigned"}),
        Some(h) => json!({"mode": "precomputed", "value": h}),
    };
    json!({
        "location": location.prefix(),
        "expires_in": match location {
            Location::Header => Value::Null,
            Location::Query => json!(context.expiration_in_seconds),
        },
        "uri_encoding": if context.double_uri_encode { "double" } else { "single" },
        "normalize_path": context.normalize,
        "payload": payload,
        "content_sha256_header": context.sign_body,
        "session_token": if context.omit_session_token { "after-signing" } else { "include" },
        "signed_headers": Value::Null,
    })
}

/// The `sign` message for a request under a context at a location.
pub fn sign_message(
    id: &str,
    request: &RawRequest,
    context: &Context,
    location: Location,
) -> Value {
    let r = unsigned_request(request);
    json!({
        "protocol": PROTOCOL,
        "op": "sign",
        "id": id,
        "request": {
            "method": r.method,
            "target": r.target,
            "headers": r.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
            "body_b64": base64::engine::general_purpose::STANDARD.encode(&r.body),
        },
        "credentials": {
            "access_key_id": context.credentials.access_key_id,
            "secret_access_key": context.credentials.secret_access_key,
            "session_token": context.credentials.token,
        },
        "time": context.timestamp,
        "region": context.region,
        "service": context.service,
        "settings": settings(context, location),
    })
}

/// An adapter's answer to `sign`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Signed.
    Signed(Signed),
    /// The adapter cannot express a setting.
    Unsupported(String),
    /// The library refused the input.
    Error(String),
}

/// A signed answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The signed request (the body is the one sent).
    pub request: RawRequest,
    /// Revealed canonical request.
    pub canonical_request: Option<String>,
    /// Revealed string to sign.
    pub string_to_sign: Option<String>,
    /// Revealed signature.
    pub signature: Option<String>,
}

/// Reads a `sign` answer; `body` is the body that was sent. `Err` says what is invalid.
pub fn parse_answer(v: &Value, body: &[u8]) -> Result<Answer, String> {
    if v.get("protocol").and_then(Value::as_u64) != Some(PROTOCOL) {
        return Err(format!("\"protocol\" is not {PROTOCOL}"));
    }
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    match v.get("status").and_then(Value::as_str) {
        Some("unsupported") => Ok(Answer::Unsupported(text("reason").unwrap_or_default())),
        Some("error") => Ok(Answer::Error(text("message").unwrap_or_default())),
        Some("ok") => {
            let s = v.get("signed").ok_or("\"signed\" is missing")?;
            let method = s
                .get("method")
                .and_then(Value::as_str)
                .ok_or("\"signed.method\" is missing")?;
            let target = s
                .get("target")
                .and_then(Value::as_str)
                .ok_or("\"signed.target\" is missing")?;
            let headers = s
                .get("headers")
                .and_then(Value::as_array)
                .ok_or("\"signed.headers\" is missing")?
                .iter()
                .map(|h| match h.as_array().map(Vec::as_slice) {
                    Some([Value::String(n), Value::String(v)]) => Ok((n.clone(), v.clone())),
                    _ => Err(format!("a header is not [name, value]: {h}")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Answer::Signed(Signed {
                request: RawRequest {
                    method: method.to_owned(),
                    target: target.to_owned(),
                    headers,
                    body: body.to_vec(),
                },
                canonical_request: text("canonical_request"),
                string_to_sign: text("string_to_sign"),
                signature: text("signature"),
            }))
        }
        other => Err(format!("unknown status {other:?}")),
    }
}

/// The signature carried by a signed request: `Signature=` of the `Authorization` header, or
/// the `X-Amz-Signature` query parameter.
pub fn carried_signature(r: &RawRequest) -> Option<String> {
    if let Some((_, auth)) = r
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
    {
        return auth
            .split([',', ' '])
            .find_map(|p| p.trim().strip_prefix("Signature="))
            .map(str::to_owned);
    }
    let (_, query) = r.target.split_once('?')?;
    sigv4_signer::internal::parse_query(query)
        .into_iter()
        .find(|(k, _)| k == b"X-Amz-Signature")
        .map(|(_, v)| String::from_utf8_lossy(&v).into_owned())
}
