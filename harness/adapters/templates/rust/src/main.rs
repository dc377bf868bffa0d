//! Your adapter: fill in `sign` and the hello fields. `protocol.rs` (the JSON-lines loop, with
//! helpers to read the message) is done.

#[allow(dead_code)] // helpers you may not need yet
mod protocol;

use protocol::{Adapter, Refusal, Signed};
use serde_json::{json, Value};

/// Signs one request with the library under test. Rules (harness/PROTOCOL.md):
/// - sign at `msg["time"]`, never the clock (patch it where the library reads it);
/// - hand `msg["request"]["target"]` to the library as given;
/// - `Err(Refusal::Unsupported(why))` for a setting in `msg["settings"]` it cannot express;
/// - `Err(Refusal::Error(message))` when the library refuses the input.
fn sign(msg: &Value) -> Result<Signed, Refusal> {
    let _ = (
        protocol::headers(msg),
        protocol::body(msg)?,
        protocol::header(msg, "host"),
    );
    Err(Refusal::Unsupported(
        "not implemented yet: fill in sign() in src/main.rs".into(),
    ))
}

fn main() {
    protocol::run(&Adapter {
        // reveals: the artifacts `sign` returns (canonical_request, string_to_sign, signature).
        hello: json!({"name": "my-signer", "version": "0.0.0", "language": "rust", "reveals": []}),
        // 2 to speak protocol 2 (SigV4a: add "algorithms": ["sigv4", "sigv4a"] to hello).
        max_protocol: 1,
        sign,
    });
}
