//! Every check before the signature itself: credential, key, date, scope, clock or expiry, signed headers, body hash.

use crate::payload::{payload_hash, PayloadMode};
use crate::query_auth::MAX_EXPIRES;
use crate::request::SignableRequest;
use crate::time::SigningTime;
use crate::{headers, v4a};

use super::error::malformed;
use super::parse::{
    authorization, header, parse_authorization, parse_presign, with_region_set_header,
};
use super::{AuthKind, ParsedAuth, VerifyError, VerifyParams};
use crate::v4a::V4aPublicKey;

/// Every check up to the signature itself.
pub(crate) fn check_before_signature(
    request: &SignableRequest<'_>,
    params: &VerifyParams<'_>,
) -> Result<Checked, VerifyError> {
    let (_, query) = request.path_and_query()?;
    for (n, v) in &request.headers {
        headers::validate(n, v)?;
    }
    let (auth, date_value, date_is_http) = match authorization(request)? {
        Some(value) => {
            let auth = with_region_set_header(request, parse_authorization(value)?);
            match (header(request, "x-amz-date"), header(request, "date")) {
                (Some(d), _) => (auth, d.to_owned(), false),
                (None, Some(d)) => (auth, d.to_owned(), true),
                (None, None) => return Err(VerifyError::MissingDate),
            }
        }
        None => match parse_presign(query)? {
            Some(p) => (p.auth, p.date, false),
            None => return Err(VerifyError::MissingAuthentication),
        },
    };
    let secret =
        (params.lookup)(&auth.access_key_id).ok_or_else(|| VerifyError::UnknownAccessKey {
            access_key_id: auth.access_key_id.clone(),
        })?;
    let time = if date_is_http {
        SigningTime::parse_http_date(&date_value)
    } else {
        SigningTime::parse_amz_date(&date_value)
    }
    .map_err(|_| VerifyError::InvalidDate {
        value: date_value.chars().take(64).collect(),
    })?;
    if auth.scope.date != time.date_stamp() {
        return Err(VerifyError::ScopeDateMismatch {
            scope_date: auth.scope.date.clone(),
            request_date: time.date_stamp(),
        });
    }
    if let Some(a) = &auth.v4a {
        let set = a
            .region_set
            .as_deref()
            .ok_or(VerifyError::MissingRegionSet)?;
        if let Some(expected) = params.expected_region {
            if !v4a::region_set_includes(set, expected) {
                return Err(VerifyError::RegionNotInRegionSet {
                    region_set: set.chars().take(128).collect(),
                    expected: expected.to_owned(),
                });
            }
        }
        if v4a::key::parse_signature(&auth.signature).is_err() {
            return Err(malformed(
                "Signature is not a hex-encoded DER ECDSA P-256 signature",
            ));
        }
    } else if let Some(expected) = params.expected_region {
        if auth.scope.region != expected {
            return Err(VerifyError::WrongRegion {
                got: auth.scope.region.clone(),
                expected: expected.to_owned(),
            });
        }
    }
    if let Some(expected) = params.expected_service {
        if auth.scope.service != expected {
            return Err(VerifyError::WrongService {
                got: auth.scope.service.clone(),
                expected: expected.to_owned(),
            });
        }
    }
    let skew = i64::try_from(params.max_skew).unwrap_or(i64::MAX);
    let (t, now) = (time.unix_seconds(), params.now.unix_seconds());
    match auth.expires {
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
    if !auth.signed_headers.iter().any(|h| h == "host") {
        return Err(VerifyError::HostNotSigned);
    }
    for name in &auth.signed_headers {
        if header(request, name).is_none() {
            return Err(VerifyError::SignedHeaderMissing { name: name.clone() });
        }
    }
    let payload = match header(request, "x-amz-content-sha256") {
        Some(claimed) => {
            let is_hash = claimed.len() == 64 && claimed.bytes().all(|b| b.is_ascii_hexdigit());
            if is_hash {
                let computed = match params.body_sha256 {
                    Some(h) => h.to_owned(),
                    None => payload_hash(&PayloadMode::Hash, request.body)
                        .map_err(|_| malformed("payload"))?,
                };
                if !claimed.eq_ignore_ascii_case(&computed) {
                    return Err(VerifyError::ContentSha256Mismatch {
                        claimed: claimed.to_owned(),
                        computed,
                    });
                }
            }
            claimed.to_owned()
        }
        None => {
            let mode = match auth.kind {
                AuthKind::Query => &params.settings.rules.payload,
                AuthKind::Header => &PayloadMode::Hash,
            };
            match (mode, params.body_sha256) {
                (PayloadMode::Hash, Some(h)) => h.to_owned(),
                _ => payload_hash(mode, request.body).map_err(|_| malformed("payload"))?,
            }
        }
    };
    Ok(Checked {
        auth,
        time,
        secret,
        payload,
        date_header: header(request, "date").map(str::to_owned),
        v4a_key: None,
    })
}

/// What the checks before the signature established.
pub(crate) struct Checked {
    pub auth: ParsedAuth,
    pub time: SigningTime,
    pub secret: String,
    pub payload: String,
    pub date_header: Option<String>,
    /// For SigV4a: the public key to verify under; `None` derives it from the secret.
    pub v4a_key: Option<V4aPublicKey>,
}
