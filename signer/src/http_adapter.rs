//! Signing an [`http::Request`].

use crate::error::{RequestError, SignError};
use crate::request::SignableRequest;
use crate::settings::{SignatureLocation, SigningParams};
use crate::sign::{sign, SigningOutput};

/// Signs an `http::Request` whose body is in memory. The `Host` header is taken from the
/// request, or from the URI's authority when the request has none. Header values must be UTF-8.
pub fn sign_http<B: AsRef<[u8]>>(
    request: &http::Request<B>,
    params: &SigningParams<'_>,
    location: SignatureLocation,
) -> Result<SigningOutput, SignError> {
    let target = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let mut headers = Vec::with_capacity(request.headers().len() + 1);
    if !request.headers().contains_key(http::header::HOST) {
        if let Some(auth) = request.uri().authority() {
            headers.push(("host", auth.as_str()));
        }
    }
    for (name, value) in request.headers() {
        let v = value.to_str().map_err(|_| RequestError::NonUtf8 {
            what: "a header value",
        })?;
        headers.push((name.as_str(), v));
    }
    let signable = SignableRequest {
        method: request.method().as_str(),
        target,
        headers,
        body: request.body().as_ref(),
    };
    sign(&signable, params, location)
}

/// Applies a signing output to an `http::Request` in place.
pub fn apply_http<B>(
    request: &mut http::Request<B>,
    output: &SigningOutput,
) -> Result<(), SignError> {
    for (n, v) in output.header_pairs() {
        let name = match n {
            "Authorization" => http::header::AUTHORIZATION,
            "X-Amz-Date" => http::HeaderName::from_static("x-amz-date"),
            "x-amz-content-sha256" => http::HeaderName::from_static("x-amz-content-sha256"),
            "X-Amz-Security-Token" => http::HeaderName::from_static("x-amz-security-token"),
            _ => http::HeaderName::from_bytes(n.as_bytes())
                .map_err(|_| RequestError::InvalidHeaderName { name: n.to_owned() })?,
        };
        let value = http::HeaderValue::from_str(v)
            .map_err(|_| RequestError::InvalidHeaderValue { name: n.to_owned() })?;
        request.headers_mut().insert(name, value);
    }
    if output.query_pairs().len() > 0 {
        let base = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
        // The message of an error names the target; it is built again only then.
        let invalid = || RequestError::InvalidTarget {
            target: crate::error::shorten(&output.signed_target(base)),
        };
        // From the `String` itself: its bytes become the URI's, not copied again.
        let pq =
            http::uri::PathAndQuery::try_from(output.signed_target(base)).map_err(|_| invalid())?;
        let mut parts = request.uri().clone().into_parts();
        parts.path_and_query = Some(pq);
        let uri = http::Uri::from_parts(parts).map_err(|_| invalid())?;
        *request.uri_mut() = uri;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Credentials, SigningTime};

    // AWS's suite, case `get-vanilla-query-order-key-case`, through http::Request (the Host
    // header comes from the URI's authority).
    #[test]
    fn signs_and_applies_an_http_request() {
        let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let time = SigningTime::parse("2015-08-30T12:36:00Z").unwrap();
        let params = SigningParams::new(&creds, "us-east-1", "service", time);
        let mut req =
            http::Request::get("https://example.amazonaws.com/?Param2=value2&Param1=value1")
                .body(Vec::new())
                .unwrap();
        let out = sign_http(&req, &params, SignatureLocation::Headers).unwrap();
        assert_eq!(
            out.signature(),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        );
        apply_http(&mut req, &out).unwrap();
        assert!(req.headers()["authorization"]
            .to_str()
            .unwrap()
            .ends_with(out.signature()));
        assert_eq!(req.headers()["x-amz-date"], "20150830T123600Z");

        let out = sign_http(&req, &params, SignatureLocation::Query { expires_in: 3600 });
        assert!(out.is_ok());
    }

    #[test]
    fn rejects_non_utf8_header_values() {
        let creds = Credentials::new("AKIDEXAMPLE", "secret");
        let params = SigningParams::new(
            &creds,
            "us-east-1",
            "service",
            SigningTime::from_unix_seconds(0),
        );
        let req = http::Request::get("https://h/")
            .header("x-bin", http::HeaderValue::from_bytes(b"\xff").unwrap())
            .body(Vec::new())
            .unwrap();
        let err = sign_http(&req, &params, SignatureLocation::Headers).unwrap_err();
        assert_eq!(err.code(), "non-utf8");
    }
}
