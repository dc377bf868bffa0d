//! mock-aws: a fake AWS that re-verifies every SigV4 signature with `sigv4-signer` and says why
//! one is wrong, in each protocol's own error shape.
//!
//! The core, [`service::Service`], is transport-agnostic: a [`service::Request`] in (method, raw
//! request-target, headers in order, body), a [`service::Response`] out. The binary `mock-aws`
//! serves it over HTTP/1.1 with hyper ([`server`]).

pub mod dynamodb;
pub mod ec2;
pub mod errors;
pub mod iam;
pub mod kinesis;
pub mod s3;
pub mod server;
pub mod service;
pub mod sts;
pub mod util;
#[cfg(feature = "wiremock")]
pub mod wiremock;

pub use service::{Config, Credential, Request, Response, Service, Verdict};
