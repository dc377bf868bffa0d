//! Each diagnosable mistake, made on purpose by a broken client over HTTP, is rejected by the
//! real `mock-aws` server with the protocol's code, named in the message, and recorded in
//! `/_mock-aws/verdicts`.
//!
//! The broken client starts from a correct canonical request of our own signer, applies one
//! mistake to its text (or to its string to sign, or to the secret), re-signs with the public
//! building blocks (`string_to_sign`, `SigningKey`), and sends the request as the correct
//! signer would have sent it, with the broken signature (as signer/tests/diagnose.rs does in
//! process).
//!
//! `Mistake::SessionTokenSigned` uses a server started with `--session-token after-signing`
//! (the rule AWS IoT applies to presigned WebSocket URLs); every other test uses the default,
//! where the token must be signed as STS, DynamoDB and S3 require.

use crate::common::*;
use mock_aws::util::{http_date, xml_escape};
use sigv4_signer::diagnose::Mistake;
use sigv4_signer::internal::{sha256_hex, EMPTY_SHA256};
use sigv4_signer::{
    sign, Credentials, SessionTokenMode, Settings, SignableRequest, SignatureLocation, SigningKey,
    SigningParams, SigningTime,
};

const STS_QUERY: &str = "Action=GetCallerIdentity&Version=2011-06-15";

/// A client that makes one mistake.
struct Broken<'a> {
    service: &'a str,
    method: &'a str,
    target: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
    location: SignatureLocation,
    settings: Settings,
    token: Option<&'a str>,
    /// Applied to the correct canonical request.
    creq: Box<dyn Fn(String) -> String + 'a>,
    /// The timestamp written in the string to sign, when not X-Amz-Date's.
    sts_time: Option<String>,
    secret_suffix: &'a str,
    time: SigningTime,
}

/// `c` with `from` replaced by `to`; `from` must be there (so the mistake is really made).
fn swap(from: &'static str, to: &'static str) -> Box<dyn Fn(String) -> String> {
    Box::new(move |c: String| {
        assert!(
            c.contains(from),
            "the canonical request has no {from:?}:\n{c}"
        );
        c.replacen(from, to, 1)
    })
}

impl<'a> Broken<'a> {
    fn new(service: &'a str, method: &'a str, target: &'a str) -> Self {
        Self {
            service,
            method,
            target,
            headers: Vec::new(),
            body: b"",
            location: SignatureLocation::Headers,
            settings: if service == "s3" {
                Settings::s3()
            } else {
                Settings::default()
            },
            token: None,
            creq: Box::new(|c| c),
            sts_time: None,
            secret_suffix: "",
            time: now(),
        }
    }

    fn ddb(target: &'a str) -> Self {
        Self {
            headers: vec![
                ("Content-Type", DDB_JSON),
                ("X-Amz-Target", "DynamoDB_20120810.ListTables"),
            ],
            body: b"{}",
            ..Self::new("dynamodb", "POST", target)
        }
    }

    fn send(&self, server: &Server) -> Resp {
        let mut creds = Credentials::new(AK, SECRET);
        creds.session_token = self.token.map(str::to_owned);
        let params = SigningParams::new(&creds, "us-east-1", self.service, self.time)
            .with_settings(self.settings.clone());
        let mut req = SignableRequest::new(self.method, self.target)
            .header("Host", &server.addr)
            .body(self.body);
        for (n, v) in &self.headers {
            req = req.header(n, v);
        }
        let out = sign(&req, &params, self.location).expect("sign");
        let creq = (self.creq)(out.canonical_request().to_owned());
        let sts_time = self
            .sts_time
            .clone()
            .unwrap_or_else(|| self.time.amz_date());
        let sts = string_to_sign(&sts_time, out.scope(), &sha256_hex(creq.as_bytes()));
        let secret = format!("{SECRET}{}", self.secret_suffix);
        let sig = SigningKey::derive(
            &secret,
            sigv4_signer::ScopeFields {
                date: &self.time.date_stamp(),
                region: "us-east-1",
                service: self.service,
            },
        )
        .sign(&sts);
        let good = out.signature();
        let signed = out.apply(&req);
        let headers: Vec<(String, String)> = signed
            .headers
            .into_iter()
            .map(|(n, v)| (n, v.replace(good, &sig)))
            .collect();
        let target = signed.target.replace(good, &sig);
        Conn::open(&server.addr).send(&signed.method, &target, &headers, &signed.body)
    }
}

/// Sends `client`, expects the protocol's signature error naming `mistake`, and the verdict.
fn expect(server: &Server, client: &Broken<'_>, mistake: Mistake) {
    let r = client.send(server);
    let sentence = mistake.to_string();
    let t = r.text();
    match client.service {
        "s3" => {
            assert_eq!(r.status, 403, "{mistake:?}: {t}");
            assert!(t.contains("<Code>SignatureDoesNotMatch</Code>"), "{t}");
            let escaped = xml_escape(&format!("diagnosis: {sentence}"));
            assert!(t.contains(&escaped), "{mistake:?} not named: {t}");
            assert!(
                t.contains(&format!(
                    "<MockAwsDiagnosis>{}</MockAwsDiagnosis>",
                    xml_escape(&sentence)
                )),
                "{t}"
            );
        }
        "dynamodb" => {
            assert_eq!(r.status, 400, "{mistake:?}: {t}");
            assert_eq!(
                r.header("x-amzn-ErrorType"),
                Some("InvalidSignatureException"),
                "{t}"
            );
            let body = r.json();
            assert_eq!(
                body["__type"],
                "com.amazon.coral.service#InvalidSignatureException"
            );
            let msg = body["message"].as_str().unwrap_or_default();
            assert!(
                msg.contains(&format!("diagnosis: {sentence}")),
                "{mistake:?} not named: {msg}"
            );
        }
        _ => {
            assert_eq!(r.status, 403, "{mistake:?}: {t}");
            assert!(t.contains("<ErrorResponse"), "{t}");
            assert!(t.contains("<Code>SignatureDoesNotMatch</Code>"), "{t}");
            let escaped = xml_escape(&format!("diagnosis: {sentence}"));
            assert!(t.contains(&escaped), "{mistake:?} not named: {t}");
        }
    }
    // The verdict records the diagnosis.
    let v = Conn::open(&server.addr)
        .send("GET", "/_mock-aws/verdicts", &[], b"")
        .json();
    let last = v["verdicts"]
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["outcome"], "rejected", "{last}");
    assert_eq!(last["verifier_code"], "signature-mismatch", "{last}");
    assert_eq!(last["diagnosis_code"], mistake.code(), "{last}");
    assert_eq!(last["diagnosis"], sentence, "{last}");
    assert_eq!(last["service"], client.service, "{last}");
    assert!(last["canonical_request"].is_string(), "{last}");
}

#[test]
fn a_correct_client_is_accepted_without_diagnosis() {
    let server = Server::start(&[]);
    let r = Broken::ddb("/").send(&server);
    assert_eq!(r.status, 200, "{}", r.text());
    let r = Broken::new(
        "sts",
        "GET",
        "/?Version=2011-06-15&Action=GetCallerIdentity",
    )
    .send(&server);
    assert_eq!(r.status, 200, "{}", r.text());
    let v = Conn::open(&server.addr)
        .send("GET", "/_mock-aws/verdicts", &[], b"")
        .json();
    assert_eq!(v["rejected"], 0, "{v}");
    assert!(v["verdicts"][0]["diagnosis"].is_null(), "{v}");
}

#[test]
fn path_mistakes() {
    let server = Server::start(&[]);
    // DynamoDB-style services encode the path twice; the client encoded it once.
    let c = Broken {
        creq: swap("\n/tables/my%253Atable\n", "\n/tables/my%3Atable\n"),
        ..Broken::ddb("/tables/my%3Atable")
    };
    expect(&server, &c, Mistake::PathEncodedOnce);

    // S3 encodes it once; the client encoded it twice.
    let c = Broken {
        creq: swap("\n/bkt/a%3Ab\n", "\n/bkt/a%253Ab\n"),
        ..Broken::new("s3", "PUT", "/bkt/a%3Ab")
    };
    expect(&server, &c, Mistake::PathEncodedTwice);

    // S3 signs the path as sent; the client normalised it.
    let c = Broken {
        creq: swap("\n/bkt/a/./b\n", "\n/bkt/a/b\n"),
        ..Broken::new("s3", "GET", "/bkt/a/./b")
    };
    expect(&server, &c, Mistake::PathNormalized);

    // Non-S3 services normalise; the client did not.
    let c = Broken {
        creq: swap("\n/a/b\n", "\n/a/./b\n"),
        ..Broken::ddb("/a/./b")
    };
    expect(&server, &c, Mistake::PathNotNormalized);
}

#[test]
fn query_mistakes() {
    let server = Server::start(&[]);
    let c = Broken {
        creq: swap(STS_QUERY, "Version=2011-06-15&Action=GetCallerIdentity"),
        ..Broken::new(
            "sts",
            "GET",
            "/?Version=2011-06-15&Action=GetCallerIdentity",
        )
    };
    expect(&server, &c, Mistake::QueryNotSorted);

    let c = Broken {
        creq: swap("Version=2011-06-15&x=b%20c", "Version=2011-06-15&x=b+c"),
        ..Broken::new(
            "sts",
            "GET",
            "/?Action=GetCallerIdentity&Version=2011-06-15&x=b%20c",
        )
    };
    expect(&server, &c, Mistake::QueryPlusForSpace);

    let c = Broken {
        creq: swap("x=%2F", "x=%2f"),
        ..Broken::new(
            "sts",
            "GET",
            "/?Action=GetCallerIdentity&Version=2011-06-15&x=%2f",
        )
    };
    expect(&server, &c, Mistake::QueryLowercaseHex);

    // A raw '+' is a space for non-S3 services; the client signed it as a plus sign.
    let c = Broken {
        creq: swap("x=b%20c", "x=b%2Bc"),
        ..Broken::new(
            "sts",
            "GET",
            "/?Action=GetCallerIdentity&Version=2011-06-15&x=b+c",
        )
    };
    expect(&server, &c, Mistake::QueryPlusAsLiteral);
}

#[test]
fn header_mistakes() {
    let server = Server::start(&[]);
    // Inner runs of spaces (HTTP parsers strip the leading and trailing ones).
    let mut c = Broken {
        creq: swap("\nx-a:a b\n", "\nx-a:a   b\n"),
        ..Broken::ddb("/")
    };
    c.headers.push(("X-A", "a   b"));
    expect(
        &server,
        &c,
        Mistake::HeaderValuesNotTrimmed {
            names: vec!["x-a".to_owned()],
        },
    );

    let mut c = Broken {
        creq: swap("\nx-a:1,2\n", "\nx-a:1\nx-a:2\n"),
        ..Broken::ddb("/")
    };
    c.headers.push(("X-A", "1"));
    c.headers.push(("x-a", "2"));
    expect(
        &server,
        &c,
        Mistake::RepeatedHeadersNotJoined {
            names: vec!["x-a".to_owned()],
        },
    );
}

#[test]
fn payload_mistakes() {
    let server = Server::start(&[]);
    let body_hash = sha256_hex(b"{}");
    let c = Broken {
        creq: Box::new(move |c: String| {
            assert!(c.ends_with(&body_hash), "{c}");
            c.replace(&body_hash, EMPTY_SHA256)
        }),
        ..Broken::ddb("/")
    };
    expect(&server, &c, Mistake::PayloadHashOfEmptyBody);

    let body_hash = sha256_hex(b"{}");
    let c = Broken {
        creq: Box::new(move |c: String| {
            assert!(c.ends_with(&body_hash), "{c}");
            c.replace(&body_hash, "UNSIGNED-PAYLOAD")
        }),
        ..Broken::ddb("/")
    };
    expect(&server, &c, Mistake::PayloadUnsigned);
}

#[test]
fn date_mistakes() {
    let server = Server::start(&[]);
    let time = now();
    // A Date header a minute off X-Amz-Date, on the same UTC day.
    let date_time = if time.unix_seconds().rem_euclid(86_400) < 120 {
        time.unix_seconds() + 60
    } else {
        time.unix_seconds() - 60
    };
    let date = http_date(date_time);
    let mut c = Broken {
        sts_time: Some(SigningTime::from_unix_seconds(date_time).amz_date()),
        time,
        ..Broken::ddb("/")
    };
    c.headers.push(("Date", date.as_str()));
    expect(&server, &c, Mistake::DateInsteadOfAmzDate);

    let mut c = Broken {
        sts_time: Some(date.clone()),
        time,
        ..Broken::ddb("/")
    };
    c.headers.push(("Date", date.as_str()));
    expect(&server, &c, Mistake::RawDateInStringToSign);
}

#[test]
fn secret_mistakes() {
    let server = Server::start(&[]);
    let c = Broken {
        secret_suffix: "\n",
        ..Broken::ddb("/")
    };
    expect(&server, &c, Mistake::SecretTrailingNewline);
    let c = Broken {
        secret_suffix: " ",
        ..Broken::new("s3", "GET", "/bkt/k")
    };
    expect(&server, &c, Mistake::SecretTrailingSpace);
}

#[test]
fn session_token_not_signed() {
    let cred = format!("{AK}:{SECRET}:TOKEN");
    let server = Server::start(&["--credentials", &cred]);
    // STS signs the token; this presigning client added it after signing.
    let c = Broken {
        token: Some("TOKEN"),
        location: SignatureLocation::Query { expires_in: 300 },
        settings: Settings::default().with_session_token(SessionTokenMode::AddAfterSigning),
        ..Broken::new(
            "sts",
            "GET",
            "/?Action=GetCallerIdentity&Version=2011-06-15",
        )
    };
    expect(&server, &c, Mistake::SessionTokenNotSigned);
    // The same client signing the token is accepted.
    let c = Broken {
        token: Some("TOKEN"),
        location: SignatureLocation::Query { expires_in: 300 },
        ..Broken::new(
            "sts",
            "GET",
            "/?Action=GetCallerIdentity&Version=2011-06-15",
        )
    };
    let r = c.send(&server);
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn session_token_signed_where_the_service_wants_it_after_signing() {
    let cred = format!("{AK}:{SECRET}:TOKEN");
    let server = Server::start(&["--credentials", &cred, "--session-token", "after-signing"]);
    // This presigning client signed the token; the server takes it unsigned.
    let c = Broken {
        token: Some("TOKEN"),
        location: SignatureLocation::Query { expires_in: 300 },
        ..Broken::new(
            "sts",
            "GET",
            "/?Action=GetCallerIdentity&Version=2011-06-15",
        )
    };
    expect(&server, &c, Mistake::SessionTokenSigned);
    // The same client adding the token after signing is accepted.
    let c = Broken {
        token: Some("TOKEN"),
        location: SignatureLocation::Query { expires_in: 300 },
        settings: Settings::default().with_session_token(SessionTokenMode::AddAfterSigning),
        ..Broken::new(
            "sts",
            "GET",
            "/?Action=GetCallerIdentity&Version=2011-06-15",
        )
    };
    let r = c.send(&server);
    assert_eq!(r.status, 200, "{}", r.text());
}

/// The string to sign as AWS's SigV4 documentation writes it (the broken client's own, not the
/// signer's writer).
fn string_to_sign(
    amz_date: &str,
    scope: &sigv4_signer::CredentialScope,
    canonical_request_hash: &str,
) -> String {
    format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{canonical_request_hash}")
}
