//! This signer, the aws-sigv4 crate and reqsign's AWS v4 signer, in the same run.
//!
//! Each benchmark covers everything a user does per request: describe the request, sign,
//! apply the result. Groups are `NAME/IMPL` with IMPL one of `ours`, `aws-sigv4`, `reqsign`;
//! the `table` command reads the medians from `target/criterion`.

#![allow(missing_docs, clippy::unwrap_used)]

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sigv4_signer::verify::{verify, VerifyParams, VerifySettings, DEFAULT_MAX_SKEW};
use sigv4_signer::{
    sign, Credentials, Settings, SignableRequest, SignatureLocation, SigningKey, SigningKeyCache,
    SigningParams, SigningTime,
};

const AK: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const HOST: &str = "example.amazonaws.com";
const EPOCH: u64 = 1_440_938_160; // 2015-08-30T12:36:00Z, the suite's time
const PRESIGN_TARGET: &str = "/photos/cat.jpg?a=1&b=two&c=3&d=four&e=5";

fn json_body() -> Vec<u8> {
    let mut b = br#"{"TableName":"bench","Item":{"id":{"S":""#.to_vec();
    b.resize(1024 - 5, b'x');
    b.extend_from_slice(br#""}}}"#);
    b.truncate(1024);
    b
}

/// reqsign's sign future never waits with static credentials: poll it once.
fn poll_once<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("reqsign's signer waited"),
    }
}

mod ours {
    use super::*;

    pub fn get(creds: &Credentials, cache: Option<&SigningKeyCache>) -> usize {
        let mut params = SigningParams::new(
            creds,
            "us-east-1",
            "service",
            SigningTime::from_unix_seconds(EPOCH as i64),
        );
        if let Some(c) = cache {
            params = params.with_key_cache(c);
        }
        let req = SignableRequest::new("GET", "/").header("Host", HOST);
        let out = sign(&req, &params, SignatureLocation::Headers).unwrap();
        out.apply(&req).headers.len()
    }

    pub fn post(creds: &Credentials, body: &[u8]) -> usize {
        let params = SigningParams::new(
            creds,
            "us-east-1",
            "dynamodb",
            SigningTime::from_unix_seconds(EPOCH as i64),
        );
        let req = SignableRequest::new("POST", "/")
            .header("Host", HOST)
            .header("Content-Type", "application/x-amz-json-1.0")
            .header("X-Amz-Target", "DynamoDB_20120810.PutItem")
            .body(body);
        let out = sign(&req, &params, SignatureLocation::Headers).unwrap();
        out.apply(&req).headers.len()
    }

    pub fn presign(creds: &Credentials) -> usize {
        let params = SigningParams::new(
            creds,
            "us-east-1",
            "s3",
            SigningTime::from_unix_seconds(EPOCH as i64),
        )
        .with_settings(Settings {
            payload: sigv4_signer::PayloadMode::Unsigned,
            ..Settings::s3()
        });
        let req = SignableRequest::new("GET", PRESIGN_TARGET).header("Host", HOST);
        let out = sign(&req, &params, SignatureLocation::Query { expires_in: 3600 }).unwrap();
        out.apply(&req).target.len()
    }

    pub fn put_1mib(creds: &Credentials, body: &[u8]) -> usize {
        let params = SigningParams::new(
            creds,
            "us-east-1",
            "s3",
            SigningTime::from_unix_seconds(EPOCH as i64),
        )
        .with_settings(Settings::s3());
        let req = SignableRequest::new("PUT", "/bucket/key")
            .header("Host", HOST)
            .body(body);
        let out = sign(&req, &params, SignatureLocation::Headers).unwrap();
        out.apply(&req).headers.len()
    }
}

mod aws {
    use super::*;
    use aws_credential_types::Credentials as AwsCredentials;
    use aws_sigv4::http_request::{
        sign as aws_sign, PayloadChecksumKind, PercentEncodingMode, SignableBody,
        SignableRequest as AwsRequest, SignatureLocation as AwsLocation, SigningSettings,
        UriPathNormalizationMode,
    };
    use aws_sigv4::sign::v4;
    use aws_smithy_runtime_api::client::identity::Identity;

    pub fn identity() -> Identity {
        AwsCredentials::new(AK, SECRET, None, None, "bench").into()
    }

    fn run(
        identity: &Identity,
        service: &str,
        settings: SigningSettings,
        mut req: http::Request<Vec<u8>>,
        body: SignableBody<'_>,
    ) -> usize {
        let params = v4::SigningParams::builder()
            .identity(identity)
            .region("us-east-1")
            .name(service)
            .time(UNIX_EPOCH + Duration::from_secs(EPOCH))
            .settings(settings)
            .build()
            .unwrap()
            .into();
        let uri = req.uri().to_string();
        let signable = AwsRequest::new(
            req.method().as_str(),
            uri.as_str(),
            req.headers()
                .iter()
                .map(|(n, v)| (n.as_str(), v.to_str().unwrap())),
            body,
        )
        .unwrap();
        let (instructions, _) = aws_sign(signable, &params).unwrap().into_parts();
        instructions.apply_to_request_http1x(&mut req);
        req.headers().len()
    }

    pub fn get(identity: &Identity) -> usize {
        let req = http::Request::get(format!("https://{HOST}/"))
            .header("host", HOST)
            .body(Vec::new())
            .unwrap();
        run(
            identity,
            "service",
            SigningSettings::default(),
            req,
            SignableBody::Bytes(b""),
        )
    }

    pub fn post(identity: &Identity, body: &[u8]) -> usize {
        let req = http::Request::post(format!("https://{HOST}/"))
            .header("host", HOST)
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", "DynamoDB_20120810.PutItem")
            .body(body.to_vec())
            .unwrap();
        run(
            identity,
            "dynamodb",
            SigningSettings::default(),
            req,
            SignableBody::Bytes(body),
        )
    }

    pub fn presign(identity: &Identity) -> usize {
        let mut settings = SigningSettings::default();
        settings.signature_location = AwsLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(3600));
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        let req = http::Request::get(format!("https://{HOST}{PRESIGN_TARGET}"))
            .header("host", HOST)
            .body(Vec::new())
            .unwrap();
        run(identity, "s3", settings, req, SignableBody::UnsignedPayload)
    }

    pub fn put_1mib(identity: &Identity, body: &[u8]) -> usize {
        let mut settings = SigningSettings::default();
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        let req = http::Request::put(format!("https://{HOST}/bucket/key"))
            .header("host", HOST)
            .body(Vec::new())
            .unwrap();
        run(identity, "s3", settings, req, SignableBody::Bytes(body))
    }

    pub fn key(time: SystemTime) -> usize {
        v4::generate_signing_key(SECRET, time, "us-east-1", "service")
            .as_ref()
            .len()
    }
}

mod reqsign {
    use super::*;
    use reqsign_aws_v4::{Credential, RequestSigner};
    use reqsign_core::{Context as RqContext, SignRequest};

    pub struct Rq {
        ctx: RqContext,
        cred: Credential,
    }

    pub fn new() -> Rq {
        Rq {
            ctx: RqContext::new(),
            cred: Credential {
                access_key_id: AK.into(),
                secret_access_key: SECRET.into(),
                session_token: None,
                expires_in: None,
            },
        }
    }

    /// reqsign takes the time from the clock (its `with_time` is test-only), so its numbers
    /// include one clock read.
    fn signer(service: &str) -> RequestSigner {
        RequestSigner::new(service, "us-east-1")
    }

    fn run(rq: &Rq, service: &str, req: http::Request<()>, expires: Option<Duration>) -> usize {
        let (mut parts, ()) = req.into_parts();
        poll_once(signer(service).sign_request(&rq.ctx, &mut parts, Some(&rq.cred), expires))
            .unwrap();
        parts.headers.len() + parts.uri.to_string().len()
    }

    pub fn get(rq: &Rq) -> usize {
        run(
            rq,
            "service",
            http::Request::get(format!("https://{HOST}/"))
                .body(())
                .unwrap(),
            None,
        )
    }

    pub fn post(rq: &Rq, body: &[u8]) -> usize {
        // reqsign signs the x-amz-content-sha256 the caller sets: hashing the body is part of
        // the user's work per request.
        let hash = sigv4_signer::payload::sha256_hex(body);
        let req = http::Request::post(format!("https://{HOST}/"))
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", "DynamoDB_20120810.PutItem")
            .header("x-amz-content-sha256", hash)
            .body(())
            .unwrap();
        run(rq, "dynamodb", req, None)
    }

    pub fn presign(rq: &Rq) -> usize {
        run(
            rq,
            "s3",
            http::Request::get(format!("https://{HOST}{PRESIGN_TARGET}"))
                .body(())
                .unwrap(),
            Some(Duration::from_secs(3600)),
        )
    }

    pub fn put_1mib(rq: &Rq, body: &[u8]) -> usize {
        let hash = sigv4_signer::payload::sha256_hex(body);
        let req = http::Request::put(format!("https://{HOST}/bucket/key"))
            .header("x-amz-content-sha256", hash)
            .body(())
            .unwrap();
        run(rq, "s3", req, None)
    }
}

fn benches(c: &mut Criterion) {
    let creds = Credentials::new(AK, SECRET);
    let identity = aws::identity();
    let rq = reqsign::new();
    let body = json_body();
    let mib: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
    let cache = SigningKeyCache::default();

    let mut g = c.benchmark_group("sha256-block");
    g.bench_function("raw", |b| {
        let block = [sha2::digest::generic_array::GenericArray::from(
            [0x61u8; 64],
        )];
        let mut state = [0u32; 8];
        b.iter(|| {
            sha2::compress256(&mut state, black_box(&block));
            state[0]
        })
    });
    g.finish();

    let mut g = c.benchmark_group("key-derivation");
    g.bench_function("ours", |b| {
        b.iter(|| SigningKey::derive(black_box(SECRET), "20150830", "us-east-1", "service"))
    });
    g.bench_function("aws-sigv4", |b| {
        b.iter(|| aws::key(black_box(UNIX_EPOCH + Duration::from_secs(EPOCH))))
    });
    g.bench_function("ours-cache-hit", |b| {
        b.iter(|| cache.get(black_box(SECRET), "20150830", "us-east-1", "service"))
    });
    g.finish();

    let mut g = c.benchmark_group("get-vanilla");
    g.bench_function("ours", |b| b.iter(|| ours::get(black_box(&creds), None)));
    g.bench_function("ours-cached-key", |b| {
        b.iter(|| ours::get(black_box(&creds), Some(&cache)))
    });
    g.bench_function("aws-sigv4", |b| b.iter(|| aws::get(black_box(&identity))));
    g.bench_function("reqsign", |b| b.iter(|| reqsign::get(black_box(&rq))));
    g.finish();

    let mut g = c.benchmark_group("post-1kib");
    g.bench_function("ours", |b| b.iter(|| ours::post(black_box(&creds), &body)));
    g.bench_function("aws-sigv4", |b| {
        b.iter(|| aws::post(black_box(&identity), &body))
    });
    g.bench_function("reqsign", |b| {
        b.iter(|| reqsign::post(black_box(&rq), &body))
    });
    g.finish();

    let mut g = c.benchmark_group("presign-5-params");
    g.bench_function("ours", |b| b.iter(|| ours::presign(black_box(&creds))));
    g.bench_function("aws-sigv4", |b| {
        b.iter(|| aws::presign(black_box(&identity)))
    });
    g.bench_function("reqsign", |b| b.iter(|| reqsign::presign(black_box(&rq))));
    g.finish();

    let mut g = c.benchmark_group("put-1mib");
    g.throughput(Throughput::Bytes(mib.len() as u64));
    g.sample_size(20);
    g.bench_function("ours", |b| {
        b.iter(|| ours::put_1mib(black_box(&creds), &mib))
    });
    g.bench_function("aws-sigv4", |b| {
        b.iter(|| aws::put_1mib(black_box(&identity), &mib))
    });
    g.bench_function("reqsign", |b| {
        b.iter(|| reqsign::put_1mib(black_box(&rq), &mib))
    });
    g.bench_function("raw-sha256", |b| {
        b.iter(|| sigv4_signer::payload::sha256_hex(black_box(&mib)))
    });
    g.finish();

    // Verification (peers have no verifier).
    let params = SigningParams::new(
        &creds,
        "us-east-1",
        "service",
        SigningTime::from_unix_seconds(EPOCH as i64),
    );
    let req = SignableRequest::new("GET", "/").header("Host", HOST);
    let signed = sign(&req, &params, SignatureLocation::Headers)
        .unwrap()
        .apply(&req);
    let lookup = |k: &str| (k == AK).then(|| SECRET.to_owned());
    let vparams = VerifyParams {
        now: SigningTime::from_unix_seconds(EPOCH as i64),
        max_skew: DEFAULT_MAX_SKEW,
        settings: VerifySettings::default(),
        expected_region: None,
        expected_service: None,
        lookup: &lookup,
    };
    let mut g = c.benchmark_group("verify-get");
    g.bench_function("ours", |b| {
        b.iter(|| {
            let r = SignableRequest {
                method: "GET",
                target: &signed.target,
                headers: signed
                    .headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect(),
                body: b"",
            };
            verify(black_box(&r), &vparams).is_ok()
        })
    });
    g.finish();
}

criterion_group!(signing, benches);
criterion_main!(signing);
