//! Routing: which AWS service and wire protocol a request is for, decided before its signature
//! is verified, and which requests are for mock-aws's own inspection endpoints.
//!
//! A request is routed by **what it is** where that is unambiguous ([`shape_service`]): an
//! AWS host name (`sts.amazonaws.com`, `dynamodb.us-east-1.amazonaws.com`,
//! `abc123.execute-api.us-east-1.amazonaws.com`, ...), an `X-Amz-Target` of DynamoDB or
//! Kinesis, an `Action` with the `Version` of STS, IAM or EC2, Lambda's `/2015-03-31/functions/`
//! path, or (neither `Action` nor `X-Amz-Target`) a REST request whose scope names a service
//! that speaks JSON or query (then it is S3, the REST service mock-aws emulates). Then a
//! credential scope naming another service is rejected as AWS rejects it (the verifier's
//! `wrong-service`: `SignatureDoesNotMatch`, `InvalidSignatureException`, S3's
//! `AuthorizationHeaderMalformed`) instead of being answered as the scope's service. Without a
//! telling shape, the scope's service decides (every service mock-aws does not emulate, and
//! REST requests of S3, execute-api, Lambda and the other REST services).

use std::borrow::Cow;

use sigv4_signer::verify::{parse_auth, RequestAuth, VerifyError};
use sigv4_signer::SignableRequest;

use crate::errors::Protocol;
use crate::framing::query_params;
use crate::message::Request;

/// The prefix of the inspection endpoints (`/_mock-aws/verdicts`, `/_mock-aws/reset`, the
/// page `/_mock-aws/`).
pub const INSPECTION_PREFIX: &str = "/_mock-aws/";

/// Whether a request-target is for the inspection endpoints (`/_mock-aws/...`, and
/// `/_mock-aws` itself, the page).
pub fn is_inspection(target: &str) -> bool {
    target.starts_with(INSPECTION_PREFIX) || target == "/_mock-aws"
}

/// Which service and protocol a request is for, before verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Service name (`s3`, `dynamodb`, `sts`, ...): a known one without a copy.
    pub service: Cow<'static, str>,
    /// Its protocol.
    pub protocol: Protocol,
    /// Whether the service comes from the request's shape (host, `X-Amz-Target`, `Action`,
    /// path) rather than from its credential scope alone: then a scope naming another service
    /// is rejected (`wrong-service`).
    pub from_shape: bool,
}

/// Services a credential scope names that a [`Target`] keeps without a copy (those mock-aws
/// emulates, and the REST-JSON ones below); any other name is copied.
const KNOWN_SERVICES: &[&str] = &[
    "s3",
    "dynamodb",
    "sts",
    "kinesis",
    "ec2",
    "iam",
    "lambda",
    "execute-api",
];

/// The services mock-aws answers with AWS's REST-JSON error shape (`{"message": ...}` and
/// `x-amzn-ErrorType`): API Gateway's `execute-api` and the REST-JSON control planes.
pub const REST_JSON_SERVICES: &[&str] = &[
    "execute-api",
    "apigateway",
    "lambda",
    "es",
    "aoss",
    "appsync",
    "batch",
    "eks",
    "glacier",
    "iot",
    "mediaconvert",
    "polly",
    "sagemaker",
];

fn protocol_of(service: &str, req: &Request) -> Protocol {
    match service {
        "s3" => Protocol::S3,
        "dynamodb" => Protocol::Json { version: "1.0" },
        "kinesis" => Protocol::Json { version: "1.1" },
        "ec2" => Protocol::Ec2,
        "sts" | "iam" => Protocol::Query,
        s if REST_JSON_SERVICES.contains(&s) => Protocol::RestJson,
        _ => match req.header("content-type") {
            Some(ct) if ct.contains("x-amz-json-1.1") => Protocol::Json { version: "1.1" },
            _ if req.header("x-amz-target").is_some() => Protocol::Json { version: "1.0" },
            _ if has_action(req) => Protocol::Query,
            _ => Protocol::RestJson,
        },
    }
}

fn has_action(req: &Request) -> bool {
    query_params(req).iter().any(|(k, _)| k == "Action")
}

/// The service an AWS host name belongs to: `sts.amazonaws.com`, `sts.eu-west-1.amazonaws.com`,
/// `BUCKET.s3.REGION.amazonaws.com`, `ID.execute-api.REGION.amazonaws.com`, ... (the
/// endpoints of AWS's General Reference, *Service endpoints*). `None` for any other host
/// (`127.0.0.1:4566`, `localhost`).
pub fn host_service(host: &str) -> Option<&'static str> {
    let host = host.split(':').next().unwrap_or("");
    // Most hosts are not AWS's (`127.0.0.1:4566`): answered without an allocation.
    let aws = |suffix: &str| {
        host.len() >= suffix.len()
            && host.as_bytes()[host.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    if !aws(".amazonaws.com") && !aws(".amazonaws.com.cn") {
        return None;
    }
    let host = host.to_ascii_lowercase();
    let rest = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let labels: Vec<&str> = rest.split('.').collect();
    const KNOWN: &[&str] = &["sts", "iam", "ec2", "dynamodb", "kinesis", "lambda"];
    if labels
        .iter()
        .any(|l| *l == "s3" || l.starts_with("s3-") || *l == "s3-accelerate")
    {
        return Some("s3");
    }
    if labels.contains(&"execute-api") {
        return Some("execute-api");
    }
    let first = labels.first()?;
    KNOWN.iter().copied().find(|k| k == first)
}

/// The service a request is, from its shape alone, when that is unambiguous (see the module
/// docs); `scoped` is the credential scope's service, used only to tell a REST request from a
/// JSON or query one.
pub fn shape_service(req: &Request, scoped: Option<&str>) -> Option<&'static str> {
    if let Some(s) = req.header("host").and_then(host_service) {
        return Some(s);
    }
    if let Some(t) = req.header("x-amz-target") {
        return if t.starts_with("DynamoDB_") {
            Some("dynamodb")
        } else if t.starts_with("Kinesis_") {
            Some("kinesis")
        } else {
            None
        };
    }
    let params = query_params(req);
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("Action").is_some() {
        return match get("Version") {
            Some("2011-06-15") => Some("sts"),
            Some("2010-05-08") => Some("iam"),
            Some("2016-11-15") => Some("ec2"),
            _ => None,
        };
    }
    let (path, _) = req.path_and_query().unwrap_or_default();
    if path.starts_with("/2015-03-31/functions/") {
        return Some("lambda");
    }
    // A REST request (neither Action nor X-Amz-Target nor a form body) scoped to a JSON or
    // query service cannot be that service: it is S3's shape.
    let form = req
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if form {
        return None;
    }
    match scoped {
        Some("sts" | "iam" | "ec2" | "dynamodb" | "kinesis") => Some("s3"),
        _ => None,
    }
}

/// The authentication `signable` carries, parsed ([`parse_auth`], borrowed from the request):
/// what [`detect_parsed`] routes on and the verifier then takes, so that mock-aws parses each
/// request's `Authorization` header (or presigned query) once.
pub fn parse<'r>(signable: &SignableRequest<'r>) -> Result<RequestAuth<'r>, VerifyError> {
    #[cfg(test)]
    tests::PARSES.with(|n| n.set(n.get() + 1));
    parse_auth(signable)
}

/// The service of a request: its shape when that is unambiguous, else its credential scope's,
/// else a guess from its shape. Parses the request's authentication; a caller that verifies
/// it too parses it once with [`parse`] and calls [`detect_parsed`].
pub fn detect(req: &Request) -> Target {
    let signable = req.signable();
    detect_parsed(req, parse(&signable).ok().as_ref())
}

/// [`detect`] for a request whose authentication `auth` is already parsed (`None` when it
/// does not parse).
pub fn detect_parsed(req: &Request, auth: Option<&RequestAuth<'_>>) -> Target {
    let scoped = auth.map(|a| a.scope().service);
    if let Some(s) = shape_service(req, scoped) {
        return Target {
            service: Cow::Borrowed(s),
            protocol: protocol_of(s, req),
            from_shape: true,
        };
    }
    let service = match scoped {
        Some(s) => match KNOWN_SERVICES.iter().find(|k| **k == s) {
            Some(k) => Cow::Borrowed(*k),
            None => Cow::Owned(s.to_owned()),
        },
        None => Cow::Borrowed(match req.header("x-amz-target") {
            Some(t) if t.starts_with("Kinesis_") => "kinesis",
            Some(_) => "dynamodb",
            None => {
                if has_action(req)
                    || req
                        .header("content-type")
                        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
                {
                    "sts"
                } else {
                    "s3"
                }
            }
        }),
    };
    let protocol = protocol_of(&service, req);
    Target {
        service,
        protocol,
        from_shape: false,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// How many times [`parse`] ran on this thread: the tests of a request's handling
        /// count one parse per request.
        pub(crate) static PARSES: Cell<usize> = const { Cell::new(0) };
    }

    /// How many times [`parse`] runs on this thread during `f`.
    pub(crate) fn parses_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
        let before = PARSES.with(Cell::get);
        let out = f();
        (out, PARSES.with(Cell::get) - before)
    }

    fn req(target: &str, headers: &[(&str, &str)], body: &str) -> Request {
        Request {
            method: if body.is_empty() { "GET" } else { "POST" }.to_owned(),
            target: target.to_owned(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn hosts_of_aws_endpoints() {
        assert_eq!(host_service("sts.amazonaws.com"), Some("sts"));
        assert_eq!(host_service("sts.eu-west-1.amazonaws.com:443"), Some("sts"));
        assert_eq!(
            host_service("bucket.s3.us-east-1.amazonaws.com"),
            Some("s3")
        );
        assert_eq!(host_service("s3-us-west-2.amazonaws.com"), Some("s3"));
        assert_eq!(
            host_service("abc123.execute-api.us-east-1.amazonaws.com"),
            Some("execute-api")
        );
        assert_eq!(
            host_service("lambda.us-east-1.amazonaws.com"),
            Some("lambda")
        );
        assert_eq!(host_service("127.0.0.1:4566"), None);
        assert_eq!(host_service("example.amazonaws.com"), None);
    }

    #[test]
    fn shapes() {
        let form = [("content-type", "application/x-www-form-urlencoded")];
        assert_eq!(
            shape_service(
                &req("/", &form, "Action=GetCallerIdentity&Version=2011-06-15"),
                Some("iam")
            ),
            Some("sts")
        );
        assert_eq!(
            shape_service(&req("/?Action=ListUsers&Version=2010-05-08", &[], ""), None),
            Some("iam")
        );
        // A changed Version is not a telling shape: the scope decides.
        assert_eq!(
            shape_service(
                &req("/", &form, "Action=GetCallerIdentity&Version=2011-06-16"),
                Some("sts")
            ),
            None
        );
        assert_eq!(
            shape_service(
                &req(
                    "/",
                    &[("x-amz-target", "Kinesis_20131202.ListStreams")],
                    "{}"
                ),
                Some("sts")
            ),
            Some("kinesis")
        );
        assert_eq!(
            shape_service(&req("/bucket/key", &[], ""), Some("sts")),
            Some("s3")
        );
        assert_eq!(
            shape_service(&req("/prod/items", &[], ""), Some("execute-api")),
            None
        );
        assert_eq!(
            shape_service(&req("/bucket/key", &[], ""), Some("s3")),
            None
        );
    }
}
