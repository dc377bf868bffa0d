//! Request framing: how each protocol carries the operation and its input. The query
//! protocols (STS, IAM, EC2) send form parameters in the query string or a form body with an
//! `Action`; the JSON protocols (DynamoDB, Kinesis) an `X-Amz-Target` and a JSON object; S3
//! percent-encoded path segments. Also the percent-decoding and form parsing they rest on.

use crate::errors::AwsError;
use crate::message::Request;
use crate::services::{Answer, Ctx};

/// The query protocols' (STS, IAM, EC2) framing: the parameters (query string, or the form
/// body of a POST) and their `Action`; without an `Action`, the answer to give.
pub fn query_action(req: &Request) -> Result<(String, Vec<(String, String)>), Answer> {
    let params = query_params(req);
    match params
        .iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.clone())
    {
        Some(action) => Ok((action, params)),
        None => Err((
            None,
            Err((
                AwsError {
                    code: "MissingAction",
                    status: 400,
                },
                "The request must contain the parameter Action.".to_owned(),
            )),
        )),
    }
}

/// The operation a request names, read before it is authenticated (so that a rejected
/// request's verdict says which call it was): the name after the last `.` of `X-Amz-Target`
/// (JSON protocols), else the `Action` parameter (query protocols); `None` for S3 and REST.
pub fn operation_hint(req: &Request) -> Option<String> {
    if let Some(target) = req.header("x-amz-target") {
        return Some(target.rsplit('.').next().unwrap_or(target).to_owned());
    }
    query_params(req)
        .into_iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v)
}

/// The JSON protocols' (DynamoDB, Kinesis) framing: the operation from `X-Amz-Target`
/// (`PREFIX` + name) and the body as a JSON object; on failure, the answer to give.
pub fn json_operation(ctx: &Ctx<'_>, prefix: &str) -> Result<(String, serde_json::Value), Answer> {
    json_request(ctx.req, prefix)
}

/// As [`json_operation`], from the request alone (no state needed: DynamoDB's body is parsed
/// before the state is locked).
pub fn json_request(req: &Request, prefix: &str) -> Result<(String, serde_json::Value), Answer> {
    let err = |code: &'static str, msg: String| Err((AwsError { code, status: 400 }, msg));
    let Some(op) = req
        .header("x-amz-target")
        .and_then(|t| t.strip_prefix(prefix))
        .map(str::to_owned)
    else {
        return Err((
            None,
            err(
                "UnknownOperationException",
                format!("The X-Amz-Target header must be {prefix}<Operation>"),
            ),
        ));
    };
    match serde_json::from_slice(&req.body) {
        Ok(v @ serde_json::Value::Object(_)) => Ok((op, v)),
        _ => Err((
            Some(op),
            err(
                "SerializationException",
                "The request body is not a JSON object".to_owned(),
            ),
        )),
    }
}

/// Form parameters of a query-protocol request: the query, then a form body.
pub fn query_params(req: &Request) -> Vec<(String, String)> {
    let mut params = parse_form(req.path_and_query().unwrap_or_default().1);
    let is_form = req
        .header("content-type")
        .is_none_or(|c| c.starts_with("application/x-www-form-urlencoded"));
    if req.method == "POST" && is_form {
        params.extend(parse_form(&String::from_utf8_lossy(&req.body)));
    }
    params
}

/// Decodes an S3 key or bucket segment.
pub fn decode_path(s: &str) -> String {
    String::from_utf8_lossy(&percent_decode(s, false)).into_owned()
}

/// Percent-decodes `s`; with `plus_is_space`, `+` decodes to a space (forms, queries).
pub fn percent_decode(s: &str, plus_is_space: bool) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// Parses `a=b&c=d` into decoded pairs (lossy UTF-8).
pub fn parse_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                String::from_utf8_lossy(&percent_decode(k, true)).into_owned(),
                String::from_utf8_lossy(&percent_decode(v, true)).into_owned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_and_forms() {
        assert_eq!(percent_decode("a%20b+c%2", true), b"a b c%2");
        assert_eq!(percent_decode("a+b", false), b"a+b");
        assert_eq!(percent_decode("%", false), b"%");
        assert_eq!(
            parse_form("Action=GetCallerIdentity&Version=2011-06-15"),
            vec![
                ("Action".to_owned(), "GetCallerIdentity".to_owned()),
                ("Version".to_owned(), "2011-06-15".to_owned())
            ]
        );
    }
}
