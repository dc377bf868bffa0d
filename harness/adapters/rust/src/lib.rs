//! Adapters of the `sigv4` harness (protocols 1 and 2, `harness/PROTOCOL.md`; messages typed by
//! `sigv4_protocol`, the model the harness uses) for two Rust signers:
//! the aws-sigv4 crate (`adapter-aws-sigv4`) and reqsign's AWS v4 signer (`adapter-reqsign`).
//!
//! Each adapter's code is in its own folder (`harness/adapters/aws-sigv4/main.rs`,
//! `harness/adapters/reqsign/main.rs` and `reqsign_path.rs`); this library holds what both
//! binaries share: the protocol's messages and the stdin/stdout loop ([`run`]), [`hex`], and the
//! reqsign signing path ([`reqsign_path`], a library module so that `tests/reqsign_path.rs` can
//! compare it with reqsign's own signer).

pub mod protocol;
#[path = "../../reqsign/reqsign_path.rs"]
pub mod reqsign_path;

pub use protocol::{run, Answer, Case, Signed};

/// Lowercase hex. The adapters are independent implementations judged against our signer, so
/// they do not use `sigv4_signer`'s helpers.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
