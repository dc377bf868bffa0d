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
        r#"{"name": "ghost", "command": "ghost-sigv4-adapter-that-is-not-installed", "setup": "bash .ci/test"}"#,
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
    let unsupported = items
        .iter()
        .filter(|(_, c, _)| plain_unsupported(c))
        .count();
    assert!(
        md.contains("| ghost |  | 0 | 0 | 0 | 0 | not installed: run bash .ci/test |"),
        "{md}"
    );
    assert!(md.contains(&format!(
        "| plain | 1 (python) | {} | 0 | {unsupported} | 0 |  |",
        items.len() - unsupported
    )));
    assert!(md.contains("| case | ghost | plain |"));
    assert!(md.contains("| `aws/get-vanilla/header` | not installed | pass |"));
    // Each unsupported case is a divergence explained by the session-token rule.
    let section = md
        .split("### Session-token mode")
        .nth(1)
        .expect("a divergence section for the session-token rule");
    let section = section.split("\n## ").next().unwrap();
    assert_eq!(
        section.matches("- **plain** `").count(),
        unsupported,
        "{section}"
    );
    let html = std::fs::read_to_string(out_dir.join("conformance.html")).unwrap();
    assert!(html.contains("<td class=\"missing\">not installed</td>"));
}
