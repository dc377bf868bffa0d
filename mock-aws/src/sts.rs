//! STS (query protocol): GetCallerIdentity.

use crate::errors::AwsError;
use crate::service::{query_params, Ctx, OpResult, Response, ACCOUNT_ID};
use crate::util::xml_escape;

/// Handles an STS request; returns the operation name and the result.
pub fn handle(ctx: &mut Ctx<'_>) -> (Option<String>, OpResult) {
    let params = query_params(ctx.req);
    let Some(action) = params
        .iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.clone())
    else {
        return (
            None,
            Err((
                AwsError {
                    code: "MissingAction",
                    status: 400,
                },
                "The request must contain the parameter Action.".to_owned(),
            )),
        );
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
