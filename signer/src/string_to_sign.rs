//! The string to sign: algorithm, request time, credential scope, hash of the canonical request.

use std::fmt;

use crate::error::ParamsError;
use crate::time::SigningTime;

/// The SigV4 algorithm name.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// `date/region/service/aws4_request`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CredentialScope {
    /// `YYYYMMDD`.
    pub date: String,
    /// Region, such as `us-east-1`.
    pub region: String,
    /// Service signing name, such as `s3`.
    pub service: String,
}

impl CredentialScope {
    /// The scope for `time`, checking that region and service can go in a scope.
    pub fn new(time: SigningTime, region: &str, service: &str) -> Result<Self, ParamsError> {
        check_scope_field("region", region)?;
        check_scope_field("service", service)?;
        Ok(Self {
            date: time.date_stamp(),
            region: region.to_owned(),
            service: service.to_owned(),
        })
    }
}

/// A scope field must be non-empty printable ASCII without `/` (the scope's separator) or `,`
/// (the separator of the `Authorization` header's components, which would make the header
/// unparsable; found by the `roundtrip` fuzz target).
pub(crate) fn check_scope_field(field: &'static str, v: &str) -> Result<(), ParamsError> {
    if v.is_empty()
        || v.bytes()
            .any(|b| b == b'/' || b == b',' || !b.is_ascii_graphic())
    {
        return Err(ParamsError::InvalidScopeField { field });
    }
    Ok(())
}

impl fmt::Display for CredentialScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }
}

/// Builds the string to sign from its parts.
pub fn string_to_sign(
    amz_date: &str,
    scope: &CredentialScope,
    canonical_request_hash: &str,
) -> String {
    format!("{ALGORITHM}\n{amz_date}\n{scope}\n{canonical_request_hash}")
}
