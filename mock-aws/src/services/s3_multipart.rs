//! S3 multipart upload: CreateMultipartUpload, UploadPart, UploadPartCopy, ListParts, CompleteMultipartUpload,
//! AbortMultipartUpload, ListMultipartUploads, with S3's rules as its API reference and
//! "Uploading and copying objects using multipart upload" give them: part numbers 1 to 10,000,
//! every part but the last at least 5 MiB (`EntityTooSmall`), the parts of a completion listed in
//! ascending order (`InvalidPartOrder`) and each one uploaded with the ETag given (`InvalidPart`),
//! and the object's ETag the MD5 of the parts' binary MD5s followed by `-` and the part count.
//! A part's `x-amz-checksum-*` (header or `aws-chunked` trailer) is checked and kept; the
//! object's checksum is the composite one (the checksum of the parts' binary checksums, `-N`)
//! or, with `x-amz-checksum-type: FULL_OBJECT`, the whole object's.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use md5::{Digest, Md5};
use sigv4_signer::chunked::ChecksumAlgorithm;

use crate::config::ACCOUNT_ID;
use crate::errors::AwsError;
use crate::message::Request;
use crate::services::s3::{
    copy_source, err, malformed_xml, no_bucket, param, release, take_body, xml_ok, Buckets, Object,
    StoredBody, NS,
};
use crate::services::s3_config::{self, ObjectMeta};
use crate::services::{s3_xml, Ctx, OpResult};
use crate::storage::{concat, Blob, Storage};
use crate::util::{iso8601, xml_escape};
use sigv4_signer::internal::{base64_decode, hex};

/// S3's smallest part but the last, 5 MiB.
pub const MIN_PART_SIZE: usize = 5 * 1024 * 1024;
/// S3's largest part, 5 GiB.
pub const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// S3's largest part number.
pub const MAX_PART_NUMBER: u32 = 10_000;

/// One uploaded part.
#[derive(Debug, Clone)]
pub struct Part {
    body: Blob,
    md5: [u8; 16],
    modified: i64,
    checksum: Option<(ChecksumAlgorithm, String)>,
}

impl Part {
    fn etag(&self) -> String {
        format!("\"{}\"", hex(&self.md5))
    }
}

/// A multipart upload in progress.
#[derive(Debug, Clone)]
pub struct Upload {
    key: String,
    initiated: i64,
    content_type: String,
    checksum: Option<ChecksumAlgorithm>,
    full_object: bool,
    parts: BTreeMap<u32, Part>,
    /// The headers, tags, ACL and storage class given to CreateMultipartUpload, the object's.
    meta: ObjectMeta,
}

fn no_upload(id: &str) -> (AwsError, String) {
    err(
        "NoSuchUpload",
        404,
        format!("The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed. (mock-aws: upload id {id:?})"),
    )
}

fn new_upload_id(bucket: &str, key: &str, now: i64) -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let digest = Md5::digest(format!("{bucket}/{key}/{now}/{n}").as_bytes());
    format!("mock-{n:x}-{}", hex(&digest))
}

fn checksum_xml(c: &Option<(ChecksumAlgorithm, String)>) -> String {
    match c {
        Some((alg, v)) => format!("<Checksum{0}>{1}</Checksum{0}>", alg.name(), xml_escape(v)),
        None => String::new(),
    }
}

fn owner() -> String {
    format!("<Initiator><ID>{ACCOUNT_ID}</ID><DisplayName>mock-aws</DisplayName></Initiator><Owner><ID>{ACCOUNT_ID}</ID><DisplayName>mock-aws</DisplayName></Owner>")
}

fn parse_u32(v: Option<&str>, what: &str, default: u32) -> Result<u32, (AwsError, String)> {
    match v {
        None => Ok(default),
        Some(s) => s.trim().parse().map_err(|_| {
            err(
                "InvalidArgument",
                400,
                format!("Provided {what} not an integer or within integer range"),
            )
        }),
    }
}

/// The bytes UploadPartCopy copies (API reference, UploadPartCopy): the `x-amz-copy-source`
/// object, or its `x-amz-copy-source-range: bytes=FIRST-LAST` (both zero-based, inclusive,
/// within the object, else `InvalidArgument`), read into memory (a part is at most 5 GiB, and
/// counts against `--max-memory`).
fn copy_part(
    buckets: &Buckets,
    req: &Request,
    bucket: &str,
    key: &str,
    storage: &Storage,
) -> Result<StoredBody, (AwsError, String)> {
    let (src, _) = copy_source(buckets, req, bucket, key)?;
    let total = src.body.len();
    let range = match req.header("x-amz-copy-source-range") {
        None => None,
        Some(r) => {
            let bad = || {
                err(
                    "InvalidArgument",
                    400,
                    format!("Range specified is not valid for source object of size: {total} (mock-aws: x-amz-copy-source-range {r:?}; bytes=FIRST-LAST)"),
                )
            };
            let (a, b) = r
                .trim()
                .strip_prefix("bytes=")
                .and_then(|s| s.split_once('-'))
                .ok_or_else(bad)?;
            let (a, b): (u64, u64) = (
                a.trim().parse().map_err(|_| bad())?,
                b.trim().parse().map_err(|_| bad())?,
            );
            if a > b || b >= total {
                return Err(bad());
            }
            Some((a, b))
        }
    };
    let bytes = src.body.read(range).map_err(|e| {
        err(
            "InternalError",
            500,
            format!("mock-aws could not read the source object: {e}"),
        )
    })?;
    if !storage.charge(bytes.len() as u64) {
        return Err(err(
            "EntityTooLarge",
            400,
            storage.memory_message(bytes.len() as u64),
        ));
    }
    Ok(StoredBody {
        md5: Md5::digest(&bytes).into(),
        blob: Blob::Mem(bytes::Bytes::from(bytes)),
        checksum: None,
    })
}

/// Runs one multipart operation.
pub fn run(
    ctx: &mut Ctx<'_>,
    op: &str,
    bucket: &str,
    key: &str,
    q: &[(String, String)],
) -> OpResult {
    let now = ctx.now;
    let req = ctx.req;
    let streamed = ctx.streamed.take();
    let storage = std::sync::Arc::clone(&ctx.state.storage);
    let mut copied = if op == "UploadPartCopy" {
        Some(copy_part(&ctx.state.s3, req, bucket, key, &storage)?)
    } else {
        None
    };
    let b = ctx
        .state
        .s3
        .get_mut(bucket)
        .ok_or_else(|| no_bucket(bucket))?;
    let upload_id = param(q, "uploadId").unwrap_or("").to_owned();
    let find = |uploads: &BTreeMap<String, Upload>| {
        uploads.get(&upload_id).filter(|u| u.key == key).is_some()
    };
    match op {
        "CreateMultipartUpload" => {
            let checksum = match req.header("x-amz-checksum-algorithm") {
                None => None,
                Some(a) => Some(
                    ChecksumAlgorithm::ALL
                        .into_iter()
                        .find(|x| x.name().eq_ignore_ascii_case(a.trim()))
                        .ok_or_else(|| {
                            err(
                                "InvalidRequest",
                                400,
                                format!("Checksum algorithm {a:?} is not supported by mock-aws (CRC32, CRC32C, SHA256)"),
                            )
                        })?,
                ),
            };
            let full_object = req
                .header("x-amz-checksum-type")
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("FULL_OBJECT"));
            let meta = s3_config::object_meta(req)?;
            let id = new_upload_id(bucket, key, now);
            b.uploads.insert(
                id.clone(),
                Upload {
                    key: key.to_owned(),
                    initiated: now,
                    content_type: req
                        .header("content-type")
                        .unwrap_or("binary/octet-stream")
                        .to_owned(),
                    checksum,
                    full_object,
                    parts: BTreeMap::new(),
                    meta,
                },
            );
            let mut r = xml_ok(format!(
                "<InitiateMultipartUploadResult xmlns=\"{NS}\"><Bucket>{}</Bucket><Key>{}</Key><UploadId>{}</UploadId></InitiateMultipartUploadResult>",
                xml_escape(bucket),
                xml_escape(key),
                xml_escape(&id)
            ));
            if let Some(a) = checksum {
                r = r
                    .with_header("x-amz-checksum-algorithm", a.name())
                    .with_header(
                        "x-amz-checksum-type",
                        if full_object {
                            "FULL_OBJECT"
                        } else {
                            "COMPOSITE"
                        },
                    );
            }
            Ok(r)
        }
        "UploadPart" | "UploadPartCopy" => {
            let n = param(q, "partNumber")
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| (1..=MAX_PART_NUMBER).contains(n));
            let refused = match n {
                None => Some(err(
                    "InvalidArgument",
                    400,
                    "Part number must be an integer between 1 and 10000, inclusive",
                )),
                Some(_) if !find(&b.uploads) => Some(no_upload(&upload_id)),
                Some(_) => None,
            };
            if let Some(e) = refused {
                if let Some(c) = &copied {
                    release(&storage, &c.blob);
                }
                return Err(e);
            }
            let n = n.unwrap_or(1);
            let body = match copied.take() {
                Some(c) => c,
                None => take_body(req, streamed, &storage)?,
            };
            if body.blob.len() > MAX_PART_SIZE {
                release(&storage, &body.blob);
                return Err(err(
                    "EntityTooLarge",
                    400,
                    "Your proposed upload exceeds the maximum allowed object size.",
                ));
            }
            let checksum = body.checksum.clone();
            let part = Part {
                md5: body.md5,
                body: body.blob,
                modified: now,
                checksum: body.checksum,
            };
            let etag = part.etag();
            if let Some(u) = b.uploads.get_mut(&upload_id) {
                if let Some(old) = u.parts.insert(n, part) {
                    release(&storage, &old.body);
                }
            }
            if op == "UploadPartCopy" {
                return Ok(xml_ok(format!(
                    "<CopyPartResult xmlns=\"{NS}\"><LastModified>{}</LastModified><ETag>{}</ETag></CopyPartResult>",
                    iso8601(now),
                    xml_escape(&etag)
                )));
            }
            let mut r =
                crate::message::Response::new(200, "application/xml", "").with_header("ETag", etag);
            if let Some((alg, v)) = checksum {
                r = r.with_header(alg.header_name(), v);
            }
            Ok(r)
        }
        "ListParts" => {
            let u = b
                .uploads
                .get(&upload_id)
                .filter(|u| u.key == key)
                .ok_or_else(|| no_upload(&upload_id))?;
            let max = parse_u32(param(q, "max-parts"), "max-parts", 1000)?.min(1000);
            let marker = parse_u32(param(q, "part-number-marker"), "part-number-marker", 0)?;
            let mut parts = String::new();
            let mut last = 0;
            let mut truncated = false;
            for (count, (n, p)) in u.parts.range(marker.saturating_add(1)..).enumerate() {
                if count == max as usize {
                    truncated = true;
                    break;
                }
                last = *n;
                parts.push_str(&format!(
                    "<Part><PartNumber>{n}</PartNumber><LastModified>{}</LastModified><ETag>{}</ETag><Size>{}</Size>{}</Part>",
                    iso8601(p.modified),
                    xml_escape(&p.etag()),
                    p.body.len(),
                    checksum_xml(&p.checksum)
                ));
            }
            let alg = u
                .checksum
                .map(|a| format!("<ChecksumAlgorithm>{}</ChecksumAlgorithm>", a.name()))
                .unwrap_or_default();
            Ok(xml_ok(format!(
                "<ListPartsResult xmlns=\"{NS}\"><Bucket>{}</Bucket><Key>{}</Key><UploadId>{}</UploadId>{}<StorageClass>STANDARD</StorageClass><PartNumberMarker>{marker}</PartNumberMarker><NextPartNumberMarker>{last}</NextPartNumberMarker><MaxParts>{max}</MaxParts><IsTruncated>{truncated}</IsTruncated>{parts}{alg}</ListPartsResult>",
                xml_escape(bucket),
                xml_escape(key),
                xml_escape(&upload_id),
                owner()
            )))
        }
        "AbortMultipartUpload" => {
            if !find(&b.uploads) {
                return Err(no_upload(&upload_id));
            }
            if let Some(u) = b.uploads.remove(&upload_id) {
                for p in u.parts.values() {
                    release(&storage, &p.body);
                }
            }
            Ok(crate::message::Response::empty(204))
        }
        "ListMultipartUploads" => {
            let prefix = param(q, "prefix").unwrap_or("");
            let key_marker = param(q, "key-marker").unwrap_or("");
            let id_marker = param(q, "upload-id-marker").unwrap_or("");
            let max = parse_u32(param(q, "max-uploads"), "max-uploads", 1000)?.min(1000) as usize;
            let mut all: Vec<(&String, &Upload)> = b
                .uploads
                .iter()
                .filter(|(id, u)| {
                    u.key.starts_with(prefix)
                        && (u.key.as_str() > key_marker
                            || (u.key == key_marker
                                && !id_marker.is_empty()
                                && id.as_str() > id_marker))
                })
                .collect();
            all.sort_by(|a, b| (&a.1.key, a.1.initiated, a.0).cmp(&(&b.1.key, b.1.initiated, b.0)));
            let truncated = all.len() > max;
            all.truncate(max);
            let mut out = String::new();
            for (id, u) in &all {
                out.push_str(&format!(
                    "<Upload><Key>{}</Key><UploadId>{}</UploadId>{}<StorageClass>STANDARD</StorageClass><Initiated>{}</Initiated></Upload>",
                    xml_escape(&u.key),
                    xml_escape(id),
                    owner(),
                    iso8601(u.initiated)
                ));
            }
            let (next_key, next_id) = all
                .last()
                .map(|(id, u)| (u.key.as_str(), id.as_str()))
                .unwrap_or(("", ""));
            Ok(xml_ok(format!(
                "<ListMultipartUploadsResult xmlns=\"{NS}\"><Bucket>{}</Bucket><KeyMarker>{}</KeyMarker><UploadIdMarker>{}</UploadIdMarker><NextKeyMarker>{}</NextKeyMarker><NextUploadIdMarker>{}</NextUploadIdMarker><Prefix>{}</Prefix><MaxUploads>{max}</MaxUploads><IsTruncated>{truncated}</IsTruncated>{out}</ListMultipartUploadsResult>",
                xml_escape(bucket),
                xml_escape(key_marker),
                xml_escape(id_marker),
                xml_escape(next_key),
                xml_escape(next_id),
                xml_escape(prefix)
            )))
        }
        "CompleteMultipartUpload" => {
            if let Some((k, r)) = b.completed.get(&upload_id) {
                if k == key {
                    return Ok(r.clone());
                }
            }
            let u = b
                .uploads
                .get(&upload_id)
                .filter(|u| u.key == key)
                .ok_or_else(|| no_upload(&upload_id))?;
            let (object, etag) = complete(u, &String::from_utf8_lossy(&req.body), now)?;
            let checksum = checksum_xml(&object.checksum);
            let ctype = if object.checksum.is_some() {
                format!(
                    "<ChecksumType>{}</ChecksumType>",
                    if u.full_object {
                        "FULL_OBJECT"
                    } else {
                        "COMPOSITE"
                    }
                )
            } else {
                String::new()
            };
            if let Some(u) = b.uploads.remove(&upload_id) {
                for p in u.parts.values() {
                    release(&storage, &p.body);
                }
            }
            // The object holds the listed parts' bytes (the others are gone with the upload).
            storage.add(object.body.memory_bytes());
            if let Some(old) = b.objects.insert(key.to_owned(), object) {
                release(&storage, &old.body);
            }
            let r = xml_ok(format!(
                "<CompleteMultipartUploadResult xmlns=\"{NS}\"><Location>/{}/{}</Location><Bucket>{}</Bucket><Key>{}</Key><ETag>{}</ETag>{checksum}{ctype}</CompleteMultipartUploadResult>",
                xml_escape(bucket),
                xml_escape(key),
                xml_escape(bucket),
                xml_escape(key),
                xml_escape(&etag)
            ));
            b.completed
                .insert(upload_id.clone(), (key.to_owned(), r.clone()));
            Ok(r)
        }
        _ => Err(err("NotImplemented", 501, "not implemented")),
    }
}

/// The object a CompleteMultipartUpload body assembles from `u`, and its ETag; S3's errors for
/// a body that names parts out of order, parts not uploaded (or with another ETag or checksum),
/// or a part under 5 MiB that is not the last.
fn complete(u: &Upload, body: &str, now: i64) -> Result<(Object, String), (AwsError, String)> {
    let listed = s3_xml::elements(body, "Part");
    if s3_xml::elements(body, "CompleteMultipartUpload").is_empty() || listed.is_empty() {
        return Err(malformed_xml());
    }
    let mut chosen: Vec<(u32, &Part)> = Vec::with_capacity(listed.len());
    let mut prev = 0u32;
    for p in &listed {
        let n = s3_xml::text(p, "PartNumber")
            .and_then(|n| n.parse::<u32>().ok())
            .ok_or_else(malformed_xml)?;
        if n <= prev {
            return Err(err(
                "InvalidPartOrder",
                400,
                format!("The list of parts was not in ascending order. Parts must be ordered by part number. (mock-aws: part {n} after part {prev})"),
            ));
        }
        prev = n;
        let etag = s3_xml::text(p, "ETag").unwrap_or_default();
        let invalid = |why: String| {
            err(
                "InvalidPart",
                400,
                format!("One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag. (mock-aws: part {n}: {why})"),
            )
        };
        let part = u
            .parts
            .get(&n)
            .ok_or_else(|| invalid("not uploaded".to_owned()))?;
        if etag.trim().trim_matches('"') != hex(&part.md5) {
            return Err(invalid(format!(
                "ETag {etag:?} given, {} uploaded",
                part.etag()
            )));
        }
        for alg in ChecksumAlgorithm::ALL {
            if let Some(v) = s3_xml::text(p, &format!("Checksum{}", alg.name())) {
                if part.checksum.as_ref() != Some(&(alg, v.clone())) {
                    return Err(invalid(format!(
                        "Checksum{} {v:?} given, the part's is {:?}",
                        alg.name(),
                        part.checksum.as_ref().map(|c| c.1.as_str())
                    )));
                }
            }
        }
        chosen.push((n, part));
    }
    let last = chosen.len() - 1;
    for (i, (n, p)) in chosen.iter().enumerate() {
        if i < last && p.body.len() < MIN_PART_SIZE as u64 {
            return Err(err(
                "EntityTooSmall",
                400,
                format!("Your proposed upload is smaller than the minimum allowed object size. (mock-aws: part {n} has {} bytes; every part but the last must have at least {MIN_PART_SIZE})", p.body.len()),
            ));
        }
    }
    let internal = |e: std::io::Error| {
        err(
            "InternalError",
            500,
            format!("We encountered an internal error. Please try again. (mock-aws: {e})"),
        )
    };
    let mut md5s = Vec::with_capacity(16 * chosen.len());
    for (_, p) in &chosen {
        md5s.extend_from_slice(&p.md5);
    }
    let blobs: Vec<&Blob> = chosen.iter().map(|(_, p)| &p.body).collect();
    let data = concat(&blobs);
    let etag = format!("\"{}-{}\"", hex(&Md5::digest(&md5s)), chosen.len());
    let checksum = match u.checksum {
        None => None,
        Some(alg) if u.full_object => Some((alg, data.checksum(alg).map_err(internal)?)),
        Some(alg) => {
            let mut raw = Vec::new();
            for (_, p) in &chosen {
                match &p.checksum {
                    Some((a, v)) if *a == alg => raw.extend(base64_decode(v).unwrap_or_default()),
                    _ => raw.extend(
                        base64_decode(&p.body.checksum(alg).map_err(internal)?).unwrap_or_default(),
                    ),
                }
            }
            Some((alg, format!("{}-{}", alg.digest(&raw), chosen.len())))
        }
    };
    Ok((
        Object {
            body: data,
            etag: etag.clone(),
            content_type: u.content_type.clone(),
            modified: now,
            checksum,
            parts: chosen.iter().map(|(_, p)| p.body.len()).collect(),
            meta: u.meta.clone(),
        },
        etag,
    ))
}
