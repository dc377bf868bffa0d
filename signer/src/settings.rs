//! Signing parameters: credentials, scope, time, and the `*Mode` settings.

use std::fmt;

use crate::key::SigningKeyCache;
use crate::payload::{ContentSha256Mode, PayloadMode};
use crate::time::SigningTime;
use crate::uri::{NormalizationMode, UriEncodingMode};

/// Access key, secret, and optional session token. `Debug` redacts the secret and token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Access key id, such as `AKIDEXAMPLE`.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token of temporary credentials.
    pub session_token: Option<String>,
}

impl Credentials {
    /// Long-term credentials.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
        }
    }

    /// Adds a session token.
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .finish()
    }
}

/// Whether the session token is part of the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SessionTokenMode {
    /// Sign `X-Amz-Security-Token` like any other header or parameter.
    #[default]
    Include,
    /// Add the token after signing, unsigned (some services, such as IoT; the suite's
    /// `omit_session_token`).
    AddAfterSigning,
}

/// Where the signature goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureLocation {
    /// The `Authorization` header.
    Headers,
    /// Query parameters (a presigned URL), valid for `expires_in` seconds (1..=604800).
    Query {
        /// `X-Amz-Expires`.
        expires_in: u64,
    },
}

/// The `*Mode` settings, grouped. [`Settings::default`] is right for every service but S3;
/// [`Settings::s3`] for S3 header auth and [`Settings::s3_presigned`] for S3 presigned URLs.
/// Change one with the `with_*` methods.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Settings {
    /// Path encoding.
    pub uri_encoding: UriEncodingMode,
    /// Path normalisation.
    pub normalization: NormalizationMode,
    /// Payload hash.
    pub payload: PayloadMode,
    /// `x-amz-content-sha256` header.
    pub content_sha256: ContentSha256Mode,
    /// Session token signed or not.
    pub session_token: SessionTokenMode,
}

impl Settings {
    /// S3 header auth: path encoded once, never normalised, body hash sent as
    /// `x-amz-content-sha256`.
    pub fn s3() -> Self {
        Self {
            uri_encoding: UriEncodingMode::Single,
            normalization: NormalizationMode::Disabled,
            content_sha256: ContentSha256Mode::Header,
            ..Self::default()
        }
    }

    /// S3 presigned URLs: [`Settings::s3`] with `UNSIGNED-PAYLOAD` as the payload hash, as S3
    /// computes presigned requests (S3 API reference, "Authenticating Requests: Using Query
    /// Parameters"; vector `vectors/cases/s3-presigned-get`).
    pub fn s3_presigned() -> Self {
        Self::s3().with_payload(PayloadMode::Unsigned)
    }

    /// Sets the path encoding.
    pub fn with_uri_encoding(mut self, mode: UriEncodingMode) -> Self {
        self.uri_encoding = mode;
        self
    }

    /// Sets the path normalisation.
    pub fn with_normalization(mut self, mode: NormalizationMode) -> Self {
        self.normalization = mode;
        self
    }

    /// Sets the payload hash.
    pub fn with_payload(mut self, mode: PayloadMode) -> Self {
        self.payload = mode;
        self
    }

    /// Sets whether `x-amz-content-sha256` is added and signed.
    pub fn with_content_sha256(mut self, mode: ContentSha256Mode) -> Self {
        self.content_sha256 = mode;
        self
    }

    /// Sets whether the session token is signed.
    pub fn with_session_token(mut self, mode: SessionTokenMode) -> Self {
        self.session_token = mode;
        self
    }
}

/// The signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Algorithm {
    /// SigV4, `AWS4-HMAC-SHA256`: HMAC under a key of one region.
    #[default]
    SigV4,
    /// SigV4a, `AWS4-ECDSA-P256-SHA256`: ECDSA P-256, valid in a set of regions
    /// ([`crate::v4a`]).
    SigV4a,
}

/// Everything signing needs besides the request. Build it with [`SigningParams::new`] (SigV4)
/// or [`SigningParams::sigv4a`] (SigV4a, with a region set).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SigningParams<'a> {
    /// Credentials.
    pub credentials: &'a Credentials,
    /// SigV4: the region of the credential scope. SigV4a: the region set (one region, a
    /// comma-separated list, or `*`); see [`Self::algorithm`].
    pub region: &'a str,
    /// SigV4 or SigV4a: what [`crate::sign`] signs with and what `region` means.
    pub algorithm: Algorithm,
    /// Service signing name of the credential scope.
    pub service: &'a str,
    /// Request time.
    pub time: SigningTime,
    /// Modes.
    pub settings: Settings,
    /// Optional cache of derived signing keys.
    pub key_cache: Option<&'a SigningKeyCache>,
}

impl<'a> SigningParams<'a> {
    /// SigV4 parameters with default settings and no key cache.
    pub fn new(
        credentials: &'a Credentials,
        region: &'a str,
        service: &'a str,
        time: SigningTime,
    ) -> Self {
        Self {
            credentials,
            region,
            algorithm: Algorithm::SigV4,
            service,
            time,
            settings: Settings::default(),
            key_cache: None,
        }
    }

    /// SigV4a parameters for a region set (`us-east-1`, `us-east-1,us-west-2` or `*`), with
    /// default settings.
    pub fn sigv4a(
        credentials: &'a Credentials,
        region_set: &'a str,
        service: &'a str,
        time: SigningTime,
    ) -> Self {
        Self {
            algorithm: Algorithm::SigV4a,
            ..Self::new(credentials, region_set, service, time)
        }
    }

    /// Replaces the settings.
    pub fn with_settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Uses a signing-key cache.
    pub fn with_key_cache(mut self, cache: &'a SigningKeyCache) -> Self {
        self.key_cache = Some(cache);
        self
    }
}
