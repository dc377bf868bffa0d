//! mock-aws: a fake AWS that re-verifies every SigV4 signature with `sigv4-signer` and says why
//! one is wrong, in each protocol's own error shape.
//!
//! The core, [`MockAws`], is transport-agnostic: a [`Request`] in (method, raw request-target,
//! headers in order, body), a [`Response`] out. The binary `mock-aws` serves it over HTTP/1.1
//! and HTTP/2
//! with hyper ([`server`]).
//!
//! The server's parts, one module each: [`config`], [`message`] (request and response, and the
//! conversion from an HTTP request head), [`routing`] (which AWS service and protocol),
//! [`framing`] (how each protocol carries the operation), [`auth`] (verification and
//! diagnosis), [`chunked_upload`] (S3 `aws-chunked` bodies), [`mock_aws`] (the top-level
//! handler), [`inspection`] (`/_mock-aws/...`, the page), [`canonical_diff`] (the client's canonical request header), [`verdicts`], [`errors`] (the table from
//! verifier codes to AWS error codes) and [`error_body`] (the one writer of error responses),
//! [`request_log`], [`server`] (hyper), [`storage`] (where S3's bytes live, the memory limit) and
//! [`tls`]. Each AWS service is a module of [`services`].

pub mod auth;
pub mod canonical_diff;
pub mod chunked_upload;
pub mod config;
pub mod error_body;
pub mod errors;
pub mod framing;
pub mod inspection;
pub mod message;
pub mod mock_aws;
pub mod request_log;
pub mod routing;
pub mod server;
pub mod services;
pub mod sigv2;
pub mod storage;
pub mod tls;
pub mod util;
pub mod verdicts;
#[cfg(feature = "wiremock")]
pub mod wiremock;

pub use chunked_upload::ChunkedUpload;
pub use config::{Config, Credential};
pub use message::{Request, Response};
pub use mock_aws::MockAws;
pub use verdicts::Verdict;
