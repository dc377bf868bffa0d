//! Running a case against the reference signer, stage by stage.
//!
//! A SigV4a case (one with a public key) is signed with [`sigv4_signer::v4a::sign`]. Its
//! canonical request and string to sign are compared byte for byte; ECDSA signatures are
//! randomised, so the signature stage checks that the suite's expected signature and ours both
//! verify under the case's public key, the signed-request stage compares the requests with
//! the signatures masked and verifies the expected one's signature, and a `public-key` stage
//! checks the key derived from the case's credentials.

use std::fmt;

use sigv4_signer::{
    sign, SignError, SignatureLocation, SignedRequest, SigningOutput, SigningParams, SigningTime,
};

use sigv4_signer::v4a::{V4aPublicKey, V4aSigningKey};

use crate::case::{Case, Location};
use crate::request_txt::{parse_request, RawRequest};

/// A stage of the algorithm whose result a case can pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// Canonical request.
    CanonicalRequest,
    /// String to sign.
    StringToSign,
    /// Signature.
    Signature,
    /// The signed request.
    SignedRequest,
    /// The `aws-chunked` chain: chunk and trailer signatures, and the encoded length.
    ChunkSignatures,
    /// An expected error.
    Error,
    /// SigV4a: the public key derived from the case's credentials is `public-key.json`'s.
    PublicKey,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CanonicalRequest => "canonical-request",
            Self::StringToSign => "string-to-sign",
            Self::Signature => "signature",
            Self::SignedRequest => "signed-request",
            Self::ChunkSignatures => "chunk-signatures",
            Self::Error => "error",
            Self::PublicKey => "public-key",
        })
    }
}

/// The check of one stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageResult {
    /// Which stage.
    pub stage: Stage,
    /// `None` when it matched; else a readable explanation with a diff.
    pub failure: Option<String>,
}

/// All checks of a case at one location.
#[derive(Debug, Clone)]
pub struct Report {
    /// Case name.
    pub case: String,
    /// Location.
    pub location: Location,
    /// Stage results, in algorithm order.
    pub stages: Vec<StageResult>,
}

impl Report {
    /// Whether every stage matched (and there was at least one).
    pub fn passed(&self) -> bool {
        !self.stages.is_empty() && self.stages.iter().all(|s| s.failure.is_none())
    }

    /// The failed stages.
    pub fn failures(&self) -> impl Iterator<Item = &StageResult> {
        self.stages.iter().filter(|s| s.failure.is_some())
    }
}

/// The signature location of `location` under the case's context.
pub fn signature_location(case: &Case, location: Location) -> SignatureLocation {
    match location {
        Location::Header => SignatureLocation::Headers,
        Location::Query => SignatureLocation::Query {
            expires_in: case.context.expiration_in_seconds,
        },
    }
}

/// Signs a case at a location (at `time`, or the context's time).
pub fn sign_case_at(
    case: &Case,
    location: Location,
    time: Option<SigningTime>,
) -> Result<(SigningOutput, SignedRequest), SignError> {
    let creds = case.context.credentials();
    let time = match time {
        Some(t) => t,
        None => case.context.time()?,
    };
    let params = SigningParams::new(&creds, &case.context.region, &case.context.service, time)
        .with_settings(case.context.settings());
    let signable = case.request.signable();
    let out = match case.public_key {
        // SigV4a: the context's region is the region set, as in AWS's v4a suite.
        Some(_) => sigv4_signer::v4a::sign(&signable, &params, signature_location(case, location))?,
        None => sign(&signable, &params, signature_location(case, location))?,
    };
    let signed = out.apply(&signable);
    Ok((out, signed))
}

/// Signs a case at a location under its context.
pub fn sign_case(
    case: &Case,
    location: Location,
) -> Result<(SigningOutput, SignedRequest), SignError> {
    sign_case_at(case, location, None)
}

/// Runs every stage the case pins at `location`.
pub fn run(case: &Case, location: Location) -> Report {
    let exp = case.expected(location);
    let mut stages = Vec::new();
    let result = sign_case(case, location);
    if let Some(code) = &exp.error {
        let failure = match &result {
            Err(e) if e.code() == code => None,
            Err(e) => Some(format!(
                "expected error `{code}`, got error `{}`: {e}",
                e.code()
            )),
            Ok(_) => Some(format!("expected error `{code}`, but signing succeeded")),
        };
        stages.push(StageResult {
            stage: Stage::Error,
            failure,
        });
        return Report {
            case: case.name.clone(),
            location,
            stages,
        };
    }
    let (out, signed) = match result {
        Ok(r) => r,
        Err(e) => {
            stages.push(StageResult {
                stage: Stage::CanonicalRequest,
                failure: Some(format!("signing failed with `{}`: {e}", e.code())),
            });
            return Report {
                case: case.name.clone(),
                location,
                stages,
            };
        }
    };
    if let Some(want) = &exp.canonical_request {
        let got = match &case.canonical_request_timestamp {
            Some(ts) => SigningTime::parse(ts)
                .map_err(SignError::from)
                .and_then(|t| sign_case_at(case, location, Some(t)))
                .map(|(o, _)| o.canonical_request().to_owned())
                .unwrap_or_else(|e| format!("<error {e}>")),
            None => out.canonical_request().to_owned(),
        };
        stages.push(compare_text(Stage::CanonicalRequest, want, &got));
    }
    if let Some(want) = &exp.string_to_sign {
        // The old-layout files end with a newline; the suite's do not.
        let want = if case.legacy.is_some() {
            want.trim_end_matches('\n')
        } else {
            want
        };
        stages.push(compare_text(
            Stage::StringToSign,
            want,
            out.string_to_sign(),
        ));
    }
    if let Some(pk) = &case.public_key {
        // ECDSA signatures are randomised: the suite's signatures cannot equal ours. Each must
        // verify under the suite's public key instead, over the suite's string to sign.
        let sts = exp
            .string_to_sign
            .as_deref()
            .unwrap_or(out.string_to_sign());
        if let Some(want) = &exp.signature {
            let mut problems = Vec::new();
            for (whose, sig) in [("the suite's", want.as_str()), ("our", out.signature())] {
                match pk.verify(sts, sig) {
                    Ok(true) => {}
                    Ok(false) => problems.push(format!(
                        "    {whose} signature {sig} does not verify under public-key.json\n"
                    )),
                    Err(e) => problems.push(format!("    {whose} signature {sig}: {e}\n")),
                }
            }
            stages.push(StageResult {
                stage: Stage::Signature,
                failure: (!problems.is_empty()).then(|| problems.concat()),
            });
        }
        if let Some(want) = &exp.signed_request {
            stages.push(compare_signed_v4a(
                want,
                &signed,
                case.erratum.is_some_and(|e| e.signed_request_path_decoded),
                pk,
                sts,
            ));
        }
        stages.push(public_key_stage(case, pk));
        return Report {
            case: case.name.clone(),
            location,
            stages,
        };
    }
    if let Some(want) = &exp.signature {
        stages.push(compare_text(Stage::Signature, want, out.signature()));
    }
    if let Some(want) = &exp.signed_request {
        stages.push(compare_signed(
            want,
            &signed,
            case.erratum.is_some_and(|e| e.signed_request_path_decoded),
        ));
    }
    if let Some(want) = &exp.chunk_signatures {
        stages.push(chunk_stage(case, &out, want));
    }
    Report {
        case: case.name.clone(),
        location,
        stages,
    }
}

/// The chain of a streaming case: each chunk's signature (the body in `chunk_size` pieces),
/// the final chunk's, the trailer's (signed-trailer mode, the trailer being the checksum of
/// the body); and, when `request.txt` has a `Content-Length`, the encoded length.
fn chunk_stage(case: &Case, out: &SigningOutput, want: &str) -> StageResult {
    use sigv4_signer::chunked::{encoded_length, ChecksumAlgorithm, ChunkSigner, StreamingMode};
    let fail = |msg: String| StageResult {
        stage: Stage::ChunkSignatures,
        failure: Some(msg),
    };
    let Some(streaming) = &case.context.streaming else {
        return fail("chunk-signatures.txt without a `streaming` context".to_owned());
    };
    let Some(mode) = StreamingMode::from_content_sha256(&streaming.mode) else {
        return fail(format!("unknown streaming mode {:?}", streaming.mode));
    };
    let checksum = match streaming
        .checksum
        .as_deref()
        .map(ChecksumAlgorithm::from_header_name)
    {
        None => None,
        Some(Some(c)) => Some(c),
        Some(None) => return fail(format!("unknown checksum {:?}", streaming.checksum)),
    };
    let Ok(time) = case.context.time() else {
        return fail("bad timestamp".to_owned());
    };
    let scope = out.scope();
    let key = sigv4_signer::SigningKey::derive(
        &case.context.credentials.secret_access_key,
        sigv4_signer::ScopeFields {
            date: &scope.date,
            region: &scope.region,
            service: &scope.service,
        },
    );
    let mut chain = ChunkSigner::new(key, time, scope, out.signature());
    let body = &case.request.body;
    let size = usize::try_from(streaming.chunk_size)
        .unwrap_or(usize::MAX)
        .max(1);
    let mut got: Vec<String> = body.chunks(size).map(|c| chain.sign_chunk(c)).collect();
    if mode.signs_chunks() {
        got.push(chain.sign_chunk(b""));
    } else {
        got.clear();
    }
    if let (StreamingMode::SignedPayloadTrailer, Some(c)) = (mode, checksum) {
        got.push(chain.sign_trailer(&[(c.header_name().to_owned(), c.digest(body))]));
    }
    let mut result = compare_text(Stage::ChunkSignatures, want, &got.join("\n"));
    let declared = case
        .request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<u64>().ok());
    if let Some(declared) = declared {
        let computed = encoded_length(mode, body.len() as u64, streaming.chunk_size, checksum);
        if declared != computed && result.failure.is_none() {
            result.failure = Some(format!(
                "    Content-Length is {declared}, but the encoded body is {computed} bytes\n"
            ));
        }
    }
    result
}

fn compare_text(stage: Stage, want: &str, got: &str) -> StageResult {
    StageResult {
        stage,
        failure: (want != got).then(|| diff(want, got)),
    }
}

/// A line diff of expected and actual text, with invisible characters shown.
pub fn diff(want: &str, got: &str) -> String {
    use similar::{ChangeTag, TextDiff};
    let mut out = String::new();
    let d = TextDiff::from_lines(want, got);
    for change in d.iter_all_changes() {
        let sign = match change.tag() {
            ChangeTag::Delete => "-",
            ChangeTag::Insert => "+",
            ChangeTag::Equal => " ",
        };
        let line = change.value().strip_suffix('\n').unwrap_or(change.value());
        let shown: String = line.escape_debug().collect();
        out.push_str(&format!("    {sign} {shown}\n"));
        if change.missing_newline() && change.tag() != ChangeTag::Equal {
            out.push_str("      (no newline at end)\n");
        }
    }
    out.insert_str(0, "    (- expected, + ours)\n");
    out
}

/// A signed request reduced to what must match: method, path, query parameters as a sorted
/// multiset (decoded), headers as a sorted multiset (lowercased names), body.
fn normal_form(r: &RawRequest, decode_path: bool) -> String {
    let (path, query) = r.target.split_once('?').unwrap_or((&r.target, ""));
    let decoded;
    let path = if decode_path {
        decoded = percent_decode(path);
        decoded.as_str()
    } else {
        path
    };
    let mut params: Vec<(String, String)> = sigv4_signer::internal::parse_query(query)
        .into_iter()
        .map(|(k, v)| {
            (
                String::from_utf8_lossy(&k).into_owned(),
                String::from_utf8_lossy(&v).into_owned(),
            )
        })
        .collect();
    params.sort();
    let mut headers: Vec<(String, String)> = r
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect();
    headers.sort();
    let mut s = format!("{} {}\n", r.method, path);
    for (k, v) in params {
        s.push_str(&format!("  ?{k}={v}\n"));
    }
    for (n, v) in headers {
        s.push_str(&format!("{n}:{v}\n"));
    }
    s.push('\n');
    s.push_str(&String::from_utf8_lossy(&r.body));
    s
}

fn compare_signed(want: &[u8], got: &SignedRequest, decode_path: bool) -> StageResult {
    match parse_request(&got.to_http1()) {
        Ok(got) => compare_signed_request(want, &got, decode_path),
        Err(e) => StageResult {
            stage: Stage::SignedRequest,
            failure: Some(format!("our signed request does not parse: {e}")),
        },
    }
}

/// Compares an expected `*-signed-request.txt` with a signed request: method, path, query
/// parameters as a sorted multiset (decoded), headers as a sorted multiset (lowercased names),
/// body. `decode_path` compares percent-decoded paths (for the suite's erratum).
pub fn compare_signed_request(want: &[u8], got: &RawRequest, decode_path: bool) -> StageResult {
    let stage = Stage::SignedRequest;
    let want = match parse_request(want) {
        Ok(r) => r,
        Err(e) => {
            return StageResult {
                stage,
                failure: Some(format!("expected signed request does not parse: {e}")),
            }
        }
    };
    let (w, g) = (
        normal_form(&want, decode_path),
        normal_form(got, decode_path),
    );
    StageResult {
        stage,
        failure: (w != g).then(|| diff(&w, &g)),
    }
}

/// The public key derived from the case's credentials against `public-key.json`.
fn public_key_stage(case: &Case, want: &V4aPublicKey) -> StageResult {
    let c = &case.context.credentials;
    let failure = match V4aSigningKey::derive(&c.access_key_id, &c.secret_access_key) {
        Ok(k) if k.public_key() == *want => None,
        Ok(k) => {
            let ((wx, wy), (gx, gy)) = (want.xy_hex(), k.public_key().xy_hex());
            Some(format!(
                "    (- expected, + ours)\n    - X {wx}\n    - Y {wy}\n    + X {gx}\n    + Y {gy}\n"
            ))
        }
        Err(e) => Some(format!("    key derivation failed: {e}\n")),
    };
    StageResult {
        stage: Stage::PublicKey,
        failure,
    }
}

/// The signature of a signed request (`Authorization`'s `Signature=` or `X-Amz-Signature`),
/// replaced by `<signature>`.
fn take_signature(r: &mut RawRequest) -> Option<String> {
    for (n, v) in &mut r.headers {
        if n.eq_ignore_ascii_case("authorization") {
            let at = v.find("Signature=")? + "Signature=".len();
            let end = v[at..].find([',', ' ']).map_or(v.len(), |e| at + e);
            let sig = v[at..end].to_owned();
            v.replace_range(at..end, "<signature>");
            return Some(sig);
        }
    }
    let (path, query) = r.target.split_once('?')?;
    let mut sig = None;
    let parts: Vec<String> = query
        .split('&')
        .map(|p| match p.strip_prefix("X-Amz-Signature=") {
            Some(s) => {
                sig = Some(s.to_owned());
                "X-Amz-Signature=<signature>".to_owned()
            }
            None => p.to_owned(),
        })
        .collect();
    r.target = format!("{path}?{}", parts.join("&"));
    sig
}

/// A SigV4a signed request: equal to the expected one but for the signature, and the
/// expected one's signature verifies under the public key.
fn compare_signed_v4a(
    want: &[u8],
    got: &SignedRequest,
    decode_path: bool,
    pk: &V4aPublicKey,
    sts: &str,
) -> StageResult {
    let stage = Stage::SignedRequest;
    let fail = |m: String| StageResult {
        stage,
        failure: Some(m),
    };
    let (mut want, mut got) = match (parse_request(want), parse_request(&got.to_http1())) {
        (Ok(w), Ok(g)) => (w, g),
        (Err(e), _) => return fail(format!("expected signed request does not parse: {e}")),
        (_, Err(e)) => return fail(format!("our signed request does not parse: {e}")),
    };
    let (Some(want_sig), Some(_)) = (take_signature(&mut want), take_signature(&mut got)) else {
        return fail("a signed request carries no signature".to_owned());
    };
    let (w, g) = (
        normal_form(&want, decode_path),
        normal_form(&got, decode_path),
    );
    if w != g {
        return fail(diff(&w, &g));
    }
    match pk.verify(sts, &want_sig) {
        Ok(true) => StageResult {
            stage,
            failure: None,
        },
        Ok(false) => fail(format!(
            "    the expected signed request's signature {want_sig} does not verify under public-key.json\n"
        )),
        Err(e) => fail(format!("    the expected signed request's signature: {e}\n")),
    }
}

/// `%XX` triplets decoded (a `+` stays a `+`: this is for paths).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, ..) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
