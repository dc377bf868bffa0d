//! Canonical headers and the signed-headers list.
//!
//! Names are lowercased. Values are trimmed of leading and trailing spaces and tabs, and each
//! run of spaces inside is collapsed to one space (AWS's documented "Trimall"; the aws-sigv4
//! crate does the same; tabs inside a value are kept, as in aws-sigv4, whereas botocore would
//! collapse every Unicode whitespace: see `FIELD-NOTES.md`). An obs-fold continuation
//! (`CRLF` or `LF` followed by spaces or tabs, RFC 9112 section 5.2) counts as one space, which is
//! what the suite case `get-header-value-multiline` expects. A header that appears more than
//! once is signed once, its values joined with `,` in arrival order (`get-header-key-duplicate`).
//! Headers are sorted by lowercased name.

use crate::error::{shorten, RequestError};

/// Headers that the signer never signs by default: `authorization` itself, hop-by-hop headers
/// a proxy may change, and headers that clients or proxies add or rewrite after signing
/// (botocore and the aws-sigv4 crate skip `user-agent`, `expect`, `x-amzn-trace-id` and
/// `transfer-encoding` for that reason).
pub const UNSIGNED_BY_DEFAULT: &[&str] = &[
    "authorization",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// Whether `name` is a valid HTTP field name (RFC 9110 `token`).
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Checks a name and value, returning an error naming the header.
pub fn validate(name: &str, value: &str) -> Result<(), RequestError> {
    if !is_valid_name(name) {
        return Err(RequestError::InvalidHeaderName {
            name: shorten(name),
        });
    }
    let b = value.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        let bad = match c {
            0 => true,
            b'\r' => b.get(i + 1) != Some(&b'\n'),
            b'\n' => !matches!(b.get(i + 1), Some(b' ' | b'\t')),
            _ => false,
        };
        if bad {
            return Err(RequestError::InvalidHeaderValue {
                name: shorten(name),
            });
        }
    }
    Ok(())
}

/// The canonical form of one header value (see the module docs). Assumes [`validate`] passed.
pub fn canonical_value(value: &str) -> String {
    let b = value.as_bytes();
    let mut out = String::with_capacity(value.len());
    let mut i = 0;
    let mut last_space = false;
    while i < b.len() {
        let c = b[i];
        let (is_space, next) = match c {
            // An obs-fold: CRLF or LF with the spaces and tabs after it, one space in all.
            b'\r' | b'\n' => {
                let mut j = i + 1 + usize::from(c == b'\r' && b.get(i + 1) == Some(&b'\n'));
                while matches!(b.get(j), Some(b' ' | b'\t')) {
                    j += 1;
                }
                (true, j)
            }
            b' ' => (true, i + 1),
            _ => (
                false,
                i + value[i..].chars().next().map_or(1, char::len_utf8),
            ),
        };
        if is_space {
            if !last_space {
                out.push(' ');
            }
        } else {
            out.push_str(&value[i..next]);
        }
        last_space = is_space;
        i = next;
    }
    out.trim_matches([' ', '\t']).to_owned()
}

/// Headers ready for the canonical request: lowercased names, sorted, values joined.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CanonicalHeaders {
    entries: Vec<(String, String)>,
}

impl CanonicalHeaders {
    /// Canonicalises `headers` (already validated), keeping those `sign` accepts by their
    /// lowercased name.
    pub fn new<'h>(
        headers: impl IntoIterator<Item = (&'h str, &'h str)>,
        mut sign: impl FnMut(&str) -> bool,
    ) -> Self {
        let mut entries: Vec<(String, String)> = Vec::new();
        for (name, value) in headers {
            let lname = name.to_ascii_lowercase();
            if !sign(&lname) {
                continue;
            }
            let value = canonical_value(value);
            match entries.iter_mut().find(|(n, _)| *n == lname) {
                Some((_, v)) => {
                    v.push(',');
                    v.push_str(&value);
                }
                None => entries.push((lname, value)),
            }
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Self { entries }
    }

    /// Lines taken as they are (no lowercasing, sorting or joining): for reproducing what a
    /// faulty client computed.
    pub fn from_lines(entries: Vec<(String, String)>) -> Self {
        Self { entries }
    }

    /// `(name, value)` pairs in canonical order.
    pub fn entries(&self) -> &[(String, String)] {
        &self.entries
    }

    /// Whether a header of this lowercased name is signed.
    pub fn contains(&self, lname: &str) -> bool {
        self.entries.iter().any(|(n, _)| n == lname)
    }

    /// The signed-headers list, `a;b;c`.
    pub fn signed_headers(&self) -> String {
        let mut s = String::new();
        let mut last: Option<&str> = None;
        for (n, _) in &self.entries {
            if last == Some(n.as_str()) {
                continue;
            }
            if last.is_some() {
                s.push(';');
            }
            s.push_str(n);
            last = Some(n);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_collapses_and_unfolds() {
        assert_eq!(canonical_value("  a   b    c  "), "a b c");
        assert_eq!(canonical_value("\"a   b   c\""), "\"a b c\"");
        assert_eq!(
            canonical_value("value1\n  value2\n     value3"),
            "value1 value2 value3"
        );
        assert_eq!(canonical_value("\ta\tb\t"), "a\tb");
        assert_eq!(canonical_value("ሴ  é"), "ሴ é");
        assert_eq!(canonical_value("a \t b"), "a \t b");
        assert_eq!(canonical_value(""), "");
    }

    #[test]
    fn joins_repeats_in_arrival_order_and_sorts() {
        let h = CanonicalHeaders::new(
            [
                ("My-Header1", "value2"),
                ("Host", "h"),
                ("my-header1", "value1"),
            ],
            |_| true,
        );
        assert_eq!(
            h.entries(),
            &[
                ("host".into(), "h".into()),
                ("my-header1".into(), "value2,value1".into())
            ]
        );
        assert_eq!(h.signed_headers(), "host;my-header1");
    }

    #[test]
    fn validates() {
        assert!(validate("X-Ok", "fine\r\n folded").is_ok());
        assert!(validate("Bad Name", "v").is_err());
        assert!(validate("", "v").is_err());
        assert!(validate("X", "a\nb").is_err());
        assert!(validate("X", "a\rb").is_err());
        assert!(validate("X", "a\0").is_err());
    }
}
