//! What happened to each request ([`Verdict`]) and the bounded log of them that
//! `GET /_mock-aws/verdicts` shows ([`VerdictLog`]).

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::framing::parse_form;
use crate::message::Request;

/// What happened to one request.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Verdict {
    /// Sequence number since start (or the last reset), from 1.
    pub seq: u64,
    /// Method (a standard one without a copy).
    pub method: Cow<'static, str>,
    /// Raw request-target.
    pub path: String,
    /// How the request is signed, from its shape: `SigV4`, `SigV4a`, `SigV2` (S3's legacy
    /// HMAC-SHA1 scheme), `unsigned` (no signature at all), or `unrecognised` (an
    /// `Authorization` or `X-Amz-Algorithm` of no AWS scheme).
    pub auth: &'static str,
    /// Whether the signature is in the query (a presigned URL) rather than `Authorization`.
    pub presigned: bool,
    /// Access key of the credential, when it parsed.
    pub access_key: Option<String>,
    /// Service (from the credential scope, or guessed; a known one without a copy).
    pub service: Cow<'static, str>,
    /// Operation, when known.
    pub operation: Option<String>,
    /// `accepted` or `rejected`.
    pub outcome: &'static str,
    /// HTTP status answered.
    pub status: u16,
    /// AWS error code answered.
    pub error_code: Option<String>,
    /// The verifier's stable code.
    pub verifier_code: Option<String>,
    /// The diagnosis sentence, on a signature mismatch that a known mistake explains.
    pub diagnosis: Option<String>,
    /// The diagnosis's stable code.
    pub diagnosis_code: Option<String>,
    /// The canonical request the server computed.
    pub canonical_request: Option<String>,
    /// The string to sign the server computed.
    pub string_to_sign: Option<String>,
    /// The request's `SignedHeaders`, as sent.
    pub signed_headers: Option<String>,
    /// The signature the request carried.
    pub signature: Option<String>,
    /// The client's canonical request, when it sent one (`x-mock-aws-canonical-request`).
    pub client_canonical_request: Option<String>,
    /// The first line where the client's canonical request differs from the server's.
    pub canonical_request_diff: Option<String>,
    /// For an `aws-chunked` body: its mode and what was verified (or why it failed).
    pub streaming: Option<String>,
    /// The HTTP version the request came over (`HTTP/1.1`, `HTTP/2`), when served by
    /// [`server`](crate::server).
    pub http_version: Option<&'static str>,
}

impl Verdict {
    /// A verdict for request `seq` before anything is known but its head and service.
    pub fn new(seq: u64, method: &str, path: &str, service: &str) -> Self {
        Self::with_service(seq, method, path, Cow::Owned(service.to_owned()))
    }

    /// [`Verdict::new`] with the service as routed ([`crate::routing::Target`]'s, a known
    /// name without a copy).
    fn with_service(seq: u64, method: &str, path: &str, service: Cow<'static, str>) -> Self {
        Self {
            seq,
            method: static_method(method),
            path: path.to_owned(),
            auth: "unsigned",
            presigned: false,
            access_key: None,
            service,
            operation: None,
            outcome: "rejected",
            status: 0,
            error_code: None,
            verifier_code: None,
            diagnosis: None,
            diagnosis_code: None,
            canonical_request: None,
            string_to_sign: None,
            signed_headers: None,
            signature: None,
            client_canonical_request: None,
            canonical_request_diff: None,
            streaming: None,
            http_version: crate::server::http_version(),
        }
    }
}

impl Verdict {
    /// A verdict for request `seq` before anything is known but its head, its signing scheme
    /// ([`auth_scheme`]) and its service.
    pub fn for_request(seq: u64, req: &Request, service: Cow<'static, str>) -> Self {
        let (auth, presigned) = auth_scheme(req);
        Self {
            auth,
            presigned,
            ..Self::with_service(seq, &req.method, &req.target, service)
        }
    }
}

/// `method` as a `'static` name when it is one of HTTP's (RFC 9110 section 9) or `PATCH`,
/// else copied.
fn static_method(method: &str) -> Cow<'static, str> {
    const METHODS: &[&str] = &[
        "GET", "PUT", "POST", "HEAD", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE",
    ];
    match METHODS.iter().find(|m| **m == method) {
        Some(m) => Cow::Borrowed(*m),
        None => Cow::Owned(method.to_owned()),
    }
}

/// How `req` is signed, by its shape alone (before anything is verified), and whether in the
/// query: the `Authorization` header's scheme (`AWS4-HMAC-SHA256` SigV4,
/// `AWS4-ECDSA-P256-SHA256` SigV4a, `AWS AKID:SIG` SigV2), else the query's `X-Amz-Algorithm`
/// (SigV4 or SigV4a presigned) or `AWSAccessKeyId`/`Signature` (SigV2 presigned), else
/// `unsigned`.
pub fn auth_scheme(req: &Request) -> (&'static str, bool) {
    if let Some(a) = req.header("authorization") {
        let a = a.trim_start();
        let scheme = if a.starts_with("AWS4-HMAC-SHA256") {
            "SigV4"
        } else if a.starts_with("AWS4-ECDSA-P256-SHA256") {
            "SigV4a"
        } else if a.starts_with("AWS ") {
            "SigV2"
        } else {
            "unrecognised"
        };
        return (scheme, false);
    }
    let query = req.path_and_query().unwrap_or_default().1;
    if !["X-Amz-Algorithm", "AWSAccessKeyId", "Signature"]
        .iter()
        .any(|k| query.contains(k))
    {
        return ("unsigned", false);
    }
    let params = parse_form(query);
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    match get("X-Amz-Algorithm") {
        Some("AWS4-HMAC-SHA256") => ("SigV4", true),
        Some("AWS4-ECDSA-P256-SHA256") => ("SigV4a", true),
        Some(_) => ("unrecognised", true),
        None if get("AWSAccessKeyId").is_some() || get("Signature").is_some() => ("SigV2", true),
        None => ("unsigned", false),
    }
}

/// The most recent verdicts (a ring buffer of `capacity`, at least 1) and counters of every
/// verdict since start or the last [`clear`](Self::clear).
#[derive(Debug)]
pub struct VerdictLog {
    capacity: usize,
    inner: Mutex<Counted>,
}

#[derive(Debug, Default)]
struct Counted {
    /// Shared with the caller that logs it: recorded without a copy.
    recent: VecDeque<Arc<Verdict>>,
    total: u64,
    accepted: u64,
    rejected: u64,
}

impl VerdictLog {
    /// An empty log keeping the last `capacity` verdicts.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Counted::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counted> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts `v` and keeps it, dropping the oldest when full. The log shares `v` with the
    /// caller (no copy of its canonical request and string to sign per request).
    pub fn record(&self, v: Arc<Verdict>) {
        let mut vs = self.lock();
        vs.total += 1;
        if v.outcome == "accepted" {
            vs.accepted += 1;
        } else {
            vs.rejected += 1;
        }
        let evicted = if vs.recent.len() >= self.capacity.max(1) {
            vs.recent.pop_front()
        } else {
            None
        };
        vs.recent.push_back(v);
        drop(vs);
        // The oldest verdict is freed after the lock is released.
        drop(evicted);
    }

    /// Forgets every verdict and zeroes the counters.
    pub fn clear(&self) {
        *self.lock() = Counted::default();
    }

    /// The body of `GET /_mock-aws/verdicts`: `{"total", "accepted", "rejected", "capacity",
    /// "verdicts": [...]}`.
    pub fn to_json(&self) -> serde_json::Value {
        let vs = self.lock();
        serde_json::json!({
            "total": vs.total,
            "accepted": vs.accepted,
            "rejected": vs.rejected,
            "capacity": self.capacity,
            "verdicts": vs.recent.iter().map(|v| &**v).collect::<Vec<&Verdict>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A method is the same text whether kept as a literal or copied.
    #[test]
    fn static_method_is_the_method() {
        for m in ["GET", "PUT", "POST", "HEAD", "DELETE", "OPTIONS", "PATCH"] {
            assert!(
                matches!(static_method(m), Cow::Borrowed(b) if b == m),
                "{m}"
            );
        }
        for m in ["get", "PROPFIND", ""] {
            assert!(matches!(static_method(m), Cow::Owned(o) if o == m), "{m}");
        }
    }
}
