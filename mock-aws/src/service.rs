//! The transport-agnostic core: a request in, a response out, state in memory.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::Serialize;
use sigv4_signer::chunked::{
    ChunkSigner, ChunkedDecoder, ChunkedError, DecodeLimits, StreamingMode,
};
use sigv4_signer::diagnose::diagnose;
use sigv4_signer::v4a::{verify_with_key, V4aPublicKey, V4aSigningKey};
use sigv4_signer::verify::Verified;
use sigv4_signer::verify::{
    parse_request_auth, VerifyError, VerifyParams, VerifySettings, DEFAULT_MAX_SKEW,
};
use sigv4_signer::{SessionTokenMode, Settings, SigningTime};

use crate::errors::{aws_error, aws_message, chunked_error, AwsError, Protocol};
use crate::util::{parse_form, percent_decode, spaced_hex, xml_escape};
use crate::{dynamodb, ec2, iam, kinesis, s3, sts};

/// AWS's documented example key pair, accepted by default.
pub const EXAMPLE_ACCESS_KEY: &str = "AKIDEXAMPLE";
/// The secret of [`EXAMPLE_ACCESS_KEY`].
pub const EXAMPLE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// The account every identity belongs to.
pub const ACCOUNT_ID: &str = "123456789012";

/// One accepted credential.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret: String,
    /// Session token the requests must carry, if any.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl Credential {
    /// Parses `AKID:SECRET[:TOKEN]`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut parts = s.splitn(3, ':');
        let (Some(ak), Some(secret)) = (parts.next(), parts.next()) else {
            return Err(format!("{s:?} is not AKID:SECRET[:TOKEN]"));
        };
        if ak.is_empty() || secret.is_empty() {
            return Err(format!("{s:?} is not AKID:SECRET[:TOKEN]"));
        }
        Ok(Self {
            access_key_id: ak.to_owned(),
            secret: secret.to_owned(),
            session_token: parts.next().filter(|t| !t.is_empty()).map(str::to_owned),
        })
    }

    /// AWS's example pair.
    pub fn example() -> Self {
        Self {
            access_key_id: EXAMPLE_ACCESS_KEY.to_owned(),
            secret: EXAMPLE_SECRET.to_owned(),
            session_token: None,
        }
    }
}

/// Settings of a [`Service`].
#[derive(Debug, Clone)]
pub struct Config {
    /// Accepted credentials.
    pub credentials: Vec<Credential>,
    /// The region every endpoint serves.
    pub region: String,
    /// A frozen clock; `None` reads the system clock.
    pub clock: Option<SigningTime>,
    /// Allowed skew, seconds.
    pub max_skew: u64,
    /// Largest body accepted, bytes.
    pub max_body: usize,
    /// How many verdicts are kept.
    pub verdict_capacity: usize,
    /// Whether clients must sign `X-Amz-Security-Token` (`Include`: STS, DynamoDB, S3 and
    /// most services) or add it after signing (`AddAfterSigning`: what AWS IoT expects of
    /// presigned WebSocket URLs, aws4#30, aws-c-auth#34).
    pub session_token: SessionTokenMode,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            credentials: vec![Credential::example()],
            region: "us-east-1".to_owned(),
            clock: None,
            max_skew: DEFAULT_MAX_SKEW,
            max_body: 16 * 1024 * 1024,
            verdict_capacity: 1000,
            session_token: SessionTokenMode::Include,
        }
    }
}

/// A request as received: the raw request-target exactly as on the wire, headers in arrival
/// order, the body.
pub use sigv4_signer::internal::OwnedRequest as Request;

/// A response to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with a content type.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: body.into(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// What happened to one request.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Verdict {
    /// Sequence number since start (or the last reset), from 1.
    pub seq: u64,
    /// Method.
    pub method: String,
    /// Raw request-target.
    pub path: String,
    /// Access key of the credential, when it parsed.
    pub access_key: Option<String>,
    /// Service (from the credential scope, or guessed).
    pub service: String,
    /// Operation, when known.
    pub operation: Option<String>,
    /// `accepted` or `rejected`.
    pub outcome: &'static str,
    /// HTTP status answered.
    pub status: u16,
    /// AWS error code answered.
    pub error_code: Option<String>,
    /// The verifier's stable code.
    pub verifier_code: Option<String>,
    /// The diagnosis sentence, on a signature mismatch that a known mistake explains.
    pub diagnosis: Option<String>,
    /// The diagnosis's stable code.
    pub diagnosis_code: Option<String>,
    /// The canonical request the server computed.
    pub canonical_request: Option<String>,
    /// For an `aws-chunked` body: its mode and what was verified (or why it failed).
    pub streaming: Option<String>,
}

/// The in-memory state of the services.
#[derive(Debug, Default)]
pub struct State {
    /// DynamoDB tables.
    pub dynamodb: dynamodb::Tables,
    /// S3 buckets.
    pub s3: s3::Buckets,
    /// Kinesis streams.
    pub kinesis: kinesis::Streams,
    /// IAM users.
    pub iam: iam::Users,
}

#[derive(Debug, Default)]
struct Verdicts {
    recent: VecDeque<Verdict>,
    total: u64,
    accepted: u64,
    rejected: u64,
}

/// Everything a service operation needs.
pub struct Ctx<'a> {
    /// The request.
    pub req: &'a Request,
    /// The state (locked).
    pub state: &'a mut State,
    /// Access key of the caller.
    pub access_key: &'a str,
    /// Region.
    pub region: &'a str,
    /// Request id.
    pub request_id: &'a str,
    /// Now, seconds since the epoch.
    pub now: i64,
}

/// The fake AWS.
#[derive(Debug)]
pub struct Service {
    config: Config,
    state: Mutex<State>,
    verdicts: Mutex<Verdicts>,
    seq: AtomicU64,
    /// SigV4a public keys derived from the configured credentials, by access key id.
    v4a_keys: Mutex<HashMap<String, V4aPublicKey>>,
}

/// Which service and protocol a request is for, before verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Service name (`s3`, `dynamodb`, `sts`, ...).
    pub service: String,
    /// Its protocol.
    pub protocol: Protocol,
}

fn protocol_of(service: &str, req: &Request) -> Protocol {
    match service {
        "s3" => Protocol::S3,
        "dynamodb" => Protocol::Json { version: "1.0" },
        "kinesis" => Protocol::Json { version: "1.1" },
        "ec2" => Protocol::Ec2,
        "sts" | "iam" => Protocol::Query,
        _ => match req.header("content-type") {
            Some(ct) if ct.contains("x-amz-json-1.1") => Protocol::Json { version: "1.1" },
            _ if req.header("x-amz-target").is_some() => Protocol::Json { version: "1.0" },
            _ => Protocol::Query,
        },
    }
}

/// The service named by the request's credential scope, else a guess from its shape.
pub fn detect(req: &Request) -> Target {
    let scoped = parse_request_auth(&req.signable())
        .ok()
        .map(|p| p.scope.service);
    let service = scoped.unwrap_or_else(|| match req.header("x-amz-target") {
        Some(t) if t.starts_with("Kinesis_") => "kinesis".to_owned(),
        Some(_) => "dynamodb".to_owned(),
        None => {
            let is_form = req
                .header("content-type")
                .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
            let params = query_params(req);
            let version = params
                .iter()
                .find(|(k, _)| k == "Version")
                .map(|(_, v)| v.as_str());
            match version {
                Some("2016-11-15") => "ec2".to_owned(),
                Some("2010-05-08") => "iam".to_owned(),
                _ if is_form || params.iter().any(|(k, _)| k == "Action") => "sts".to_owned(),
                _ => "s3".to_owned(),
            }
        }
    });
    let protocol = protocol_of(&service, req);
    Target { service, protocol }
}

/// An AWS error response in `protocol`'s wire shape.
pub fn error_response(
    protocol: Protocol,
    err: AwsError,
    message: &str,
    request_id: &str,
    extra_xml: &str,
) -> Response {
    match protocol {
        Protocol::Json { version } => {
            let body = serde_json::json!({
                "__type": format!("com.amazon.coral.service#{}", err.code),
                "message": message,
            });
            Response::new(
                err.status,
                &format!("application/x-amz-json-{version}"),
                body.to_string(),
            )
            .with_header("x-amzn-ErrorType", err.code)
            .with_header("x-amzn-RequestId", request_id)
        }
        Protocol::Query => Response::new(
            err.status,
            "text/xml",
            format!(
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
                err.code,
                xml_escape(message),
                request_id
            ),
        )
        .with_header("x-amzn-RequestId", request_id),
        Protocol::Ec2 => Response::new(
            err.status,
            "text/xml;charset=UTF-8",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{}</Code><Message>{}</Message></Error></Errors><RequestID>{}</RequestID></Response>",
                err.code,
                xml_escape(message),
                request_id
            ),
        )
        .with_header("x-amzn-RequestId", request_id),
        Protocol::S3 => Response::new(
            err.status,
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message>{extra_xml}<RequestId>{}</RequestId><HostId>mock-aws</HostId></Error>",
                err.code,
                xml_escape(message),
                request_id
            ),
        )
        .with_header("x-amz-request-id", request_id),
    }
}

/// The outcome of an operation: a response, or an AWS error with its message.
pub type OpResult = Result<Response, (AwsError, String)>;

/// What a service's `handle` answers: the operation name, when known, and its result.
pub type Answer = (Option<String>, OpResult);

/// The query protocols' (STS, IAM, EC2) framing: the parameters (query string, or the form
/// body of a POST) and their `Action`; without an `Action`, the answer to give.
pub fn query_action(req: &Request) -> Result<(String, Vec<(String, String)>), Answer> {
    let params = query_params(req);
    match params
        .iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.clone())
    {
        Some(action) => Ok((action, params)),
        None => Err((
            None,
            Err((
                AwsError {
                    code: "MissingAction",
                    status: 400,
                },
                "The request must contain the parameter Action.".to_owned(),
            )),
        )),
    }
}

/// The JSON protocols' (DynamoDB, Kinesis) framing: the operation from `X-Amz-Target`
/// (`PREFIX` + name) and the body as a JSON object; on failure, the answer to give.
pub fn json_operation(ctx: &Ctx<'_>, prefix: &str) -> Result<(String, serde_json::Value), Answer> {
    let err = |code: &'static str, msg: String| Err((AwsError { code, status: 400 }, msg));
    let Some(op) = ctx
        .req
        .header("x-amz-target")
        .and_then(|t| t.strip_prefix(prefix))
        .map(str::to_owned)
    else {
        return Err((
            None,
            err(
                "UnknownOperationException",
                format!("The X-Amz-Target header must be {prefix}<Operation>"),
            ),
        ));
    };
    match serde_json::from_slice(&ctx.req.body) {
        Ok(v @ serde_json::Value::Object(_)) => Ok((op, v)),
        _ => Err((
            Some(op),
            err(
                "SerializationException",
                "The request body is not a JSON object".to_owned(),
            ),
        )),
    }
}

impl Service {
    /// A service with `config`.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            state: Mutex::new(State::default()),
            verdicts: Mutex::new(Verdicts::default()),
            seq: AtomicU64::new(0),
            v4a_keys: Mutex::new(HashMap::new()),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn now(&self) -> SigningTime {
        self.config.clock.unwrap_or_else(|| {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            SigningTime::from_unix_seconds(i64::try_from(secs).unwrap_or(i64::MAX))
        })
    }

    fn request_id(&self) -> (u64, String) {
        let n = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        (n, format!("MOCKAWS{n:013X}"))
    }

    fn record(&self, v: Verdict) {
        let mut vs = self.verdicts.lock().unwrap_or_else(|p| p.into_inner());
        vs.total += 1;
        if v.outcome == "accepted" {
            vs.accepted += 1;
        } else {
            vs.rejected += 1;
        }
        if vs.recent.len() >= self.config.verdict_capacity.max(1) {
            vs.recent.pop_front();
        }
        vs.recent.push_back(v);
    }

    /// Whether `req` is for the inspection endpoints (`/_mock-aws/...`).
    pub fn is_internal(target: &str) -> bool {
        target.starts_with("/_mock-aws/")
    }

    fn internal(&self, req: &Request) -> Response {
        let (path, _) = req.path_and_query().unwrap_or_default();
        match (req.method.as_str(), path) {
            ("GET", "/_mock-aws/verdicts") => {
                let vs = self.verdicts.lock().unwrap_or_else(|p| p.into_inner());
                let body = serde_json::json!({
                    "total": vs.total,
                    "accepted": vs.accepted,
                    "rejected": vs.rejected,
                    "capacity": self.config.verdict_capacity,
                    "verdicts": vs.recent,
                });
                Response::new(200, "application/json", body.to_string())
            }
            ("POST", "/_mock-aws/reset") => {
                *self.state.lock().unwrap_or_else(|p| p.into_inner()) = State::default();
                *self.verdicts.lock().unwrap_or_else(|p| p.into_inner()) = Verdicts::default();
                Response::new(200, "application/json", "{\"reset\":true}")
            }
            _ => Response::new(
                404,
                "application/json",
                "{\"error\":\"unknown inspection endpoint; GET /_mock-aws/verdicts or POST /_mock-aws/reset\"}",
            ),
        }
    }

    /// Answers a request whose body is over `max_body`, without reading it.
    pub fn too_large(&self, req: &Request) -> (Response, Verdict) {
        let target = detect(req);
        let (seq, rid) = self.request_id();
        let err = aws_error("request-too-large", target.protocol, false);
        let msg = format!(
            "Your request body is larger than the {} bytes this mock-aws accepts (--max-body).",
            self.config.max_body
        );
        let resp = error_response(target.protocol, err, &msg, &rid, "");
        let v = Verdict {
            seq,
            method: req.method.clone(),
            path: req.target.clone(),
            access_key: None,
            service: target.service,
            operation: None,
            outcome: "rejected",
            status: resp.status,
            error_code: Some(err.code.to_owned()),
            verifier_code: Some("request-too-large".to_owned()),
            diagnosis: None,
            diagnosis_code: None,
            canonical_request: None,
            streaming: None,
        };
        self.record(v.clone());
        (resp, v)
    }

    /// The SigV4a public key of a configured access key, derived once and cached (the key
    /// depends on the access key id and secret only).
    fn v4a_key(&self, access_key_id: &str) -> Option<V4aPublicKey> {
        let mut keys = match self.v4a_keys.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(k) = keys.get(access_key_id) {
            return Some(*k);
        }
        let c = self
            .config
            .credentials
            .iter()
            .find(|c| c.access_key_id == access_key_id)?;
        let key = V4aSigningKey::derive(&c.access_key_id, &c.secret)
            .ok()?
            .public_key();
        keys.insert(access_key_id.to_owned(), key);
        Some(key)
    }

    /// Handles one request. The verdict is `None` for the inspection endpoints.
    ///
    /// An S3 request whose `x-amz-content-sha256` names a streaming mode has its body (already
    /// in memory here) decoded and verified as `aws-chunked`; a server that reads the body in
    /// pieces uses [`Service::begin_chunked`] instead.
    pub fn handle(&self, req: &Request) -> (Response, Option<Verdict>) {
        if Self::is_internal(&req.target) {
            return (self.internal(req), None);
        }
        let auth = match self.authenticate(req) {
            Ok(a) => a,
            Err(done) => return done,
        };
        if auth.target.service == "s3" && chunked_mode(req).is_some() {
            let mut upload = match self.chunked_upload(req, auth) {
                Ok(u) => u,
                Err(done) => return done,
            };
            upload.push(&req.body);
            return self.finish_chunked(req, upload);
        }
        self.dispatch(req, auth)
    }

    /// Verifies the signature (and session token) of `req`; on failure, the answer.
    // The `Err` is the complete answer, made once per request: boxing it buys nothing.
    #[allow(clippy::result_large_err)]
    fn authenticate(&self, req: &Request) -> Result<Authenticated, (Response, Option<Verdict>)> {
        let target = detect(req);
        let (seq, rid) = self.request_id();
        let now = self.now();
        let lookup = |ak: &str| {
            self.config
                .credentials
                .iter()
                .find(|c| c.access_key_id == ak)
                .map(|c| c.secret.clone())
        };
        let params = VerifyParams::new(now, &lookup)
            .with_max_skew(self.config.max_skew)
            .with_settings({
                let s3 = target.service == "s3";
                let rules = if s3 {
                    Settings::s3_presigned()
                } else {
                    Settings::default()
                };
                VerifySettings::from(rules.with_session_token(self.config.session_token))
                    .with_literal_plus(s3)
            })
            .with_region(if target.service == "iam" {
                "us-east-1"
            } else {
                &self.config.region
            });
        let signable = req.signable();
        let presigned = req.header("authorization").is_none();
        let mut verdict = Verdict {
            seq,
            method: req.method.clone(),
            path: req.target.clone(),
            access_key: None,
            service: target.service.clone(),
            operation: None,
            outcome: "rejected",
            status: 0,
            error_code: None,
            verifier_code: None,
            diagnosis: None,
            diagnosis_code: None,
            canonical_request: None,
            streaming: None,
        };
        // SigV4 and SigV4a alike; SigV4a under the cached public key.
        match verify_with_key(&signable, &params, &|ak| self.v4a_key(ak)) {
            Err(err) => {
                verdict.access_key = parse_request_auth(&signable).ok().map(|p| p.access_key_id);
                let mistake = match err {
                    VerifyError::SignatureMismatch { .. }
                    | VerifyError::SignedHeaderMissing { .. } => diagnose(&signable, &params),
                    _ => None,
                };
                let code = aws_error(err.code(), target.protocol, presigned);
                let mut msg = aws_message(&err, code, target.protocol);
                let mut notes = Vec::new();
                if !matches!(err, VerifyError::SignatureMismatch { .. }) {
                    notes.push(err.to_string());
                }
                if let Some(m) = &mistake {
                    notes.push(format!("diagnosis: {m}"));
                }
                if is_sigv2(req) {
                    notes.push("this request is signed with Signature Version 2 (AWSAccessKeyId/Signature/Expires or `Authorization: AWS AK:sig`), which mock-aws does not verify: sign with SigV4 (boto3: Config(signature_version=\"s3v4\"))".to_owned());
                }
                if !notes.is_empty() {
                    msg.push_str(&format!(" (mock-aws: {})", notes.join("; ")));
                }
                let mut extra = String::new();
                if let VerifyError::SignatureMismatch {
                    canonical_request,
                    string_to_sign,
                } = &err
                {
                    verdict.canonical_request = Some(canonical_request.clone());
                    if target.protocol == Protocol::S3 {
                        extra = format!(
                            "<AWSAccessKeyId>{}</AWSAccessKeyId><StringToSign>{}</StringToSign><SignatureProvided>{}</SignatureProvided><StringToSignBytes>{}</StringToSignBytes><CanonicalRequest>{}</CanonicalRequest><CanonicalRequestBytes>{}</CanonicalRequestBytes>",
                            xml_escape(verdict.access_key.as_deref().unwrap_or("")),
                            xml_escape(string_to_sign),
                            xml_escape(&provided_signature(req)),
                            spaced_hex(string_to_sign),
                            xml_escape(canonical_request),
                            spaced_hex(canonical_request),
                        );
                    }
                }
                if let Some(m) = &mistake {
                    if target.protocol == Protocol::S3 {
                        extra.push_str(&format!(
                            "<MockAwsDiagnosis>{}</MockAwsDiagnosis>",
                            xml_escape(&m.to_string())
                        ));
                    }
                }
                if target.protocol == Protocol::S3 {
                    match &err {
                        VerifyError::UnknownAccessKey { access_key_id } => {
                            extra = format!(
                                "<AWSAccessKeyId>{}</AWSAccessKeyId>",
                                xml_escape(access_key_id)
                            );
                        }
                        VerifyError::WrongRegion { expected, .. } => {
                            extra = format!("<Region>{}</Region>", xml_escape(expected));
                        }
                        VerifyError::Expired {
                            expired_at,
                            server_time,
                        } => {
                            extra = format!(
                                "<Expires>{}</Expires><ServerTime>{}</ServerTime>",
                                expired_at.rfc3339(),
                                server_time.rfc3339()
                            );
                        }
                        VerifyError::RequestTimeTooSkewed {
                            request_time,
                            server_time,
                            max_skew,
                        } => {
                            extra = format!(
                                "<RequestTime>{}</RequestTime><ServerTime>{}</ServerTime><MaxAllowedSkewMilliseconds>{}</MaxAllowedSkewMilliseconds>",
                                request_time.rfc3339(),
                                server_time.rfc3339(),
                                max_skew.saturating_mul(1000)
                            );
                        }
                        VerifyError::HostNotSigned => {
                            extra = "<HeadersNotSigned>host</HeadersNotSigned>".to_owned();
                        }
                        _ => {}
                    }
                }
                verdict.error_code = Some(code.code.to_owned());
                verdict.verifier_code = Some(err.code().to_owned());
                verdict.diagnosis = mistake.as_ref().map(ToString::to_string);
                verdict.diagnosis_code = mistake.as_ref().map(|m| m.code());
                let resp = error_response(target.protocol, code, &msg, &rid, &extra);
                Err(self.conclude(&target, &rid, resp, verdict))
            }
            Ok(v) => {
                verdict.access_key = Some(v.auth.access_key_id.clone());
                verdict.canonical_request = Some(v.canonical_request.clone());
                let cred = self
                    .config
                    .credentials
                    .iter()
                    .find(|c| c.access_key_id == v.auth.access_key_id);
                let sent_token = req
                    .header("x-amz-security-token")
                    .map(str::to_owned)
                    .or_else(|| {
                        parse_form(req.path_and_query().unwrap_or_default().1)
                            .into_iter()
                            .find(|(k, _)| k == "X-Amz-Security-Token")
                            .map(|(_, v)| v)
                    });
                let expected_token = cred.and_then(|c| c.session_token.clone());
                if sent_token != expected_token {
                    let code = aws_error("invalid-token", target.protocol, presigned);
                    let msg = format!(
                        "The security token included in the request is invalid. (mock-aws: {})",
                        if expected_token.is_some() {
                            "this access key needs the session token configured with --credentials AKID:SECRET:TOKEN"
                        } else {
                            "this access key was configured without a session token, but the request carries X-Amz-Security-Token"
                        }
                    );
                    verdict.error_code = Some(code.code.to_owned());
                    verdict.verifier_code = Some("invalid-token".to_owned());
                    let resp = error_response(target.protocol, code, &msg, &rid, "");
                    return Err(self.conclude(&target, &rid, resp, verdict));
                }
                let secret = cred.map(|c| c.secret.clone()).unwrap_or_default();
                Ok(Authenticated {
                    target,
                    rid,
                    now,
                    verdict,
                    verified: v,
                    secret,
                })
            }
        }
    }

    /// Runs the operation of an authenticated request.
    fn dispatch(&self, req: &Request, auth: Authenticated) -> (Response, Option<Verdict>) {
        let Authenticated {
            target,
            rid,
            now,
            mut verdict,
            verified: v,
            ..
        } = auth;
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut ctx = Ctx {
            req,
            state: &mut state,
            access_key: &v.auth.access_key_id,
            region: &self.config.region,
            request_id: &rid,
            now: now.unix_seconds(),
        };
        let (op, result) = match target.service.as_str() {
                "s3" => s3::handle(&mut ctx),
                "dynamodb" => dynamodb::handle(&mut ctx),
                "sts" => sts::handle(&mut ctx),
                "kinesis" => kinesis::handle(&mut ctx),
                "ec2" => ec2::handle(&mut ctx),
                "iam" => iam::handle(&mut ctx),
                other => (
                    None,
                    Err((
                        match target.protocol {
                            Protocol::S3 => AwsError { code: "NotImplemented", status: 501 },
                            Protocol::Json { .. } => AwsError { code: "UnknownOperationException", status: 400 },
                            Protocol::Query | Protocol::Ec2 => AwsError { code: "InvalidAction", status: 400 },
                        },
                        format!("mock-aws does not implement the service {other:?} (the signature verified)"),
                    )),
                ),
            };
        drop(state);
        verdict.operation = op;
        let resp = match result {
            Ok(r) => {
                verdict.outcome = "accepted";
                r
            }
            Err((code, msg)) => {
                verdict.outcome = "accepted";
                verdict.error_code = Some(code.code.to_owned());
                error_response(target.protocol, code, &msg, &rid, "")
            }
        };
        self.conclude(&target, &rid, resp, verdict)
    }

    /// Adds the request id to the answer and records the verdict.
    fn conclude(
        &self,
        target: &Target,
        rid: &str,
        resp: Response,
        mut verdict: Verdict,
    ) -> (Response, Option<Verdict>) {
        let resp = if resp.headers.iter().any(|(n, _)| {
            n.eq_ignore_ascii_case("x-amzn-RequestId") || n.eq_ignore_ascii_case("x-amz-request-id")
        }) {
            resp
        } else if target.protocol == Protocol::S3 {
            resp.with_header("x-amz-request-id", rid)
        } else {
            resp.with_header("x-amzn-RequestId", rid)
        };
        verdict.status = resp.status;
        self.record(verdict.clone());
        (resp, Some(verdict))
    }
}

/// A request whose signature (and session token) verified.
struct Authenticated {
    target: Target,
    rid: String,
    now: SigningTime,
    verdict: Verdict,
    verified: Verified,
    secret: String,
}

/// The streaming mode an S3 request's `x-amz-content-sha256` names, if any.
pub fn chunked_mode(req: &Request) -> Option<StreamingMode> {
    req.header("x-amz-content-sha256")
        .and_then(|v| StreamingMode::from_content_sha256(v.trim()))
}

/// An S3 request with an `aws-chunked` body whose seed signature verified: feed it the body's
/// bytes as they arrive ([`push`](Self::push)), then hand it to [`Service::finish_chunked`].
/// It holds at most one chunk besides the decoded object.
pub struct ChunkedUpload {
    auth: Authenticated,
    mode: StreamingMode,
    decoder: ChunkedDecoder,
    data: Vec<u8>,
}

impl std::fmt::Debug for ChunkedUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkedUpload")
            .field("mode", &self.mode)
            .field("decoded", &self.data.len())
            .finish_non_exhaustive()
    }
}

impl ChunkedUpload {
    /// Feeds the next bytes of the body; `false` once the body failed (stop reading then).
    pub fn push(&mut self, bytes: &[u8]) -> bool {
        self.decoder.push(bytes, &mut self.data).is_ok()
    }

    /// Whether the whole body has arrived.
    pub fn is_done(&self) -> bool {
        self.decoder.is_done()
    }
}

/// The AWS-worded message of an S3 chunked-decoding error.
fn chunked_message(code: AwsError, err: &ChunkedError) -> String {
    let aws = match (code.code, err) {
        ("SignatureDoesNotMatch", _) => "The request signature we calculated does not match the signature you provided. Check your key and signing method.".to_owned(),
        ("IncompleteBody", _) => "The request body terminated unexpectedly".to_owned(),
        ("InvalidChunkSizeError", ChunkedError::ChunkTooSmall { .. }) => "Only the last chunk is allowed to have a size less than 8192 bytes".to_owned(),
        ("BadDigest", ChunkedError::ChecksumMismatch { algorithm, .. }) => format!("The {} you specified did not match the calculated checksum.", algorithm.name()),
        ("InvalidRequest", ChunkedError::InvalidChecksumValue { name }) => format!("Value for {name} trailing header is invalid."),
        _ => String::new(),
    };
    if aws.is_empty() {
        format!("mock-aws: {err}")
    } else {
        format!("{aws} (mock-aws: {err})")
    }
}

impl Service {
    /// Whether `req` is an S3 request with an `aws-chunked` body, which
    /// [`begin_chunked`](Self::begin_chunked) reads in pieces.
    pub fn is_chunked(req: &Request) -> bool {
        !Self::is_internal(&req.target)
            && chunked_mode(req).is_some()
            && detect(req).service == "s3"
    }

    /// Verifies the seed signature of an `aws-chunked` request (`req` without its body) and
    /// returns the upload to feed, or the answer to give without reading the body.
    // The `Err` is the complete answer, made once per request: boxing it buys nothing.
    #[allow(clippy::result_large_err)]
    pub fn begin_chunked(
        &self,
        req: &Request,
    ) -> Result<ChunkedUpload, (Response, Option<Verdict>)> {
        let auth = self.authenticate(req)?;
        self.chunked_upload(req, auth)
    }

    // The `Err` is the complete answer, made once per request: boxing it buys nothing.
    #[allow(clippy::result_large_err)]
    fn chunked_upload(
        &self,
        req: &Request,
        auth: Authenticated,
    ) -> Result<ChunkedUpload, (Response, Option<Verdict>)> {
        let Some(mode) = chunked_mode(req) else {
            return Err(self.dispatch(req, auth));
        };
        let fail = |auth: Authenticated, code: &str, msg: String| {
            let Authenticated {
                target,
                rid,
                mut verdict,
                ..
            } = auth;
            let err = if code == "request-too-large" {
                aws_error(code, Protocol::S3, false)
            } else {
                chunked_error(code)
            };
            verdict.error_code = Some(err.code.to_owned());
            verdict.verifier_code = Some(code.to_owned());
            verdict.streaming = Some(format!("{mode}: rejected ({code})"));
            let resp = error_response(Protocol::S3, err, &msg, &rid, "");
            self.conclude(&target, &rid, resp, verdict)
        };
        let declared = match req
            .header("x-amz-decoded-content-length")
            .map(|v| v.trim().parse::<u64>())
        {
            Some(Ok(n)) => n,
            _ => {
                return Err(fail(
                    auth,
                    "missing-decoded-content-length",
                    "You must provide the Content-Length HTTP header. (mock-aws: an aws-chunked upload needs a numeric x-amz-decoded-content-length)".to_owned(),
                ))
            }
        };
        if declared > self.config.max_body as u64 {
            let msg = format!(
                "Your proposed upload exceeds the maximum allowed object size. (mock-aws: x-amz-decoded-content-length {declared} is over --max-body {})",
                self.config.max_body
            );
            return Err(fail(auth, "request-too-large", msg));
        }
        let signer = mode
            .signs_chunks()
            .then(|| ChunkSigner::from_verified(&auth.verified, &auth.secret));
        let limits = DecodeLimits {
            max_chunk_size: self.config.max_body.clamp(1, 16 * 1024 * 1024),
            ..DecodeLimits::default()
        };
        let built = ChunkedDecoder::new(mode, signer, limits).and_then(|d| {
            let d = d.with_decoded_length(declared);
            match req.header("x-amz-trailer") {
                Some(t) if mode.has_trailer() => d.with_declared_trailers(t),
                _ => Ok(d),
            }
        });
        match built {
            Ok(decoder) => Ok(ChunkedUpload {
                auth,
                mode,
                decoder,
                data: Vec::with_capacity(usize::try_from(declared.min(1 << 20)).unwrap_or(0)),
            }),
            Err(e) => {
                let msg = chunked_message(chunked_error(e.code()), &e);
                Err(fail(auth, e.code(), msg))
            }
        }
    }

    /// Ends an upload once its body ended (or failed): stores the object when every chunk,
    /// the trailer and the checksum verified, else answers S3's error for the first failure.
    pub fn finish_chunked(
        &self,
        req: &Request,
        upload: ChunkedUpload,
    ) -> (Response, Option<Verdict>) {
        let ChunkedUpload {
            mut auth,
            mode,
            decoder,
            data,
        } = upload;
        match decoder.finish() {
            Ok(summary) => {
                let checks: Vec<String> = summary
                    .checksums
                    .iter()
                    .map(|(a, v)| format!("{} {v}", a.name()))
                    .collect();
                auth.verdict.streaming = Some(format!(
                    "{mode}: verified ({} chunks{}, {} bytes{})",
                    summary.chunks,
                    if mode.signs_chunks() { " signed" } else { "" },
                    summary.decoded_length,
                    if checks.is_empty() {
                        String::new()
                    } else {
                        format!(", checksum {}", checks.join(", "))
                    }
                ));
                let mut decoded = req.clone();
                decoded.body = data;
                decoded
                    .headers
                    .retain(|(n, _)| !n.eq_ignore_ascii_case("content-encoding"));
                if let Some(rest) = req.header("content-encoding").map(|v| {
                    v.split(',')
                        .map(|s| s.trim())
                        .filter(|s| !s.eq_ignore_ascii_case("aws-chunked") && !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(",")
                }) {
                    if !rest.is_empty() {
                        decoded.headers.push(("content-encoding".to_owned(), rest));
                    }
                }
                self.dispatch(&decoded, auth)
            }
            Err(e) => {
                let code = chunked_error(e.code());
                let Authenticated {
                    target,
                    rid,
                    mut verdict,
                    ..
                } = auth;
                verdict.error_code = Some(code.code.to_owned());
                verdict.verifier_code = Some(e.code().to_owned());
                verdict.streaming = Some(format!("{mode}: rejected ({})", e.code()));
                let mut extra = String::new();
                match &e {
                    ChunkedError::ChunkSignatureMismatch { string_to_sign, .. }
                    | ChunkedError::TrailerSignatureMismatch { string_to_sign } => {
                        extra = format!(
                            "<StringToSign>{}</StringToSign><StringToSignBytes>{}</StringToSignBytes>",
                            xml_escape(string_to_sign),
                            spaced_hex(string_to_sign)
                        );
                    }
                    ChunkedError::ChunkTooSmall { chunk, size, .. } => {
                        extra =
                            format!("<Chunk>{chunk}</Chunk><BadChunkSize>{size}</BadChunkSize>");
                    }
                    _ => {}
                }
                let resp =
                    error_response(Protocol::S3, code, &chunked_message(code, &e), &rid, &extra);
                self.conclude(&target, &rid, resp, verdict)
            }
        }
    }
}

fn is_sigv2(req: &Request) -> bool {
    let q = parse_form(req.path_and_query().unwrap_or_default().1);
    let has = |k: &str| q.iter().any(|(n, _)| n == k);
    (has("AWSAccessKeyId") && has("Signature"))
        || req
            .header("authorization")
            .is_some_and(|a| a.starts_with("AWS "))
}

fn provided_signature(req: &Request) -> String {
    parse_request_auth(&req.signable())
        .map(|p| p.signature)
        .unwrap_or_default()
}

/// Form parameters of a query-protocol request: the query, then a form body.
pub fn query_params(req: &Request) -> Vec<(String, String)> {
    let mut params = parse_form(req.path_and_query().unwrap_or_default().1);
    let is_form = req
        .header("content-type")
        .is_none_or(|c| c.starts_with("application/x-www-form-urlencoded"));
    if req.method == "POST" && is_form {
        params.extend(parse_form(&String::from_utf8_lossy(&req.body)));
    }
    params
}

/// Decodes an S3 key or bucket segment.
pub fn decode_path(s: &str) -> String {
    String::from_utf8_lossy(&percent_decode(s, false)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigv4_signer::chunked::{
        encoded_length, streaming_headers, ChecksumAlgorithm, ChunkedEncoder,
    };
    use sigv4_signer::{
        sign, Credentials, Settings, SignableRequest, SignatureLocation, SigningParams,
    };

    fn signed(
        service: &Service,
        method: &str,
        target: &str,
        extra: &[(&str, String)],
        payload: PayloadChoice<'_>,
    ) -> Request {
        let creds = Credentials::new(EXAMPLE_ACCESS_KEY, EXAMPLE_SECRET);
        let settings = match payload {
            PayloadChoice::Streaming(m) => Settings::s3().with_payload(m.payload_mode()),
            PayloadChoice::Body(_) => Settings::s3(),
        };
        let params =
            SigningParams::new(&creds, "us-east-1", "s3", service.now()).with_settings(settings);
        let body = match payload {
            PayloadChoice::Body(b) => b,
            PayloadChoice::Streaming(_) => &[],
        };
        let mut req = SignableRequest::new(method, target)
            .header("Host", "127.0.0.1:4566")
            .body(body);
        for (n, v) in extra {
            req = req.header(n, v);
        }
        let out = sign(&req, &params, SignatureLocation::Headers).expect("sign");
        let s = out.apply(&req);
        Request {
            method: s.method,
            target: s.target,
            headers: s.headers,
            body: s.body,
        }
    }

    enum PayloadChoice<'a> {
        Body(&'a [u8]),
        Streaming(StreamingMode),
    }

    /// In-process use (`Service::handle` with the body in memory) decodes aws-chunked too.
    #[test]
    fn handle_decodes_a_buffered_chunked_body() {
        let service = Service::new(Config::default());
        let (r, _) = service.handle(&signed(
            &service,
            "PUT",
            "/bkt",
            &[],
            PayloadChoice::Body(b""),
        ));
        assert_eq!(r.status, 200);
        let body = b"hello chunked world".repeat(100);
        let c = ChecksumAlgorithm::Crc32;
        let mode = StreamingMode::UnsignedPayloadTrailer;
        let extra: Vec<(&str, String)> = streaming_headers(
            body.len() as u64,
            encoded_length(mode, body.len() as u64, 8192, Some(c)),
            Some(c),
        );
        let mut req = signed(
            &service,
            "PUT",
            "/bkt/k",
            &extra,
            PayloadChoice::Streaming(mode),
        );
        req.body = ChunkedEncoder::unsigned_payload_trailer(c).encode_all(&body, 8192);
        let (r, v) = service.handle(&req);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let v = v.expect("verdict");
        assert!(
            v.streaming
                .as_deref()
                .is_some_and(|s| s.contains("verified")),
            "{v:?}"
        );
        let (r, _) = service.handle(&signed(
            &service,
            "GET",
            "/bkt/k",
            &[],
            PayloadChoice::Body(b""),
        ));
        assert_eq!(r.body, body);
        // A wrong checksum: BadDigest, and the object is not replaced.
        let good = c.digest(&body);
        let mut bad = signed(
            &service,
            "PUT",
            "/bkt/k",
            &extra,
            PayloadChoice::Streaming(mode),
        );
        let mut wire =
            ChunkedEncoder::unsigned_payload_trailer(c).encode_all(&b"x".repeat(body.len()), 8192);
        let at = wire.windows(good.len()).position(|w| w == good.as_bytes());
        assert!(at.is_none());
        let text = String::from_utf8_lossy(&wire).into_owned();
        let (head, _) = text.rsplit_once("x-amz-checksum-crc32:").expect("trailer");
        wire = format!("{head}x-amz-checksum-crc32:{good}\r\n\r\n").into_bytes();
        bad.body = wire;
        let (r, v) = service.handle(&bad);
        assert_eq!(
            (r.status, v.and_then(|v| v.error_code)),
            (400, Some("BadDigest".to_owned()))
        );
        let (r, _) = service.handle(&signed(
            &service,
            "GET",
            "/bkt/k",
            &[],
            PayloadChoice::Body(b""),
        ));
        assert_eq!(r.body, body);
    }
}
