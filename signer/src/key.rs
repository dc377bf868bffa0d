//! Signing-key derivation (the HMAC chain) and a cache of derived keys.
//!
//! `kDate = HMAC("AWS4" + secret, date)`, `kRegion = HMAC(kDate, region)`,
//! `kService = HMAC(kRegion, service)`, `kSigning = HMAC(kService, "aws4_request")`.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Mutex;

use crate::encoding::hex;
use crate::sha256::HmacKey;
use crate::string_to_sign::ScopeFields;

/// HMAC-SHA256 of `data` under `key`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    HmacKey::new(key).mac(data)
}

/// A derived signing key (`kSigning`). Its `Debug` output is redacted.
///
/// It keeps the HMAC states after the key's inner and outer pad blocks, so each signature
/// made with it costs two SHA-256 compressions less than keying HMAC anew (a cached key pays
/// for its pad blocks once).
#[derive(Clone)]
pub struct SigningKey {
    bytes: [u8; 32],
    mac: HmacKey,
}

impl SigningKey {
    /// Derives the key for a secret and a credential scope's date (`YYYYMMDD`), region and
    /// service.
    pub fn derive(secret: &str, scope: ScopeFields<'_>) -> Self {
        let ScopeFields {
            date,
            region,
            service,
        } = scope;
        // HMAC's key is `"AWS4" + secret`, built on the stack (secrets are 40 characters).
        let mut stack = [0u8; 128];
        let heap: Vec<u8>;
        let k: &[u8] = if 4 + secret.len() <= stack.len() {
            stack[..4].copy_from_slice(b"AWS4");
            stack[4..4 + secret.len()].copy_from_slice(secret.as_bytes());
            &stack[..4 + secret.len()]
        } else {
            heap = [b"AWS4", secret.as_bytes()].concat();
            &heap
        };
        let k_date = hmac_sha256(k, date.as_bytes());
        let k_region = hmac_sha256(&k_date, region.as_bytes());
        let k_service = hmac_sha256(&k_region, service.as_bytes());
        Self::from_bytes(hmac_sha256(&k_service, b"aws4_request"))
    }

    /// A key from its 32 bytes (a `kSigning` derived elsewhere).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self {
            bytes,
            mac: HmacKey::new(&bytes),
        }
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The hex signature of `string_to_sign`.
    pub fn sign(&self, string_to_sign: &str) -> String {
        hex(&self.sign_bytes(string_to_sign.as_bytes()))
    }

    /// HMAC-SHA256 of `data` under this key (the raw signature of a string to sign).
    pub fn sign_bytes(&self, data: &[u8]) -> [u8; 32] {
        self.mac.mac(data)
    }
}

impl PartialEq for SigningKey {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.bytes.ct_eq(&other.bytes).into()
    }
}

impl Eq for SigningKey {}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(** redacted **)")
    }
}

/// A small cache of signing keys, keyed by secret, date, region and service: a key cached
/// by access key alone would keep signing with a rotated secret (aws-sdk-go-v2#3350).
/// Thread-safe; holds at most `capacity` keys and drops the least recently used.
pub struct SigningKeyCache {
    capacity: usize,
    entries: Mutex<VecDeque<(CacheKey, SigningKey)>>,
}

#[derive(PartialEq, Eq)]
struct CacheKey {
    secret: String,
    date: String,
    region: String,
    service: String,
}

impl SigningKeyCache {
    /// A cache holding up to `capacity` keys (at least one).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            entries: Mutex::new(VecDeque::new()),
        }
    }

    /// The cached key, or a newly derived one (then cached).
    pub fn get(&self, secret: &str, scope: ScopeFields<'_>) -> SigningKey {
        let ScopeFields {
            date,
            region,
            service,
        } = scope;
        let mut entries = match self.entries.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let is = |k: &CacheKey| {
            k.date == date && k.region == region && k.service == service && k.secret == secret
        };
        // The most recently used key first: the usual hit.
        if let Some((k, key)) = entries.front() {
            if is(k) {
                return key.clone();
            }
        }
        let pos = entries.iter().position(|(k, _)| is(k));
        if let Some(pos) = pos {
            if let Some(entry) = entries.remove(pos) {
                let key = entry.1.clone();
                entries.push_front(entry);
                return key;
            }
        }
        let key = SigningKey::derive(secret, scope);
        if entries.len() >= self.capacity {
            entries.pop_back();
        }
        entries.push_front((
            CacheKey {
                secret: secret.to_owned(),
                date: date.to_owned(),
                region: region.to_owned(),
                service: service.to_owned(),
            },
            key.clone(),
        ));
        key
    }

    /// How many keys are cached.
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for SigningKeyCache {
    fn default() -> Self {
        Self::new(64)
    }
}

impl fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // AWS's documented example of the derived key ("Examples of how to derive a signing key
    // for Signature Version 4", IAM user guide): secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
    // 20120215, us-east-1, iam.
    #[test]
    fn derives_awss_documented_key() {
        let k = SigningKey::derive(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            crate::ScopeFields {
                date: "20120215",
                region: "us-east-1",
                service: "iam",
            },
        );
        assert_eq!(
            hex(k.as_bytes()),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    const S3: crate::ScopeFields<'static> = crate::ScopeFields {
        date: "20150830",
        region: "us-east-1",
        service: "s3",
    };

    #[test]
    fn cache_is_keyed_by_secret_too() {
        let c = SigningKeyCache::new(2);
        let a = c.get("secret-a", S3);
        let b = c.get("secret-b", S3);
        assert_ne!(a, b);
        assert_eq!(c.get("secret-a", S3), a);
        let _ = c.get("secret-c", S3);
        assert_eq!(c.len(), 2);
        assert_eq!(c.get("secret-b", S3), b);
    }
}
