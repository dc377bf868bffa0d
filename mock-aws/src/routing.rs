//! Routing: which AWS service and wire protocol a request is for, decided before its signature
//! is verified (from the credential scope, else from the request's shape), and which requests
//! are for mock-aws's own inspection endpoints.

use sigv4_signer::verify::parse_request_auth;

use crate::errors::Protocol;
use crate::framing::query_params;
use crate::message::Request;

/// The prefix of the inspection endpoints (`/_mock-aws/verdicts`, `/_mock-aws/reset`).
pub const INSPECTION_PREFIX: &str = "/_mock-aws/";

/// Whether a request-target is for the inspection endpoints (`/_mock-aws/...`).
pub fn is_inspection(target: &str) -> bool {
    target.starts_with(INSPECTION_PREFIX)
}

/// Which service and protocol a request is for, before verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Service name (`s3`, `dynamodb`, `sts`, ...).
    pub service: String,
    /// Its protocol.
    pub protocol: Protocol,
}

fn protocol_of(service: &str, req: &Request) -> Protocol {
    match service {
        "s3" => Protocol::S3,
        "dynamodb" => Protocol::Json { version: "1.0" },
        "kinesis" => Protocol::Json { version: "1.1" },
        "ec2" => Protocol::Ec2,
        "sts" | "iam" => Protocol::Query,
        _ => match req.header("content-type") {
            Some(ct) if ct.contains("x-amz-json-1.1") => Protocol::Json { version: "1.1" },
            _ if req.header("x-amz-target").is_some() => Protocol::Json { version: "1.0" },
            _ => Protocol::Query,
        },
    }
}

/// The service named by the request's credential scope, else a guess from its shape.
pub fn detect(req: &Request) -> Target {
    let scoped = parse_request_auth(&req.signable())
        .ok()
        .map(|p| p.scope.service);
    let service = scoped.unwrap_or_else(|| match req.header("x-amz-target") {
        Some(t) if t.starts_with("Kinesis_") => "kinesis".to_owned(),
        Some(_) => "dynamodb".to_owned(),
        None => {
            let is_form = req
                .header("content-type")
                .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
            let params = query_params(req);
            let version = params
                .iter()
                .find(|(k, _)| k == "Version")
                .map(|(_, v)| v.as_str());
            match version {
                Some("2016-11-15") => "ec2".to_owned(),
                Some("2010-05-08") => "iam".to_owned(),
                _ if is_form || params.iter().any(|(k, _)| k == "Action") => "sts".to_owned(),
                _ => "s3".to_owned(),
            }
        }
    });
    let protocol = protocol_of(&service, req);
    Target { service, protocol }
}
