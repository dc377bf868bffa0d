//! S3's configurations of buckets and objects (the `?subresource` operations) and what S3 keeps
//! with an object besides its bytes. Each answer follows the operation's page of the Amazon S3
//! API reference (<https://docs.aws.amazon.com/AmazonS3/latest/API/>, "Request Syntax",
//! "Response Syntax", "Errors"):
//!
//! - Stored headers (PutObject, CopyObject, CreateMultipartUpload): `Cache-Control`,
//!   `Content-Disposition`, `Content-Encoding`, `Content-Language`, `Expires`, the user metadata
//!   `x-amz-meta-*` (at most 2 KB, the bytes of each name and value added up: S3 user guide,
//!   "Working with object metadata"; past it `MetadataTooLarge`), `x-amz-storage-class`,
//!   `x-amz-tagging` and `x-amz-acl`; answered on GetObject and HeadObject.
//! - Versioning (Get/PutBucketVersioning, ListObjectVersions): the status is kept; mock-aws
//!   keeps one version of each key, the `null` version, whatever the status.
//! - Tags of buckets and objects, ACLs (canned or an `AccessControlPolicy` document), bucket
//!   policies (JSON), CORS, lifecycle, website, logging, request payment, notification and
//!   accelerate configurations (the document sent is kept and answered back), default
//!   encryption (SSE-S3 `AES256` unless set: S3 encrypts every new object so since January 2023,
//!   user guide "Setting default server-side encryption behavior"), GetObjectAttributes.

use std::collections::BTreeMap;

use crate::config::ACCOUNT_ID;
use crate::errors::AwsError;
use crate::framing::parse_form;
use crate::message::Request;
use crate::message::Response;
use crate::services::s3::{
    err, list_page, malformed_xml, max_keys, no_bucket, param, url_encoding, xml_ok, Bucket,
    ListEntry, Object, NS,
};
use crate::services::{s3_xml, Ctx, OpResult};
use crate::util::{http_date, iso8601, url_encode_key, xml_escape};

/// An ACL: canned (`x-amz-acl`), or the `AccessControlPolicy` document a PutBucketAcl or
/// PutObjectAcl sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acl {
    /// A canned ACL by name.
    Canned(&'static str),
    /// A document, as sent.
    Doc(String),
}

impl Default for Acl {
    fn default() -> Self {
        Self::Canned("private")
    }
}

/// What S3 keeps with an object besides its bytes, ETag, type and checksum.
#[derive(Debug, Clone, Default)]
pub struct ObjectMeta {
    /// Headers answered on GET and HEAD, in the order sent: the standard ones S3 stores (names
    /// as S3 writes them) and `x-amz-meta-*` (lowercase).
    pub(crate) headers: Vec<(String, String)>,
    /// Tags, in order.
    pub(crate) tags: Vec<(String, String)>,
    /// The ACL.
    pub(crate) acl: Acl,
    /// `x-amz-storage-class` when not `STANDARD`.
    pub(crate) storage_class: Option<String>,
}

/// A bucket's configurations.
#[derive(Debug, Clone, Default)]
pub struct BucketConfig {
    /// `Enabled` or `Suspended`; `None`: never set.
    versioning: Option<String>,
    tags: Option<Vec<(String, String)>>,
    pub(crate) acl: Acl,
    /// Documents kept as sent, by subresource (`cors`, `policy`, ...).
    docs: BTreeMap<&'static str, String>,
}

/// The headers S3 stores with an object (S3 API reference, PutObject "Request Syntax").
const STORED: &[&str] = &[
    "Cache-Control",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Expires",
    "x-amz-website-redirect-location",
];

/// S3's limit on user metadata, 2 KB.
pub const MAX_USER_METADATA: usize = 2 * 1024;

/// The canned ACLs (S3 user guide, "Access control list (ACL) overview", "Canned ACL").
const CANNED: &[&str] = &[
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    "log-delivery-write",
];

/// The storage classes (S3 API reference, PutObject `x-amz-storage-class`).
const STORAGE_CLASSES: &[&str] = &[
    "STANDARD",
    "REDUCED_REDUNDANCY",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "OUTPOSTS",
    "GLACIER_IR",
    "SNOW",
    "EXPRESS_ONEZONE",
];

/// A canned ACL by name (`InvalidArgument` for another).
pub(crate) fn canned_acl(name: &str) -> Result<Acl, (AwsError, String)> {
    CANNED
        .iter()
        .find(|c| **c == name.trim())
        .map(|c| Acl::Canned(c))
        .ok_or_else(|| {
            err(
                "InvalidArgument",
                400,
                format!(
                    "The canned ACL {name:?} is not valid (one of {})",
                    CANNED.join(", ")
                ),
            )
        })
}

/// The headers, tags, ACL and storage class a PutObject, CopyObject (`REPLACE`) or
/// CreateMultipartUpload asks S3 to keep.
pub(crate) fn object_meta(req: &Request) -> Result<ObjectMeta, (AwsError, String)> {
    let mut meta = ObjectMeta::default();
    let mut user = 0;
    for (name, value) in &req.headers {
        let lower = name.to_ascii_lowercase();
        if let Some(n) = lower.strip_prefix("x-amz-meta-") {
            user += n.len() + value.len();
            meta.headers.push((lower.clone(), value.clone()));
        } else if let Some(s) = STORED.iter().find(|s| s.eq_ignore_ascii_case(name)) {
            meta.headers.push(((*s).to_owned(), value.clone()));
        }
    }
    if user > MAX_USER_METADATA {
        return Err(err(
            "MetadataTooLarge",
            400,
            format!("Your metadata headers exceed the maximum allowed metadata size. (mock-aws: the x-amz-meta-* names and values add up to {user} bytes; S3 allows {MAX_USER_METADATA})"),
        ));
    }
    if let Some(t) = req.header("x-amz-tagging") {
        meta.tags = parse_form(t);
        check_tags(&meta.tags, 10)?;
    }
    if let Some(a) = req.header("x-amz-acl") {
        meta.acl = canned_acl(a)?;
    }
    if let Some(c) = req.header("x-amz-storage-class") {
        let c = c.trim();
        if !STORAGE_CLASSES.contains(&c) {
            return Err(err(
                "InvalidStorageClass",
                400,
                format!("The storage class you specified is not valid: {c:?}"),
            ));
        }
        meta.storage_class = Some(c.to_owned()).filter(|c| c != "STANDARD");
    }
    Ok(meta)
}

/// The query parameters of GetObject and HeadObject that set a header of the answer (API
/// reference, GetObject "URI Request Parameters"), and the header each sets.
const OVERRIDES: &[(&str, &str)] = &[
    ("response-cache-control", "Cache-Control"),
    ("response-content-disposition", "Content-Disposition"),
    ("response-content-encoding", "Content-Encoding"),
    ("response-content-language", "Content-Language"),
    ("response-content-type", "Content-Type"),
    ("response-expires", "Expires"),
];

/// Adds what S3 answers about an object's stored headers to a GetObject or HeadObject answer,
/// with the `response-*` query parameters' values in place of the stored ones.
pub(crate) fn with_meta(mut r: Response, req: &Request, o: &Object, get: bool) -> Response {
    let q = parse_form(req.path_and_query().unwrap_or_default().1);
    let overridden = |n: &str| {
        OVERRIDES
            .iter()
            .any(|(p, h)| h.eq_ignore_ascii_case(n) && param(&q, p).is_some())
    };
    r.headers.retain(|(n, _)| !overridden(n));
    for (n, v) in &o.meta.headers {
        if !overridden(n) {
            r = r.with_header(n.clone(), v.clone());
        }
    }
    for (p, h) in OVERRIDES {
        if let Some(v) = param(&q, p) {
            r = r.with_header(*h, v);
        }
    }
    if let Some(c) = &o.meta.storage_class {
        r = r.with_header("x-amz-storage-class", c.clone());
    }
    // GetObject gives the tag count; HeadObject does not (API reference, GetObject and
    // HeadObject "Response Syntax").
    if get && !o.meta.tags.is_empty() {
        r = r.with_header("x-amz-tagging-count", o.meta.tags.len().to_string());
    }
    r.with_header("x-amz-server-side-encryption", "AES256")
}

/// S3's rules for tags (user guide, "Categorizing your storage using tags"): at most `max`
/// (10 on an object, 50 on a bucket), keys of 1 to 128 characters, values of at most 256, no
/// key twice.
fn check_tags(tags: &[(String, String)], max: usize) -> Result<(), (AwsError, String)> {
    if tags.len() > max {
        return Err(err(
            if max == 10 {
                "BadRequest"
            } else {
                "InvalidTag"
            },
            400,
            format!("Object tags cannot be greater than {max}"),
        ));
    }
    for (i, (k, v)) in tags.iter().enumerate() {
        if k.is_empty() || k.chars().count() > 128 || v.chars().count() > 256 {
            return Err(err(
                "InvalidTag",
                400,
                format!("The TagKey or TagValue you have provided is invalid (mock-aws: {k:?} = {v:?}; keys 1 to 128 characters, values at most 256)"),
            ));
        }
        if tags[..i].iter().any(|(j, _)| j == k) {
            return Err(err(
                "InvalidTag",
                400,
                format!("Cannot provide multiple Tags with the same key (mock-aws: {k:?})"),
            ));
        }
    }
    Ok(())
}

fn tags_xml(tags: &[(String, String)]) -> String {
    let set: String = tags
        .iter()
        .map(|(k, v)| {
            format!(
                "<Tag><Key>{}</Key><Value>{}</Value></Tag>",
                xml_escape(k),
                xml_escape(v)
            )
        })
        .collect();
    format!("<Tagging xmlns=\"{NS}\"><TagSet>{set}</TagSet></Tagging>")
}

fn parse_tags(body: &str, max: usize) -> Result<Vec<(String, String)>, (AwsError, String)> {
    if s3_xml::elements(body, "Tagging").is_empty() {
        return Err(malformed_xml());
    }
    let tags = s3_xml::elements(body, "Tag")
        .into_iter()
        .map(|t| {
            Ok((
                s3_xml::text(t, "Key").ok_or_else(malformed_xml)?,
                s3_xml::text(t, "Value").unwrap_or_default(),
            ))
        })
        .collect::<Result<Vec<_>, _>>()?;
    check_tags(&tags, max)?;
    Ok(tags)
}

fn grant(grantee: &str, permission: &str) -> String {
    format!("<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" {grantee}</Grantee><Permission>{permission}</Permission></Grant>")
}

fn group(uri: &str) -> String {
    format!("xsi:type=\"Group\"><URI>http://acs.amazonaws.com/groups/{uri}</URI>")
}

/// The `AccessControlPolicy` of an ACL: the owner (the account ListBuckets shows) with
/// `FULL_CONTROL`, and the grants of a canned ACL (user guide, "Canned ACL").
fn acl_xml(acl: &Acl) -> String {
    let owner = format!("<ID>{ACCOUNT_ID}</ID><DisplayName>mock-aws</DisplayName>");
    let name = match acl {
        Acl::Doc(d) => return strip_decl(d).to_owned(),
        Acl::Canned(n) => *n,
    };
    let mut grants = grant(
        &format!("xsi:type=\"CanonicalUser\">{owner}"),
        "FULL_CONTROL",
    );
    let all = group("global/AllUsers");
    match name {
        "public-read" => grants.push_str(&grant(&all, "READ")),
        "public-read-write" => {
            grants.push_str(&grant(&all, "READ"));
            grants.push_str(&grant(&all, "WRITE"));
        }
        "authenticated-read" => {
            grants.push_str(&grant(&group("global/AuthenticatedUsers"), "READ"))
        }
        "log-delivery-write" => {
            grants.push_str(&grant(&group("s3/LogDelivery"), "WRITE"));
            grants.push_str(&grant(&group("s3/LogDelivery"), "READ_ACP"));
        }
        _ => {}
    }
    format!("<AccessControlPolicy xmlns=\"{NS}\"><Owner>{owner}</Owner><AccessControlList>{grants}</AccessControlList></AccessControlPolicy>")
}

/// The ACL a PutBucketAcl or PutObjectAcl sets: `x-amz-acl`, or an `AccessControlPolicy` body.
fn put_acl(req: &Request) -> Result<Acl, (AwsError, String)> {
    if let Some(a) = req.header("x-amz-acl") {
        return canned_acl(a);
    }
    let body = String::from_utf8_lossy(&req.body);
    if !body.trim().is_empty() {
        if s3_xml::elements(&body, "AccessControlPolicy").is_empty() {
            return Err(err(
                "MalformedACLError",
                400,
                "The XML you provided was not well-formed or did not validate against our published schema",
            ));
        }
        return Ok(Acl::Doc(body.into_owned()));
    }
    if req
        .headers
        .iter()
        .any(|(n, _)| n.to_ascii_lowercase().starts_with("x-amz-grant-"))
    {
        return Err(err(
            "NotImplemented",
            501,
            "A header you provided implies functionality that is not implemented (mock-aws: x-amz-grant-* headers; send x-amz-acl or an AccessControlPolicy body)",
        ));
    }
    Err(err(
        "MissingSecurityHeader",
        400,
        "Your request was missing a required header (x-amz-acl, or an AccessControlPolicy body)",
    ))
}

/// A document as sent, without its XML declaration.
fn strip_decl(d: &str) -> &str {
    let d = d.trim_start();
    match d.strip_prefix("<?xml") {
        Some(rest) => rest.find("?>").map_or(d, |i| rest[i + 2..].trim_start()),
        None => d,
    }
}

/// A configuration kept as a document: its subresource, the root element of its XML, the
/// answer when none was set (an error, or S3's default document), PutX's status, and whether
/// it has a DeleteX.
struct Doc {
    sub: &'static str,
    root: &'static str,
    missing: Missing,
    put_status: u16,
}

enum Missing {
    Error(&'static str, &'static str),
    Default(&'static str),
}

const DOCS: &[Doc] = &[
    Doc {
        sub: "policy",
        root: "",
        missing: Missing::Error("NoSuchBucketPolicy", "The bucket policy does not exist"),
        put_status: 204,
    },
    Doc {
        sub: "cors",
        root: "CORSConfiguration",
        missing: Missing::Error(
            "NoSuchCORSConfiguration",
            "The CORS configuration does not exist",
        ),
        put_status: 200,
    },
    Doc {
        sub: "lifecycle",
        root: "LifecycleConfiguration",
        missing: Missing::Error(
            "NoSuchLifecycleConfiguration",
            "The lifecycle configuration does not exist",
        ),
        put_status: 200,
    },
    Doc {
        sub: "website",
        root: "WebsiteConfiguration",
        missing: Missing::Error(
            "NoSuchWebsiteConfiguration",
            "The specified bucket does not have a website configuration",
        ),
        put_status: 200,
    },
    Doc {
        sub: "encryption",
        root: "ServerSideEncryptionConfiguration",
        missing: Missing::Default("<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>"),
        put_status: 200,
    },
    Doc {
        sub: "logging",
        root: "BucketLoggingStatus",
        missing: Missing::Default(
            "<BucketLoggingStatus xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>",
        ),
        put_status: 200,
    },
    Doc {
        sub: "requestPayment",
        root: "RequestPaymentConfiguration",
        missing: Missing::Default("<RequestPaymentConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Payer>BucketOwner</Payer></RequestPaymentConfiguration>"),
        put_status: 200,
    },
    Doc {
        sub: "notification",
        root: "NotificationConfiguration",
        missing: Missing::Default(
            "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>",
        ),
        put_status: 200,
    },
    Doc {
        sub: "accelerate",
        root: "AccelerateConfiguration",
        missing: Missing::Default(
            "<AccelerateConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>",
        ),
        put_status: 200,
    },
    Doc {
        sub: "object-lock",
        root: "",
        missing: Missing::Error(
            "ObjectLockConfigurationNotFoundError",
            "Object Lock configuration does not exist for this bucket",
        ),
        put_status: 0,
    },
    Doc {
        sub: "replication",
        root: "",
        missing: Missing::Error(
            "ReplicationConfigurationNotFoundError",
            "The replication configuration was not found",
        ),
        put_status: 0,
    },
];

/// The subresources this module answers, with their operations: (subresource, on an object,
/// method, operation).
const OPS: &[(&str, bool, &str, &str)] = &[
    ("versioning", false, "GET", "GetBucketVersioning"),
    ("versioning", false, "PUT", "PutBucketVersioning"),
    ("versions", false, "GET", "ListObjectVersions"),
    ("tagging", false, "GET", "GetBucketTagging"),
    ("tagging", false, "PUT", "PutBucketTagging"),
    ("tagging", false, "DELETE", "DeleteBucketTagging"),
    ("tagging", true, "GET", "GetObjectTagging"),
    ("tagging", true, "PUT", "PutObjectTagging"),
    ("tagging", true, "DELETE", "DeleteObjectTagging"),
    ("acl", false, "GET", "GetBucketAcl"),
    ("acl", false, "PUT", "PutBucketAcl"),
    ("acl", true, "GET", "GetObjectAcl"),
    ("acl", true, "PUT", "PutObjectAcl"),
    ("attributes", true, "GET", "GetObjectAttributes"),
    ("policy", false, "GET", "GetBucketPolicy"),
    ("policy", false, "PUT", "PutBucketPolicy"),
    ("policy", false, "DELETE", "DeleteBucketPolicy"),
    ("cors", false, "GET", "GetBucketCors"),
    ("cors", false, "PUT", "PutBucketCors"),
    ("cors", false, "DELETE", "DeleteBucketCors"),
    ("lifecycle", false, "GET", "GetBucketLifecycleConfiguration"),
    ("lifecycle", false, "PUT", "PutBucketLifecycleConfiguration"),
    ("lifecycle", false, "DELETE", "DeleteBucketLifecycle"),
    ("website", false, "GET", "GetBucketWebsite"),
    ("website", false, "PUT", "PutBucketWebsite"),
    ("website", false, "DELETE", "DeleteBucketWebsite"),
    ("encryption", false, "GET", "GetBucketEncryption"),
    ("encryption", false, "PUT", "PutBucketEncryption"),
    ("encryption", false, "DELETE", "DeleteBucketEncryption"),
    ("logging", false, "GET", "GetBucketLogging"),
    ("logging", false, "PUT", "PutBucketLogging"),
    ("requestPayment", false, "GET", "GetBucketRequestPayment"),
    ("requestPayment", false, "PUT", "PutBucketRequestPayment"),
    (
        "notification",
        false,
        "GET",
        "GetBucketNotificationConfiguration",
    ),
    (
        "notification",
        false,
        "PUT",
        "PutBucketNotificationConfiguration",
    ),
    (
        "accelerate",
        false,
        "GET",
        "GetBucketAccelerateConfiguration",
    ),
    (
        "accelerate",
        false,
        "PUT",
        "PutBucketAccelerateConfiguration",
    ),
    ("object-lock", false, "GET", "GetObjectLockConfiguration"),
    ("replication", false, "GET", "GetBucketReplication"),
];

/// The operations this module implements, for the NotImplemented message.
pub(crate) fn implemented() -> String {
    OPS.iter().map(|o| o.3).collect::<Vec<_>>().join(", ")
}

/// The operation a request with one of this module's subresources names: `None` when it has
/// none of them, `Some(None)` when it has one but no operation of it is this method on this
/// kind of resource (NotImplemented, never another operation by mistake).
pub(crate) fn operation(
    method: &str,
    key: bool,
    q: &[(String, String)],
) -> Option<Option<&'static str>> {
    let sub = q
        .iter()
        .find(|(k, _)| OPS.iter().any(|o| o.0 == k.as_str()))?;
    Some(
        OPS.iter()
            .find(|o| o.0 == sub.0 && o.1 == key && o.2 == method)
            .map(|o| o.3),
    )
}

/// Whether `op` is one of this module's.
pub(crate) fn is_config_op(op: &str) -> bool {
    OPS.iter().any(|o| o.3 == op)
}

fn no_key(key: &str) -> (AwsError, String) {
    err(
        "NoSuchKey",
        404,
        format!("The specified key does not exist: {key}"),
    )
}

fn doc_ok(d: &str) -> Response {
    xml_ok(strip_decl(d).to_owned())
}

/// Runs one of this module's operations.
pub fn run(
    ctx: &mut Ctx<'_>,
    op: &str,
    bucket: &str,
    key: &str,
    q: &[(String, String)],
) -> OpResult {
    let req = ctx.req;
    let b = ctx
        .state
        .s3
        .get_mut(bucket)
        .ok_or_else(|| no_bucket(bucket))?;
    let body = String::from_utf8_lossy(&req.body).into_owned();
    let sub = OPS.iter().find(|o| o.3 == op).map_or("", |o| o.0);
    match op {
        "GetBucketVersioning" => Ok(xml_ok(match &b.config.versioning {
            None => format!("<VersioningConfiguration xmlns=\"{NS}\"/>"),
            Some(s) => format!(
                "<VersioningConfiguration xmlns=\"{NS}\"><Status>{s}</Status></VersioningConfiguration>"
            ),
        })),
        "PutBucketVersioning" => {
            if s3_xml::elements(&body, "VersioningConfiguration").is_empty() {
                return Err(malformed_xml());
            }
            match s3_xml::text(&body, "Status").as_deref() {
                Some(s @ ("Enabled" | "Suspended")) => b.config.versioning = Some(s.to_owned()),
                None => {}
                Some(_) => return Err(malformed_xml()),
            }
            Ok(Response::empty(200))
        }
        "ListObjectVersions" => list_versions(bucket, b, q),
        "GetBucketTagging" => match &b.config.tags {
            Some(t) => Ok(xml_ok(tags_xml(t))),
            None => Err(err("NoSuchTagSet", 404, "The TagSet does not exist")),
        },
        "PutBucketTagging" => {
            b.config.tags = Some(parse_tags(&body, 50)?);
            Ok(Response::empty(204))
        }
        "DeleteBucketTagging" => {
            b.config.tags = None;
            Ok(Response::empty(204))
        }
        "GetBucketAcl" => Ok(xml_ok(acl_xml(&b.config.acl))),
        "PutBucketAcl" => {
            b.config.acl = put_acl(req)?;
            Ok(Response::empty(200))
        }
        "GetObjectTagging" | "PutObjectTagging" | "DeleteObjectTagging" | "GetObjectAcl"
        | "PutObjectAcl" | "GetObjectAttributes" => {
            let o = b.objects.get_mut(key).ok_or_else(|| no_key(key))?;
            match op {
                "GetObjectTagging" => Ok(xml_ok(tags_xml(&o.meta.tags))),
                "PutObjectTagging" => {
                    o.meta.tags = parse_tags(&body, 10)?;
                    Ok(Response::empty(200))
                }
                "DeleteObjectTagging" => {
                    o.meta.tags.clear();
                    Ok(Response::empty(204))
                }
                "GetObjectAcl" => Ok(xml_ok(acl_xml(&o.meta.acl))),
                "PutObjectAcl" => {
                    o.meta.acl = put_acl(req)?;
                    Ok(Response::empty(200))
                }
                _ => attributes(req, o),
            }
        }
        _ => {
            let d = DOCS.iter().find(|d| d.sub == sub).ok_or_else(|| {
                err("NotImplemented", 501, format!("mock-aws does not implement {op}"))
            })?;
            match req.method.as_str() {
                "GET" => match (b.config.docs.get(d.sub), &d.missing) {
                    (Some(doc), _) if d.sub == "policy" => {
                        Ok(Response::new(200, "application/json", doc.clone()))
                    }
                    (Some(doc), _) => Ok(doc_ok(doc)),
                    (None, Missing::Default(doc)) => Ok(doc_ok(doc)),
                    (None, Missing::Error(code, msg)) => Err(err(code, 404, *msg)),
                },
                "PUT" => {
                    if d.sub == "policy" {
                        // PutBucketPolicy: a JSON document (API reference, PutBucketPolicy;
                        // "MalformedPolicy" in "Error responses").
                        if !body.trim_start().starts_with('{')
                            || serde_json::from_str::<serde_json::Value>(&body).is_err()
                        {
                            return Err(err(
                                "MalformedPolicy",
                                400,
                                "Policies must be valid JSON and the first byte must be '{'",
                            ));
                        }
                    } else if s3_xml::elements(&body, d.root).is_empty() {
                        return Err(malformed_xml());
                    }
                    b.config.docs.insert(d.sub, body);
                    Ok(Response::empty(d.put_status))
                }
                _ => {
                    b.config.docs.remove(d.sub);
                    Ok(Response::empty(204))
                }
            }
        }
    }
}

/// GetObjectAttributes (API reference, GetObjectAttributes): the attributes named by
/// `x-amz-object-attributes` (`ETag` unquoted, `Checksum`, `ObjectParts` with the part count
/// of a multipart object, `StorageClass`, `ObjectSize`), `Last-Modified` in a header.
fn attributes(req: &Request, o: &Object) -> OpResult {
    let wanted: Vec<String> = req
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("x-amz-object-attributes"))
        .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_owned()))
        .filter(|s| !s.is_empty())
        .collect();
    if wanted.is_empty() {
        return Err(err(
            "InvalidArgument",
            400,
            "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty",
        ));
    }
    const KNOWN: &[&str] = &[
        "ETag",
        "Checksum",
        "ObjectParts",
        "StorageClass",
        "ObjectSize",
    ];
    if let Some(bad) = wanted.iter().find(|w| !KNOWN.contains(&w.as_str())) {
        return Err(err(
            "InvalidArgument",
            400,
            format!("Invalid attribute name specified: {bad:?}"),
        ));
    }
    let has = |a: &str| wanted.iter().any(|w| w == a);
    let mut out = format!("<GetObjectAttributesResponse xmlns=\"{NS}\">");
    if has("ETag") {
        out.push_str(&format!(
            "<ETag>{}</ETag>",
            xml_escape(o.etag.trim_matches('"'))
        ));
    }
    if let (true, Some((alg, v))) = (has("Checksum"), &o.checksum) {
        let kind = if v.contains('-') {
            "COMPOSITE"
        } else {
            "FULL_OBJECT"
        };
        out.push_str(&format!(
            "<Checksum><Checksum{0}>{1}</Checksum{0}><ChecksumType>{kind}</ChecksumType></Checksum>",
            alg.name(),
            xml_escape(v)
        ));
    }
    if has("ObjectParts") && !o.parts.is_empty() {
        // The element of TotalPartsCount is `PartsCount` (the S3 API model's locationName).
        out.push_str(&format!(
            "<ObjectParts><PartsCount>{}</PartsCount></ObjectParts>",
            o.parts.len()
        ));
    }
    if has("StorageClass") {
        out.push_str(&format!(
            "<StorageClass>{}</StorageClass>",
            o.meta.storage_class.as_deref().unwrap_or("STANDARD")
        ));
    }
    if has("ObjectSize") {
        out.push_str(&format!("<ObjectSize>{}</ObjectSize>", o.body.len()));
    }
    out.push_str("</GetObjectAttributesResponse>");
    Ok(xml_ok(out).with_header("Last-Modified", http_date(o.modified)))
}

/// ListObjectVersions (API reference): every key's one version, `null`, latest; `prefix`,
/// `delimiter`, `key-marker`, `max-keys`, `encoding-type=url` (the AWS CLI always sends it).
fn list_versions(name: &str, b: &Bucket, q: &[(String, String)]) -> OpResult {
    let url = url_encoding(q)?;
    let enc = |s: &str| xml_escape(&if url { url_encode_key(s) } else { s.to_owned() });
    let prefix = param(q, "prefix").unwrap_or("");
    let delimiter = param(q, "delimiter").filter(|d| !d.is_empty());
    let marker = param(q, "key-marker").unwrap_or("");
    let max_keys = max_keys(q)?;
    let owner = format!("<Owner><ID>{ACCOUNT_ID}</ID><DisplayName>mock-aws</DisplayName></Owner>");
    let after = Some(marker).filter(|m| !m.is_empty());
    let page = list_page(b, prefix, delimiter, after, true, max_keys);
    let (truncated, last) = (page.truncated, page.last_entry());
    let (mut versions, mut prefixes) = (String::new(), String::new());
    for entry in &page.entries {
        match entry {
            ListEntry::Prefix(p) => prefixes.push_str(&format!(
                "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
                enc(p)
            )),
            ListEntry::Key(k, o) => versions.push_str(&format!(
                "<Version><Key>{}</Key><VersionId>null</VersionId><IsLatest>true</IsLatest><LastModified>{}</LastModified><ETag>{}</ETag><Size>{}</Size>{owner}<StorageClass>{}</StorageClass></Version>",
                enc(k),
                iso8601(o.modified),
                xml_escape(&o.etag),
                o.body.len(),
                o.meta.storage_class.as_deref().unwrap_or("STANDARD"),
            )),
        }
    }
    let mut out = format!(
        "<ListVersionsResult xmlns=\"{NS}\"><Name>{}</Name><Prefix>{}</Prefix><KeyMarker>{}</KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>{max_keys}</MaxKeys>",
        xml_escape(name),
        enc(prefix),
        enc(marker)
    );
    if let Some(d) = delimiter {
        out.push_str(&format!("<Delimiter>{}</Delimiter>", enc(d)));
    }
    out.push_str(&format!("<IsTruncated>{truncated}</IsTruncated>"));
    if let (true, Some(l)) = (truncated, last) {
        out.push_str(&format!(
            "<NextKeyMarker>{}</NextKeyMarker><NextVersionIdMarker>null</NextVersionIdMarker>",
            enc(l)
        ));
    }
    if url {
        out.push_str("<EncodingType>url</EncodingType>");
    }
    out.push_str(&versions);
    out.push_str(&prefixes);
    out.push_str("</ListVersionsResult>");
    Ok(xml_ok(out))
}
