//! The request and response a [`MockAws`](crate::MockAws) handles, and the one conversion from
//! an HTTP request head (hyper's, or wiremock's, which is hyper's too) to a [`Request`].

use std::borrow::Cow;

use crate::storage::Segment;

/// A request as received: the raw request-target exactly as on the wire, headers in arrival
/// order, the body.
pub use sigv4_signer::internal::OwnedRequest as Request;

/// A response to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Headers. A name is nearly always one the service writes as a literal, kept without a
    /// copy (issue 17: one allocation per header of every answer).
    pub headers: Vec<(Cow<'static, str>, String)>,
    /// Body (empty when `stream` is set).
    pub body: Vec<u8>,
    /// A body sent from storage instead of `body`: these pieces of an object, in order, a
    /// frame at a time (GetObject), so that an object is never read into memory whole.
    pub stream: Option<Vec<Segment>>,
}

impl Response {
    /// A response with a content type.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: {
                // Room for the headers an answer usually gets (GetObject's seven and the
                // request id): no regrowth as they are added.
                let mut h = Vec::with_capacity(8);
                h.push((Cow::Borrowed("Content-Type"), content_type.to_owned()));
                h
            },
            body: body.into(),
            stream: None,
        }
    }

    /// A response with no body and no header (a 204, say).
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            stream: None,
        }
    }

    /// A response whose body is `segments` of storage, sent a frame at a time.
    pub fn streamed(status: u16, content_type: &str, segments: Vec<Segment>) -> Self {
        Self {
            stream: Some(segments),
            ..Self::new(status, content_type, Vec::new())
        }
    }

    /// The body's length: `body`'s, or the streamed segments' together.
    pub fn body_len(&self) -> u64 {
        match &self.stream {
            Some(segs) => segs.iter().map(Segment::len).sum(),
            None => self.body.len() as u64,
        }
    }

    /// The whole body in memory (the streamed segments read and joined), for callers that
    /// handle a request in-process and want its bytes.
    pub fn body_bytes(&self) -> std::io::Result<Vec<u8>> {
        let Some(segs) = &self.stream else {
            return Ok(self.body.clone());
        };
        let mut out = Vec::with_capacity(usize::try_from(self.body_len()).unwrap_or(0));
        for seg in segs {
            seg.read_frames(|frame| {
                out.extend_from_slice(&frame);
                true
            })?;
        }
        Ok(out)
    }

    /// Adds a header (a literal name is kept without a copy, any other is owned).
    pub fn with_header(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<String>,
    ) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A [`Request`] from an HTTP request head: the method, the request-target as received (the
/// caller decides: hyper's raw `path_and_query`, or wiremock's re-serialised URL), the headers
/// in arrival order with their values as lossy UTF-8, and the body.
pub fn request_from_http(
    method: &hyper::Method,
    target: String,
    headers: &hyper::HeaderMap,
    body: Vec<u8>,
) -> Request {
    Request {
        method: method.as_str().to_owned(),
        target,
        headers: headers
            .iter()
            .map(|(n, v)| {
                // Visible ASCII (nearly every value) is checked by `to_str`'s byte test,
                // cheaper than the UTF-8 decoder; anything else decodes as lossy UTF-8.
                let value = match v.to_str() {
                    Ok(s) => s.to_owned(),
                    Err(_) => String::from_utf8_lossy(v.as_bytes()).into_owned(),
                };
                (n.as_str().to_owned(), value)
            })
            .collect(),
        body,
    }
}
