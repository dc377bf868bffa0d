//! The request and response a [`MockAws`](crate::MockAws) handles, and the one conversion from
//! an HTTP request head (hyper's, or wiremock's, which is hyper's too) to a [`Request`].

/// A request as received: the raw request-target exactly as on the wire, headers in arrival
/// order, the body.
pub use sigv4_signer::internal::OwnedRequest as Request;

/// A response to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with a content type.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: body.into(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
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
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    }
}
