//! Parser for the suite's `request.txt` and `*-signed-request.txt`.
//!
//! The files are HTTP/1.1-like, with quirks this parser accepts: raw spaces and UTF-8 in the
//! request-target (`GET /example space/ HTTP/1.1`), `LF` line ends (a `CR` before it is
//! dropped), obs-fold continuation lines (a line starting with a space or tab continues the
//! previous header: the parts are joined with one space, as RFC 9112 section 5.2 says a
//! recipient may do), repeated headers (kept, in order), and a body after the first empty
//! line, taken byte for byte. Header values are stored without the optional whitespace around
//! them.

use std::fmt;

/// A parsed request file: the signer's owned request.
pub use sigv4_signer::internal::OwnedRequest as RawRequest;

/// Why a request file could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// The file is empty.
    Empty,
    /// The request line is not `METHOD TARGET HTTP/x.y`.
    BadRequestLine(String),
    /// The head (request line and headers) is not UTF-8.
    NonUtf8Head,
    /// A header line has no `:`.
    BadHeaderLine(String),
    /// A continuation line comes before any header.
    ContinuationFirst,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the request file is empty"),
            Self::BadRequestLine(l) => {
                write!(f, "the request line {l:?} is not `METHOD TARGET HTTP/1.1`")
            }
            Self::NonUtf8Head => f.write_str("the request line or headers are not UTF-8"),
            Self::BadHeaderLine(l) => write!(f, "the header line {l:?} has no ':'"),
            Self::ContinuationFirst => f.write_str("a continuation line comes before any header"),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses a request file.
pub fn parse_request(bytes: &[u8]) -> Result<RawRequest, ParseError> {
    if bytes.is_empty() {
        return Err(ParseError::Empty);
    }
    // The head ends at the first empty line; the body is everything after it.
    let mut pos = 0;
    let mut lines: Vec<&[u8]> = Vec::new();
    let mut body: &[u8] = &[];
    loop {
        let end = bytes[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| pos + i);
        let line_end = end.unwrap_or(bytes.len());
        let mut line = &bytes[pos..line_end];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        if line.is_empty() && !lines.is_empty() {
            body = end.map_or(&[][..], |e| &bytes[e + 1..]);
            break;
        }
        lines.push(line);
        match end {
            Some(e) => pos = e + 1,
            None => break,
        }
    }
    let head: Vec<&str> = lines
        .iter()
        .map(|l| std::str::from_utf8(l).map_err(|_| ParseError::NonUtf8Head))
        .collect::<Result<_, _>>()?;
    let first = head.first().copied().ok_or(ParseError::Empty)?;
    let (method, rest) = first
        .split_once(' ')
        .ok_or_else(|| ParseError::BadRequestLine(first.into()))?;
    // The target may hold spaces: the version is after the last one.
    let target = match rest.rsplit_once(' ') {
        Some((t, v)) if v.starts_with("HTTP/") => t,
        _ if !rest.is_empty() => rest,
        _ => return Err(ParseError::BadRequestLine(first.into())),
    };
    if method.is_empty() || target.is_empty() {
        return Err(ParseError::BadRequestLine(first.into()));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in &head[1..] {
        if line.starts_with([' ', '\t']) {
            let (_, v) = headers.last_mut().ok_or(ParseError::ContinuationFirst)?;
            let more = line.trim_matches([' ', '\t']);
            if !more.is_empty() {
                if !v.is_empty() {
                    v.push(' ');
                }
                v.push_str(more);
            }
            continue;
        }
        let (n, v) = line
            .split_once(':')
            .ok_or_else(|| ParseError::BadHeaderLine((*line).into()))?;
        headers.push((n.to_owned(), v.trim_matches([' ', '\t']).to_owned()));
    }
    Ok(RawRequest {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
        body: body.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_suite_quirks() {
        let r = parse_request(b"GET /example space/ HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value1\n  value2\n     value3\nX:a\nX:b\n\nbody\n\nmore").unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(r.target, "/example space/");
        assert_eq!(
            r.headers[1],
            ("My-Header1".into(), "value1 value2 value3".into())
        );
        assert_eq!(r.headers.len(), 4);
        assert_eq!(r.body, b"body\n\nmore");
        let r = parse_request("GET /ሴ HTTP/1.1\r\nHost:h\r\n".as_bytes()).unwrap();
        assert_eq!((r.target.as_str(), r.body.len()), ("/ሴ", 0));
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_request(b"").is_err());
        assert!(parse_request(b"GET\n").is_err());
        assert!(parse_request(b"GET / HTTP/1.1\nno colon\n").is_err());
        assert!(parse_request(b"GET / HTTP/1.1\n folded-first\n").is_err());
        assert!(parse_request(b"GET / HTTP/1.1\nX:\xff\n").is_err());
    }
}
