//! What is signed: method, request-target, headers in order, body; and what signing makes.

use std::fmt;

use crate::error::{shorten, RequestError};

/// A request to sign, borrowed from the caller.
#[derive(Debug, Clone, Default)]
pub struct SignableRequest<'a> {
    /// HTTP method, as sent.
    pub method: &'a str,
    /// The request-target as on the wire: `/path?query` (origin form) or
    /// `scheme://authority/path?query` (absolute form). A fragment is ignored.
    pub target: &'a str,
    /// Headers in arrival order, repeats allowed.
    pub headers: Vec<(&'a str, &'a str)>,
    /// The body.
    pub body: &'a [u8],
}

impl<'a> SignableRequest<'a> {
    /// A request without headers or body.
    pub fn new(method: &'a str, target: &'a str) -> Self {
        Self {
            method,
            target,
            headers: Vec::new(),
            body: &[],
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        if self.headers.capacity() == 0 {
            // The first header: room for four (what growing from empty gives), allocated
            // directly rather than through the vector's general growth path.
            self.headers = Vec::with_capacity(4);
        }
        self.headers.push((name, value));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// Path and query of the target (query without `?`, empty when absent).
    pub fn path_and_query(&self) -> Result<(&'a str, &'a str), RequestError> {
        split_target(self.target)
    }
}

/// Splits a request-target into path and query.
pub fn split_target(target: &str) -> Result<(&str, &str), RequestError> {
    // No early exit: the compiler vectorises the whole scan.
    let control = target
        .bytes()
        .fold(false, |bad, b| bad | (b < 0x20) | (b == 0x7f));
    if target.is_empty() || control {
        return Err(RequestError::InvalidTarget {
            target: shorten(target),
        });
    }
    let mut t = target;
    if let Some(rest) = t
        .strip_prefix("http://")
        .or_else(|| t.strip_prefix("https://"))
    {
        t = rest.find(['/', '?']).map_or("", |i| &rest[i..]);
    }
    // Byte scans rather than `str::split`: targets are short, and this runs per signature. A
    // fragment (`#...`) ends the target; the query starts at the first `?` before it.
    Ok(match find_either(t.as_bytes(), b'?', b'#') {
        Some(i) if t.as_bytes()[i] == b'?' => {
            let q = &t[i + 1..];
            (
                &t[..i],
                &q[..find_either(q.as_bytes(), b'#', b'#').unwrap_or(q.len())],
            )
        }
        Some(i) => (&t[..i], ""),
        None => (t, ""),
    })
}

/// The index of the first byte of `b` that is `x` or `y`. Eight bytes at a time, as a `u64`:
/// `(v - 0x01..01) & !v & 0x80..80` flags the zero bytes of `v` (Hacker's Delight, section
/// 6-1), the lowest flag always a true one, so `v ^ x..x` flags the bytes equal to `x`.
pub(crate) fn find_either(b: &[u8], x: u8, y: u8) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let (wx, wy) = (LO * u64::from(x), LO * u64::from(y));
    let zeros = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let v = u64::from_le_bytes(w);
        let m = zeros(v ^ wx) | zeros(v ^ wy);
        if m != 0 {
            return Some(at + (m.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == x || c == y)
        .map(|i| at + i)
}

/// A request that owns its parts: what signing produces ([`SignedRequest`]), what a server
/// receives, what a test file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnedRequest {
    /// HTTP method.
    pub method: String,
    /// Request-target as on the wire (with the presigning parameters, after query auth).
    pub target: String,
    /// All headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// A request after signing: what goes on the wire.
pub type SignedRequest = OwnedRequest;

impl OwnedRequest {
    /// The request as the signer and verifier take it.
    pub fn signable(&self) -> SignableRequest<'_> {
        SignableRequest {
            method: &self.method,
            target: &self.target,
            headers: self
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect(),
            body: &self.body,
        }
    }

    /// Path and query of the target; see [`split_target`].
    pub fn path_and_query(&self) -> Result<(&str, &str), RequestError> {
        split_target(&self.target)
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The request in the layout of the AWS suite's `*-signed-request.txt`: request line,
    /// `Name:value` lines, an empty line, the body.
    pub fn to_http1(&self) -> Vec<u8> {
        let mut out = format!("{} {} HTTP/1.1\n", self.method, self.target).into_bytes();
        for (n, v) in &self.headers {
            out.extend_from_slice(n.as_bytes());
            out.push(b':');
            out.extend_from_slice(v.as_bytes());
            out.push(b'\n');
        }
        out.push(b'\n');
        out.extend_from_slice(&self.body);
        out
    }
}

impl fmt::Display for OwnedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_http1()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_targets() {
        assert_eq!(split_target("/a?b=c").unwrap(), ("/a", "b=c"));
        assert_eq!(split_target("/a").unwrap(), ("/a", ""));
        assert_eq!(split_target("https://h:1/p?q#f").unwrap(), ("/p", "q"));
        assert_eq!(split_target("http://h").unwrap(), ("", ""));
        assert_eq!(
            split_target("/example space/").unwrap(),
            ("/example space/", "")
        );
        assert!(split_target("").is_err());
        assert!(split_target("/a\nb").is_err());
    }

    proptest::proptest! {
        // The word-at-a-time search finds what a byte-by-byte one finds.
        #[test]
        fn find_either_is_position(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40), x: u8, y: u8) {
            let want = b.iter().position(|&c| c == x || c == y);
            proptest::prop_assert_eq!(find_either(&b, x, y), want);
            let bias: Vec<u8> = b.iter().map(|&c| if c % 5 == 0 { x } else { c }).collect();
            let want = bias.iter().position(|&c| c == x || c == y);
            proptest::prop_assert_eq!(find_either(&bias, x, y), want);
        }
    }
}
