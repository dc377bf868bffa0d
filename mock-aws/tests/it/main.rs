//! mock-aws's integration tests, one binary (one link on a small machine, as ripgrep and
//! rustls do): each module was a test file of its own and keeps its tests' names under its
//! module path (`e2e::…`, `boto3::…`). `common` starts the built `mock-aws` and holds the
//! shared client, signing and tool helpers.

mod common;

mod aws_cli;
mod aws_sigv4_client;
mod boto3;
mod chunked;
mod clients;
mod debugging;
mod diagnosis;
mod e2e;
mod handwritten;
mod http2;
mod page;
mod s3_api;
mod sigv4a;
#[cfg(feature = "wiremock")]
mod wiremock;
