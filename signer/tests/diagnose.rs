//! Each diagnosable mistake, made on purpose by a broken client, is named by the diagnosis.
//!
//! The broken client starts from a correct canonical request, applies one mistake to its
//! text (or to its string to sign or secret), and signs the result with the public
//! building blocks; the server must reject it and name that mistake.

#![allow(clippy::unwrap_used)]

use sigv4_signer::diagnose::{diagnose, diagnose_printed, Mistake};
use sigv4_signer::internal::sha256_hex;
use sigv4_signer::verify::{verify, VerifyParams, VerifySettings};
use sigv4_signer::{
    sign, Credentials, SessionTokenMode, Settings, SignableRequest, SignatureLocation, SigningKey,
    SigningParams, SigningTime,
};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TIME: &str = "2015-08-30T12:36:00Z";

struct Client<'a> {
    request: SignableRequest<'a>,
    location: SignatureLocation,
    settings: Settings,
    token: Option<&'a str>,
    /// Applied to the correct canonical request.
    creq: &'a dyn Fn(String) -> String,
    /// The timestamp the client writes in the string to sign, when not X-Amz-Date's.
    sts_time: Option<&'a str>,
    secret_suffix: &'a str,
}

impl<'a> Client<'a> {
    fn new(request: SignableRequest<'a>) -> Self {
        Self {
            request,
            location: SignatureLocation::Headers,
            settings: Settings::default(),
            token: None,
            creq: &|c| c,
            sts_time: None,
            secret_suffix: "",
        }
    }

    /// The request as the broken client sends it.
    fn send(&self) -> (String, Vec<(String, String)>) {
        let mut creds = Credentials::new("AKIDEXAMPLE", SECRET);
        creds.session_token = self.token.map(str::to_owned);
        let time = SigningTime::parse(TIME).unwrap();
        let params = SigningParams::new(&creds, "us-east-1", "service", time)
            .with_settings(self.settings.clone());
        let out = sign(&self.request, &params, self.location).unwrap();
        let creq = (self.creq)(out.canonical_request().to_owned());
        let sts_time = self.sts_time.map_or_else(|| time.amz_date(), str::to_owned);
        let sts = string_to_sign(&sts_time, out.scope(), &sha256_hex(creq.as_bytes()));
        let secret = format!("{SECRET}{}", self.secret_suffix);
        let sig = SigningKey::derive(
            &secret,
            sigv4_signer::ScopeFields {
                date: "20150830",
                region: "us-east-1",
                service: "service",
            },
        )
        .sign(&sts);
        let signed = out.apply(&self.request);
        let good = out.signature();
        let headers = signed
            .headers
            .into_iter()
            .map(|(n, v)| (n, v.replace(good, &sig)))
            .collect();
        (signed.target.replace(good, &sig), headers)
    }
}

fn server(client: &Client<'_>, settings: VerifySettings) -> (Result<(), String>, Option<Mistake>) {
    let (target, headers) = client.send();
    let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
    let params = VerifyParams::new(SigningTime::parse(TIME).unwrap(), &lookup)
        .with_settings(settings)
        .with_region("us-east-1")
        .with_service("service");
    let req = SignableRequest {
        method: client.request.method,
        target: &target,
        headers: headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect(),
        body: client.request.body,
    };
    let verdict = verify(&req, &params)
        .map(|_| ())
        .map_err(|e| e.code().to_owned());
    let found = diagnose(&req, &params).map(|d| {
        assert!(d.mistakes.len() <= 1, "{d:?}");
        d.mistakes.first().cloned()
    });
    (verdict, found.flatten())
}

fn expect(client: &Client<'_>, settings: VerifySettings, mistake: Mistake) {
    let (verdict, found) = server(client, settings);
    assert_eq!(
        verdict,
        Err("signature-mismatch".to_owned()),
        "{mistake:?} must be rejected"
    );
    assert_eq!(found, Some(mistake));
}

fn req(target: &str) -> SignableRequest<'_> {
    SignableRequest::new("GET", target).header("Host", "example.amazonaws.com")
}

#[test]
fn a_correct_client_verifies_and_has_no_diagnosis() {
    let c = Client::new(req("/a%3Ab?b=1&a=2"));
    assert_eq!(server(&c, VerifySettings::default()), (Ok(()), None));
}

#[test]
fn path_mistakes() {
    let c = Client {
        creq: &|c| c.replace("/a%253Ab", "/a%3Ab"),
        ..Client::new(req("/a%3Ab"))
    };
    expect(&c, VerifySettings::default(), Mistake::PathEncodedOnce);

    let c = Client {
        settings: Settings::s3(),
        creq: &|c| c.replace("/a%3Ab", "/a%253Ab"),
        ..Client::new(req("/a%3Ab"))
    };
    expect(&c, VerifySettings::s3(), Mistake::PathEncodedTwice);

    let c = Client {
        creq: &|c| c.replace("\n/a/b\n", "\n/a/./b\n"),
        ..Client::new(req("/a/./b"))
    };
    expect(&c, VerifySettings::default(), Mistake::PathNotNormalized);

    let c = Client {
        settings: Settings::s3(),
        creq: &|c| c.replace("\n/a/./b\n", "\n/a/b\n"),
        ..Client::new(req("/a/./b"))
    };
    expect(&c, VerifySettings::s3(), Mistake::PathNormalized);
}

/// curl 7.88's `--aws-sigv4` signs the path as it is on the wire (its README in
/// harness/adapters/curl: "the path is signed as sent"): a raw `:` stays `:`, an encoded
/// `%20` stays `%20`. The broken client here does the same to the correct canonical request.
#[test]
fn a_path_signed_as_sent_is_named() {
    // Only a raw reserved character: single encoding gives the rule's text, so only the path
    // as sent explains it.
    let c = Client {
        creq: &|c| c.replace("\n/a%3Ab\n", "\n/a:b\n"),
        ..Client::new(req("/a:b"))
    };
    expect(&c, VerifySettings::default(), Mistake::PathNotEncoded);
    // An API Gateway path with an encoded space and a raw colon (vector
    // execute-api-get-path-spaces-colons): the rule signs `%2520` and `%3A`.
    let c = Client {
        creq: &|c| {
            c.replace(
                "\n/prod/my%2520items/id%3A42\n",
                "\n/prod/my%20items/id:42\n",
            )
        },
        ..Client::new(req("/prod/my%20items/id:42"))
    };
    expect(&c, VerifySettings::default(), Mistake::PathNotEncoded);
    // With only the encoded space, as sent is encoding once.
    let c = Client {
        creq: &|c| c.replace("\n/my%2520items\n", "\n/my%20items\n"),
        ..Client::new(req("/my%20items"))
    };
    expect(&c, VerifySettings::default(), Mistake::PathEncodedOnce);
}

/// The printout of a client names its mistake without a signature: the broken client's
/// canonical request (or string to sign) against the variants.
#[test]
fn a_printed_canonical_request_names_the_mistake() {
    let c = Client {
        creq: &|c| c.replace("a=2&b=1", "b=1&a=2"),
        ..Client::new(req("/?b=1&a=2"))
    };
    let (target, headers) = c.send();
    let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
    let params = VerifyParams::new(SigningTime::parse(TIME).unwrap(), &lookup);
    let r = received(&target, &headers);
    let good = verify(&r, &params).unwrap_err();
    let sigv4_signer::verify::VerifyError::SignatureMismatch {
        canonical_request, ..
    } = good
    else {
        panic!("{good:?}")
    };
    let theirs = canonical_request.replace("a=2&b=1", "b=1&a=2");
    let d = diagnose_printed(&r, &params, Some(&theirs), None).unwrap();
    assert_eq!(d.mistakes, vec![Mistake::QueryNotSorted]);
    assert_eq!(d.canonical_request.as_deref(), Some(theirs.as_str()));
    // Their string to sign alone pins the same canonical request through its hash.
    let sts = string_to_sign(
        "20150830T123600Z",
        &sigv4_signer::CredentialScope::new(
            SigningTime::parse(TIME).unwrap(),
            "us-east-1",
            "service",
        )
        .unwrap(),
        &sha256_hex(theirs.as_bytes()),
    );
    let d = diagnose_printed(&r, &params, None, Some(&sts)).unwrap();
    assert_eq!(d.mistakes, vec![Mistake::QueryNotSorted]);
    // The server's own text is no mistake; a text no variant writes is unexplained.
    assert_eq!(
        diagnose_printed(&r, &params, Some(&canonical_request), None),
        None
    );
    let d = diagnose_printed(&r, &params, Some("PUT\n/"), None).unwrap();
    assert!(!d.is_explained());
}

#[test]
fn query_mistakes() {
    let c = Client {
        creq: &|c| c.replace("a=2&b=1", "b=1&a=2"),
        ..Client::new(req("/?b=1&a=2"))
    };
    expect(&c, VerifySettings::default(), Mistake::QueryNotSorted);

    let c = Client {
        creq: &|c| c.replace("a=b%20c", "a=b+c"),
        ..Client::new(req("/?a=b%20c"))
    };
    expect(&c, VerifySettings::default(), Mistake::QueryPlusForSpace);

    let c = Client {
        creq: &|c| c.replace("a=%2F", "a=%2f"),
        ..Client::new(req("/?a=%2f"))
    };
    expect(&c, VerifySettings::default(), Mistake::QueryLowercaseHex);

    let c = Client {
        creq: &|c| c.replace("a=b%20c", "a=b%2Bc"),
        ..Client::new(req("/?a=b+c"))
    };
    expect(&c, VerifySettings::default(), Mistake::QueryPlusAsLiteral);
    // S3 reads a raw '+' both ways, so the same request is accepted there.
    let c = Client {
        settings: Settings::s3(),
        creq: &|c| c.replace("a=b%20c", "a=b%2Bc"),
        ..Client::new(req("/?a=b+c"))
    };
    assert_eq!(server(&c, VerifySettings::s3()).0, Ok(()));
}

#[test]
fn header_mistakes() {
    let c = Client {
        creq: &|c| c.replace("x-a:a b", "x-a:  a   b "),
        ..Client::new(req("/").header("X-A", "  a   b "))
    };
    expect(
        &c,
        VerifySettings::default(),
        Mistake::HeaderValuesNotTrimmed {
            names: vec!["x-a".to_owned()],
        },
    );

    let c = Client {
        creq: &|c| c.replace("x-a:1,2", "x-a:1\nx-a:2"),
        ..Client::new(req("/").header("X-A", "1").header("x-a", "2"))
    };
    expect(
        &c,
        VerifySettings::default(),
        Mistake::RepeatedHeadersNotJoined {
            names: vec!["x-a".to_owned()],
        },
    );
}

/// The header mistakes name the headers they touched, and only those: a header whose value
/// is canonical already is not named, and a style that changes no header is not tried.
#[test]
fn header_mistakes_name_their_headers() {
    let c = Client {
        creq: &|c| {
            c.replace("x-b:b c", "x-b:b  c")
                .replace("x-d:d e", "x-d:d   e")
        },
        ..Client::new(
            req("/")
                .header("X-B", "b  c")
                .header("X-C", "plain")
                .header("X-D", "d   e"),
        )
    };
    let names = vec!["x-b".to_owned(), "x-d".to_owned()];
    expect(
        &c,
        VerifySettings::default(),
        Mistake::HeaderValuesNotTrimmed {
            names: names.clone(),
        },
    );
    let sentence = Mistake::HeaderValuesNotTrimmed { names }.to_string();
    assert!(
        sentence.contains("header values (in x-b and x-d);"),
        "{sentence}"
    );

    // botocore's rule: every whitespace run, a tab too, collapsed to one space (AWS's keeps
    // the tab; see the `header-tabs-collapsed` row of docs/diagnosis.md).
    let c = Client {
        creq: &|c| c.replace("x-t:a\tb", "x-t:a b"),
        ..Client::new(req("/").header("X-T", "a\tb").header("X-U", "u"))
    };
    expect(
        &c,
        VerifySettings::default(),
        Mistake::HeaderTabsCollapsed {
            names: vec!["x-t".to_owned()],
        },
    );
}

#[test]
fn payload_mistakes() {
    let r = req("/").body(b"hello");
    let c = Client {
        creq: &|c| c.replace(&sha256_hex(b"hello"), sigv4_signer::internal::EMPTY_SHA256),
        ..Client::new(r.clone())
    };
    expect(
        &c,
        VerifySettings::default(),
        Mistake::PayloadHashOfEmptyBody,
    );
    let c = Client {
        creq: &|c| c.replace(&sha256_hex(b"hello"), "UNSIGNED-PAYLOAD"),
        ..Client::new(r)
    };
    expect(&c, VerifySettings::default(), Mistake::PayloadUnsigned);
}

#[test]
fn session_token_mistakes() {
    let presign = SignatureLocation::Query { expires_in: 300 };
    // The service takes the token unsigned; the client signed it.
    let c = Client {
        location: presign,
        token: Some("TOKEN"),
        ..Client::new(req("/"))
    };
    let unsigned_token = VerifySettings::from(
        sigv4_signer::Settings::default().with_session_token(SessionTokenMode::AddAfterSigning),
    );
    expect(&c, unsigned_token, Mistake::SessionTokenSigned);
    // The service signs the token; the client left it out.
    let c = Client {
        location: presign,
        token: Some("TOKEN"),
        settings: Settings::default().with_session_token(SessionTokenMode::AddAfterSigning),
        ..Client::new(req("/"))
    };
    expect(
        &c,
        VerifySettings::default(),
        Mistake::SessionTokenNotSigned,
    );
}

#[test]
fn date_mistakes() {
    let r = req("/").header("Date", "Sun, 30 Aug 2015 12:37:00 GMT");
    let c = Client {
        sts_time: Some("20150830T123700Z"),
        ..Client::new(r)
    };
    expect(&c, VerifySettings::default(), Mistake::DateInsteadOfAmzDate);
}

#[test]
fn secret_mistakes() {
    let c = Client {
        secret_suffix: "\n",
        ..Client::new(req("/"))
    };
    expect(
        &c,
        VerifySettings::default(),
        Mistake::SecretTrailingNewline,
    );
    let c = Client {
        secret_suffix: " ",
        ..Client::new(req("/"))
    };
    expect(&c, VerifySettings::default(), Mistake::SecretTrailingSpace);
}

#[test]
fn unexplained_mismatches_have_no_diagnosis() {
    let c = Client {
        creq: &|c| c.replace("GET", "PUT"),
        ..Client::new(req("/"))
    };
    let (verdict, found) = server(&c, VerifySettings::default());
    assert_eq!(verdict, Err("signature-mismatch".to_owned()));
    assert_eq!(found, None);
}

#[test]
fn an_unexplained_mismatch_says_what_was_tried_and_what_is_likely() {
    let c = Client {
        creq: &|c| c.replace("GET", "PUT"),
        ..Client::new(req("/"))
    };
    let (target, headers) = c.send();
    let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
    let params = VerifyParams::new(SigningTime::parse(TIME).unwrap(), &lookup);
    let r = received(&target, &headers);
    let d = diagnose(&r, &params).expect("a mismatch gets a diagnosis");
    assert!(!d.is_explained());
    assert_eq!(d.code(), "unexplained");
    assert!(d.tried > 20, "{d:?}");
    let text = d.to_string();
    assert!(
        text.contains("secret access key") && text.contains("canonical request"),
        "{text}"
    );
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

/// The whole diagnosis of what `client` sends.
fn diagnosis(client: &Client<'_>, settings: VerifySettings) -> sigv4_signer::diagnose::Diagnosis {
    let (target, headers) = client.send();
    let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
    let params = VerifyParams::new(SigningTime::parse(TIME).unwrap(), &lookup)
        .with_settings(settings)
        .with_region("us-east-1")
        .with_service("service");
    let req = SignableRequest {
        method: client.request.method,
        target: &target,
        headers: headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect(),
        body: client.request.body,
    };
    assert!(
        verify(&req, &params).is_err(),
        "the broken client must be rejected"
    );
    diagnose(&req, &params).expect("a rejected request gets a diagnosis")
}

#[test]
fn a_header_changed_after_signing_is_named_with_both_values() {
    // The client signed `application/json`; its HTTP library sent it with a charset.
    let c = Client {
        creq: &|c| {
            c.replace(
                "content-type:application/json; charset=utf-8",
                "content-type:application/json",
            )
        },
        ..Client::new(req("/").header("Content-Type", "application/json; charset=utf-8"))
    };
    let d = diagnosis(&c, VerifySettings::default());
    assert_eq!(
        d.mistakes,
        vec![Mistake::HeaderChangedAfterSigning {
            name: "content-type".into(),
            signed: "application/json".into(),
            sent: "application/json; charset=utf-8".into(),
        }]
    );
}

#[test]
fn a_host_signed_with_a_port_is_named() {
    let c = Client {
        creq: &|c| {
            c.replace(
                "host:example.amazonaws.com",
                "host:example.amazonaws.com:443",
            )
        },
        ..Client::new(req("/"))
    };
    let d = diagnosis(&c, VerifySettings::default());
    assert_eq!(
        d.mistakes,
        vec![Mistake::HostPortMismatch {
            signed: "example.amazonaws.com:443".into(),
            sent: "example.amazonaws.com".into(),
        }]
    );
}

#[test]
fn outer_whitespace_the_server_never_saw_is_found() {
    // The client signed "  my   note  " untrimmed; the HTTP layer sent "my   note".
    let c = Client {
        creq: &|c| c.replace("x-note:my note", "x-note:  my   note  "),
        ..Client::new(req("/").header("X-Note", "my   note"))
    };
    let d = diagnosis(&c, VerifySettings::default());
    assert_eq!(
        d.mistakes,
        vec![Mistake::HeaderValuePadded {
            name: "x-note".into(),
            signed: "  my   note  ".into(),
        }]
    );
}

#[test]
fn two_mistakes_at_once_are_both_named() {
    let c = Client {
        creq: &|c| {
            c.replace("/a%253Ab", "/a%3Ab")
                .replace("a=2&b=1", "b=1&a=2")
        },
        ..Client::new(req("/a%3Ab?b=1&a=2"))
    };
    let d = diagnosis(&c, VerifySettings::default());
    assert_eq!(
        d.mistakes,
        vec![Mistake::PathEncodedOnce, Mistake::QueryNotSorted],
        "{d}"
    );
    assert!(d.to_string().starts_with("two mistakes at once"), "{d}");
}

#[test]
fn a_reading_s3_accepts_is_never_named_a_mistake() {
    // S3 rules; the client encoded the path twice and read a raw `+` as a plus sign, which S3
    // accepts: only the path is a mistake.
    let c = Client {
        settings: Settings::s3(),
        creq: &|c| {
            c.replace("/p%20q", "/p%2520q")
                .replace("x=a%20b", "x=a%2Bb")
        },
        ..Client::new(req("/p%20q?x=a+b"))
    };
    let d = diagnosis(&c, VerifySettings::s3());
    assert_eq!(d.mistakes, vec![Mistake::PathEncodedTwice], "{d}");
}

#[test]
fn a_signed_header_not_sent_is_named() {
    let c = Client::new(req("/").header("X-Gone", "1"));
    let (target, headers) = c.send();
    let headers: Vec<(String, String)> = headers
        .into_iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("x-gone"))
        .collect();
    let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
    let params = VerifyParams::new(SigningTime::parse(TIME).unwrap(), &lookup);
    let r = received(&target, &headers);
    let d = diagnose(&r, &params).expect("diagnosed");
    assert_eq!(
        d.mistakes,
        vec![Mistake::SignedHeaderNotSent {
            name: "x-gone".into()
        }]
    );
}

#[test]
fn the_work_of_a_diagnosis_is_bounded_whatever_the_request() {
    // Many signed headers and a mismatch nothing explains: the search stops at its budget.
    let names: Vec<String> = (0..90).map(|i| format!("X-H{i}")).collect();
    let mut r = req("/");
    for n in &names {
        r = r.header(n, "v");
    }
    let c = Client {
        creq: &|c| c.replace("GET", "PUT"),
        ..Client::new(r)
    };
    let d = diagnosis(&c, VerifySettings::default());
    assert!(!d.is_explained());
    assert!(
        d.tried <= sigv4_signer::diagnose::MAX_VARIANTS,
        "{} variants tried",
        d.tried
    );
}

#[test]
fn a_signed_headers_list_naming_a_header_twice_is_malformed() {
    let c = Client::new(req("/"));
    let (target, mut headers) = c.send();
    for (n, v) in &mut headers {
        if n == "Authorization" {
            *v = v.replace("SignedHeaders=host;", "SignedHeaders=host;host;");
        }
    }
    let lookup = |k: &str| (k == "AKIDEXAMPLE").then(|| SECRET.to_owned());
    let params = VerifyParams::new(SigningTime::parse(TIME).unwrap(), &lookup);
    let r = received(&target, &headers);
    assert_eq!(
        verify(&r, &params).map(|_| ()).map_err(|e| e.code()),
        Err("malformed-authorization")
    );
}

/// A bodiless GET as the server receives it.
fn received<'a>(target: &'a str, headers: &'a [(String, String)]) -> SignableRequest<'a> {
    SignableRequest {
        method: "GET",
        target,
        headers: headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect(),
        body: b"",
    }
}
