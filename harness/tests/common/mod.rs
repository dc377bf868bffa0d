//! Shared helpers of the harness tests: the `sigv4` binary, the repository root, the Python
//! that runs the plain adapter, and the cases the suites hold (loaded with sigv4_vectors).
#![allow(dead_code, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sigv4_vectors::{discover, Case, Location};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `$SIGV4_PYTHON`, or the project's `.venv/bin/python`; panics naming the set-up command.
pub fn python() -> PathBuf {
    let p = std::env::var_os("SIGV4_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv/bin/python"));
    let ok = Command::new(&p)
        .args(["-c", "import sys"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "no Python at {} (set SIGV4_PYTHON or run `bash .ci/setup`, which makes .venv)",
        p.display()
    );
    p
}

/// Runs `sigv4 ARGS` from the repository root with extra environment.
pub fn sigv4(args: &[&str], env: &[(&str, &str)]) -> Output {
    let py = python();
    let mut c = Command::new(env!("CARGO_BIN_EXE_sigv4"));
    c.args(args)
        .current_dir(root())
        .env("SIGV4_PYTHON", &py)
        .env_remove("PLAIN_ADAPTER_BREAK");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run sigv4")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every (id, case, location) of the default suites (AWS's v4 and v4a suites and ours),
/// loaded independently of the harness.
pub fn default_items() -> Vec<(String, Case, Location)> {
    let mut out = Vec::new();
    let suites = [
        (
            "aws",
            sigv4_vectors::suite::aws_suite_dir().expect("AWS suite"),
        ),
        (
            "aws-v4a",
            sigv4_vectors::suite::aws_v4a_suite_dir().expect("AWS v4a suite"),
        ),
        ("ours", sigv4_vectors::suite::own_cases_dir()),
    ];
    for (name, dir) in suites {
        for d in discover(&dir).expect("discover") {
            let case = Case::load(&d).expect("load");
            for loc in case.locations() {
                out.push((format!("{name}/{}/{loc}", case.name), case.clone(), loc));
            }
        }
    }
    out
}

/// A SigV4a case (it has a public key) or an aws-chunked one: protocol 2 only.
pub fn needs_v2(case: &Case) -> bool {
    case.public_key.is_some() || case.context.streaming.is_some()
}

/// The verdicts of a `--json` file: id → verdict.
pub fn verdicts(path: &Path) -> std::collections::BTreeMap<String, serde_json::Value> {
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).expect("json report")).expect("json");
    doc["verdicts"]
        .as_array()
        .expect("verdicts")
        .iter()
        .map(|v| (v["id"].as_str().expect("id").to_owned(), v.clone()))
        .collect()
}

/// Whether a case is `unsupported` for the plain adapter: it has no after-signing
/// session-token mode (harness/adapters/plain/README.md), and it speaks protocol 1, so SigV4a
/// and aws-chunked cases are not sent to it.
pub fn plain_unsupported(case: &Case) -> bool {
    (case.context.credentials.token.is_some() && case.context.omit_session_token) || needs_v2(case)
}
