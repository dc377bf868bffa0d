//! Adapters of the `sigv4` harness (protocols 1 and 2, `harness/PROTOCOL.md`; messages typed by
//! `sigv4_protocol`, the model the harness uses) for two Rust signers:
//! the aws-sigv4 crate (`adapter-aws-sigv4`) and reqsign's AWS v4 signer (`adapter-reqsign`).
//!
//! This library holds what both binaries share: the protocol's messages and the stdin/stdout
//! loop ([`run`]), and the reqsign signing path ([`reqsign_path`]).

pub mod protocol;
pub mod reqsign_path;

pub use protocol::{run, Answer, Case, Signed};
