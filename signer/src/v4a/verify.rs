//! SigV4a verification under a given public key.

use crate::request::SignableRequest;
use crate::v4a::V4aPublicKey;
use crate::verify::{
    check_before_signature, check_parsed, verify_checked, RequestAuth, Verified, VerifyError,
    VerifyParams,
};

/// Verifies a received request like [`crate::verify::verify`], but a SigV4a signature under
/// the public key `key` returns for the access key (a cached key, or one a service was given),
/// or, when it returns `None`, under the key derived from the secret. SigV4 requests verify as
/// with [`crate::verify::verify`]. `params.lookup` must still know the access key.
pub fn verify_with_key(
    request: &SignableRequest<'_>,
    params: &VerifyParams<'_>,
    key: &dyn Fn(&str) -> Option<V4aPublicKey>,
) -> Result<Verified, VerifyError> {
    let mut checked = check_before_signature(request, params)?;
    if checked.auth.is_v4a() {
        checked.v4a_key = key(checked.auth.access_key_id());
    }
    verify_checked(request, checked, params)
}

/// [`verify_with_key`] with the authentication already parsed from `request` by
/// [`crate::verify::parse_auth`] (see [`crate::verify::verify_parsed`]): a server that routes on
/// the credential scope parses each request once.
pub fn verify_parsed_with_key<'r>(
    request: &SignableRequest<'r>,
    auth: RequestAuth<'r>,
    params: &VerifyParams<'_>,
    key: &dyn Fn(&str) -> Option<V4aPublicKey>,
) -> Result<Verified, VerifyError> {
    let known = crate::verify::validate_headers(request)?;
    let mut checked = check_parsed(request, auth, params, &known)?;
    if checked.auth.is_v4a() {
        checked.v4a_key = key(checked.auth.access_key_id());
    }
    verify_checked(request, checked, params)
}
