//! SigV4a: Signature Version 4 with ECDSA P-256 signatures, valid in a set of regions.
//!
//! SigV4a (used by S3 Multi-Region Access Points and other multi-region endpoints) keeps
//! SigV4's canonical request and changes four things (IAM user guide, "Elements of an AWS API
//! request signature" and "Create a signed AWS API request", SigV4a sections; aws-sigv4 1.6.4
//! `sign::v4a` and `http_request::sign`; AWS's suite `aws-signing-test-suite/v4a`):
//!
//! - the algorithm is [`ALGORITHM`], `AWS4-ECDSA-P256-SHA256`;
//! - the regions go in `X-Amz-Region-Set` (a comma-separated list, or `*`), a signed header in
//!   header auth and a signed query parameter in query auth; the credential scope has no region:
//!   `YYYYMMDD/service/aws4_request` ([`V4aScope`]);
//! - the string to sign is `AWS4-ECDSA-P256-SHA256\n<X-Amz-Date>\n<scope>\n<hex SHA-256 of the
//!   canonical request>` (written by the one string-to-sign writer, as SigV4's);
//! - the signature is ECDSA P-256 with a key derived from the credential ([`key`]), DER, hex.
//!
//! [`sign()`] signs (the region set is `SigningParams::region`); verification goes through
//! [`crate::verify::verify`], which recognises the algorithm, or [`verify_with_key`] to verify
//! under a given (for example cached) public key.

pub mod key;
mod sign;
mod verify;

use std::fmt;

pub use key::{V4aKeyError, V4aPublicKey, V4aSigningKey};
pub use sign::sign;
pub use verify::{verify_parsed_with_key, verify_with_key};

use crate::time::SigningTime;

/// The SigV4a algorithm name.
pub const ALGORITHM: &str = "AWS4-ECDSA-P256-SHA256";

/// The region-set header, lowercase (header auth).
pub const REGION_SET_HEADER: &str = "x-amz-region-set";

/// The region-set query parameter (query auth).
pub const REGION_SET_PARAM: &str = "X-Amz-Region-Set";

/// `date/service/aws4_request`: the SigV4a credential scope, which has no region.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct V4aScope {
    /// `YYYYMMDD`.
    pub date: String,
    /// Service signing name.
    pub service: String,
}

impl V4aScope {
    /// The scope of `service` at `time`.
    pub fn new(time: SigningTime, service: &str) -> Self {
        Self {
            date: time.date_stamp(),
            service: service.to_owned(),
        }
    }
}

impl fmt::Display for V4aScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        crate::string_to_sign::push_v4a_scope(&mut out, &self.date, &self.service);
        f.write_str(&out)
    }
}

/// Whether the region set (comma-separated, spaces around entries ignored) covers `region`:
/// it lists `region`, or `*`.
pub fn region_set_includes(region_set: &str, region: &str) -> bool {
    region_set
        .split(',')
        .map(|r| r.trim_matches([' ', '\t']))
        .any(|r| r == "*" || r == region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_sets() {
        assert!(region_set_includes("us-east-1", "us-east-1"));
        assert!(region_set_includes("us-west-2, us-east-1", "us-east-1"));
        assert!(region_set_includes("*", "eu-west-1"));
        assert!(!region_set_includes("us-west-2", "us-east-1"));
        assert!(!region_set_includes("", "us-east-1"));
    }
}
