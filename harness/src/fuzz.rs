//! `sigv4 fuzz`: differential fuzzing of an adapter against this project's signer.
//!
//! proptest generates requests (paths, queries, headers, bodies) and signing contexts
//! (services with their rules, header or query auth, session tokens, payload modes); each goes
//! to the adapter and to our signer, and the signatures are compared. On the first divergence
//! proptest shrinks the input to a minimal one, which is written as a vector folder.

use std::cell::RefCell;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use proptest::prelude::*;
use proptest::test_runner::{
    Config as PtConfig, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner,
};
use serde_json::json;
use sigv4_signer::internal::UNSIGNED_PAYLOAD;
use sigv4_signer::{sign, SignatureLocation, SigningOutput, SigningParams};
use sigv4_vectors::{Context, Location, RawRequest};

use crate::adapter::Adapter;
use crate::check::{diff, explain_request};
use crate::protocol::{carried_signature, parse_answer, sign_message, unsigned_request, Answer};

/// What the generator varies; everything else stays at a plain default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Focus {
    /// Everything.
    All,
    /// The path only.
    Path,
    /// The query only.
    Query,
    /// Extra headers only.
    Headers,
    /// The body only.
    Body,
    /// Service, location, session token and payload mode only.
    Settings,
}

/// One generated case.
#[derive(Debug, Clone)]
pub struct FuzzCase {
    /// Method.
    pub method: String,
    /// Path, wire form.
    pub path: String,
    /// Query parameters: name and optional `=value`, wire form.
    pub query: Vec<(String, Option<String>)>,
    /// Extra headers after `Host`.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
    /// Service (`s3` follows S3's rules).
    pub service: String,
    /// Header or query auth.
    pub location: Location,
    /// A session token, and whether it is added after signing.
    pub token: Option<bool>,
    /// `UNSIGNED-PAYLOAD` (S3 only).
    pub unsigned_payload: bool,
}

impl FuzzCase {
    /// The request-target.
    pub fn target(&self) -> String {
        let mut t = self.path.clone();
        if !self.query.is_empty() {
            t.push('?');
            let parts: Vec<String> = self
                .query
                .iter()
                .map(|(k, v)| match v {
                    Some(v) => format!("{k}={v}"),
                    None => k.clone(),
                })
                .collect();
            t.push_str(&parts.join("&"));
        }
        t
    }

    /// The unsigned request.
    pub fn request(&self) -> RawRequest {
        let mut headers = vec![("Host".to_owned(), "example.amazonaws.com".to_owned())];
        headers.extend(self.headers.iter().cloned());
        RawRequest {
            method: self.method.clone(),
            target: self.target(),
            headers,
            body: self.body.clone(),
        }
    }

    /// The signing context (parsed from [`Self::context_json`], as a case's would be).
    pub fn context(&self) -> Context {
        // The document is built from plain values of the right types, so it always parses.
        Context::from_json(&self.context_json().to_string())
            .unwrap_or_else(|e| unreachable!("generated context.json does not parse: {e}"))
    }

    /// `context.json` for the vector folder.
    pub fn context_json(&self) -> serde_json::Value {
        let s3 = self.service == "s3";
        let mut v = json!({
            "credentials": {
                "access_key_id": "AKIDEXAMPLE",
                "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            },
            "expiration_in_seconds": 3600,
            "normalize": !s3,
            "region": "us-east-1",
            "service": self.service,
            "sign_body": s3 && self.location == Location::Header,
            "timestamp": "2015-08-30T12:36:00Z",
            "omit_session_token": self.token == Some(true),
            "double_uri_encode": !s3,
        });
        if self.token.is_some() {
            v["credentials"]["token"] = json!("FUZZTOKEN/xyz+=");
        }
        if s3 && self.unsigned_payload {
            v["payload_hash"] = json!(UNSIGNED_PAYLOAD);
        }
        v
    }
}

impl fmt::Display for FuzzCase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} (service {}, {} auth{}{})",
            self.method,
            self.target(),
            self.service,
            self.location,
            match self.token {
                None => "",
                Some(false) => ", session token signed",
                Some(true) => ", session token added after signing",
            },
            if self.unsigned_payload && self.service == "s3" {
                ", UNSIGNED-PAYLOAD"
            } else {
                ""
            }
        )?;
        for (n, v) in &self.headers {
            write!(f, "; header {n}: {v:?}")?;
        }
        if !self.body.is_empty() {
            write!(f, "; body {:?}", String::from_utf8_lossy(&self.body))?;
        }
        Ok(())
    }
}

fn path_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec("(?:[A-Za-z0-9._~:@+= -]|%[0-9A-F]{2}|\\.\\.?){0,4}", 0..4)
        .prop_map(|segs| format!("/{}", segs.join("/")))
}

fn query_strategy() -> impl Strategy<Value = Vec<(String, Option<String>)>> {
    prop::collection::vec(
        (
            "(?:[A-Za-z0-9._~+ -]|%[0-9A-F]{2}){1,4}",
            prop::option::weighted(0.85, "(?:[A-Za-z0-9._~+ =/-]|%[0-9A-F]{2}){0,4}"),
        ),
        0..5,
    )
}

/// Header values: printable ones, and ones with leading, trailing and inner runs of spaces
/// and tabs (where implementations disagree on trimming and collapsing).
fn header_value_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[!-~](?:[ -~\t]{0,6}[!-~])?",
        "[ \t]{0,3}[!-~](?:[!-~]|[ \t]{1,3}){0,6}[!-~][ \t]{0,3}",
    ]
}

fn headers_strategy() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        ("X-[A-Za-z][A-Za-z0-9-]{0,4}", header_value_strategy()),
        0..4,
    )
}

fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..16)
}

type SettingsTuple = (&'static str, Location, Option<bool>, bool);

fn settings_strategy() -> impl Strategy<Value = SettingsTuple> {
    (
        prop::sample::select(vec!["service", "s3", "dynamodb", "iam"]),
        prop::sample::select(vec![Location::Header, Location::Query]),
        prop::option::of(any::<bool>()),
        any::<bool>(),
    )
}

/// The strategy of generated cases.
pub fn strategy(focus: Focus) -> BoxedStrategy<FuzzCase> {
    let on = |f: Focus| focus == Focus::All || focus == f;
    let path = if on(Focus::Path) {
        path_strategy().boxed()
    } else {
        Just("/".to_owned()).boxed()
    };
    let query = if on(Focus::Query) {
        query_strategy().boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    let headers = if on(Focus::Headers) {
        headers_strategy().boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    let body = if on(Focus::Body) {
        body_strategy().boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    let settings = if on(Focus::Settings) {
        settings_strategy().boxed()
    } else {
        Just(("service", Location::Header, None, false)).boxed()
    };
    let method = prop::sample::select(vec!["GET", "POST", "PUT"]);
    (method, path, query, headers, body, settings)
        .prop_map(
            |(method, path, query, headers, body, (service, location, token, unsigned))| FuzzCase {
                method: method.to_owned(),
                path,
                query,
                headers,
                body,
                service: service.to_owned(),
                location,
                token,
                unsigned_payload: unsigned,
            },
        )
        .boxed()
}

/// Our signature of a case, or `None` when our signer refuses it.
pub fn ours(case: &FuzzCase) -> Option<SigningOutput> {
    let ctx = case.context();
    let creds = ctx.credentials();
    let time = ctx.time().ok()?;
    let params =
        SigningParams::new(&creds, &ctx.region, &ctx.service, time).with_settings(ctx.settings());
    let request = unsigned_request(&case.request());
    let location = match case.location {
        Location::Header => SignatureLocation::Headers,
        Location::Query => SignatureLocation::Query {
            expires_in: ctx.expiration_in_seconds,
        },
    };
    sign(&request.signable(), &params, location).ok()
}

/// How the adapter and our signer disagree on one case.
#[derive(Debug, Clone)]
pub struct Divergence {
    /// One line.
    pub summary: String,
    /// The adapter's canonical request: revealed, or reconstructed by diagnosis.
    pub adapter_canonical_request: Option<String>,
    /// Re-verification note.
    pub note: String,
    /// The divergence class: a diagnosis code, or the first differing stage and component
    /// (`canonical-request:headers`); what `--accept` takes.
    pub class: String,
}

/// The component of a canonical request where `ours` and `theirs` first differ: `method`,
/// `path`, `query`, `headers`, `signed-headers` or `payload`.
pub fn differing_component(ours: &str, theirs: &str) -> &'static str {
    let parts = |c: &str| -> Vec<String> {
        let lines: Vec<&str> = c.split('\n').collect();
        let n = lines.len();
        if n < 6 {
            return vec![c.to_owned()];
        }
        vec![
            lines[0].to_owned(),
            lines[1].to_owned(),
            lines[2].to_owned(),
            lines[3..n - 2].join("\n"),
            lines[n - 2].to_owned(),
            lines[n - 1].to_owned(),
        ]
    };
    let names = [
        "method",
        "path",
        "query",
        "headers",
        "signed-headers",
        "payload",
    ];
    let (a, b) = (parts(ours), parts(theirs));
    for (i, name) in names.iter().enumerate() {
        if a.get(i) != b.get(i) {
            return name;
        }
    }
    "other"
}

/// Compares the adapter with our signer on one case; `Ok(None)` when they agree or the case
/// cannot be compared (our signer refuses it, the adapter does not support it).
/// With the divergences of a class in `accept` counted as agreement.
pub fn compare_accepting(
    adapter: &mut Adapter,
    case: &FuzzCase,
    n: usize,
    accept: &[String],
) -> Option<Divergence> {
    let d = compare_inner(adapter, case, n)?;
    (!accept.contains(&d.class)).then_some(d)
}

fn compare_inner(adapter: &mut Adapter, case: &FuzzCase, n: usize) -> Option<Divergence> {
    let ours = ours(case)?;
    let request = case.request();
    let ctx = case.context();
    let id = format!("fuzz/{n}");
    let msg = sign_message(&id, &request, &ctx, case.location);
    let answer = match adapter.request(&msg, &id) {
        Ok(a) => a,
        Err(e) => {
            return Some(Divergence {
                summary: format!("adapter-error: {e}"),
                adapter_canonical_request: None,
                note: String::new(),
                class: "adapter-error".into(),
            })
        }
    };
    match parse_answer(&answer, &request.body) {
        Err(e) => Some(Divergence {
            summary: format!("adapter-error: invalid answer: {e}"),
            adapter_canonical_request: None,
            note: String::new(),
            class: "adapter-error".into(),
        }),
        Ok(Answer::Unsupported(_)) => None,
        Ok(Answer::Error(m)) => Some(Divergence {
            summary: format!("the adapter refused to sign ({m}); our signer signs it"),
            adapter_canonical_request: None,
            note: String::new(),
            class: "refused".into(),
        }),
        Ok(Answer::Signed(s)) => {
            let got = carried_signature(&s.request).unwrap_or_default();
            if got == ours.signature() {
                return None;
            }
            let explained = explain_request(&ctx, &request, &s.request);
            let theirs = s.canonical_request.or(explained.canonical_request);
            let class = match (&explained.diagnosis, &explained.code, &theirs) {
                (Some(d), ..) => d.code.clone(),
                (None, Some(c), _) if c != "signature-mismatch" => c.clone(),
                (None, _, Some(t)) if t != ours.canonical_request() => format!(
                    "canonical-request:{}",
                    differing_component(ours.canonical_request(), t)
                ),
                _ => "signature".into(),
            };
            Some(Divergence {
                summary: format!(
                    "signatures differ: adapter {got:?}, ours {:?}",
                    ours.signature()
                ),
                adapter_canonical_request: theirs,
                note: explained.note,
                class,
            })
        }
    }
}

/// The result of a fuzz run.
#[derive(Debug)]
pub struct Outcome {
    /// Cases run.
    pub cases: u32,
    /// The minimal diverging case and its divergence, if one was found.
    pub found: Option<(FuzzCase, Divergence, PathBuf)>,
}

/// Runs `cases` generated cases with `seed`; on a divergence, shrinks it and writes the vector
/// folder under `out`.
pub fn run(
    adapter: &mut Adapter,
    cases: u32,
    seed: u64,
    focus: Focus,
    out: &Path,
    accept: &[String],
) -> Result<Outcome> {
    let config = PtConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        max_global_rejects: cases.saturating_mul(4),
        ..PtConfig::default()
    };
    let mut seed_bytes = [0u8; 32];
    for (i, chunk) in seed_bytes.chunks_mut(8).enumerate() {
        let mixed = seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        chunk.copy_from_slice(&mixed.to_le_bytes());
    }
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let adapter = RefCell::new(adapter);
    let counter = RefCell::new(0usize);
    let result = runner.run(&strategy(focus), |case| {
        let n = {
            let mut c = counter.borrow_mut();
            *c += 1;
            *c
        };
        match compare_accepting(&mut adapter.borrow_mut(), &case, n, accept) {
            None => Ok(()),
            Some(d) => Err(TestCaseError::fail(d.summary)),
        }
    });
    match result {
        Ok(()) => Ok(Outcome { cases, found: None }),
        Err(TestError::Abort(why)) => anyhow::bail!("fuzzing aborted: {why}"),
        Err(TestError::Fail(_, minimal)) => {
            let n = *counter.borrow() + 1;
            let d = compare_accepting(&mut adapter.borrow_mut(), &minimal, n, accept).unwrap_or(
                Divergence {
                    summary:
                        "the divergence did not reproduce on the minimal case (flaky adapter?)"
                            .into(),
                    adapter_canonical_request: None,
                    note: String::new(),
                    class: "flaky".into(),
                },
            );
            let dir = write_vector(out, seed, &minimal, &d)?;
            Ok(Outcome {
                cases,
                found: Some((minimal, d, dir)),
            })
        }
    }
}

/// Writes the minimal case as a vector folder: `request.txt`, `context.json`, the expected
/// files from our signer, and a README saying they are ours and need a cross-check.
pub fn write_vector(out: &Path, seed: u64, case: &FuzzCase, d: &Divergence) -> Result<PathBuf> {
    let dir = out.join(format!("fuzz-{seed}"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let w = |name: &str, data: &[u8]| -> Result<()> {
        let p = dir.join(name);
        std::fs::write(&p, data).with_context(|| format!("writing {}", p.display()))
    };
    let request = case.request();
    w("request.txt", &request.to_http1())?;
    w(
        "context.json",
        (serde_json::to_string_pretty(&case.context_json())? + "\n").as_bytes(),
    )?;
    let loc = case.location.prefix();
    let ours = ours(case);
    if let Some(o) = &ours {
        w(
            &format!("{loc}-canonical-request.txt"),
            o.canonical_request().as_bytes(),
        )?;
        w(
            &format!("{loc}-string-to-sign.txt"),
            o.string_to_sign().as_bytes(),
        )?;
        w(&format!("{loc}-signature.txt"), o.signature().as_bytes())?;
        let signed = o.apply(&unsigned_request(&request).signable());
        w(&format!("{loc}-signed-request.txt"), &signed.to_http1())?;
    }
    let readme = format!(
        "# Fuzz finding (seed {seed})\n\n\
         Found by `sigv4 fuzz` and shrunk by proptest: {case}.\n\n\
         **The expected files here are ours; needs cross-check before committing.** They were \
         written by this project's signer, which is one side of the divergence. Before this \
         folder goes into `vectors/cases/`, re-create the expected files from two independent \
         implementations agreeing (`vectors/tools/xcheck.py`) or from AWS's documentation, and \
         say in this README which rule the case pins and its source.\n\n\
         Divergence ({}): {}\n\n{}\n",
        d.class, d.summary, d.note
    );
    w("README.md", readme.as_bytes())?;
    Ok(dir)
}

/// The explanation printed for a divergence: who computes what.
pub fn describe(case: &FuzzCase, d: &Divergence) -> String {
    let mut s = format!("minimal diverging case: {case}\n  {}\n", d.summary);
    if !d.note.is_empty() {
        s.push_str(&format!("  {}\n", d.note));
    }
    if let (Some(o), Some(theirs)) = (ours(case), &d.adapter_canonical_request) {
        s.push_str("  canonical requests:\n");
        s.push_str(&diff(o.canonical_request(), theirs, "adapter").replace("expected", "ours"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;

    /// The header values include leading, trailing and inner runs of spaces and tabs.
    #[test]
    fn header_values_have_whitespace_runs_and_tabs() {
        let mut runner = TestRunner::deterministic();
        let values: Vec<String> = (0..2000)
            .map(|_| {
                header_value_strategy()
                    .new_tree(&mut runner)
                    .map(|t| t.current())
                    .unwrap_or_default()
            })
            .collect();
        let ws = |c: char| c == ' ' || c == '\t';
        assert!(values.iter().any(|v| v.starts_with(ws)));
        assert!(values.iter().any(|v| v.ends_with(ws)));
        assert!(values.iter().any(|v| v.trim_matches(ws).contains("  ")));
        assert!(values.iter().any(|v| v.trim_matches(ws).contains('\t')));
        assert!(values
            .iter()
            .any(|v| v.starts_with('\t') || v.ends_with('\t')));
    }
}
