//! EC2 (EC2's query protocol, `Version=2016-11-15`, GET or POST): DescribeRegions. Errors are
//! `<Response><Errors><Error>` ([`crate::errors::Protocol::Ec2`]).

use crate::errors::AwsError;
use crate::message::Response;
use crate::services::{Ctx, OpResult};
use crate::util::xml_escape;

/// Regions that need no opt-in, then opt-in regions (listed only with `AllRegions=true`).
const REGIONS: &[&str] = &[
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];
const OPT_IN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-south-2",
    "ap-southeast-3",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "me-central-1",
    "me-south-1",
];

fn err(code: &'static str, msg: impl Into<String>) -> (AwsError, String) {
    (AwsError { code, status: 400 }, msg.into())
}

/// Values of `Name.1`, `Name.2`, ... in order of their index.
fn list_param(params: &[(String, String)], name: &str) -> Vec<String> {
    let mut items: Vec<(u32, String)> = params
        .iter()
        .filter_map(|(k, v)| {
            let n = k.strip_prefix(name)?.strip_prefix('.')?.parse().ok()?;
            Some((n, v.clone()))
        })
        .collect();
    items.sort_by_key(|(n, _)| *n);
    items.into_iter().map(|(_, v)| v).collect()
}

/// Handles an EC2 request; returns the operation name and the result.
pub fn handle(ctx: &mut Ctx<'_>) -> (Option<String>, OpResult) {
    let (action, params) = match crate::framing::query_action(ctx.req) {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let result = match action.as_str() {
        "DescribeRegions" => describe_regions(ctx, &params),
        other => Err(err(
            "InvalidAction",
            format!("The action {other} is not valid for this web service. (mock-aws implements DescribeRegions)"),
        )),
    };
    (Some(action), result)
}

fn describe_regions(ctx: &Ctx<'_>, params: &[(String, String)]) -> OpResult {
    let all = params
        .iter()
        .any(|(k, v)| k == "AllRegions" && v.eq_ignore_ascii_case("true"));
    let mut known: Vec<(&str, &str)> = REGIONS
        .iter()
        .map(|r| (*r, "opt-in-not-required"))
        .collect();
    if !REGIONS.contains(&ctx.region) && !OPT_IN_REGIONS.contains(&ctx.region) {
        known.push((ctx.region, "opt-in-not-required"));
    }
    let opted_out: Vec<(&str, &str)> = OPT_IN_REGIONS
        .iter()
        .map(|r| {
            if *r == ctx.region {
                (*r, "opted-in")
            } else {
                (*r, "not-opted-in")
            }
        })
        .collect();
    let names = list_param(params, "RegionName");
    let mut regions: Vec<(&str, &str)> = Vec::new();
    if names.is_empty() {
        regions.extend(known.iter().copied());
        regions.extend(
            opted_out
                .iter()
                .copied()
                .filter(|(_, s)| all || *s == "opted-in"),
        );
    } else {
        for n in &names {
            let found = known
                .iter()
                .chain(opted_out.iter())
                .find(|(r, _)| r == n)
                .ok_or_else(|| err("InvalidParameterValue", format!("Invalid region: {n}")))?;
            regions.push(*found);
        }
    }
    regions.sort_unstable();
    regions.dedup();
    let items: String = regions
        .iter()
        .map(|(r, status)| {
            format!(
                "<item><regionName>{r}</regionName><regionEndpoint>ec2.{r}.amazonaws.com</regionEndpoint><optInStatus>{status}</optInStatus></item>",
                r = xml_escape(r)
            )
        })
        .collect();
    Ok(Response::new(
        200,
        "text/xml;charset=UTF-8",
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeRegionsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>{}</requestId><regionInfo>{items}</regionInfo></DescribeRegionsResponse>",
            ctx.request_id
        ),
    ))
}
