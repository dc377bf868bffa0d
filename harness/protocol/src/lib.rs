//! The messages of the `sigv4` harness's adapter protocol (`harness/PROTOCOL.md`), versions 1
//! and 2, as types: one model for both sides. The harness builds [`Sign`] messages and reads
//! [`Answer`]s and [`Hello`]s; an adapter reads [`Sign`] and writes [`Answer`] and [`Hello`].
//!
//! Version 2 is a superset of version 1: SigV4a (`settings.algorithm`) and the chunked
//! extension (`settings.payload.mode = streaming-*`, `request.chunk_size`, `request.trailer`,
//! and `chunk_signatures` / `trailer_signature` / `signed_body_b64` in answers). A v1 message
//! serialises exactly as before: the v2 fields are left out when they hold their defaults.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Protocol version 1.
pub const V1: u64 = 1;
/// Protocol version 2.
pub const V2: u64 = 2;

/// The `hello` message, always sent as version 1 (`PROTOCOL.md`, "Negotiation").
pub fn hello_message() -> Value {
    json!({"protocol": V1, "op": "hello", "id": "hello"})
}

/// `request` of a sign message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// The method, as sent.
    pub method: String,
    /// The request-target as on the wire (path, `?`, raw query).
    pub target: String,
    /// `[name, value]` pairs in order, repeated names allowed.
    pub headers: Vec<(String, String)>,
    /// The body (for streaming modes, the decoded payload), base64.
    #[serde(default)]
    pub body_b64: String,
    /// Chunked extension: bytes per chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_size: Option<u64>,
    /// Chunked extension, trailer modes: the trailing headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trailer: Option<Vec<(String, String)>>,
}

impl Request {
    /// The body bytes.
    pub fn body(&self) -> Result<Vec<u8>, String> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.body_b64)
            .map_err(|e| format!("body_b64: {e}"))
    }

    /// The path part of the target (before `?`).
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
}

/// Base64 (standard alphabet, padded), as the protocol carries bodies.
pub fn base64_encode(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// `credentials` of a sign message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token, if any.
    #[serde(default)]
    pub session_token: Option<String>,
}

/// `settings.location`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// The `Authorization` header.
    Header,
    /// A presigned URL.
    Query,
}

/// `settings.uri_encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UriEncoding {
    /// Every service but S3: the wire path is encoded again.
    Double,
    /// S3: encoded once.
    Single,
}

/// `settings.session_token`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionToken {
    /// The token is signed.
    #[default]
    Include,
    /// The token is added after the signature is computed.
    AfterSigning,
}

/// `settings.algorithm` (version 2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// `AWS4-HMAC-SHA256`.
    #[default]
    Sigv4,
    /// `AWS4-ECDSA-P256-SHA256`; the top-level `region` is the region set.
    Sigv4a,
}

impl Algorithm {
    /// The name used in `hello.algorithms`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sigv4 => "sigv4",
            Self::Sigv4a => "sigv4a",
        }
    }

    fn is_sigv4(&self) -> bool {
        *self == Self::Sigv4
    }
}

/// `settings.payload`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum Payload {
    /// SHA-256 of the body.
    Hash,
    /// `UNSIGNED-PAYLOAD`.
    Unsigned,
    /// A given value.
    Precomputed {
        /// The value signed as the payload hash.
        value: String,
    },
    /// Chunked extension: `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`.
    StreamingSigned,
    /// Chunked extension: `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`.
    StreamingSignedTrailer,
    /// Chunked extension: `STREAMING-UNSIGNED-PAYLOAD-TRAILER`.
    StreamingUnsignedTrailer,
}

impl Payload {
    /// The `x-amz-content-sha256` value of a streaming mode, `None` for the others.
    pub fn streaming_value(&self) -> Option<&'static str> {
        match self {
            Self::StreamingSigned => Some("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
            Self::StreamingSignedTrailer => Some("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"),
            Self::StreamingUnsignedTrailer => Some("STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
            _ => None,
        }
    }
}

/// `settings` of a sign message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Header or query.
    pub location: Location,
    /// Seconds, for `query`.
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// Path encoding.
    pub uri_encoding: UriEncoding,
    /// Remove dot segments and empty segments.
    pub normalize_path: bool,
    /// The payload hash rule.
    pub payload: Payload,
    /// Add and sign `X-Amz-Content-Sha256`.
    #[serde(default)]
    pub content_sha256_header: bool,
    /// Session-token mode.
    #[serde(default)]
    pub session_token: SessionToken,
    /// The headers that must be signed beyond host and the implementation's x-amz-*.
    #[serde(default)]
    pub signed_headers: Option<Vec<String>>,
    /// Version 2: the algorithm (left out of the message for SigV4).
    #[serde(default, skip_serializing_if = "Algorithm::is_sigv4")]
    pub algorithm: Algorithm,
}

/// A `sign` message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sign {
    /// The protocol version of the message.
    pub protocol: u64,
    /// `"sign"`.
    pub op: String,
    /// The message id, echoed in the answer.
    pub id: String,
    /// The request before signing.
    pub request: Request,
    /// The credentials.
    pub credentials: Credentials,
    /// The signing time, RFC 3339 UTC.
    pub time: String,
    /// Credential scope region (SigV4a: the region set).
    pub region: String,
    /// Credential scope service.
    pub service: String,
    /// The signing settings.
    pub settings: Settings,
}

impl Sign {
    /// The message as JSON.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// What an adapter says in its `hello`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// Implementation name.
    #[serde(default)]
    pub name: String,
    /// Its version.
    #[serde(default)]
    pub version: String,
    /// Its language.
    #[serde(default)]
    pub language: String,
    /// The artifacts it reveals.
    #[serde(default)]
    pub reveals: Vec<String>,
    /// Version 2: the protocol versions it speaks (absent: `[1]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protocols: Vec<u64>,
    /// Version 2: the algorithms it signs (absent: `["sigv4"]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub algorithms: Vec<String>,
    /// Version 2: extensions (`"chunked"`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

impl Hello {
    /// Reads a hello answer; `Err` when its status is not `ok` or a field has the wrong type.
    pub fn from_answer(v: &Value) -> Result<Self, String> {
        if v.get("status").and_then(Value::as_str) != Some("ok") {
            return Err(format!("status is not ok: {v}"));
        }
        serde_json::from_value(v.clone()).map_err(|e| format!("{e}: {v}"))
    }

    /// The hello answer for `id`.
    pub fn to_answer(&self, id: &Value) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or_else(|_| json!({}));
        v["protocol"] = json!(V1);
        v["id"] = id.clone();
        v["status"] = json!("ok");
        v
    }

    /// The version the harness speaks with this adapter: 2 when it lists 2, else 1.
    pub fn protocol(&self) -> u64 {
        if self.protocols.contains(&V2) {
            V2
        } else {
            V1
        }
    }

    /// Whether it signs `algorithm` (an empty list means SigV4 only).
    pub fn signs(&self, algorithm: Algorithm) -> bool {
        if self.algorithms.is_empty() {
            algorithm == Algorithm::Sigv4
        } else {
            self.algorithms.iter().any(|a| a == algorithm.name())
        }
    }

    /// Whether it lists the extension `feature` (`"chunked"`).
    pub fn has_feature(&self, feature: &str) -> bool {
        self.features.iter().any(|f| f == feature)
    }
}

/// The signed request of an `ok` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedRequest {
    /// Method.
    pub method: String,
    /// Target with any added query parameters.
    pub target: String,
    /// Headers as sent.
    pub headers: Vec<(String, String)>,
    /// The body, base64, when the adapter reports it (absent: the body that was sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_b64: Option<String>,
}

/// An `ok` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    /// The signed request.
    pub signed: SignedRequest,
    /// The canonical request, if revealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_request: Option<String>,
    /// The string to sign, if revealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_to_sign: Option<String>,
    /// The signature, if revealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Chunked extension: one signature per chunk, the final empty chunk last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_signatures: Option<Vec<String>>,
    /// Chunked extension, `streaming-signed-trailer`: the trailer's signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trailer_signature: Option<String>,
    /// Chunked extension: the whole framed body, instead of the signatures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_body_b64: Option<String>,
}

/// The answer to a `sign` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Signed.
    Ok(Box<Signed>),
    /// The implementation cannot express a setting.
    Unsupported(String),
    /// The library refused the input.
    Error(String),
}

impl Answer {
    /// The answer line for `id` at `protocol`.
    pub fn to_value(&self, protocol: u64, id: &Value) -> Value {
        let mut v = match self {
            Self::Ok(s) => {
                let mut v = serde_json::to_value(s).unwrap_or_else(|_| json!({}));
                v["status"] = json!("ok");
                v
            }
            Self::Unsupported(reason) => json!({"status": "unsupported", "reason": reason}),
            Self::Error(message) => json!({"status": "error", "message": message}),
        };
        v["protocol"] = json!(protocol);
        v["id"] = id.clone();
        v
    }

    /// Reads an answer that must carry `"protocol": protocol`; `Err` says what is invalid.
    pub fn from_value(v: &Value, protocol: u64) -> Result<Self, String> {
        if v.get("protocol").and_then(Value::as_u64) != Some(protocol) {
            return Err(format!("\"protocol\" is not {protocol}"));
        }
        let text = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        match v.get("status").and_then(Value::as_str) {
            Some("unsupported") => Ok(Self::Unsupported(text("reason"))),
            Some("error") => Ok(Self::Error(text("message"))),
            Some("ok") => serde_json::from_value::<Signed>(v.clone())
                .map(|s| Self::Ok(Box::new(s)))
                .map_err(|e| e.to_string()),
            other => Err(format!("unknown status {other:?}")),
        }
    }
}

/// An `error` answer for a message that could not be read.
pub fn error_answer(protocol: u64, id: &Value, message: &str) -> Value {
    Answer::Error(message.to_owned()).to_value(protocol, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example messages of PROTOCOL.md read as types and write back unchanged.
    #[test]
    fn protocol_md_examples_round_trip() {
        let sign = json!({"protocol":1,"op":"sign","id":"aws/get-vanilla/header",
         "request":{"method":"GET","target":"/path/to%20x?Param2=value2&Param1=value1",
           "headers":[["Host","example.amazonaws.com"],["My-Header1","a  b"]],"body_b64":""},
         "credentials":{"access_key_id":"AKIDEXAMPLE",
                        "secret_access_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                        "session_token":null},
         "time":"2015-08-30T12:36:00Z","region":"us-east-1","service":"service",
         "settings":{"location":"header","expires_in":null,"uri_encoding":"double",
           "normalize_path":true,"payload":{"mode":"hash"},"content_sha256_header":false,
           "session_token":"include","signed_headers":null}});
        let typed: Sign = serde_json::from_value(sign.clone()).unwrap();
        assert_eq!(typed.to_value(), sign);
        let v2 = json!({"protocol":2,"op":"sign","id":"x",
         "request":{"method":"PUT","target":"/k","headers":[["Host","h"]],"body_b64":"",
                    "chunk_size":8192,"trailer":[["x-amz-checksum-crc32","AAAAAA=="]]},
         "credentials":{"access_key_id":"A","secret_access_key":"S","session_token":null},
         "time":"2015-08-30T12:36:00Z","region":"us-east-1,us-west-2","service":"s3",
         "settings":{"location":"header","expires_in":null,"uri_encoding":"single",
           "normalize_path":false,"payload":{"mode":"streaming-signed-trailer"},
           "content_sha256_header":true,"session_token":"include","signed_headers":null,
           "algorithm":"sigv4a"}});
        let typed: Sign = serde_json::from_value(v2.clone()).unwrap();
        assert_eq!(typed.settings.algorithm, Algorithm::Sigv4a);
        assert_eq!(typed.to_value(), v2);
        let hello = json!({"protocol":1,"id":"hello","status":"ok","name":"botocore",
            "version":"1.43.11","language":"python",
            "reveals":["canonical_request","string_to_sign","signature"]});
        let h = Hello::from_answer(&hello).unwrap();
        assert_eq!(h.protocol(), V1);
        assert!(h.signs(Algorithm::Sigv4) && !h.signs(Algorithm::Sigv4a));
        assert_eq!(h.to_answer(&json!("hello")), hello);
        let unsupported = json!({"protocol":1,"id":"i","status":"unsupported","reason":"r"});
        assert_eq!(
            Answer::from_value(&unsupported, V1).unwrap(),
            Answer::Unsupported("r".into())
        );
        assert!(Answer::from_value(&unsupported, V2).is_err());
    }
}
