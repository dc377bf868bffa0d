//! boto3 (pinned in `tests/requirements.txt`) with every default: `upload_file` of 20 MiB
//! (multipart), `download_file` (ranged GETs), ListObjects v1 and v2, the multipart
//! operations and their errors (`tests/clients/boto3_client.py`).

use std::process::Command;
use std::time::Duration;

use super::{run_client, script, server, Run};
use crate::common::{self, Tool};

/// The checks `boto3_client.py` prints `ok` for, in order (over TLS, one more:
/// `UploadPart UNSIGNED-PAYLOAD`).
pub const CHECKS: &[&str] = &[
    "CreateBucket",
    "GetBucketLocation",
    "upload_file (multipart)",
    "multipart ETag",
    "download_file (ranged GETs)",
    "GetObject",
    "ListObjects",
    "ListParts",
    "ListMultipartUploads",
    "CompleteMultipartUpload errors",
    "CompleteMultipartUpload",
    "AbortMultipartUpload",
    "verdicts",
    "presigned GET (SigV2)",
    "GetObject (SigV2 header)",
];

fn expected(tls: bool) -> Vec<&'static str> {
    let mut v = CHECKS.to_vec();
    if tls {
        let at = v.iter().position(|c| *c == "verdicts").unwrap_or(v.len());
        v.insert(at, "UploadPart UNSIGNED-PAYLOAD");
    }
    v
}

pub fn run(tls: bool) -> Run {
    let python = common::require(Tool::Boto3);
    let server = server(tls);
    let mut cmd = Command::new(python);
    cmd.arg(script("boto3_client.py")).arg(server.url());
    if let Some(cert) = &server.cert {
        cmd.arg(cert);
    }
    run_client("boto3", cmd, Duration::from_secs(120))
}

#[test]
fn boto3_over_http() {
    let r = run(false);
    assert_eq!(r.ok, expected(false));
}

#[test]
fn boto3_over_tls() {
    let r = run(true);
    assert_eq!(r.ok, expected(true));
}
