//! The `verify` target: arbitrary `Authorization` headers, presign parameters, headers and
//! bodies into `sigv4_signer::verify::verify`. It must never panic, and never accept a
//! signature not made with the secret.
//!
//! Oracle: the verifier's key lookup knows one access key, `AKIDEXAMPLE`, whose secret
//! ([`SECRET`]) appears nowhere in the input space (it is not in the dictionary or the seeds;
//! the harness only uses it to compute signatures). So when `verify` returns `Ok`, the input
//! must carry the right signature, which the target checks independently of the signer: the
//! string to sign is rebuilt from the verifier's canonical request with `sha2`, the key derived
//! and the signature computed with `hmac` directly (not through `sigv4_signer::key`), and the
//! canonical request's lines are checked against the request (method, path, query, signed
//! header names and values, payload hash) with the canonical functions. The time must lie in
//! the allowed window and the scope must be the expected one.
//!
//! To reach the accepting paths, flag bit 6 has the harness sign the request with the real
//! secret first (through `sigv4_signer::sign`), after which the fuzzer's non-empty parts replace
//! the corresponding pieces; bit 7 signs with the fuzzer's `decoy` secret instead.

use arbitrary::Arbitrary;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sigv4_signer::internal::canonical_query_without;
use sigv4_signer::internal::canonical_uri;
use sigv4_signer::internal::CanonicalHeaders;
use sigv4_signer::internal::{sha256_hex, UNSIGNED_PAYLOAD};
use sigv4_signer::verify::{
    verify, AuthKind, Verified, VerifyParams, VerifySettings, DEFAULT_MAX_SKEW,
};
use sigv4_signer::{
    sign, Credentials, PayloadMode, SessionTokenMode, SignableRequest, SignatureLocation,
    SigningParams, SigningTime,
};

use crate::{Input, Text, METHODS};

/// The only access key the verifier knows.
pub const KEY: &str = "AKIDEXAMPLE";
/// Its secret: never in the input space.
pub const SECRET: &str = "fuzz-only secret 7c1e0b5a, not in any seed or dictionary";
const REGION: &str = "us-east-1";
const SERVICE: &str = "service";

/// The fuzz input of `verify`. Seeds: `[0; VERIFY_PREFIX]`, six empty texts, then a
/// `canonical` input (its `mode` bit 1 selects presign).
#[derive(Arbitrary, Debug, Clone)]
pub struct VerifyInput {
    /// Bit 0: S3 verify settings; bit 1: accept a raw `+` as plus; bit 2: session token
    /// unsigned; bit 3: region and service not checked; bit 4: build the authentication from
    /// the parts below (else only what the request's headers and query carry); bit 5: with
    /// bit 4, presign parameters (else an `Authorization` header); bit 6: the harness signs
    /// with the real secret first; bit 7: it signs with `decoy` instead.
    pub flags: u8,
    /// Server clock minus 2015-08-30T12:36:00Z, seconds.
    pub clock: i32,
    pub algorithm: Text,
    pub credential: Text,
    pub signed_headers: Text,
    pub signature: Text,
    pub date: Text,
    pub expires: Text,
    pub decoy: Text,
    pub req: Input,
}

/// Bytes of the fixed part of [`VerifyInput`] before the texts.
pub const VERIFY_PREFIX: usize = 1 + 4;

fn or<'a>(t: &'a Text, default: &'a str) -> &'a str {
    if t.0.is_empty() {
        default
    } else {
        &t.0
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

fn hexs(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The signature, computed directly from the SigV4 definition (AWS General Reference,
/// "Calculate the signature"): HMAC chain over date, region, service, `aws4_request`.
fn expected_signature(date: &str, region: &str, service: &str, sts: &str) -> String {
    let k = hmac(format!("AWS4{SECRET}").as_bytes(), date.as_bytes());
    let k = hmac(&k, region.as_bytes());
    let k = hmac(&k, service.as_bytes());
    let k = hmac(&k, b"aws4_request");
    hexs(&hmac(&k, sts.as_bytes()))
}

/// Everything the `verify` target checks; returns whether the verifier accepted.
pub fn check(input: &VerifyInput) -> bool {
    let f = input.flags;
    let rules = if f & 1 != 0 {
        sigv4_signer::Settings::s3_presigned()
    } else {
        sigv4_signer::Settings::default()
    };
    let settings = VerifySettings::from(rules.with_session_token(if f & 4 != 0 {
        SessionTokenMode::AddAfterSigning
    } else {
        SessionTokenMode::Include
    }))
    .with_literal_plus(f & 2 != 0);
    let method = METHODS[usize::from(input.req.method) % METHODS.len()];
    let mut target = {
        let t = input.req.target();
        t.strip_prefix("https://example.amazonaws.com")
            .map_or(t.clone(), str::to_owned)
    };
    let mut headers: Vec<(String, String)> = input
        .req
        .header_list()
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let body = input.req.body.0.as_bytes().to_vec();
    let presign = f & 32 != 0;

    // The harness's signature (real secret or decoy), when asked for.
    let mut sig = String::new();
    if f & 0xc0 != 0 {
        let secret = if f & 128 != 0 {
            input.decoy.0.as_str()
        } else {
            SECRET
        };
        let creds = Credentials::new(KEY, secret);
        let time = SigningTime::parse("2015-08-30T12:36:00Z").expect("fixed time");
        let r = &settings.rules;
        let mut s = sigv4_signer::Settings::default()
            .with_uri_encoding(r.uri_encoding)
            .with_normalization(r.normalization)
            .with_session_token(r.session_token);
        if presign {
            s.payload = r.payload.clone();
        }
        let params = SigningParams::new(&creds, REGION, SERVICE, time).with_settings(s);
        let req = SignableRequest {
            method,
            target: &target,
            headers: headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect(),
            body: &body,
        };
        let loc = if presign {
            SignatureLocation::Query { expires_in: 3600 }
        } else {
            SignatureLocation::Headers
        };
        if let Ok(out) = sign(&req, &params, loc) {
            sig = out.signature().to_owned();
            let signed = out.apply(&req);
            target = signed.target;
            headers = signed.headers;
        }
    }

    // Authentication from parts (replacing what signing put there, where given).
    if f & 16 != 0 {
        let algorithm = or(&input.algorithm, "AWS4-HMAC-SHA256");
        let credential = or(
            &input.credential,
            "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request",
        );
        let date = or(&input.date, "20150830T123600Z");
        let signature = or(&input.signature, &sig);
        if presign {
            let enc = |s: &str| sigv4_signer::internal::encode(s.as_bytes());
            let signed = or(&input.signed_headers, "host");
            let expires = or(&input.expires, "3600");
            let mut kept: Vec<&str> = target
                .split_once('?')
                .map_or("", |(_, q)| q)
                .split('&')
                .filter(|p| !p.is_empty() && !p.starts_with("X-Amz-"))
                .collect();
            let added = [
                format!("X-Amz-Algorithm={}", enc(algorithm)),
                format!("X-Amz-Credential={}", enc(credential)),
                format!("X-Amz-Date={}", enc(date)),
                format!("X-Amz-SignedHeaders={}", enc(signed)),
                format!("X-Amz-Expires={}", enc(expires)),
                format!("X-Amz-Signature={}", enc(signature)),
            ];
            kept.extend(added.iter().map(String::as_str));
            let path = target.split('?').next().unwrap_or("/").to_owned();
            target = format!("{path}?{}", kept.join("&"));
        } else {
            let signed = or(&input.signed_headers, "host;x-amz-date");
            headers.retain(|(n, _)| {
                !n.eq_ignore_ascii_case("authorization") && !n.eq_ignore_ascii_case("x-amz-date")
            });
            headers.push(("X-Amz-Date".into(), date.into()));
            headers.push((
                "Authorization".into(),
                format!("{algorithm} Credential={credential}, SignedHeaders={signed}, Signature={signature}"),
            ));
        }
    }

    let lookup = |k: &str| (k == KEY).then(|| SECRET.to_owned());
    let unchecked = f & 8 != 0;
    let now = SigningTime::from_unix_seconds(crate::TIME_UNIX as i64 + i64::from(input.clock));
    let params = VerifyParams::new(now, &lookup)
        .with_settings(settings.clone())
        .with_expected_region((!unchecked).then_some(REGION))
        .with_expected_service((!unchecked).then_some(SERVICE));
    let request = SignableRequest {
        method,
        target: &target,
        headers: headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect(),
        body: &body,
    };
    let Ok(v) = verify(&request, &params) else {
        return false;
    };
    check_accepted(&request, &settings, now, unchecked, &v);
    true
}

/// The oracle for an accepted request: `v` must carry the signature made with [`SECRET`] for
/// `request`'s canonical form, in the time window, with the expected scope.
pub fn check_accepted(
    request: &SignableRequest<'_>,
    settings: &VerifySettings,
    now: SigningTime,
    unchecked: bool,
    v: &Verified,
) {
    let (method, target, headers, body) = (
        request.method,
        request.target,
        &request.headers,
        request.body,
    );
    // Accepted: the input must carry the signature made with SECRET for this request.
    let ctx = || {
        format!(
            "accepted:\n{method} {target}\n{headers:#?}\ncanonical request:\n{}",
            v.canonical_request()
        )
    };
    let auth = v.auth().to_parsed();
    assert_eq!(auth.access_key_id, KEY, "{}", ctx());
    let sc = &auth.scope;
    let creq_hash = hex_sha256(v.canonical_request().as_bytes());
    let sts = format!(
        "AWS4-HMAC-SHA256\n{}\n{}/{}/{}/aws4_request\n{creq_hash}",
        v.time().amz_date(),
        sc.date,
        sc.region,
        sc.service
    );
    assert_eq!(v.string_to_sign(), sts, "{}", ctx());
    let want = expected_signature(&sc.date, &sc.region, &sc.service, &sts);
    assert_eq!(auth.signature.to_ascii_lowercase(), want, "{}", ctx());
    assert_eq!(sc.date, v.time().date_stamp(), "{}", ctx());
    if !unchecked {
        assert_eq!(
            (sc.region.as_str(), sc.service.as_str()),
            (REGION, SERVICE),
            "{}",
            ctx()
        );
    }
    let (t, n) = (v.time().unix_seconds(), now.unix_seconds());
    let skew = DEFAULT_MAX_SKEW as i64;
    match auth.expires {
        None => assert!((t - n).abs() <= skew, "{}", ctx()),
        Some(e) => assert!(
            (1..=604_800).contains(&e) && t - skew <= n && n <= t + e as i64,
            "{}",
            ctx()
        ),
    }

    // The canonical request is the request's.
    let lines: Vec<&str> = v.canonical_request().split('\n').collect();
    assert!(lines.len() >= 6, "{}", ctx());
    let (path, query) = request.path_and_query().expect("verified, so it parses");
    assert_eq!(lines[0], method, "{}", ctx());
    assert_eq!(
        lines[1],
        canonical_uri(
            path,
            settings.rules.uri_encoding,
            settings.rules.normalization
        ),
        "{}",
        ctx()
    );
    let token_unsigned = settings.rules.session_token == SessionTokenMode::AddAfterSigning;
    let skip = |k: &[u8]| {
        auth.kind == AuthKind::Query
            && (k == b"X-Amz-Signature" || (token_unsigned && k == b"X-Amz-Security-Token"))
    };
    let literal_plus = settings.accept_literal_plus && query.contains('+');
    if !literal_plus {
        assert_eq!(
            lines[2],
            canonical_query_without(query, &[], skip),
            "{}",
            ctx()
        );
    }
    let signed_line = lines[lines.len() - 2];
    assert_eq!(signed_line, auth.signed_headers.join(";"), "{}", ctx());
    assert!(auth.signed_headers.iter().any(|h| h == "host"), "{}", ctx());
    let ch = CanonicalHeaders::new(
        request.headers.iter().copied().filter(|(n, _)| {
            auth.signed_headers
                .iter()
                .any(|s| n.eq_ignore_ascii_case(s))
        }),
        |_| true,
    );
    let header_lines: Vec<String> = ch
        .entries()
        .iter()
        .map(|(n, v)| format!("{n}:{v}"))
        .collect();
    assert_eq!(
        &lines[3..lines.len() - 3],
        header_lines.as_slice(),
        "{}",
        ctx()
    );
    assert_eq!(ch.signed_headers(), signed_line, "{}", ctx());
    let payload = lines[lines.len() - 1];
    let claimed = request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-content-sha256"))
        .map(|(_, v)| *v);
    let want_payload = match (claimed, auth.kind, &settings.rules.payload) {
        (Some(c), _, _) => c.to_owned(),
        (None, AuthKind::Query, PayloadMode::Unsigned) => UNSIGNED_PAYLOAD.to_owned(),
        _ => sha256_hex(body),
    };
    assert_eq!(payload, want_payload, "{}", ctx());
}

fn hex_sha256(b: &[u8]) -> String {
    hexs(&Sha256::digest(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Signs `GET /?a=b` with `secret` and verifies it with a lookup that returns `secret`.
    fn accepted_with(secret: &str) -> (String, Vec<(String, String)>, Verified) {
        let creds = Credentials::new(KEY, secret);
        let time = SigningTime::parse("2015-08-30T12:36:00Z").unwrap();
        let params = SigningParams::new(&creds, REGION, SERVICE, time);
        let req = SignableRequest::new("GET", "/?a=b").header("Host", "example.amazonaws.com");
        let signed = sign(&req, &params, SignatureLocation::Headers)
            .unwrap()
            .apply(&req);
        let lookup = |_: &str| Some(secret.to_owned());
        let vp = VerifyParams::new(time, &lookup)
            .with_settings(VerifySettings::default())
            .with_region(REGION)
            .with_service(SERVICE);
        let v = verify(&signed.signable(), &vp).unwrap();
        (signed.target, signed.headers, v)
    }

    fn oracle(secret: &str) {
        let (target, headers, v) = accepted_with(secret);
        let req = SignableRequest {
            method: "GET",
            target: &target,
            headers: headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect(),
            body: b"",
        };
        let now = SigningTime::parse("2015-08-30T12:36:00Z").unwrap();
        check_accepted(&req, &VerifySettings::default(), now, false, &v);
    }

    #[test]
    fn the_oracle_passes_a_signature_made_with_the_secret() {
        oracle(SECRET);
    }

    /// The oracle can fail: an acceptance of a signature made with another secret (as a verifier
    /// that ignored its lookup would produce) panics.
    #[test]
    #[should_panic(expected = "accepted")]
    fn the_oracle_rejects_an_acceptance_with_another_secret() {
        oracle("another secret");
    }
}
