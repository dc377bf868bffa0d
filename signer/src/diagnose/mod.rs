//! Diagnosis of a signature mismatch: re-verify the request under the mistakes clients are
//! known to make, alone and two at a time, and name the ones whose signature matches.
//!
//! A mistake is a variant of the canonical-request writer's inputs (the path encoded once,
//! the query unsorted, a header value as the client had it before its HTTP library changed it,
//! another payload hash, another secret): diagnosis writes the canonical request and string to
//! sign under each variant with the same writer the signer and verifier use, and compares the
//! signature. [`Mistake::catalogue_markdown`] lists every mistake it knows, with where each is
//! documented (the table in `docs/diagnosis.md` is generated from it).
//!
//! Header whitespace deserves a word: an HTTP layer strips the outer whitespace of a header
//! value on the way, so a client that signed `"  my   note  "` sends a header the server reads
//! as `"my   note"`. Diagnosis therefore tries each signed header padded with one or two
//! spaces or a tab on either side, with the values untrimmed.
//!
//! When nothing reproduces the signature the [`Diagnosis`] says so, how many variants it tried,
//! and what remains most likely: the secret (a wrong or rotated key), or a header changed on
//! the way in a way the server cannot see.

mod mistakes;

use std::fmt;

pub use mistakes::{Mistake, MistakeInfo};

use crate::headers::HeaderStyle;
use crate::payload::{EMPTY_SHA256, UNSIGNED_PAYLOAD};
use crate::query::QueryStyle;
use crate::request::SignableRequest;
use crate::time::SigningTime;
use crate::uri::{NormalizationMode, UriEncodingMode};
use crate::verify::{check_before_signature, compute, Checked, Variant, VerifyError, VerifyParams};

/// What diagnosis found for a request that failed verification with a signature mismatch
/// (or a signed header that is missing).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnosis {
    /// The mistakes that together reproduce the client's signature (one or two); empty when
    /// no known mistake does.
    pub mistakes: Vec<Mistake>,
    /// The canonical request the client must have signed (made with the mistakes).
    pub canonical_request: Option<String>,
    /// The string to sign made from it.
    pub string_to_sign: Option<String>,
    /// How many variants of the inputs were tried.
    pub tried: usize,
}

impl Diagnosis {
    /// Whether known mistakes explain the signature.
    pub fn is_explained(&self) -> bool {
        !self.mistakes.is_empty()
    }

    /// The mistakes' codes joined with `+` (`path-encoded-once+query-not-sorted`), or
    /// `unexplained`.
    pub fn code(&self) -> String {
        if self.mistakes.is_empty() {
            return "unexplained".to_owned();
        }
        self.mistakes
            .iter()
            .map(Mistake::code)
            .collect::<Vec<_>>()
            .join("+")
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mistakes.as_slice() {
            [] => write!(
                f,
                "no known mistake reproduces your signature ({} variants of the request tried, \
                 alone and in pairs: path encoding and normalisation, query sorting and \
                 encoding, header whitespace and values changed after signing, payload hash, \
                 session token, date, secret with a trailing newline or space). What remains \
                 most likely: the secret access key is not the one for this access key id (a \
                 wrong or rotated key), or a signed header was changed on the way in a way the \
                 server cannot see. Compare your canonical request with the server's, line by \
                 line",
                self.tried
            ),
            [one] => write!(f, "{one}"),
            [first, rest @ ..] => {
                write!(f, "two mistakes at once: {first}")?;
                for m in rest {
                    write!(f, "; and {m}")?;
                }
                Ok(())
            }
        }
    }
}

/// When `request` fails verification with a signature mismatch (or names a signed header it
/// does not carry), what reproduces the client's signature. `None` when the request verifies
/// or fails for another reason (a clock, a scope, a key: the verification error says it all).
pub fn diagnose(request: &SignableRequest<'_>, params: &VerifyParams<'_>) -> Option<Diagnosis> {
    let checked = match check_before_signature(request, params) {
        Ok(c) => c,
        Err(VerifyError::SignedHeaderMissing { name }) => {
            return Some(Diagnosis {
                mistakes: vec![Mistake::SignedHeaderNotSent { name }],
                canonical_request: None,
                string_to_sign: None,
                tried: 0,
            })
        }
        Err(_) => return None,
    };
    let sent = checked.auth.signature();
    let matches = |v: &Variant| {
        compute(request, &checked, params, v)
            .ok()
            .filter(|c| c.matches(sent))
    };
    if matches(&Variant::default()).is_some() {
        return None;
    }
    if params.settings.accept_literal_plus
        && matches(&Variant {
            query: QueryStyle::LiteralPlus,
            ..Variant::default()
        })
        .is_some()
    {
        return None;
    }
    let singles = candidates(request, &checked, params);
    let found = |mistakes: Vec<Mistake>, v: &Variant, tried: usize| {
        matches(v).map(|c| Diagnosis {
            mistakes,
            canonical_request: Some(c.canonical_request().to_owned()),
            string_to_sign: Some(c.string_to_sign().to_owned()),
            tried,
        })
    };
    let mut tried = 1;
    for (m, v) in &singles {
        tried += 1;
        if let Some(d) = found(vec![m.clone()], v, tried) {
            return Some(d);
        }
    }
    // Pairs. A header value changed and one padded are the same input, so `combine` refuses
    // them; SigV4a's ECDSA verification is slow, so there only the pairs of the few
    // request-wide mistakes are tried.
    let v4a = checked.auth.is_v4a();
    for (i, (ma, va)) in singles.iter().enumerate() {
        for (mb, vb) in &singles[i + 1..] {
            let per_header = va.header_value.is_some() || vb.header_value.is_some();
            if v4a && per_header {
                continue;
            }
            let Some(v) = va.combine(vb) else { continue };
            tried += 1;
            if let Some(d) = found(vec![ma.clone(), mb.clone()], &v, tried) {
                return Some(d);
            }
        }
    }
    Some(Diagnosis {
        mistakes: Vec::new(),
        canonical_request: None,
        string_to_sign: None,
        tried,
    })
}

/// Every single mistake that applies to this request, with the variant that reproduces it.
fn candidates(
    request: &SignableRequest<'_>,
    checked: &Checked<'_>,
    params: &VerifyParams<'_>,
) -> Vec<(Mistake, Variant)> {
    let s = &params.settings.rules;
    let v = Variant::default;
    let mut out: Vec<(Mistake, Variant)> = vec![
        match s.uri_encoding {
            UriEncodingMode::Single => (
                Mistake::PathEncodedTwice,
                Variant {
                    uri_encoding: Some(UriEncodingMode::Double),
                    ..v()
                },
            ),
            _ => (
                Mistake::PathEncodedOnce,
                Variant {
                    uri_encoding: Some(UriEncodingMode::Single),
                    ..v()
                },
            ),
        },
        match s.normalization {
            NormalizationMode::Disabled => (
                Mistake::PathNormalized,
                Variant {
                    normalization: Some(NormalizationMode::Enabled),
                    ..v()
                },
            ),
            _ => (
                Mistake::PathNotNormalized,
                Variant {
                    normalization: Some(NormalizationMode::Disabled),
                    ..v()
                },
            ),
        },
    ];
    for (m, q) in [
        (Mistake::QueryNotSorted, QueryStyle::Unsorted),
        (Mistake::QueryPlusForSpace, QueryStyle::PlusForSpace),
        (Mistake::QueryLowercaseHex, QueryStyle::LowercaseHex),
        (Mistake::QueryPlusAsLiteral, QueryStyle::LiteralPlus),
    ] {
        out.push((m, Variant { query: q, ..v() }));
    }
    for (m, h) in [
        (Mistake::HeaderValuesNotTrimmed, HeaderStyle::Untrimmed),
        (
            Mistake::HeaderTabsCollapsed,
            HeaderStyle::CollapseAllWhitespace,
        ),
        (Mistake::RepeatedHeadersNotJoined, HeaderStyle::Unjoined),
    ] {
        out.push((m, Variant { headers: h, ..v() }));
    }
    for (m, p) in [
        (Mistake::PayloadHashOfEmptyBody, EMPTY_SHA256),
        (Mistake::PayloadUnsigned, UNSIGNED_PAYLOAD),
    ] {
        if checked.payload != p {
            out.push((
                m,
                Variant {
                    payload: Some(p),
                    ..v()
                },
            ));
        }
    }
    out.push((
        Mistake::SessionTokenSigned,
        Variant {
            token_signed: Some(true),
            ..v()
        },
    ));
    out.push((
        Mistake::SessionTokenNotSigned,
        Variant {
            token_signed: Some(false),
            ..v()
        },
    ));
    if let Some(raw) = &checked.date_header {
        if let Ok(t) = SigningTime::parse_http_date(raw) {
            out.push((
                Mistake::DateInsteadOfAmzDate,
                Variant {
                    sts_time: Some(t.amz_date()),
                    ..v()
                },
            ));
        }
        out.push((
            Mistake::RawDateInStringToSign,
            Variant {
                sts_time: Some((*raw).to_owned()),
                ..v()
            },
        ));
    }
    for (m, suffix) in [
        (Mistake::SecretTrailingNewline, "\n"),
        (Mistake::SecretTrailingSpace, " "),
    ] {
        out.push((
            m,
            Variant {
                secret_suffix: suffix,
                ..v()
            },
        ));
    }
    out.extend(changed_headers(request, checked));
    out.extend(padded_headers(request, checked));
    out
}

/// The value of a signed header, when the request carries it once.
fn signed_value<'r>(
    request: &SignableRequest<'r>,
    checked: &Checked<'_>,
    name: &str,
) -> Option<&'r str> {
    if !checked.auth.signed_headers().any(|s| s == name) {
        return None;
    }
    let mut values = request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name));
    let (_, value) = values.next()?;
    values.next().is_none().then_some(*value)
}

/// Values of Content-Type and Host as an HTTP library or proxy may have changed them after
/// signing.
fn changed_headers(
    request: &SignableRequest<'_>,
    checked: &Checked<'_>,
) -> Vec<(Mistake, Variant)> {
    let mut out = Vec::new();
    let changed = |name: &str, signed: String, sent: &str| {
        (
            Mistake::HeaderChangedAfterSigning {
                name: name.to_owned(),
                signed: signed.clone(),
                sent: sent.to_owned(),
            },
            Variant {
                header_value: Some((name.to_owned(), signed)),
                ..Variant::default()
            },
        )
    };
    if let Some(sent) = signed_value(request, checked, "content-type") {
        match sent.split_once(';') {
            // Parameters added after signing: the client signed the bare media type.
            Some((media, _)) => out.push(changed("content-type", media.trim().to_owned(), sent)),
            None => {
                for params in ["; charset=utf-8", "; charset=UTF-8", ";charset=utf-8"] {
                    out.push(changed("content-type", format!("{sent}{params}"), sent));
                }
            }
        }
    }
    if let Some(sent) = signed_value(request, checked, "host") {
        let mut signed_hosts = Vec::new();
        match sent.rsplit_once(':') {
            Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
                signed_hosts.push(host.to_owned());
            }
            _ => {
                signed_hosts.push(format!("{sent}:443"));
                signed_hosts.push(format!("{sent}:80"));
            }
        }
        for signed in signed_hosts {
            out.push((
                Mistake::HostPortMismatch {
                    signed: signed.clone(),
                    sent: sent.to_owned(),
                },
                Variant {
                    header_value: Some(("host".to_owned(), signed)),
                    ..Variant::default()
                },
            ));
        }
    }
    out
}

/// Each signed header (but `x-amz-*` that signing adds) with outer whitespace the HTTP layer
/// removed: one or two spaces, or a tab, on either side or both, the values untrimmed.
fn padded_headers(request: &SignableRequest<'_>, checked: &Checked<'_>) -> Vec<(Mistake, Variant)> {
    let mut out = Vec::new();
    for name in checked.auth.signed_headers() {
        if name.starts_with("x-amz-") {
            continue;
        }
        let Some(sent) = signed_value(request, checked, name) else {
            continue;
        };
        for pad in [" ", "  ", "\t"] {
            for (left, right) in [(pad, ""), ("", pad), (pad, pad)] {
                let signed = format!("{left}{sent}{right}");
                out.push((
                    Mistake::HeaderValuePadded {
                        name: name.to_owned(),
                        signed: signed.clone(),
                    },
                    Variant {
                        headers: HeaderStyle::Untrimmed,
                        header_value: Some((name.to_owned(), signed)),
                        ..Variant::default()
                    },
                ));
            }
        }
    }
    out
}
