//! SigV4a signing, header and query auth, on the shared canonical-request steps.

use crate::canonical_request::write_canonical_request;
use crate::error::{ParamsError, SignError};
use crate::headers::{AsIs, SignedHeaders};
use crate::payload::{ContentSha256Mode, PayloadHash};
use crate::query::AddedParam;
use crate::query_auth::{check_reserved, MAX_EXPIRES};
use crate::request::SignableRequest;
use crate::settings::{SessionTokenMode, SignatureLocation, SigningParams};
use crate::sign::{capacity, check, date_of, parts, rules, Added, SigningOutput, Span};
use crate::string_to_sign::{check_scope_field, push_v4a_scope, write_string_to_sign};
use crate::v4a::{V4aSigningKey, ALGORITHM, REGION_SET_HEADER, REGION_SET_PARAM};

/// Signs `request` with SigV4a. `params.region` is the region set: one region, a
/// comma-separated list, or `*`. `params.key_cache` is not used (the SigV4a key depends on the
/// credential only; derive it once with [`V4aSigningKey::derive`] to sign many requests).
///
/// The signature is deterministic (RFC 6979, see [`crate::v4a::key`]). The output's
/// [`scope()`](SigningOutput::scope) has an empty `region`: the SigV4a scope has none (its
/// text is [`crate::v4a::V4aScope`]'s).
pub fn sign(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    location: SignatureLocation,
) -> Result<SigningOutput, SignError> {
    check(request, params)?;
    // The region set is a comma-separated list (`us-east-1,us-west-2`), sent in its own
    // header or parameter, not in the scope: commas are its separator; each entry follows the
    // scope rules.
    for region in params.region.split(',') {
        check_scope_field("region set", region)?;
    }
    check_scope_field("service", params.service)?;
    let key = V4aSigningKey::derive(
        &params.credentials.access_key_id,
        &params.credentials.secret_access_key,
    )?;
    let s = &params.settings;
    let payload = PayloadHash::new(&s.payload, request.body)?;
    let payload = payload.as_str();
    let amz_date = params.time.amz_date_str();
    let amz_date = amz_date.as_str();
    let token = params.credentials.session_token.as_deref();
    let token_signed = s.session_token == SessionTokenMode::Include;
    let region_set = params.region;
    // The DER signature is at most 144 hex digits; the Authorization header repeats the scope.
    let extra = payload.len() + region_set.len() + 400;
    let mut text = String::with_capacity(capacity(request, params, extra));
    let mut out = Added::default();
    let push = |text: &mut String, out: &mut Added, name: &'static str, value: &str| {
        let start = text.len();
        text.push_str(value);
        out.push(name, Span::since(start, text));
    };

    let (creq, sts, signature) = match location {
        SignatureLocation::Headers => {
            let mut added = vec![("x-amz-date", amz_date), (REGION_SET_HEADER, region_set)];
            if s.content_sha256 == ContentSha256Mode::Header {
                added.push(("x-amz-content-sha256", payload));
            }
            if let (Some(t), true) = (token, token_signed) {
                added.push(("x-amz-security-token", t));
            }
            let signed = SignedHeaders::for_signing(&request.headers, &added, AsIs::default());
            let creq = write_canonical_request(
                &mut text,
                &parts(request, payload, &signed, &[])?,
                rules(params),
            );
            let (sts, amz_span, signature, signature_hex) = write_string_to_sign_and_signature(
                &mut text,
                creq.all,
                amz_date,
                params.service,
                &key,
            );
            out.push("X-Amz-Date", amz_span);
            push(&mut text, &mut out, "X-Amz-Region-Set", region_set);
            if s.content_sha256 == ContentSha256Mode::Header {
                out.push("x-amz-content-sha256", creq.payload_hash);
            }
            if let Some(t) = token {
                push(&mut text, &mut out, "X-Amz-Security-Token", t);
            }
            let start = text.len();
            text.push_str(ALGORITHM);
            text.push_str(" Credential=");
            text.push_str(&params.credentials.access_key_id);
            text.push('/');
            push_v4a_scope(&mut text, date_of(amz_date), params.service);
            text.push_str(", SignedHeaders=");
            signed.write_names(&mut text);
            text.push_str(", Signature=");
            text.push_str(&signature_hex);
            out.push("Authorization", Span::since(start, &text));
            (creq.all, sts, signature)
        }
        SignatureLocation::Query { expires_in } => {
            if !(1..=MAX_EXPIRES).contains(&expires_in) {
                return Err(ParamsError::ExpiresOutOfRange {
                    seconds: expires_in,
                }
                .into());
            }
            let (_, query) = request.path_and_query()?;
            check_reserved(query, token.is_some(), &[REGION_SET_PARAM])?;
            let mut credential = format!("{}/", params.credentials.access_key_id);
            push_v4a_scope(&mut credential, date_of(amz_date), params.service);
            let signed = SignedHeaders::for_signing(&request.headers, &[], AsIs::default());
            let mut signed_headers = String::new();
            signed.write_names(&mut signed_headers);
            let expires = expires_in.to_string();
            let mut params_out: Vec<(&'static str, &str)> = vec![
                ("X-Amz-Algorithm", ALGORITHM),
                ("X-Amz-Credential", &credential),
                ("X-Amz-Date", amz_date),
                ("X-Amz-SignedHeaders", &signed_headers),
                ("X-Amz-Expires", &expires),
            ];
            if let Some(t) = token {
                params_out.push(("X-Amz-Security-Token", t));
            }
            params_out.push((REGION_SET_PARAM, region_set));
            let added: Vec<AddedParam<'_>> = params_out
                .iter()
                .filter(|(k, _)| token_signed || *k != "X-Amz-Security-Token")
                .map(|&(k, v)| AddedParam::Decoded(k, v))
                .collect();
            let creq = write_canonical_request(
                &mut text,
                &parts(request, payload, &signed, &added)?,
                rules(params),
            );
            let (sts, _, signature, _) = write_string_to_sign_and_signature(
                &mut text,
                creq.all,
                amz_date,
                params.service,
                &key,
            );
            for (name, value) in params_out {
                push(&mut text, &mut out, name, value);
            }
            out.push("X-Amz-Signature", signature);
            (creq.all, sts, signature)
        }
    };
    Ok(SigningOutput::new(
        location, text, creq, sts, signature, out,
    ))
}

/// Appends the string to sign (for the canonical request at `creq`) and its signature;
/// returns the spans of the string to sign, of its date, and of the signature, and the
/// signature itself (the `Authorization` header repeats it).
fn write_string_to_sign_and_signature(
    text: &mut String,
    creq: Span,
    amz_date: &str,
    service: &str,
    key: &V4aSigningKey,
) -> (Span, Span, Span, String) {
    let (sts, amz_span) = write_string_to_sign(text, creq, ALGORITHM, amz_date, |out| {
        push_v4a_scope(out, date_of(amz_date), service);
    });
    let signature = key.sign(&text[sts.start..sts.end]);
    let sig_start = text.len();
    text.push_str(&signature);
    let signature_span = Span::since(sig_start, text);
    (sts, amz_span, signature_span, signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v4a::{verify_with_key, V4aPublicKey};
    use crate::verify::{verify, VerifyParams, VerifySettings, DEFAULT_MAX_SKEW};
    use crate::{Credentials, SigningTime};

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn signed(location: SignatureLocation, region_set: &str) -> crate::SignedRequest {
        let creds = Credentials::new("AKIDEXAMPLE", SECRET);
        let time = SigningTime::parse("2015-08-30T12:36:00Z").unwrap();
        let params = SigningParams::new(&creds, region_set, "service", time);
        let req = SignableRequest::new("GET", "/p?a=b").header("Host", "example.amazonaws.com");
        sign(&req, &params, location).unwrap().apply(&req)
    }

    fn check(
        r: &crate::SignedRequest,
        region: &str,
        key: Option<V4aPublicKey>,
    ) -> Result<(), &'static str> {
        let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
        let params = VerifyParams {
            now: SigningTime::parse("2015-08-30T12:37:00Z").unwrap(),
            max_skew: DEFAULT_MAX_SKEW,
            settings: VerifySettings::default(),
            expected_region: Some(region),
            expected_service: Some("service"),
            lookup: &lookup,
            secret_ref: None,
            body_sha256: None,
            key_cache: None,
        };
        let req = SignableRequest {
            method: &r.method,
            target: &r.target,
            headers: r
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect(),
            body: &r.body,
        };
        match key {
            Some(k) => verify_with_key(&req, &params, &|_| Some(k)),
            None => verify(&req, &params),
        }
        .map(|_| ())
        .map_err(|e| e.code())
    }

    #[test]
    fn sign_then_verify_and_what_verification_rejects() {
        let other = V4aSigningKey::derive("AKIDEXAMPLE", "another secret")
            .unwrap()
            .public_key();
        for location in [
            SignatureLocation::Headers,
            SignatureLocation::Query { expires_in: 300 },
        ] {
            let r = signed(location, "us-west-2,us-east-1");
            assert_eq!(check(&r, "us-east-1", None), Ok(()));
            assert_eq!(check(&r, "us-west-2", None), Ok(()));
            assert_eq!(
                check(&r, "eu-west-1", None),
                Err("region-not-in-region-set")
            );
            assert_eq!(
                check(&r, "us-east-1", Some(other)),
                Err("signature-mismatch")
            );
            let mut t = r.clone();
            t.target = t.target.replace("a=b", "a=c");
            assert_eq!(check(&t, "us-east-1", None), Err("signature-mismatch"));
            let mut t = r.clone();
            t.target = t
                .target
                .replace("&X-Amz-Region-Set=us-west-2%2Cus-east-1", "");
            t.headers.retain(|(n, _)| n != "X-Amz-Region-Set");
            assert_eq!(check(&t, "us-east-1", None), Err("missing-region-set"));
        }
        let r = signed(SignatureLocation::Headers, "*");
        assert_eq!(check(&r, "ap-south-1", None), Ok(()));
        let mut t = r.clone();
        for (n, v) in &mut t.headers {
            if n == "Authorization" {
                *v = v.replace("Signature=30", "Signature=zz");
            }
        }
        assert_eq!(check(&t, "us-east-1", None), Err("malformed-authorization"));
        let mut t = r.clone();
        for (n, v) in &mut t.headers {
            if n == "Authorization" {
                *v = v.replace("/20150830/service/", "/20150830/us-east-1/service/");
            }
        }
        assert_eq!(check(&t, "us-east-1", None), Err("malformed-credential"));
    }

    #[test]
    fn sign_rejects_bad_parameters() {
        let creds = Credentials::new("AKIDEXAMPLE", SECRET);
        let time = SigningTime::parse("2015-08-30T12:36:00Z").unwrap();
        let req = SignableRequest::new("GET", "/?X-Amz-Region-Set=x")
            .header("Host", "example.amazonaws.com");
        let code = |region_set: &str, location| {
            let params = SigningParams::new(&creds, region_set, "service", time);
            sign(&req, &params, location)
                .map(|_| ())
                .map_err(|e| e.code())
        };
        assert_eq!(
            code("us-east-1", SignatureLocation::Query { expires_in: 60 }),
            Err("reserved-query-parameter")
        );
        assert_eq!(
            code("us east", SignatureLocation::Headers),
            Err("invalid-scope-field")
        );
        assert_eq!(
            code("*", SignatureLocation::Query { expires_in: 0 }),
            Err("expires-out-of-range")
        );
    }
}
