//! IAM (query protocol, `Version=2010-05-08`, GET or POST, header or presigned query auth):
//! CreateUser, GetUser, ListUsers. User names are unique ignoring case, as in IAM.

use std::collections::BTreeMap;

use crate::config::ACCOUNT_ID;
use crate::errors::AwsError;
use crate::message::Response;
use crate::services::{Ctx, OpResult};
use crate::util::{iso8601, xml_escape};

/// One user.
#[derive(Debug, Clone)]
pub struct User {
    name: String,
    path: String,
    id: String,
    created: i64,
}

/// All users, by lowercased name.
#[derive(Debug, Default)]
pub struct Users {
    users: BTreeMap<String, User>,
    created: u64,
}

const NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

fn err(code: &'static str, status: u16, msg: impl Into<String>) -> (AwsError, String) {
    (AwsError { code, status }, msg.into())
}

fn validation(field: &str, value: Option<&str>, constraint: &str) -> (AwsError, String) {
    let value = value.map_or_else(|| "null".to_owned(), |v| format!("'{v}'"));
    err(
        "ValidationError",
        400,
        format!("1 validation error detected: Value {value} at '{field}' failed to satisfy constraint: {constraint}"),
    )
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn user_name(value: Option<&str>) -> Result<String, (AwsError, String)> {
    match value {
        None => Err(validation("userName", None, "Member must not be null")),
        Some(n)
            if (1..=64).contains(&n.len())
                && n.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'=' | b',' | b'.' | b'@' | b'-')
                }) =>
        {
            Ok(n.to_owned())
        }
        Some(n) => Err(validation(
            "userName",
            Some(n),
            "Member must have length between 1 and 64 and satisfy regular expression pattern: [\\w+=,.@-]+",
        )),
    }
}

fn path_param(value: Option<&str>, field: &str) -> Result<String, (AwsError, String)> {
    let p = value.unwrap_or("/");
    if p.starts_with('/') && p.ends_with('/') && p.len() <= 512 {
        Ok(p.to_owned())
    } else {
        Err(validation(
            field,
            Some(p),
            "Member must begin and end with '/' and have length at most 512",
        ))
    }
}

fn user_xml(u: &User) -> String {
    format!(
        "<Path>{path}</Path><UserName>{name}</UserName><UserId>{id}</UserId><Arn>arn:aws:iam::{ACCOUNT_ID}:user{path}{name}</Arn><CreateDate>{date}</CreateDate>",
        path = xml_escape(&u.path),
        name = xml_escape(&u.name),
        id = xml_escape(&u.id),
        date = iso8601(u.created),
    )
}

fn respond(op: &str, result: &str, request_id: &str) -> OpResult {
    Ok(Response::new(
        200,
        "text/xml",
        format!(
            "<{op}Response xmlns=\"{NS}\"><{op}Result>{result}</{op}Result><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{op}Response>"
        ),
    ))
}

/// Handles an IAM request; returns the operation name and the result.
pub fn handle(ctx: &mut Ctx<'_>) -> (Option<String>, OpResult) {
    let (action, params) = match crate::framing::query_action(ctx.req) {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let result = run(ctx, &action, &params);
    (Some(action), result)
}

fn run(ctx: &mut Ctx<'_>, action: &str, params: &[(String, String)]) -> OpResult {
    let rid = ctx.request_id;
    let users = &mut ctx.state.iam;
    match action {
        "CreateUser" => {
            let name = user_name(param(params, "UserName"))?;
            let path = path_param(param(params, "Path"), "path")?;
            let key = name.to_ascii_lowercase();
            if users.users.contains_key(&key) {
                return Err(err(
                    "EntityAlreadyExists",
                    409,
                    format!("User with name {name} already exists."),
                ));
            }
            users.created += 1;
            let u = User {
                id: format!(
                    "AIDA{:017X}",
                    users.created.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 4
                ),
                name,
                path,
                created: ctx.now,
            };
            let out = format!("<User>{}</User>", user_xml(&u));
            users.users.insert(key, u);
            respond("CreateUser", &out, rid)
        }
        "GetUser" => {
            let u = match param(params, "UserName") {
                Some(n) => {
                    let n = user_name(Some(n))?;
                    users
                        .users
                        .get(&n.to_ascii_lowercase())
                        .cloned()
                        .ok_or_else(|| {
                            err(
                                "NoSuchEntity",
                                404,
                                format!("The user with name {n} cannot be found."),
                            )
                        })?
                }
                // Without UserName, IAM describes the caller.
                None => User {
                    name: ctx.access_key.to_owned(),
                    path: "/".to_owned(),
                    id: ctx.access_key.to_owned(),
                    created: 0,
                },
            };
            respond("GetUser", &format!("<User>{}</User>", user_xml(&u)), rid)
        }
        "ListUsers" => {
            let prefix = path_param(param(params, "PathPrefix"), "pathPrefix")?;
            let max = match param(params, "MaxItems") {
                None => 100,
                Some(m) => m
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| {
                        validation("maxItems", Some(m), "Member must have value between 1 and 1000")
                    })?,
            };
            let marker = param(params, "Marker");
            let matching: Vec<(&String, &User)> = users
                .users
                .iter()
                .filter(|(k, u)| u.path.starts_with(&prefix) && marker.is_none_or(|m| k.as_str() > m))
                .collect();
            let truncated = matching.len() > max;
            let page = &matching[..matching.len().min(max)];
            let members: String = page
                .iter()
                .map(|(_, u)| format!("<member>{}</member>", user_xml(u)))
                .collect();
            let mut out = format!("<IsTruncated>{truncated}</IsTruncated><Users>{members}</Users>");
            if truncated {
                if let Some((k, _)) = page.last() {
                    out.push_str(&format!("<Marker>{}</Marker>", xml_escape(k)));
                }
            }
            respond("ListUsers", &out, rid)
        }
        other => Err(err(
            "InvalidAction",
            400,
            format!("Could not find operation {other} for version 2010-05-08 (mock-aws implements CreateUser, GetUser, ListUsers)"),
        )),
    }
}
