//! The canonical request: method, canonical URI, canonical query, canonical headers,
//! signed headers and payload hash, one per line.

use std::fmt;

use crate::headers::CanonicalHeaders;

/// A canonical request, with each part readable on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    /// The HTTP method, as sent.
    pub method: String,
    /// See [`crate::uri`].
    pub uri: String,
    /// See [`crate::query`].
    pub query: String,
    /// See [`crate::headers`].
    pub headers: CanonicalHeaders,
    /// See [`crate::payload`].
    pub payload_hash: String,
}

impl CanonicalRequest {
    /// `a;b;c`.
    pub fn signed_headers(&self) -> String {
        self.headers.signed_headers()
    }
}

impl fmt::Display for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.method)?;
        writeln!(f, "{}", self.uri)?;
        writeln!(f, "{}", self.query)?;
        for (n, v) in self.headers.entries() {
            writeln!(f, "{n}:{v}")?;
        }
        writeln!(f)?;
        writeln!(f, "{}", self.headers.signed_headers())?;
        f.write_str(&self.payload_hash)
    }
}
