//! The canonical request: method, canonical URI, canonical query, canonical headers,
//! signed headers and payload hash, one per line.
//!
//! # One writer
//!
//! [`write_canonical_request`] is the only place a canonical request is assembled. Signing
//! (SigV4 and SigV4a, header and query auth), verification and diagnosis all call it: the
//! signer with the request and its settings, the verifier with the received request and the
//! headers its `SignedHeaders` names, and diagnosis with the same inputs varied the way a
//! faulty client varies them ([`Rules`] other than the rule, a header value other than the
//! one received, another payload hash). [`CanonicalRequest`] is a read-only view of what it
//! wrote.

use std::fmt;

use crate::headers::{CanonicalHeaders, HeaderStyle, NameSpans, SignedHeaders};
use crate::query::{canonical_query_into, AddedParam, QueryStyle, SkipFn};
use crate::sign::Span;
use crate::uri::{canonical_uri_into, NormalizationMode, PathEncoding, UriEncodingMode};

/// How each part is canonicalised: the service's rule, or a deviation a faulty client makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Rules {
    pub(crate) uri_encoding: PathEncoding,
    pub(crate) normalization: NormalizationMode,
    pub(crate) query: QueryStyle,
    pub(crate) headers: HeaderStyle,
}

impl Rules {
    /// The rule of a service that encodes and normalises as given.
    pub(crate) fn of(uri_encoding: UriEncodingMode, normalization: NormalizationMode) -> Self {
        Self {
            uri_encoding: uri_encoding.into(),
            normalization,
            ..Self::default()
        }
    }
}

/// What goes into a canonical request.
pub(crate) struct Parts<'p, 'a> {
    pub(crate) method: &'p str,
    /// The path as on the wire.
    pub(crate) path: &'p str,
    /// The raw query, without `?`.
    pub(crate) query: &'p str,
    /// Parameters added to the query (the `X-Amz-*` of a presigned request).
    pub(crate) added_query: &'p [AddedParam<'p>],
    /// Parameters of `query` left out, by decoded key (a verifier leaves out
    /// `X-Amz-Signature`).
    pub(crate) skip_query: Option<&'p SkipFn<'p>>,
    pub(crate) headers: &'p SignedHeaders<'p, 'a>,
    pub(crate) payload_hash: &'p str,
}

/// Where [`write_canonical_request`] wrote the canonical request, its signed-headers list and
/// its payload hash.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WrittenRequest {
    pub(crate) all: Span,
    pub(crate) signed_headers: Span,
    pub(crate) payload_hash: Span,
}

/// Appends the canonical request of `parts` under `rules` to `out`.
pub(crate) fn write_canonical_request(
    out: &mut String,
    parts: &Parts<'_, '_>,
    rules: Rules,
) -> WrittenRequest {
    let start = out.len();
    out.push_str(parts.method);
    out.push('\n');
    canonical_uri_into(out, parts.path, rules.uri_encoding, rules.normalization);
    out.push('\n');
    canonical_query_into(
        out,
        parts.query,
        parts.added_query,
        parts.skip_query,
        rules.query,
    );
    out.push('\n');
    let mut names = NameSpans::default();
    parts.headers.write_lines(out, rules.headers, &mut names);
    out.push('\n');
    let names_start = out.len();
    parts.headers.copy_names(out, &names);
    let signed_headers = Span::since(names_start, out);
    out.push('\n');
    let payload_start = out.len();
    out.push_str(parts.payload_hash);
    WrittenRequest {
        all: Span::since(start, out),
        signed_headers,
        payload_hash: Span::since(payload_start, out),
    }
}

/// A canonical request, read part by part: a view of the text the one writer
/// wrote (or of one a client printed: [`CanonicalRequest::parse`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    text: String,
    lines: Vec<Span>,
    headers: CanonicalHeaders,
}

impl CanonicalRequest {
    /// Reads a canonical request: method, URI, query, one `name:value` line per header, an
    /// empty line, the signed-headers list, the payload hash. Text that is not of that shape
    /// is read as far as it goes (missing parts are empty), so a client's faulty canonical
    /// request can be set against ours.
    pub fn parse(text: &str) -> Self {
        let mut lines = Vec::new();
        let mut at = 0;
        for line in text.split('\n') {
            lines.push(Span {
                start: at,
                end: at + line.len(),
            });
            at += line.len() + 1;
        }
        let mut view = Self {
            text: text.to_owned(),
            lines,
            headers: CanonicalHeaders::default(),
        };
        let block = view.header_block();
        view.headers = CanonicalHeaders::parse(&text[block.start..block.end]);
        view
    }

    fn line(&self, i: usize) -> &str {
        self.lines.get(i).map_or("", |s| &self.text[s.start..s.end])
    }

    /// The header lines: from line 3 up to the first empty line.
    fn header_block(&self) -> Span {
        let first = self.lines.get(3).map_or(self.text.len(), |s| s.start);
        let end = self
            .lines
            .iter()
            .skip(3)
            .find(|s| s.start == s.end)
            .map_or(self.text.len(), |s| s.start);
        Span {
            start: first.min(end),
            end,
        }
    }

    /// The index of the signed-headers line.
    fn names_line(&self) -> usize {
        let empty = self
            .lines
            .iter()
            .enumerate()
            .skip(3)
            .find(|(_, s)| s.start == s.end)
            .map_or(self.lines.len(), |(i, _)| i);
        empty + 1
    }

    /// The whole text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The HTTP method, as sent.
    pub fn method(&self) -> &str {
        self.line(0)
    }

    /// The canonical URI.
    pub fn uri(&self) -> &str {
        self.line(1)
    }

    /// The canonical query.
    pub fn query(&self) -> &str {
        self.line(2)
    }

    /// The canonical headers, in order.
    pub fn headers(&self) -> &CanonicalHeaders {
        &self.headers
    }

    /// The signed-headers list, `a;b;c`.
    pub fn signed_headers(&self) -> &str {
        self.line(self.names_line())
    }

    /// The payload hash.
    pub fn payload_hash(&self) -> &str {
        self.line(self.names_line() + 1)
    }
}

impl fmt::Display for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_parts_back() {
        // AWS's suite, get-vanilla-query-order-key-case.
        let text = "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let c = CanonicalRequest::parse(text);
        assert_eq!(
            (c.method(), c.uri(), c.query()),
            ("GET", "/", "Param1=value1&Param2=value2")
        );
        assert_eq!(c.headers().entries().len(), 2);
        assert_eq!(c.signed_headers(), "host;x-amz-date");
        assert!(c.payload_hash().starts_with("e3b0c442"));
        assert_eq!(c.to_string(), text);
        let short = CanonicalRequest::parse("GET\n/");
        assert_eq!((short.query(), short.payload_hash()), ("", ""));
    }
}
