//! S3 (REST-XML, path-style): CreateBucket, ListBuckets, PutObject, GetObject, HeadObject,
//! DeleteObject. Keys are taken from the raw path, never normalised.

use std::collections::BTreeMap;

use md5::{Digest, Md5};

use crate::errors::AwsError;
use crate::service::{decode_path, Ctx, OpResult, Response, ACCOUNT_ID};
use crate::util::{hex, http_date, iso8601, xml_escape};

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

/// Handles an S3 request; returns the operation name and the result.
pub fn handle(ctx: &mut Ctx<'_>) -> (Option<String>, OpResult) {
    let (path, _) = ctx.req.path_and_query();
    let rest = path.strip_prefix('/').unwrap_or(path);
    let (bucket, key) = match rest.split_once('/') {
        Some((b, k)) => (
            decode_path(b),
            Some(decode_path(k)).filter(|k| !k.is_empty()),
        ),
        None => (decode_path(rest), None),
    };
    let method = ctx.req.method.as_str();
    let op = match (method, bucket.is_empty(), &key) {
        ("GET", true, None) => "ListBuckets",
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
                    format!("mock-aws does not implement {method} {path} (it implements CreateBucket, ListBuckets, PutObject, GetObject, HeadObject, DeleteObject, path-style)"),
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
        _ => Err(err("NotImplemented", 501, "not implemented")),
    }
}
