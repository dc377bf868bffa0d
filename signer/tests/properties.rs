//! Properties of canonicalisation and signing, over generated input.

use proptest::prelude::*;
use sigv4_signer::internal::canonical_query;
use sigv4_signer::internal::{canonical_uri, normalize, NormalizationMode, UriEncodingMode};
use sigv4_signer::internal::{canonical_value, CanonicalHeaders};
use sigv4_signer::{
    sign, Credentials, PayloadMode, Settings, SignableRequest, SignatureLocation, SigningParams,
    SigningTime,
};

fn header_name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
}

fn header_value() -> impl Strategy<Value = String> {
    "[ \t]{0,2}[ -~\u{80}-\u{10ff}\t]{0,20}[ \t]{0,2}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// The order of distinct headers does not matter; the relative order of repeats does and
    /// is kept.
    #[test]
    fn header_order_of_distinct_names_is_irrelevant(
        headers in proptest::collection::vec((header_name(), header_value()), 0..8),
        seed in any::<u64>(),
    ) {
        let a = CanonicalHeaders::new(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())), |_| true);
        // A permutation that keeps the relative order of same-named headers: a stable sort by a
        // random key per lowercased name.
        let key = |n: &str| {
            let mut h = seed;
            for b in n.to_ascii_lowercase().bytes() { h = h.wrapping_mul(0x100_0000_01b3) ^ u64::from(b); }
            h
        };
        let mut shuffled = headers.clone();
        shuffled.sort_by_key(|(n, _)| key(n));
        let b = CanonicalHeaders::new(shuffled.iter().map(|(n, v)| (n.as_str(), v.as_str())), |_| true);
        prop_assert_eq!(a, b);
    }

    /// Canonical values are trimmed and hold no double space; canonicalising again is a no-op.
    #[test]
    fn header_values_are_trimmed_and_single_spaced(v in header_value()) {
        let c = canonical_value(&v);
        prop_assert!(!c.starts_with([' ', '\t']) && !c.ends_with([' ', '\t']));
        prop_assert!(!c.contains("  "));
        prop_assert_eq!(canonical_value(&c), c.clone());
    }

    /// Normalisation is idempotent and leaves no dot or empty segment.
    #[test]
    fn normalization_is_idempotent(path in "(/(\\.|\\.\\.|[a-z%0-9.]{0,3}|)){0,8}/?") {
        let once = normalize(&path);
        prop_assert_eq!(normalize(&once), once.clone());
        prop_assert!(once.starts_with('/'));
        let inner = once.trim_start_matches('/').trim_end_matches('/');
        if !inner.is_empty() {
            prop_assert!(inner.split('/').all(|s| !s.is_empty() && s != "." && s != ".."), "{}", once);
        }
    }

    /// The canonical URI holds only unreserved characters, `/` and `%XX` with uppercase hex.
    #[test]
    fn canonical_uri_is_fully_encoded(path in "\\PC{0,24}", double in any::<bool>(), norm in any::<bool>()) {
        let enc = if double { UriEncodingMode::Double } else { UriEncodingMode::Single };
        let n = if norm { NormalizationMode::Enabled } else { NormalizationMode::Disabled };
        let uri = canonical_uri(&path, enc, n);
        prop_assert!(uri.starts_with('/'));
        assert_encoded(&uri, true)?;
    }

    /// Canonical query pairs are sorted, fully encoded, and independent of input order.
    #[test]
    fn canonical_query_is_sorted_and_encoded(pairs in proptest::collection::vec(("\\PC{0,6}", "\\PC{0,6}"), 0..6)) {
        let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let joined = q.join("&");
        let canon = canonical_query(&joined, &[]);
        let mut rev = q.clone();
        rev.reverse();
        prop_assert_eq!(canonical_query(&rev.join("&"), &[]), canon.clone());
        let parts: Vec<(&str, &str)> = canon.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, ""))).collect();
        let mut sorted = parts.clone();
        sorted.sort();
        prop_assert_eq!(&parts, &sorted);
        for (k, v) in parts {
            assert_encoded(k, false)?;
            assert_encoded(v, false)?;
        }
    }

    /// Signing never panics, whatever the input; it signs or returns an error.
    #[test]
    fn signing_never_panics(
        method in "\\PC{0,8}",
        target in "\\PC{0,24}",
        headers in proptest::collection::vec(("\\PC{0,8}", "\\PC{0,12}"), 0..5),
        host in any::<bool>(),
        body in proptest::collection::vec(any::<u8>(), 0..64),
        region in "\\PC{0,10}",
        time in any::<i64>(),
        expires in any::<u64>(),
        query in any::<bool>(),
        s3 in any::<bool>(),
        unsigned in any::<bool>(),
        token in proptest::option::of("\\PC{0,10}"),
    ) {
        let mut creds = Credentials::new("AKIDEXAMPLE", "secret");
        creds.session_token = token;
        let mut settings = if s3 { Settings::s3() } else { Settings::default() };
        if unsigned { settings.payload = PayloadMode::Unsigned; }
        let time = SigningTime::from_unix_seconds(time % 400_000_000_000);
        let params = SigningParams::new(&creds, &region, "service", time).with_settings(settings);
        let mut req = SignableRequest::new(&method, &target).body(&body);
        if host { req = req.header("Host", "example.amazonaws.com"); }
        for (n, v) in &headers { req = req.header(n, v); }
        let loc = if query { SignatureLocation::Query { expires_in: expires % 700_000 } } else { SignatureLocation::Headers };
        if let Ok(out) = sign(&req, &params, loc) {
            prop_assert_eq!(out.signature().len(), 64);
            let _ = out.apply(&req);
        }
    }
}

fn assert_encoded(s: &str, slash_ok: bool) -> Result<(), TestCaseError> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            prop_assert!(b.len() >= i + 3, "truncated escape in {}", s);
            prop_assert!(
                b[i + 1..i + 3]
                    .iter()
                    .all(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(h)),
                "bad escape in {}",
                s
            );
            i += 3;
        } else {
            prop_assert!(
                c.is_ascii_alphanumeric() || b"-._~".contains(&c) || (slash_ok && c == b'/'),
                "unencoded {:?} in {}",
                c as char,
                s
            );
            i += 1;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Sign, then verify: the properties of the `roundtrip` and `verify` fuzz targets (fuzz/README.md).

mod auth {
    use proptest::prelude::*;
    use sigv4_signer::verify::{verify, VerifyError, VerifyParams, VerifySettings};
    use sigv4_signer::{
        sign, ContentSha256Mode, Credentials, PayloadMode, SessionTokenMode, Settings,
        SignableRequest, SignatureLocation, SignedRequest, SigningOutput, SigningParams,
        SigningTime,
    };

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    /// An unsigned request and how to sign it.
    #[derive(Debug, Clone)]
    pub struct Case {
        method: String,
        target: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        region: String,
        service: String,
        time: i64,
        s3: bool,
        presign: bool,
        unsigned: bool,
        token: Option<String>,
        token_after: bool,
        expires: u64,
    }

    fn header_name() -> impl Strategy<Value = String> {
        // Not the names the signer sets itself or that carry authentication.
        "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}".prop_filter("reserved name", |n| {
            !matches!(
                n.to_ascii_lowercase().as_str(),
                "authorization" | "x-amz-date" | "x-amz-content-sha256" | "x-amz-security-token"
            )
        })
    }

    pub fn case() -> impl Strategy<Value = Case> {
        (
            (
                "[A-Z]{1,7}",
                "/[\\PC?#&=+%]{0,16}",
                proptest::option::of("[\\PC&=+%?]{0,24}"),
                proptest::collection::vec((header_name(), "[ -~\u{80}-\u{10ff}\t]{0,16}"), 0..5),
                proptest::collection::vec(any::<u8>(), 0..48),
            ),
            (
                "[a-z0-9-]{1,12}",
                "[a-z0-9-]{1,12}",
                0i64..4_000_000_000,
                any::<(bool, bool, bool, bool)>(),
                proptest::option::of("[A-Za-z0-9/+=]{1,24}"),
                1u64..=604_800,
            ),
        )
            .prop_map(
                |(
                    (method, path, query, headers, body),
                    (region, service, time, (s3, presign, unsigned, token_after), token, expires),
                )| {
                    let mut target = path;
                    if let Some(q) = query {
                        target.push('?');
                        target.push_str(&q);
                    }
                    let mut headers = headers;
                    headers.insert(0, ("Host".into(), "example.amazonaws.com".into()));
                    Case {
                        method,
                        target,
                        headers,
                        body,
                        region,
                        service,
                        time,
                        s3,
                        presign,
                        unsigned,
                        token,
                        token_after,
                        expires,
                    }
                },
            )
    }

    impl Case {
        fn settings(&self) -> (Settings, VerifySettings) {
            let base = if self.s3 {
                Settings::s3()
            } else {
                Settings::default()
            };
            let payload = if self.unsigned {
                PayloadMode::Unsigned
            } else {
                PayloadMode::Hash
            };
            let session_token = if self.token_after {
                SessionTokenMode::AddAfterSigning
            } else {
                SessionTokenMode::Include
            };
            // Header auth with an unsigned payload must say so in x-amz-content-sha256.
            let content_sha256 = if self.unsigned && !self.presign {
                ContentSha256Mode::Header
            } else {
                base.content_sha256
            };
            let verify = VerifySettings::from(
                sigv4_signer::Settings::default()
                    .with_uri_encoding(base.uri_encoding)
                    .with_normalization(base.normalization)
                    .with_payload(payload.clone())
                    .with_session_token(session_token),
            )
            .with_literal_plus(self.s3);
            let sign = base
                .with_payload(payload)
                .with_session_token(session_token)
                .with_content_sha256(content_sha256);
            (sign, verify)
        }

        fn location(&self) -> SignatureLocation {
            if self.presign {
                SignatureLocation::Query {
                    expires_in: self.expires,
                }
            } else {
                SignatureLocation::Headers
            }
        }

        fn signable(&self) -> SignableRequest<'_> {
            SignableRequest {
                method: &self.method,
                target: &self.target,
                headers: self
                    .headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect(),
                body: &self.body,
            }
        }

        /// Signs with `secret`; `None` when the signer rejects the request.
        pub fn sign_with(&self, secret: &str) -> Option<(SigningOutput, SignedRequest)> {
            let mut creds = Credentials::new("AKIDEXAMPLE", secret);
            creds.session_token = self.token.clone();
            let params = SigningParams::new(
                &creds,
                &self.region,
                &self.service,
                SigningTime::from_unix_seconds(self.time),
            )
            .with_settings(self.settings().0);
            let req = self.signable();
            let out = sign(&req, &params, self.location()).ok()?;
            let signed = out.apply(&req);
            Some((out, signed))
        }

        /// Verifies `r` with the server's secret `secret` and its clock `clock` s after the
        /// signing time.
        pub fn verify_with(
            &self,
            r: &SignedRequest,
            secret: &str,
            clock: i64,
        ) -> Result<String, VerifyError> {
            let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| secret.to_owned());
            let params =
                VerifyParams::new(SigningTime::from_unix_seconds(self.time + clock), &lookup)
                    .with_settings(self.settings().1)
                    .with_region(&self.region)
                    .with_service(&self.service);
            verify(&r.signable(), &params).map(|v| v.canonical_request().to_owned())
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

        /// What the signer signs, the verifier accepts under the matching settings with a clock
        /// inside the allowed window, and computes the same canonical request.
        #[test]
        fn what_is_signed_verifies(c in case(), clock in -900i64..=900) {
            let Some((out, signed)) = c.sign_with(SECRET) else { return Ok(()) };
            let clock = match c.location() {
                SignatureLocation::Query { expires_in } => clock.min(expires_in as i64),
                _ => clock,
            };
            let got = c.verify_with(&signed, SECRET, clock);
            prop_assert_eq!(got.as_deref(), Ok(out.canonical_request()), "{}", signed);
        }

        /// A changed body, header value, path or query byte is rejected, unless signing the
        /// changed request gives the same signature (a canonically equivalent change), in which
        /// case it is accepted.
        #[test]
        fn a_changed_component_is_rejected_unless_equivalent(
            c in case(),
            which in 0u8..4,
            at in any::<usize>(),
            new in "[\\PC%+ ]{0,4}",
        ) {
            let Some((out, _)) = c.sign_with(SECRET) else { return Ok(()) };
            let mut changed = c.clone();
            match which {
                0 => changed.body = new.clone().into_bytes(),
                1 => {
                    let i = at % changed.headers.len();
                    changed.headers[i].1 = new.clone();
                }
                _ => {
                    // A byte of the path (2) or of the query (3).
                    let (p, q) = c.target.split_once('?').unwrap_or((&c.target, ""));
                    let (p, q) = (p.to_owned(), q.to_owned());
                    let splice = |s: &str, keep_first: bool| -> String {
                        let b = s.as_bytes();
                        let lo = usize::from(keep_first);
                        if b.len() <= lo { return format!("{s}{new}"); }
                        let i = lo + at % (b.len() - lo);
                        let mut v = b[..i].to_vec();
                        v.extend_from_slice(new.as_bytes());
                        v.extend_from_slice(&b[i + 1..]);
                        String::from_utf8_lossy(&v).into_owned()
                    };
                    changed.target = if which == 2 {
                        let np = splice(&p, true);
                        if c.target.contains('?') { format!("{np}?{q}") } else { np }
                    } else {
                        format!("{p}?{}", splice(&q, false))
                    };
                }
            }
            // The changed request carrying the original authentication.
            let sent = out.apply(&changed.signable());
            let got = c.verify_with(&sent, SECRET, 0);
            let Some((again, _)) = changed.sign_with(SECRET) else { return Ok(()) };
            let mut equivalent = again.signature() == out.signature();
            if !equivalent && c.s3 {
                // S3 also reads a raw `+` in the query as a plus sign.
                let mut plus = changed.clone();
                if let Some((p, q)) = changed.target.split_once('?') {
                    plus.target = format!("{p}?{}", q.replace('+', "%2B"));
                    if let Some((o, _)) = plus.sign_with(SECRET) {
                        equivalent = o.signature() == out.signature();
                    }
                }
            }
            prop_assert_eq!(got.is_ok(), equivalent, "{}\nchanged canonical request:\n{}", sent, again.canonical_request());
        }

        /// A signature made with another secret never verifies.
        #[test]
        fn another_secret_never_verifies(c in case(), other in "[\\PC]{0,40}") {
            prop_assume!(other != SECRET);
            let Some((_, signed)) = c.sign_with(&other) else { return Ok(()) };
            let got = c.verify_with(&signed, SECRET, 0);
            prop_assert_eq!(got.map_err(|e| e.code()), Err("signature-mismatch"));
        }

        /// An `Authorization` header assembled from arbitrary parts (a well-formed one with an
        /// arbitrary signature, or arbitrary text) never verifies, and never panics.
        #[test]
        fn arbitrary_authorization_never_verifies(
            sig in "[0-9a-f]{64}",
            junk in "\\PC{0,80}",
            well_formed in any::<bool>(),
            date in prop_oneof![Just("20150830T123600Z".to_owned()), "\\PC{0,20}"],
        ) {
            let auth = if well_formed {
                format!("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={sig}")
            } else {
                junk
            };
            let r = SignedRequest {
                method: "GET".into(),
                target: "/".into(),
                headers: vec![
                    ("Host".into(), "example.amazonaws.com".into()),
                    ("X-Amz-Date".into(), date),
                    ("Authorization".into(), auth),
                ],
                body: Vec::new(),
            };
            let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
            let params = VerifyParams::new(SigningTime::parse("2015-08-30T12:36:00Z").unwrap(), &lookup).with_settings(VerifySettings::default()).with_region("us-east-1").with_service("service");
            prop_assert!(verify(&r.signable(), &params).is_err());
        }
    }

    /// Found by the `roundtrip` fuzz target: a `,` in the access key, region or service made an
    /// `Authorization` header the verifier cannot parse; the signer now refuses it.
    #[test]
    fn a_comma_cannot_go_in_a_credential_scope() {
        let creds = Credentials::new("AKIDEXAMPLE", SECRET);
        let time = SigningTime::from_unix_seconds(1_440_938_160);
        let req = SignableRequest::new("GET", "/").header("Host", "example.amazonaws.com");
        for (key, region, service) in [
            ("AKIDEXAMPLE", "us-east-1,x", "service"),
            ("AKIDEXAMPLE", "us-east-1", "ser,vice"),
            ("AKID,EXAMPLE", "us-east-1", "service"),
        ] {
            let creds = Credentials {
                access_key_id: key.into(),
                ..creds.clone()
            };
            let params = SigningParams::new(&creds, region, service, time);
            let err = sign(&req, &params, SignatureLocation::Headers).unwrap_err();
            assert_eq!(
                err.code(),
                "invalid-scope-field",
                "{key} {region} {service}"
            );
        }
    }

    /// Found by the `roundtrip` fuzz target: presign parameters go before a fragment, and after
    /// a `?` that is part of the query (RFC 3986 §3.4: the query runs from the first `?` to `#`).
    #[test]
    fn presigned_parameters_land_in_the_query() {
        for (target, starts) in [
            ("/p?a=b#frag", "/p?a=b&X-Amz-Algorithm="),
            ("/p#frag?x", "/p?X-Amz-Algorithm="),
            ("/p?a?", "/p?a?&X-Amz-Algorithm="),
            ("/p?", "/p?X-Amz-Algorithm="),
        ] {
            let c = Case {
                method: "GET".into(),
                target: target.into(),
                headers: vec![("Host".into(), "example.amazonaws.com".into())],
                body: Vec::new(),
                region: "us-east-1".into(),
                service: "service".into(),
                time: 1_440_938_160,
                s3: false,
                presign: true,
                unsigned: false,
                token: None,
                token_after: false,
                expires: 60,
            };
            let (out, signed) = c.sign_with(SECRET).unwrap();
            assert!(
                signed.target.starts_with(starts),
                "{target} -> {}",
                signed.target
            );
            let fragment = target.find('#').map_or("", |i| &target[i..]);
            assert!(
                signed.target.ends_with(fragment),
                "{target} -> {}",
                signed.target
            );
            assert_eq!(
                c.verify_with(&signed, SECRET, 0).as_deref(),
                Ok(out.canonical_request()),
                "{target}"
            );
        }
    }
}
