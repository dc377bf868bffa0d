//! The adapter templates (`harness/adapters/templates/`, one folder per language): the bundled
//! adapters that started from them still carry their protocol files unchanged. That the script
//! templates run through `sigv4 check` as they are (every case `unsupported`, no adapter error)
//! is `tests/check.rs`'s `unfilled_adapter_templates_answer_unsupported_to_every_case`.

use std::path::Path;

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
