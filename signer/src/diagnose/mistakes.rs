//! The mistakes diagnosis knows: each with a stable code, a sentence for the person who made
//! it, and where the mistake is documented in the wild.

use std::fmt;

/// A mistake a client made, found by reproducing its signature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mistake {
    /// Encoded the path once where the service encodes it twice.
    PathEncodedOnce,
    /// Encoded the path twice where the service (S3) encodes it once.
    PathEncodedTwice,
    /// Signed the path as it is on the wire, without percent-encoding it (a raw `:` kept).
    PathNotEncoded,
    /// Did not normalise a path the service normalises.
    PathNotNormalized,
    /// Normalised a path the service (S3) does not.
    PathNormalized,
    /// Query parameters not sorted.
    QueryNotSorted,
    /// Spaces in the query encoded as `+`.
    QueryPlusForSpace,
    /// Lowercase hex in the query's percent-encoding.
    QueryLowercaseHex,
    /// A raw `+` in the query signed as `%2B` where the service reads it as a space.
    QueryPlusAsLiteral,
    /// Header values not trimmed or their inner spaces not collapsed.
    HeaderValuesNotTrimmed {
        /// The signed headers (lowercased) whose values the rule changes: those the client
        /// signed as received.
        names: Vec<String>,
    },
    /// A header value signed with leading or trailing whitespace that the HTTP layer removed
    /// on the way (so the server never saw it).
    HeaderValuePadded {
        /// The header, lowercased.
        name: String,
        /// The value as the client signed it.
        signed: String,
    },
    /// Every run of whitespace in header values, tabs included, collapsed to one space.
    HeaderTabsCollapsed {
        /// The signed headers (lowercased) whose values hold whitespace the rule keeps.
        names: Vec<String>,
    },
    /// A repeated header signed as separate lines instead of one joined with `,`.
    RepeatedHeadersNotJoined {
        /// The repeated signed headers, lowercased.
        names: Vec<String>,
    },
    /// A signed header whose value changed between signing and sending (an HTTP library that
    /// appends `; charset=utf-8` to Content-Type, a proxy that rewrites a header).
    HeaderChangedAfterSigning {
        /// The header, lowercased.
        name: String,
        /// The value the client signed.
        signed: String,
        /// The value the server received.
        sent: String,
    },
    /// `Host` signed with a port the request does not carry, or without the one it carries.
    HostPortMismatch {
        /// The `Host` value the client signed.
        signed: String,
        /// The `Host` value the server received.
        sent: String,
    },
    /// A header listed in `SignedHeaders` that the request does not carry.
    SignedHeaderNotSent {
        /// The header, lowercased.
        name: String,
    },
    /// The hash of an empty body signed instead of the body's.
    PayloadHashOfEmptyBody,
    /// `UNSIGNED-PAYLOAD` signed where the service hashes the body.
    PayloadUnsigned,
    /// The session token signed where the service takes it unsigned.
    SessionTokenSigned,
    /// The session token left out of the signature where the service signs it.
    SessionTokenNotSigned,
    /// The `Date` header's time used instead of `X-Amz-Date`.
    DateInsteadOfAmzDate,
    /// The raw `Date` header value written in the string to sign.
    RawDateInStringToSign,
    /// The secret key had a trailing newline.
    SecretTrailingNewline,
    /// The secret key had a trailing space.
    SecretTrailingSpace,
}

/// One row of the catalogue of mistakes: what `docs/diagnosis.md` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MistakeInfo {
    /// The stable code.
    pub code: &'static str,
    /// What the client did, in a few words.
    pub summary: &'static str,
    /// How diagnosis reproduces it.
    pub how_found: &'static str,
    /// Where the mistake is documented (issue trackers, documentation).
    pub seen_in: &'static str,
}

impl Mistake {
    /// Stable code of this mistake.
    pub fn code(&self) -> &'static str {
        self.info().code
    }

    /// The catalogue row of this mistake.
    pub fn info(&self) -> MistakeInfo {
        let row = |code, summary, how_found, seen_in| MistakeInfo {
            code,
            summary,
            how_found,
            seen_in,
        };
        match self {
            Self::PathEncodedOnce => row("path-encoded-once", "path encoded once where the service encodes it twice", "canonical URI with single encoding", "aws-sdk-js#853, aws4#14; curl 7.88 --aws-sigv4"),
            Self::PathEncodedTwice => row("path-encoded-twice", "path encoded twice for S3, which encodes once", "canonical URI with double encoding", "botocore#838, aws-sdk-java-v2#3749"),
            Self::PathNotEncoded => row("path-not-encoded", "path signed as sent, reserved characters such as `:` left raw", "canonical URI copied from the wire path, unencoded", "curl 7.88 --aws-sigv4 (measured: `/a:b` signed as `/a:b`, not `/a%3Ab`)"),
            Self::PathNotNormalized => row("path-not-normalized", "dot segments or `//` kept where the service normalises", "canonical URI without normalisation", "AWS's suite, get-slashes-* and get-relative-*"),
            Self::PathNormalized => row("path-normalized", "path normalised for S3, which signs it as sent", "canonical URI with normalisation", "botocore#838, requests-aws4auth#31"),
            Self::QueryNotSorted => row("query-not-sorted", "query parameters in arrival order", "canonical query unsorted", "curl 7.88 --aws-sigv4; aws4#103, requests-aws4auth#21"),
            Self::QueryPlusForSpace => row("query-plus-for-space", "spaces in the query written as `+`", "canonical query with `+` for `%20`", "aws-sdk-go#220, arrow-rs#2800"),
            Self::QueryLowercaseHex => row("query-lowercase-hex", "lowercase hex in percent-encoding", "canonical query with lowercase hex", "AWS's SigV4 docs: uppercase hex is required"),
            Self::QueryPlusAsLiteral => row("query-plus-as-literal", "a raw `+` signed as `%2B` where the service reads a space", "canonical query reading `+` as a plus sign", "aws4fetch#83, curl#20543"),
            Self::HeaderValuesNotTrimmed { .. } => row("header-values-not-trimmed", "header values not trimmed, inner runs of spaces kept", "header lines with the values as received", "botocore#1182, aws-sdk-go-v2#1467, aws-sdk-ruby#2760"),
            Self::HeaderValuePadded { .. } => row("header-value-padded", "a header value signed with outer whitespace the HTTP layer then stripped", "each signed header padded with 1-2 spaces or a tab on either side, values untrimmed", "minio#3162, s3s#393"),
            Self::HeaderTabsCollapsed { .. } => row("header-tabs-collapsed", "tabs and other whitespace in header values collapsed to one space", "header lines with every whitespace run collapsed", "botocore's `' '.join(v.split())` against aws-sigv4's spaces-only rule"),
            Self::RepeatedHeadersNotJoined { .. } => row("repeated-headers-not-joined", "a repeated header on several lines", "one header line per value", "smithy-rs#2261, s3s#408"),
            Self::HeaderChangedAfterSigning { .. } => row("header-changed-after-signing", "a signed header changed before sending (Content-Type parameters added or dropped)", "Content-Type with and without `; charset=utf-8` and its parameters", "aws-sdk-net#4493, pgbackrest#1340"),
            Self::HostPortMismatch { .. } => row("host-port-mismatch", "Host signed with or without a port, unlike the one sent", "Host with the port removed, or `:443` / `:80` added", "minio-py#528"),
            Self::SignedHeaderNotSent { .. } => row("signed-header-not-sent", "a header signed but not sent", "the request lacks a header SignedHeaders lists", "pgbackrest#1340 (a proxy dropped Content-Length)"),
            Self::PayloadHashOfEmptyBody => row("payload-hash-of-empty-body", "the empty body's hash signed for a request with a body", "payload hash e3b0c442…", "a body set after signing; AWS's Python samples hash the payload they are given"),
            Self::PayloadUnsigned => row("payload-unsigned", "UNSIGNED-PAYLOAD signed where the service hashes the body", "payload hash UNSIGNED-PAYLOAD", "S3-only value used for another service"),
            Self::SessionTokenSigned => row("session-token-signed", "the session token signed where the service adds it after signing", "X-Amz-Security-Token in the signature", "aws4#30, aws-c-auth#34 (IoT)"),
            Self::SessionTokenNotSigned => row("session-token-not-signed", "the session token left out of the signature", "X-Amz-Security-Token out of the signature", "aws4#30, aws-c-auth#34"),
            Self::DateInsteadOfAmzDate => row("date-instead-of-amz-date", "the Date header's time used instead of X-Amz-Date", "string to sign with the Date header's time", "s3-tests#346"),
            Self::RawDateInStringToSign => row("raw-date-in-string-to-sign", "the raw Date header written in the string to sign", "string to sign with the Date header as sent", "s3-tests#346"),
            Self::SecretTrailingNewline => row("secret-trailing-newline", "the secret key ends with a newline", "the secret with `\\n` appended", "secrets read from files or environment with a newline"),
            Self::SecretTrailingSpace => row("secret-trailing-space", "the secret key ends with a space", "the secret with ` ` appended", "secrets pasted with a trailing space"),
        }
    }

    /// One instance of every mistake (the ones that carry values with example values), in the
    /// order diagnosis lists them: the catalogue `docs/diagnosis.md` is made from it.
    pub fn catalogue() -> Vec<Mistake> {
        let s = String::new;
        vec![
            Self::PathEncodedOnce,
            Self::PathEncodedTwice,
            Self::PathNotEncoded,
            Self::PathNotNormalized,
            Self::PathNormalized,
            Self::QueryNotSorted,
            Self::QueryPlusForSpace,
            Self::QueryLowercaseHex,
            Self::QueryPlusAsLiteral,
            Self::HeaderValuesNotTrimmed { names: Vec::new() },
            Self::HeaderValuePadded {
                name: s(),
                signed: s(),
            },
            Self::HeaderTabsCollapsed { names: Vec::new() },
            Self::RepeatedHeadersNotJoined { names: Vec::new() },
            Self::HeaderChangedAfterSigning {
                name: s(),
                signed: s(),
                sent: s(),
            },
            Self::HostPortMismatch {
                signed: s(),
                sent: s(),
            },
            Self::SignedHeaderNotSent { name: s() },
            Self::PayloadHashOfEmptyBody,
            Self::PayloadUnsigned,
            Self::SessionTokenSigned,
            Self::SessionTokenNotSigned,
            Self::DateInsteadOfAmzDate,
            Self::RawDateInStringToSign,
            Self::SecretTrailingNewline,
            Self::SecretTrailingSpace,
        ]
    }

    /// The catalogue as a Markdown table (what `docs/diagnosis.md` holds).
    pub fn catalogue_markdown() -> String {
        let mut out = String::from("| code | what the client did | how diagnosis reproduces it | seen in |\n| --- | --- | --- | --- |\n");
        for m in Self::catalogue() {
            let i = m.info();
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                i.code, i.summary, i.how_found, i.seen_in
            ));
        }
        out
    }
}

impl fmt::Display for Mistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PathEncodedOnce => f.write_str("your signer encoded the path once; non-S3 services encode it twice (percent-encode the already-encoded path again, so % becomes %25)"),
            Self::PathEncodedTwice => f.write_str("your signer encoded the path twice; S3 encodes it once"),
            Self::PathNotEncoded => f.write_str("your signer signed the path as sent, without percent-encoding it (a raw ':' or other reserved character left as is); encode every byte but unreserved characters and '/' (%3A for ':'), and for non-S3 services encode the encoded path again"),
            Self::PathNotNormalized => f.write_str("your signer did not normalise the path; non-S3 services remove '.' and '..' segments and collapse '//' before signing"),
            Self::PathNormalized => f.write_str("your signer normalised the path; S3 signs the path exactly as sent, with '.', '..' and '//' kept"),
            Self::QueryNotSorted => f.write_str("your signer did not sort the query parameters; sort them by encoded name, then by encoded value"),
            Self::QueryPlusForSpace => f.write_str("your signer encoded spaces in the query as '+'; SigV4 requires %20"),
            Self::QueryLowercaseHex => f.write_str("your signer wrote lowercase hex in the query's percent-encoding; SigV4 requires uppercase (%2F, not %2f)"),
            Self::QueryPlusAsLiteral => f.write_str("your signer signed a raw '+' in the query as %2B; this service reads a raw '+' as a space (%20): send %2B for a plus sign"),
            Self::HeaderValuesNotTrimmed { names } => write!(f, "your signer did not trim header values{}; remove leading and trailing spaces and collapse runs of spaces to one", Headers(names)),
            Self::HeaderValuePadded { name, signed } => write!(f, "your signer signed {name} as {signed:?}, with whitespace around the value that the HTTP layer removed before sending; trim header values (and collapse inner runs of spaces) before signing"),
            Self::HeaderTabsCollapsed { names } => write!(f, "your signer collapsed tabs (or other whitespace) in a header value{}; SigV4 collapses runs of spaces only and keeps a tab inside a value", Headers(names)),
            Self::RepeatedHeadersNotJoined { names } => write!(f, "your signer put a repeated header on several lines{}; sign it once with the values joined by ','", Headers(names)),
            Self::HeaderChangedAfterSigning { name, signed, sent } => write!(f, "{name} changed after signing: your signer signed {signed:?} but the request carried {sent:?} (an HTTP library or proxy rewrote it); set the header to its final value before signing, or leave it unsigned"),
            Self::HostPortMismatch { signed, sent } => write!(f, "your signer signed Host as {signed:?} but the request carried {sent:?}; sign the Host header exactly as it is sent (with the port when the URL has a non-default one)"),
            Self::SignedHeaderNotSent { name } => write!(f, "your signer signed {name}, but the request does not carry it: the header was dropped after signing (by the HTTP library or a proxy), or signed by mistake"),
            Self::PayloadHashOfEmptyBody => f.write_str("your signer hashed an empty body, but the request has a body; sign the SHA-256 of the body as sent"),
            Self::PayloadUnsigned => f.write_str("your signer signed UNSIGNED-PAYLOAD; this service requires the SHA-256 of the body"),
            Self::SessionTokenSigned => f.write_str("your signer signed X-Amz-Security-Token; this service expects the token added after signing"),
            Self::SessionTokenNotSigned => f.write_str("your signer left X-Amz-Security-Token out of the signature; sign it with the other headers or parameters"),
            Self::DateInsteadOfAmzDate => f.write_str("your signer used the Date header's time; the signature must use X-Amz-Date when it is present"),
            Self::RawDateInStringToSign => f.write_str("your signer wrote the Date header as is into the string to sign; it must be in the form YYYYMMDDTHHMMSSZ"),
            Self::SecretTrailingNewline => f.write_str("your secret access key ends with a newline; strip it (was it read from a file?)"),
            Self::SecretTrailingSpace => f.write_str("your secret access key ends with a space; strip it"),
        }
    }
}

/// The headers a mistake touched, for its sentence: ` (in x-a and x-b)`, nothing when none
/// are known (the catalogue's example instances).
struct Headers<'a>(&'a [String]);

impl fmt::Display for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some((last, rest)) = self.0.split_last() else {
            return Ok(());
        };
        f.write_str(" (in ")?;
        for (i, n) in rest.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(n)?;
        }
        if !rest.is_empty() {
            f.write_str(" and ")?;
        }
        write!(f, "{last})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant, numbered by an exhaustive match: a new variant does not compile until it
    /// has a number here, and the count below goes up with it.
    fn ordinal(m: &Mistake) -> usize {
        match m {
            Mistake::PathEncodedOnce => 0,
            Mistake::PathEncodedTwice => 1,
            Mistake::PathNotEncoded => 2,
            Mistake::PathNotNormalized => 3,
            Mistake::PathNormalized => 4,
            Mistake::QueryNotSorted => 5,
            Mistake::QueryPlusForSpace => 6,
            Mistake::QueryLowercaseHex => 7,
            Mistake::QueryPlusAsLiteral => 8,
            Mistake::HeaderValuesNotTrimmed { .. } => 9,
            Mistake::HeaderValuePadded { .. } => 10,
            Mistake::HeaderTabsCollapsed { .. } => 11,
            Mistake::RepeatedHeadersNotJoined { .. } => 12,
            Mistake::HeaderChangedAfterSigning { .. } => 13,
            Mistake::HostPortMismatch { .. } => 14,
            Mistake::SignedHeaderNotSent { .. } => 15,
            Mistake::PayloadHashOfEmptyBody => 16,
            Mistake::PayloadUnsigned => 17,
            Mistake::SessionTokenSigned => 18,
            Mistake::SessionTokenNotSigned => 19,
            Mistake::DateInsteadOfAmzDate => 20,
            Mistake::RawDateInStringToSign => 21,
            Mistake::SecretTrailingNewline => 22,
            Mistake::SecretTrailingSpace => 23,
        }
    }

    /// The number of variants: one more than the largest ordinal above.
    const COUNT: usize = 24;

    #[test]
    fn the_catalogue_lists_every_mistake_once() {
        let mut seen = vec![0usize; COUNT];
        for m in Mistake::catalogue() {
            seen[ordinal(&m)] += 1;
        }
        assert_eq!(seen, vec![1; COUNT], "each variant exactly once");
        let codes: std::collections::BTreeSet<&str> =
            Mistake::catalogue().iter().map(Mistake::code).collect();
        assert_eq!(codes.len(), COUNT, "codes are distinct");
        let table = Mistake::catalogue_markdown();
        assert_eq!(table.lines().count(), COUNT + 2);
        for code in codes {
            assert!(table.contains(&format!("| `{code}` |")), "{code}");
        }
    }
}
