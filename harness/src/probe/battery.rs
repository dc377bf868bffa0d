//! The battery: signed requests, each with AWS's verdict and where that verdict comes from.
//!
//! Every request is signed by this project's signer (`sigv4_signer::sign`, `v4a::sign`,
//! `chunked`). Before anything is sent, [`build`] proves each case with our verifier
//! (`sigv4_signer::verify::verify`, and the `aws-chunked` decoder for streaming bodies): a
//! must-accept request verifies; a must-reject request is a signed request changed in exactly
//! one way and our verifier rejects it with the code of that change (or, where AWS's reason lies
//! outside the signature, e.g. a session token the server did not issue, its signature
//! verifies). A case that fails its proof is a bug of the battery and stops the run.
//!
//! AWS's error codes and statuses per protocol ([`aws_error`]) are the ones of AWS's
//! documentation and of AWS answers quoted in issue threads, with the source of each; the same
//! facts as mock-aws's `AUTH_ERRORS` table, carried here so that the probe does not judge
//! mock-aws with mock-aws's own table.

use std::net::SocketAddr;

use anyhow::{anyhow, bail, Context as _, Result};
use sigv4_signer::chunked::{
    decode_all, encoded_length, streaming_headers, ChecksumAlgorithm, ChunkSigner, ChunkedDecoder,
    ChunkedEncoder, DecodeLimits, StreamingMode,
};
use sigv4_signer::internal::sha256_hex;
use sigv4_signer::verify::{verify, VerifyParams, VerifySettings};
use sigv4_signer::{
    sign, ContentSha256Mode, Credentials, OwnedRequest, PayloadMode, Settings, SignableRequest,
    SignatureLocation, SigningParams, SigningTime,
};

/// The bucket the S3 cases use (created by [`setup`]).
pub const BUCKET: &str = "sigv4-probe";

/// A service the battery can probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Service {
    /// S3 (REST-XML): objects with hard keys, presigned URLs, aws-chunked.
    S3,
    /// STS `GetCallerIdentity` (query protocol).
    Sts,
    /// DynamoDB `ListTables` (JSON 1.0).
    Dynamodb,
    /// Kinesis `ListStreams` (JSON 1.1).
    Kinesis,
}

/// The wire protocol of a service: it decides AWS's error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// S3's REST-XML.
    S3,
    /// AWS JSON 1.0 / 1.1.
    Json,
    /// The query protocol.
    Query,
}

impl Service {
    /// The signing name.
    pub fn name(self) -> &'static str {
        match self {
            Self::S3 => "s3",
            Self::Sts => "sts",
            Self::Dynamodb => "dynamodb",
            Self::Kinesis => "kinesis",
        }
    }

    /// The protocol.
    pub fn protocol(self) -> Protocol {
        match self {
            Self::S3 => Protocol::S3,
            Self::Sts => Protocol::Query,
            Self::Dynamodb | Self::Kinesis => Protocol::Json,
        }
    }
}

/// A credential of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// Access key id.
    pub access_key: String,
    /// Secret access key.
    pub secret: String,
    /// Session token, for a temporary credential.
    pub token: Option<String>,
}

impl Key {
    /// A credential.
    pub fn new(access_key: &str, secret: &str, token: Option<&str>) -> Self {
        Self {
            access_key: access_key.to_owned(),
            secret: secret.to_owned(),
            token: token.map(str::to_owned),
        }
    }
}

/// What the battery is built for: the server's address and what it offers.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Where requests go (loopback).
    pub addr: SocketAddr,
    /// The `Host` header (`127.0.0.1:PORT`).
    pub host: String,
    /// The server's long-term credential.
    pub key: Key,
    /// A temporary credential (with its token) the server knows, if any.
    pub session: Option<Key>,
    /// The server's region.
    pub region: String,
    /// The services to probe.
    pub services: Vec<Service>,
    /// Whether the server claims SigV4a.
    pub sigv4a: bool,
    /// The probe's clock when the battery is built (Unix seconds).
    pub now: i64,
    /// Makes object keys of one run distinct.
    pub run_id: String,
}

/// AWS's verdict on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A 2xx answer.
    Accept,
    /// Rejected with this AWS error code and HTTP status.
    Reject {
        /// AWS's error code.
        code: &'static str,
        /// AWS's status.
        status: u16,
    },
}

/// One request of the battery.
#[derive(Debug, Clone)]
pub struct Case {
    /// `service/name`.
    pub id: String,
    /// The service.
    pub service: Service,
    /// What the request is, in a few words.
    pub what: String,
    /// AWS's verdict.
    pub expect: Expect,
    /// Where AWS's verdict comes from.
    pub source: &'static str,
    /// What a server that disagrees lets through (or refuses).
    pub hole: &'static str,
    /// The request as sent (the client adds `Connection: close` and, for a body,
    /// `Content-Length` when absent).
    pub wire: OwnedRequest,
}

/// Why AWS rejects a request; each maps to one code per protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The signature is not the one computed from the request.
    SignatureMismatch,
    /// The access key id is unknown.
    UnknownKey,
    /// The session token was not issued with the key.
    InvalidToken,
    /// Header auth dated more than 15 minutes from the server's clock.
    Skewed,
    /// A presigned URL past its `X-Amz-Expires`.
    Expired,
    /// A presigned URL dated in the future.
    NotYetValid,
    /// `X-Amz-Expires` over 604800.
    ExpiresOutOfRange,
    /// The credential-scope date is not the request's date.
    ScopeDate,
    /// The scope names another region.
    WrongRegion,
    /// The scope names another service.
    WrongService,
    /// `host` not in SignedHeaders.
    HostNotSigned,
    /// The Authorization header does not parse.
    Malformed,
    /// Not `AWS4-HMAC-SHA256`.
    UnsupportedAlgorithm,
    /// `x-amz-content-sha256` is not the body's hash (S3).
    ContentSha256,
    /// No signature at all.
    MissingAuth,
    /// Two `Authorization` headers (AWS's code: as for a malformed one, by analogy).
    DuplicateAuth,
    /// An aws-chunked chunk whose signature does not verify (S3).
    ChunkSignature,
}

/// AWS's code and status for `why` in `protocol`, and the source.
pub fn aws_error(protocol: Protocol, why: Why) -> (&'static str, u16, &'static str) {
    use Protocol::{Json, Query, S3};
    use Why::*;
    match (why, protocol) {
        (SignatureMismatch, S3) => ("SignatureDoesNotMatch", 403, "S3 API reference, Error responses"),
        (SignatureMismatch, Json) => ("InvalidSignatureException", 400, "DynamoDB developer guide, Error handling; ionic-team/starters#48 quotes the answer"),
        (SignatureMismatch, Query) => ("SignatureDoesNotMatch", 403, "query APIs' Common Errors; aws-cli#6676"),
        (UnknownKey, S3) => ("InvalidAccessKeyId", 403, "S3 API reference, Error responses"),
        (UnknownKey, Json) => ("UnrecognizedClientException", 400, "DynamoDB developer guide, Error handling; aws-sdk-php#2444"),
        (UnknownKey, Query) => ("InvalidClientTokenId", 403, "query APIs' Common Errors"),
        (InvalidToken, S3) => ("InvalidToken", 400, "S3 API reference, Error responses"),
        (InvalidToken, Json) => ("UnrecognizedClientException", 400, "DynamoDB developer guide, Error handling"),
        (InvalidToken, Query) => ("InvalidClientTokenId", 403, "query APIs' Common Errors"),
        (Skewed, S3) => ("RequestTimeTooSkewed", 403, "S3 API reference, Error responses"),
        (Skewed, Json) => ("InvalidSignatureException", 400, "aws-sdk-js#254, aws-sdk-js-v3#7605 (DynamoDB \"Signature expired\")"),
        (Skewed, Query) => ("SignatureDoesNotMatch", 403, "aws-cli#6676 (STS \"Signature expired\"), QT-DevOps#989 (\"Signature not yet current\")"),
        (Expired, S3) => ("AccessDenied", 403, "aws-sdk-js#3493, aws-sdk-php#1333 (S3 \"Request has expired\")"),
        (NotYetValid, S3) => ("AccessDenied", 403, "minio#2638, dmjio/s3-signer#16 quote S3 (\"Request is not yet valid\")"),
        (Expired | NotYetValid, Json) => ("InvalidSignatureException", 400, "\"Signature expired\", as for skew"),
        (Expired | NotYetValid, Query) => ("SignatureDoesNotMatch", 403, "IAM user guide, Troubleshoot signed requests; QT-DevOps#989"),
        (ExpiresOutOfRange, S3) => ("AuthorizationQueryParametersError", 400, "aws-cli#5464, bryanjos/aws_auth#31 (\"X-Amz-Expires must be less than a week\")"),
        (ExpiresOutOfRange, Json) => ("InvalidSignatureException", 400, "the signature code, by analogy (the limit is documented for S3)"),
        (ExpiresOutOfRange, Query) => ("SignatureDoesNotMatch", 403, "the signature code, by analogy (the limit is documented for S3)"),
        (ScopeDate | WrongRegion | WrongService, S3) => ("AuthorizationHeaderMalformed", 400, "aws-cli#2954 (\"the region 'x' is wrong; expecting 'y'\"); date and service by analogy"),
        (ScopeDate | WrongRegion | WrongService, Json) => ("InvalidSignatureException", 400, "IAM user guide, Troubleshoot signed requests (\"Credential should be scoped to a valid region\"); aws-sdk-js-v3#5576"),
        (ScopeDate | WrongRegion | WrongService, Query) => ("SignatureDoesNotMatch", 403, "IAM user guide, Troubleshoot signed requests; cognitect-labs/aws-api#27 (STS)"),
        (HostNotSigned, S3) => ("AccessDenied", 403, "coda/packs-sdk#3093 (S3: \"There were headers present in the request which were not signed\")"),
        (HostNotSigned, Json) => ("IncompleteSignatureException", 400, "aws-sdk-php#2469 (\"'Host' or ':authority' must be a 'SignedHeader'\"), code inferred"),
        (HostNotSigned, Query) => ("IncompleteSignature", 400, "aws-sdk-php#2469, code inferred"),
        (Malformed, S3) => ("AuthorizationHeaderMalformed", 400, "S3 API reference, Error responses"),
        (UnsupportedAlgorithm, S3) => ("InvalidArgument", 400, "S3 API reference, Error responses (\"Unsupported Authorization Type\")"),
        (ChunkSignature, S3) => ("SignatureDoesNotMatch", 403, "S3 API reference, sigv4-streaming (each chunk's signature is verified); S3 answers a bad chunk signature with SignatureDoesNotMatch (the chunk's StringToSign in the error)"),
        (ChunkSignature, Json) => ("InvalidSignatureException", 400, "aws-chunked is S3's"),
        (ChunkSignature, Query) => ("SignatureDoesNotMatch", 403, "aws-chunked is S3's"),
        (DuplicateAuth, S3) => ("AuthorizationHeaderMalformed", 400, "by analogy with a malformed Authorization header (two values joined with a comma do not parse); AWS's answer not confirmed"),
        (DuplicateAuth, Json) => ("IncompleteSignatureException", 400, "by analogy with a malformed Authorization header; AWS's answer not confirmed"),
        (DuplicateAuth, Query) => ("IncompleteSignature", 400, "by analogy with a malformed Authorization header; AWS's answer not confirmed"),
        (Malformed | UnsupportedAlgorithm, Json) => ("IncompleteSignatureException", 400, "DynamoDB developer guide, Error handling"),
        (Malformed | UnsupportedAlgorithm, Query) => ("IncompleteSignature", 400, "query APIs' Common Errors; jenkinsci/aws-credentials-plugin#72 (STS)"),
        (ContentSha256, S3) => ("XAmzContentSHA256Mismatch", 400, "S3 API reference, Error responses"),
        (ContentSha256, Json) => ("InvalidSignatureException", 400, "the signature code"),
        (ContentSha256, Query) => ("SignatureDoesNotMatch", 403, "the signature code"),
        (MissingAuth, S3) => ("AccessDenied", 403, "S3 API reference, Error responses (anonymous request)"),
        (MissingAuth, Json) => ("MissingAuthenticationTokenException", 400, "DynamoDB developer guide, Error handling"),
        (MissingAuth, Query) => ("MissingAuthenticationToken", 403, "query APIs' Common Errors"),
    }
}

/// What a server that accepts a request AWS rejects for `why` lets through.
pub fn hole(why: Why) -> &'static str {
    match why {
        Why::SignatureMismatch => "the signature is not checked against the request: anyone who knows an access key id (it is not secret, it travels in every request) can send any request, or change a signed one in flight",
        Why::UnknownKey => "requests signed with a key the server never issued are served: any made-up credential works",
        Why::InvalidToken => "a temporary credential's token is not checked: an expired or revoked session keeps working",
        Why::Skewed => "the clock is not checked: a captured request can be replayed at any time",
        Why::Expired => "presigned URLs never expire: a leaked link works forever",
        Why::NotYetValid => "a presigned URL dated in the future is served now",
        Why::ExpiresOutOfRange => "presigned URLs may live longer than AWS's week; a client that relies on this fails on AWS",
        Why::ScopeDate => "the credential-scope date is not tied to X-Amz-Date: a signing key of one day signs requests dated on any other",
        Why::WrongRegion => "the scope's region is not checked: a request signed for another region is served (a client with a wrong region passes here and fails on AWS)",
        Why::WrongService => "the scope's service is not checked: a signature made for one service is accepted by another",
        Why::HostNotSigned => "host need not be signed: a signed request can be sent to another endpoint (replayed at another bucket or host)",
        Why::Malformed => "a malformed Authorization header is not refused cleanly",
        Why::UnsupportedAlgorithm => "an algorithm other than AWS4-HMAC-SHA256 is taken",
        Why::ContentSha256 => "the body is not checked against x-amz-content-sha256: the body of a signed upload can be replaced in flight",
        Why::MissingAuth => "an anonymous request is served",
        Why::ChunkSignature => "chunk signatures are not checked: after a valid seed signature, the data of a signed upload can be replaced chunk by chunk",
        Why::DuplicateAuth => "a request with two Authorization headers is served: a proxy or log that reads one header and a verifier that reads the other can be made to disagree about who signed",
    }
}

fn verifier_codes(why: Why) -> &'static [&'static str] {
    match why {
        Why::SignatureMismatch => &["signature-mismatch"],
        Why::UnknownKey => &["unknown-access-key"],
        Why::InvalidToken => &[],
        Why::Skewed => &["request-time-too-skewed"],
        Why::Expired => &["expired"],
        Why::NotYetValid => &["not-yet-valid"],
        Why::ExpiresOutOfRange => &["expires-out-of-range"],
        Why::ScopeDate => &["scope-date-mismatch"],
        Why::WrongRegion => &["wrong-region"],
        Why::WrongService => &["wrong-service"],
        Why::HostNotSigned => &["host-not-signed"],
        Why::Malformed => &["malformed-authorization", "malformed-credential"],
        Why::UnsupportedAlgorithm => &["unsupported-algorithm"],
        Why::ContentSha256 => &["content-sha256-mismatch"],
        Why::MissingAuth => &["missing-authentication"],
        Why::DuplicateAuth => &["malformed-authorization"],
        Why::ChunkSignature => &[],
    }
}

/// A request to sign.
#[derive(Debug, Clone)]
struct Req {
    service: Service,
    method: String,
    target: String,
    /// Headers besides `Host`.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    time: i64,
    region: String,
    scope_service: String,
    key: Key,
    payload: Option<PayloadMode>,
    presign: Option<u64>,
    v4a: bool,
    sign_host: bool,
}

impl Req {
    fn new(ctx: &Ctx, service: Service, method: &str, target: &str) -> Self {
        Self {
            service,
            method: method.to_owned(),
            target: target.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            time: ctx.now,
            region: ctx.region.clone(),
            scope_service: service.name().to_owned(),
            key: ctx.key.clone(),
            payload: None,
            presign: None,
            v4a: false,
            sign_host: true,
        }
    }

    fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    fn body(mut self, body: &[u8]) -> Self {
        self.body = body.to_vec();
        self
    }

    fn with(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }

    fn settings(&self) -> Settings {
        let mut s = if self.service == Service::S3 {
            Settings::s3()
        } else {
            Settings::default()
        };
        if self.service == Service::S3 && self.presign.is_some() {
            s.payload = PayloadMode::Unsigned;
            s.content_sha256 = ContentSha256Mode::Omit;
        }
        if let Some(p) = &self.payload {
            s.payload = p.clone();
        }
        s
    }

    /// Signs; returns the signed request and the signature (for a chunk chain).
    fn sign_full(&self, ctx: &Ctx) -> Result<(OwnedRequest, sigv4_signer::SigningOutput)> {
        let mut req = SignableRequest::new(&self.method, &self.target).header("Host", &ctx.host);
        for (n, v) in &self.headers {
            req = req.header(n, v);
        }
        req = req.body(&self.body);
        let mut creds = Credentials::new(&self.key.access_key, &self.key.secret);
        if let Some(t) = &self.key.token {
            creds = creds.with_session_token(t);
        }
        let params = SigningParams::new(
            &creds,
            &self.region,
            &self.scope_service,
            SigningTime::from_unix_seconds(self.time),
        )
        .with_settings(self.settings());
        let location = match self.presign {
            Some(expires_in) => SignatureLocation::Query { expires_in },
            None => SignatureLocation::Headers,
        };
        let out = if self.v4a {
            sigv4_signer::v4a::sign(&req, &params, location)
        } else {
            sign(&req, &params, location)
        }
        .map_err(|e| anyhow!("signing {} {}: {e}", self.method, self.target))?;
        let mut signed = out.apply(&req);
        if !self.sign_host {
            // Our signer always signs `host`; a request that does not is signed here by hand
            // from the signer's own canonical request without the host line (same key, same
            // string-to-sign recipe), so that only SignedHeaders differs.
            let (signed_headers, signature) = without_host(&out, &self.key.secret)?;
            let auth = out.authorization().context("no Authorization")?;
            let auth = auth
                .split(", ")
                .map(|p| {
                    if p.starts_with("SignedHeaders=") {
                        format!("SignedHeaders={signed_headers}")
                    } else if p.starts_with("Signature=") {
                        format!("Signature={signature}")
                    } else {
                        p.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            set_header(&mut signed, "Authorization", &auth);
        }
        Ok((signed, out))
    }

    fn sign(&self, ctx: &Ctx) -> Result<OwnedRequest> {
        Ok(self.sign_full(ctx)?.0)
    }
}

/// SignedHeaders and the signature of `out`'s request with `host` left out of the canonical
/// request (header auth, SigV4).
fn without_host(out: &sigv4_signer::SigningOutput, secret: &str) -> Result<(String, String)> {
    let creq = out.canonical_request();
    let lines: Vec<&str> = creq.split('\n').collect();
    let n = lines.len();
    if n < 6 {
        bail!("unexpected canonical request");
    }
    let signed_headers: Vec<&str> = lines[n - 2].split(';').filter(|h| *h != "host").collect();
    let signed_headers = signed_headers.join(";");
    let mut kept: Vec<String> = lines[..n - 2]
        .iter()
        .enumerate()
        .filter(|(i, l)| *i < 3 || !l.starts_with("host:"))
        .map(|(_, l)| (*l).to_owned())
        .collect();
    kept.push(signed_headers.clone());
    kept.push(lines[n - 1].to_owned());
    let creq = kept.join("\n");
    let scope = out.scope();
    let sts_lines: Vec<&str> = out.string_to_sign().split('\n').collect();
    let sts = format!(
        "{}\n{}\n{}\n{}",
        sts_lines.first().copied().unwrap_or_default(),
        sts_lines.get(1).copied().unwrap_or_default(),
        scope,
        sha256_hex(creq.as_bytes())
    );
    let key = sigv4_signer::SigningKey::derive(
        secret,
        sigv4_signer::ScopeFields {
            date: &scope.date,
            region: &scope.region,
            service: &scope.service,
        },
    );
    Ok((signed_headers, key.sign(&sts)))
}

/// How a case is proven with our verifier before it is sent.
#[derive(Debug, Clone, Copy)]
enum Proof {
    /// Verifies (and a streaming body decodes).
    Accepts,
    /// Rejected with one of these verifier codes.
    Rejects(&'static [&'static str]),
    /// The signature verifies: AWS's reason is outside it (a token the server did not issue).
    SignatureValid,
    /// The seed verifies; the aws-chunked body does not decode.
    BodyFails,
}

fn header<'a>(r: &'a OwnedRequest, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn set_header(r: &mut OwnedRequest, name: &str, value: &str) {
    match r
        .headers
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        Some(h) => h.1 = value.to_owned(),
        None => r.headers.push((name.to_owned(), value.to_owned())),
    }
}

/// Checks `wire` with our verifier as the server `ctx` describes would.
fn prove(ctx: &Ctx, service: Service, wire: &OwnedRequest, proof: Proof) -> Result<()> {
    let req = wire.signable();
    let settings = if service == Service::S3 {
        VerifySettings::s3()
    } else {
        VerifySettings::default()
    };
    let keys: Vec<Key> = std::iter::once(ctx.key.clone())
        .chain(ctx.session.clone())
        .collect();
    let lookup = |ak: &str| {
        keys.iter()
            .find(|k| k.access_key == ak)
            .map(|k| k.secret.clone())
    };
    let params = VerifyParams::new(SigningTime::from_unix_seconds(ctx.now), &lookup)
        .with_settings(settings)
        .with_region(&ctx.region)
        .with_service(service.name());
    let result = verify(&req, &params);
    let decoded = |v: &sigv4_signer::verify::Verified| -> Result<(), String> {
        let Some(mode) =
            header(wire, "x-amz-content-sha256").and_then(StreamingMode::from_content_sha256)
        else {
            return Ok(());
        };
        let secret = lookup(v.access_key_id()).unwrap_or_default();
        let signer = mode
            .signs_chunks()
            .then(|| ChunkSigner::from_verified(v, &secret));
        let mut dec = ChunkedDecoder::new(mode, signer, DecodeLimits::default())
            .map_err(|e| e.to_string())?;
        if let Some(n) = header(wire, "x-amz-decoded-content-length").and_then(|n| n.parse().ok()) {
            dec = dec.with_decoded_length(n);
        }
        if let Some(t) = header(wire, "x-amz-trailer") {
            dec = dec.with_declared_trailers(t).map_err(|e| e.to_string())?;
        }
        decode_all(dec, &wire.body)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    match (proof, &result) {
        (Proof::Accepts, Ok(v)) => {
            decoded(v).map_err(|e| anyhow!("our decoder refuses the body: {e}"))
        }
        (Proof::SignatureValid, Ok(_)) => Ok(()),
        (Proof::BodyFails, Ok(v)) => match decoded(v) {
            Err(_) => Ok(()),
            Ok(()) => bail!("the broken aws-chunked body decodes"),
        },
        (Proof::Rejects(codes), Err(e)) if codes.contains(&e.code()) => Ok(()),
        (p, Ok(_)) => bail!("our verifier accepts it, expected {p:?}"),
        (p, Err(e)) => bail!("our verifier says {} ({e}), expected {p:?}", e.code()),
    }
}

struct Builder<'a> {
    ctx: &'a Ctx,
    cases: Vec<Case>,
}

impl Builder<'_> {
    fn accept(&mut self, id: &str, what: &str, req: &Req, source: &'static str) -> Result<()> {
        let wire = req.sign(self.ctx)?;
        self.accept_wire(id, what, req.service, wire, source)
    }

    fn accept_wire(
        &mut self,
        id: &str,
        what: &str,
        service: Service,
        wire: OwnedRequest,
        source: &'static str,
    ) -> Result<()> {
        self.push(
            id,
            what,
            service,
            wire,
            Expect::Accept,
            source,
            "a correct client is refused: a request that works against AWS fails here",
            Proof::Accepts,
        )
    }

    fn reject(
        &mut self,
        id: &str,
        what: &str,
        service: Service,
        wire: OwnedRequest,
        why: Why,
    ) -> Result<()> {
        let proof = match why {
            Why::InvalidToken => Proof::SignatureValid,
            w => Proof::Rejects(verifier_codes(w)),
        };
        self.reject_with(id, what, service, wire, why, proof)
    }

    fn reject_with(
        &mut self,
        id: &str,
        what: &str,
        service: Service,
        wire: OwnedRequest,
        why: Why,
        proof: Proof,
    ) -> Result<()> {
        let (code, status, source) = aws_error(service.protocol(), why);
        self.push(
            id,
            what,
            service,
            wire,
            Expect::Reject { code, status },
            source,
            hole(why),
            proof,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        id: &str,
        what: &str,
        service: Service,
        wire: OwnedRequest,
        expect: Expect,
        source: &'static str,
        hole: &'static str,
        proof: Proof,
    ) -> Result<()> {
        let id = format!("{}/{id}", service.name());
        prove(self.ctx, service, &wire, proof).with_context(|| format!("battery case {id}"))?;
        self.cases.push(Case {
            id,
            service,
            what: what.to_owned(),
            expect,
            source,
            hole,
            wire,
        });
        Ok(())
    }
}

const BODY: &[u8] = b"sigv4 probe object\n";

fn wrong_region(ctx: &Ctx) -> &'static str {
    if ctx.region == "us-west-2" {
        "eu-west-1"
    } else {
        "us-west-2"
    }
}

/// A date stamp one day before the request's, for the scope-date case.
fn previous_day(t: i64) -> String {
    SigningTime::from_unix_seconds(t - 86_400).date_stamp()
}

/// The set-up requests the S3 cases rely on: the bucket and two objects.
pub fn setup(ctx: &Ctx) -> Result<Vec<(String, OwnedRequest)>> {
    let mut out = Vec::new();
    if ctx.services.contains(&Service::S3) {
        out.push((
            format!("create bucket {BUCKET}"),
            Req::new(ctx, Service::S3, "PUT", &format!("/{BUCKET}")).sign(ctx)?,
        ));
        for name in ["fixture", "victim"] {
            out.push((
                format!("put {name}"),
                Req::new(ctx, Service::S3, "PUT", &object(ctx, name))
                    .header("Content-Type", "text/plain")
                    .body(BODY)
                    .sign(ctx)?,
            ));
        }
    }
    Ok(out)
}

fn object(ctx: &Ctx, name: &str) -> String {
    format!("/{BUCKET}/probe-{}/{name}", ctx.run_id)
}

/// What the battery leaves out for `ctx`, and why.
pub fn left_out(ctx: &Ctx) -> Vec<String> {
    let mut notes = Vec::new();
    if ctx.session.is_none() {
        notes.push(
            "session-token cases left out: no temporary credential known to this server".to_owned(),
        );
    }
    notes.push(
        "obs-fold (folded) header lines left out: RFC 9112 section 5.2 lets a server refuse them \
         and AWS's answer on the wire is not documented; repeated headers and runs of spaces are \
         in the battery"
            .to_owned(),
    );
    if !ctx.sigv4a {
        notes.push("SigV4a cases left out: the server does not claim SigV4a".to_owned());
    }
    notes
}

/// Builds and proves the battery for `ctx`. Bounded: about 60 requests for S3, 25 for each
/// other service.
pub fn build(ctx: &Ctx) -> Result<Vec<Case>> {
    let mut b = Builder {
        ctx,
        cases: Vec::new(),
    };
    for &service in &ctx.services {
        if service == Service::S3 {
            s3(&mut b)?;
        } else {
            generic(&mut b, service)?;
        }
    }
    Ok(b.cases)
}

/// A valid request of a non-S3 service, header auth.
fn base(ctx: &Ctx, service: Service) -> Req {
    match service {
        Service::Sts => Req::new(ctx, service, "POST", "/")
            .header(
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(b"Action=GetCallerIdentity&Version=2011-06-15"),
        Service::Dynamodb => Req::new(ctx, service, "POST", "/")
            .header("Content-Type", "application/x-amz-json-1.0")
            .header("X-Amz-Target", "DynamoDB_20120810.ListTables")
            .body(b"{}"),
        Service::Kinesis | Service::S3 => Req::new(ctx, service, "POST", "/")
            .header("Content-Type", "application/x-amz-json-1.1")
            .header("X-Amz-Target", "Kinesis_20131202.ListStreams")
            .body(b"{}"),
    }
}

/// The cases every service gets, from `base` (a valid header-auth request).
fn common(b: &mut Builder<'_>, service: Service, base: &Req) -> Result<()> {
    let ctx = b.ctx;
    let good = base.sign(ctx)?;
    b.accept_wire(
        "header-auth",
        "the plain request, header auth",
        service,
        good.clone(),
        "AWS's SigV4 documentation",
    )?;
    b.accept(
        "clock-10min-behind",
        "X-Amz-Date 10 minutes behind the server",
        &base.clone().with(|r| r.time -= 600),
        "AWS allows 15 minutes of skew (IAM user guide, Troubleshoot signed requests)",
    )?;
    b.accept(
        "clock-10min-ahead",
        "X-Amz-Date 10 minutes ahead of the server",
        &base.clone().with(|r| r.time += 600),
        "AWS allows 15 minutes of skew (IAM user guide, Troubleshoot signed requests)",
    )?;
    if let Some(session) = &ctx.session {
        b.accept(
            "session-token",
            "a temporary credential, X-Amz-Security-Token signed",
            &base.clone().with(|r| r.key = session.clone()),
            "IAM user guide, temporary credentials (X-Amz-Security-Token)",
        )?;
        let wrong = base.clone().with(|r| {
            r.key = Key {
                token: Some("bm90LWEtdG9rZW4".to_owned()),
                ..session.clone()
            };
        });
        b.reject(
            "session-token-wrong",
            "the temporary key with a token it was not issued with",
            service,
            wrong.sign(ctx)?,
            Why::InvalidToken,
        )?;
    }
    if ctx.sigv4a {
        b.accept(
            "sigv4a",
            "SigV4a (AWS4-ECDSA-P256-SHA256), region set = the region",
            &base.clone().with(|r| r.v4a = true),
            "IAM user guide, SigV4a",
        )?;
    }
    b.reject(
        "wrong-secret",
        "signed with another secret",
        service,
        base.clone()
            .with(|r| r.key.secret = format!("{}x", r.key.secret))
            .sign(ctx)?,
        Why::SignatureMismatch,
    )?;
    b.reject(
        "unknown-key",
        "signed with an access key the server never issued",
        service,
        base.clone()
            .with(|r| r.key.access_key = "AKIAPROBEUNKNOWN0000".to_owned())
            .sign(ctx)?,
        Why::UnknownKey,
    )?;
    let mut w = good.clone();
    set_header(&mut w, "Host", &format!("localhost:{}", ctx.addr.port()));
    b.reject(
        "changed-host",
        "Host changed after signing",
        service,
        w,
        Why::SignatureMismatch,
    )?;
    let mut w = good.clone();
    let later = SigningTime::from_unix_seconds(base.time + 1).amz_date();
    set_header(&mut w, "X-Amz-Date", &later);
    b.reject(
        "changed-x-amz-date",
        "X-Amz-Date changed by one second after signing",
        service,
        w,
        Why::SignatureMismatch,
    )?;
    // Every other signed header, changed after signing: x-amz-content-sha256 to
    // UNSIGNED-PAYLOAD (a value that needs no body check), any other by one appended byte.
    let signed_list = header(&good, "Authorization")
        .and_then(|a| a.split("SignedHeaders=").nth(1))
        .map(|s| s.split(',').next().unwrap_or(s).to_owned())
        .unwrap_or_default();
    for name in signed_list.split(';') {
        if matches!(name, "host" | "x-amz-date" | "") {
            continue;
        }
        let mut w = good.clone();
        let value = if name == "x-amz-content-sha256" {
            "UNSIGNED-PAYLOAD".to_owned()
        } else {
            format!("{}x", header(&w, name).unwrap_or_default())
        };
        set_header(&mut w, name, &value);
        b.reject(
            &format!("changed-{name}"),
            &format!("{name} changed after signing (to `{value}`)"),
            service,
            w,
            Why::SignatureMismatch,
        )?;
    }
    let mut w = good.clone();
    w.target = if service == Service::S3 {
        format!("{}-other", w.target)
    } else {
        "/probe".to_owned()
    };
    b.reject(
        "changed-path",
        "the path changed after signing",
        service,
        w,
        Why::SignatureMismatch,
    )?;
    let mut w = good.clone();
    w.target.push_str(if w.target.contains('?') {
        "&probe=1"
    } else {
        "?probe=1"
    });
    b.reject(
        "changed-query",
        "a query parameter added after signing",
        service,
        w,
        Why::SignatureMismatch,
    )?;
    b.reject(
        "skew-16min-behind",
        "X-Amz-Date 16 minutes behind the server",
        service,
        base.clone().with(|r| r.time -= 960).sign(ctx)?,
        Why::Skewed,
    )?;
    b.reject(
        "skew-16min-ahead",
        "X-Amz-Date 16 minutes ahead of the server",
        service,
        base.clone().with(|r| r.time += 960).sign(ctx)?,
        Why::Skewed,
    )?;
    let mut w = good.clone();
    let auth = header(&w, "Authorization").unwrap_or_default().to_owned();
    let today = SigningTime::from_unix_seconds(base.time).date_stamp();
    set_header(
        &mut w,
        "Authorization",
        &auth.replacen(
            &format!("/{today}/"),
            &format!("/{}/", previous_day(base.time)),
            1,
        ),
    );
    b.reject(
        "scope-date-mismatch",
        "the credential scope dated the day before X-Amz-Date",
        service,
        w,
        Why::ScopeDate,
    )?;
    b.reject(
        "wrong-region",
        "signed for another region",
        service,
        base.clone()
            .with(|r| r.region = wrong_region(ctx).to_owned())
            .sign(ctx)?,
        Why::WrongRegion,
    )?;
    let other = if service == Service::Sts {
        "iam"
    } else {
        "sts"
    };
    b.reject(
        "wrong-service",
        &format!("signed for service {other}"),
        service,
        base.clone()
            .with(|r| r.scope_service = other.to_owned())
            .sign(ctx)?,
        Why::WrongService,
    )?;
    b.reject(
        "host-not-signed",
        "valid signature whose SignedHeaders lack host (Host added after signing)",
        service,
        base.clone().with(|r| r.sign_host = false).sign(ctx)?,
        Why::HostNotSigned,
    )?;
    let mut w = good.clone();
    let cred = format!(
        "{}/{}/{}/{}/aws4_request",
        ctx.key.access_key,
        today,
        ctx.region,
        service.name()
    );
    set_header(
        &mut w,
        "Authorization",
        &format!("AWS4-HMAC-SHA256 Credential={cred}, SignedHeaders=host;x-amz-date"),
    );
    b.reject(
        "malformed-no-signature",
        "Authorization without Signature=",
        service,
        w,
        Why::Malformed,
    )?;
    let mut w = good.clone();
    set_header(&mut w, "Authorization", "AWS4-HMAC-SHA256 Credential=,,=;");
    b.reject(
        "malformed-garbage",
        "Authorization `AWS4-HMAC-SHA256 Credential=,,=;`",
        service,
        w,
        Why::Malformed,
    )?;
    let mut w = good.clone();
    set_header(
        &mut w,
        "Authorization",
        &auth.replacen("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1),
    );
    b.reject(
        "unsupported-algorithm",
        "AWS4-HMAC-SHA512 for the algorithm",
        service,
        w,
        Why::UnsupportedAlgorithm,
    )?;
    let mut w = good.clone();
    w.headers.push(("Authorization".to_owned(), auth.clone()));
    // Our verifier refuses a second Authorization header as malformed; AWS's answer is by
    // analogy with a malformed header.
    b.reject(
        "duplicate-authorization",
        "the valid Authorization header sent twice",
        service,
        w,
        Why::DuplicateAuth,
    )?;
    let mut w = good.clone();
    w.headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("Authorization"));
    b.reject(
        "anonymous",
        "no Authorization at all",
        service,
        w,
        Why::MissingAuth,
    )?;
    Ok(())
}

/// The presigned cases of a GET `req` (signed with `presign` set here).
fn presigned(b: &mut Builder<'_>, req: &Req) -> Result<()> {
    let ctx = b.ctx;
    let service = req.service;
    let p = req.clone().with(|r| r.presign = Some(300));
    b.accept(
        "presigned-get",
        "presigned GET, X-Amz-Expires=300",
        &p,
        "AWS's SigV4 documentation (query string auth)",
    )?;
    b.reject(
        "presigned-expired",
        "presigned an hour ago for 60 seconds",
        service,
        req.clone()
            .with(|r| {
                r.presign = Some(60);
                r.time -= 3600;
            })
            .sign(ctx)?,
        Why::Expired,
    )?;
    b.reject(
        "presigned-not-yet-valid",
        "presigned with X-Amz-Date an hour ahead",
        service,
        req.clone()
            .with(|r| {
                r.presign = Some(300);
                r.time += 3600;
            })
            .sign(ctx)?,
        Why::NotYetValid,
    )?;
    let mut w = req.clone().with(|r| r.presign = Some(604_800)).sign(ctx)?;
    w.target = w
        .target
        .replacen("X-Amz-Expires=604800", "X-Amz-Expires=604801", 1);
    b.reject(
        "presigned-expires-over-a-week",
        "X-Amz-Expires=604801",
        service,
        w,
        Why::ExpiresOutOfRange,
    )?;
    let mut w = p.sign(ctx)?;
    let at = w.target.find("X-Amz-Signature=").map(|i| i + 16);
    if let Some(i) = at {
        let c = if w.target.as_bytes()[i] == b'0' {
            "1"
        } else {
            "0"
        };
        w.target.replace_range(i..=i, c);
    }
    b.reject(
        "presigned-signature-changed",
        "one hex digit of X-Amz-Signature changed",
        service,
        w,
        Why::SignatureMismatch,
    )?;
    Ok(())
}

fn generic(b: &mut Builder<'_>, service: Service) -> Result<()> {
    let ctx = b.ctx;
    let base = base(ctx, service);
    common(b, service, &base)?;
    let mut w = base.sign(ctx)?;
    w.body = if service == Service::Sts {
        b"Action=GetCallerIdentity&Version=2011-06-16".to_vec()
    } else {
        b"{ }".to_vec()
    };
    b.reject(
        "changed-body",
        "one byte of the body changed after signing",
        service,
        w,
        Why::SignatureMismatch,
    )?;
    let mut w = base.sign(ctx)?;
    w.method = "PUT".to_owned();
    b.reject(
        "changed-method",
        "POST signed, sent as PUT",
        service,
        w,
        Why::SignatureMismatch,
    )?;
    if service == Service::Sts {
        let get = Req::new(
            ctx,
            service,
            "GET",
            "/?Version=2011-06-15&Action=GetCallerIdentity",
        );
        b.accept(
            "get-query-unsorted",
            "GET with the query out of order",
            &get,
            "AWS's SigV4 documentation (the canonical query is sorted)",
        )?;
        presigned(b, &get)?;
    }
    Ok(())
}

fn s3(b: &mut Builder<'_>) -> Result<()> {
    let ctx = b.ctx;
    let service = Service::S3;
    let put = |name: &str| {
        Req::new(ctx, service, "PUT", &object(ctx, name))
            .header("Content-Type", "text/plain")
            .header("x-amz-meta-probe", "1")
            .body(BODY)
    };
    // Hard keys, as an SDK puts them on the wire (space and `+` percent-encoded, `~` not,
    // UTF-8 as percent-encoded bytes; `//` and dot segments kept: S3 never normalises).
    let keys: [(&str, &str); 6] = [
        ("key-space", "a%20b.txt"),
        ("key-plus", "a%2Bb.txt"),
        ("key-tilde", "a~b.txt"),
        ("key-utf8", "%C3%A9t%C3%A9/%E2%9C%93.txt"),
        ("key-double-slash", "a//b.txt"),
        ("key-dot-segments", "a/./b/../c.txt"),
    ];
    for (id, key) in keys {
        b.accept(
            &format!("put-{id}"),
            &format!("PUT object key `{key}`"),
            &put(key),
            "S3 API reference, Signature calculations (S3 encodes the path once and does not normalise it)",
        )?;
        b.accept(
            &format!("get-{id}"),
            &format!("GET object key `{key}`"),
            &Req::new(ctx, service, "GET", &object(ctx, key)),
            "S3 API reference, Signature calculations",
        )?;
    }
    let fixture = Req::new(ctx, service, "GET", &object(ctx, "fixture"));
    let prefix = format!("probe-{}/", ctx.run_id);
    b.accept(
        "list-query-unsorted",
        "ListObjectsV2 with an unsorted, encoded query",
        &Req::new(
            ctx,
            service,
            "GET",
            &format!(
                "/{BUCKET}?prefix={}&max-keys=5&list-type=2",
                prefix.replace('/', "%2F")
            ),
        ),
        "AWS's SigV4 documentation (the canonical query is sorted and encoded)",
    )?;
    b.accept(
        "list-query-raw-plus",
        "ListObjectsV2 with a raw `+` in the query (signed as a space, %20)",
        &Req::new(
            ctx,
            service,
            "GET",
            &format!("/{BUCKET}?list-type=2&prefix=probe+x"),
        ),
        "S3 reads a raw + in the query either way (aws4fetch#83, curl#20543)",
    )?;
    b.accept(
        "put-repeated-header",
        "x-amz-meta-probe sent on two lines (signed as `a,b`)",
        &put("repeated").header("x-amz-meta-probe", "2"),
        "AWS's SigV4 documentation; AWS's suite get-header-key-duplicate",
    )?;
    b.accept(
        "put-header-spaces",
        "a header value with leading, trailing and inner runs of spaces",
        &Req::new(ctx, service, "PUT", &object(ctx, "spaces"))
            .header("x-amz-meta-spaces", "  a   b  ")
            .body(BODY),
        "AWS's SigV4 documentation; AWS's suite get-header-value-trim",
    )?;
    b.accept(
        "put-unsigned-payload",
        "PUT with x-amz-content-sha256: UNSIGNED-PAYLOAD",
        &put("unsigned").with(|r| r.payload = Some(PayloadMode::Unsigned)),
        "S3 API reference, Signature calculations (UNSIGNED-PAYLOAD)",
    )?;
    b.accept(
        "presigned-put",
        "presigned PUT, X-Amz-Expires=300",
        &Req::new(ctx, service, "PUT", &object(ctx, "presigned-put"))
            .body(BODY)
            .with(|r| r.presign = Some(300)),
        "S3 API reference, Authenticating requests: using query parameters",
    )?;
    for mode in StreamingMode::ALL {
        let wire = chunked_put(
            ctx,
            &object(ctx, &format!("chunked-{}", mode_id(mode))),
            mode,
            false,
        )?;
        b.accept_wire(
            &format!("chunked-{}", mode_id(mode)),
            &format!("aws-chunked upload, {mode}, 20,000 bytes in 8 KiB chunks"),
            service,
            wire,
            "S3 API reference, sigv4-streaming and sigv4-streaming-trailers",
        )?;
    }
    let broken = chunked_put(
        ctx,
        &object(ctx, "chunked-broken"),
        StreamingMode::SignedPayload,
        true,
    )?;
    b.reject_with(
        "chunked-signature-broken",
        "aws-chunked, the second chunk's signature changed",
        service,
        broken,
        Why::ChunkSignature,
        Proof::BodyFails,
    )?;
    common(b, service, &put("common"))?;
    let mut w = put("body-changed").sign(ctx)?;
    w.body = b"SIGV4 probe object\n".to_vec();
    b.reject(
        "changed-body",
        "the body changed after signing (same length)",
        service,
        w,
        Why::ContentSha256,
    )?;
    b.reject(
        "content-sha256-not-body",
        "signed with an x-amz-content-sha256 that is not the body's hash",
        service,
        put("lie")
            .with(|r| r.payload = Some(PayloadMode::Precomputed(sha256_hex(b"another body"))))
            .sign(ctx)?,
        Why::ContentSha256,
    )?;
    let mut w = Req::new(ctx, service, "GET", &object(ctx, "victim")).sign(ctx)?;
    w.method = "DELETE".to_owned();
    b.reject(
        "changed-method",
        "GET signed, sent as DELETE",
        service,
        w,
        Why::SignatureMismatch,
    )?;
    presigned(b, &fixture)?;
    Ok(())
}

fn mode_id(mode: StreamingMode) -> &'static str {
    match mode {
        StreamingMode::SignedPayload => "signed",
        StreamingMode::SignedPayloadTrailer => "signed-trailer",
        _ => "unsigned-trailer",
    }
}

/// An aws-chunked PUT of 20,000 bytes in 8 KiB chunks; `break_second` changes one hex digit
/// of the second chunk's signature.
fn chunked_put(
    ctx: &Ctx,
    target: &str,
    mode: StreamingMode,
    break_second: bool,
) -> Result<OwnedRequest> {
    let body: Vec<u8> = (0..20_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let chunk = 8192;
    let checksum = mode.has_trailer().then_some(ChecksumAlgorithm::Crc32);
    let mut req =
        Req::new(ctx, Service::S3, "PUT", target).with(|r| r.payload = Some(mode.payload_mode()));
    for (n, v) in streaming_headers(
        body.len() as u64,
        encoded_length(mode, body.len() as u64, chunk as u64, checksum),
        checksum,
    ) {
        req = req.header(n, &v);
    }
    let (mut wire, out) = req.sign_full(ctx)?;
    let creds = Credentials::new(&ctx.key.access_key, &ctx.key.secret);
    let params = SigningParams::new(
        &creds,
        &ctx.region,
        "s3",
        SigningTime::from_unix_seconds(req.time),
    )
    .with_settings(req.settings());
    let enc = match (mode, checksum) {
        (StreamingMode::SignedPayload, _) => {
            ChunkedEncoder::signed_payload(ChunkSigner::from_signing(&out, &params))
        }
        (StreamingMode::SignedPayloadTrailer, Some(c)) => {
            ChunkedEncoder::signed_payload_trailer(ChunkSigner::from_signing(&out, &params), c)
        }
        (_, c) => ChunkedEncoder::unsigned_payload_trailer(c.unwrap_or(ChecksumAlgorithm::Crc32)),
    };
    let mut framed = enc.encode_all(&body, chunk);
    if break_second {
        let marker = b";chunk-signature=";
        let at = framed
            .windows(marker.len())
            .enumerate()
            .filter(|(_, w)| *w == marker)
            .nth(1)
            .map(|(i, _)| i + marker.len())
            .context("no second chunk")?;
        framed[at] = if framed[at] == b'0' { b'1' } else { b'0' };
    }
    wire.body = framed;
    Ok(wire)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(services: Vec<Service>) -> Ctx {
        Ctx {
            addr: "127.0.0.1:9".parse().unwrap(),
            host: "127.0.0.1:9".to_owned(),
            key: Key::new(
                "AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                None,
            ),
            session: Some(Key::new("ASIAEXAMPLE", "secret", Some("token"))),
            region: "us-east-1".to_owned(),
            services,
            sigv4a: true,
            now: 1_764_000_000,
            run_id: "t".to_owned(),
        }
    }

    #[test]
    fn the_battery_proves_itself_and_has_unique_bounded_ids() {
        let all = vec![
            Service::S3,
            Service::Sts,
            Service::Dynamodb,
            Service::Kinesis,
        ];
        // `build` fails when any case does not pass its proof with our verifier.
        let cases = build(&ctx(all)).unwrap();
        let ids: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), cases.len(), "duplicate case ids");
        assert!(cases.len() < 200, "{} cases", cases.len());
        // Both verdicts are represented for every service.
        for s in ["s3/", "sts/", "dynamodb/", "kinesis/"] {
            let of: Vec<&Case> = cases.iter().filter(|c| c.id.starts_with(s)).collect();
            assert!(of.iter().any(|c| c.expect == Expect::Accept), "{s}");
            assert!(of.iter().any(|c| c.expect != Expect::Accept), "{s}");
        }
    }

    #[test]
    fn a_mutation_that_changes_nothing_fails_its_proof() {
        // The proof is not vacuous: a valid request claimed to be a signature mismatch is
        // refused by `prove`.
        let c = ctx(vec![Service::S3]);
        let wire = Req::new(&c, Service::S3, "GET", "/b/k").sign(&c).unwrap();
        assert!(prove(
            &c,
            Service::S3,
            &wire,
            Proof::Rejects(&["signature-mismatch"])
        )
        .is_err());
        assert!(prove(&c, Service::S3, &wire, Proof::Accepts).is_ok());
    }
}
