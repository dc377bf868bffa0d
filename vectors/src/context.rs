//! `context.json`: the signing parameters of a case.

use serde::Deserialize;
use sigv4_signer::{
    ContentSha256Mode, Credentials, NormalizationMode, PayloadMode, SessionTokenMode, Settings,
    SigningTime, UriEncodingMode,
};

/// The suite's fields plus this project's `double_uri_encode` and `payload_hash`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// Credentials.
    pub credentials: ContextCredentials,
    /// Presign lifetime, seconds.
    #[serde(default = "default_expiration")]
    pub expiration_in_seconds: u64,
    /// Path normalisation.
    #[serde(default = "yes")]
    pub normalize: bool,
    /// Region.
    pub region: String,
    /// Service.
    pub service: String,
    /// Send and sign `x-amz-content-sha256` (header auth).
    #[serde(default)]
    pub sign_body: bool,
    /// RFC 3339 time.
    pub timestamp: String,
    /// Add the session token after signing.
    #[serde(default)]
    pub omit_session_token: bool,
    /// This project's: encode the path twice (default) or once (S3).
    #[serde(default = "yes")]
    pub double_uri_encode: bool,
    /// This project's: a payload hash used instead of hashing the body (`UNSIGNED-PAYLOAD`).
    #[serde(default)]
    pub payload_hash: Option<String>,
    /// This project's: an `aws-chunked` upload of the request's body (the decoded object).
    #[serde(default)]
    pub streaming: Option<StreamingContext>,
}

/// `streaming` of `context.json`: how the body is sent as `aws-chunked`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamingContext {
    /// The `x-amz-content-sha256` value: `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER` or `STREAMING-UNSIGNED-PAYLOAD-TRAILER`.
    pub mode: String,
    /// Bytes per chunk (the last data chunk may be shorter).
    pub chunk_size: u64,
    /// The checksum trailer (`x-amz-checksum-crc32`, `-crc32c`, `-sha256`), in trailer modes.
    #[serde(default)]
    pub checksum: Option<String>,
}

/// `credentials` of `context.json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret.
    pub secret_access_key: String,
    /// Session token.
    #[serde(default)]
    pub token: Option<String>,
}

fn yes() -> bool {
    true
}

fn default_expiration() -> u64 {
    3600
}

impl Context {
    /// Parses a `context.json` document.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The credentials.
    pub fn credentials(&self) -> Credentials {
        let c = Credentials::new(
            &self.credentials.access_key_id,
            &self.credentials.secret_access_key,
        );
        match &self.credentials.token {
            Some(t) => c.with_session_token(t),
            None => c,
        }
    }

    /// The signer settings these fields stand for.
    pub fn settings(&self) -> Settings {
        Settings::default()
            .with_uri_encoding(if self.double_uri_encode {
                UriEncodingMode::Double
            } else {
                UriEncodingMode::Single
            })
            .with_normalization(if self.normalize {
                NormalizationMode::Enabled
            } else {
                NormalizationMode::Disabled
            })
            .with_payload(match &self.payload_hash {
                _ if self.streaming.is_some() => PayloadMode::Precomputed(
                    self.streaming
                        .as_ref()
                        .map(|s| s.mode.clone())
                        .unwrap_or_default(),
                ),
                Some(h) if h == sigv4_signer::internal::UNSIGNED_PAYLOAD => PayloadMode::Unsigned,
                Some(h) => PayloadMode::Precomputed(h.clone()),
                None => PayloadMode::Hash,
            })
            .with_content_sha256(if self.sign_body {
                ContentSha256Mode::Header
            } else {
                ContentSha256Mode::Omit
            })
            .with_session_token(if self.omit_session_token {
                SessionTokenMode::AddAfterSigning
            } else {
                SessionTokenMode::Include
            })
    }

    /// The signing time.
    pub fn time(&self) -> Result<SigningTime, sigv4_signer::ParamsError> {
        SigningTime::parse(&self.timestamp)
    }
}
