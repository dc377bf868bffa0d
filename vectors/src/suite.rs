//! Where the suites are: AWS's, inside the aws-sigv4 package, and this repository's own.

use std::path::PathBuf;
use std::process::Command;

/// The environment variable that overrides where AWS's v4 suite is.
pub const SUITE_DIR_ENV: &str = "SIGV4_SUITE_DIR";

/// The environment variable that overrides where AWS's v4a (SigV4a) suite is.
pub const V4A_SUITE_DIR_ENV: &str = "SIGV4A_SUITE_DIR";

/// The folder of this repository's own cases.
pub fn own_cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cases")
}

/// AWS's v4 suite: `$SIGV4_SUITE_DIR`, or `aws-signing-test-suite/v4` in the aws-sigv4
/// package that this workspace's lock file resolves, found through `cargo metadata`.
pub fn aws_suite_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os(SUITE_DIR_ENV) {
        let dir = PathBuf::from(dir);
        return if dir.is_dir() {
            Ok(dir)
        } else {
            Err(format!("{SUITE_DIR_ENV}={} is not a folder", dir.display()))
        };
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(&manifest)
        .output()
        .map_err(|e| format!("cannot run `cargo metadata` to find the aws-sigv4 package: {e}; set {SUITE_DIR_ENV}"))?;
    if !out.status.success() {
        return Err(format!(
            "`cargo metadata` failed: {}; set {SUITE_DIR_ENV}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("`cargo metadata` output: {e}"))?;
    let manifest_path = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "aws-sigv4")
        .and_then(|p| p["manifest_path"].as_str())
        .ok_or_else(|| {
            format!("the workspace does not depend on aws-sigv4; set {SUITE_DIR_ENV}")
        })?;
    let dir = PathBuf::from(manifest_path)
        .parent()
        .map(|p| p.join("aws-signing-test-suite").join("v4"))
        .ok_or("aws-sigv4 manifest path has no parent")?;
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(format!(
            "{} does not exist (has the aws-sigv4 package changed its layout?)",
            dir.display()
        ))
    }
}

/// AWS's v4a (SigV4a) suite: `$SIGV4A_SUITE_DIR`, or the `v4a` folder next to the v4 suite
/// (`aws-signing-test-suite/v4a` in the aws-sigv4 package).
pub fn aws_v4a_suite_dir() -> Result<PathBuf, String> {
    let dir = match std::env::var_os(V4A_SUITE_DIR_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => aws_suite_dir()?
            .parent()
            .map(|p| p.join("v4a"))
            .ok_or("AWS's v4 suite folder has no parent")?,
    };
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(format!(
            "AWS's v4a suite {} is not a folder; set {V4A_SUITE_DIR_ENV}",
            dir.display()
        ))
    }
}

/// The default suites: AWS's v4 and v4a, and ours.
pub fn default_dirs() -> Result<Vec<PathBuf>, String> {
    Ok(vec![
        aws_suite_dir()?,
        aws_v4a_suite_dir()?,
        own_cases_dir(),
    ])
}
