//! SigV4a cross-check: this project's SigV4a signer and verifier against the aws-sigv4 crate's
//! (1.6.4, feature `sigv4a`), two independent implementations.
//!
//! Both sign with RFC 6979 deterministic nonces, so for the same request, time and credential
//! the signatures are equal byte for byte exactly when the string to sign (so the canonical
//! request) and the derived key agree. Besides that equality: our verifier accepts aws-sigv4's
//! signed requests, and the key aws-sigv4 derives verifies our signatures.

use std::borrow::Cow;
use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{
    sign as aws_sign, PercentEncodingMode, SignableBody, SignableRequest as AwsRequest,
    SignatureLocation as AwsLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_smithy_runtime_api::client::identity::Identity;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{DerSignature, SigningKey as P256Key};
use sigv4_signer::internal::encode;
use sigv4_signer::v4a::{self, V4aSigningKey};
use sigv4_signer::verify::{verify, VerifyParams, VerifySettings};
use sigv4_signer::{
    Credentials, OwnedRequest, Settings, SignableRequest, SignatureLocation, SigningParams,
    SigningTime,
};

const AK: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2026-01-01T00:00:00Z.
const T: u64 = 1_767_225_600;

struct Case {
    name: &'static str,
    service: &'static str,
    method: &'static str,
    target: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static [u8],
    region_set: &'static str,
    token: Option<&'static str>,
    s3: bool,
}

const CASES: &[Case] = &[
    Case {
        name: "get-query",
        service: "service",
        method: "GET",
        target: "/a/b%20c/?z=1&a=%E1%88%B4&m=x%2By",
        headers: &[("X-Custom", "  two   spaces ")],
        body: b"",
        region_set: "us-east-1",
        token: None,
        s3: false,
    },
    Case {
        name: "post-json-region-list",
        service: "dynamodb",
        method: "POST",
        target: "/",
        headers: &[
            ("Content-Type", "application/x-amz-json-1.0"),
            ("X-Amz-Target", "DynamoDB_20120810.ListTables"),
        ],
        body: b"{\"Limit\":3}",
        region_set: "us-east-1,us-west-2",
        token: None,
        s3: false,
    },
    Case {
        name: "s3-put-wildcard-token",
        service: "s3",
        method: "PUT",
        target: "/bucket/key%20with%20space/..%2Fx",
        headers: &[("Content-Type", "text/plain")],
        body: b"hello sigv4a",
        region_set: "*",
        token: Some("session/token+=="),
        s3: true,
    },
];

fn our_sign(c: &Case, location: SignatureLocation) -> (sigv4_signer::SigningOutput, OwnedRequest) {
    let mut creds = Credentials::new(AK, SECRET);
    if let Some(t) = c.token {
        creds = creds.with_session_token(t);
    }
    let time = SigningTime::from_unix_seconds(T as i64);
    let presign = matches!(location, SignatureLocation::Query { .. });
    let settings = if c.s3 {
        // A presigned S3 URL signs UNSIGNED-PAYLOAD, as S3 verifies it.
        Settings::s3()
            .with_payload(if presign {
                sigv4_signer::PayloadMode::Unsigned
            } else {
                sigv4_signer::PayloadMode::Hash
            })
            .with_content_sha256(sigv4_signer::ContentSha256Mode::Omit)
    } else {
        Settings::default()
    };
    let params = SigningParams::new(&creds, c.region_set, c.service, time).with_settings(settings);
    let mut req = SignableRequest::new(c.method, c.target)
        .header("Host", "example.amazonaws.com")
        .body(c.body);
    for (n, v) in c.headers {
        req = req.header(n, v);
    }
    let out = v4a::sign(&req, &params, location).expect("our v4a sign");
    let signed = out.apply(&req);
    (
        out,
        OwnedRequest {
            method: signed.method,
            target: signed.target,
            headers: signed.headers,
            body: signed.body,
        },
    )
}

/// aws-sigv4's signature and signed request.
fn aws_sigv4a(c: &Case, presign: bool) -> (String, OwnedRequest) {
    let identity: Identity =
        AwsCredentials::new(AK, SECRET, c.token.map(str::to_owned), None, "test").into();
    let mut settings = SigningSettings::default();
    if c.s3 {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    }
    if presign {
        settings.signature_location = AwsLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(900));
    }
    let params = aws_sigv4::sign::v4a::SigningParams::builder()
        .identity(&identity)
        .region_set(c.region_set)
        .name(c.service)
        .time(UNIX_EPOCH + Duration::from_secs(T))
        .settings(settings)
        .build()
        .expect("params")
        .into();
    let mut headers: Vec<(String, String)> =
        vec![("Host".to_owned(), "example.amazonaws.com".to_owned())];
    headers.extend(
        c.headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
    );
    let uri = format!("https://example.amazonaws.com{}", c.target);
    let signable = AwsRequest::new(
        c.method,
        uri.as_str(),
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        if presign && c.s3 {
            SignableBody::UnsignedPayload
        } else {
            SignableBody::Bytes(c.body)
        },
    )
    .expect("signable");
    let (instructions, signature) = aws_sign(signable, &params).expect("sign").into_parts();
    let (added_headers, added_params) = instructions.into_parts();
    headers.extend(
        added_headers
            .iter()
            .map(|h| (h.name().to_owned(), h.value().to_owned())),
    );
    let mut target = c.target.to_owned();
    for (k, v) in &added_params {
        let v: &Cow<'_, str> = v;
        target.push(if target.contains('?') { '&' } else { '?' });
        target.push_str(&format!(
            "{}={}",
            encode(k.as_bytes()),
            encode(v.as_bytes())
        ));
    }
    (
        signature,
        OwnedRequest {
            method: c.method.to_owned(),
            target,
            headers,
            body: c.body.to_vec(),
        },
    )
}

fn our_verify(c: &Case, req: &OwnedRequest, region: &str) -> Result<(), String> {
    let lookup = |k: &str| (k == AK).then(|| SECRET.to_owned());
    let params = VerifyParams::new(SigningTime::from_unix_seconds(T as i64 + 60), &lookup)
        .with_settings(if c.s3 {
            VerifySettings::s3()
        } else {
            VerifySettings::default()
        })
        .with_region(region)
        .with_service(c.service);
    verify(&req.signable(), &params)
        .map(|_| ())
        .map_err(|e| format!("{}: {e}", e.code()))
}

#[test]
fn both_signers_give_the_same_signature() {
    for c in CASES {
        for (presign, location) in [
            (false, SignatureLocation::Headers),
            (true, SignatureLocation::Query { expires_in: 900 }),
        ] {
            let (ours, _) = our_sign(c, location);
            let (theirs, _) = aws_sigv4a(c, presign);
            assert_eq!(
                ours.signature(),
                theirs,
                "{} presign={presign}: our string to sign:\n{}",
                c.name,
                ours.string_to_sign()
            );
        }
    }
}

#[test]
fn our_verifier_accepts_aws_sigv4a_requests_and_rejects_them_changed() {
    for c in CASES {
        for presign in [false, true] {
            let (_, req) = aws_sigv4a(c, presign);
            // A region the set covers: itself, the list's second entry, any for `*`.
            let region = match c.region_set {
                "*" => "eu-central-1",
                "us-east-1" => "us-east-1",
                _ => "us-west-2",
            };
            our_verify(c, &req, region)
                .unwrap_or_else(|e| panic!("{} presign={presign}: {e}", c.name));
            let mut changed = req.clone();
            changed.method = if c.method == "GET" { "HEAD" } else { "GET" }.to_owned();
            assert_eq!(
                our_verify(c, &changed, region).map_err(|e| e.split(':').next().map(str::to_owned)),
                Err(Some("signature-mismatch".to_owned())),
                "{} presign={presign}",
                c.name
            );
            if c.region_set != "*" {
                assert!(
                    our_verify(c, &req, "ap-south-1")
                        .is_err_and(|e| e.starts_with("region-not-in-region-set")),
                    "{}",
                    c.name
                );
            }
        }
    }
}

#[test]
fn aws_sigv4s_key_verifies_our_signatures() {
    let theirs = aws_sigv4::sign::v4a::generate_signing_key(AK, SECRET);
    let theirs = P256Key::from_slice(theirs.as_ref()).expect("aws-sigv4's key is a P-256 scalar");
    let ours = V4aSigningKey::derive(AK, SECRET).expect("derive");
    assert_eq!(ours.to_bytes().as_slice(), theirs.to_bytes().as_slice());
    for c in CASES {
        for location in [
            SignatureLocation::Headers,
            SignatureLocation::Query { expires_in: 900 },
        ] {
            let (out, _) = our_sign(c, location);
            let sig = DerSignature::from_bytes(&unhex(out.signature())).expect("DER");
            theirs
                .verifying_key()
                .verify(out.string_to_sign().as_bytes(), &sig)
                .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        }
    }
    // Another credential, so the check is not of one fixed pair only.
    let (ak, secret) = (
        "AKIAIOSFODNN7EXAMPLE",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    );
    let theirs = aws_sigv4::sign::v4a::generate_signing_key(ak, secret);
    let ours = V4aSigningKey::derive(ak, secret).expect("derive");
    let mut padded = [0u8; 32];
    let t = theirs.as_ref();
    padded[32 - t.len()..].copy_from_slice(t);
    assert_eq!(ours.to_bytes(), padded);
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}
