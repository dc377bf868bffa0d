//! Properties of canonicalisation and signing, over generated input.

use proptest::prelude::*;
use sigv4_signer::headers::{canonical_value, CanonicalHeaders};
use sigv4_signer::query::canonical_query;
use sigv4_signer::uri::{canonical_uri, normalize, NormalizationMode, UriEncodingMode};
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
