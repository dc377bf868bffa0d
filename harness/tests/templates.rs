//! The adapter templates (`harness/adapters/templates/`, one folder per language): the bundled
//! adapters built from them load the template's protocol file (Ruby, PHP, Perl, Rust) or carry
//! unchanged copies (Go). That the script
//! templates run through `sigv4 check` as they are (every case `unsupported`, no adapter error)
//! is `tests/check.rs`'s `unfilled_adapter_templates_answer_unsupported_to_every_case`.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The Go adapters are `go build` of one folder each, so they carry copies of the Go
/// template's files, which must stay equal (a Go package shared by path would need a module).
#[test]
fn go_adapters_carry_no_copy_of_the_go_templates_files() {
    // .ci/setup.d/adapters-other.sh builds each Go adapter from its sign.go and the template's
    // protocol.go and httpreq.go.
    let dir = root().join("harness/adapters");
    for adapter in ["aws-sdk-go-v1", "aws-sdk-go-v2"] {
        assert!(
            dir.join(adapter).join("sign.go").is_file(),
            "{adapter}/sign.go"
        );
        for file in ["protocol.go", "httpreq.go"] {
            assert!(
                !dir.join(adapter).join(file).exists(),
                "harness/adapters/{adapter}/{file} is a copy of templates/go/{file}: the set-up \
                 script builds the adapter with the template's"
            );
        }
    }
}

/// The Ruby, PHP, Perl and Rust adapters load their template's protocol file from
/// `templates/` (one copy) and carry none of their own.
#[test]
fn script_and_rust_adapters_load_the_templates_protocol_file() {
    let uses = [
        (
            "ruby-aws-sigv4",
            "adapter.rb",
            "protocol.rb",
            "'../templates/ruby/protocol'",
        ),
        (
            "async-aws",
            "adapter.php",
            "protocol.php",
            "'/../templates/php/protocol.php'",
        ),
        (
            "perl-aws-signature4",
            "adapter.pl",
            "Protocol.pm",
            "\"$FindBin::Bin/../templates/perl\"",
        ),
        (
            "aws-sign-v4",
            "src/main.rs",
            "src/protocol.rs",
            "\"../../templates/rust/src/protocol.rs\"",
        ),
    ];
    let dir = root().join("harness/adapters");
    for (adapter, source, own_copy, reference) in uses {
        let text = std::fs::read_to_string(dir.join(adapter).join(source))
            .unwrap_or_else(|e| panic!("{adapter}/{source}: {e}"));
        assert!(
            text.contains(reference),
            "{adapter}/{source} does not load the template's protocol file ({reference})"
        );
        assert!(
            !dir.join(adapter).join(own_copy).exists(),
            "{adapter}/{own_copy} is a copy of the template's: load templates/ instead"
        );
    }
}
