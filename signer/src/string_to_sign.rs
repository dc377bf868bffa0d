//! The string to sign: algorithm, request time, credential scope, hash of the canonical request.
//!
//! [`write_string_to_sign`] is the only place a string to sign is assembled: SigV4 and SigV4a
//! (whose scope has no region), in signing, verification and diagnosis.

use std::fmt;

use crate::encoding::hex32;
use crate::error::ParamsError;
use crate::sha256::sha256;
use crate::sign::Span;
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
    // A fold without an early exit: no branch per byte (fields are short and nearly always
    // valid).
    if v.is_empty()
        || !v
            .bytes()
            .fold(true, |ok, b| ok & SCOPE_BYTE[usize::from(b)])
    {
        return Err(ParamsError::InvalidScopeField { field });
    }
    Ok(())
}

/// The bytes a scope field may hold, as a table (one load per byte).
const SCOPE_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_graphic() && b != b'/' && b != b',';
        i += 1;
    }
    t
};

impl fmt::Display for CredentialScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        push_scope(&mut out, &self.date, &self.region, &self.service);
        f.write_str(&out)
    }
}

impl CredentialScope {
    /// The scope's fields, borrowed, as key derivation takes them.
    pub fn fields(&self) -> ScopeFields<'_> {
        ScopeFields {
            date: &self.date,
            region: &self.region,
            service: &self.service,
        }
    }
}

/// The fields of a credential scope, borrowed and named (so that they cannot be swapped):
/// what [`crate::SigningKey::derive`] takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScopeFields<'a> {
    /// `YYYYMMDD`.
    pub date: &'a str,
    /// Region.
    pub region: &'a str,
    /// Service signing name.
    pub service: &'a str,
}

/// Appends the string to sign for the canonical request at `creq` in `out`: `algorithm`,
/// `amz_date`, the scope (written by `scope`) and the canonical request's SHA-256, one per
/// line. Returns the spans of the string to sign and of its date.
pub(crate) fn write_string_to_sign(
    out: &mut String,
    creq: Span,
    algorithm: &str,
    amz_date: &str,
    scope: impl FnOnce(&mut String),
) -> (Span, Span) {
    let creq_hash = hex32(&sha256(&out.as_bytes()[creq.start..creq.end]));
    let sts_start = out.len();
    out.push_str(algorithm);
    out.push('\n');
    let amz_start = out.len();
    out.push_str(amz_date);
    let amz_date_span = Span::since(amz_start, out);
    out.push('\n');
    scope(out);
    out.push('\n');
    out.push_str(creq_hash.as_str());
    (Span::since(sts_start, out), amz_date_span)
}

/// Appends `date/region/service/aws4_request`.
pub(crate) fn push_scope(out: &mut String, date: &str, region: &str, service: &str) {
    for part in [date, "/", region, "/", service, "/aws4_request"] {
        out.push_str(part);
    }
}

/// Appends the SigV4a scope, `date/service/aws4_request` (it has no region).
pub(crate) fn push_v4a_scope(out: &mut String, date: &str, service: &str) {
    for part in [date, "/", service, "/aws4_request"] {
        out.push_str(part);
    }
}
