//! SigV4a verification under a given public key.

use crate::request::SignableRequest;
use crate::v4a::V4aPublicKey;
use crate::verify::{check_before_signature, verify_checked, Verified, VerifyError, VerifyParams};

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
