//! The signature chain: each chunk's string to sign, the trailer's, and the [`ChunkSigner`] that walks the chain.

use std::fmt;

use sha2::{Digest, Sha256};

use super::*;
use crate::encoding::hex;
use crate::key::SigningKey;
use crate::payload::EMPTY_SHA256;
use crate::settings::SigningParams;
use crate::sign::SigningOutput;
use crate::string_to_sign::CredentialScope;
use crate::time::SigningTime;
use crate::verify::Verified;

/// A chunk's string to sign.
pub fn chunk_string_to_sign(
    amz_date: &str,
    scope: &str,
    previous_signature: &str,
    chunk_sha256: &str,
) -> String {
    format!("{CHUNK_ALGORITHM}\n{amz_date}\n{scope}\n{previous_signature}\n{EMPTY_SHA256}\n{chunk_sha256}")
}

/// The trailing headers as hashed for the trailer signature: one `name:value\n` line each,
/// names lowercased and sorted, values trimmed of spaces and tabs.
pub fn canonical_trailers(trailers: &[(String, String)]) -> String {
    let mut lines: Vec<(String, &str)> = trailers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim_matches([' ', '\t'])))
        .collect();
    lines.sort();
    let mut out = String::new();
    for (n, v) in lines {
        out.push_str(&n);
        out.push(':');
        out.push_str(v);
        out.push('\n');
    }
    out
}

/// The trailer's string to sign.
pub fn trailer_string_to_sign(
    amz_date: &str,
    scope: &str,
    previous_signature: &str,
    canonical_trailers: &str,
) -> String {
    format!(
        "{TRAILER_ALGORITHM}\n{amz_date}\n{scope}\n{previous_signature}\n{}",
        hex(&Sha256::digest(canonical_trailers.as_bytes()))
    )
}

/// The signature chain of one request: signing key, request time, scope and the last
/// signature (the seed at first). Used by both the encoder and the decoder.
#[derive(Clone)]
pub struct ChunkSigner {
    pub(super) key: SigningKey,
    amz_date: String,
    scope: String,
    pub(super) previous: String,
}

impl fmt::Debug for ChunkSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkSigner")
            .field("amz_date", &self.amz_date)
            .field("scope", &self.scope)
            .field("previous", &self.previous)
            .finish_non_exhaustive()
    }
}

impl ChunkSigner {
    /// A chain that starts at `seed_signature`, the request's own signature.
    pub fn new(
        key: SigningKey,
        time: SigningTime,
        scope: &CredentialScope,
        seed_signature: &str,
    ) -> Self {
        Self {
            key,
            amz_date: time.amz_date(),
            scope: scope.to_string(),
            previous: seed_signature.to_ascii_lowercase(),
        }
    }

    /// The chain of a request the caller just signed (header auth) with `params`.
    pub fn from_signing(output: &SigningOutput, params: &SigningParams<'_>) -> Self {
        let scope = output.scope();
        let key = SigningKey::derive(&params.credentials.secret_access_key, scope.fields());
        Self::new(key, params.time, scope, output.signature())
    }

    /// The chain of a request the server verified, with the secret of its access key.
    pub fn from_verified(verified: &Verified, secret: &str) -> Self {
        let auth = verified.auth();
        let scope = auth.scope();
        let key = SigningKey::derive(secret, scope);
        let scope = CredentialScope {
            date: scope.date.to_owned(),
            region: scope.region.to_owned(),
            service: scope.service.to_owned(),
        };
        Self::new(key, verified.time(), &scope, auth.signature())
    }

    /// The last signature of the chain.
    pub fn previous_signature(&self) -> &str {
        &self.previous
    }

    /// The string to sign of a chunk whose data hashes to `chunk_sha256`, after the current
    /// link.
    pub fn chunk_string_to_sign(&self, chunk_sha256: &str) -> String {
        chunk_string_to_sign(&self.amz_date, &self.scope, &self.previous, chunk_sha256)
    }

    pub(super) fn chunk_signature_after(&self, previous: &str, chunk_sha256: &str) -> String {
        self.key.sign(&chunk_string_to_sign(
            &self.amz_date,
            &self.scope,
            previous,
            chunk_sha256,
        ))
    }

    /// Signs the next chunk (the zero-length final chunk too) and advances the chain.
    pub fn sign_chunk(&mut self, data: &[u8]) -> String {
        let hash = if data.is_empty() {
            EMPTY_SHA256.to_owned()
        } else {
            hex(&Sha256::digest(data))
        };
        self.sign_chunk_hash(&hash)
    }

    /// Signs the next chunk given the hex SHA-256 of its data, and advances the chain.
    pub fn sign_chunk_hash(&mut self, chunk_sha256: &str) -> String {
        let sig = self.chunk_signature_after(&self.previous, chunk_sha256);
        self.previous.clone_from(&sig);
        sig
    }

    /// The trailer's string to sign after the current link.
    pub fn trailer_string_to_sign(&self, trailers: &[(String, String)]) -> String {
        trailer_string_to_sign(
            &self.amz_date,
            &self.scope,
            &self.previous,
            &canonical_trailers(trailers),
        )
    }

    /// Signs the trailing headers (not `x-amz-trailer-signature`) and advances the chain.
    pub fn sign_trailer(&mut self, trailers: &[(String, String)]) -> String {
        let sig = self.key.sign(&self.trailer_string_to_sign(trailers));
        self.previous.clone_from(&sig);
        sig
    }
}
