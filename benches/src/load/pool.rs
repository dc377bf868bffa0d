//! The requests replayed under load: the fixed names and credentials, signing with this
//! project's signer, and the pool of distinct pre-signed DynamoDB `PutItem` and S3 `GetObject`
//! requests with the answer each must get.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, Result};
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Uri};
use sigv4_signer::{
    sign, Credentials, SignableRequest, SignatureLocation, SignedRequest, SigningParams,
    SigningTime,
};

use crate::cli::Args;

pub(crate) const AK: &str = "AKIDEXAMPLE";
pub(crate) const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
pub(crate) const REGION: &str = "us-east-1";
pub(crate) const TABLE: &str = "load-table";
pub(crate) const BUCKET: &str = "load-bucket";
pub(crate) const DDB_JSON: &str = "application/x-amz-json-1.0";

/// The system clock as a signing time.
pub(crate) fn now() -> SigningTime {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    SigningTime::from_unix_seconds(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// Signs one request with header auth as `AK`, `REGION` and `service`.
pub(crate) fn sign_request(
    host: &str,
    service: &str,
    time: SigningTime,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<SignedRequest> {
    let creds = Credentials::new(AK, SECRET);
    let settings = if service == "s3" {
        sigv4_signer::Settings::s3()
    } else {
        sigv4_signer::Settings::default()
    };
    let params = SigningParams::new(&creds, REGION, service, time).with_settings(settings);
    let mut req = SignableRequest::new(method, target)
        .header("Host", host)
        .body(body);
    for (n, v) in headers {
        req = req.header(n, v);
    }
    let out = sign(&req, &params, SignatureLocation::Headers).map_err(|e| anyhow!("sign: {e}"))?;
    Ok(out.apply(&req))
}

/// One pre-signed request and the body its answer must have.
pub(crate) struct Entry {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    /// The whole request as it goes on the wire (for `--client raw`).
    pub(crate) wire: Bytes,
    /// The body a correct answer has.
    pub(crate) expect: Bytes,
}

impl Entry {
    pub(crate) fn new(signed: &SignedRequest, expect: Bytes) -> Result<Self> {
        let mut headers = HeaderMap::new();
        for (n, v) in &signed.headers {
            headers.append(
                HeaderName::from_bytes(n.as_bytes())?,
                HeaderValue::from_str(v)?,
            );
        }
        let mut wire = format!("{} {} HTTP/1.1\r\n", signed.method, signed.target);
        for (n, v) in &signed.headers {
            wire.push_str(&format!("{n}: {v}\r\n"));
        }
        wire.push_str(&format!("Content-Length: {}\r\n\r\n", signed.body.len()));
        let mut wire = wire.into_bytes();
        wire.extend_from_slice(&signed.body);
        Ok(Self {
            method: Method::from_bytes(signed.method.as_bytes())?,
            uri: signed.target.parse()?,
            headers,
            body: Bytes::from(signed.body.clone()),
            wire: Bytes::from(wire),
            expect,
        })
    }

    /// As a hyper request (for `--client hyper`).
    pub(crate) fn request(&self) -> hyper::Request<Full<Bytes>> {
        let mut req = hyper::Request::new(Full::new(self.body.clone()));
        *req.method_mut() = self.method.clone();
        *req.uri_mut() = self.uri.clone();
        *req.headers_mut() = self.headers.clone();
        req
    }
}

/// The bytes of S3 object `j`.
pub(crate) fn object_body(j: usize, size: usize) -> Bytes {
    let seed = format!("object {j} of mock-aws-load\n");
    Bytes::from(seed.bytes().cycle().take(size).collect::<Vec<u8>>())
}

/// Pre-signs the pool, interleaved by the mix (1:1 gives PutItem, GetObject, PutItem, ...).
pub(crate) fn build_pool(args: &Args, host: &str) -> Result<Vec<Entry>> {
    let (wd, ws) = args.mix;
    let cycle = (wd + ws) as usize;
    let t0 = now();
    let mut pool = Vec::with_capacity(args.pool);
    let (mut nd, mut ns) = (0usize, 0usize);
    for i in 0..args.pool.max(1) {
        if (i % cycle) < wd as usize {
            let item = serde_json::json!({
                "TableName": TABLE,
                "Item": {
                    "pk": {"S": format!("item-{nd:06}")},
                    "n": {"N": nd.to_string()},
                    "payload": {"S": "a DynamoDB item written by mock-aws-load, about 100 bytes of attribute"},
                },
            })
            .to_string();
            let signed = sign_request(
                host,
                "dynamodb",
                t0,
                "POST",
                "/",
                &[
                    ("Content-Type", DDB_JSON),
                    ("X-Amz-Target", "DynamoDB_20120810.PutItem"),
                ],
                item.as_bytes(),
            )?;
            pool.push(Entry::new(&signed, Bytes::from_static(b"{}"))?);
            nd += 1;
        } else {
            // Distinct requests: the key varies, and the signing time steps back one second per
            // round over the objects (well inside the server's 15-minute skew).
            let j = ns % args.objects.max(1);
            let back = i64::try_from(ns / args.objects.max(1)).unwrap_or(0);
            let time = SigningTime::from_unix_seconds(t0.unix_seconds() - back);
            let signed = sign_request(
                host,
                "s3",
                time,
                "GET",
                &format!("/{BUCKET}/obj-{j:04}"),
                &[],
                b"",
            )?;
            pool.push(Entry::new(&signed, object_body(j, args.object_size))?);
            ns += 1;
        }
    }
    Ok(pool)
}
