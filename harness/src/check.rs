//! `sigv4 check`: every case of the suites through an adapter, one verdict per case and
//! location.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sigv4_signer::chunked::{ChunkSigner, StreamingMode};
use sigv4_signer::diagnose::diagnose;
use sigv4_signer::v4a::V4aSigningKey;
use sigv4_signer::verify::{
    parse_request_auth, verify, AuthKind, Verified, VerifyError, VerifyParams, VerifySettings,
};
use sigv4_signer::SigningTime;
use sigv4_vectors::run::{compare_signed_request, Stage};
use sigv4_vectors::{discover, Case, Context, Location, RawRequest};

use crate::adapter::{Adapter, Hello};
use crate::config::Config;
use crate::protocol::{
    carried_signature, case_message, parse_answer_v, query_params, streaming_mode,
    unsigned_request, Answer, Signed,
};

/// A suite: a name and the folder its cases are under.
#[derive(Debug, Clone)]
pub struct Suite {
    /// Name used in case ids (`aws`, `ours`, or the folder name).
    pub name: String,
    /// Folder.
    pub dir: PathBuf,
}

/// The default suites: AWS's v4 suite (`aws`), AWS's v4a suite (`aws-v4a`, SigV4a; run for
/// adapters that speak protocol 2 with `sigv4a`) and `vectors/cases` (`ours`).
pub fn default_suites() -> Result<Vec<Suite>> {
    let aws = sigv4_vectors::suite::aws_suite_dir().map_err(anyhow::Error::msg)?;
    let v4a = sigv4_vectors::suite::aws_v4a_suite_dir().map_err(anyhow::Error::msg)?;
    Ok(vec![
        Suite {
            name: "aws".into(),
            dir: aws,
        },
        Suite {
            name: "aws-v4a".into(),
            dir: v4a,
        },
        Suite {
            name: "ours".into(),
            dir: sigv4_vectors::suite::own_cases_dir(),
        },
    ])
}

/// Suites from folders given on the command line, named after the folder.
pub fn suites_from_dirs(dirs: &[PathBuf]) -> Result<Vec<Suite>> {
    dirs.iter()
        .map(|d| {
            if !d.is_dir() {
                bail!("{} is not a folder", d.display());
            }
            let name = d
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| d.display().to_string());
            Ok(Suite {
                name,
                dir: d.clone(),
            })
        })
        .collect()
}

/// One case at one location.
#[derive(Debug, Clone)]
pub struct Item {
    /// Suite name.
    pub suite: String,
    /// Case name (its folder, relative to the suite folder).
    pub name: String,
    /// The case.
    pub case: Case,
    /// Location.
    pub location: Location,
}

impl Item {
    /// `suite/case/location`.
    pub fn id(&self) -> String {
        format!("{}/{}/{}", self.suite, self.name, self.location)
    }
}

/// Every case at every location it has expected files for (SigV4a and aws-chunked ones
/// included: they go to adapters that speak protocol 2 with them, and are `unsupported` for
/// the others).
pub fn load_items(suites: &[Suite]) -> Result<Vec<Item>> {
    let mut items = Vec::new();
    for s in suites {
        for dir in discover(&s.dir)? {
            let case = Case::load(&dir).with_context(|| format!("loading {}", dir.display()))?;
            let name = relative_name(&s.dir, &dir);
            for location in case.locations() {
                items.push(Item {
                    suite: s.name.clone(),
                    name: name.clone(),
                    case: case.clone(),
                    location,
                });
            }
        }
    }
    Ok(items)
}

fn relative_name(root: &Path, dir: &Path) -> String {
    match dir.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().into_owned(),
        _ => dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

/// A verdict's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Every stage the case pins is byte-equal to the expected files.
    Exact,
    /// Not byte-equal, but the verifier accepts the request as sent and it differs only in
    /// ways AWS accepts (an extra signed header, an added `x-amz-content-sha256`, another
    /// signed-header choice, parameter order on the wire).
    Accepted,
    /// A stage differs and the difference is not one AWS accepts.
    Fail,
    /// The adapter cannot express a setting.
    Unsupported,
    /// Disabled by the configuration.
    Disabled,
    /// The adapter crashed, hung or answered garbage.
    AdapterError,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Exact => "exact",
            Self::Accepted => "accepted",
            Self::Fail => "fail",
            Self::Unsupported => "unsupported",
            Self::Disabled => "disabled",
            Self::AdapterError => "adapter-error",
        })
    }
}

/// A diagnosed mistake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    /// The mistake's stable code (`sigv4_signer::diagnose::Mistake::code`).
    pub code: String,
    /// The explanation.
    pub text: String,
}

/// The verdict on one case at one location.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// `suite/case/location`.
    pub id: String,
    /// Suite name.
    pub suite: String,
    /// Case name.
    pub case: String,
    /// `header` or `query`.
    pub location: String,
    /// Outcome.
    pub outcome: Outcome,
    /// For a failure (and an accepted case): the first stage that differs byte-wise.
    pub stage: Option<String>,
    /// One line: why (the reason of an unsupported or disabled case, the error, what an
    /// accepted case differs in).
    pub message: String,
    /// Diffs and explanations.
    pub detail: String,
    /// The named mistake, when one reproduces the adapter's signature.
    pub diagnosis: Option<Diagnosis>,
    /// The code of the verdict's reason: the diagnosis code, else the verifier's error code,
    /// else one of the harness's own (`target-changed`, `header-changed`, ...).
    pub code: Option<String>,
    /// Time the adapter took, milliseconds.
    pub millis: u64,
}

impl Verdict {
    fn new(item: &Item, outcome: Outcome, message: impl Into<String>) -> Self {
        Self {
            id: item.id(),
            suite: item.suite.clone(),
            case: item.name.clone(),
            location: item.location.prefix().to_owned(),
            outcome,
            stage: None,
            message: message.into(),
            detail: String::new(),
            diagnosis: None,
            code: None,
            millis: 0,
        }
    }
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Byte-equal.
    pub exact: usize,
    /// Accepted by the verifier.
    pub accepted: usize,
    /// Failed.
    pub failed: usize,
    /// Unsupported.
    pub unsupported: usize,
    /// Disabled.
    pub disabled: usize,
    /// Adapter errors.
    pub adapter_errors: usize,
}

impl Summary {
    /// Counts `verdicts`.
    pub fn of<'a>(verdicts: impl IntoIterator<Item = &'a Verdict>) -> Self {
        let mut s = Self::default();
        for v in verdicts {
            match v.outcome {
                Outcome::Exact => s.exact += 1,
                Outcome::Accepted => s.accepted += 1,
                Outcome::Fail => s.failed += 1,
                Outcome::Unsupported => s.unsupported += 1,
                Outcome::Disabled => s.disabled += 1,
                Outcome::AdapterError => s.adapter_errors += 1,
            }
        }
        s
    }

    /// Whether `check` exits 1.
    pub fn is_failure(&self) -> bool {
        self.failed > 0 || self.adapter_errors > 0
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} exact, {} accepted, {} failed, {} unsupported, {} disabled",
            self.exact, self.accepted, self.failed, self.unsupported, self.disabled
        )?;
        if self.adapter_errors > 0 {
            write!(f, ", {} adapter errors", self.adapter_errors)?;
        }
        Ok(())
    }
}

/// Runs every item through the adapter. `progress` is called after each verdict.
pub fn run_items(
    adapter: &mut Adapter,
    items: &[Item],
    config: &Config,
    mut progress: impl FnMut(&Verdict),
) -> Vec<Verdict> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let v = match config.disabled_reason(&item.id()) {
            Some(reason) => Verdict::new(item, Outcome::Disabled, reason),
            None => run_item(adapter, item),
        };
        progress(&v);
        out.push(v);
    }
    out
}

/// The codes of [`not_expressible`]: not a divergence of the implementation, a limit of its
/// adapter's protocol.
pub const NOT_EXPRESSIBLE: [&str; 3] = ["needs-protocol-2", "no-sigv4a", "no-chunked"];

/// Why a case cannot go to an adapter (code and reason): a SigV4a or aws-chunked case for an
/// adapter that did not say it speaks them (`PROTOCOL.md`, version 2).
pub fn not_expressible(item: &Item, hello: &Hello) -> Option<(&'static str, String)> {
    let v4a = item.case.public_key.is_some();
    let streaming = item.case.context.streaming.is_some();
    if (v4a || streaming) && hello.protocol() < sigv4_protocol::V2 {
        return Some((NOT_EXPRESSIBLE[0], "adapter speaks protocol 1".into()));
    }
    if v4a && !hello.signs(sigv4_protocol::Algorithm::Sigv4a) {
        return Some((
            NOT_EXPRESSIBLE[1],
            "the adapter does not list sigv4a in its hello".into(),
        ));
    }
    if streaming && !hello.has_feature("chunked") {
        return Some((
            NOT_EXPRESSIBLE[2],
            "the adapter does not implement the chunked extension".into(),
        ));
    }
    None
}

/// Runs one item.
pub fn run_item(adapter: &mut Adapter, item: &Item) -> Verdict {
    let id = item.id();
    let started = Instant::now();
    let hello = match adapter.hello() {
        Ok(h) => h,
        Err(e) => {
            let m = format!(
                "{}: is its tool installed? run {}; {e}",
                e.code(),
                crate::bundled::SETUP
            );
            return adapter_error(item, adapter, &m, started);
        }
    };
    if let Some((code, reason)) = not_expressible(item, &hello) {
        let mut v = Verdict::new(item, Outcome::Unsupported, reason);
        v.code = Some(code.to_owned());
        return v;
    }
    let protocol = hello.protocol();
    let msg = case_message(&id, &item.case, item.location, protocol);
    let answer = adapter.request(&msg, &id);
    let answer = match answer {
        Ok(a) => a,
        Err(e) => return adapter_error(item, adapter, &format!("{}: {e}", e.code()), started),
    };
    let mut v = match parse_answer_v(&answer, &item.case.request.body, protocol) {
        Ok(a) => judge(item, &hello, a),
        Err(e) => {
            let mut v = Verdict::new(item, Outcome::AdapterError, format!("invalid answer: {e}"));
            v.detail = format!("answer: {}", shorten(&answer.to_string(), 2000));
            v
        }
    };
    v.millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    v
}

fn adapter_error(item: &Item, adapter: &Adapter, message: &str, started: Instant) -> Verdict {
    let mut v = Verdict::new(item, Outcome::AdapterError, message);
    let tail = adapter.stderr_tail();
    if !tail.trim().is_empty() {
        v.detail = format!("adapter stderr (last 4 KiB):\n{tail}");
    }
    v.millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    v
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// The expected files of the item, with the suite's quirks applied: an old-layout canonical
/// request made at another time gets the case's `x-amz-date`, an old-layout string to sign
/// loses its final newline.
fn expected_texts(item: &Item) -> (Option<String>, Option<String>) {
    let case = &item.case;
    let exp = case.expected(item.location);
    let creq = exp.canonical_request.as_ref().map(|c| {
        match (&case.canonical_request_timestamp, case.context.time()) {
            (Some(other), Ok(t)) => match SigningTime::parse(other) {
                Ok(o) => c.replace(
                    &format!("x-amz-date:{}", o.amz_date()),
                    &format!("x-amz-date:{}", t.amz_date()),
                ),
                Err(_) => c.clone(),
            },
            _ => c.clone(),
        }
    });
    let sts = exp.string_to_sign.as_ref().map(|s| {
        if case.legacy.is_some() {
            s.trim_end_matches('\n').to_owned()
        } else {
            s.clone()
        }
    });
    (creq, sts)
}

/// A line diff, `-` expected, `+` the adapter's.
pub fn diff(want: &str, got: &str, who: &str) -> String {
    let d = sigv4_vectors::run::diff(want, got);
    let body = d.split_once('\n').map_or("", |(_, rest)| rest);
    format!("    (- expected, + {who})\n{body}")
}

/// `r` with the signature it carries replaced by `signature` (SigV4a signatures are
/// randomised: the signed request is compared with the expected one under the same signature).
fn with_signature(r: &RawRequest, signature: &str) -> RawRequest {
    let mut r = r.clone();
    let Some(old) = carried_signature(&r) else {
        return r;
    };
    for (n, v) in &mut r.headers {
        if n.eq_ignore_ascii_case("authorization") {
            *v = v.replace(
                &format!("Signature={old}"),
                &format!("Signature={signature}"),
            );
        }
    }
    r.target = r.target.replace(
        &format!("X-Amz-Signature={old}"),
        &format!("X-Amz-Signature={signature}"),
    );
    r
}

/// The byte comparison of an answer with the case's expected files: the differing stages.
fn byte_failures(item: &Item, signed: &Signed, who: &str) -> Vec<(Stage, String)> {
    let exp = item.case.expected(item.location);
    let (want_creq, want_sts) = expected_texts(item);
    let v4a = item.case.public_key.is_some();
    let mut failures: Vec<(Stage, String)> = Vec::new();
    for (stage, want, got) in [
        (
            Stage::CanonicalRequest,
            &want_creq,
            &signed.canonical_request,
        ),
        (Stage::StringToSign, &want_sts, &signed.string_to_sign),
    ] {
        if let (Some(w), Some(g)) = (want, got) {
            if w != g {
                failures.push((stage, diff(w, g, who)));
            }
        }
    }
    if v4a {
        // A revealed ECDSA signature must verify under the key derived from the credentials,
        // over the expected string to sign.
        if let (Some(sig), Some(sts)) = (&signed.signature, &want_sts) {
            let c = &item.case.context.credentials;
            let ok = V4aSigningKey::derive(&c.access_key_id, &c.secret_access_key)
                .ok()
                .and_then(|k| k.public_key().verify(sts, sig).ok())
                .unwrap_or(false);
            if !ok {
                failures.push((
                    Stage::Signature,
                    format!("    the revealed signature {sig} does not verify under the key derived from the credentials over the expected string to sign\n"),
                ));
            }
        }
    } else if let (Some(w), Some(g)) = (&exp.signature, &signed.signature) {
        if w != g {
            failures.push((Stage::Signature, diff(w, g, who)));
        }
    }
    // The signed request: against the expected file, or its signature against the expected one.
    if let Some(want) = &exp.signed_request {
        let wanted_names: Vec<String> = sigv4_vectors::parse_request(want)
            .map(|r| {
                r.headers
                    .iter()
                    .map(|(n, _)| n.to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default();
        // Headers the implementation adds besides the expected ones (User-Agent, ...) are not
        // part of the comparison; a signed one changes the signature anyway.
        let mut got = signed.request.clone();
        got.headers
            .retain(|(n, _)| wanted_names.contains(&n.to_ascii_lowercase()));
        if v4a {
            let want_sig = sigv4_vectors::parse_request(want)
                .ok()
                .and_then(|r| carried_signature(&r));
            if let Some(s) = want_sig {
                got = with_signature(&got, &s);
            }
        }
        let decode = item
            .case
            .erratum
            .is_some_and(|e| e.signed_request_path_decoded);
        let r = compare_signed_request(want, &got, decode);
        if let Some(f) = r.failure {
            failures.push((
                Stage::SignedRequest,
                f.replacen("(- expected, + ours)", &format!("(- expected, + {who})"), 1),
            ));
        }
    } else if let (Some(want), false) = (&exp.signature, v4a) {
        let got = carried_signature(&signed.request).unwrap_or_default();
        if &got != want {
            failures.push((
                Stage::SignedRequest,
                format!("    the signed request carries signature {got:?}, expected {want:?}\n"),
            ));
        }
    }
    failures
}

/// Judges an answer.
pub fn judge(item: &Item, hello: &Hello, answer: Answer) -> Verdict {
    let exp = item.case.expected(item.location);
    let signed = match answer {
        Answer::Unsupported(reason) => return Verdict::new(item, Outcome::Unsupported, reason),
        Answer::Error(message) => {
            return match &exp.error {
                Some(code) => Verdict::new(
                    item,
                    Outcome::Exact,
                    format!("refused as expected ({code}): {message}"),
                ),
                None => {
                    let mut v = Verdict::new(
                        item,
                        Outcome::Fail,
                        format!("the adapter refused to sign: {message}"),
                    );
                    v.stage = Some(Stage::Error.to_string());
                    v.code = Some("refused".into());
                    v
                }
            };
        }
        Answer::Signed(s) => *s,
    };
    if let Some(code) = &exp.error {
        let mut v = Verdict::new(
            item,
            Outcome::Fail,
            format!("expected the signing to fail ({code}), but the adapter signed"),
        );
        v.stage = Some(Stage::Error.to_string());
        v.code = Some("signed-invalid".into());
        return v;
    }
    let who = if hello.name.is_empty() {
        "adapter"
    } else {
        hello.name.as_str()
    };
    let mut failures = byte_failures(item, &signed, who);
    let acceptance = accept(item, &signed);
    // The aws-chunked chain, under the seed signature the adapter made.
    if let (Ok(a), Some(mode)) = (&acceptance, streaming_mode(&item.case.context)) {
        if let Err(e) = check_chain(item, &signed, a, mode, &mut failures, who) {
            let mut v = Verdict::new(item, Outcome::Fail, format!("chunk-signatures: {e}"));
            v.stage = Some(Stage::ChunkSignatures.to_string());
            v.code = Some("chunk-chain".into());
            v.detail = detail_of(&failures);
            return v;
        }
    }
    match (failures.first().cloned(), acceptance) {
        (None, Ok(_)) => Verdict::new(item, Outcome::Exact, ""),
        (Some((stage, _)), Ok(a)) => {
            let mut v = Verdict::new(
                item,
                Outcome::Accepted,
                format!("accepted: {}", a.differences.join("; ")),
            );
            v.stage = Some(stage.to_string());
            let mut detail = detail_of(&failures);
            detail.push_str(&format!(
                "  our verifier accepts the request as sent under the case's rules; it differs from the expected files only in: {}\n",
                a.differences.join("; ")
            ));
            v.detail = detail;
            v
        }
        (first, Err(mut r)) => {
            if let Some(note) = changed_after_signing(item, &signed, &failures, &r) {
                r.note = note;
                r.code = Some("header-changed-after-signing".into());
            }
            let stage = first.map_or(Stage::Signature, |(s, _)| s);
            let mut v = Verdict::new(item, Outcome::Fail, format!("{stage} differs"));
            v.stage = Some(stage.to_string());
            let mut detail = detail_of(&failures);
            if let Some(d) = &r.diagnosis {
                v.message = format!("{stage} differs: {}", d.code);
            } else if r.code.is_some() {
                v.message = format!("{stage} differs: {}", r.note);
            }
            // The canonical request diff, reconstructed when the adapter does not reveal its own.
            if signed.canonical_request.is_none() {
                let (want_creq, _) = expected_texts(item);
                if let (Some(w), Some(c)) = (&want_creq, &r.canonical_request) {
                    detail.push_str(&format!(
                        "  canonical request that reproduces {who}'s signature ({}):\n{}",
                        r.diagnosis.as_ref().map_or("", |d| d.code.as_str()),
                        diff(w, c, who)
                    ));
                }
            }
            detail.push_str(&format!("  {}\n", r.note));
            v.code = r.diagnosis.as_ref().map(|d| d.code.clone()).or(r.code);
            v.diagnosis = r.diagnosis;
            v.detail = detail;
            v
        }
    }
}

/// When every artifact the adapter revealed is the expected one but a signed header it sent
/// differs from the expected canonical request's: "the adapter changed NAME after signing:
/// signed X, sent Y" (an HTTP library that rewrote Content-Type, a header set late), in place
/// of "changed or dropped the header" or "no known mistake reproduces". `None` when a
/// diagnosis named the mistake, the request failed for another reason, or nothing was revealed.
fn changed_after_signing(
    item: &Item,
    signed: &Signed,
    failures: &[(Stage, String)],
    r: &Explained,
) -> Option<String> {
    let revealed = signed.canonical_request.is_some()
        || signed.string_to_sign.is_some()
        || signed.signature.is_some();
    let artifact_differs = failures.iter().any(|(s, _)| {
        matches!(
            s,
            Stage::CanonicalRequest | Stage::StringToSign | Stage::Signature
        )
    });
    let about_headers = matches!(
        r.code.as_deref(),
        Some("header-changed" | "signature-mismatch")
    );
    if !revealed || artifact_differs || !about_headers || r.diagnosis.is_some() {
        return None;
    }
    let (want_creq, _) = expected_texts(item);
    let want = sigv4_signer::CanonicalRequest::parse(&want_creq?);
    want.headers().entries().iter().find_map(|(name, value)| {
        let sent: Vec<String> = signed
            .request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| sigv4_signer::internal::canonical_value(v))
            .collect();
        let sent_value = sent.join(",");
        (sent_value != *value).then(|| {
            let shown = if sent.is_empty() {
                "nothing (the header was dropped)".to_owned()
            } else {
                format!("{sent_value:?}")
            };
            format!("the adapter changed {name} after signing: signed {value:?}, sent {shown}")
        })
    })
}

fn detail_of(failures: &[(Stage, String)]) -> String {
    let mut detail = String::new();
    for (s, d) in failures {
        detail.push_str(&format!("  {s} differs:\n{d}"));
    }
    detail
}

/// The chunk signatures of an answer: given, or read from its framed body.
fn answered_chain(signed: &Signed) -> Option<(Vec<String>, Option<String>)> {
    if let Some(c) = &signed.chunk_signatures {
        return Some((c.clone(), signed.trailer_signature.clone()));
    }
    let body = String::from_utf8_lossy(signed.signed_body.as_deref()?).into_owned();
    let chunks = body
        .split("chunk-signature=")
        .skip(1)
        .filter_map(|s| s.get(..64).map(str::to_owned))
        .collect();
    let trailer = body
        .split("x-amz-trailer-signature:")
        .nth(1)
        .and_then(|s| s.get(..64).map(str::to_owned));
    Some((chunks, trailer))
}

/// Verifies the adapter's chunk (and trailer) signatures as the chain under its own seed
/// signature; compares them with the case's expected file too (byte equality).
fn check_chain(
    item: &Item,
    signed: &Signed,
    accepted: &Accepted,
    mode: StreamingMode,
    failures: &mut Vec<(Stage, String)>,
    who: &str,
) -> Result<(), String> {
    if !mode.signs_chunks() {
        return Ok(());
    }
    let Some((chunks, trailer)) = answered_chain(signed) else {
        return Err("the answer has neither chunk_signatures nor signed_body_b64".into());
    };
    let ctx = &item.case.context;
    let mut chain =
        ChunkSigner::from_verified(&accepted.verified, &ctx.credentials.secret_access_key);
    let body = &item.case.request.body;
    let size = ctx
        .streaming
        .as_ref()
        .and_then(|s| usize::try_from(s.chunk_size).ok())
        .unwrap_or(usize::MAX)
        .max(1);
    let mut want: Vec<String> = body.chunks(size).map(|c| chain.sign_chunk(c)).collect();
    want.push(chain.sign_chunk(b""));
    let want_trailer = (mode == StreamingMode::SignedPayloadTrailer)
        .then(|| chain.sign_trailer(&trailer_of(ctx, body)));
    if chunks != want {
        return Err(format!(
            "the chunk signatures are not the chain under the seed signature: expected {want:?}, got {chunks:?}"
        ));
    }
    if want_trailer.is_some() && trailer != want_trailer {
        return Err(format!(
            "the trailer signature is not the chain's: expected {want_trailer:?}, got {trailer:?}"
        ));
    }
    if let Some(file) = &item.case.expected(item.location).chunk_signatures {
        let mut got = chunks;
        got.extend(trailer);
        let got = got.join("\n");
        if file != &got {
            failures.push((Stage::ChunkSignatures, diff(file, &got, who)));
        }
    }
    Ok(())
}

fn trailer_of(ctx: &Context, body: &[u8]) -> Vec<(String, String)> {
    crate::protocol::trailer(ctx, body).unwrap_or_default()
}

/// What re-verifying the adapter's signed request says.
#[derive(Debug, Clone, Default)]
pub struct Explained {
    /// The diagnosis.
    pub diagnosis: Option<Diagnosis>,
    /// The canonical request that reproduces the adapter's signature, when a mistake does.
    pub canonical_request: Option<String>,
    /// A sentence for the report.
    pub note: String,
    /// The reason's code (diagnosis, verifier error, or the harness's own).
    pub code: Option<String>,
}

/// An accepted request: what the verifier computed, and how it differs from the expected one.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// The verifier's result.
    pub verified: Verified,
    /// The differences AWS accepts, one phrase each.
    pub differences: Vec<String>,
}

/// The verify settings of a context.
pub fn verify_settings(context: &Context) -> VerifySettings {
    VerifySettings::from(context.settings())
}

fn without_fragment(t: &str) -> &str {
    t.split('#').next().unwrap_or(t)
}

/// The query parameters of a request-target, raw, without the presign parameters when
/// `strip_auth`.
fn raw_params(target: &str, strip_auth: bool) -> Vec<String> {
    let t = without_fragment(target);
    let q = t.split_once('?').map_or("", |(_, q)| q);
    q.split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let name = p.split('=').next().unwrap_or("");
            !(strip_auth && PRESIGN_PARAMS.iter().any(|a| a.eq_ignore_ascii_case(name)))
        })
        .map(str::to_owned)
        .collect()
}

/// The parameters a presigned URL adds (SigV4 and SigV4a).
const PRESIGN_PARAMS: [&str; 8] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
    "X-Amz-Region-Set",
];

/// When the adapter sent another method, path or query than the case's request, the
/// sentence that says so. Presign parameters, parameter order and the spelling of an encoding
/// (`%7E` or `~`, `acl` or `acl=`, `+` or `%20` in a query) are not changes: the parameters
/// compare percent-decoded, as a multiset, and the path percent-decoded.
pub fn target_change(unsigned: &RawRequest, signed: &RawRequest) -> Option<String> {
    if unsigned.method != signed.method {
        return Some(format!(
            "the adapter changed the method from {} to {}",
            unsigned.method, signed.method
        ));
    }
    let parts = |t: &str, strip: bool| -> (Vec<u8>, Vec<(String, String)>) {
        let t = without_fragment(t);
        let (path, query) = t.split_once('?').unwrap_or((t, ""));
        let mut params: Vec<(String, String)> = query_params(query)
            .into_iter()
            .filter(|(k, _)| !(strip && PRESIGN_PARAMS.contains(&k.as_str())))
            .collect();
        params.sort();
        (path_decode(path), params)
    };
    let (want_path, want_q) = parts(&unsigned.target, true);
    let (_, case_q) = parts(&unsigned.target, false);
    let (got_path, got_q) = parts(&signed.target, true);
    // The case's own parameters are kept even if they look like presign ones.
    if want_path != got_path || (got_q != want_q && got_q != case_q) {
        let shown = |t: &str| {
            let t = without_fragment(t);
            let path = t.split_once('?').map_or(t, |(p, _)| p);
            let q = raw_params(t, true).join("&");
            if q.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{q}")
            }
        };
        return Some(format!(
            "the adapter changed the request target from {} to {}",
            shown(&unsigned.target),
            shown(&signed.target)
        ));
    }
    None
}

/// `%XX` triplets of a path decoded (a `+` stays a `+`).
fn path_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| {
            b.get(j)
                .and_then(|c| (*c as char).to_digit(16))
                .and_then(|d| u8::try_from(d).ok())
        };
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push(h * 16 + l);
                i += 3;
            }
            (c, ..) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Re-verifies a request signed under `context` (`original` is the case's request) and says
/// what is wrong with it, naming the mistake when a known one reproduces its signature.
pub fn explain_request(context: &Context, original: &RawRequest, signed: &RawRequest) -> Explained {
    match accept_request(context, original, signed, None) {
        Ok(_) => Explained {
            note: "the adapter's signed request verifies under the case's rules and keeps the case's request".into(),
            ..Explained::default()
        },
        Err(r) => r,
    }
}

fn reject(code: &str, note: String) -> Explained {
    Explained {
        note,
        code: Some(code.to_owned()),
        ..Explained::default()
    }
}

fn accept(item: &Item, signed: &Signed) -> Result<Accepted, Explained> {
    let exp = item.case.expected(item.location);
    accept_request(
        &item.case.context,
        &item.case.request,
        &signed.request,
        Some((item.location, exp, item.case.public_key.is_some())),
    )
}

fn header_value<'a>(r: &'a RawRequest, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The signed headers an expected file pins: its signed request's, else its canonical
/// request's (the line before the payload hash).
fn expected_signed_headers(exp: &sigv4_vectors::Expected) -> Option<Vec<String>> {
    if let Some(r) = exp
        .signed_request
        .as_ref()
        .and_then(|b| sigv4_vectors::parse_request(b).ok())
    {
        if let Ok(a) = parse_request_auth(&r.signable()) {
            return Some(a.signed_headers);
        }
    }
    let c = exp.canonical_request.as_ref()?;
    let lines: Vec<&str> = c.lines().collect();
    let l = lines.get(lines.len().checked_sub(2)?)?;
    Some(l.split(';').map(str::to_owned).collect())
}

/// Whether the request as sent is one AWS accepts for the case: our verifier accepts it
/// under the case's rules (time, region, service, encoding, normalisation, payload, token
/// mode), it is the case's request (method, path, query, body and headers kept; presign
/// parameters and their order aside), at the case's time and location, and host and every
/// `x-amz-*` header are signed (S3 API reference, "Signature Calculations for the
/// Authorization Header": the `x-amz-*` headers of the request must be signed). `expected`
/// (location, expected files, SigV4a) adds the checks and the list of differences of a case.
fn accept_request(
    context: &Context,
    original: &RawRequest,
    signed: &RawRequest,
    expected: Option<(Location, &sigv4_vectors::Expected, bool)>,
) -> Result<Accepted, Explained> {
    let unsigned = unsigned_request(original);
    let Ok(now) = context.time() else {
        return Err(reject("bad-case", "the case's time does not parse".into()));
    };
    if let Some(change) = target_change(&unsigned, signed) {
        return Err(reject("target-changed", change));
    }
    let streaming = streaming_mode(context);
    if streaming.is_none() && signed.body != unsigned.body {
        return Err(reject(
            "body-changed",
            "the adapter changed the body".into(),
        ));
    }
    for (n, v) in &unsigned.headers {
        let kept = signed
            .headers
            .iter()
            .any(|(sn, sv)| sn.eq_ignore_ascii_case(n) && sv == v);
        if !kept {
            return Err(reject(
                "header-changed",
                format!(
                    "the adapter changed or dropped the header {n}: {v:?} (sent: {:?})",
                    header_value(signed, n)
                ),
            ));
        }
    }
    let v4a = expected.is_some_and(|e| e.2);
    let secret = context.credentials.secret_access_key.clone();
    let ak = context.credentials.access_key_id.clone();
    let lookup = move |k: &str| (k == ak).then(|| secret.clone());
    let params = VerifyParams::new(now, &lookup)
        .with_max_skew(u64::MAX / 4)
        .with_settings(verify_settings(context))
        .with_expected_region((!v4a).then_some(context.region.as_str()))
        .with_service(&context.service);
    let request = signed.signable();
    let verified = match verify(&request, &params) {
        Ok(v) => v,
        Err(VerifyError::SignatureMismatch { .. }) => {
            return Err(match diagnose(&request, &params) {
                Some(d) if d.is_explained() => Explained {
                    diagnosis: Some(Diagnosis {
                        code: d.code(),
                        text: d.to_string(),
                    }),
                    note: format!("diagnosis ({}): {d}", d.code()),
                    code: Some(d.code()),
                    canonical_request: d.canonical_request,
                },
                _ => reject(
                    "signature-mismatch",
                    "re-verification: signature mismatch; no known mistake reproduces the adapter's signature".into(),
                ),
            })
        }
        Err(e) => {
            return Err(reject(
                e.code(),
                format!(
                    "re-verification fails before the signature: {e} ({})",
                    e.code()
                ),
            ))
        }
    };
    let auth = verified.auth().to_parsed();
    if verified.time() != now {
        return Err(reject(
            "wrong-time",
            format!(
                "the adapter signed at {}, the case's time is {}",
                verified.time().rfc3339(),
                now.rfc3339()
            ),
        ));
    }
    if v4a {
        let set = auth.v4a.as_ref().and_then(|a| a.region_set.clone());
        if set.as_deref() != Some(context.region.as_str()) {
            return Err(reject(
                "wrong-region-set",
                format!(
                    "the region set is {set:?}, the case's is {:?}",
                    context.region
                ),
            ));
        }
    }
    // The token: carried with its value, signed or not as the case's mode says.
    if let Some(token) = &context.credentials.token {
        let carried = header_value(signed, "x-amz-security-token")
            .map(str::to_owned)
            .or_else(|| {
                let q = without_fragment(&signed.target)
                    .split_once('?')
                    .map_or("", |(_, q)| q);
                query_params(q)
                    .into_iter()
                    .find(|(k, _)| k == "X-Amz-Security-Token")
                    .map(|(_, v)| v)
            });
        if carried.as_deref() != Some(token.as_str()) {
            return Err(reject(
                "token-missing",
                format!("the request does not carry the session token (carries {carried:?})"),
            ));
        }
        let signed_in_header = auth
            .signed_headers
            .iter()
            .any(|h| h == "x-amz-security-token");
        if context.omit_session_token && signed_in_header {
            return Err(reject(
                "session-token-signed",
                "the session token is signed; the case adds it after signing".into(),
            ));
        }
        if !context.omit_session_token && auth.kind == AuthKind::Header && !signed_in_header {
            return Err(reject(
                "session-token-not-signed",
                "the session token is not signed; the case signs it".into(),
            ));
        }
    }
    for (n, _) in &signed.headers {
        let l = n.to_ascii_lowercase();
        let exempt =
            l == "authorization" || (l == "x-amz-security-token" && context.omit_session_token);
        if l.starts_with("x-amz-") && !exempt && !auth.signed_headers.contains(&l) {
            return Err(reject(
                "x-amz-header-not-signed",
                format!("the request carries {n} but does not sign it"),
            ));
        }
    }
    // x-amz-content-sha256, when sent, must be the case's payload.
    let want_payload = match (streaming, context.payload_hash.as_deref()) {
        (Some(m), _) => m.content_sha256().to_owned(),
        (None, Some(h)) => h.to_owned(),
        (None, None) => sigv4_signer::internal::hex(&Sha256::digest(&unsigned.body)),
    };
    let content_sha = header_value(signed, "x-amz-content-sha256");
    if let Some(c) = content_sha {
        if !c.eq_ignore_ascii_case(&want_payload) {
            return Err(reject(
                "payload-changed",
                format!("x-amz-content-sha256 is {c}, the case's payload is {want_payload}"),
            ));
        }
    }
    let mut differences = Vec::new();
    let Some((location, exp, _)) = expected else {
        return Ok(Accepted {
            verified,
            differences,
        });
    };
    let kind = match location {
        Location::Header => AuthKind::Header,
        Location::Query => AuthKind::Query,
    };
    if auth.kind != kind {
        return Err(reject(
            "wrong-location",
            format!(
                "the signature is in the {:?} auth, the case asks for {location} auth",
                auth.kind
            ),
        ));
    }
    if location == Location::Query && auth.expires != Some(context.expiration_in_seconds) {
        return Err(reject(
            "wrong-expires",
            format!(
                "X-Amz-Expires is {:?}, the case's is {}",
                auth.expires, context.expiration_in_seconds
            ),
        ));
    }
    if location == Location::Header && context.sign_body && content_sha.is_none() {
        return Err(reject(
            "content-sha256-missing",
            "the case (S3) requires x-amz-content-sha256, the request has none".into(),
        ));
    }
    if let Some(want) = expected_signed_headers(exp) {
        if want != auth.signed_headers {
            differences.push(format!(
                "signs {} instead of {}",
                auth.signed_headers.join(";"),
                want.join(";")
            ));
        }
    }
    let mut known: Vec<String> = unsigned
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    if let Some(r) = exp
        .signed_request
        .as_ref()
        .and_then(|b| sigv4_vectors::parse_request(b).ok())
    {
        known.extend(r.headers.iter().map(|(n, _)| n.to_ascii_lowercase()));
        let order = |t: &str| -> Vec<String> {
            raw_params(t, false)
                .into_iter()
                .map(|p| p.split('=').next().unwrap_or("").to_owned())
                .collect()
        };
        let (a, b) = (order(&signed.target), order(&r.target));
        let (mut sa, mut sb) = (a.clone(), b.clone());
        sa.sort();
        sb.sort();
        if a != b && sa == sb {
            differences.push("query parameter order on the wire".into());
        }
    }
    for (n, _) in &signed.headers {
        let l = n.to_ascii_lowercase();
        if !known.contains(&l) && l != "authorization" {
            differences.push(format!("adds the header {l}"));
        }
    }
    let path_of = |t: &str| -> String {
        let t = without_fragment(t);
        t.split_once('?').map_or(t, |(p, _)| p).to_owned()
    };
    let (sent_path, case_path) = (path_of(&signed.target), path_of(&unsigned.target));
    if sent_path != case_path {
        differences.push(format!(
            "sends the path {case_path:?} encoded as {sent_path:?} (the same path)"
        ));
    }
    let mut sent_q = raw_params(&signed.target, location == Location::Query);
    let mut case_q = raw_params(&unsigned.target, false);
    sent_q.sort();
    case_q.sort();
    if sent_q != case_q {
        differences.push(format!(
            "spells the query {:?} as {:?} (the same parameters)",
            case_q.join("&"),
            sent_q.join("&")
        ));
    }
    if differences.is_empty() {
        differences
            .push("a canonical form the verifier accepts for this service (see the diffs)".into());
    }
    Ok(Accepted {
        verified,
        differences,
    })
}

/// The items `--suite` and `--location` keep (an empty filter keeps everything).
pub fn filter_items(items: Vec<Item>, suites: &[String], locations: &[Location]) -> Vec<Item> {
    items
        .into_iter()
        .filter(|i| suites.is_empty() || suites.contains(&i.suite))
        .filter(|i| locations.is_empty() || locations.contains(&i.location))
        .collect()
}
