//! S3 (REST-XML, path-style or virtual-hosted via `Host`): buckets (Create, Head, Delete,
//! ListBuckets, GetBucketLocation), objects (Put, Copy, Get with Range,
//! Head, Delete, DeleteObjects), listings (ListObjects v1 and v2), multipart uploads
//! (`services/s3_multipart.rs`), and the subresources of buckets and objects with what S3 keeps
//! besides an object's bytes (`services/s3_config.rs`). Keys are taken from the raw path, never
//! normalised.

use std::collections::BTreeMap;

use bytes::Bytes;
use md5::{Digest, Md5};
use sigv4_signer::chunked::ChecksumAlgorithm;

use crate::config::ACCOUNT_ID;
use crate::errors::AwsError;
use crate::framing::{decode_path, parse_form};
use crate::message::{Request, Response};
use crate::services::s3_config::{self, BucketConfig, ObjectMeta};
use crate::services::{s3_multipart, s3_xml, Ctx, OpResult};
use crate::storage::{Blob, Storage, Streamed};
use crate::util::{http_date, iso8601, url_encode_key, xml_escape};
use sigv4_signer::internal::{base64, base64_decode, hex};

/// One object.
#[derive(Debug, Clone)]
pub struct Object {
    pub(crate) body: Blob,
    pub(crate) etag: String,
    pub(crate) content_type: String,
    pub(crate) modified: i64,
    /// The checksum S3 keeps with the object (`x-amz-checksum-*`), if one was sent.
    pub(crate) checksum: Option<(ChecksumAlgorithm, String)>,
    /// The sizes of the parts it was assembled from, in order (empty: a single PUT).
    pub(crate) parts: Vec<u64>,
    /// Stored headers, tags, ACL, storage class (`services/s3_config.rs`).
    pub(crate) meta: ObjectMeta,
}

/// One bucket.
#[derive(Debug, Clone, Default)]
pub struct Bucket {
    created: i64,
    region: String,
    pub(crate) objects: BTreeMap<String, Object>,
    /// Multipart uploads in progress, by upload id.
    pub(crate) uploads: BTreeMap<String, s3_multipart::Upload>,
    /// Completed uploads' answers, by upload id: a retried CompleteMultipartUpload (a client
    /// that timed out waiting) gets the same 200, as from S3.
    pub(crate) completed: BTreeMap<String, (String, crate::message::Response)>,
    /// Versioning, tags, ACL, policy and the other configurations (`services/s3_config.rs`).
    pub(crate) config: BucketConfig,
}

/// All buckets, by name.
pub type Buckets = BTreeMap<String, Bucket>;

pub(crate) fn err(code: &'static str, status: u16, msg: impl Into<String>) -> (AwsError, String) {
    (AwsError { code, status }, msg.into())
}

pub(crate) fn no_bucket(name: &str) -> (AwsError, String) {
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

/// S3 subresources (query parameters that name a configuration of a bucket or object) that
/// mock-aws does not implement: a request naming one gets `NotImplemented`, never a listing or
/// an object by mistake.
const UNIMPLEMENTED_SUBRESOURCES: &[&str] = &[
    "analytics",
    "intelligent-tiering",
    "inventory",
    "legal-hold",
    "metrics",
    "ownershipControls",
    "policyStatus",
    "publicAccessBlock",
    "restore",
    "retention",
    "select",
    "torrent",
];

/// The operations mock-aws implements, for its NotImplemented message.
const IMPLEMENTED: &str = "ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, ListObjects (v1), ListObjectsV2, PutObject, CopyObject, GetObject (with Range), HeadObject, DeleteObject, DeleteObjects, CreateMultipartUpload, UploadPart, UploadPartCopy, ListParts, CompleteMultipartUpload, AbortMultipartUpload, ListMultipartUploads";

/// The S3 operation a request names: method, whether it names a bucket and a key, and its
/// subresource query parameters (S3 API reference, each operation's "Request Syntax").
fn operation(
    method: &str,
    bucket: bool,
    key: bool,
    q: &[(String, String)],
    copy_source: bool,
) -> Option<&'static str> {
    let has = |k: &str| q.iter().any(|(n, _)| n == k);
    if bucket {
        if let Some(op) = s3_config::operation(method, key, q) {
            return op;
        }
    }
    Some(match (method, bucket, key) {
        ("GET", false, false) => "ListBuckets",
        (_, false, _) => return None,
        ("GET", true, false) if has("location") => "GetBucketLocation",
        ("GET", true, false) if has("uploads") => "ListMultipartUploads",
        ("GET", true, false) if q.iter().any(|(k, v)| k == "list-type" && v == "2") => {
            "ListObjectsV2"
        }
        ("GET", true, false) => "ListObjects",
        ("PUT", true, false) => "CreateBucket",
        ("HEAD", true, false) => "HeadBucket",
        ("DELETE", true, false) => "DeleteBucket",
        ("POST", true, false) if has("delete") => "DeleteObjects",
        ("POST", true, true) if has("uploads") => "CreateMultipartUpload",
        ("POST", true, true) if has("uploadId") => "CompleteMultipartUpload",
        ("PUT", true, true) if has("uploadId") && copy_source => "UploadPartCopy",
        ("PUT", true, true) if has("uploadId") => "UploadPart",
        ("GET", true, true) if has("uploadId") => "ListParts",
        ("DELETE", true, true) if has("uploadId") => "AbortMultipartUpload",
        ("PUT", true, true) if copy_source => "CopyObject",
        ("PUT", true, true) => "PutObject",
        ("GET", true, true) => "GetObject",
        ("HEAD", true, true) => "HeadObject",
        ("DELETE", true, true) => "DeleteObject",
        _ => return None,
    })
}

/// The bucket and key a request names (path-style, or virtual-hosted by its `Host`).
fn bucket_and_key(req: &Request) -> (String, Option<String>) {
    let (path, _) = req.path_and_query().unwrap_or_default();
    let rest = path.strip_prefix('/').unwrap_or(path);
    match req.header("host").and_then(virtual_host_bucket) {
        Some(b) => (b, Some(decode_path(rest)).filter(|k| !k.is_empty())),
        None => match rest.split_once('/') {
            Some((b, k)) => (
                decode_path(b),
                Some(decode_path(k)).filter(|k| !k.is_empty()),
            ),
            None => (decode_path(rest), None),
        },
    }
}

/// Whether an S3 request (its head) is PutObject or UploadPart, whose body the server streams
/// to storage.
pub fn is_upload(req: &Request) -> bool {
    let (bucket, key) = bucket_and_key(req);
    let q = parse_form(req.path_and_query().unwrap_or_default().1);
    let copy = req.header("x-amz-copy-source").is_some();
    !q.iter()
        .any(|(k, _)| UNIMPLEMENTED_SUBRESOURCES.contains(&k.as_str()))
        && matches!(
            operation(&req.method, !bucket.is_empty(), key.is_some(), &q, copy),
            Some("PutObject" | "UploadPart")
        )
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
    let q = parse_form(query);
    let sub = q
        .iter()
        .find(|(k, _)| UNIMPLEMENTED_SUBRESOURCES.contains(&k.as_str()));
    let copy = ctx.req.header("x-amz-copy-source").is_some();
    let op = match (
        sub,
        operation(method, !bucket.is_empty(), key.is_some(), &q, copy),
    ) {
        (None, Some(op)) => op,
        (sub, _) => {
            let what = sub.map_or_else(String::new, |(k, _)| format!(" (the subresource ?{k})"));
            return (
                None,
                Err(err(
                    "NotImplemented",
                    501,
                    format!("A header or query you provided implies functionality that is not implemented. (mock-aws does not implement {method} {path}{what}; it implements {IMPLEMENTED}, {}; path-style or virtual-hosted)", s3_config::implemented()),
                )),
            );
        }
    };
    let result = run(ctx, op, &bucket, key.as_deref().unwrap_or(""), &q);
    (Some(op.to_owned()), result)
}

/// The query parameter `name`.
pub(crate) fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn run(ctx: &mut Ctx<'_>, op: &str, bucket: &str, key: &str, q: &[(String, String)]) -> OpResult {
    if op.contains("Multipart") || op.starts_with("UploadPart") || op == "ListParts" {
        return s3_multipart::run(ctx, op, bucket, key, q);
    }
    if s3_config::is_config_op(op) {
        return s3_config::run(ctx, op, bucket, key, q);
    }
    let now = ctx.now;
    let region = ctx.region.to_owned();
    let req = ctx.req;
    let streamed = ctx.streamed.take();
    let storage = std::sync::Arc::clone(&ctx.state.storage);
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
            Ok(xml_ok(format!("<ListAllMyBucketsResult xmlns=\"{NS}\"><Owner><ID>{ACCOUNT_ID}</ID><DisplayName>mock-aws</DisplayName></Owner><Buckets>{list}</Buckets></ListAllMyBucketsResult>")))
        }
        "CreateBucket" => create_bucket(buckets, bucket, &region, req, now),
        "HeadBucket" => {
            let b = buckets.get(bucket).ok_or_else(|| no_bucket(bucket))?;
            Ok(Response::new(200, "application/xml", "")
                .with_header("x-amz-bucket-region", b.region.clone()))
        }
        "DeleteBucket" => {
            let b = buckets.get(bucket).ok_or_else(|| no_bucket(bucket))?;
            if !b.objects.is_empty() || !b.uploads.is_empty() {
                return Err(err(
                    "BucketNotEmpty",
                    409,
                    "The bucket you tried to delete is not empty",
                ));
            }
            buckets.remove(bucket);
            Ok(no_content())
        }
        "GetBucketLocation" => {
            let b = buckets.get(bucket).ok_or_else(|| no_bucket(bucket))?;
            // us-east-1 is the empty LocationConstraint (S3 API reference, GetBucketLocation).
            Ok(xml_ok(if b.region == "us-east-1" {
                format!("<LocationConstraint xmlns=\"{NS}\"/>")
            } else {
                format!(
                    "<LocationConstraint xmlns=\"{NS}\">{}</LocationConstraint>",
                    xml_escape(&b.region)
                )
            }))
        }
        "PutObject" | "CopyObject" => {
            buckets.get(bucket).ok_or_else(|| no_bucket(bucket))?;
            let mut meta = s3_config::object_meta(req)?;
            let sent_type = || {
                req.header("content-type")
                    .unwrap_or("binary/octet-stream")
                    .to_owned()
            };
            let (body, content_type, source, etag, checksum) = if op == "CopyObject" {
                let (src, same) = copy_source(buckets, req, bucket, key)?;
                let replace = directive(req, "x-amz-metadata-directive")?;
                // A copy onto itself must change something (API reference, CopyObject).
                if same && !replace && meta.storage_class.is_none() {
                    return Err(err(
                        "InvalidRequest",
                        400,
                        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
                    ));
                }
                // COPY (the default) keeps the source's type and stored headers, REPLACE takes
                // the request's; tags likewise by x-amz-tagging-directive; the ACL and storage
                // class are the request's (API reference, CopyObject).
                let content_type = if replace {
                    sent_type()
                } else {
                    meta.headers = src.meta.headers.clone();
                    src.content_type.clone()
                };
                if !directive(req, "x-amz-tagging-directive")? {
                    meta.tags = src.meta.tags.clone();
                }
                // The copy shares the bytes, but counts as its own (as it would be in S3).
                let n = src.body.memory_bytes();
                if !storage.charge(n) {
                    return Err(err("EntityTooLarge", 400, storage.memory_message(n)));
                }
                (
                    src.body.clone(),
                    content_type,
                    Some(()),
                    src.etag.clone(),
                    src.checksum.clone(),
                )
            } else {
                let body = take_body(req, streamed, &storage)?;
                (
                    body.blob,
                    sent_type(),
                    None,
                    format!("\"{}\"", hex(&body.md5)),
                    body.checksum,
                )
            };
            let b = buckets.get_mut(bucket).ok_or_else(|| no_bucket(bucket))?;
            let object = Object {
                body,
                etag: etag.clone(),
                content_type,
                modified: now,
                checksum: checksum.clone(),
                parts: Vec::new(),
                meta,
            };
            if let Some(old) = b.objects.insert(key.to_owned(), object) {
                release(&storage, &old.body);
            }
            if source.is_some() {
                return Ok(xml_ok(format!(
                    "<CopyObjectResult xmlns=\"{NS}\"><LastModified>{}</LastModified><ETag>{}</ETag></CopyObjectResult>",
                    iso8601(now),
                    xml_escape(&etag)
                )));
            }
            let mut r = Response::new(200, "application/xml", "")
                .with_header("ETag", etag)
                .with_header("x-amz-server-side-encryption", "AES256");
            if let Some((alg, v)) = checksum {
                r = r.with_header(alg.header_name(), v);
            }
            Ok(r)
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
            get_object(req, o, param(q, "partNumber"))
        }
        "DeleteObject" => {
            let b = buckets.get_mut(bucket).ok_or_else(|| no_bucket(bucket))?;
            if let Some(old) = b.objects.remove(key) {
                release(&storage, &old.body);
            }
            Ok(no_content())
        }
        "DeleteObjects" => {
            let b = buckets.get_mut(bucket).ok_or_else(|| no_bucket(bucket))?;
            let body = String::from_utf8_lossy(&req.body);
            let quiet = s3_xml::text(&body, "Quiet").is_some_and(|q| q == "true");
            let mut out = String::new();
            let objects = s3_xml::elements(&body, "Object");
            if objects.is_empty() || objects.len() > 1000 {
                return Err(malformed_xml());
            }
            for o in objects {
                let k = s3_xml::text(o, "Key").ok_or_else(malformed_xml)?;
                if let Some(old) = b.objects.remove(&k) {
                    release(&storage, &old.body);
                }
                if !quiet {
                    out.push_str(&format!("<Deleted><Key>{}</Key></Deleted>", xml_escape(&k)));
                }
            }
            Ok(xml_ok(format!(
                "<DeleteResult xmlns=\"{NS}\">{out}</DeleteResult>"
            )))
        }
        "ListObjectsV2" | "ListObjects" => {
            let b = buckets.get(bucket).ok_or_else(|| no_bucket(bucket))?;
            list_objects(bucket, b, q, op == "ListObjectsV2")
        }
        _ => Err(err("NotImplemented", 501, "not implemented")),
    }
}

/// S3's XML namespace.
pub(crate) const NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// A 200 with an XML document.
pub(crate) fn xml_ok(doc: String) -> Response {
    Response::new(
        200,
        "application/xml",
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{doc}"),
    )
}

fn no_content() -> Response {
    Response::empty(204)
}

pub(crate) fn malformed_xml() -> (AwsError, String) {
    err(
        "MalformedXML",
        400,
        "The XML you provided was not well-formed or did not validate against our published schema",
    )
}

/// CreateBucket as S3 answers it (S3 API reference, CreateBucket, and "Error responses"): the
/// bucket's region is the `LocationConstraint`, which must name the endpoint's region; in
/// us-east-1 it is absent (an explicit `us-east-1` is `InvalidLocationConstraint`) and creating
/// a bucket you already own answers 200, elsewhere `BucketAlreadyOwnedByYou`.
fn create_bucket(
    buckets: &mut Buckets,
    bucket: &str,
    region: &str,
    req: &Request,
    now: i64,
) -> OpResult {
    if !valid_bucket(bucket) {
        return Err(err(
            "InvalidBucketName",
            400,
            format!("The specified bucket is not valid: {bucket:?}"),
        ));
    }
    let body = String::from_utf8_lossy(&req.body);
    let constraint = if body.trim().is_empty() {
        None
    } else {
        if s3_xml::elements(&body, "CreateBucketConfiguration").is_empty() {
            return Err(malformed_xml());
        }
        s3_xml::text(&body, "LocationConstraint").filter(|c| !c.is_empty())
    };
    match (region, constraint.as_deref()) {
        ("us-east-1", None) => {}
        ("us-east-1", Some("us-east-1")) => {
            return Err(err(
                "InvalidLocationConstraint",
                400,
                "The specified location-constraint is not valid (mock-aws: in us-east-1 the LocationConstraint is left out)",
            ))
        }
        (_, Some(c)) if c == region => {}
        (_, None) => {
            return Err(err(
                "IllegalLocationConstraintException",
                400,
                format!("The unspecified location constraint is incompatible for the region specific endpoint this request was sent to. (mock-aws serves {region}: send <CreateBucketConfiguration><LocationConstraint>{region}</LocationConstraint></CreateBucketConfiguration>)"),
            ))
        }
        (_, Some(c)) => {
            return Err(err(
                "IllegalLocationConstraintException",
                400,
                format!("The {c} location constraint is incompatible for the region specific endpoint this request was sent to. (mock-aws serves {region})"),
            ))
        }
    }
    if buckets.contains_key(bucket) {
        if region != "us-east-1" {
            return Err(err(
                "BucketAlreadyOwnedByYou",
                409,
                "Your previous request to create the named bucket succeeded and you already own it.",
            ));
        }
    } else {
        let mut config = BucketConfig::default();
        if let Some(a) = req.header("x-amz-acl") {
            config.acl = s3_config::canned_acl(a)?;
        }
        buckets.insert(
            bucket.to_owned(),
            Bucket {
                created: now,
                region: region.to_owned(),
                config,
                ..Bucket::default()
            },
        );
    }
    Ok(Response::new(200, "application/xml", "").with_header("Location", format!("/{bucket}")))
}

/// Whether a CopyObject's `x-amz-metadata-directive` or `x-amz-tagging-directive` is `REPLACE`
/// (`COPY`, the default, is `false`; another value `InvalidArgument`).
fn directive(req: &Request, name: &str) -> Result<bool, (AwsError, String)> {
    match req.header(name).map(str::trim) {
        None | Some("COPY") => Ok(false),
        Some("REPLACE") => Ok(true),
        Some(other) => Err(err(
            "InvalidArgument",
            400,
            format!("Unknown {name}: {other:?} (COPY or REPLACE)"),
        )),
    }
}

/// The object `x-amz-copy-source` names (`bucket/key` or `/bucket/key`, percent-encoded, an
/// optional `?versionId=`), and whether it is the destination `bucket`/`key` itself.
pub(crate) fn copy_source<'a>(
    buckets: &'a Buckets,
    req: &Request,
    to_bucket: &str,
    to_key: &str,
) -> Result<(&'a Object, bool), (AwsError, String)> {
    let src = req.header("x-amz-copy-source").unwrap_or("");
    let src = src.split_once("?versionId=").map_or(src, |(s, _)| s);
    let src = decode_path(src.trim_start_matches('/'));
    let (b, k) = src.split_once('/').ok_or_else(|| {
        err(
            "InvalidArgument",
            400,
            "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
        )
    })?;
    let bucket = buckets.get(b).ok_or_else(|| no_bucket(b))?;
    let o = bucket.objects.get(k).ok_or_else(|| {
        err(
            "NoSuchKey",
            404,
            format!("The specified key does not exist: {k}"),
        )
    })?;
    Ok((o, b == to_bucket && k == to_key))
}

/// Checks `Content-MD5` when sent: `InvalidDigest` when it is not a base64 MD5, `BadDigest`
/// when it is not the body's (S3 "Error responses").
pub(crate) fn check_content_md5(req: &Request) -> Result<(), (AwsError, String)> {
    let Some(sent) = req.header("content-md5") else {
        return Ok(());
    };
    let sent = sent.trim();
    match base64_decode(sent) {
        Some(d) if d.len() == 16 => {
            if d[..] == Md5::digest(&req.body)[..] {
                Ok(())
            } else {
                Err(err(
                    "BadDigest",
                    400,
                    format!(
                        "The Content-MD5 you specified did not match what we received. (mock-aws: the body's is {})",
                        base64(&Md5::digest(&req.body))
                    ),
                ))
            }
        }
        _ => Err(err(
            "InvalidDigest",
            400,
            "The Content-MD5 you specified is not valid.",
        )),
    }
}

/// The `x-amz-checksum-*` of a body: checked against the body when sent as a header (`BadDigest`
/// as S3), computed when named as an `aws-chunked` trailer (whose value the chunked decoder
/// already checked).
pub(crate) fn checksum_of(
    req: &Request,
) -> Result<Option<(ChecksumAlgorithm, String)>, (AwsError, String)> {
    for alg in ChecksumAlgorithm::ALL {
        if let Some(sent) = req.header(alg.header_name()) {
            let computed = alg.digest(&req.body);
            if sent.trim() != computed {
                return Err(err(
                    "BadDigest",
                    400,
                    format!(
                        "The {} you specified did not match the calculated checksum. (mock-aws: the body's is {computed})",
                        alg.name()
                    ),
                ));
            }
            return Ok(Some((alg, computed)));
        }
    }
    let trailer = req
        .header("x-amz-trailer")
        .and_then(|t| ChecksumAlgorithm::from_header_name(t.trim()));
    Ok(trailer.map(|alg| (alg, alg.digest(&req.body))))
}

/// An upload body as stored: where its bytes are, MD5, checksum.
pub(crate) struct StoredBody {
    pub(crate) blob: Blob,
    pub(crate) md5: [u8; 16],
    pub(crate) checksum: Option<(ChecksumAlgorithm, String)>,
}

/// The algorithm of the `x-amz-checksum-*` header a request carries, if any.
pub fn header_checksum(req: &Request) -> Option<ChecksumAlgorithm> {
    ChecksumAlgorithm::ALL
        .into_iter()
        .find(|a| req.header(a.header_name()).is_some())
}

/// The body of an upload (PutObject, UploadPart), from storage when the server streamed it
/// there, else from the request, with `Content-MD5` and `x-amz-checksum-*` checked and the
/// memory it takes counted (`EntityTooLarge` past `--max-memory`).
pub(crate) fn take_body(
    req: &Request,
    streamed: Option<Streamed>,
    storage: &Storage,
) -> Result<StoredBody, (AwsError, String)> {
    let Some(s) = streamed else {
        check_content_md5(req)?;
        let checksum = checksum_of(req)?;
        let n = req.body.len() as u64;
        if !storage.charge(n) {
            return Err(err("EntityTooLarge", 400, storage.memory_message(n)));
        }
        return Ok(StoredBody {
            md5: Md5::digest(&req.body).into(),
            blob: Blob::Mem(Bytes::from(req.body.clone())),
            checksum,
        });
    };
    if let Some(sent) = req.header("content-md5") {
        match base64_decode(sent.trim()) {
            Some(d) if d.len() == 16 => {
                if d[..] != s.md5[..] {
                    return Err(err(
                        "BadDigest",
                        400,
                        format!("The Content-MD5 you specified did not match what we received. (mock-aws: the body's is {})", base64(&s.md5)),
                    ));
                }
            }
            _ => {
                return Err(err(
                    "InvalidDigest",
                    400,
                    "The Content-MD5 you specified is not valid.",
                ))
            }
        }
    }
    if let Some(alg) = header_checksum(req) {
        let sent = req.header(alg.header_name()).unwrap_or("").trim();
        match &s.checksum {
            Some((a, v)) if *a == alg && v != sent => {
                return Err(err(
                    "BadDigest",
                    400,
                    format!("The {} you specified did not match the calculated checksum. (mock-aws: the body's is {v})", alg.name()),
                ))
            }
            _ => {}
        }
    }
    if s.blob.in_memory() {
        match s.reservation {
            Some(r) if r.bytes() == s.blob.len() => r.keep(),
            _ => {
                if !storage.charge(s.blob.len()) {
                    return Err(err(
                        "EntityTooLarge",
                        400,
                        storage.memory_message(s.blob.len()),
                    ));
                }
            }
        }
    }
    Ok(StoredBody {
        blob: s.blob,
        md5: s.md5,
        checksum: s.checksum,
    })
}

/// Uncounts a removed blob held in memory.
pub(crate) fn release(storage: &Storage, blob: &Blob) {
    storage.release(blob.memory_bytes());
}

/// GetObject / HeadObject, with a single `Range` (RFC 9110 byte ranges; S3 serves one range
/// and ignores a multi-range header, answering the whole object) or a `partNumber`. The body is
/// not read here: the response names the pieces of storage to send (memory slices, file
/// ranges, a multipart object's parts in order), which the server sends a frame at a time.
fn get_object(req: &Request, o: &Object, part_number: Option<&str>) -> OpResult {
    let total = o.body.len();
    let range = match part_number {
        None => req.header("range").and_then(|r| parse_range(r, total)),
        Some(n) => Some(Ok(part_range(req, o, n)?)),
    };
    let (status, (a, b)) = match range {
        None => (200, (0, total.saturating_sub(1))),
        Some(Err(())) => {
            return Err(err(
                "InvalidRange",
                416,
                format!(
                "The requested range is not satisfiable (mock-aws: the object has {total} bytes)"
            ),
            ))
        }
        Some(Ok(r)) => (206, r),
    };
    let len = if total == 0 { 0 } else { b - a + 1 };
    // HEAD: no body; the length is in the Content-Length header below.
    let segments = if req.method == "HEAD" || len == 0 {
        Vec::new()
    } else {
        o.body.segments(a, b)
    };
    let mut r = Response::streamed(status, &o.content_type, segments)
        .with_header("Content-Length", len.to_string());
    if status == 206 {
        r = r.with_header("Content-Range", format!("bytes {a}-{b}/{total}"));
    }
    r = r
        .with_header("ETag", o.etag.clone())
        .with_header("Last-Modified", http_date(o.modified))
        .with_header("Accept-Ranges", "bytes");
    if !o.parts.is_empty() {
        r = r.with_header("x-amz-mp-parts-count", o.parts.len().to_string());
    }
    r = s3_config::with_meta(r, req, o, req.method == "GET");
    let wants_checksum = req
        .header("x-amz-checksum-mode")
        .is_some_and(|m| m.eq_ignore_ascii_case("enabled"));
    if let (true, None, Some((alg, v))) = (wants_checksum, range, &o.checksum) {
        r = r.with_header(alg.header_name(), v.clone());
        if !o.parts.is_empty() {
            r = r.with_header(
                "x-amz-checksum-type",
                if v.contains('-') {
                    "COMPOSITE"
                } else {
                    "FULL_OBJECT"
                },
            );
        }
    }
    Ok(r)
}

/// The bytes of part `n` (`partNumber`, 1 to 10,000) of an object, which S3's GetObject and
/// HeadObject answer as if it were a `Range` (206, `Content-Range`, `x-amz-mp-parts-count`; the
/// S3 API reference, GetObject "partNumber"). The parts are the object's in order; an object
/// from a single PUT is its one part 1 (as in Ceph's s3-tests `test_non_multipart_get_part`).
/// A part past the last is `InvalidPartNumber` (416), a `Range` too is `InvalidRequest`.
fn part_range(req: &Request, o: &Object, n: &str) -> Result<(u64, u64), (AwsError, String)> {
    let n: usize = match n.parse() {
        Ok(n @ 1..=10_000) => n,
        _ => {
            return Err(err(
                "InvalidArgument",
                400,
                format!("Part number must be an integer between 1 and 10000, inclusive (mock-aws: partNumber={n:?})"),
            ))
        }
    };
    if req.header("range").is_some() {
        return Err(err(
            "InvalidRequest",
            400,
            "Cannot specify both Range header and partNumber query parameter".to_owned(),
        ));
    }
    let whole = [o.body.len()];
    let sizes: &[u64] = if o.parts.is_empty() { &whole } else { &o.parts };
    // (A part of no bytes has no range to answer with: mock-aws calls it unsatisfiable.)
    if n > sizes.len() || sizes[n - 1] == 0 {
        return Err(err(
            "InvalidPartNumber",
            416,
            format!(
                "The requested partnumber is not satisfiable (mock-aws: the object has {} part(s))",
                sizes.len()
            ),
        ));
    }
    let start: u64 = sizes[..n - 1].iter().sum();
    Ok((start, start + sizes[n - 1] - 1))
}

/// One `bytes=` range of an object of `total` bytes: `None` when the header is not one
/// single byte range (ignored, as S3 does), `Err` when it is unsatisfiable.
fn parse_range(h: &str, total: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = h.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let r = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        if n == 0 || total == 0 {
            return Some(Err(()));
        }
        (total.saturating_sub(n), total - 1)
    } else {
        let a: u64 = a.parse().ok()?;
        let b: u64 = if b.is_empty() {
            u64::MAX
        } else {
            b.parse().ok()?
        };
        if b < a {
            return None;
        }
        if a >= total {
            return Some(Err(()));
        }
        (a, b.min(total - 1))
    };
    Some(Ok(r))
}

/// `encoding-type` of a listing: `url` or absent (S3 API reference, ListObjects).
pub(crate) fn url_encoding(q: &[(String, String)]) -> Result<bool, (AwsError, String)> {
    match param(q, "encoding-type") {
        None => Ok(false),
        Some("url") => Ok(true),
        Some(other) => Err(err(
            "InvalidArgument",
            400,
            format!("Invalid Encoding Method specified in Request: {other:?}"),
        )),
    }
}

/// `max-keys` of a listing: 1000 when absent, at most 1000.
pub(crate) fn max_keys(q: &[(String, String)]) -> Result<usize, (AwsError, String)> {
    Ok(match param(q, "max-keys") {
        None => 1000,
        Some(m) => m.parse::<usize>().map_err(|_| {
            err(
                "InvalidArgument",
                400,
                "Provided max-keys not an integer or within integer range",
            )
        })?,
    }
    .min(1000))
}

/// One entry of a listing page: a key, or a common prefix rolling up the keys under it.
pub(crate) enum ListEntry<'b> {
    Key(&'b str, &'b Object),
    Prefix(String),
}

/// A listing page: its entries in key order, and whether more follow.
pub(crate) struct ListPage<'b> {
    pub(crate) entries: Vec<ListEntry<'b>>,
    pub(crate) truncated: bool,
}

impl ListPage<'_> {
    /// The last key or common prefix of the page (where the next page starts).
    pub(crate) fn last_entry(&self) -> Option<&str> {
        self.entries.last().map(|e| match e {
            ListEntry::Key(k, _) => *k,
            ListEntry::Prefix(p) => p.as_str(),
        })
    }
}

/// The walk every S3 listing shares (ListObjects v1 and v2, ListObjectVersions): the keys
/// under `prefix` after `after`, with the keys that share the part up to the next `delimiter`
/// rolled up into one common prefix, at most `max_keys` entries. When `after` is a marker the
/// previous page returned (`after_is_marker`) and is a common prefix, the keys it rolled up
/// are skipped too.
pub(crate) fn list_page<'b>(
    b: &'b Bucket,
    prefix: &str,
    delimiter: Option<&str>,
    after: Option<&str>,
    after_is_marker: bool,
    max_keys: usize,
) -> ListPage<'b> {
    let mut entries = Vec::new();
    let mut last_prefix: Option<String> = None;
    let mut truncated = false;
    for (k, o) in &b.objects {
        if !k.starts_with(prefix) {
            continue;
        }
        if let Some(a) = after {
            let inside_rolled_up =
                after_is_marker && delimiter.is_some_and(|d| a.ends_with(d)) && k.starts_with(a);
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
        if entries.len() == max_keys {
            truncated = max_keys > 0;
            break;
        }
        match common {
            Some(p) => {
                last_prefix = Some(p.clone());
                entries.push(ListEntry::Prefix(p));
            }
            None => entries.push(ListEntry::Key(k, o)),
        }
    }
    ListPage { entries, truncated }
}

/// ListObjects (v1: `marker`, `NextMarker` when a delimiter is given) and ListObjectsV2
/// (`continuation-token`, `start-after`, `KeyCount`), as the S3 API reference describes them.
fn list_objects(name: &str, b: &Bucket, q: &[(String, String)], v2: bool) -> OpResult {
    let get = |k: &str| param(q, k);
    let prefix = get("prefix").unwrap_or("");
    let delimiter = get("delimiter").filter(|d| !d.is_empty());
    let start_after = if v2 { get("start-after") } else { None };
    let marker = if v2 { None } else { get("marker") };
    let url = url_encoding(q)?;
    let max_keys = max_keys(q)?;
    let token = if v2 { get("continuation-token") } else { None };
    let resume = match token {
        None => marker.map(str::to_owned),
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
    // Entries after the continuation token or marker (else after start-after), in key order;
    // a token or marker that is a common prefix skips the keys it rolled up.
    let after = resume.as_deref().or(start_after);
    let enc = |s: &str| xml_escape(&if url { url_encode_key(s) } else { s.to_owned() });
    let page = list_page(b, prefix, delimiter, after, resume.is_some(), max_keys);
    let count = page.entries.len();
    let (truncated, last_entry) = (page.truncated, page.last_entry());
    let mut contents = String::new();
    let mut prefixes = String::new();
    for entry in &page.entries {
        match entry {
            ListEntry::Prefix(p) => prefixes.push_str(&format!(
                "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
                enc(p)
            )),
            ListEntry::Key(k, o) => {
                let owner = if v2 {
                    String::new()
                } else {
                    format!(
                        "<Owner><ID>{ACCOUNT_ID}</ID><DisplayName>mock-aws</DisplayName></Owner>"
                    )
                };
                contents.push_str(&format!(
                    "<Contents><Key>{}</Key><LastModified>{}</LastModified><ETag>{}</ETag><Size>{}</Size>{owner}<StorageClass>{}</StorageClass></Contents>",
                    enc(k),
                    iso8601(o.modified),
                    xml_escape(&o.etag),
                    o.body.len(),
                    o.meta.storage_class.as_deref().unwrap_or("STANDARD")
                ));
            }
        }
    }
    let mut out = format!(
        "<ListBucketResult xmlns=\"{NS}\"><Name>{}</Name><Prefix>{}</Prefix>",
        xml_escape(name),
        enc(prefix)
    );
    if v2 {
        out.push_str(&format!("<KeyCount>{count}</KeyCount>"));
    } else {
        out.push_str(&format!("<Marker>{}</Marker>", enc(marker.unwrap_or(""))));
    }
    out.push_str(&format!("<MaxKeys>{max_keys}</MaxKeys>"));
    if let Some(d) = delimiter {
        out.push_str(&format!("<Delimiter>{}</Delimiter>", enc(d)));
    }
    out.push_str(&format!("<IsTruncated>{truncated}</IsTruncated>"));
    // v1 gives NextMarker only with a delimiter (clients take the last key otherwise).
    if !v2 && truncated && delimiter.is_some() {
        if let Some(last) = last_entry {
            out.push_str(&format!("<NextMarker>{}</NextMarker>", enc(last)));
        }
    }
    out.push_str(&contents);
    out.push_str(&prefixes);
    if let Some(t) = token {
        out.push_str(&format!(
            "<ContinuationToken>{}</ContinuationToken>",
            xml_escape(t)
        ));
    }
    if v2 && truncated {
        if let Some(last) = last_entry {
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
    Ok(xml_ok(out))
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
