//! Verification: re-derive a received request's signature and say precisely what is wrong.
//!
//! Header auth reads `Authorization: AWS4-HMAC-SHA256 Credential=AK/date/region/service/aws4_request,
//! SignedHeaders=a;b, Signature=hex` (spaces around the commas and `=` are tolerated, as AWS
//! does) and the request time from `X-Amz-Date`, or `Date` when there is no `X-Amz-Date`.
//! Query auth reads the `X-Amz-*` parameters of a presigned URL.
//!
//! Checks, in order, each with its own [`VerifyError`]: algorithm; credential shape; access key
//! known (through the caller's lookup); request date present and valid; credential-scope date
//! equal to the request date; region and service as expected; request time within the allowed
//! skew (header auth) or `X-Amz-Expires` in 1..=604800, not expired and not from the future
//! (query auth); `host` signed; every signed header present; `x-amz-content-sha256`, when it is
//! a hash, equal to the body's; the signature, compared in constant time.
//!
//! SigV4a (`AWS4-ECDSA-P256-SHA256`, see [`crate::v4a`]) goes through the same checks, with a
//! credential scope without region, the region set read from `X-Amz-Region-Set` (header or
//! parameter) and required to include the expected region or `*`, and the signature verified
//! with ECDSA under the public key derived from the secret.

use std::fmt;
use std::ops::Range;

mod checks;
mod error;
mod parse;
mod recompute;

use crate::key::SigningKeyCache;
use crate::query::QueryStyle;
use crate::request::SignableRequest;
use crate::settings::Settings;
use crate::time::SigningTime;

pub(crate) use checks::{check_before_signature, check_parsed, Checked};
pub use error::VerifyError;
pub(crate) use parse::validate_headers;
pub use parse::{
    parse_auth, parse_authorization, parse_authorization_value, parse_request_auth, AuthKind,
    ParsedAuth, RequestAuth, V4aAuth,
};
pub(crate) use recompute::{compute, Computed, Variant};

/// Default allowed clock skew, 15 minutes, as AWS allows.
pub const DEFAULT_MAX_SKEW: u64 = 900;

/// How the service being verified canonicalises: the signing [`Settings`] of the service (path
/// encoding, normalisation, session token; `payload` is the payload hash of a presigned request
/// that carries no `x-amz-content-sha256`, [`crate::PayloadMode::Unsigned`] for S3), and what the
/// service accepts besides.
///
/// Build it from the settings a client signs with, `VerifySettings::from(settings)` (the
/// default is right for every service but S3); for S3 use [`VerifySettings::s3`], which also
/// takes a presigned URL's `UNSIGNED-PAYLOAD` and both readings of a raw `+`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct VerifySettings {
    /// The service's signing rules.
    pub rules: Settings,
    /// Accept a raw `+` in the query read as a plus sign too, as S3 does.
    pub accept_literal_plus: bool,
}

impl From<Settings> for VerifySettings {
    fn from(rules: Settings) -> Self {
        Self {
            rules,
            accept_literal_plus: false,
        }
    }
}

impl VerifySettings {
    /// S3's rules ([`Settings::s3_presigned`]: a presigned request without
    /// `x-amz-content-sha256` is `UNSIGNED-PAYLOAD`), accepting both readings of a raw `+`.
    pub fn s3() -> Self {
        Self {
            rules: Settings::s3_presigned(),
            accept_literal_plus: true,
        }
    }

    /// Whether a raw `+` in the query may also be read as a plus sign.
    pub fn with_literal_plus(mut self, accept: bool) -> Self {
        self.accept_literal_plus = accept;
        self
    }
}

/// A lookup that lends an access key's secret from the caller's key store, `None` when the key
/// is unknown ([`VerifyParams::new_borrowing`]).
pub type BorrowedLookup<'a> = dyn Fn(&str) -> Option<&'a str> + 'a;

/// What the verifier needs besides the request. Build it with [`VerifyParams::new`] and the
/// `with_*` methods.
#[non_exhaustive]
pub struct VerifyParams<'a> {
    /// The server's current time.
    pub now: SigningTime,
    /// Allowed clock skew, seconds.
    pub max_skew: u64,
    /// The service's canonicalisation.
    pub settings: VerifySettings,
    /// The region the endpoint serves, if checked.
    pub expected_region: Option<&'a str>,
    /// The service the endpoint serves, if checked.
    pub expected_service: Option<&'a str>,
    /// The secret of an access key, or `None` when the key is unknown.
    pub lookup: &'a dyn Fn(&str) -> Option<String>,
    /// The secret of an access key borrowed from the caller's key store, or `None` when the
    /// key is unknown: when set ([`VerifyParams::new_borrowing`]), asked instead of `lookup`,
    /// and no secret is copied per request.
    pub secret_ref: Option<&'a BorrowedLookup<'a>>,
    /// The body's SHA-256 (lowercase hex) when the caller hashed the body as it streamed it
    /// elsewhere and passes the request without it; `None` hashes the request's body.
    pub body_sha256: Option<&'a str>,
    /// Where a SigV4 signing key is taken from instead of derived (four HMACs) for every
    /// request: a server's cache, keyed by secret, date, region and service; `None` derives
    /// it each time. A diagnosis of a mismatch derives its own.
    pub key_cache: Option<&'a SigningKeyCache>,
}

impl<'a> VerifyParams<'a> {
    /// Parameters at `now` with secrets from `lookup`: default settings (not S3), the default
    /// skew of 15 minutes, no region or service checked.
    pub fn new(now: SigningTime, lookup: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Self {
            now,
            max_skew: DEFAULT_MAX_SKEW,
            settings: VerifySettings::default(),
            expected_region: None,
            expected_service: None,
            lookup,
            secret_ref: None,
            body_sha256: None,
            key_cache: None,
        }
    }

    /// [`Self::new`] with secrets borrowed from `lookup` (a key store that holds them) rather
    /// than returned owned: one allocation less per request.
    pub fn new_borrowing(now: SigningTime, lookup: &'a BorrowedLookup<'a>) -> Self {
        fn unused(_: &str) -> Option<String> {
            None
        }
        Self {
            secret_ref: Some(lookup),
            ..Self::new(now, &unused)
        }
    }

    /// Takes SigV4 signing keys from `cache` (deriving and caching a missing one) instead of
    /// deriving one per request.
    pub fn with_key_cache(mut self, cache: Option<&'a SigningKeyCache>) -> Self {
        self.key_cache = cache;
        self
    }

    /// Takes the body's SHA-256 (lowercase hex) as given instead of hashing the request's
    /// body: for a server that streamed the body to storage while hashing it.
    pub fn with_body_sha256(mut self, hash: Option<&'a str>) -> Self {
        self.body_sha256 = hash;
        self
    }

    /// Replaces the settings.
    pub fn with_settings(mut self, settings: impl Into<VerifySettings>) -> Self {
        self.settings = settings.into();
        self
    }

    /// Sets the allowed clock skew, seconds.
    pub fn with_max_skew(mut self, seconds: u64) -> Self {
        self.max_skew = seconds;
        self
    }

    /// Requires the credential scope to name this region.
    pub fn with_region(mut self, region: &'a str) -> Self {
        self.expected_region = Some(region);
        self
    }

    /// Sets the region checked, or none.
    pub fn with_expected_region(mut self, region: Option<&'a str>) -> Self {
        self.expected_region = region;
        self
    }

    /// Sets the service checked, or none.
    pub fn with_expected_service(mut self, service: Option<&'a str>) -> Self {
        self.expected_service = service;
        self
    }

    /// Requires the credential scope to name this service.
    pub fn with_service(mut self, service: &'a str) -> Self {
        self.expected_service = Some(service);
        self
    }
}

impl fmt::Debug for VerifyParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyParams")
            .field("now", &self.now)
            .field("max_skew", &self.max_skew)
            .field("settings", &self.settings)
            .field("expected_region", &self.expected_region)
            .field("expected_service", &self.expected_service)
            .field("key_cache", &self.key_cache)
            .finish_non_exhaustive()
    }
}

/// A request that verified: its authentication, its time, and the canonical request and
/// string to sign the server computed, all kept in one buffer.
#[derive(Clone, PartialEq, Eq)]
pub struct Verified {
    text: String,
    creq: Range<usize>,
    sts: Range<usize>,
    /// The spans of [`RequestAuth`]'s parts in `text`.
    parts: [Range<usize>; 4],
    /// The authentication without its parts (kind, expiry, SigV4a).
    shape: RequestAuth<'static>,
    time: SigningTime,
}

impl Verified {
    fn new(mut computed: Computed, auth: &RequestAuth<'_>, time: SigningTime) -> Self {
        let text = &mut computed.text;
        let parts = auth.parts().map(|p| {
            let start = text.len();
            text.push_str(p);
            start..text.len()
        });
        Self {
            text: computed.text,
            creq: computed.creq,
            sts: computed.sts,
            parts,
            shape: auth.with_parts([""; 4]),
            time,
        }
    }

    /// The parsed authentication.
    pub fn auth(&self) -> RequestAuth<'_> {
        self.shape
            .with_parts(self.parts.clone().map(|r| &self.text[r]))
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        let credential = &self.text[self.parts[0].clone()];
        credential.split('/').next().unwrap_or_default()
    }

    /// The request time.
    pub fn time(&self) -> SigningTime {
        self.time
    }

    /// The canonical request the server computed.
    pub fn canonical_request(&self) -> &str {
        &self.text[self.creq.clone()]
    }

    /// The string to sign the server computed.
    pub fn string_to_sign(&self) -> &str {
        &self.text[self.sts.clone()]
    }
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("auth", &self.auth())
            .field("time", &self.time)
            .field("canonical_request", &self.canonical_request())
            .field("string_to_sign", &self.string_to_sign())
            .finish()
    }
}

/// Verifies a received request, SigV4 or SigV4a.
pub fn verify(
    request: &SignableRequest<'_>,
    params: &VerifyParams<'_>,
) -> Result<Verified, VerifyError> {
    let checked = check_before_signature(request, params)?;
    verify_checked(request, checked, params)
}

/// [`verify`] with the authentication already parsed from `request` by [`parse_auth`]: a
/// server that routes on the credential scope parses each request once.
pub fn verify_parsed<'r>(
    request: &SignableRequest<'r>,
    auth: RequestAuth<'r>,
    params: &VerifyParams<'_>,
) -> Result<Verified, VerifyError> {
    let known = validate_headers(request)?;
    let checked = check_parsed(request, auth, params, &known)?;
    verify_checked(request, checked, params)
}

/// The signature check of [`verify`], after [`check_before_signature`].
pub(crate) fn verify_checked(
    request: &SignableRequest<'_>,
    mut checked: Checked<'_, '_>,
    params: &VerifyParams<'_>,
) -> Result<Verified, VerifyError> {
    let query = checked.query;
    if let (Some(cache), None) = (params.key_cache, &checked.signing_key) {
        if !checked.auth.is_v4a() {
            checked.signing_key = Some(cache.get(&checked.secret, checked.auth.scope()));
        }
    }
    let computed = compute(request, &checked, params, &Variant::default())?;
    let sent = checked.auth.signature();
    if computed.matches(sent) {
        return Ok(Verified::new(computed, &checked.auth, checked.time));
    }
    // S3 accepts a raw `+` in the query read as a plus sign as well as a space (see
    // `crate::query`).
    if params.settings.accept_literal_plus && query.contains('+') {
        let alt = compute(
            request,
            &checked,
            params,
            &Variant {
                query: QueryStyle::LiteralPlus,
                ..Variant::default()
            },
        )?;
        if alt.matches(sent) {
            return Ok(Verified::new(alt, &checked.auth, checked.time));
        }
    }
    Err(VerifyError::SignatureMismatch {
        canonical_request: computed.canonical_request().to_owned(),
        string_to_sign: computed.string_to_sign().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{sign, Credentials, SignatureLocation, SigningParams};

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn t(s: &str) -> SigningTime {
        SigningTime::parse(s).unwrap()
    }

    fn signed(location: SignatureLocation, time: &str) -> (String, Vec<(String, String)>) {
        let creds = Credentials::new("AKIDEXAMPLE", SECRET);
        let params = SigningParams::new(&creds, "us-east-1", "service", t(time));
        let req = SignableRequest::new("GET", "/p?a=b").header("Host", "example.amazonaws.com");
        let out = sign(&req, &params, location).unwrap();
        let s = out.apply(&req);
        (s.target, s.headers)
    }

    /// The GET of `target` with `headers`, as received.
    fn get<'a>(target: &'a str, headers: &'a [(String, String)]) -> SignableRequest<'a> {
        SignableRequest {
            method: "GET",
            target,
            headers: headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect(),
            body: b"",
        }
    }

    fn check(
        target: &str,
        headers: &[(String, String)],
        now: &str,
    ) -> Result<Verified, VerifyError> {
        let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
        let params = VerifyParams {
            now: t(now),
            max_skew: DEFAULT_MAX_SKEW,
            settings: VerifySettings::default(),
            expected_region: Some("us-east-1"),
            expected_service: Some("service"),
            lookup: &lookup,
            secret_ref: None,
            body_sha256: None,
            key_cache: None,
        };
        let req = get(target, headers);
        verify(&req, &params)
    }

    fn code(r: Result<Verified, VerifyError>) -> &'static str {
        r.err().map_or("ok", |e| e.code())
    }

    fn set(headers: &mut [(String, String)], name: &str, value: &str) {
        for (n, v) in headers.iter_mut() {
            if n.eq_ignore_ascii_case(name) {
                *v = value.to_owned();
            }
        }
    }

    /// A signing key taken from a `SigningKeyCache` verifies as a derived one does: the same
    /// verdicts, the key derived once and reused, a wrong signature still refused.
    #[test]
    fn key_cache_gives_the_same_verdicts() {
        let (target, headers) = signed(SignatureLocation::Headers, "2015-08-30T12:36:00Z");
        let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
        let cache = SigningKeyCache::new(4);
        let req = get(&target, &headers);
        let params = || {
            VerifyParams::new(t("2015-08-30T12:37:00Z"), &lookup)
                .with_region("us-east-1")
                .with_service("service")
        };
        let uncached = verify(&req, &params()).unwrap();
        let cached_params = params().with_key_cache(Some(&cache));
        for _ in 0..2 {
            assert_eq!(verify(&req, &cached_params).unwrap(), uncached);
        }
        assert_eq!(cache.len(), 1);
        let mut wrong = headers.clone();
        for (n, v) in &mut wrong {
            if n.eq_ignore_ascii_case("authorization") {
                let last = v.pop().map_or('0', |c| if c == '0' { '1' } else { '0' });
                v.push(last);
            }
        }
        let req = SignableRequest {
            headers: wrong
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect(),
            ..req
        };
        assert_eq!(code(verify(&req, &cached_params)), "signature-mismatch");
        assert_eq!(code(verify(&req, &params())), "signature-mismatch");
    }

    /// A Kinesis request as the JS SDK v3's HTTP/2 handler signs it: `:authority` in Host's
    /// place. The Authorization is @smithy/signature-v4 5.7.5's (an independent signer, the
    /// one the SDK uses) for these headers at 2015-08-30T12:36:00Z.
    #[test]
    fn authority_signed_in_place_of_host() {
        let headers = [
            (":authority", "127.0.0.1:4566"),
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", "Kinesis_20131202.ListStreams"),
            ("x-amz-date", "20150830T123600Z"),
            ("x-amz-content-sha256", "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"),
            ("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, SignedHeaders=:authority;content-type;x-amz-content-sha256;x-amz-date;x-amz-target, Signature=a7bba2ba2124aefafdb944f6ffef0f2c12439b2a973295bba467bd6c7c19e6de"),
        ];
        let run = |authority: &str| {
            let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
            let params = VerifyParams::new(t("2015-08-30T12:36:00Z"), &lookup);
            let mut req = SignableRequest::new("POST", "/");
            for (n, v) in headers {
                req = req.header(n, if n == ":authority" { authority } else { v });
            }
            req.body = b"{}";
            verify(&req, &params)
        };
        assert_eq!(code(run("127.0.0.1:4566")), "ok");
        let err = run("127.0.0.1:4567").unwrap_err();
        assert_eq!(err.code(), "signature-mismatch");
        let VerifyError::SignatureMismatch {
            canonical_request, ..
        } = err
        else {
            unreachable!()
        };
        assert!(canonical_request.contains("\n:authority:127.0.0.1:4567\ncontent-type:"));
    }

    /// The canonical request signs the headers the checks matched against `SignedHeaders`
    /// (`Checked::signed_mask`) as it signs those the names select: repeated names, names in
    /// other cases, unsigned headers, a signed header at index 63, more than 64 headers.
    #[test]
    fn the_headers_matched_are_those_the_names_select() {
        let (target, h) = signed(SignatureLocation::Headers, "2015-08-30T12:36:00Z");
        let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
        let params = VerifyParams::new(t("2015-08-30T12:36:00Z"), &lookup);
        let pair = |n: &str, v: &str| (n.to_owned(), v.to_owned());
        let mut repeated = h.clone();
        repeated.extend([
            pair("HOST", "second"),
            pair("x-other", "v"),
            pair("X-AMZ-DATE", "x"),
        ]);
        let filled = |n: usize| {
            let mut hs = h.clone();
            hs.extend((0..n).map(|i| pair(&format!("x-h{i}"), "v")));
            hs.push(pair("host", "last"));
            hs
        };
        for (hs, masked) in [
            (h.clone(), true),
            (repeated, true),
            (filled(60), true),
            (filled(61), false),
            (filled(80), false),
        ] {
            let req = get(&target, &hs);
            let checked = check_before_signature(&req, &params).unwrap();
            assert_eq!(
                checked.signed_mask.is_some(),
                masked,
                "{} headers",
                hs.len()
            );
            let by_mask = compute(&req, &checked, &params, &Variant::default()).unwrap();
            let mut by_name = check_before_signature(&req, &params).unwrap();
            by_name.signed_mask = None;
            let by_name = compute(&req, &by_name, &params, &Variant::default()).unwrap();
            assert_eq!(by_mask.canonical_request(), by_name.canonical_request());
        }
    }

    #[test]
    fn header_auth_checks() {
        let (target, h) = signed(SignatureLocation::Headers, "2015-08-30T12:36:00Z");
        assert_eq!(code(check(&target, &h, "2015-08-30T12:50:00Z")), "ok");
        assert_eq!(
            code(check(&target, &h, "2015-08-30T12:52:00Z")),
            "request-time-too-skewed"
        );
        let no_date: Vec<_> = h
            .iter()
            .filter(|(n, _)| n != "X-Amz-Date")
            .cloned()
            .collect();
        assert_eq!(
            code(check(&target, &no_date, "2015-08-30T12:36:00Z")),
            "missing-date"
        );
        let auth = h
            .iter()
            .find(|(n, _)| n == "Authorization")
            .unwrap()
            .1
            .clone();

        // Spacing AWS tolerates.
        let mut h2 = h.clone();
        set(
            &mut h2,
            "authorization",
            &auth
                .replace(", ", ",")
                .replace("Credential=", " Credential = "),
        );
        assert_eq!(code(check(&target, &h2, "2015-08-30T12:36:00Z")), "ok");

        for (from, to, want) in [
            (
                "AWS4-HMAC-SHA256",
                "AWS4-HMAC-SHA1",
                "unsupported-algorithm",
            ),
            ("AKIDEXAMPLE", "AKIDOTHER", "unknown-access-key"),
            ("20150830/", "20150831/", "scope-date-mismatch"),
            ("us-east-1", "us-west-2", "wrong-region"),
            ("/service/", "/other/", "wrong-service"),
            ("/aws4_request", "/aws5_request", "malformed-credential"),
            ("SignedHeaders=host;", "SignedHeaders=", "host-not-signed"),
            (
                "SignedHeaders=host;",
                "SignedHeaders=host;x-gone;",
                "signed-header-missing",
            ),
            (", Signature=", ", Sig=", "malformed-authorization"),
            ("Signature=", "Signature=0", "signature-mismatch"),
        ] {
            let mut h2 = h.clone();
            set(&mut h2, "authorization", &auth.replacen(from, to, 1));
            assert_eq!(
                code(check(&target, &h2, "2015-08-30T12:36:00Z")),
                want,
                "{from} -> {to}"
            );
        }
        let mut twice = h.clone();
        twice.push(("authorization".into(), auth.clone()));
        assert_eq!(
            code(check(&target, &twice, "2015-08-30T12:36:00Z")),
            "malformed-authorization"
        );
        let mut h2 = h.clone();
        set(&mut h2, "x-amz-date", "2015-08-30T12:36:00Z");
        assert_eq!(
            code(check(&target, &h2, "2015-08-30T12:36:00Z")),
            "invalid-date"
        );
        assert_eq!(
            code(check(
                "/p?a=b",
                &[("Host".into(), "h".into())],
                "2015-08-30T12:36:00Z"
            )),
            "missing-authentication"
        );
    }

    #[test]
    fn borrowed_secrets_verify_as_owned_ones() {
        let (target, h) = signed(SignatureLocation::Headers, "2015-08-30T12:36:00Z");
        let req = get(&target, &h);
        let store = [("AKIDEXAMPLE".to_owned(), SECRET.to_owned())];
        let lookup = |k: &str| {
            store
                .iter()
                .find(|(ak, _)| ak == k)
                .map(|(_, s)| s.as_str())
        };
        let now = t("2015-08-30T12:36:00Z");
        let borrowed = verify(&req, &VerifyParams::new_borrowing(now, &lookup)).unwrap();
        let owned_lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
        let owned = verify(&req, &VerifyParams::new(now, &owned_lookup)).unwrap();
        assert_eq!(borrowed, owned);
        let none = |_: &str| None;
        assert_eq!(
            code(verify(&req, &VerifyParams::new_borrowing(now, &none))),
            "unknown-access-key"
        );
        let wrong = |_: &str| Some("not the secret");
        assert_eq!(
            code(verify(&req, &VerifyParams::new_borrowing(now, &wrong))),
            "signature-mismatch"
        );
    }

    #[test]
    fn a_signature_mismatch_carries_the_servers_artifacts() {
        let (target, h) = signed(SignatureLocation::Headers, "2015-08-30T12:36:00Z");
        match check(&target.replace("a=b", "a=c"), &h, "2015-08-30T12:36:00Z") {
            Err(VerifyError::SignatureMismatch {
                canonical_request,
                string_to_sign,
            }) => {
                assert!(canonical_request.contains("\na=c\n"));
                assert!(string_to_sign.starts_with("AWS4-HMAC-SHA256\n20150830T123600Z\n"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_the_auth_of_either_kind() {
        let (target, h) = signed(SignatureLocation::Headers, "2015-08-30T12:36:00Z");
        let req = get(&target, &h);
        let auth = parse_request_auth(&req).unwrap();
        assert_eq!(
            (auth.kind, auth.scope.service.as_str()),
            (AuthKind::Header, "service")
        );
        let (target, h) = signed(
            SignatureLocation::Query { expires_in: 60 },
            "2015-08-30T12:36:00Z",
        );
        let req = get(&target, &h);
        let auth = parse_request_auth(&req).unwrap();
        assert_eq!((auth.kind, auth.expires), (AuthKind::Query, Some(60)));
        assert_eq!(
            parse_request_auth(&SignableRequest::new("GET", "/"))
                .unwrap_err()
                .code(),
            "missing-authentication"
        );
    }

    #[test]
    fn query_auth_checks() {
        let (target, h) = signed(
            SignatureLocation::Query { expires_in: 60 },
            "2015-08-30T12:36:00Z",
        );
        assert_eq!(code(check(&target, &h, "2015-08-30T12:36:30Z")), "ok");
        assert_eq!(code(check(&target, &h, "2015-08-30T12:37:01Z")), "expired");
        assert_eq!(
            code(check(&target, &h, "2015-08-30T12:20:00Z")),
            "not-yet-valid"
        );
        assert_eq!(
            code(check(
                &target.replace("X-Amz-Expires=60", "X-Amz-Expires=604801"),
                &h,
                "2015-08-30T12:36:00Z"
            )),
            "expires-out-of-range"
        );
        assert_eq!(
            code(check(
                &target.replace("X-Amz-Expires=60", "X-Amz-Expires=soon"),
                &h,
                "2015-08-30T12:36:00Z"
            )),
            "malformed-authorization"
        );
        assert_eq!(
            code(check(
                &target.replace("a=b", "a=c"),
                &h,
                "2015-08-30T12:36:00Z"
            )),
            "signature-mismatch"
        );
    }
}
