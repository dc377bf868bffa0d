//! Cross-check helper: signs requests described as JSON with the aws-sigv4 crate and prints
//! what it computed (canonical request and string to sign captured from its trace events by
//! `tools/aws-sigv4-capture`).
use std::io::Read;
use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody,
    SignableRequest, SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use serde_json::{json, Value};

fn s(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_else(|| panic!("missing {k}")).to_string()
}

fn unhex(h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
        .collect()
}

fn one(job: &Value) -> Value {
    let headers: Vec<(String, String)> = job["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_str().unwrap().to_string()))
        .collect();
    let body = unhex(job["body_hex"].as_str().unwrap_or(""));
    let token = job["token"].as_str().map(str::to_string);
    let identity: Identity = Credentials::new(s(job, "access_key"), s(job, "secret"), token, None, "xcheck").into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = if job["double"].as_bool().unwrap() {
        PercentEncodingMode::Double
    } else {
        PercentEncodingMode::Single
    };
    settings.uri_path_normalization_mode = if job["normalize"].as_bool().unwrap() {
        UriPathNormalizationMode::Enabled
    } else {
        UriPathNormalizationMode::Disabled
    };
    if job["sign_body"].as_bool().unwrap() {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    if job["omit_token"].as_bool().unwrap() {
        settings.session_token_mode = SessionTokenMode::Exclude;
    }
    if s(job, "location") == "query" {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(job["expires"].as_u64().unwrap()));
    }
    let region = s(job, "region");
    let service = s(job, "service");
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&region)
        .name(&service)
        .time(UNIX_EPOCH + Duration::from_secs(job["epoch"].as_u64().unwrap()))
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let signable_body = match job["payload_hash"].as_str() {
        Some("UNSIGNED-PAYLOAD") => SignableBody::UnsignedPayload,
        Some(h) => SignableBody::Precomputed(h.to_string()),
        None => SignableBody::Bytes(&body),
    };
    let method = s(job, "method");
    let target = s(job, "target");
    let req = match SignableRequest::new(
        &method,
        target.as_str(),
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        signable_body,
    ) {
        Ok(r) => r,
        Err(e) => return json!({"error": format!("{e:?}")}),
    };
    let (out, cap) = aws_sigv4_capture::capture(|| sign(req, &params));
    match out {
        Err(e) => json!({"error": format!("{e:?}")}),
        Ok(out) => {
            let signature = out.signature().to_string();
            let (hs, ps) = out.into_parts().0.into_parts();
            let hs: Vec<Value> = hs.iter().map(|h| json!([h.name(), h.value()])).collect();
            let ps: Vec<Value> = ps.iter().map(|(k, v)| json!([k, v.as_ref()])).collect();
            json!({
                "signature": signature,
                "headers": hs,
                "params": ps,
                "canonical_request": cap.canonical_request(),
                "string_to_sign": cap.string_to_sign(),
            })
        }
    }
}

fn main() {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).unwrap();
    let jobs: Vec<Value> = serde_json::from_str(&input).unwrap();
    let out: Vec<Value> = jobs.iter().map(one).collect();
    println!("{}", serde_json::to_string(&out).unwrap());
}
