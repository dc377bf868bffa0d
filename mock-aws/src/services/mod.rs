//! The AWS services mock-aws implements, one file each, and the table that sends an
//! authenticated request to the one its credential scope names. Each service's `handle` reads
//! the operation from its protocol's framing ([`crate::framing`]) and answers from the
//! in-memory [`State`].

pub mod dynamodb;
pub mod ec2;
pub mod iam;
pub mod kinesis;
pub mod s3;
mod s3_config;
mod s3_multipart;
mod s3_xml;
pub mod sts;

use crate::errors::{AwsError, Protocol};
use crate::message::{Request, Response};
use crate::routing::Target;

/// The in-memory state of the services.
#[derive(Debug, Default)]
pub struct State {
    /// DynamoDB tables.
    pub dynamodb: dynamodb::Tables,
    /// S3 buckets.
    pub s3: s3::Buckets,
    /// Kinesis streams.
    pub kinesis: kinesis::Streams,
    /// IAM users.
    pub iam: iam::Users,
    /// Where S3's bytes live.
    pub storage: std::sync::Arc<crate::storage::Storage>,
}

/// Everything a service operation needs.
pub struct Ctx<'a> {
    /// The request.
    pub req: &'a Request,
    /// The state (locked).
    pub state: &'a mut State,
    /// Access key of the caller.
    pub access_key: &'a str,
    /// Region.
    pub region: &'a str,
    /// Request id.
    pub request_id: &'a str,
    /// Now, seconds since the epoch.
    pub now: i64,
    /// The body, when the server streamed it to storage instead of `req.body` (S3 uploads).
    pub streamed: Option<crate::storage::Streamed>,
}

/// The outcome of an operation: a response, or an AWS error with its message.
pub type OpResult = Result<Response, (AwsError, String)>;

/// What a service's `handle` answers: the operation name, when known, and its result.
pub type Answer = (Option<String>, OpResult);

/// The answer to a verified request for a service mock-aws does not emulate, in that service's
/// protocol: the signature verified, the operation is not emulated. S3 `NotImplemented` 501
/// (S3's code for a feature it does not implement); JSON `UnknownOperationException` 400;
/// query and EC2 `InvalidAction` 400; REST-JSON (`execute-api`, Lambda, ...)
/// `UnknownOperationException` 400 with `{"message": ...}`. The verdict is `accepted` (the
/// signature was right) with that error code.
pub fn not_emulated(target: &Target, req: &Request) -> Answer {
    let code = match target.protocol {
        Protocol::S3 => AwsError {
            code: "NotImplemented",
            status: 501,
        },
        Protocol::Json { .. } | Protocol::RestJson => AwsError {
            code: "UnknownOperationException",
            status: 400,
        },
        Protocol::Query | Protocol::Ec2 => AwsError {
            code: "InvalidAction",
            status: 400,
        },
    };
    let (path, _) = req.path_and_query().unwrap_or_default();
    let what = req
        .header("x-amz-target")
        .map(str::to_owned)
        .or_else(|| {
            crate::framing::query_params(req)
                .into_iter()
                .find(|(k, _)| k == "Action")
                .map(|(_, v)| format!("Action={v}"))
        })
        .unwrap_or_else(|| format!("{} {path}", req.method));
    (
        None,
        Err((
            code,
            format!(
                "mock-aws: the signature verified (service {:?}), but mock-aws does not emulate this service, so the operation ({what}) was not run",
                target.service
            ),
        )),
    )
}

/// What an operation needs from its request that can be worked out before the state is
/// locked ([`prepare`]), so that the lock is held for less (issue 17: the one state lock is
/// contended between the runtime's threads).
pub enum Prepared {
    /// Nothing: the service reads its request under the lock.
    Nothing,
    /// DynamoDB: the operation and the parsed JSON body.
    DynamoDb(dynamodb::Parsed),
}

/// The part of `req`'s operation that needs no state (DynamoDB's JSON parse).
pub fn prepare(target: &Target, req: &Request) -> Prepared {
    match &*target.service {
        "dynamodb" => Prepared::DynamoDb(dynamodb::parse(req)),
        _ => Prepared::Nothing,
    }
}

/// Runs the operation of an authenticated request on the AWS service `target` names, with
/// what [`prepare`] worked out (which the caller frees after the lock); a service mock-aws does not implement gets its protocol's
/// unknown-operation error.
pub fn handle(target: &Target, ctx: &mut Ctx<'_>, prepared: &mut Prepared) -> Answer {
    if let Prepared::DynamoDb(parsed) = prepared {
        return dynamodb::handle_parsed(ctx, parsed);
    }
    match &*target.service {
        "s3" => s3::handle(ctx),
        "dynamodb" => dynamodb::handle(ctx),
        "sts" => sts::handle(ctx),
        "kinesis" => kinesis::handle(ctx),
        "ec2" => ec2::handle(ctx),
        "iam" => iam::handle(ctx),
        _ => not_emulated(target, ctx.req),
    }
}
