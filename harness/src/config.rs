//! `--config FILE`: cases to disable, each with a reason. TOML or JSON:
//!
//! ```toml
//! [[disabled]]
//! case = "aws/get-vanilla-with-session-token"   # a case id, or a prefix of one at a `/`
//! reason = "the library cannot take a session token from the caller"
//! ```
//!
//! JSON: `{"disabled": [{"case": "...", "reason": "..."}]}`.

use std::path::Path;

use anyhow::{bail, Context as _, Result};
use serde::Deserialize;

/// The configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Disabled cases.
    #[serde(default)]
    pub disabled: Vec<Disabled>,
}

/// One disabled case (or group of cases).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disabled {
    /// `suite/case/location`, or a prefix of it ending at a `/` boundary (`aws/get-utf8`).
    pub case: String,
    /// Why.
    pub reason: String,
}

impl Config {
    /// Reads a TOML (`.toml`) or JSON file.
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let config: Self = if path.extension().is_some_and(|e| e == "json") {
            serde_json::from_str(&text).with_context(|| format!("{}", path.display()))?
        } else {
            toml::from_str(&text).with_context(|| format!("{}", path.display()))?
        };
        for d in &config.disabled {
            if d.reason.trim().is_empty() {
                bail!(
                    "{}: disabled case {:?} has no reason",
                    path.display(),
                    d.case
                );
            }
        }
        Ok(config)
    }

    /// The reason `id` is disabled, if it is.
    pub fn disabled_reason(&self, id: &str) -> Option<String> {
        self.disabled
            .iter()
            .find(|d| {
                let c = d.case.trim_end_matches('/');
                id == c || id.strip_prefix(c).is_some_and(|rest| rest.starts_with('/'))
            })
            .map(|d| d.reason.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_whole_segments() {
        let c: Config =
            toml::from_str("[[disabled]]\ncase = \"aws/get-utf8\"\nreason = \"r\"\n").unwrap();
        assert_eq!(
            c.disabled_reason("aws/get-utf8/header").as_deref(),
            Some("r")
        );
        assert_eq!(c.disabled_reason("aws/get-utf8"), Some("r".into()));
        assert_eq!(c.disabled_reason("aws/get-utf8-x/header"), None);
    }

    #[test]
    fn reads_json_and_requires_reasons() {
        let dir = std::env::temp_dir().join(format!("sigv4-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("c.json");
        std::fs::write(
            &good,
            r#"{"disabled":[{"case":"ours/s3-put-object/header","reason":"no S3"}]}"#,
        )
        .unwrap();
        let c = Config::load(&good).unwrap();
        assert_eq!(
            c.disabled_reason("ours/s3-put-object/header").as_deref(),
            Some("no S3")
        );
        assert_eq!(c.disabled_reason("ours/s3-put-object/query"), None);
        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "[[disabled]]\ncase = \"x\"\nreason = \" \"\n").unwrap();
        assert!(Config::load(&bad).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
