//! SigV4a end to end: the aws-sigv4 crate's SigV4a signer (feature `sigv4a`) as a client of a
//! real `mock-aws` on loopback, header and query auth, for every service mock-aws fakes; a
//! tampered request is rejected with the protocol's SignatureDoesNotMatch, a region set without
//! the server's region is rejected, and a client mistake is diagnosed.
//!
//! boto3 is not used here: botocore signs SigV4a only through awscrt, which the test set-up
//! does not install.

use std::time::{Duration, SystemTime};

use crate::common::{Conn, Resp, Server, AK, SECRET};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4a;
use aws_smithy_runtime_api::client::identity::Identity;
use sigv4_signer::internal::encode;

/// One request to sign.
struct Req<'a> {
    service: &'a str,
    method: &'a str,
    target: &'a str,
    headers: &'a [(&'a str, &'a str)],
    body: &'a [u8],
}

/// Signs `r` with aws-sigv4's SigV4a signer; returns the target and headers to send.
fn aws_sigv4a(
    addr: &str,
    r: &Req<'_>,
    region_set: &str,
    secret: &str,
    presign: bool,
) -> (String, Vec<(String, String)>) {
    let identity: Identity = Credentials::new(AK, secret, None, None, "test").into();
    let mut settings = SigningSettings::default();
    if r.service == "s3" {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        if !presign {
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        }
    }
    if presign {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(300));
    }
    let params = v4a::SigningParams::builder()
        .identity(&identity)
        .region_set(region_set)
        .name(r.service)
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .expect("params")
        .into();
    let mut all: Vec<(String, String)> = vec![("host".into(), addr.into())];
    all.extend(
        r.headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
    );
    let uri = format!("http://{addr}{}", r.target);
    let body = if presign && r.service == "s3" {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(r.body)
    };
    let signable = SignableRequest::new(
        r.method,
        uri.as_str(),
        all.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        body,
    )
    .expect("signable");
    let (instructions, _signature) = sign(signable, &params).expect("sign").into_parts();
    let (added_headers, added_params) = instructions.into_parts();
    all.extend(
        added_headers
            .iter()
            .map(|h| (h.name().to_owned(), h.value().to_owned())),
    );
    let mut target = r.target.to_owned();
    for (i, (k, v)) in added_params.iter().enumerate() {
        let sep = if i == 0 && !r.target.contains('?') {
            '?'
        } else {
            '&'
        };
        target.push(sep);
        target.push_str(&encode(k.as_bytes()));
        target.push('=');
        target.push_str(&encode(v.as_bytes()));
    }
    (target, all)
}

fn send(server: &Server, r: &Req<'_>, target: &str, headers: &[(String, String)]) -> Resp {
    Conn::open(&server.addr).send(r.method, target, headers, r.body)
}

const DDB_JSON: &str = "application/x-amz-json-1.0";
const FORM: &str = "application/x-www-form-urlencoded";

/// One request per service mock-aws fakes.
fn requests() -> Vec<Req<'static>> {
    vec![
        Req {
            service: "dynamodb",
            method: "POST",
            target: "/",
            headers: &[
                ("content-type", DDB_JSON),
                ("x-amz-target", "DynamoDB_20120810.ListTables"),
            ],
            body: b"{}",
        },
        Req {
            service: "kinesis",
            method: "POST",
            target: "/",
            headers: &[
                ("content-type", "application/x-amz-json-1.1"),
                ("x-amz-target", "Kinesis_20131202.ListStreams"),
            ],
            body: b"{}",
        },
        Req {
            service: "sts",
            method: "POST",
            target: "/",
            headers: &[("content-type", FORM)],
            body: b"Action=GetCallerIdentity&Version=2011-06-15",
        },
        Req {
            service: "iam",
            method: "POST",
            target: "/",
            headers: &[("content-type", FORM)],
            body: b"Action=ListUsers&Version=2010-05-08",
        },
        Req {
            service: "ec2",
            method: "POST",
            target: "/",
            headers: &[("content-type", FORM)],
            body: b"Action=DescribeRegions&Version=2016-11-15",
        },
        Req {
            service: "s3",
            method: "PUT",
            target: "/v4a-bucket",
            headers: &[],
            body: b"",
        },
        Req {
            service: "s3",
            method: "GET",
            target: "/v4a-bucket?list-type=2",
            headers: &[],
            body: b"",
        },
    ]
}

#[test]
fn aws_sigv4a_header_auth_is_accepted_by_every_service() {
    let server = Server::start(&[]);
    for (i, r) in requests().iter().enumerate() {
        // One region, a list, and the wildcard.
        let set = ["us-east-1", "us-west-2,us-east-1", "*"][i % 3];
        let (target, headers) = aws_sigv4a(&server.addr, r, set, SECRET, false);
        assert!(
            headers
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case("authorization")
                    && v.starts_with("AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/")),
            "{headers:?}"
        );
        let resp = send(&server, r, &target, &headers);
        assert_eq!(
            resp.status,
            200,
            "{} {} {}: {}",
            r.service,
            r.method,
            r.target,
            resp.text()
        );
    }
    assert_labels(&server, false);
}

/// Every verdict so far is labelled SigV4a (header or presigned), as AWS's signer signed it.
fn assert_labels(server: &Server, presigned: bool) {
    let doc = crate::common::Conn::open(&server.addr)
        .send("GET", "/_mock-aws/verdicts", &[], b"")
        .json();
    let vs = doc["verdicts"].as_array().expect("verdicts");
    assert!(!vs.is_empty());
    for v in vs {
        assert_eq!(
            (v["auth"].as_str(), v["presigned"].as_bool()),
            (Some("SigV4a"), Some(presigned)),
            "{v}"
        );
    }
}

#[test]
fn aws_sigv4a_presigned_is_accepted() {
    let server = Server::start(&[]);
    for r in requests()
        .iter()
        .filter(|r| r.service == "s3" || r.service == "iam")
    {
        // Presigned IAM and S3 carry their parameters in the query, no body.
        let r = if r.service == "iam" {
            Req {
                service: "iam",
                method: "GET",
                target: "/?Action=ListUsers&Version=2010-05-08",
                headers: &[],
                body: b"",
            }
        } else {
            Req { ..*r }
        };
        let (target, headers) = aws_sigv4a(&server.addr, &r, "us-east-1", SECRET, true);
        assert!(
            target.contains("X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256")
                && target.contains("X-Amz-Region-Set=us-east-1"),
            "{target}"
        );
        let resp = send(&server, &r, &target, &headers);
        assert_eq!(resp.status, 200, "{target}: {}", resp.text());
    }
    assert_labels(&server, true);
}

#[test]
fn tampered_sigv4a_requests_are_rejected() {
    let server = Server::start(&[]);
    let reqs = requests();
    // STS (query protocol): the body changed after signing.
    let sts = &reqs[2];
    let (target, headers) = aws_sigv4a(&server.addr, sts, "us-east-1", SECRET, false);
    let tampered = Req {
        body: b"Action=GetCallerIdentity&Version=2011-06-16",
        ..Req { ..*sts }
    };
    let resp = send(&server, &tampered, &target, &headers);
    assert_eq!(resp.status, 403, "{}", resp.text());
    assert!(
        resp.text().contains("<Code>SignatureDoesNotMatch</Code>"),
        "{}",
        resp.text()
    );

    // S3: the path changed; the answer carries the server's SigV4a string to sign and
    // canonical request.
    let bucket = &reqs[5];
    let (target, headers) = aws_sigv4a(&server.addr, bucket, "us-east-1", SECRET, false);
    let resp = send(
        &server,
        bucket,
        &target.replace("v4a-bucket", "v4a-other"),
        &headers,
    );
    let text = resp.text();
    assert_eq!(resp.status, 403, "{text}");
    assert!(
        text.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{text}"
    );
    assert!(
        text.contains("<StringToSign>AWS4-ECDSA-P256-SHA256\n"),
        "{text}"
    );
    assert!(text.contains("/s3/aws4_request\n"), "{text}");
    assert!(text.contains("x-amz-region-set:us-east-1"), "{text}");

    // DynamoDB: the region set header changed (it is signed).
    let ddb = &reqs[0];
    let (target, mut headers) = aws_sigv4a(&server.addr, ddb, "us-east-1", SECRET, false);
    for (n, v) in &mut headers {
        if n.eq_ignore_ascii_case("x-amz-region-set") {
            *v = "*".to_owned();
        }
    }
    let resp = send(&server, ddb, &target, &headers);
    assert_eq!(resp.status, 400, "{}", resp.text());
    assert_eq!(
        resp.json()["__type"].as_str().map(|t| t.rsplit('#').next()),
        Some(Some("InvalidSignatureException")),
        "{}",
        resp.text()
    );

    // A presigned S3 GET whose signature is altered.
    let get = &reqs[6];
    let (target, headers) = aws_sigv4a(&server.addr, get, "us-east-1", SECRET, true);
    let resp = send(
        &server,
        get,
        &target.replace("&X-Amz-Signature=30", "&X-Amz-Signature=31"),
        &headers,
    );
    assert_eq!(resp.status, 400, "{}", resp.text());
    assert!(resp.text().contains("DER ECDSA"), "{}", resp.text());
    // ... and one with a parameter added after signing.
    let resp = send(&server, get, &format!("{target}&extra=1"), &headers);
    assert_eq!(resp.status, 403, "{}", resp.text());
    assert!(
        resp.text().contains("<Code>SignatureDoesNotMatch</Code>"),
        "{}",
        resp.text()
    );
}

#[test]
fn a_region_set_without_the_servers_region_is_rejected() {
    let server = Server::start(&[]);
    let reqs = requests();
    let (target, headers) = aws_sigv4a(
        &server.addr,
        &reqs[5],
        "eu-west-1,ap-south-1",
        SECRET,
        false,
    );
    let resp = send(&server, &reqs[5], &target, &headers);
    let text = resp.text();
    assert_eq!(resp.status, 400, "{text}");
    assert!(text.contains("AuthorizationHeaderMalformed"), "{text}");
    assert!(text.contains("does not include"), "{text}");
}

#[test]
fn a_sigv4a_client_mistake_is_diagnosed() {
    let server = Server::start(&[]);
    let reqs = requests();
    // The client read its secret from a file with the trailing newline.
    let with_newline = format!("{SECRET}\n");
    let (target, headers) = aws_sigv4a(&server.addr, &reqs[0], "us-east-1", &with_newline, false);
    let resp = send(&server, &reqs[0], &target, &headers);
    let text = resp.text();
    assert_eq!(resp.status, 400, "{text}");
    assert!(text.contains("ends with a newline"), "{text}");
}
