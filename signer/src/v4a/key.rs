//! SigV4a keys: the ECDSA P-256 key pair derived from an access key id and secret, signing and
//! verification.
//!
//! Derivation, as AWS defines it ("Deriving a signing key for SigV4a", IAM user guide,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html#derive-signing-key>;
//! the same as `generate_signing_key` of the aws-sigv4 crate 1.6.4 and aws-c-auth): NIST SP
//! 800-108 KDF in counter mode with HMAC-SHA256, one 256-bit block:
//!
//! ```text
//! input key = "AWS4A" || secret
//! fixed input = 0x00000001 || "AWS4-ECDSA-P256-SHA256" || 0x00 || access key id || counter || 0x00000100
//! candidate = HMAC-SHA256(input key, fixed input), read as a big-endian integer
//! ```
//!
//! with `counter` a single byte from 1; a candidate above `n - 2` (`n` the order of P-256) is
//! rejected and the counter incremented. The private key is `candidate + 1`, so it lies in
//! `1..=n-1`. The key depends on the access key id and secret only (not on date, region or
//! service), so one key serves every request of a credential. AWS's suite checks the result:
//! `public-key.json` holds the public key of its credentials.
//!
//! Signatures are ECDSA over SHA-256 of the string to sign, DER-encoded, lowercase hex. ECDSA
//! needs a per-signature nonce; this module uses RFC 6979's deterministic nonce (`p256`'s
//! `Signer`), as the aws-sigv4 crate does, so signing needs no randomness and the same input
//! gives the same signature. Verifiers must not rely on that: AWS's signers randomise.

use std::fmt;

use ecdsa::der::Signature as DerSignature;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};

use crate::encoding::hex;
use crate::key::hmac_sha256;
use crate::v4a::ALGORITHM;

/// The order `n` of P-256 minus 2, big-endian: the largest accepted KDF candidate.
const N_MINUS_2: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x4f,
];

/// Why a SigV4a key or signature could not be used. Each variant has a stable
/// [`code`](Self::code).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum V4aKeyError {
    /// Every counter value gave a candidate above `n - 2` (probability about 2^-8000).
    KeyDerivationExhausted,
    /// The public key is not a point of P-256 (or not hex of the right length).
    InvalidPublicKey,
    /// The signature is not hex of a DER-encoded ECDSA P-256 signature.
    InvalidSignature,
}

impl V4aKeyError {
    /// Stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::KeyDerivationExhausted => "v4a-key-derivation-exhausted",
            Self::InvalidPublicKey => "v4a-invalid-public-key",
            Self::InvalidSignature => "v4a-invalid-signature",
        }
    }
}

impl fmt::Display for V4aKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::KeyDerivationExhausted => {
                "SigV4a key derivation found no candidate below n-2 for any counter value"
            }
            Self::InvalidPublicKey => "the SigV4a public key is not a point of P-256",
            Self::InvalidSignature => {
                "the SigV4a signature is not a hex-encoded DER ECDSA P-256 signature"
            }
        })
    }
}

impl std::error::Error for V4aKeyError {}

/// The private key of a credential.
#[derive(Clone)]
pub struct V4aSigningKey(SigningKey);

impl fmt::Debug for V4aSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("V4aSigningKey")
            .field(&self.public_key())
            .finish()
    }
}

/// The KDF candidate for one counter value.
fn candidate(access_key_id: &str, secret: &str, counter: u8) -> [u8; 32] {
    let input_key = [b"AWS4A".as_slice(), secret.as_bytes()].concat();
    let mut fixed = Vec::with_capacity(4 + ALGORITHM.len() + 1 + access_key_id.len() + 1 + 4);
    fixed.extend_from_slice(&1u32.to_be_bytes());
    fixed.extend_from_slice(ALGORITHM.as_bytes());
    fixed.push(0);
    fixed.extend_from_slice(access_key_id.as_bytes());
    fixed.push(counter);
    fixed.extend_from_slice(&256u32.to_be_bytes());
    hmac_sha256(&input_key, &fixed)
}

/// `x + 1` for a big-endian `x < 2^256 - 1`.
fn plus_one(mut x: [u8; 32]) -> [u8; 32] {
    for b in x.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(1);
        *b = v;
        if !carry {
            break;
        }
    }
    x
}

impl V4aSigningKey {
    /// Derives the key of `access_key_id` and `secret` (see the module documentation).
    pub fn derive(access_key_id: &str, secret: &str) -> Result<Self, V4aKeyError> {
        for counter in 1..=u8::MAX {
            let k0 = candidate(access_key_id, secret, counter);
            // Big-endian byte arrays of equal length compare as the integers they encode.
            if k0 <= N_MINUS_2 {
                let d = plus_one(k0);
                let key = SigningKey::from_bytes(&d.into())
                    .map_err(|_| V4aKeyError::KeyDerivationExhausted)?;
                return Ok(Self(key));
            }
        }
        Err(V4aKeyError::KeyDerivationExhausted)
    }

    /// The private scalar, big-endian.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes().into()
    }

    /// The public key.
    pub fn public_key(&self) -> V4aPublicKey {
        V4aPublicKey(*self.0.verifying_key())
    }

    /// Signs `string_to_sign`: ECDSA P-256 over its SHA-256, RFC 6979 nonce, DER, lowercase hex.
    pub fn sign(&self, string_to_sign: &str) -> String {
        let sig: Signature = self.0.sign(string_to_sign.as_bytes());
        hex(sig.to_der().as_bytes())
    }
}

/// The public key of a credential: what a verifier needs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct V4aPublicKey(VerifyingKey);

impl fmt::Debug for V4aPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (x, y) = self.xy_hex();
        write!(f, "V4aPublicKey {{ x: {x}, y: {y} }}")
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.as_bytes();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.chunks(2)
        .map(|p| {
            let d = |c: u8| (c as char).to_digit(16);
            Some((d(p[0])? * 16 + d(p[1])?) as u8)
        })
        .collect()
}

impl V4aPublicKey {
    /// The key with affine coordinates `x` and `y`, each 64 hex digits (the form of the
    /// suite's `public-key.json`).
    pub fn from_xy_hex(x: &str, y: &str) -> Result<Self, V4aKeyError> {
        let (x, y) = (
            unhex(x).ok_or(V4aKeyError::InvalidPublicKey)?,
            unhex(y).ok_or(V4aKeyError::InvalidPublicKey)?,
        );
        if x.len() != 32 || y.len() != 32 {
            return Err(V4aKeyError::InvalidPublicKey);
        }
        let sec1 = [[0x04].as_slice(), &x, &y].concat();
        Self::from_sec1(&sec1)
    }

    /// The key from its SEC1 encoding (compressed or not).
    pub fn from_sec1(bytes: &[u8]) -> Result<Self, V4aKeyError> {
        VerifyingKey::from_sec1_bytes(bytes)
            .map(Self)
            .map_err(|_| V4aKeyError::InvalidPublicKey)
    }

    /// The affine coordinates, lowercase hex, 64 digits each.
    pub fn xy_hex(&self) -> (String, String) {
        let point = self.0.to_sec1_point(false);
        let b = point.as_bytes();
        // Uncompressed SEC1: 0x04 || x || y.
        (hex(&b[1..33]), hex(&b[33..65]))
    }

    /// Whether `signature` (hex DER) is a valid signature of `string_to_sign`. Hex digits of
    /// either case are accepted.
    pub fn verify(&self, string_to_sign: &str, signature: &str) -> Result<bool, V4aKeyError> {
        let sig = parse_signature(signature)?;
        Ok(self.0.verify(string_to_sign.as_bytes(), &sig).is_ok())
    }
}

/// Parses a hex DER ECDSA P-256 signature.
pub(crate) fn parse_signature(signature: &str) -> Result<Signature, V4aKeyError> {
    let der = unhex(signature).ok_or(V4aKeyError::InvalidSignature)?;
    let der = DerSignature::<p256::NistP256>::from_bytes(&der)
        .map_err(|_| V4aKeyError::InvalidSignature)?;
    Signature::try_from(der).map_err(|_| V4aKeyError::InvalidSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_one_carries() {
        let mut x = [0u8; 32];
        x[31] = 0xff;
        x[30] = 0xff;
        let y = plus_one(x);
        assert_eq!((y[29], y[30], y[31]), (1, 0, 0));
    }

    #[test]
    fn n_minus_2_is_the_order_minus_two() {
        // n from SEC 2 v2, section 2.4.2 (secp256r1).
        let n = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
        assert_eq!(hex(&plus_one(plus_one(N_MINUS_2))), n);
    }

    #[test]
    fn derives_the_suites_public_key() {
        // AWS's suite, aws-signing-test-suite/v4a/*/public-key.json, for AKIDEXAMPLE and
        // wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY.
        let key = V4aSigningKey::derive("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
            .unwrap();
        let want = V4aPublicKey::from_xy_hex(
            "b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1",
            "865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518",
        )
        .unwrap();
        assert_eq!(key.public_key(), want);
        let sts = "AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/service/aws4_request\ncf59db423e841c8b7e3444158185aa261b724a5c27cbe762676f3eed19f4dc02";
        // The suite's get-vanilla/header-signature.txt, made by AWS's (randomised) signer.
        let aws = "3045022018b4e277d0281864beb51d3600e23f88510ea5031d68ddfbb68614b82a5eb7d2022100effb9c5f22ed9ef3ae0ab243d21f06bce82365bbb79529a07b6888c343ae5f8c";
        assert_eq!(want.verify(sts, aws), Ok(true));
        assert_eq!(
            want.verify(&sts.replace("123600", "123601"), aws),
            Ok(false)
        );
        assert_eq!(want.verify(sts, &key.sign(sts)), Ok(true));
    }

    #[test]
    fn malformed_inputs_are_errors() {
        assert_eq!(
            V4aPublicKey::from_xy_hex("00", "00").unwrap_err().code(),
            "v4a-invalid-public-key"
        );
        let key = V4aSigningKey::derive("AK", "secret").unwrap().public_key();
        assert_eq!(
            key.verify("x", "zz").unwrap_err().code(),
            "v4a-invalid-signature"
        );
        assert_eq!(
            key.verify("x", "3000").unwrap_err().code(),
            "v4a-invalid-signature"
        );
    }
}
