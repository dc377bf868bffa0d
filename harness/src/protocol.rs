//! Building `sign` messages (protocol 1 and 2, typed by `sigv4_protocol`) from cases, and
//! reading the answers.

use base64::Engine as _;
use serde_json::Value;
use sigv4_protocol as p;
use sigv4_signer::chunked::{ChecksumAlgorithm, StreamingMode};
use sigv4_vectors::{Case, Context, Location, RawRequest};

/// `UNSIGNED-PAYLOAD`.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Headers removed from a case's request before it goes to the adapter: the implementation
/// adds what it adds (`PROTOCOL.md`, "request.headers").
pub const STRIPPED_HEADERS: [&str; 4] = [
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
];

/// The request as it goes to the adapter: the case's, without [`STRIPPED_HEADERS`] (and, for
/// SigV4a, without `X-Amz-Region-Set`, which the signer adds).
pub fn unsigned_request(request: &RawRequest) -> RawRequest {
    RawRequest {
        method: request.method.clone(),
        target: request.target.clone(),
        headers: request
            .headers
            .iter()
            .filter(|(n, _)| {
                let l = n.to_ascii_lowercase();
                !STRIPPED_HEADERS.contains(&l.as_str()) && l != "x-amz-region-set"
            })
            .cloned()
            .collect(),
        body: request.body.clone(),
    }
}

/// The streaming mode of a case, if it is an aws-chunked one.
pub fn streaming_mode(context: &Context) -> Option<StreamingMode> {
    context
        .streaming
        .as_ref()
        .and_then(|s| StreamingMode::from_content_sha256(&s.mode))
}

/// The trailer of a streaming case: the checksum of the body, when the case names one.
pub fn trailer(context: &Context, body: &[u8]) -> Option<Vec<(String, String)>> {
    let s = context.streaming.as_ref()?;
    let c = ChecksumAlgorithm::from_header_name(s.checksum.as_deref()?)?;
    Some(vec![(c.header_name().to_owned(), c.digest(body))])
}

/// The `settings` of a context at a location.
pub fn settings(context: &Context, location: Location, v4a: bool) -> p::Settings {
    let payload = match streaming_mode(context) {
        Some(StreamingMode::SignedPayload) => p::Payload::StreamingSigned,
        Some(StreamingMode::SignedPayloadTrailer) => p::Payload::StreamingSignedTrailer,
        Some(_) => p::Payload::StreamingUnsignedTrailer,
        None => match context.payload_hash.as_deref() {
            None => p::Payload::Hash,
            Some(UNSIGNED_PAYLOAD) => p::Payload::Unsigned,
            Some(h) => p::Payload::Precomputed {
                value: h.to_owned(),
            },
        },
    };
    p::Settings {
        location: match location {
            Location::Header => p::Location::Header,
            Location::Query => p::Location::Query,
        },
        expires_in: match location {
            Location::Header => None,
            Location::Query => Some(context.expiration_in_seconds),
        },
        uri_encoding: if context.double_uri_encode {
            p::UriEncoding::Double
        } else {
            p::UriEncoding::Single
        },
        normalize_path: context.normalize,
        payload,
        content_sha256_header: context.sign_body,
        session_token: if context.omit_session_token {
            p::SessionToken::AfterSigning
        } else {
            p::SessionToken::Include
        },
        signed_headers: None,
        algorithm: if v4a {
            p::Algorithm::Sigv4a
        } else {
            p::Algorithm::Sigv4
        },
    }
}

/// The `sign` message for a SigV4 request under a context at a location (protocol 1).
pub fn sign_message(
    id: &str,
    request: &RawRequest,
    context: &Context,
    location: Location,
) -> Value {
    sign_message_v(id, request, context, location, false, p::V1)
}

/// The `sign` message of a case (SigV4a when it has a public key) at `protocol`.
pub fn case_message(id: &str, case: &Case, location: Location, protocol: u64) -> Value {
    sign_message_v(
        id,
        &case.request,
        &case.context,
        location,
        case.public_key.is_some(),
        protocol,
    )
}

fn sign_message_v(
    id: &str,
    request: &RawRequest,
    context: &Context,
    location: Location,
    v4a: bool,
    protocol: u64,
) -> Value {
    let r = unsigned_request(request);
    let streaming = context.streaming.as_ref();
    p::Sign {
        protocol,
        op: "sign".into(),
        id: id.to_owned(),
        request: p::Request {
            method: r.method,
            target: r.target,
            headers: r.headers,
            body_b64: p::base64_encode(&r.body),
            chunk_size: streaming.map(|s| s.chunk_size),
            trailer: trailer(context, &r.body),
        },
        credentials: p::Credentials {
            access_key_id: context.credentials.access_key_id.clone(),
            secret_access_key: context.credentials.secret_access_key.clone(),
            session_token: context.credentials.token.clone(),
        },
        time: context.timestamp.clone(),
        region: context.region.clone(),
        service: context.service.clone(),
        settings: settings(context, location, v4a),
    }
    .to_value()
}

/// An adapter's answer to `sign`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Signed.
    Signed(Box<Signed>),
    /// The adapter cannot express a setting.
    Unsupported(String),
    /// The library refused the input.
    Error(String),
}

/// A signed answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The signed request (the body is the adapter's when it reports one, else the one sent).
    pub request: RawRequest,
    /// Revealed canonical request.
    pub canonical_request: Option<String>,
    /// Revealed string to sign.
    pub string_to_sign: Option<String>,
    /// Revealed signature.
    pub signature: Option<String>,
    /// Chunked extension: chunk signatures.
    pub chunk_signatures: Option<Vec<String>>,
    /// Chunked extension: the trailer signature.
    pub trailer_signature: Option<String>,
    /// Chunked extension: the framed body.
    pub signed_body: Option<Vec<u8>>,
}

/// Reads a protocol-1 `sign` answer; `body` is the body that was sent.
pub fn parse_answer(v: &Value, body: &[u8]) -> Result<Answer, String> {
    parse_answer_v(v, body, p::V1)
}

/// Reads a `sign` answer at `protocol`; `body` is the body that was sent. `Err` says what is
/// invalid.
pub fn parse_answer_v(v: &Value, body: &[u8], protocol: u64) -> Result<Answer, String> {
    let b64 = |s: &str, what: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(|e| format!("{what} is not base64: {e}"))
    };
    Ok(match p::Answer::from_value(v, protocol)? {
        p::Answer::Unsupported(r) => Answer::Unsupported(r),
        p::Answer::Error(m) => Answer::Error(m),
        p::Answer::Ok(s) => {
            let s = *s;
            let sent_body = match &s.signed.body_b64 {
                Some(b) => b64(b, "signed.body_b64")?,
                None => body.to_vec(),
            };
            Answer::Signed(Box::new(Signed {
                request: RawRequest {
                    method: s.signed.method,
                    target: s.signed.target,
                    headers: s.signed.headers,
                    body: sent_body,
                },
                canonical_request: s.canonical_request,
                string_to_sign: s.string_to_sign,
                signature: s.signature,
                chunk_signatures: s.chunk_signatures,
                trailer_signature: s.trailer_signature,
                signed_body: s
                    .signed_body_b64
                    .as_deref()
                    .map(|b| b64(b, "signed_body_b64"))
                    .transpose()?,
            }))
        }
    })
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
    query_params(query)
        .into_iter()
        .find(|(k, _)| k == "X-Amz-Signature")
        .map(|(_, v)| v)
}

/// The query's parameters, percent-decoded (a `+` is a space), in wire order (the signer's
/// parser, UTF-8 lossy).
pub fn query_params(query: &str) -> Vec<(String, String)> {
    sigv4_signer::internal::parse_query(query)
        .into_iter()
        .map(|(k, v)| {
            (
                String::from_utf8_lossy(&k).into_owned(),
                String::from_utf8_lossy(&v).into_owned(),
            )
        })
        .collect()
}
