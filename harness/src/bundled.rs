//! Bundled adapters: `harness/adapters/<name>/adapter.json` (see `harness/adapters/README.md`).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::Deserialize;

/// One `adapter.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct Bundled {
    /// Name (the folder's).
    pub name: String,
    /// Shell command, run with `sh -c` from the repository root.
    pub command: String,
    /// The set-up command that installs the adapter's tool ([`SETUP`] when absent).
    #[serde(default)]
    pub setup: Option<String>,
    /// The implementation's language, for an adapter that does not start (its hello says it
    /// otherwise).
    #[serde(default)]
    pub language: Option<String>,
    /// The folder of the adapter.
    #[serde(skip)]
    pub dir: PathBuf,
}

/// The one command that installs every adapter's toolchain and packages.
pub const SETUP: &str = "bash .ci/setup";

/// The repository root: `$SIGV4_ROOT`, or the folder above this crate.
pub fn repo_root() -> PathBuf {
    std::env::var_os("SIGV4_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
            p.canonicalize().unwrap_or(p)
        })
}

/// The folder of the bundled adapters.
pub fn adapters_dir(root: &Path) -> PathBuf {
    root.join("harness").join("adapters")
}

/// Every bundled adapter, sorted by name.
pub fn discover(root: &Path) -> Result<Vec<Bundled>> {
    let dir = adapters_dir(root);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path().join("adapter.json");
        if path.is_file() {
            out.push(load(&path)?);
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn load(path: &Path) -> Result<Bundled> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut b: Bundled =
        serde_json::from_str(&text).with_context(|| format!("{}", path.display()))?;
    b.dir = path.parent().map(Path::to_owned).unwrap_or_default();
    Ok(b)
}

/// The bundled adapter called `name`.
pub fn find(root: &Path, name: &str) -> Result<Bundled> {
    let all = discover(root)?;
    let names: Vec<String> = all.iter().map(|b| b.name.clone()).collect();
    all.into_iter().find(|b| b.name == name).with_context(|| {
        format!(
            "no bundled adapter {name:?} in {} (there are: {})",
            adapters_dir(root).display(),
            names.join(", ")
        )
    })
}
