//! Diagnosis of a signature mismatch: re-verify the request under the mistakes clients are
//! known to make, alone and two at a time, and name the ones whose signature matches.
//!
//! A mistake is a variant of the canonical-request writer's inputs (the path encoded once,
//! the query unsorted, a header value as the client had it before its HTTP library changed it,
//! another payload hash, another secret): diagnosis writes the canonical request and string to
//! sign under each variant with the same writer the signer and verifier use, and compares the
//! signature ([`diagnose`]), or the text the client printed ([`diagnose_printed`]: its
//! canonical request or string to sign, no signature needed).
//! [`Mistake::catalogue_markdown`] lists every mistake it knows, with where each is
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

use crate::encoding::is_unreserved;
use crate::headers::{canonical_value, HeaderStyle};
use crate::key::SigningKey;
use crate::payload::{EMPTY_SHA256, UNSIGNED_PAYLOAD};
use crate::query::QueryStyle;
use crate::request::SignableRequest;
use crate::time::SigningTime;
use crate::uri::{NormalizationMode, PathEncoding, UriEncodingMode};
use crate::v4a::V4aSigningKey;
use crate::verify::{
    check_before_signature, compute, Checked, Computed, Variant, VerifyError, VerifyParams,
};

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
    /// What was compared: the signature, or the text the client printed.
    printed: bool,
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
                "no known mistake reproduces your {} ({} variants of the request tried, \
                 alone and in pairs: path encoding and normalisation, query sorting and \
                 encoding, header whitespace and values changed after signing, payload hash, \
                 session token, date, secret with a trailing newline or space). What remains \
                 most likely: the secret access key is not the one for this access key id (a \
                 wrong or rotated key), or a signed header was changed on the way in a way the \
                 server cannot see. Compare your canonical request with the server's, line by \
                 line",
                if self.printed {
                    "canonical request and string to sign"
                } else {
                    "signature"
                },
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
    let checked = match checked(request, params) {
        Ok(c) => c,
        Err(found) => return found,
    };
    let sent = checked.auth.signature();
    let is_client = |c: &Computed| c.matches(sent);
    search(request, &checked, params, &is_client, false)
}

/// What a client printed names the mistakes: the known mistakes whose variant of the
/// writer's inputs produces exactly the `canonical_request` and the `string_to_sign` the
/// client printed (either or both; a string to sign alone pins the canonical request through
/// its hash). `request` carries its authentication (an `Authorization` header or a presigned
/// query: the credential scope, the signed headers, the time), but its signature is not looked
/// at, so a client that never got as far as sending can be diagnosed from its printout.
///
/// `None` when the printed text is the server's (or a reading the service also accepts), when
/// nothing was printed, or when the request fails a check before the signature; an
/// unexplained difference is `Some` with no mistakes, as for [`diagnose`].
pub fn diagnose_printed(
    request: &SignableRequest<'_>,
    params: &VerifyParams<'_>,
    canonical_request: Option<&str>,
    string_to_sign: Option<&str>,
) -> Option<Diagnosis> {
    if canonical_request.is_none() && string_to_sign.is_none() {
        return None;
    }
    let checked = match checked(request, params) {
        Ok(c) => c,
        Err(found) => return found,
    };
    let is_client = |c: &Computed| {
        canonical_request.is_none_or(|t| t == c.canonical_request())
            && string_to_sign.is_none_or(|t| t == c.string_to_sign())
    };
    search(request, &checked, params, &is_client, true)
}

/// The checks before the signature, or what diagnosis answers when they fail: a signed header
/// the request lacks is a mistake of its own, any other failure is no signature question.
fn checked<'r, 'p>(
    request: &SignableRequest<'r>,
    params: &VerifyParams<'p>,
) -> Result<Checked<'r, 'p>, Option<Diagnosis>> {
    match check_before_signature(request, params) {
        Ok(mut c) => {
            // The key of the secret as sent is derived once for every variant (only the
            // variants of the secret itself derive another).
            if c.auth.is_v4a() {
                if c.v4a_key.is_none() {
                    c.v4a_key = V4aSigningKey::derive(c.auth.access_key_id(), &c.secret)
                        .ok()
                        .map(|k| k.public_key());
                }
            } else {
                c.signing_key = Some(SigningKey::derive(&c.secret, c.auth.scope()));
            }
            Ok(c)
        }
        Err(VerifyError::SignedHeaderMissing { name }) => Err(Some(Diagnosis {
            mistakes: vec![Mistake::SignedHeaderNotSent { name }],
            canonical_request: None,
            string_to_sign: None,
            tried: 0,
            printed: false,
        })),
        Err(_) => Err(None),
    }
}

/// Tries the rule, then each mistake alone, then pairs, and names the first whose artifacts
/// are the client's (`is_client`).
fn search(
    request: &SignableRequest<'_>,
    checked: &Checked<'_, '_>,
    params: &VerifyParams<'_>,
    is_client: &dyn Fn(&Computed) -> bool,
    printed: bool,
) -> Option<Diagnosis> {
    let matches = |v: &Variant| {
        compute(request, checked, params, v)
            .ok()
            .filter(|c| is_client(c))
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
    // A raw `+` read as a plus sign is no mistake where the service accepts that reading (S3):
    // it is tried, alone and with each mistake, but never named.
    let literal_plus_accepted = params.settings.accept_literal_plus;
    let named = |ms: &[&Mistake]| -> Vec<Mistake> {
        ms.iter()
            .filter(|m| !(literal_plus_accepted && ***m == Mistake::QueryPlusAsLiteral))
            .map(|m| (*m).clone())
            .collect()
    };
    let singles = candidates(request, checked, params);
    let found = |mistakes: Vec<Mistake>, v: &Variant, tried: &mut usize| {
        *tried += 1;
        matches(v).map(|c| Diagnosis {
            mistakes,
            canonical_request: Some(c.canonical_request().to_owned()),
            string_to_sign: Some(c.string_to_sign().to_owned()),
            tried: *tried,
            printed,
        })
    };
    let mut tried = 1;
    for (m, v) in &singles {
        if tried >= MAX_VARIANTS {
            break;
        }
        if let Some(d) = found(named(&[m]), v, &mut tried) {
            return Some(d);
        }
    }
    // Pairs, up to the budget: the request-wide mistakes with each other first, then with the
    // per-header ones (a header value changed and one padded are the same input, so `combine`
    // refuses them). SigV4a's ECDSA verification is slow, so there only the first kind.
    let v4a = checked.auth.is_v4a();
    let (wide, per_header): (Vec<&Candidate>, Vec<&Candidate>) =
        singles.iter().partition(|(_, v)| v.header_value.is_none());
    let mut pairs: Vec<(&Candidate, &Candidate)> = Vec::new();
    for (i, a) in wide.iter().enumerate() {
        for b in &wide[i + 1..] {
            pairs.push((a, b));
        }
    }
    if !v4a {
        for a in &wide {
            for b in &per_header {
                pairs.push((a, b));
            }
        }
    }
    for ((ma, va), (mb, vb)) in pairs {
        if tried >= MAX_VARIANTS {
            break;
        }
        let Some(v) = va.combine(vb) else { continue };
        if let Some(d) = found(named(&[ma, mb]), &v, &mut tried) {
            return Some(d);
        }
    }
    Some(Diagnosis {
        mistakes: Vec::new(),
        canonical_request: None,
        string_to_sign: None,
        tried,
        printed,
    })
}

/// One mistake and the variant of the writer's inputs that reproduces it.
type Candidate = (Mistake, Variant);

/// The most variants one diagnosis tries: it bounds the work a rejected request costs a
/// server, whatever the request (each variant is one HMAC signature, or one ECDSA
/// verification for SigV4a, over a canonical request written anew).
pub const MAX_VARIANTS: usize = 600;

/// The most signed headers tried with outer whitespace (each costs nine variants).
const MAX_PADDED_HEADERS: usize = 8;

/// Headers signing adds, whose values the client did not write: never padded.
const ADDED_BY_SIGNING: &[&str] = &[
    "x-amz-date",
    "x-amz-content-sha256",
    "x-amz-security-token",
    "x-amz-region-set",
];

/// Every single mistake that applies to this request, with the variant that reproduces it.
fn candidates(
    request: &SignableRequest<'_>,
    checked: &Checked<'_, '_>,
    params: &VerifyParams<'_>,
) -> Vec<(Mistake, Variant)> {
    let s = &params.settings.rules;
    let v = Variant::default;
    let mut out: Vec<(Mistake, Variant)> = vec![
        match s.uri_encoding {
            UriEncodingMode::Single => (
                Mistake::PathEncodedTwice,
                Variant {
                    uri_encoding: Some(UriEncodingMode::Double.into()),
                    ..v()
                },
            ),
            _ => (
                Mistake::PathEncodedOnce,
                Variant {
                    uri_encoding: Some(UriEncodingMode::Single.into()),
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
    // A path as sent differs from both encodings only where it holds a byte encoding changes.
    let path = request.path_and_query().map_or("", |(p, _)| p);
    if path
        .bytes()
        .any(|b| !is_unreserved(b) && b != b'/' && b != b'%')
    {
        out.push((
            Mistake::PathNotEncoded,
            Variant {
                uri_encoding: Some(PathEncoding::AsSent),
                ..v()
            },
        ));
    }
    for (m, q) in [
        (Mistake::QueryNotSorted, QueryStyle::Unsorted),
        (Mistake::QueryPlusForSpace, QueryStyle::PlusForSpace),
        (Mistake::QueryLowercaseHex, QueryStyle::LowercaseHex),
        (Mistake::QueryPlusAsLiteral, QueryStyle::LiteralPlus),
    ] {
        out.push((m, Variant { query: q, ..v() }));
    }
    // A header style is tried only where it changes a signed header's line (otherwise its
    // canonical request is the rule's, already tried), and the mistake names those headers.
    for h in [
        HeaderStyle::Untrimmed,
        HeaderStyle::CollapseAllWhitespace,
        HeaderStyle::Unjoined,
    ] {
        let names = restyled_headers(request, checked, h);
        if names.is_empty() {
            continue;
        }
        let m = match h {
            HeaderStyle::Untrimmed => Mistake::HeaderValuesNotTrimmed { names },
            HeaderStyle::CollapseAllWhitespace => Mistake::HeaderTabsCollapsed { names },
            _ => Mistake::RepeatedHeadersNotJoined { names },
        };
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
    checked: &Checked<'_, '_>,
    name: &str,
) -> Option<&'r str> {
    if !checked
        .auth
        .signed_headers()
        .any(|s| s.eq_ignore_ascii_case(name))
    {
        return None;
    }
    let mut values = request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name));
    let (_, value) = values.next()?;
    values.next().is_none().then_some(*value)
}

/// The signed headers (lowercased, in `SignedHeaders` order) whose canonical line `style`
/// changes: a value the rule trims or whose spaces it collapses (`Untrimmed`), a value with
/// whitespace other than single spaces inside (`CollapseAllWhitespace`), a header sent more
/// than once (`Unjoined`).
fn restyled_headers(
    request: &SignableRequest<'_>,
    checked: &Checked<'_, '_>,
    style: HeaderStyle,
) -> Vec<String> {
    let changes = |value: &str| {
        let rule = canonical_value(value);
        match style {
            HeaderStyle::Untrimmed => rule != value,
            HeaderStyle::CollapseAllWhitespace => {
                let mut words = value.split_whitespace();
                let mut collapsed = words.next().unwrap_or("").to_owned();
                for w in words {
                    collapsed.push(' ');
                    collapsed.push_str(w);
                }
                rule != collapsed
            }
            _ => false,
        }
    };
    let mut out: Vec<String> = Vec::new();
    for name in checked.auth.signed_headers() {
        let mut values = request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v);
        let hit = if style == HeaderStyle::Unjoined {
            values.nth(1).is_some()
        } else {
            values.any(changes)
        };
        let name = name.to_ascii_lowercase();
        if hit && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// Values of Content-Type and Host as an HTTP library or proxy may have changed them after
/// signing.
fn changed_headers(
    request: &SignableRequest<'_>,
    checked: &Checked<'_, '_>,
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
fn padded_headers(
    request: &SignableRequest<'_>,
    checked: &Checked<'_, '_>,
) -> Vec<(Mistake, Variant)> {
    let mut out = Vec::new();
    let padded = checked.auth.signed_headers().filter(|name| {
        !ADDED_BY_SIGNING
            .iter()
            .any(|a| a.eq_ignore_ascii_case(name))
    });
    for name in padded.take(MAX_PADDED_HEADERS) {
        let name = &name.to_ascii_lowercase();
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
