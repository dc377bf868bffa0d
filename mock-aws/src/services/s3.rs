//! S3 (REST-XML, path-style or virtual-hosted via `Host`): CreateBucket, ListBuckets, PutObject,
//! GetObject, HeadObject, DeleteObject, ListObjectsV2. Keys are taken from the raw path, never
//! normalised.

use std::collections::BTreeMap;

use md5::{Digest, Md5};

use crate::config::ACCOUNT_ID;
use crate::errors::AwsError;
use crate::framing::{decode_path, parse_form};
use crate::message::Response;
use crate::services::{Ctx, OpResult};
use crate::util::{http_date, iso8601, url_encode_key, xml_escape};
use sigv4_signer::internal::{base64, base64_decode, hex};

/// One object.
#[derive(Debug, Clone)]
pub struct Object {
    body: Vec<u8>,
    etag: String,
    content_type: String,
    modified: i64,
}

/// One bucket.
#[derive(Debug, Clone, Default)]
pub struct Bucket {
    created: i64,
    objects: BTreeMap<String, Object>,
}

/// All buckets, by name.
pub type Buckets = BTreeMap<String, Bucket>;

fn err(code: &'static str, status: u16, msg: impl Into<String>) -> (AwsError, String) {
    (AwsError { code, status }, msg.into())
}

fn no_bucket(name: &str) -> (AwsError, String) {
    err(
        "NoSuchBucket",
        404,
        format!("The specified bucket does not exist: {name}"),
    )
}

fn valid_bucket(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

fn object_headers(r: Response, o: &Object) -> Response {
    r.with_header("ETag", o.etag.clone())
        .with_header("Last-Modified", http_date(o.modified))
        .with_header("Accept-Ranges", "bytes")
}

/// The bucket a virtual-hosted-style `Host` names, if it names one: `BUCKET.localhost[:PORT]`,
/// `BUCKET.s3.amazonaws.com`, `BUCKET.s3.REGION.amazonaws.com`, `BUCKET.s3-REGION.amazonaws.com`.
/// The server's own names (an IP address, `localhost`, `s3[.-]...amazonaws.com`, any other
/// host) mean path style.
pub fn virtual_host_bucket(host: &str) -> Option<String> {
    if host.starts_with('[') {
        return None;
    }
    let name = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    if let Some(b) = name.strip_suffix(".localhost") {
        return Some(b.to_owned()).filter(|b| !b.is_empty());
    }
    if name.ends_with(".amazonaws.com") || name.ends_with(".amazonaws.com.cn") {
        let i = [".s3.", ".s3-"].iter().filter_map(|m| name.find(m)).min()?;
        return Some(name[..i].to_owned()).filter(|b| !b.is_empty());
    }
    None
}

/// Handles an S3 request; returns the operation name and the result.
pub fn handle(ctx: &mut Ctx<'_>) -> (Option<String>, OpResult) {
    let (path, query) = ctx.req.path_and_query().unwrap_or_default();
    let rest = path.strip_prefix('/').unwrap_or(path);
    let (bucket, key) = match ctx.req.header("host").and_then(virtual_host_bucket) {
        Some(b) => (b, Some(decode_path(rest)).filter(|k| !k.is_empty())),
        None => match rest.split_once('/') {
            Some((b, k)) => (
                decode_path(b),
                Some(decode_path(k)).filter(|k| !k.is_empty()),
            ),
            None => (decode_path(rest), None),
        },
    };
    let method = ctx.req.method.as_str();
    let list_v2 = parse_form(query)
        .iter()
        .any(|(k, v)| k == "list-type" && v == "2");
    let op = match (method, bucket.is_empty(), &key) {
        ("GET", true, None) => "ListBuckets",
        ("GET", false, None) if list_v2 => "ListObjectsV2",
        ("PUT", false, None) => "CreateBucket",
        ("PUT", false, Some(_)) => "PutObject",
        ("GET", false, Some(_)) => "GetObject",
        ("HEAD", false, Some(_)) => "HeadObject",
        ("DELETE", false, Some(_)) => "DeleteObject",
        _ => {
            return (
                None,
                Err(err(
                    "NotImplemented",
                    501,
                    format!("mock-aws does not implement {method} {path} (it implements CreateBucket, ListBuckets, PutObject, GetObject, HeadObject, DeleteObject, ListObjectsV2 (GET /BUCKET?list-type=2); path-style or virtual-hosted)"),
                )),
            )
        }
    };
    let result = run(ctx, op, &bucket, key.as_deref().unwrap_or(""));
    (Some(op.to_owned()), result)
}

fn run(ctx: &mut Ctx<'_>, op: &str, bucket: &str, key: &str) -> OpResult {
    let buckets = &mut ctx.state.s3;
    match op {
        "ListBuckets" => {
            let list: String = buckets
                .iter()
                .map(|(n, b)| {
                    format!(
                        "<Bucket><Name>{}</Name><CreationDate>{}</CreationDate></Bucket>",
                        xml_escape(n),
                        iso8601(b.created)
                    )
                })
                .collect();
            Ok(Response::new(
                200,
                "application/xml",
                format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>{ACCOUNT_ID}</ID><DisplayName>mock-aws</DisplayName></Owner><Buckets>{list}</Buckets></ListAllMyBucketsResult>"),
            ))
        }
        "CreateBucket" => {
            if !valid_bucket(bucket) {
                return Err(err(
                    "InvalidBucketName",
                    400,
                    format!("The specified bucket is not valid: {bucket:?}"),
                ));
            }
            if buckets.contains_key(bucket) {
                return Err(err(
                    "BucketAlreadyOwnedByYou",
                    409,
                    "Your previous request to create the named bucket succeeded and you already own it.",
                ));
            }
            buckets.insert(
                bucket.to_owned(),
                Bucket {
                    created: ctx.now,
                    objects: BTreeMap::new(),
                },
            );
            Ok(Response::new(200, "application/xml", "")
                .with_header("Location", format!("/{bucket}")))
        }
        "PutObject" => {
            let b = buckets.get_mut(bucket).ok_or_else(|| no_bucket(bucket))?;
            if ctx
                .req
                .header("content-encoding")
                .is_some_and(|c| c.contains("aws-chunked"))
            {
                return Err(err(
                    "NotImplemented",
                    501,
                    "mock-aws does not implement aws-chunked uploads yet",
                ));
            }
            let etag = format!("\"{}\"", hex(&Md5::digest(&ctx.req.body)));
            b.objects.insert(
                key.to_owned(),
                Object {
                    body: ctx.req.body.clone(),
                    etag: etag.clone(),
                    content_type: ctx
                        .req
                        .header("content-type")
                        .unwrap_or("binary/octet-stream")
                        .to_owned(),
                    modified: ctx.now,
                },
            );
            Ok(Response::new(200, "application/xml", "").with_header("ETag", etag))
        }
        "GetObject" | "HeadObject" => {
            let b = buckets.get(bucket).ok_or_else(|| no_bucket(bucket))?;
            let o = b.objects.get(key).ok_or_else(|| {
                err(
                    "NoSuchKey",
                    404,
                    format!("The specified key does not exist: {key}"),
                )
            })?;
            Ok(object_headers(
                Response::new(200, &o.content_type, o.body.clone()),
                o,
            ))
        }
        "DeleteObject" => {
            let b = buckets.get_mut(bucket).ok_or_else(|| no_bucket(bucket))?;
            b.objects.remove(key);
            Ok(Response {
                status: 204,
                headers: Vec::new(),
                body: Vec::new(),
            })
        }
        "ListObjectsV2" => {
            let b = buckets.get(bucket).ok_or_else(|| no_bucket(bucket))?;
            list_objects_v2(
                bucket,
                b,
                &parse_form(ctx.req.path_and_query().unwrap_or_default().1),
            )
        }
        _ => Err(err("NotImplemented", 501, "not implemented")),
    }
}

fn list_objects_v2(name: &str, b: &Bucket, q: &[(String, String)]) -> OpResult {
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let prefix = get("prefix").unwrap_or("");
    let delimiter = get("delimiter").filter(|d| !d.is_empty());
    let start_after = get("start-after");
    let url = match get("encoding-type") {
        None => false,
        Some("url") => true,
        Some(other) => {
            return Err(err(
                "InvalidArgument",
                400,
                format!("Invalid Encoding Method specified in Request: {other:?}"),
            ))
        }
    };
    let max_keys = match get("max-keys") {
        None => 1000,
        Some(m) => m.parse::<usize>().map_err(|_| {
            err(
                "InvalidArgument",
                400,
                "Provided max-keys not an integer or within integer range",
            )
        })?,
    };
    let token = get("continuation-token");
    let resume = match token {
        None => None,
        Some(t) => Some(
            base64_decode(t)
                .and_then(|k| String::from_utf8(k).ok())
                .ok_or_else(|| {
                    err(
                        "InvalidArgument",
                        400,
                        "The continuation token provided is incorrect",
                    )
                })?,
        ),
    };
    // Entries after the continuation token (else after start-after), in key order.
    let after = resume.as_deref().or(start_after);
    let enc = |s: &str| xml_escape(&if url { url_encode_key(s) } else { s.to_owned() });
    let mut contents = String::new();
    let mut prefixes = String::new();
    let mut last_prefix: Option<String> = None;
    let mut count = 0;
    let mut last_entry: Option<String> = None;
    let mut truncated = false;
    for (k, o) in &b.objects {
        if !k.starts_with(prefix) {
            continue;
        }
        if let Some(a) = after {
            let inside_rolled_up =
                resume.is_some() && delimiter.is_some_and(|d| a.ends_with(d)) && k.starts_with(a);
            if k.as_str() <= a || inside_rolled_up {
                continue;
            }
        }
        let common = delimiter.and_then(|d| {
            k[prefix.len()..]
                .find(d)
                .map(|i| k[..prefix.len() + i + d.len()].to_owned())
        });
        if common.is_some() && common == last_prefix {
            continue;
        }
        if count == max_keys {
            truncated = max_keys > 0;
            break;
        }
        count += 1;
        match common {
            Some(p) => {
                prefixes.push_str(&format!(
                    "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
                    enc(&p)
                ));
                last_entry = Some(p.clone());
                last_prefix = Some(p);
            }
            None => {
                contents.push_str(&format!(
                    "<Contents><Key>{}</Key><LastModified>{}</LastModified><ETag>{}</ETag><Size>{}</Size><StorageClass>STANDARD</StorageClass></Contents>",
                    enc(k),
                    iso8601(o.modified),
                    xml_escape(&o.etag),
                    o.body.len()
                ));
                last_entry = Some(k.clone());
            }
        }
    }
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>{}</Name><Prefix>{}</Prefix><KeyCount>{count}</KeyCount><MaxKeys>{max_keys}</MaxKeys>",
        xml_escape(name),
        enc(prefix)
    );
    if let Some(d) = delimiter {
        out.push_str(&format!("<Delimiter>{}</Delimiter>", enc(d)));
    }
    out.push_str(&format!("<IsTruncated>{truncated}</IsTruncated>"));
    out.push_str(&contents);
    out.push_str(&prefixes);
    if let Some(t) = token {
        out.push_str(&format!(
            "<ContinuationToken>{}</ContinuationToken>",
            xml_escape(t)
        ));
    }
    if truncated {
        if let Some(last) = &last_entry {
            out.push_str(&format!(
                "<NextContinuationToken>{}</NextContinuationToken>",
                base64(last.as_bytes())
            ));
        }
    }
    if let Some(s) = start_after {
        out.push_str(&format!("<StartAfter>{}</StartAfter>", enc(s)));
    }
    if url {
        out.push_str("<EncodingType>url</EncodingType>");
    }
    out.push_str("</ListBucketResult>");
    Ok(Response::new(200, "application/xml", out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_hosted_buckets_come_from_the_host() {
        for (host, bucket) in [
            ("b1.localhost:4566", Some("b1")),
            ("my.dotted.bucket.localhost", Some("my.dotted.bucket")),
            ("b1.s3.amazonaws.com", Some("b1")),
            ("b1.s3.eu-west-1.amazonaws.com", Some("b1")),
            ("b1.s3-eu-west-1.amazonaws.com", Some("b1")),
            ("s3.amazonaws.com", None),
            ("s3.us-east-1.amazonaws.com", None),
            ("localhost:4566", None),
            ("127.0.0.1:4566", None),
            ("[::1]:4566", None),
            ("mock-aws:4566", None),
            ("dynamodb.us-east-1.amazonaws.com", None),
        ] {
            assert_eq!(virtual_host_bucket(host).as_deref(), bucket, "{host}");
        }
    }
}
