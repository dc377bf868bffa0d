//! The adapter templates (`harness/adapters/templates/`): the bundled adapters that started
//! from them still carry their protocol files unchanged, and the Ruby, PHP and Perl templates
//! run through `sigv4 check` as they are (every case `unsupported`, no adapter error). The
//! interpreters are installed by `bash .ci/setup`; a missing one fails naming it.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn bundled_adapters_carry_the_templates_protocol_files() {
    let copies = [
        ("go/protocol.go", "aws-sdk-go-v1/protocol.go"),
        ("go/httpreq.go", "aws-sdk-go-v1/httpreq.go"),
        ("go/protocol.go", "aws-sdk-go-v2/protocol.go"),
        ("go/httpreq.go", "aws-sdk-go-v2/httpreq.go"),
        ("ruby/protocol.rb", "ruby-aws-sigv4/protocol.rb"),
        ("php/protocol.php", "async-aws/protocol.php"),
        ("perl/Protocol.pm", "perl-aws-signature4/Protocol.pm"),
        ("rust/src/protocol.rs", "aws-sign-v4/src/protocol.rs"),
    ];
    let dir = root().join("harness/adapters");
    for (template, copy) in copies {
        let read =
            |p: &str| std::fs::read_to_string(dir.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
        assert!(
            read(&format!("templates/{template}")) == read(copy),
            "harness/adapters/{copy} differs from templates/{template}: change both"
        );
    }
}

#[test]
fn script_templates_answer_unsupported_for_every_case() {
    for (interpreter, script) in [
        ("ruby", "harness/adapters/templates/ruby/adapter.rb"),
        ("php", "harness/adapters/templates/php/adapter.php"),
        ("perl", "harness/adapters/templates/perl/adapter.pl"),
    ] {
        let found = Command::new(interpreter)
            .arg("-v")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "{interpreter} is not installed: run `bash .ci/setup`"
        );
        let out = Command::new(env!("CARGO_BIN_EXE_sigv4"))
            .args(["check", "--adapter", &format!("{interpreter} {script}")])
            .current_dir(root())
            .output()
            .expect("run sigv4 check");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let last = stdout.lines().last().unwrap_or_default();
        assert!(
            out.status.success(),
            "{script}: {last}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            last.starts_with("0 exact, 0 accepted, 0 failed, ") && last.contains(" unsupported"),
            "{script}: {last}"
        );
        assert!(!last.contains("adapter error"), "{script}: {last}");
    }
}
