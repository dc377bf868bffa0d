//! Authentication: a request's SigV4 or SigV4a signature verified with `sigv4-signer`
//! ([`verify_with_key`]), a mismatch explained with [`diagnose`], SigV2 recognised (and named,
//! as mock-aws does not verify it), then the session token checked against the credential's.
//! A failure becomes the protocol's AWS error with mock-aws's reason ([`failure_message`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sigv4_signer::diagnose::{diagnose, Diagnosis, Mistake};
use sigv4_signer::v4a::{verify_parsed_with_key, verify_with_key, V4aPublicKey, V4aSigningKey};
use sigv4_signer::verify::{Verified, VerifyError, VerifyParams, VerifySettings};
use sigv4_signer::{SessionTokenMode, Settings, SigningTime};

use crate::canonical_diff::{client_canonical_request, diff};
use crate::config::Config;
use crate::error_body::{error_response_with, s3_auth_details, AuthDetails};
use crate::errors::{aws_error, aws_message, AwsError, Protocol};
use crate::framing::parse_form;
use crate::message::{Request, Response};
use crate::mock_aws::MockAws;
use crate::routing::{detect_parsed, parse, Target};
use crate::verdicts::Verdict;

/// A request whose signature (and session token) verified.
pub(crate) struct Authenticated {
    pub(crate) target: Target,
    pub(crate) rid: String,
    pub(crate) now: SigningTime,
    pub(crate) verdict: Verdict,
    pub(crate) verified: Verified,
}

impl Authenticated {
    /// The secret of the access key that signed (for an `aws-chunked` body's chunk
    /// signatures), looked up when needed rather than copied for every request.
    pub(crate) fn secret<'c>(&self, config: &'c Config) -> &'c str {
        config
            .credentials
            .iter()
            .find(|c| c.access_key_id == self.verified.access_key_id())
            .map_or("", |c| c.secret.as_str())
    }
}

/// The SigV4a public keys of the configured access keys, each derived on first use and cached
/// (a key depends on the access key id and secret only).
#[derive(Debug, Default)]
pub(crate) struct V4aKeys(Mutex<HashMap<String, V4aPublicKey>>);

impl V4aKeys {
    /// The public key of `access_key_id` when `config` accepts it.
    pub(crate) fn get(&self, config: &Config, access_key_id: &str) -> Option<V4aPublicKey> {
        let mut keys = match self.0.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(k) = keys.get(access_key_id) {
            return Some(*k);
        }
        let c = config
            .credentials
            .iter()
            .find(|c| c.access_key_id == access_key_id)?;
        let key = V4aSigningKey::derive(&c.access_key_id, &c.secret)
            .ok()?
            .public_key();
        keys.insert(access_key_id.to_owned(), key);
        Some(key)
    }
}

/// Whether `req` is signed with Signature Version 2 (`AWSAccessKeyId`/`Signature` in the
/// query, or `Authorization: AWS AK:sig`).
pub fn is_sigv2(req: &Request) -> bool {
    let q = parse_form(req.path_and_query().unwrap_or_default().1);
    let has = |k: &str| q.iter().any(|(n, _)| n == k);
    (has("AWSAccessKeyId") && has("Signature"))
        || req
            .header("authorization")
            .is_some_and(|a| a.starts_with("AWS "))
}

/// The session token `req` carries: `X-Amz-Security-Token` as a header, else in the query.
pub fn sent_session_token(req: &Request) -> Option<String> {
    req.header("x-amz-security-token")
        .map(str::to_owned)
        .or_else(|| {
            parse_form(req.path_and_query().unwrap_or_default().1)
                .into_iter()
                .find(|(k, _)| k == "X-Amz-Security-Token")
                .map(|(_, v)| v)
        })
}

/// The message of a verification failure: AWS's wording for `code`, then, in parentheses after
/// `mock-aws:`, the verifier's reason (but for a mismatch, whose reason the diagnosis gives),
/// the diagnosis, and with `sigv2` a note that the request is signed with SigV2.
pub fn failure_message(
    err: &VerifyError,
    code: AwsError,
    protocol: Protocol,
    mistake: Option<&Diagnosis>,
    sigv2: bool,
) -> String {
    let mut msg = aws_message(err, code, protocol);
    let mut notes = Vec::new();
    if !matches!(err, VerifyError::SignatureMismatch { .. }) {
        notes.push(err.to_string());
    }
    if let Some(m) = mistake {
        notes.push(format!("diagnosis: {m}"));
    }
    if sigv2 {
        notes.push("this request is signed with Signature Version 2 (AWSAccessKeyId/Signature/Expires or `Authorization: AWS AK:sig`), which mock-aws does not verify: sign with SigV4 (boto3: Config(signature_version=\"s3v4\"))".to_owned());
    }
    if !notes.is_empty() {
        msg.push_str(&format!(" (mock-aws: {})", notes.join("; ")));
    }
    msg
}

impl MockAws {
    /// Verifies the signature (and session token) of `req`; on failure, the answer.
    // The `Err` is the complete answer, made once per request: boxing it buys nothing.
    #[allow(clippy::result_large_err)]
    pub(crate) fn authenticate(
        &self,
        req: &Request,
    ) -> Result<Authenticated, (Response, Option<Arc<Verdict>>)> {
        self.authenticate_streamed(req, None)
    }

    /// As [`authenticate`](Self::authenticate), for a request whose body was streamed to
    /// storage: `body_sha256` is its hash ([`crate::storage::Streamed`]).
    #[allow(clippy::result_large_err)]
    pub(crate) fn authenticate_streamed(
        &self,
        req: &Request,
        body_sha256: Option<&str>,
    ) -> Result<Authenticated, (Response, Option<Arc<Verdict>>)> {
        // The request's authentication is parsed once: for routing by its credential scope,
        // for the verdict and for verification.
        let signable = req.signable();
        let parsed = parse(&signable);
        let target = detect_parsed(req, parsed.as_ref().ok());
        let (seq, rid) = self.request_id();
        let now = self.now();
        // Secrets are lent from the configuration, not copied per request.
        let lookup = |ak: &str| {
            self.config
                .credentials
                .iter()
                .find(|c| c.access_key_id == ak)
                .map(|c| c.secret.as_str())
        };
        let params = VerifyParams::new_borrowing(now, &lookup)
            .with_key_cache(Some(&self.signing_keys))
            .with_body_sha256(body_sha256)
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
            })
            // A request whose shape says which service it is must be scoped to it.
            .with_expected_service(target.from_shape.then_some(target.service.as_ref()));
        let presigned = req.header("authorization").is_none();
        let mut verdict = Verdict::for_request(seq, req, target.service.clone());
        // The operation a refusal's verdict names (`operation_hint`) is worked out only when
        // the request is refused: an accepted one's verdict gets its operation's own name
        // from `run_operation`, or from `chunked_upload`'s hint.
        let auth = parsed.as_ref().ok();
        verdict.signed_headers = auth.map(|a| a.signed_headers_list().to_owned());
        verdict.signature = auth.map(|a| a.signature().to_owned());
        let access_key = auth.map(|a| a.access_key_id().to_owned());
        let client_cr = client_canonical_request(req);
        let mut details = AuthDetails::default();
        match &client_cr {
            Some(Ok(c)) => verdict.client_canonical_request = Some(c.clone()),
            Some(Err(e)) => details.canonical_request_diff = Some(e.clone()),
            None => {}
        }
        verdict.canonical_request_diff = details.canonical_request_diff.clone();
        let diff_with = |server: &str| {
            match &client_cr {
            Some(Ok(c)) => Some(diff(c, server).unwrap_or_else(|| {
                "your canonical request is the server's, byte for byte: the difference is in the string to sign or the key (date, region, service, secret)".to_owned()
            })),
            Some(Err(e)) => Some(e.clone()),
            None => None,
        }
        };
        // SigV4 and SigV4a alike; SigV4a under the cached public key.
        let key = |ak: &str| self.v4a_keys.get(&self.config, ak);
        let verified = match parsed {
            Ok(auth) => verify_parsed_with_key(&signable, auth, &params, &key),
            // Unparsable: the whole verifier says why (a bad header value before the
            // authentication, as it checks them first).
            Err(_) => verify_with_key(&signable, &params, &key),
        };
        match verified {
            Err(err) => {
                verdict.access_key = access_key;
                let mistake = match err {
                    VerifyError::SignatureMismatch { .. }
                    | VerifyError::SignedHeaderMissing { .. } => diagnose(&signable, &params),
                    _ => None,
                };
                let code = aws_error(err.code(), target.protocol, presigned);
                let mut msg =
                    failure_message(&err, code, target.protocol, mistake.as_ref(), is_sigv2(req));
                let note = received_body_note(req, &target, body_sha256, &err, mistake.as_ref());
                if let Some(n) = &note {
                    msg.push_str(&format!(" (mock-aws: {n})"));
                }
                if let VerifyError::SignatureMismatch {
                    canonical_request,
                    string_to_sign,
                } = &err
                {
                    verdict.canonical_request = Some(canonical_request.clone());
                    verdict.string_to_sign = Some(string_to_sign.clone());
                    verdict.canonical_request_diff = diff_with(canonical_request);
                }
                if target.protocol == Protocol::S3 {
                    details.s3_xml = s3_auth_details(
                        &err,
                        verdict.access_key.as_deref(),
                        verdict.signature.as_deref().unwrap_or_default(),
                        mistake.as_ref(),
                    );
                }
                details.access_key = verdict.access_key.clone();
                details.canonical_request = verdict.canonical_request.clone();
                details.string_to_sign = verdict.string_to_sign.clone();
                details.signature_provided = verdict.signature.clone();
                details.canonical_request_diff = verdict.canonical_request_diff.clone();
                verdict.error_code = Some(code.code.to_owned());
                verdict.verifier_code = Some(err.code().to_owned());
                verdict.diagnosis = mistake.as_ref().map(|m| match &note {
                    Some(n) => format!("{m}. {n}"),
                    None => m.to_string(),
                });
                verdict.diagnosis_code = mistake.as_ref().map(|m| m.code());
                details.diagnosis = verdict.diagnosis.clone();
                details.diagnosis_code = verdict.diagnosis_code.clone();
                let resp = error_response_with(target.protocol, code, &msg, &rid, &details);
                verdict.operation = crate::framing::operation_hint(req);
                Err(self.conclude(&target, rid, resp, verdict))
            }
            Ok(v) => {
                verdict.access_key = access_key;
                verdict.canonical_request = Some(v.canonical_request().to_owned());
                verdict.string_to_sign = Some(v.string_to_sign().to_owned());
                verdict.canonical_request_diff = diff_with(v.canonical_request());
                let cred = self
                    .config
                    .credentials
                    .iter()
                    .find(|c| c.access_key_id == v.access_key_id());
                let sent_token = sent_session_token(req);
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
                    details.canonical_request = verdict.canonical_request.clone();
                    details.string_to_sign = verdict.string_to_sign.clone();
                    let resp = error_response_with(target.protocol, code, &msg, &rid, &details);
                    verdict.operation = crate::framing::operation_hint(req);
                    return Err(self.conclude(&target, rid, resp, verdict));
                }
                // A session token sent as a header must be signed where the service signs it
                // (`Include`, STS, DynamoDB, S3 and most): one added after signing is refused
                // with the signature code, and the diagnosis names it.
                let token_unsigned = self.config.session_token == SessionTokenMode::Include
                    && req.header("x-amz-security-token").is_some()
                    && !v
                        .auth()
                        .signed_headers()
                        .any(|h| h == "x-amz-security-token")
                    && !presigned;
                if token_unsigned {
                    let code = aws_error("signature-mismatch", target.protocol, presigned);
                    let mistake = Mistake::SessionTokenNotSigned;
                    let msg = format!(
                        "{} (mock-aws: diagnosis: {mistake})",
                        aws_message(
                            &VerifyError::SignatureMismatch {
                                canonical_request: String::new(),
                                string_to_sign: String::new(),
                            },
                            code,
                            target.protocol
                        )
                    );
                    verdict.error_code = Some(code.code.to_owned());
                    verdict.verifier_code = Some("session-token-not-signed".to_owned());
                    verdict.diagnosis = Some(mistake.to_string());
                    verdict.diagnosis_code = Some(mistake.code().to_owned());
                    details.access_key = verdict.access_key.clone();
                    details.canonical_request = verdict.canonical_request.clone();
                    details.string_to_sign = verdict.string_to_sign.clone();
                    details.signature_provided = verdict.signature.clone();
                    details.diagnosis = verdict.diagnosis.clone();
                    details.diagnosis_code = verdict.diagnosis_code.clone();
                    details.canonical_request_diff = verdict.canonical_request_diff.clone();
                    let resp = error_response_with(target.protocol, code, &msg, &rid, &details);
                    verdict.operation = crate::framing::operation_hint(req);
                    return Err(self.conclude(&target, rid, resp, verdict));
                }
                Ok(Authenticated {
                    target,
                    rid,
                    now,
                    verdict,
                    verified: v,
                })
            }
        }
    }
}

/// For an S3 signature mismatch no known mistake explains, on a request with a body and no
/// `x-amz-content-sha256`: a note that the payload hash in the server's canonical request is
/// the SHA-256 of the body as received (streamed to storage, or in memory), so a signer that
/// hashed other bytes (a body changed or replaced after signing) is a likely cause, which the
/// unexplained diagnosis (secret, a header changed on the way) does not name. `None` otherwise.
fn received_body_note(
    req: &Request,
    target: &crate::routing::Target,
    body_sha256: Option<&str>,
    err: &VerifyError,
    mistake: Option<&Diagnosis>,
) -> Option<String> {
    let VerifyError::SignatureMismatch {
        canonical_request, ..
    } = err
    else {
        return None;
    };
    let has_body = body_sha256.map_or(!req.body.is_empty(), |h| {
        h != sigv4_signer::internal::sha256_hex(b"")
    });
    let unexplained = mistake.is_some_and(|m| !m.is_explained());
    if target.service != "s3"
        || !has_body
        || !unexplained
        || req.header("x-amz-content-sha256").is_some()
    {
        return None;
    }
    let payload = canonical_request.rsplit('\n').next().unwrap_or("");
    Some(format!(
        "the payload hash in the server's canonical request, {payload}, is the SHA-256 of the body as the server received it, and the request declares no x-amz-content-sha256: if your signer hashed other bytes (a body changed, re-encoded or replaced after signing), that line is the difference; S3 clients send the hash they signed as x-amz-content-sha256"
    ))
}
