//! Signature Version 2 for S3, as S3 still verifies it (Amazon S3 developer guide, "Signing and
//! authenticating REST requests", the legacy HMAC-SHA1 scheme): header auth
//! `Authorization: AWS AKID:SIGNATURE` and presigned URLs with `AWSAccessKeyId`, `Signature`
//! and `Expires`. Only S3 takes it, as AWS.
//!
//! The string to sign is `VERB\nContent-MD5\nContent-Type\nDate\n` then the `x-amz-*` headers
//! (lowercased, sorted, values trimmed and repeated ones joined with `,`, one `name:value\n`
//! each), then the resource: `/BUCKET` for a virtual-hosted request, the path as sent, and the
//! subresources in the query (sorted, `name` or `name=value` with the value decoded). Date is
//! the `Date` header, empty when `x-amz-date` is sent (which the `x-amz-*` lines carry), and a
//! presigned URL's `Expires` instead. The signature is the base64 HMAC-SHA1 of it with the
//! secret. The functions here do no I/O and read no clock: the time is given.

use ring::hmac;

use crate::framing::{parse_form, percent_decode};
use crate::message::Request;
use crate::services::s3::virtual_host_bucket;
use crate::util::{spaced_hex, xml_escape};
use sigv4_signer::internal::base64;

/// The query parameters that are subresources and are signed (the developer guide's list,
/// with the `response-*` overrides).
const SUBRESOURCES: &[&str] = &[
    "accelerate",
    "acl",
    "analytics",
    "cors",
    "delete",
    "inventory",
    "lifecycle",
    "location",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "partNumber",
    "policy",
    "replication",
    "requestPayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "select",
    "select-type",
    "storageClass",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
];

/// How a SigV2 request carries its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `Authorization: AWS AKID:SIGNATURE`, dated by `Date` or `x-amz-date`.
    Header,
    /// `?AWSAccessKeyId=&Signature=&Expires=` (seconds since the epoch).
    Query {
        /// When it expires.
        expires: i64,
    },
}

/// A SigV2 signature as the request carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The access key id.
    pub access_key_id: String,
    /// The base64 signature.
    pub signature: String,
    /// Where it was.
    pub location: Location,
}

/// Why a SigV2 request was refused: S3's code and status, and mock-aws's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// S3's error code.
    pub code: &'static str,
    /// HTTP status.
    pub status: u16,
    /// S3's message, then mock-aws's reason and what SigV4 is.
    pub message: String,
    /// The extra XML S3 adds (for a mismatch: `StringToSign`, `SignatureProvided`, ...).
    pub extra_xml: String,
    /// A stable code for the verdict.
    pub verifier_code: &'static str,
}

/// What sets SigV2 apart, for messages: "this is SigV2; SigV4 is ...".
pub const ABOUT: &str = "this is SigV2, Signature Version 2 (HMAC-SHA1 over VERB, Content-MD5, Content-Type, Date, x-amz-* headers and the resource); SigV4 is AWS4-HMAC-SHA256 with a credential scope (date/region/service/aws4_request), a canonical request with the payload hash, and X-Amz-Date; S3 alone still takes SigV2, and only in the regions opened before 2014";

/// The SigV2 signature of `req`, when it carries one (header `AWS ` or the presigned query).
pub fn parse(req: &Request) -> Option<Result<Parsed, String>> {
    if let Some(a) = req.header("authorization") {
        let rest = a.trim().strip_prefix("AWS ")?;
        return Some(match rest.trim().rsplit_once(':') {
            Some((ak, sig)) if !ak.is_empty() && !sig.is_empty() => Ok(Parsed {
                access_key_id: ak.to_owned(),
                signature: sig.to_owned(),
                location: Location::Header,
            }),
            _ => Err(format!(
                "the Authorization header {a:?} is not `AWS AKID:SIGNATURE`"
            )),
        });
    }
    let q = parse_form(req.path_and_query().unwrap_or_default().1);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (ak, sig) = (get("AWSAccessKeyId"), get("Signature"));
    if ak.is_none() && sig.is_none() {
        return None;
    }
    Some(match (ak, sig, get("Expires")) {
        (Some(ak), Some(sig), Some(e)) => match e.trim().parse::<i64>() {
            Ok(expires) => Ok(Parsed {
                access_key_id: ak,
                signature: sig,
                location: Location::Query { expires },
            }),
            Err(_) => Err(format!(
                "Expires {e:?} is not a number of seconds since the epoch"
            )),
        },
        _ => Err("a presigned SigV2 URL needs AWSAccessKeyId, Signature and Expires".to_owned()),
    })
}

/// The string to sign of `req` (its `Date` line from `location`).
pub fn string_to_sign(req: &Request, location: &Location) -> String {
    let h = |n: &str| {
        req.header(n)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let date = match location {
        Location::Query { expires } => expires.to_string(),
        Location::Header if req.header("x-amz-date").is_some() => String::new(),
        Location::Header => h("date"),
    };
    let mut out = format!(
        "{}\n{}\n{}\n{date}\n",
        req.method.to_ascii_uppercase(),
        h("content-md5"),
        h("content-type")
    );
    let mut amz: Vec<(String, String)> = Vec::new();
    for (n, v) in &req.headers {
        let n = n.to_ascii_lowercase();
        if !n.starts_with("x-amz-") {
            continue;
        }
        let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
        match amz.iter_mut().find(|(k, _)| *k == n) {
            Some((_, existing)) => {
                existing.push(',');
                existing.push_str(&v);
            }
            None => amz.push((n, v)),
        }
    }
    amz.sort();
    for (n, v) in amz {
        out.push_str(&format!("{n}:{v}\n"));
    }
    let (path, query) = req.path_and_query().unwrap_or_default();
    if let Some(b) = req.header("host").and_then(virtual_host_bucket) {
        out.push('/');
        out.push_str(&b);
    }
    out.push_str(path);
    let mut subs: Vec<(String, Option<String>)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let (k, v) = match p.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (p, None),
            };
            let k = String::from_utf8_lossy(&percent_decode(k, false)).into_owned();
            SUBRESOURCES.contains(&k.as_str()).then(|| {
                (
                    k,
                    v.map(|v| String::from_utf8_lossy(&percent_decode(v, false)).into_owned()),
                )
            })
        })
        .collect();
    subs.sort();
    if !subs.is_empty() {
        out.push('?');
        let parts: Vec<String> = subs
            .into_iter()
            .map(|(k, v)| match v {
                Some(v) => format!("{k}={v}"),
                None => k,
            })
            .collect();
        out.push_str(&parts.join("&"));
    }
    out
}

/// The base64 HMAC-SHA1 of `string_to_sign` with `secret`.
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes());
    base64(hmac::sign(&key, string_to_sign.as_bytes()).as_ref())
}

/// Seconds since the epoch of an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`) or an ISO 8601
/// basic one (`19941106T084937Z`).
fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = sigv4_signer::SigningTime::parse(s) {
        return Some(t.unix_seconds());
    }
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() != 6 {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == parts[2])? + 1;
    let iso = format!("{}-{month:02}-{:0>2}T{}Z", parts[3], parts[1], parts[4]);
    sigv4_signer::SigningTime::parse(&iso)
        .ok()
        .map(|t| t.unix_seconds())
}

/// Verifies a SigV2 request at `now` (seconds) with secrets from `lookup`, allowing
/// `max_skew` seconds between a header-signed request's date and now; the access key id on
/// success.
pub fn verify(
    req: &Request,
    parsed: &Parsed,
    now: i64,
    max_skew: u64,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, Refusal> {
    let refuse = |code, status, verifier_code, why: String, extra_xml: String| Refusal {
        code,
        status,
        message: why,
        extra_xml,
        verifier_code,
    };
    let Some(secret) = lookup(&parsed.access_key_id) else {
        return Err(refuse(
            "InvalidAccessKeyId",
            403,
            "unknown-access-key",
            format!("The AWS Access Key Id you provided does not exist in our records. (mock-aws: {ABOUT})"),
            format!("<AWSAccessKeyId>{}</AWSAccessKeyId>", xml_escape(&parsed.access_key_id)),
        ));
    };
    match parsed.location {
        Location::Query { expires } if now > expires => {
            return Err(refuse(
                "AccessDenied",
                403,
                "expired",
                format!(
                    "Request has expired (mock-aws: Expires {expires} is {} s before now; {ABOUT})",
                    now - expires
                ),
                format!(
                    "<Expires>{}</Expires><ServerTime>{}</ServerTime>",
                    crate::util::iso8601(expires),
                    crate::util::iso8601(now)
                ),
            ))
        }
        Location::Query { .. } => {}
        Location::Header => {
            let date = req.header("x-amz-date").or_else(|| req.header("date"));
            let Some(t) = date.and_then(parse_date) else {
                return Err(refuse(
                    "AccessDenied",
                    403,
                    "missing-date",
                    format!("AWS authentication requires a valid Date or x-amz-date header (mock-aws: {ABOUT})"),
                    String::new(),
                ));
            };
            if now.abs_diff(t) > max_skew {
                return Err(refuse(
                    "RequestTimeTooSkewed",
                    403,
                    "request-time-too-skewed",
                    format!("The difference between the request time and the current time is too large. (mock-aws: {ABOUT})"),
                    format!(
                        "<RequestTime>{}</RequestTime><ServerTime>{}</ServerTime><MaxAllowedSkewMilliseconds>{}</MaxAllowedSkewMilliseconds>",
                        xml_escape(date.unwrap_or("")),
                        crate::util::iso8601(now),
                        max_skew * 1000
                    ),
                ));
            }
        }
    }
    let sts = string_to_sign(req, &parsed.location);
    let want = signature(&secret, &sts);
    if want != parsed.signature {
        return Err(refuse(
            "SignatureDoesNotMatch",
            403,
            "signature-mismatch",
            format!("The request signature we calculated does not match the signature you provided. Check your key and signing method. (mock-aws: {ABOUT}; compare your string to sign with <StringToSign>)"),
            format!(
                "<AWSAccessKeyId>{}</AWSAccessKeyId><StringToSign>{}</StringToSign><SignatureProvided>{}</SignatureProvided><StringToSignBytes>{}</StringToSignBytes>",
                xml_escape(&parsed.access_key_id),
                xml_escape(&sts),
                xml_escape(&parsed.signature),
                spaced_hex(&sts)
            ),
        ));
    }
    Ok(parsed.access_key_id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, target: &str, headers: &[(&str, &str)]) -> Request {
        Request {
            method: method.to_owned(),
            target: target.to_owned(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: Vec::new(),
        }
    }

    /// The developer guide's examples ("Signing and authenticating REST requests", with its
    /// key pair AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY).
    #[test]
    fn aws_documentation_examples() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        // Object GET, virtual-hosted.
        let r = req(
            "GET",
            "/photos/puppy.jpg",
            &[
                ("Host", "awsexamplebucket1.s3.us-west-1.amazonaws.com"),
                ("Date", "Tue, 27 Mar 2007 19:36:42 +0000"),
            ],
        );
        let sts = string_to_sign(&r, &Location::Header);
        assert_eq!(
            sts,
            "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/awsexamplebucket1/photos/puppy.jpg"
        );
        assert_eq!(signature(secret, &sts), "qgk2+6Sv9/oM7G3qLEjTH1a1l1g=");
        // Query-string authentication (presigned), Expires 1175139620.
        let r = req(
            "GET",
            "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=x&Expires=1175139620",
            &[("Host", "awsexamplebucket1.s3.us-west-1.amazonaws.com")],
        );
        let sts = string_to_sign(
            &r,
            &Location::Query {
                expires: 1_175_139_620,
            },
        );
        // (The signature of a presigned URL is checked against boto3's in the client suite.)
        assert_eq!(
            sts,
            "GET\n\n\n1175139620\n/awsexamplebucket1/photos/puppy.jpg"
        );
    }
}
