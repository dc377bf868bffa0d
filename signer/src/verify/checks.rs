//! Every check before the signature itself: credential, key, date, scope, clock or expiry, signed headers, body hash.

use std::borrow::Cow;

use crate::payload::{payload_hash, PayloadHash, PayloadMode, EMPTY_SHA256, UNSIGNED_PAYLOAD};
use crate::query_auth::MAX_EXPIRES;
use crate::request::SignableRequest;
use crate::time::{SigningTime, StackStr};
use crate::v4a;

use super::error::malformed;
use crate::headers::eq_names;

use super::parse::{parse_auth_of, validate_headers, KnownHeaders, RequestAuth, AUTHORITY};
use super::{AuthKind, VerifyError, VerifyParams};
use crate::key::SigningKey;
use crate::v4a::V4aPublicKey;

/// Every check up to the signature itself.
pub(crate) fn check_before_signature<'r, 'p>(
    request: &SignableRequest<'r>,
    params: &VerifyParams<'p>,
) -> Result<Checked<'r, 'p>, VerifyError> {
    let known = validate_headers(request)?;
    let target = request.path_and_query()?;
    let auth = parse_auth_of(request, target.1, known.authorization()?)?;
    check_parsed_at(request, auth, params, &known, Some(target))
}

/// [`check_before_signature`] for an authentication already parsed from `request`, whose
/// headers [`validate_headers`] checked.
pub(crate) fn check_parsed<'r, 'p>(
    request: &SignableRequest<'r>,
    auth: RequestAuth<'r>,
    params: &VerifyParams<'p>,
    known: &KnownHeaders<'r>,
) -> Result<Checked<'r, 'p>, VerifyError> {
    check_parsed_at(request, auth, params, known, None)
}

/// [`check_parsed`], with the request's path and query when they were already split.
fn check_parsed_at<'r, 'p>(
    request: &SignableRequest<'r>,
    mut auth: RequestAuth<'r>,
    params: &VerifyParams<'p>,
    known: &KnownHeaders<'r>,
    target: Option<(&'r str, &'r str)>,
) -> Result<Checked<'r, 'p>, VerifyError> {
    let presign_date = auth.date.take();
    let (date_value, date_is_http) = match (auth.kind(), presign_date) {
        (AuthKind::Query, Some(d)) => (d, false),
        (AuthKind::Query, None) => return Err(VerifyError::MissingDate),
        (AuthKind::Header, _) => match (known.x_amz_date, known.date) {
            (Some(d), _) => (Cow::Borrowed(d), false),
            (None, Some(d)) => (Cow::Borrowed(d), true),
            (None, None) => return Err(VerifyError::MissingDate),
        },
    };
    let key_id = auth.access_key_id();
    let secret = match params.secret_ref {
        Some(lookup) => lookup(key_id).map(Cow::Borrowed),
        None => (params.lookup)(key_id).map(Cow::Owned),
    }
    .ok_or_else(|| VerifyError::UnknownAccessKey {
        access_key_id: key_id.to_owned(),
    })?;
    let date_value: &str = &date_value;
    let time = if date_is_http {
        SigningTime::parse_http_date(date_value)
    } else {
        SigningTime::parse_amz_date(date_value)
    }
    .map_err(|_| VerifyError::InvalidDate {
        value: date_value.chars().take(64).collect(),
    })?;
    let scope = auth.scope();
    // The request time as the string to sign writes it, formatted once: its first 8 bytes
    // (before `THHMMSSZ`) are the date stamp.
    let amz_date = match date_is_http {
        true => time.amz_date_str(),
        false => time.amz_date_str_of(date_value),
    };
    let date_stamp = amz_date.as_str();
    if scope.date != &date_stamp[..date_stamp.len().saturating_sub(8)] {
        return Err(VerifyError::ScopeDateMismatch {
            scope_date: scope.date.to_owned(),
            request_date: time.date_stamp(),
        });
    }
    if auth.is_v4a() {
        let set = auth.region_set().ok_or(VerifyError::MissingRegionSet)?;
        if let Some(expected) = params.expected_region {
            if !v4a::region_set_includes(set, expected) {
                return Err(VerifyError::RegionNotInRegionSet {
                    region_set: set.chars().take(128).collect(),
                    expected: expected.to_owned(),
                });
            }
        }
        if v4a::key::parse_signature(auth.signature()).is_err() {
            return Err(malformed(
                "Signature is not a hex-encoded DER ECDSA P-256 signature",
            ));
        }
    } else if let Some(expected) = params.expected_region {
        if scope.region != expected {
            return Err(VerifyError::WrongRegion {
                got: scope.region.to_owned(),
                expected: expected.to_owned(),
            });
        }
    }
    if let Some(expected) = params.expected_service {
        if scope.service != expected {
            return Err(VerifyError::WrongService {
                got: scope.service.to_owned(),
                expected: expected.to_owned(),
            });
        }
    }
    let skew = i64::try_from(params.max_skew).unwrap_or(i64::MAX);
    let (t, now) = (time.unix_seconds(), params.now.unix_seconds());
    match auth.expires() {
        None => {
            if t.abs_diff(now) > params.max_skew {
                return Err(VerifyError::RequestTimeTooSkewed {
                    request_time: time,
                    server_time: params.now,
                    max_skew: params.max_skew,
                });
            }
        }
        Some(expires) => {
            if !(1..=MAX_EXPIRES).contains(&expires) {
                return Err(VerifyError::ExpiresOutOfRange { seconds: expires });
            }
            if t.saturating_sub(skew) > now {
                return Err(VerifyError::NotYetValid {
                    request_time: time,
                    server_time: params.now,
                });
            }
            let expired_at = t.saturating_add(i64::try_from(expires).unwrap_or(i64::MAX));
            if now > expired_at {
                return Err(VerifyError::Expired {
                    expired_at: SigningTime::from_unix_seconds(expired_at),
                    server_time: params.now,
                });
            }
        }
    }
    if !auth.signed_names().any(|h| h == "host" || h == AUTHORITY) {
        return Err(VerifyError::HostNotSigned);
    }
    // Each listed name's headers, found once: the first name no header has is missing, and
    // the headers found are those the canonical request signs (`Checked::signed_mask`).
    let mut mask = 0u64;
    for name in auth.signed_names() {
        let mut found = false;
        for (i, &(n, _)) in request.headers.iter().enumerate() {
            if eq_names(n, name) {
                found = true;
                mask |= 1u64.checked_shl(i as u32).unwrap_or(0);
            }
        }
        if !found {
            return Err(VerifyError::SignedHeaderMissing {
                name: name.to_owned(),
            });
        }
    }
    let signed_mask = (request.headers.len() <= 64).then_some(mask);
    let payload = match known.content_sha256 {
        Some(claimed) => {
            let is_hash = claimed.len() == 64 && claimed.bytes().all(|b| b.is_ascii_hexdigit());
            if is_hash {
                let computed = match params.body_sha256 {
                    Some(h) => Cow::Owned(h.to_owned()),
                    None => Cow::Owned(
                        PayloadHash::new(&PayloadMode::Hash, request.body)
                            .map_err(|_| malformed("payload"))?
                            .as_str()
                            .to_owned(),
                    ),
                };
                if !claimed.eq_ignore_ascii_case(&computed) {
                    return Err(VerifyError::ContentSha256Mismatch {
                        claimed: claimed.to_owned(),
                        computed: computed.into_owned(),
                    });
                }
            }
            Cow::Borrowed(claimed)
        }
        None => {
            let mode = match auth.kind() {
                AuthKind::Query => &params.settings.rules.payload,
                AuthKind::Header => &PayloadMode::Hash,
            };
            match (mode, params.body_sha256) {
                (PayloadMode::Hash, Some(h)) => Cow::Owned(h.to_owned()),
                (PayloadMode::Hash, None) if request.body.is_empty() => Cow::Borrowed(EMPTY_SHA256),
                (PayloadMode::Unsigned, _) => Cow::Borrowed(UNSIGNED_PAYLOAD),
                _ => {
                    Cow::Owned(payload_hash(mode, request.body).map_err(|_| malformed("payload"))?)
                }
            }
        }
    };
    // Split here when not split before, as `verify_checked` would first thing.
    let (path, query) = match target {
        Some(t) => t,
        None => request.path_and_query()?,
    };
    Ok(Checked {
        auth,
        time,
        amz_date,
        path,
        query,
        secret,
        payload,
        date_header: known.date,
        signed_mask,
        v4a_key: None,
        signing_key: None,
    })
}

/// What the checks before the signature established.
pub(crate) struct Checked<'r, 'p> {
    pub auth: RequestAuth<'r>,
    pub time: SigningTime,
    /// `time` as `X-Amz-Date` writes it.
    pub amz_date: StackStr,
    /// The request's path and query (split once).
    pub path: &'r str,
    pub query: &'r str,
    /// Borrowed from the caller's key store when it lends it ([`VerifyParams::secret_ref`]).
    pub secret: Cow<'p, str>,
    /// The payload hash signed: borrowed from the request or a constant, else computed.
    pub payload: Cow<'r, str>,
    pub date_header: Option<&'r str>,
    /// Bit `i` set when the request's header `i` is named in `SignedHeaders` (`None` for a
    /// request of more than 64 headers): what [`super::compute`] signs, without matching the
    /// names again.
    pub signed_mask: Option<u64>,
    /// For SigV4a: the public key to verify under; `None` derives it from the secret.
    pub v4a_key: Option<V4aPublicKey>,
    /// For SigV4: the signing key of `secret` and the scope, when already derived (diagnosis
    /// derives it once for all its variants); `None` derives it.
    pub signing_key: Option<SigningKey>,
}
