//! STS (query protocol): GetCallerIdentity.

use crate::config::ACCOUNT_ID;
use crate::errors::AwsError;
use crate::message::Response;
use crate::services::{Ctx, OpResult};
use crate::util::xml_escape;

/// Handles an STS request; returns the operation name and the result.
pub fn handle(ctx: &mut Ctx<'_>) -> (Option<String>, OpResult) {
    let (action, _) = match crate::framing::query_action(ctx.req) {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let result = match action.as_str() {
        "GetCallerIdentity" => Ok(Response::new(
            200,
            "text/xml",
            format!(
                "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::{ACCOUNT_ID}:user/{ak}</Arn><UserId>{ak}</UserId><Account>{ACCOUNT_ID}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
                ak = xml_escape(ctx.access_key),
                rid = ctx.request_id
            ),
        )),
        other => Err((
            AwsError {
                code: "InvalidAction",
                status: 400,
            },
            format!("Could not find operation {other} for version 2011-06-15 (mock-aws implements GetCallerIdentity)"),
        )),
    };
    (Some(action), result)
}
