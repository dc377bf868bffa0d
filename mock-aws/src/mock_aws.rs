//! [`MockAws`], the whole fake AWS: one request in, one response out (transport-agnostic),
//! state in memory. Its top-level handler is here: inspection endpoints aside, a request is
//! authenticated ([`crate::auth`]), its `aws-chunked` body decoded ([`crate::chunked_upload`]),
//! its operation run by the AWS service it is for ([`crate::services`]), and its verdict recorded
//! ([`crate::verdicts`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sigv4_signer::{SigningKeyCache, SigningTime};

use crate::auth::{Authenticated, V4aKeys};
use crate::chunked_upload::chunked_mode;
use crate::config::Config;
use crate::error_body::error_response;
use crate::errors::{aws_error, AwsError, Protocol};
use crate::message::{Request, Response};
use crate::routing::{detect, is_inspection, Target};
use crate::services::{self, Ctx, State};
use crate::sigv2;
use crate::storage::{Storage, Streamed};
use crate::verdicts::{Verdict, VerdictLog};

/// The fake AWS: every service, its state, the verdict log.
#[derive(Debug)]
pub struct MockAws {
    pub(crate) config: Config,
    pub(crate) state: Mutex<State>,
    pub(crate) verdicts: VerdictLog,
    seq: AtomicU64,
    /// SigV4a public keys derived from the configured credentials, by access key id.
    pub(crate) v4a_keys: V4aKeys,
    /// Where S3's bytes live, and the memory limit.
    pub(crate) storage: Arc<Storage>,
    /// SigV4 signing keys by secret, date, region and service: a key is derived (four HMACs)
    /// once a day per credential and scope, not for every request.
    pub(crate) signing_keys: SigningKeyCache,
}

impl MockAws {
    /// A fake AWS with `config`.
    pub fn new(config: Config) -> Self {
        let storage = Arc::new(Storage::new(config.data_dir.clone(), config.max_memory));
        Self {
            verdicts: VerdictLog::new(config.verdict_capacity),
            config,
            state: Mutex::new(State {
                storage: Arc::clone(&storage),
                ..State::default()
            }),
            storage,
            seq: AtomicU64::new(0),
            v4a_keys: V4aKeys::default(),
            signing_keys: SigningKeyCache::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn now(&self) -> SigningTime {
        self.config.clock.unwrap_or_else(|| {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            SigningTime::from_unix_seconds(i64::try_from(secs).unwrap_or(i64::MAX))
        })
    }

    pub(crate) fn request_id(&self) -> (u64, String) {
        let n = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        (n, request_id_of(n))
    }

    /// Whether `target` is for the inspection endpoints (`/_mock-aws/...`).
    pub fn is_internal(target: &str) -> bool {
        is_inspection(target)
    }

    /// Where S3's bytes live, and the memory limit.
    pub fn storage(&self) -> &Arc<Storage> {
        &self.storage
    }

    /// Answers a request whose body is over `max_body`, without reading it.
    pub fn too_large(&self, req: &Request) -> (Response, Arc<Verdict>) {
        let msg = format!(
            "Your request body is larger than the {} bytes this mock-aws accepts (--max-body; S3 uploads may have 5 GiB).",
            self.config.max_body
        );
        self.refuse_body(req, &msg)
    }

    /// Answers a request whose body is refused (too large, or past `--max-memory`) with the
    /// protocol's too-large error and `msg`, without reading it.
    pub fn refuse_body(&self, req: &Request, msg: &str) -> (Response, Arc<Verdict>) {
        let target = detect(req);
        let (seq, rid) = self.request_id();
        let err = aws_error("request-too-large", target.protocol, false);
        let resp = error_response(target.protocol, err, msg, &rid, "");
        let mut v = Verdict::for_request(seq, req, target.service.clone());
        v.status = resp.status;
        v.error_code = Some(err.code.to_owned());
        v.verifier_code = Some("request-too-large".to_owned());
        let v = Arc::new(v);
        self.verdicts.record(Arc::clone(&v));
        (resp, v)
    }

    /// Handles one request. The verdict is `None` for the inspection endpoints.
    ///
    /// An S3 request whose `x-amz-content-sha256` names a streaming mode has its body (already
    /// in memory here) decoded and verified as `aws-chunked`; a server that reads the body in
    /// pieces uses [`MockAws::begin_chunked`] instead.
    pub fn handle(&self, req: &Request) -> (Response, Option<Arc<Verdict>>) {
        if is_inspection(&req.target) {
            return (self.inspect(req), None);
        }
        if let Ok(done) = self.sigv2(req, None) {
            return done;
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

    /// Handles an S3 upload whose body the server streamed to storage (`req` has no body):
    /// verified with the body's hash as streamed, stored without a copy.
    pub fn handle_streamed(
        &self,
        req: &Request,
        body: Streamed,
    ) -> (Response, Option<Arc<Verdict>>) {
        let body = match self.sigv2(req, Some(body)) {
            Ok(done) => return done,
            Err(body) => body.unwrap_or_else(unreachable_body),
        };
        let auth = match self.authenticate_streamed(req, Some(&body.sha256)) {
            Ok(a) => a,
            Err(done) => return done,
        };
        self.dispatch_with(req, auth, Some(body))
    }

    /// Runs the operation of an authenticated request.
    pub(crate) fn dispatch(
        &self,
        req: &Request,
        auth: Authenticated,
    ) -> (Response, Option<Arc<Verdict>>) {
        self.dispatch_with(req, auth, None)
    }

    /// Runs the operation of an authenticated request whose body may be in storage.
    pub(crate) fn dispatch_with(
        &self,
        req: &Request,
        auth: Authenticated,
        streamed: Option<Streamed>,
    ) -> (Response, Option<Arc<Verdict>>) {
        let Authenticated {
            target,
            rid,
            now,
            verdict,
            verified: v,
            ..
        } = auth;
        self.run_operation(
            req,
            &target,
            rid,
            now.unix_seconds(),
            verdict,
            v.access_key_id(),
            streamed,
        )
    }

    /// Runs the operation of a request whose signature (SigV4, SigV4a or SigV2) verified.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run_operation(
        &self,
        req: &Request,
        target: &Target,
        rid: String,
        now: i64,
        mut verdict: Verdict,
        access_key: &str,
        streamed: Option<Streamed>,
    ) -> (Response, Option<Arc<Verdict>>) {
        // DynamoDB's body is parsed before the lock, which is held for the operation only.
        let mut prepared = services::prepare(target, req);
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut ctx = Ctx {
            req,
            state: &mut state,
            access_key,
            region: &self.config.region,
            request_id: &rid,
            now,
            streamed,
        };
        let (op, result) = services::handle(target, &mut ctx, &mut prepared);
        drop(state);
        drop(prepared);
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
        self.conclude(target, rid, resp, verdict)
    }

    /// An S3 request signed with SigV2 (`Authorization: AWS ...` or a presigned
    /// `AWSAccessKeyId`/`Signature`/`Expires`), verified by [`crate::sigv2`]; `None` for any
    /// other request. Its verdict's `verifier_code` starts with `sigv2`, its
    /// `canonical_request` is the SigV2 string to sign.
    // The `Err` hands the body back, once per request: boxing it buys nothing.
    #[allow(clippy::result_large_err)]
    fn sigv2(
        &self,
        req: &Request,
        streamed: Option<Streamed>,
    ) -> Result<(Response, Option<Arc<Verdict>>), Option<Streamed>> {
        // Only a request that looks like SigV2 is routed here (a SigV4 one is routed, on the
        // authentication parsed once, by `authenticate`).
        let Some(parsed) = sigv2::parse(req) else {
            return Err(streamed);
        };
        let target = detect(req);
        if target.service != "s3" {
            return Err(streamed);
        }
        let (seq, rid) = self.request_id();
        let now = self.now().unix_seconds();
        let mut verdict = Verdict::for_request(seq, req, target.service.clone());
        let lookup = |ak: &str| {
            self.config
                .credentials
                .iter()
                .find(|c| c.access_key_id == ak)
                .map(|c| c.secret.clone())
        };
        let result = parsed
            .map_err(|why| sigv2::Refusal {
                code: "AccessDenied",
                status: 403,
                message: format!(
                    "Invalid SigV2 authorization (mock-aws: {why}; {})",
                    sigv2::ABOUT
                ),
                extra_xml: String::new(),
                verifier_code: "malformed",
            })
            .and_then(|p| {
                verdict.access_key = Some(p.access_key_id.clone());
                // SigV2 has no canonical request: both fields are its string to sign (the
                // page shows it once, as S3's <StringToSign>).
                let sts = sigv2::string_to_sign(req, &p.location);
                verdict.canonical_request = Some(sts.clone());
                verdict.string_to_sign = Some(sts);
                sigv2::verify(req, &p, now, self.config.max_skew, &lookup)
            });
        Ok(match result {
            Ok(ak) => {
                verdict.verifier_code = Some("sigv2".to_owned());
                verdict.diagnosis = Some(format!("accepted as SigV2: {}", sigv2::ABOUT));
                self.run_operation(req, &target, rid, now, verdict, &ak, streamed)
            }
            Err(r) => {
                verdict.error_code = Some(r.code.to_owned());
                verdict.verifier_code = Some(format!("sigv2-{}", r.verifier_code));
                verdict.diagnosis = Some(if r.verifier_code == "signature-mismatch" {
                    format!(
                        "the SigV2 signature does not match the server's: {}; compare your string to sign with the server's (S3's <StringToSign>, below)",
                        sigv2::ABOUT
                    )
                } else {
                    format!("SigV2: {}", sigv2::ABOUT)
                });
                verdict.diagnosis_code = Some("sigv2".to_owned());
                let resp = error_response(
                    Protocol::S3,
                    AwsError {
                        code: r.code,
                        status: r.status,
                    },
                    &r.message,
                    &rid,
                    &r.extra_xml,
                );
                self.conclude(&target, rid, resp, verdict)
            }
        })
    }

    /// Adds the request id to the answer (moved into its header, not copied) and records the
    /// verdict.
    pub(crate) fn conclude(
        &self,
        target: &Target,
        rid: String,
        resp: Response,
        mut verdict: Verdict,
    ) -> (Response, Option<Arc<Verdict>>) {
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
        // Shared by the ring and the caller (which logs it): built once, not copied.
        let verdict = Arc::new(verdict);
        self.verdicts.record(Arc::clone(&verdict));
        (resp, Some(verdict))
    }
}

/// The request id of request `n`: `MOCKAWS` and `n` in uppercase hex, at least 13 digits
/// (what `format!("MOCKAWS{n:013X}")` writes, without the formatting machinery: a thousand
/// instructions of every request under callgrind).
fn request_id_of(n: u64) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let digits = (16 - n.leading_zeros() as usize / 4).max(13);
    let mut id = String::with_capacity(7 + digits);
    id.push_str("MOCKAWS");
    // At most 16 digits: every shift is below 64.
    for i in (0..digits).rev() {
        id.push(char::from(HEX[((n >> (4 * i)) & 0xF) as usize]));
    }
    id
}

/// `sigv2` hands back the body it was given when the request is not SigV2.
fn unreachable_body() -> Streamed {
    Streamed {
        blob: crate::storage::Blob::Mem(bytes::Bytes::new()),
        md5: [0; 16],
        sha256: String::new(),
        checksum: None,
        reservation: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{EXAMPLE_ACCESS_KEY, EXAMPLE_SECRET};
    use crate::routing::tests::parses_during;
    use sigv4_signer::{
        sign, Credentials, Settings, SignableRequest, SignatureLocation, SigningParams,
    };

    /// `req` signed for `service` (S3 rules for `s3`) at the mock's clock.
    fn signed(
        mock: &MockAws,
        service: &str,
        req: SignableRequest<'_>,
        location: SignatureLocation,
    ) -> Request {
        let creds = Credentials::new(EXAMPLE_ACCESS_KEY, EXAMPLE_SECRET);
        let settings = if service == "s3" && matches!(location, SignatureLocation::Query { .. }) {
            Settings::s3_presigned()
        } else if service == "s3" {
            Settings::s3()
        } else {
            Settings::default()
        };
        let params =
            SigningParams::new(&creds, "us-east-1", service, mock.now()).with_settings(settings);
        let s = sign(&req, &params, location).expect("sign").apply(&req);
        Request {
            method: s.method,
            target: s.target,
            headers: s.headers,
            body: s.body,
        }
    }

    fn dynamodb<'a>(target: &'a str, body: &'a str) -> SignableRequest<'a> {
        SignableRequest::new("POST", "/")
            .header("Host", "127.0.0.1:4566")
            .header("Content-Type", "application/x-amz-json-1.0")
            .header("X-Amz-Target", target)
            .body(body.as_bytes())
    }

    /// Handles `req` and returns its status and how many times mock-aws parsed its
    /// authentication.
    fn handle_counted(mock: &MockAws, req: &Request) -> (u16, usize) {
        let ((resp, _), n) = parses_during(|| mock.handle(req));
        eprintln!(
            "{} {}: {}",
            req.method,
            req.target,
            String::from_utf8_lossy(&resp.body)
        );
        (resp.status, n)
    }

    #[test]
    fn request_ids_as_format_writes_them() {
        for n in [
            0,
            1,
            0xABC,
            0x1_0000_0000_0000,
            (1 << 52) - 1,
            1 << 52,
            u64::MAX,
        ] {
            assert_eq!(request_id_of(n), format!("MOCKAWS{n:013X}"), "{n}");
        }
    }

    /// Issue 17: each request's `Authorization` header (or presigned query) is parsed once,
    /// for routing by its scope, for the verdict and for verification, whether it verifies,
    /// fails to verify, or does not parse.
    #[test]
    fn one_parse_per_request() {
        let mock = MockAws::new(Config::default());
        let headers = SignatureLocation::Headers;
        let table = r#"{"TableName":"tbl","AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}],"KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}"#;
        let create = signed(
            &mock,
            "dynamodb",
            dynamodb("DynamoDB_20120810.CreateTable", table),
            headers,
        );
        assert_eq!(handle_counted(&mock, &create), (200, 1));
        let item = r#"{"TableName":"tbl","Item":{"k":{"S":"a"}}}"#;
        let put = signed(
            &mock,
            "dynamodb",
            dynamodb("DynamoDB_20120810.PutItem", item),
            headers,
        );
        assert_eq!(handle_counted(&mock, &put), (200, 1));

        let s3 = |method: &'static str, target: &'static str, body: &'static [u8]| {
            SignableRequest::new(method, target)
                .header("Host", "127.0.0.1:4566")
                .body(body)
        };
        let bucket = signed(&mock, "s3", s3("PUT", "/bkt", b""), headers);
        assert_eq!(handle_counted(&mock, &bucket), (200, 1));
        let object = signed(&mock, "s3", s3("PUT", "/bkt/k", b"bytes"), headers);
        assert_eq!(handle_counted(&mock, &object), (200, 1));
        let presigned = signed(
            &mock,
            "s3",
            s3("GET", "/bkt/k", b""),
            SignatureLocation::Query { expires_in: 60 },
        );
        assert!(presigned.header("authorization").is_none());
        assert_eq!(handle_counted(&mock, &presigned), (200, 1));

        // A signature that does not match (diagnosed by the signer, which is not counted).
        let mut wrong = put.clone();
        wrong.body = br#"{"TableName":"tbl","Item":{"k":{"S":"b"}}}"#.to_vec();
        assert_eq!(handle_counted(&mock, &wrong), (400, 1));
        // An Authorization header that does not parse.
        let mut garbled = put.clone();
        for (n, v) in &mut garbled.headers {
            if n.eq_ignore_ascii_case("authorization") {
                *v = "AWS4-HMAC-SHA256 Credential=nothing".to_owned();
            }
        }
        assert_eq!(handle_counted(&mock, &garbled), (400, 1));
    }
}
