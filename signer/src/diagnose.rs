//! Diagnosis of a signature mismatch: re-verify the request under the mistakes clients are
//! known to make, and name the one whose signature matches.
//!
//! The mistakes come from the field notes (`FIELD-NOTES.md`) and the issue trackers cited
//! there: path encoded once instead of twice or the reverse (aws-sdk-js#853, botocore#838),
//! path normalised or not, query not sorted (curl 7.88) or encoded with `+` or lowercase hex,
//! header values not trimmed (botocore#1182 and others), repeated headers not joined
//! (smithy-rs#2261), the payload hash of an empty body or `UNSIGNED-PAYLOAD` instead of the
//! body, the session token signed or not (aws4#30), `Date` instead of `X-Amz-Date`
//! (s3-tests#346), and a secret with a trailing newline or space.

use std::fmt;

use crate::payload::{EMPTY_SHA256, UNSIGNED_PAYLOAD};
use crate::request::SignableRequest;
use crate::time::SigningTime;
use crate::uri::{NormalizationMode, UriEncodingMode};
use crate::verify::{
    check_before_signature, compute, HeaderStyle, Knobs, QueryStyle, VerifyParams,
};

/// A mistake a client made, found by reproducing its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mistake {
    /// Encoded the path once where the service encodes it twice.
    PathEncodedOnce,
    /// Encoded the path twice where the service (S3) encodes it once.
    PathEncodedTwice,
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
    HeaderValuesNotTrimmed,
    /// A repeated header signed as separate lines instead of one joined with `,`.
    RepeatedHeadersNotJoined,
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

impl Mistake {
    /// Stable code of this mistake.
    pub fn code(&self) -> &'static str {
        match self {
            Self::PathEncodedOnce => "path-encoded-once",
            Self::PathEncodedTwice => "path-encoded-twice",
            Self::PathNotNormalized => "path-not-normalized",
            Self::PathNormalized => "path-normalized",
            Self::QueryNotSorted => "query-not-sorted",
            Self::QueryPlusForSpace => "query-plus-for-space",
            Self::QueryLowercaseHex => "query-lowercase-hex",
            Self::QueryPlusAsLiteral => "query-plus-as-literal",
            Self::HeaderValuesNotTrimmed => "header-values-not-trimmed",
            Self::RepeatedHeadersNotJoined => "repeated-headers-not-joined",
            Self::PayloadHashOfEmptyBody => "payload-hash-of-empty-body",
            Self::PayloadUnsigned => "payload-unsigned",
            Self::SessionTokenSigned => "session-token-signed",
            Self::SessionTokenNotSigned => "session-token-not-signed",
            Self::DateInsteadOfAmzDate => "date-instead-of-amz-date",
            Self::RawDateInStringToSign => "raw-date-in-string-to-sign",
            Self::SecretTrailingNewline => "secret-trailing-newline",
            Self::SecretTrailingSpace => "secret-trailing-space",
        }
    }
}

impl fmt::Display for Mistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PathEncodedOnce => "your signer encoded the path once; non-S3 services encode it twice (percent-encode the already-encoded path again, so % becomes %25)",
            Self::PathEncodedTwice => "your signer encoded the path twice; S3 encodes it once",
            Self::PathNotNormalized => "your signer did not normalise the path; non-S3 services remove '.' and '..' segments and collapse '//' before signing",
            Self::PathNormalized => "your signer normalised the path; S3 signs the path exactly as sent, with '.', '..' and '//' kept",
            Self::QueryNotSorted => "your signer did not sort the query parameters; sort them by encoded name, then by encoded value",
            Self::QueryPlusForSpace => "your signer encoded spaces in the query as '+'; SigV4 requires %20",
            Self::QueryLowercaseHex => "your signer wrote lowercase hex in the query's percent-encoding; SigV4 requires uppercase (%2F, not %2f)",
            Self::QueryPlusAsLiteral => "your signer signed a raw '+' in the query as %2B; this service reads a raw '+' as a space (%20): send %2B for a plus sign",
            Self::HeaderValuesNotTrimmed => "your signer did not trim header values; remove leading and trailing spaces and collapse runs of spaces to one",
            Self::RepeatedHeadersNotJoined => "your signer put a repeated header on several lines; sign it once with the values joined by ','",
            Self::PayloadHashOfEmptyBody => "your signer hashed an empty body, but the request has a body; sign the SHA-256 of the body as sent",
            Self::PayloadUnsigned => "your signer signed UNSIGNED-PAYLOAD; this service requires the SHA-256 of the body",
            Self::SessionTokenSigned => "your signer signed X-Amz-Security-Token; this service expects the token added after signing",
            Self::SessionTokenNotSigned => "your signer left X-Amz-Security-Token out of the signature; sign it with the other headers or parameters",
            Self::DateInsteadOfAmzDate => "your signer used the Date header's time; the signature must use X-Amz-Date when it is present",
            Self::RawDateInStringToSign => "your signer wrote the Date header as is into the string to sign; it must be in the form YYYYMMDDTHHMMSSZ",
            Self::SecretTrailingNewline => "your secret access key ends with a newline; strip it (was it read from a file?)",
            Self::SecretTrailingSpace => "your secret access key ends with a space; strip it",
        })
    }
}

/// When `request` fails verification with a signature mismatch, the mistake that reproduces
/// its signature, if one does. `None` when the request verifies, fails for another reason, or
/// no known mistake explains it.
pub fn diagnose(request: &SignableRequest<'_>, params: &VerifyParams<'_>) -> Option<Mistake> {
    diagnose_detailed(request, params).map(|d| d.mistake)
}

/// A diagnosed mistake with the artifacts that reproduce the client's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// The mistake.
    pub mistake: Mistake,
    /// The canonical request the client must have signed (the one made with the mistake).
    pub canonical_request: String,
    /// The string to sign made from it.
    pub string_to_sign: String,
}

/// Like [`diagnose`], with the canonical request and string to sign that reproduce the
/// client's signature, to set against the server's.
pub fn diagnose_detailed(
    request: &SignableRequest<'_>,
    params: &VerifyParams<'_>,
) -> Option<Diagnosis> {
    let checked = check_before_signature(request, params).ok()?;
    let sent = checked.auth.signature.to_ascii_lowercase();
    if compute(request, &checked, params, &Knobs::default())
        .ok()?
        .signature
        == sent
    {
        return None;
    }
    let s = &params.settings;
    let date_time = checked
        .date_header
        .as_deref()
        .and_then(|d| SigningTime::parse_http_date(d).ok());
    let mut candidates: Vec<(Mistake, Knobs)> = vec![
        match s.uri_encoding {
            UriEncodingMode::Double => (
                Mistake::PathEncodedOnce,
                Knobs {
                    uri_encoding: Some(UriEncodingMode::Single),
                    ..Knobs::default()
                },
            ),
            UriEncodingMode::Single => (
                Mistake::PathEncodedTwice,
                Knobs {
                    uri_encoding: Some(UriEncodingMode::Double),
                    ..Knobs::default()
                },
            ),
        },
        match s.normalization {
            NormalizationMode::Enabled => (
                Mistake::PathNotNormalized,
                Knobs {
                    normalization: Some(NormalizationMode::Disabled),
                    ..Knobs::default()
                },
            ),
            NormalizationMode::Disabled => (
                Mistake::PathNormalized,
                Knobs {
                    normalization: Some(NormalizationMode::Enabled),
                    ..Knobs::default()
                },
            ),
        },
        (
            Mistake::QueryNotSorted,
            Knobs {
                query: QueryStyle::Unsorted,
                ..Knobs::default()
            },
        ),
        (
            Mistake::QueryPlusForSpace,
            Knobs {
                query: QueryStyle::PlusForSpace,
                ..Knobs::default()
            },
        ),
        (
            Mistake::QueryLowercaseHex,
            Knobs {
                query: QueryStyle::LowercaseHex,
                ..Knobs::default()
            },
        ),
        (
            Mistake::QueryPlusAsLiteral,
            Knobs {
                query: QueryStyle::LiteralPlus,
                ..Knobs::default()
            },
        ),
        (
            Mistake::HeaderValuesNotTrimmed,
            Knobs {
                headers: HeaderStyle::Untrimmed,
                ..Knobs::default()
            },
        ),
        (
            Mistake::RepeatedHeadersNotJoined,
            Knobs {
                headers: HeaderStyle::Unjoined,
                ..Knobs::default()
            },
        ),
        (
            Mistake::PayloadHashOfEmptyBody,
            Knobs {
                payload: Some(EMPTY_SHA256),
                ..Knobs::default()
            },
        ),
        (
            Mistake::PayloadUnsigned,
            Knobs {
                payload: Some(UNSIGNED_PAYLOAD),
                ..Knobs::default()
            },
        ),
        (
            Mistake::SessionTokenSigned,
            Knobs {
                token_signed: Some(true),
                ..Knobs::default()
            },
        ),
        (
            Mistake::SessionTokenNotSigned,
            Knobs {
                token_signed: Some(false),
                ..Knobs::default()
            },
        ),
        (
            Mistake::SecretTrailingNewline,
            Knobs {
                secret_suffix: "\n",
                ..Knobs::default()
            },
        ),
        (
            Mistake::SecretTrailingSpace,
            Knobs {
                secret_suffix: " ",
                ..Knobs::default()
            },
        ),
    ];
    if let Some(t) = date_time {
        candidates.push((
            Mistake::DateInsteadOfAmzDate,
            Knobs {
                sts_time: Some(t.amz_date()),
                ..Knobs::default()
            },
        ));
    }
    if let Some(raw) = &checked.date_header {
        candidates.push((
            Mistake::RawDateInStringToSign,
            Knobs {
                sts_time: Some(raw.clone()),
                ..Knobs::default()
            },
        ));
    }
    candidates.into_iter().find_map(|(mistake, knobs)| {
        let c = compute(request, &checked, params, &knobs).ok()?;
        (c.signature == sent).then_some(Diagnosis {
            mistake,
            canonical_request: c.canonical_request,
            string_to_sign: c.string_to_sign,
        })
    })
}
