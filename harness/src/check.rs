//! `sigv4 check`: every case of the suites through an adapter, one verdict per case and
//! location.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use serde::Serialize;
use sigv4_signer::diagnose::diagnose;
use sigv4_signer::verify::{verify, VerifyError, VerifyParams, VerifySettings};
use sigv4_signer::SigningTime;
use sigv4_vectors::run::{compare_signed_request, Stage};
use sigv4_vectors::{discover, Case, Context, Location, RawRequest};

use crate::adapter::{Adapter, Hello};
use crate::config::Config;
use crate::protocol::{carried_signature, parse_answer, sign_message, Answer};

/// A suite: a name and the folder its cases are under.
#[derive(Debug, Clone)]
pub struct Suite {
    /// Name used in case ids (`aws`, `ours`, or the folder name).
    pub name: String,
    /// Folder.
    pub dir: PathBuf,
}

/// The default suites: AWS's v4 suite and `vectors/cases`. AWS's v4a suite is not run yet
/// (the harness has no SigV4a messages); [`v4a_note`] says so.
pub fn default_suites() -> Result<Vec<Suite>> {
    let aws = sigv4_vectors::suite::aws_suite_dir().map_err(anyhow::Error::msg)?;
    Ok(vec![
        Suite {
            name: "aws".into(),
            dir: aws,
        },
        Suite {
            name: "ours".into(),
            dir: sigv4_vectors::suite::own_cases_dir(),
        },
    ])
}

/// The note printed when AWS's v4a suite exists next to the v4 one but is not run.
pub fn v4a_note(suites: &[Suite]) -> Option<String> {
    let v4a = suites
        .iter()
        .find(|s| s.name == "aws")?
        .dir
        .parent()?
        .join("v4a");
    v4a.is_dir().then(|| {
        format!(
            "note: AWS's SigV4a suite ({}) is skipped: protocol v1 has no SigV4a settings yet",
            v4a.display()
        )
    })
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

/// The note printed when `aws-chunked` streaming cases are left out of a run: protocol v1 has
/// no streaming settings (an adapter signs the seed request only, which says little).
pub fn streaming_note(suites: &[Suite]) -> Result<Option<String>> {
    let mut names = Vec::new();
    for s in suites {
        for dir in discover(&s.dir)? {
            let case = Case::load(&dir).with_context(|| format!("loading {}", dir.display()))?;
            if case.context.streaming.is_some() {
                names.push(format!("{}/{}", s.name, relative_name(&s.dir, &dir)));
            }
        }
    }
    Ok((!names.is_empty()).then(|| {
        format!(
            "note: {} aws-chunked streaming case(s) skipped ({}): protocol v1 has no streaming settings yet",
            names.len(),
            names.join(", ")
        )
    }))
}

/// Every case at every location it has expected files for; `aws-chunked` streaming cases
/// are left out ([`streaming_note`]).
pub fn load_items(suites: &[Suite]) -> Result<Vec<Item>> {
    let mut items = Vec::new();
    for s in suites {
        for dir in discover(&s.dir)? {
            let case = Case::load(&dir).with_context(|| format!("loading {}", dir.display()))?;
            if case.context.streaming.is_some() {
                continue;
            }
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
    /// Every stage matched.
    Pass,
    /// A stage differs.
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
            Self::Pass => "pass",
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
    /// For a failure: the first stage that differs.
    pub stage: Option<String>,
    /// One line: why (the reason of an unsupported or disabled case, the error).
    pub message: String,
    /// Diffs and explanations.
    pub detail: String,
    /// The named mistake, when one reproduces the adapter's signature.
    pub diagnosis: Option<Diagnosis>,
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
            millis: 0,
        }
    }
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Passed.
    pub passed: usize,
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
    pub fn of(verdicts: &[Verdict]) -> Self {
        let mut s = Self::default();
        for v in verdicts {
            match v.outcome {
                Outcome::Pass => s.passed += 1,
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
            "{} passed, {} failed, {} unsupported, {} disabled",
            self.passed, self.failed, self.unsupported, self.disabled
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

/// Runs one item.
pub fn run_item(adapter: &mut Adapter, item: &Item) -> Verdict {
    let id = item.id();
    let started = Instant::now();
    let hello = match adapter.hello() {
        Ok(h) => h,
        Err(e) => return adapter_error(item, adapter, &format!("{}: {e}", e.code()), started),
    };
    let msg = sign_message(&id, &item.case.request, &item.case.context, item.location);
    let answer = adapter.request(&msg, &id);
    let answer = match answer {
        Ok(a) => a,
        Err(e) => return adapter_error(item, adapter, &format!("{}: {e}", e.code()), started),
    };
    let mut v = match parse_answer(&answer, &item.case.request.body) {
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

/// Judges an answer.
pub fn judge(item: &Item, hello: &Hello, answer: Answer) -> Verdict {
    let exp = item.case.expected(item.location);
    let signed = match answer {
        Answer::Unsupported(reason) => return Verdict::new(item, Outcome::Unsupported, reason),
        Answer::Error(message) => {
            return match &exp.error {
                Some(code) => Verdict::new(
                    item,
                    Outcome::Pass,
                    format!("refused as expected ({code}): {message}"),
                ),
                None => {
                    let mut v = Verdict::new(
                        item,
                        Outcome::Fail,
                        format!("the adapter refused to sign: {message}"),
                    );
                    v.stage = Some(Stage::Error.to_string());
                    v
                }
            };
        }
        Answer::Signed(s) => s,
    };
    if let Some(code) = &exp.error {
        let mut v = Verdict::new(
            item,
            Outcome::Fail,
            format!("expected the signing to fail ({code}), but the adapter signed"),
        );
        v.stage = Some(Stage::Error.to_string());
        return v;
    }
    let (want_creq, want_sts) = expected_texts(item);
    let who = if hello.name.is_empty() {
        "adapter"
    } else {
        hello.name.as_str()
    };
    let mut failures: Vec<(Stage, String)> = Vec::new();
    let revealed = [
        (
            Stage::CanonicalRequest,
            &want_creq,
            &signed.canonical_request,
        ),
        (Stage::StringToSign, &want_sts, &signed.string_to_sign),
        (Stage::Signature, &exp.signature, &signed.signature),
    ];
    for (stage, want, got) in revealed {
        if let (Some(w), Some(g)) = (want, got) {
            if w != g {
                failures.push((stage, diff(w, g, who)));
            }
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
    } else if let Some(want) = &exp.signature {
        let got = carried_signature(&signed.request).unwrap_or_default();
        if &got != want {
            failures.push((
                Stage::SignedRequest,
                format!("    the signed request carries signature {got:?}, expected {want:?}\n"),
            ));
        }
    }
    let Some((stage, _)) = failures.first().cloned() else {
        return Verdict::new(item, Outcome::Pass, "");
    };
    let mut v = Verdict::new(item, Outcome::Fail, format!("{stage} differs"));
    v.stage = Some(stage.to_string());
    let mut detail = String::new();
    for (s, d) in &failures {
        detail.push_str(&format!("  {s} differs:\n{d}"));
    }
    let explained = explain(item, &signed.request);
    if let Some(d) = &explained.diagnosis {
        v.message = format!("{stage} differs: {}", d.code);
    }
    // The canonical request diff, reconstructed when the adapter does not reveal its own.
    if signed.canonical_request.is_none() {
        if let (Some(w), Some(c)) = (&want_creq, &explained.canonical_request) {
            detail.push_str(&format!(
                "  canonical request that reproduces {who}'s signature ({}):\n{}",
                explained.diagnosis.as_ref().map_or("", |d| d.code.as_str()),
                diff(w, c, who)
            ));
        }
    }
    detail.push_str(&format!("  {}\n", explained.note));
    v.diagnosis = explained.diagnosis;
    v.detail = detail;
    v
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
}

/// The verify settings of a context.
pub fn verify_settings(context: &Context) -> VerifySettings {
    VerifySettings::from(context.settings())
}

/// Re-verifies the adapter's signed request under the case's rules and names the mistake.
pub fn explain(item: &Item, signed: &RawRequest) -> Explained {
    explain_request(&item.case.context, signed)
}

/// [`explain`] for a request signed under `context`.
pub fn explain_request(context: &Context, signed: &RawRequest) -> Explained {
    let Ok(now) = context.time() else {
        return Explained {
            note: "the case's time does not parse".into(),
            ..Explained::default()
        };
    };
    let secret = context.credentials.secret_access_key.clone();
    let ak = context.credentials.access_key_id.clone();
    let lookup = move |k: &str| (k == ak).then(|| secret.clone());
    let params = VerifyParams::new(now, &lookup)
        .with_max_skew(u64::MAX / 4)
        .with_settings(verify_settings(context))
        .with_region(&context.region)
        .with_service(&context.service);
    let request = signed.signable();
    match verify(&request, &params) {
        Ok(_) => Explained {
            note: "the adapter's signed request verifies under the case's rules: the difference is outside the signature (signed headers, added headers or parameters)".into(),
            ..Explained::default()
        },
        Err(VerifyError::SignatureMismatch { .. }) => match diagnose(&request, &params) {
            Some(d) if d.is_explained() => Explained {
                diagnosis: Some(Diagnosis {
                    code: d.code(),
                    text: d.to_string(),
                }),
                note: format!("diagnosis ({}): {d}", d.code()),
                canonical_request: d.canonical_request,
            },
            _ => Explained {
                note: "re-verification: signature mismatch; no known mistake reproduces the adapter's signature".into(),
                ..Explained::default()
            },
        },
        Err(e) => Explained {
            note: format!("re-verification fails before the signature: {e} ({})", e.code()),
            ..Explained::default()
        },
    }
}
