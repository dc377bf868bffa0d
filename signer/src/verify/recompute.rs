//! The server's side of the signature: the canonical request and string to sign of a received
//! request, written by the one writer ([`crate::canonical_request`]), and the signature they
//! give; or, for diagnosis, what they give under a [`Variant`] of the inputs.

use std::borrow::Cow;
use std::ops::Range;

use subtle::ConstantTimeEq;

use crate::canonical_request::{write_canonical_request, Parts, Rules};
use crate::encoding::{hex32, Hex32};
use crate::headers::{eq_names, HeaderStyle, SignedHeaders};
use crate::key::SigningKey;
use crate::query::QueryStyle;
use crate::request::SignableRequest;
use crate::settings::SessionTokenMode;
use crate::string_to_sign::{push_scope, push_v4a_scope, write_string_to_sign, ALGORITHM};
use crate::uri::{NormalizationMode, PathEncoding};
use crate::v4a::{self, V4aSigningKey};

use super::{AuthKind, Checked, VerifyError, VerifyParams};

/// The server's artifacts for one way of computing the signature: the canonical request and
/// string to sign, written into one buffer (with room left for the authentication's parts,
/// which [`super::Verified`] keeps in the same buffer).
pub(crate) struct Computed {
    pub(crate) text: String,
    pub(crate) creq: Range<usize>,
    pub(crate) sts: Range<usize>,
    /// SigV4: the signature, lowercase hex. SigV4a: ECDSA signatures are randomised, so the
    /// server cannot recompute one; whether the sent one verifies.
    pub(crate) signature: Signature,
}

pub(crate) enum Signature {
    V4(Hex32),
    V4a(bool),
}

impl Computed {
    pub(crate) fn canonical_request(&self) -> &str {
        &self.text[self.creq.clone()]
    }

    pub(crate) fn string_to_sign(&self) -> &str {
        &self.text[self.sts.clone()]
    }

    /// Whether `sent` is the signature, case-insensitively; SigV4 compared in constant time.
    pub(crate) fn matches(&self, sent: &str) -> bool {
        match &self.signature {
            Signature::V4a(valid) => *valid,
            Signature::V4(ours) => {
                let Ok(sent) = <&[u8; 64]>::try_from(sent.as_bytes()) else {
                    return false;
                };
                // The differences of all 64 bytes ORed together, with no early exit (a fold
                // the compiler vectorises), then one constant-time comparison with zero.
                let diff = sent
                    .iter()
                    .zip(ours.as_bytes())
                    .fold(0u8, |d, (&s, &o)| d | (s.to_ascii_lowercase() ^ o));
                diff.ct_eq(&0).into()
            }
        }
    }
}

/// The inputs of the writer varied the way a faulty client varies them. The default is the
/// rule; each field set is one deviation (diagnosis combines them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Variant {
    pub(crate) uri_encoding: Option<PathEncoding>,
    pub(crate) normalization: Option<NormalizationMode>,
    pub(crate) query: QueryStyle,
    pub(crate) headers: HeaderStyle,
    /// The payload hash signed instead of the one the request calls for.
    pub(crate) payload: Option<&'static str>,
    /// `Some(true)`: the session token signed; `Some(false)`: not signed.
    pub(crate) token_signed: Option<bool>,
    /// The timestamp written in the string to sign.
    pub(crate) sts_time: Option<String>,
    pub(crate) secret_suffix: &'static str,
    /// A signed header's value as the client signed it, in place of the one received:
    /// lowercased name and value.
    pub(crate) header_value: Option<(String, String)>,
}

impl Variant {
    /// Both deviations at once, when they change different inputs.
    pub(crate) fn combine(&self, other: &Self) -> Option<Self> {
        fn one<T: Clone + PartialEq>(a: &T, b: &T, unset: &T) -> Option<T> {
            match (a == unset, b == unset) {
                (true, _) => Some(b.clone()),
                (_, true) => Some(a.clone()),
                _ => None,
            }
        }
        Some(Self {
            uri_encoding: one(&self.uri_encoding, &other.uri_encoding, &None)?,
            normalization: one(&self.normalization, &other.normalization, &None)?,
            query: one(&self.query, &other.query, &QueryStyle::Canonical)?,
            headers: one(&self.headers, &other.headers, &HeaderStyle::Canonical)?,
            payload: one(&self.payload, &other.payload, &None)?,
            token_signed: one(&self.token_signed, &other.token_signed, &None)?,
            sts_time: one(&self.sts_time, &other.sts_time, &None)?,
            secret_suffix: one(&self.secret_suffix, &other.secret_suffix, &"")?,
            header_value: one(&self.header_value, &other.header_value, &None)?,
        })
    }
}

/// The canonical request, string to sign and signature of `request` under `variant`.
pub(crate) fn compute(
    request: &SignableRequest<'_>,
    c: &Checked<'_, '_>,
    params: &VerifyParams<'_>,
    variant: &Variant,
) -> Result<Computed, VerifyError> {
    let (path, query) = (c.path, c.query);
    let s = &params.settings;
    let token_unsigned = match variant.token_signed {
        Some(signed) => !signed,
        None => s.rules.session_token == SessionTokenMode::AddAfterSigning,
    };
    let skip = |key: &[u8]| match c.auth.kind() {
        AuthKind::Header => false,
        AuthKind::Query => {
            key == b"X-Amz-Signature" || (token_unsigned && key == b"X-Amz-Security-Token")
        }
    };
    let token_sent = || {
        request
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("x-amz-security-token"))
    };
    let listed = |name: &str| c.auth.signed_names().any(|s| eq_names(name, s));
    let keep = |name: &str| {
        let token = name.eq_ignore_ascii_case("x-amz-security-token");
        match (variant.token_signed, c.auth.kind()) {
            (Some(true), AuthKind::Header) if token && token_sent() => true,
            (Some(false), AuthKind::Header) if token => false,
            _ => listed(name),
        }
    };
    let replaced: Vec<(&str, &str)>;
    let headers: &[(&str, &str)] = match &variant.header_value {
        None => &request.headers,
        Some((name, value)) => {
            replaced = request
                .headers
                .iter()
                .map(|&(n, v)| match n.eq_ignore_ascii_case(name) {
                    true => (n, value.as_str()),
                    false => (n, v),
                })
                .collect();
            &replaced
        }
    };
    // The headers the checks matched against the list, unless the session token's signing is
    // varied (diagnosis).
    let signed = match (c.signed_mask, variant.token_signed) {
        (Some(mask), None) => SignedHeaders::new_by_index(headers, &[], |i| (mask >> i) & 1 == 1),
        _ => SignedHeaders::new(headers, &[], keep),
    };
    let rules = Rules {
        uri_encoding: variant.uri_encoding.unwrap_or(s.rules.uri_encoding.into()),
        normalization: variant.normalization.unwrap_or(s.rules.normalization),
        query: variant.query,
        headers: variant.headers,
    };
    let parts = Parts {
        method: request.method,
        path,
        query,
        added_query: &[],
        skip_query: Some(&skip),
        headers: &signed,
        payload_hash: variant.payload.unwrap_or(&c.payload),
    };
    // Room for the canonical request (the target, perhaps encoded, and the header lines, of
    // which `Authorization` is not one unless listed), the string to sign and the parts.
    // Kept tight: allocators serve small blocks from a fast path (glibc's per-thread cache
    // holds blocks up to 1032 bytes), and this is the verifier's one allocation.
    let auth_parts: usize = c.auth.parts().iter().map(|p| p.len()).sum();
    let header_bytes: usize = headers
        .iter()
        .filter(|(n, _)| {
            c.auth.kind() == AuthKind::Query || !n.eq_ignore_ascii_case("authorization")
        })
        .map(|(n, v)| n.len() + v.len() + 2)
        .sum();
    let mut text = String::with_capacity(
        auth_parts
            + 2 * request.target.len()
            + header_bytes
            + c.auth.signed_headers_list().len()
            + 300,
    );
    let creq = write_canonical_request(&mut text, &parts, rules).all;
    let sts_time = match &variant.sts_time {
        Some(t) => t.as_str(),
        None => c.amz_date.as_str(),
    };
    let scope = c.auth.scope();
    let secret: Cow<'_, str> = match variant.secret_suffix {
        "" => Cow::Borrowed(&c.secret),
        suffix => Cow::Owned(format!("{}{suffix}", c.secret)),
    };
    if c.auth.is_v4a() {
        let (sts, _) = write_string_to_sign(&mut text, creq, v4a::ALGORITHM, sts_time, |out| {
            push_v4a_scope(out, scope.date, scope.service);
        });
        let string_to_sign = &text[sts.start..sts.end];
        let key = match (c.v4a_key, variant.secret_suffix) {
            (Some(key), "") => Some(key),
            _ => V4aSigningKey::derive(c.auth.access_key_id(), &secret)
                .ok()
                .map(|k| k.public_key()),
        };
        let valid = key.is_some_and(|key| {
            key.verify(string_to_sign, c.auth.signature())
                .unwrap_or(false)
        });
        return Ok(Computed {
            creq: creq.start..creq.end,
            sts: sts.start..sts.end,
            text,
            signature: Signature::V4a(valid),
        });
    }
    let (sts, _) = write_string_to_sign(&mut text, creq, ALGORITHM, sts_time, |out| {
        push_scope(out, scope.date, scope.region, scope.service);
    });
    let string_to_sign = &text[sts.start..sts.end];
    let signature = hex32(&match (&c.signing_key, variant.secret_suffix) {
        (Some(key), "") => key.sign_bytes(string_to_sign.as_bytes()),
        _ => SigningKey::derive(&secret, scope).sign_bytes(string_to_sign.as_bytes()),
    });
    Ok(Computed {
        creq: creq.start..creq.end,
        sts: sts.start..sts.end,
        text,
        signature: Signature::V4(signature),
    })
}
