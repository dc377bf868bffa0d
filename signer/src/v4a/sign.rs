//! SigV4a signing, header and query auth, on the shared canonical-request steps.

use sha2::{Digest, Sha256};

use crate::encoding::hex;
use crate::error::{ParamsError, RequestError, SignError};
use crate::payload::ContentSha256Mode;
use crate::query::parse_query;
use crate::query_auth::MAX_EXPIRES;
use crate::request::SignableRequest;
use crate::settings::{SessionTokenMode, SignatureLocation, SigningParams};
use crate::sign::SigningOutput;
use crate::sign::{build_canonical_request, check, headers_to_sign, payload_hash_for};
use crate::string_to_sign::{check_scope_field, CredentialScope};
use crate::v4a::{
    string_to_sign, V4aScope, V4aSigningKey, ALGORITHM, REGION_SET_HEADER, REGION_SET_PARAM,
};

const RESERVED: &[&str] = &[
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    REGION_SET_PARAM,
];

/// Signs `request` with SigV4a. `params.region` is the region set: one region, a
/// comma-separated list, or `*`. `params.key_cache` is not used (the SigV4a key depends on the
/// credential only; derive it once with [`V4aSigningKey::derive`] to sign many requests).
///
/// The signature is deterministic (RFC 6979, see [`crate::v4a::key`]). The output's
/// [`scope()`](SigningOutput::scope) has an empty `region`: the SigV4a scope has none (its
/// text is [`V4aScope`]'s).
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
    let payload_hash = payload_hash_for(request, params)?;
    let amz_date = params.time.amz_date();
    let token = params.credentials.session_token.as_deref();
    let token_signed = params.settings.session_token == SessionTokenMode::Include;
    let scope = V4aScope::new(params.time, params.service);
    let region_set = params.region;

    let mut out_headers = Vec::new();
    let mut out_query = Vec::new();
    let (canonical_request, canonical_request_text) = match location {
        SignatureLocation::Headers => {
            let mut added = vec![("x-amz-date", amz_date.as_str())];
            added.push((REGION_SET_HEADER, region_set));
            if params.settings.content_sha256 == ContentSha256Mode::Header {
                added.push(("x-amz-content-sha256", payload_hash.as_str()));
            }
            if let (Some(t), true) = (token, token_signed) {
                added.push(("x-amz-security-token", t));
            }
            let canonical_headers = headers_to_sign(request, &added);
            out_headers.push(("X-Amz-Date".to_owned(), amz_date.clone()));
            out_headers.push(("X-Amz-Region-Set".to_owned(), region_set.to_owned()));
            if params.settings.content_sha256 == ContentSha256Mode::Header {
                out_headers.push(("x-amz-content-sha256".to_owned(), payload_hash.clone()));
            }
            if let Some(t) = token {
                out_headers.push(("X-Amz-Security-Token".to_owned(), t.to_owned()));
            }
            build_canonical_request(request, params, &payload_hash, canonical_headers, &[])?
        }
        SignatureLocation::Query { expires_in } => {
            if !(1..=MAX_EXPIRES).contains(&expires_in) {
                return Err(ParamsError::ExpiresOutOfRange {
                    seconds: expires_in,
                }
                .into());
            }
            let (_, query) = request.path_and_query()?;
            for (k, _) in parse_query(query) {
                let clash = RESERVED.iter().any(|r| r.as_bytes() == k.as_slice())
                    || (token.is_some() && k == b"X-Amz-Security-Token");
                if clash {
                    return Err(RequestError::ReservedQueryParameter {
                        name: String::from_utf8_lossy(&k).into_owned(),
                    }
                    .into());
                }
            }
            let credential = format!("{}/{scope}", params.credentials.access_key_id);
            let canonical_headers = headers_to_sign(request, &[]);
            let signed_headers = canonical_headers.signed_headers();
            let expires = expires_in.to_string();
            out_query = vec![
                ("X-Amz-Algorithm".to_owned(), ALGORITHM.to_owned()),
                ("X-Amz-Credential".to_owned(), credential),
                ("X-Amz-Date".to_owned(), amz_date.clone()),
                ("X-Amz-SignedHeaders".to_owned(), signed_headers),
                ("X-Amz-Expires".to_owned(), expires),
            ];
            if let Some(t) = token {
                out_query.push(("X-Amz-Security-Token".to_owned(), t.to_owned()));
            }
            out_query.push((REGION_SET_PARAM.to_owned(), region_set.to_owned()));
            let added: Vec<(&str, &str)> = out_query
                .iter()
                .filter(|(k, _)| token_signed || k != "X-Amz-Security-Token")
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            build_canonical_request(request, params, &payload_hash, canonical_headers, &added)?
        }
    };
    let creq_hash = hex(&Sha256::digest(canonical_request_text.as_bytes()));
    let string_to_sign = string_to_sign(&amz_date, &scope, &creq_hash);
    let signature = key.sign(&string_to_sign);
    match location {
        SignatureLocation::Headers => out_headers.push((
            "Authorization".to_owned(),
            format!(
                "{ALGORITHM} Credential={}/{scope}, SignedHeaders={}, Signature={signature}",
                params.credentials.access_key_id,
                canonical_request.signed_headers(),
            ),
        )),
        SignatureLocation::Query { .. } => {
            out_query.push(("X-Amz-Signature".to_owned(), signature.clone()));
        }
    }
    Ok(SigningOutput {
        location,
        canonical_request,
        canonical_request_text,
        scope: CredentialScope {
            date: scope.date,
            region: String::new(),
            service: scope.service,
        },
        string_to_sign,
        signature,
        headers: out_headers,
        query: out_query,
    })
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
