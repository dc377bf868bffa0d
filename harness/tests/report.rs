//! `sigv4 report` over N adapters, one of them not installed.

mod common;

use common::*;

#[test]
fn report_has_a_column_per_adapter_and_names_missing_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let plain = root.join("harness/adapters/plain");
    std::fs::create_dir_all(&plain).unwrap();
    let src = common::root().join("harness/adapters/plain");
    for f in ["adapter.json", "adapter.py"] {
        std::fs::copy(src.join(f), plain.join(f)).unwrap();
    }
    // plain's protocol loop is the shared Python one.
    let shared = root.join("harness/adapters/python");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::copy(
        common::root().join("harness/adapters/python/sigv4_adapter.py"),
        shared.join("sigv4_adapter.py"),
    )
    .unwrap();
    let ghost = root.join("harness/adapters/ghost");
    std::fs::create_dir_all(&ghost).unwrap();
    std::fs::write(
        ghost.join("adapter.json"),
        r#"{"name": "ghost", "command": "ghost-sigv4-adapter-that-is-not-installed", "setup": "bash .ci/setup"}"#,
    )
    .unwrap();
    let out_dir = root.join("docs");
    let out = sigv4(
        &["report", "--out-dir", out_dir.to_str().unwrap()],
        &[("SIGV4_ROOT", root.to_str().unwrap())],
    );
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let md = std::fs::read_to_string(out_dir.join("conformance.md")).unwrap();
    let items = default_items();
    // The summary counts the SigV4 cases; SigV4a (protocol 2) has its own section.
    let v4: Vec<_> = items
        .iter()
        .filter(|(id, ..)| !id.starts_with("aws-v4a/"))
        .collect();
    let unsupported = v4.iter().filter(|(_, c, _)| plain_unsupported(c)).count();
    assert!(
        md.contains(
            "| unknown | ghost |  |  | 0 | 0 | 0 | 0 | 0 | not installed: run bash .ci/setup |"
        ),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "| python | plain | 1 | 1 | {} | 0 | 0 | {unsupported} | 0 |  |",
            v4.len() - unsupported
        )),
        "{md}"
    );
    let v4a = items.len() - v4.len();
    assert!(
        md.contains(&format!("| plain | no | 0 | 0 | 0 | {v4a} | 0 |")),
        "{md}"
    );
    assert!(
        md.contains("| ghost | not installed | 0 | 0 | 0 | 0 | 0 |"),
        "{md}"
    );
    assert!(md.contains("| case | ghost | plain |"));
    assert!(md.contains("| `aws/get-vanilla/header` | not installed | exact |"));
    // Each session-token case plain cannot express is a divergence explained by the
    // session-token rule, with a minimal vector; cases its protocol cannot carry are not.
    let token_cases = v4
        .iter()
        .filter(|(_, c, _)| plain_unsupported(c) && !needs_v2(c))
        .count();
    let section = md
        .split("### Session-token mode")
        .nth(1)
        .expect("a divergence section for the session-token rule");
    let section = section
        .split("\n### ")
        .next()
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    assert_eq!(
        section.matches("- **plain** `").count(),
        token_cases,
        "{section}"
    );
    assert!(section.contains("- minimal vector: `"), "{section}");
    assert!(!md.contains("adapter speaks protocol 1"), "{md}");
    let html = std::fs::read_to_string(out_dir.join("conformance.html")).unwrap();
    assert!(html.contains("<td data-impl=\"ghost\" class=\"missing\">not installed</td>"));
    assert!(html.contains("<select id=\"f-impl\">") && html.contains("<select id=\"f-rule\">"));
    assert!(html.contains("<script>") && !html.contains("<script src") && !html.contains("<link "));
}

/// harness/adapters/README.md has a row for every adapter folder (an `adapter.json`), and no
/// row for a folder that does not exist, so it cannot go stale.
#[test]
fn adapters_readme_lists_every_adapter() {
    let dir = common::root().join("harness/adapters");
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let mut folders = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.join("adapter.json").is_file() {
            folders.push(p.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(folders.len() >= 7, "{folders:?}");
    for f in &folders {
        assert!(
            readme.contains(&format!("| [`{f}`]({f}/README.md) |")),
            "harness/adapters/README.md has no row for {f}"
        );
    }
    for line in readme.lines().filter(|l| l.starts_with("| [`")) {
        let name = line.split('`').nth(1).unwrap();
        assert!(
            folders.iter().any(|f| f == name),
            "row for a missing adapter: {line}"
        );
    }
    assert!(!readme.contains("another branch"), "{readme}");
}

/// The tracked files of the repository, from `git ls-files` at its root.
fn tracked_files() -> Vec<std::path::PathBuf> {
    let root = common::root();
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(&root)
        .args(["ls-files", "-z"])
        .output()
        .expect("git is needed to list the tracked files; run `bash .ci/setup`");
    assert!(
        out.status.success(),
        "git ls-files failed in {}",
        root.display()
    );
    out.stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| root.join(String::from_utf8_lossy(p).as_ref()))
        .collect()
}

/// The project carries its facts itself (`docs/rules.md`): no tracked file may point at the
/// folder outside the repository they were gathered in (this file spells the name in parts
/// and is left out by path too).
#[test]
fn no_tracked_file_mentions_the_folder_outside_the_repository() {
    let needle = concat!("..", "/shared");
    let this = common::root().join("harness/tests/report.rs");
    let files = tracked_files();
    assert!(files.len() > 100, "only {} tracked files", files.len());
    let offenders: Vec<String> = files
        .iter()
        .filter(|p| **p != this)
        .filter_map(|p| {
            let text = String::from_utf8_lossy(&std::fs::read(p).ok()?).into_owned();
            text.contains(needle).then(|| p.display().to_string())
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "files that mention {needle}: {offenders:?}"
    );
}

/// Every `docs/rules.md#anchor` cited in a tracked file is an anchor of docs/rules.md.
#[test]
fn citations_of_docs_rules_name_its_sections() {
    let rules = std::fs::read_to_string(common::root().join("docs/rules.md")).unwrap();
    let prefix = "docs/rules.md#";
    let this = common::root().join("harness/tests/report.rs");
    let mut cited = 0;
    for p in tracked_files().into_iter().filter(|p| *p != this) {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        for (at, _) in text.match_indices(prefix) {
            let anchor: String = text[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            cited += 1;
            assert!(
                rules.contains(&format!("<a id=\"{anchor}\"></a>")),
                "{} cites docs/rules.md#{anchor}, which docs/rules.md does not define",
                p.display()
            );
        }
    }
    assert!(
        cited >= 5,
        "only {cited} citations of docs/rules.md sections found"
    );
}
