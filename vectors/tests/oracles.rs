//! The expected files of `vectors/cases` re-checked against two of their three oracles on every
//! test run: `vectors/tools/xcheck.py --check --from-files` signs each case again with botocore
//! and awscrt (aws-c-auth) and fails when either differs from the files on disk (beyond the
//! disagreements recorded in `vectors/tools/cases.py`), when a value AWS's documentation prints
//! is not reproduced, or when the oracles table of `vectors/cases/README.md` is out of date. The
//! third oracle, the aws-sigv4 crate, runs when the files are regenerated (`vectors/tools/README.md`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `$SIGV4_PYTHON`, or the project's `.venv/bin/python`, with botocore and awscrt importable;
/// panics naming the set-up command otherwise.
fn python() -> PathBuf {
    let p = std::env::var_os("SIGV4_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv/bin/python"));
    let ok = Command::new(&p)
        .args(["-c", "import botocore, awscrt.auth"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "{} cannot import botocore and awscrt: run `bash .ci/setup` (it installs \
         vectors/tools/requirements.txt into .venv), or set SIGV4_PYTHON",
        p.display()
    );
    p
}

#[test]
fn expected_files_agree_with_botocore_and_awscrt() {
    let out = Command::new(python())
        .args(["vectors/tools/xcheck.py", "--check", "--from-files"])
        .current_dir(root())
        .output()
        .expect("run xcheck.py");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every case of cases.py was checked: one line per case after the version line.
    let cases = std::fs::read_to_string(root().join("vectors/tools/cases.py")).expect("cases.py");
    let defined = cases.matches("\n        name=\"").count();
    let checked = text
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with("botocore "))
        .count();
    assert!(defined >= 43, "{defined} cases in cases.py");
    assert_eq!(checked, defined, "{text}");
}
