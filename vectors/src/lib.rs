//! AWS's SigV4 signing test-suite layout: discovery, loading, and running cases against the
//! reference signer.
//!
//! A case is a folder holding `context.json`, `request.txt`, and any of
//! `{header,query}-{canonical-request,string-to-sign,signature,signed-request}.txt`
//! (plus this project's `{header,query}-error.txt`, the stable code of an expected signing
//! error). See `vectors/cases/README.md` for the fields of `context.json`. A folder with
//! `public-key.json` (AWS's v4a suite) is a SigV4a case: see [`run`] for how its randomised
//! signatures are checked.
//!
//! ```no_run
//! let dir = sigv4_vectors::suite::aws_suite_dir()?;
//! for path in sigv4_vectors::discover(&dir)? {
//!     let case = sigv4_vectors::Case::load(&path)?;
//!     for location in case.locations() {
//!         let report = sigv4_vectors::run::run(&case, location);
//!         println!("{} {}: {}", case.name, location, if report.passed() { "ok" } else { "FAILED" });
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod case;
pub mod context;
pub mod legacy;
pub mod request_txt;
pub mod run;
pub mod suite;

pub use case::{discover, Case, Expected, LoadError, Location};
pub use context::Context;
pub use request_txt::{parse_request, ParseError, RawRequest};
