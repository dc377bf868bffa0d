//! The installed tools some tests drive (the venv's Python with boto3, the AWS CLI, curl), and
//! the one gate they all go through: [`require`] fails the test at once, naming the set-up
//! command, when a tool is missing or not the pinned version, instead of failing later with a
//! spawn error or a Python traceback. Nothing is ever skipped.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The command that installs every tool the tests use (`bash .ci/test` runs it first).
pub const SETUP: &str = "bash .ci/setup";

/// The pins of `mock-aws/tests/requirements.txt`, the file the set-up installs from.
const REQUIREMENTS: &str = include_str!("../../requirements.txt");

/// A tool a test needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// The venv's Python (`.venv/bin/python` at the workspace root, or `$SIGV4_PYTHON`),
    /// standard library only.
    Python,
    /// The venv's Python with boto3 at the version pinned in `requirements.txt`.
    Boto3,
    /// The venv's AWS CLI (`.venv/bin/aws`, or `$SIGV4_AWS_CLI`) at the pinned version.
    AwsCli,
    /// curl on `PATH` (7.75+ for `--aws-sigv4`).
    Curl,
    /// Debian's `chromium` on `PATH` (or `$SIGV4_CHROMIUM`), run headless
    /// (`.ci/setup.d/chromium.sh`).
    Chromium,
}

/// The pinned version of a Python package in `requirements.txt`.
pub fn pinned(package: &str) -> &'static str {
    REQUIREMENTS
        .lines()
        .find_map(|l| l.trim().strip_prefix(package)?.strip_prefix("=="))
        .unwrap_or_else(|| panic!("{package} is not pinned in mock-aws/tests/requirements.txt"))
}

fn venv(env: &str, bin: &str) -> PathBuf {
    std::env::var_os(env).map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin/")).join(bin),
        PathBuf::from,
    )
}

/// What runs the tool, before any check.
pub fn program(tool: Tool) -> PathBuf {
    match tool {
        Tool::Python | Tool::Boto3 => venv("SIGV4_PYTHON", "python"),
        Tool::AwsCli => venv("SIGV4_AWS_CLI", "aws"),
        Tool::Curl => PathBuf::from("curl"),
        Tool::Chromium => std::env::var_os("SIGV4_CHROMIUM")
            .map_or_else(|| PathBuf::from("chromium"), PathBuf::from),
    }
}

/// Runs `program args`; its stdout and stderr when it exits with success, else why not.
fn probe(tool: Tool, args: &[&str]) -> Result<String, String> {
    let program = program(tool);
    match Command::new(&program).args(args).output() {
        Ok(out) if out.status.success() => Ok(String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr)),
        Ok(out) => Err(format!(
            "`{} {}` exited with {}: {}",
            program.display(),
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Err(format!("cannot run {}: {e}", program.display())),
    }
}

/// Why `tool` is not usable, or `None` when it is.
fn check(tool: Tool) -> Option<String> {
    let found = match tool {
        Tool::Python => probe(tool, &["-c", "import sys"]).map(|_| ()),
        Tool::Boto3 => {
            let want = pinned("boto3");
            probe(tool, &["-c", "import boto3; print(boto3.__version__)"]).and_then(|v| {
                if v.trim() == want {
                    Ok(())
                } else {
                    Err(format!("it has boto3 {}, not the pinned {want}", v.trim()))
                }
            })
        }
        Tool::AwsCli => {
            let want = pinned("awscli");
            probe(tool, &["--version"]).and_then(|v| {
                if v.starts_with(&format!("aws-cli/{want} ")) {
                    Ok(())
                } else {
                    Err(format!("it is {}, not awscli {want}", v.trim()))
                }
            })
        }
        Tool::Curl | Tool::Chromium => probe(tool, &["--version"]).map(|_| ()),
    };
    found.err()
}

/// The program of `tool`, after checking (once per test binary) that it is installed and
/// pinned; otherwise the test fails here, with the reason and the set-up command.
pub fn require(tool: Tool) -> PathBuf {
    static CHECKED: [OnceLock<Option<String>>; 5] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let slot = &CHECKED[tool as usize];
    if let Some(why) = slot.get_or_init(|| check(tool)) {
        panic!(
            "this test needs {tool:?} ({}), which is not usable: {why}. Run the set-up command \
             `{SETUP}` from the workspace root (it installs every tool the tests use; \
             `bash .ci/test` runs it, then every test)",
            program(tool).display()
        );
    }
    program(tool)
}
