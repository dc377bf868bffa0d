//! SigV4 verification for your own [`wiremock::MockServer`] (feature `wiremock`, off by
//! default: depend on `mock-aws` with `features = ["wiremock"]`).
//!
//! One line adds verification to a mock:
//!
//! ```no_run
//! # async fn demo() {
//! use mock_aws::config::{EXAMPLE_ACCESS_KEY, EXAMPLE_SECRET};
//! use mock_aws::wiremock::sigv4;
//! use wiremock::matchers::method;
//! use wiremock::{Mock, MockServer, ResponseTemplate};
//!
//! let server = MockServer::start().await;
//! let verifier = sigv4(EXAMPLE_ACCESS_KEY, EXAMPLE_SECRET).region("us-east-1");
//! Mock::given(method("POST"))
//!     .and(verifier.clone())
//!     .respond_with(ResponseTemplate::new(200).set_body_raw("{}", "application/x-amz-json-1.0"))
//!     .mount(&server)
//!     .await;
//! // Requests that fail verification get AWS's error for their protocol (with mock-aws's
//! // reason and diagnosis) instead of wiremock's bare 404:
//! verifier.mount_rejections(&server).await;
//! # }
//! ```
//!
//! [`SigV4Matcher`] is a [`wiremock::Match`]: it matches a request whose signature verifies
//! with [`sigv4_signer::verify::verify`] (header auth or presigned query) and whose session
//! token is the configured one. [`SigV4Matcher::mount_rejections`] mounts, at the lowest
//! priority (255), a mock that matches the requests failing verification and answers them
//! with [`RejectionResponder`], a [`wiremock::Respond`] that builds the error body from
//! mock-aws's error table ([`crate::errors::AUTH_ERRORS`]): `InvalidSignatureException` (JSON),
//! `SignatureDoesNotMatch` (S3 and query), and so on, with the diagnosis of
//! [`sigv4_signer::diagnose::diagnose`] in the message. A request that verifies but that no
//! other mock matched still gets wiremock's usual 404.
//!
//! The service's canonicalisation comes from the credential scope: `s3` uses S3's rules (path
//! encoded once, not normalised), every other service the default ones (encoded twice,
//! normalised); [`SigV4Matcher::settings`] overrides it. Region and service are checked only
//! when set with [`SigV4Matcher::region`] and [`SigV4Matcher::service`].
//!
//! # Limits of wiremock (use the `mock-aws` server where they matter)
//!
//! - **Dot segments are resolved before a matcher sees the URL.** wiremock parses the
//!   request-target into a `url::Url`, which removes `.` and `..` segments (also `%2E`), so
//!   `/a/../b` arrives as `/b`. S3 signs the path as sent, so an S3 key with `.` or `..`
//!   segments fails verification here although AWS would accept it, and a client that
//!   forgot to normalise a non-S3 path is accepted here although AWS would reject it (the
//!   `path-not-normalized` and `path-normalized` diagnoses cannot be made). The url parser
//!   also percent-encodes a few raw characters (space, `"`, `<`, `>`, `'` in the query), which
//!   well-behaved clients never send raw.
//! - **One lock.** wiremock handles each request while holding a write lock on its whole
//!   mock set, so requests are served one at a time: fine for tests, not a load target.
//! - **Memory grows.** Each mounted mock keeps a clone of every request it matched (body
//!   included), whether or not recording is disabled; a long-lived server with many requests
//!   grows without bound (the issue measured 1.45 GB after 330k requests).
//! - Header values reach the matcher as hyper parsed them: leading and trailing whitespace is
//!   already gone, so only inner runs of spaces can show an untrimmed value.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sigv4_signer::diagnose::{diagnose, Diagnosis};
use sigv4_signer::verify::{
    parse_authorization, verify, verify_parsed, AuthKind, Verified, VerifyError, VerifyParams,
    VerifySettings, DEFAULT_MAX_SKEW,
};
use sigv4_signer::SigningTime;
use wiremock::{Match, Mock, MockServer, Respond, ResponseTemplate};

use crate::auth::{failure_message, sent_session_token};
use crate::config::Credential;
use crate::error_body::{error_response_with, s3_auth_details, AuthDetails};
use crate::errors::{aws_error, AwsError, Protocol};
use crate::framing::parse_form;
use crate::message::{request_from_http, Request, Response};
use crate::routing::{detect_parsed, parse};

/// A [`wiremock::Match`] that verifies a request's SigV4 signature.
#[derive(Debug, Clone)]
pub struct SigV4Matcher {
    credentials: Vec<Credential>,
    region: Option<String>,
    service: Option<String>,
    clock: Option<SigningTime>,
    max_skew: u64,
    settings: Option<VerifySettings>,
}

/// A matcher accepting `access_key` / `secret` (no session token); see [`SigV4Matcher`].
pub fn sigv4(access_key: &str, secret: &str) -> SigV4Matcher {
    SigV4Matcher::new([Credential {
        access_key_id: access_key.to_owned(),
        secret: secret.to_owned(),
        session_token: None,
    }])
}

/// Why a request failed verification, and what AWS would answer.
#[derive(Debug, Clone)]
pub struct Rejection {
    /// Service from the credential scope (or guessed from the request's shape).
    pub service: String,
    /// Its wire protocol.
    pub protocol: Protocol,
    /// The AWS error code and status.
    pub error: AwsError,
    /// The verifier's stable code ([`VerifyError::code`]), or `invalid-token`.
    pub verifier_code: String,
    /// The verifier's error (`None` for a wrong session token).
    pub verify_error: Option<VerifyError>,
    /// The mistake that explains a signature mismatch, when one does.
    pub diagnosis: Option<Diagnosis>,
    /// The full message: AWS's wording, then mock-aws's reason and diagnosis.
    pub message: String,
    /// The access key the request named, when its authorization parsed.
    pub access_key: Option<String>,
    /// The signature the request carried.
    pub signature_provided: String,
}

impl Rejection {
    /// The AWS-style error response in the request's protocol; on a signature mismatch every
    /// protocol's error carries the server's `CanonicalRequest` and `StringToSign` and the
    /// diagnosis (S3's as AWS S3 does, the others in fields the SDKs ignore), as the server's.
    pub fn to_response(&self, request_id: &str) -> Response {
        let mut details = AuthDetails::default();
        if let (Some(err), Protocol::S3) = (&self.verify_error, self.protocol) {
            details.s3_xml = s3_auth_details(
                err,
                self.access_key.as_deref(),
                &self.signature_provided,
                self.diagnosis.as_ref(),
            );
        }
        if let Some(VerifyError::SignatureMismatch {
            canonical_request,
            string_to_sign,
        }) = &self.verify_error
        {
            details.access_key = self.access_key.clone();
            details.canonical_request = Some(canonical_request.clone());
            details.string_to_sign = Some(string_to_sign.clone());
            details.signature_provided = Some(self.signature_provided.clone());
        }
        details.diagnosis = self.diagnosis.as_ref().map(ToString::to_string);
        details.diagnosis_code = self.diagnosis.as_ref().map(Diagnosis::code);
        let resp = error_response_with(
            self.protocol,
            self.error,
            &self.message,
            request_id,
            &details,
        );
        if resp.headers.iter().any(|(n, _)| {
            n.eq_ignore_ascii_case("x-amzn-RequestId") || n.eq_ignore_ascii_case("x-amz-request-id")
        }) {
            resp
        } else {
            resp.with_header("x-amzn-RequestId", request_id)
        }
    }
}

/// The request head as the verifier sees it: wiremock's URL (dot segments already resolved,
/// see the module docs) as the target, hyper's headers, and the host from the URL when no
/// `host` header came (HTTP/2 carries it in `:authority`, which wiremock keeps in the URL
/// only). The body stays in wiremock's request, borrowed when verifying.
fn head_of(request: &wiremock::Request) -> Request {
    let url = &request.url;
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let mut head = request_from_http(&request.method, target, &request.headers, Vec::new());
    if head.header("host").is_none() {
        if let Some(host) = url.host_str() {
            let host = match url.port() {
                Some(p) => format!("{host}:{p}"),
                None => host.to_owned(),
            };
            head.headers.push(("host".to_owned(), host));
        }
    }
    head
}

impl SigV4Matcher {
    /// A matcher accepting these credentials. By default: the system clock, a skew of 15
    /// minutes, any region and service, canonicalisation by service (S3's for `s3`).
    pub fn new(credentials: impl IntoIterator<Item = Credential>) -> Self {
        Self {
            credentials: credentials.into_iter().collect(),
            region: None,
            service: None,
            clock: None,
            max_skew: DEFAULT_MAX_SKEW,
            settings: None,
        }
    }

    /// Accepts one more credential.
    pub fn credential(mut self, credential: Credential) -> Self {
        self.credentials.push(credential);
        self
    }

    /// Requires the credential scope to name `region`.
    pub fn region(mut self, region: &str) -> Self {
        self.region = Some(region.to_owned());
        self
    }

    /// Requires the credential scope to name `service`.
    pub fn service(mut self, service: &str) -> Self {
        self.service = Some(service.to_owned());
        self
    }

    /// Freezes the server clock (to replay recorded requests).
    pub fn clock(mut self, now: SigningTime) -> Self {
        self.clock = Some(now);
        self
    }

    /// Allowed clock skew, seconds.
    pub fn max_skew(mut self, seconds: u64) -> Self {
        self.max_skew = seconds;
        self
    }

    /// Canonicalises with `settings` whatever the service.
    pub fn settings(mut self, settings: VerifySettings) -> Self {
        self.settings = Some(settings);
        self
    }

    /// A matcher for the requests that fail verification (the negation of this one).
    pub fn rejected(&self) -> Rejected {
        Rejected(self.clone())
    }

    /// A responder answering a failed request with its AWS-style error.
    pub fn responder(&self) -> RejectionResponder {
        RejectionResponder {
            matcher: self.clone(),
            seq: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Mounts on `server`, at the lowest priority, a mock that answers every request failing
    /// verification with its AWS-style error (see [`RejectionResponder`]).
    pub async fn mount_rejections(&self, server: &MockServer) {
        Mock::given(self.rejected())
            .respond_with(self.responder())
            .with_priority(u8::MAX)
            .named("mock-aws: SigV4 rejections")
            .mount(server)
            .await;
    }

    fn now(&self) -> SigningTime {
        self.clock.unwrap_or_else(|| {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            SigningTime::from_unix_seconds(i64::try_from(secs).unwrap_or(i64::MAX))
        })
    }

    /// Verifies `request`: the signature, then the session token against the credential's.
    pub fn check(&self, request: &wiremock::Request) -> Result<Verified, Box<Rejection>> {
        let head = head_of(request);
        // The authentication is parsed once, for routing and verification.
        let mut signable = head.signable();
        signable.body = &request.body;
        let parsed = parse(&signable);
        let target = detect_parsed(&head, parsed.as_ref().ok());
        let lookup = |ak: &str| {
            self.credentials
                .iter()
                .find(|c| c.access_key_id == ak)
                .map(|c| c.secret.clone())
        };
        let params = VerifyParams::new(self.now(), &lookup)
            .with_max_skew(self.max_skew)
            .with_settings(self.settings.clone().unwrap_or_else(|| {
                if target.service == "s3" {
                    VerifySettings::s3()
                } else {
                    VerifySettings::default()
                }
            }))
            .with_expected_region(self.region.as_deref())
            .with_expected_service(self.service.as_deref());
        let presigned = head.header("authorization").is_none();
        let query = head.target.split_once('?').map_or("", |(_, q)| q);
        let header_auth = parsed
            .as_ref()
            .ok()
            .filter(|a| a.kind() == AuthKind::Header);
        let access_key = match head.header("authorization") {
            // The one Authorization header, parsed above.
            Some(_) if header_auth.is_some() => header_auth.map(|a| a.access_key_id().to_owned()),
            Some(a) => parse_authorization(a).ok().map(|p| p.access_key_id),
            None => parse_form(query)
                .into_iter()
                .find(|(k, _)| k == "X-Amz-Credential")
                .and_then(|(_, v)| v.split('/').next().map(str::to_owned)),
        };
        let signature_provided = match (head.header("authorization"), header_auth) {
            (Some(_), Some(auth)) => auth.signature().to_owned(),
            (Some(a), None) => parse_authorization(a)
                .map(|p| p.signature)
                .unwrap_or_default(),
            (None, _) => parse_form(query)
                .into_iter()
                .find(|(k, _)| k == "X-Amz-Signature")
                .map(|(_, v)| v)
                .unwrap_or_default(),
        };
        let verified = match parsed {
            Ok(auth) => verify_parsed(&signable, auth, &params),
            Err(_) => verify(&signable, &params),
        };
        match verified {
            Err(err) => {
                let diagnosis = match err {
                    VerifyError::SignatureMismatch { .. }
                    | VerifyError::SignedHeaderMissing { .. } => diagnose(&signable, &params),
                    _ => None,
                };
                let code = aws_error(err.code(), target.protocol, presigned);
                let message =
                    failure_message(&err, code, target.protocol, diagnosis.as_ref(), false);
                Err(Box::new(Rejection {
                    service: target.service.into_owned(),
                    protocol: target.protocol,
                    error: code,
                    verifier_code: err.code().to_owned(),
                    verify_error: Some(err),
                    diagnosis,
                    message,
                    access_key,
                    signature_provided,
                }))
            }
            Ok(v) => {
                let sent = sent_session_token(&head);
                let expected = self
                    .credentials
                    .iter()
                    .find(|c| c.access_key_id == v.access_key_id())
                    .and_then(|c| c.session_token.clone());
                if sent == expected {
                    return Ok(v);
                }
                let code = aws_error("invalid-token", target.protocol, presigned);
                let message = format!(
                    "The security token included in the request is invalid. (mock-aws: {})",
                    if expected.is_some() {
                        "this access key needs the session token it was configured with"
                    } else {
                        "this access key was configured without a session token, but the request carries X-Amz-Security-Token"
                    }
                );
                Err(Box::new(Rejection {
                    service: target.service.into_owned(),
                    protocol: target.protocol,
                    error: code,
                    verifier_code: "invalid-token".to_owned(),
                    verify_error: None,
                    diagnosis: None,
                    message,
                    access_key,
                    signature_provided,
                }))
            }
        }
    }
}

impl Match for SigV4Matcher {
    fn matches(&self, request: &wiremock::Request) -> bool {
        self.check(request).is_ok()
    }
}

/// Matches the requests a [`SigV4Matcher`] rejects; from [`SigV4Matcher::rejected`].
#[derive(Debug, Clone)]
pub struct Rejected(SigV4Matcher);

impl Match for Rejected {
    fn matches(&self, request: &wiremock::Request) -> bool {
        self.0.check(request).is_err()
    }
}

/// A [`wiremock::Respond`] answering a request that fails verification with the error AWS
/// gives in its protocol, plus mock-aws's reason and diagnosis. A request that verifies gets
/// a 404 saying that no mock matched it. From [`SigV4Matcher::responder`].
#[derive(Debug, Clone)]
pub struct RejectionResponder {
    matcher: SigV4Matcher,
    seq: Arc<AtomicU64>,
}

/// Converts a mock-aws [`Response`] into a wiremock [`ResponseTemplate`].
pub fn to_template(resp: Response) -> ResponseTemplate {
    let mut content_type = String::new();
    let mut t = ResponseTemplate::new(resp.status);
    for (n, v) in resp.headers {
        if n.eq_ignore_ascii_case("content-type") {
            content_type = v;
        } else if let (Ok(n), Ok(v)) = (
            wiremock::http::HeaderName::try_from(&*n),
            wiremock::http::HeaderValue::try_from(v.as_str()),
        ) {
            t = t.append_header(n, v);
        }
    }
    t.set_body_raw(resp.body, &content_type)
}

impl Respond for RejectionResponder {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let n = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let rid = format!("MOCKAWSWM{n:011X}");
        match self.matcher.check(request) {
            Err(rejection) => to_template(rejection.to_response(&rid)),
            Ok(_) => ResponseTemplate::new(404).set_body_raw(
                "mock-aws: the SigV4 signature verified, but no mock matched this request",
                "text/plain",
            ),
        }
    }
}
