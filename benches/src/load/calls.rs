//! The one-off calls around the load: the set-up (the table, the bucket, its objects) and the
//! server's verdict counters (`GET /_mock-aws/verdicts`).

use std::net::SocketAddr;

use anyhow::{anyhow, bail, Result};
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::HeaderValue;

use crate::cli::Args;
use crate::client::{connect, send};
use crate::pool::{now, object_body, sign_request, Entry, BUCKET, DDB_JSON, TABLE};

/// Signs and sends one set-up request on a fresh connection; it must answer 200.
async fn setup_call(
    addr: SocketAddr,
    service: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Bytes> {
    let signed = sign_request(
        &addr.to_string(),
        service,
        now(),
        method,
        target,
        headers,
        body,
    )?;
    let mut sender = connect(addr).await?;
    let (status, body) = send(&mut sender, Entry::new(&signed, Bytes::new())?.request()).await?;
    if status != 200 {
        bail!(
            "set-up {method} {target} ({service}) answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    Ok(body)
}

/// Creates the DynamoDB table, the S3 bucket and its objects.
pub(crate) async fn setup(addr: SocketAddr, args: &Args) -> Result<()> {
    let table = serde_json::json!({
        "TableName": TABLE,
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    })
    .to_string();
    setup_call(
        addr,
        "dynamodb",
        "POST",
        "/",
        &[
            ("Content-Type", DDB_JSON),
            ("X-Amz-Target", "DynamoDB_20120810.CreateTable"),
        ],
        table.as_bytes(),
    )
    .await?;
    setup_call(addr, "s3", "PUT", &format!("/{BUCKET}"), &[], b"").await?;
    for j in 0..args.objects.max(1) {
        let body = object_body(j, args.object_size);
        setup_call(
            addr,
            "s3",
            "PUT",
            &format!("/{BUCKET}/obj-{j:04}"),
            &[("Content-Type", "application/octet-stream")],
            &body,
        )
        .await?;
    }
    Ok(())
}

/// The server's verdict counters: (total, accepted, rejected).
pub(crate) async fn verdict_counts(addr: SocketAddr) -> Result<(u64, u64, u64)> {
    let mut sender = connect(addr).await?;
    let mut req = hyper::Request::new(Full::new(Bytes::new()));
    *req.uri_mut() = "/_mock-aws/verdicts".parse()?;
    req.headers_mut()
        .insert("host", HeaderValue::from_str(&addr.to_string())?);
    let (status, body) = send(&mut sender, req).await?;
    if status != 200 {
        bail!("GET /_mock-aws/verdicts answered {status}");
    }
    let v: serde_json::Value = serde_json::from_slice(&body)?;
    let n = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| anyhow!("no {k:?} in the verdicts"))
    };
    Ok((n("total")?, n("accepted")?, n("rejected")?))
}
