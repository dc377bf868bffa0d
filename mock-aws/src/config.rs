//! The settings of a [`MockAws`](crate::MockAws): accepted credentials, region, clock, limits.

use sigv4_signer::verify::DEFAULT_MAX_SKEW;
use sigv4_signer::{SessionTokenMode, SigningTime};

/// AWS's documented example key pair, accepted by default.
pub const EXAMPLE_ACCESS_KEY: &str = "AKIDEXAMPLE";
/// The secret of [`EXAMPLE_ACCESS_KEY`].
pub const EXAMPLE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// The account every identity belongs to.
pub const ACCOUNT_ID: &str = "123456789012";

/// One accepted credential.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret: String,
    /// Session token the requests must carry, if any.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl Credential {
    /// Parses `AKID:SECRET[:TOKEN]`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut parts = s.splitn(3, ':');
        let (Some(ak), Some(secret)) = (parts.next(), parts.next()) else {
            return Err(format!("{s:?} is not AKID:SECRET[:TOKEN]"));
        };
        if ak.is_empty() || secret.is_empty() {
            return Err(format!("{s:?} is not AKID:SECRET[:TOKEN]"));
        }
        Ok(Self {
            access_key_id: ak.to_owned(),
            secret: secret.to_owned(),
            session_token: parts.next().filter(|t| !t.is_empty()).map(str::to_owned),
        })
    }

    /// AWS's example pair.
    pub fn example() -> Self {
        Self {
            access_key_id: EXAMPLE_ACCESS_KEY.to_owned(),
            secret: EXAMPLE_SECRET.to_owned(),
            session_token: None,
        }
    }
}

/// Settings of a [`MockAws`](crate::MockAws).
#[derive(Debug, Clone)]
pub struct Config {
    /// Accepted credentials.
    pub credentials: Vec<Credential>,
    /// The region every endpoint serves.
    pub region: String,
    /// A frozen clock; `None` reads the system clock.
    pub clock: Option<SigningTime>,
    /// Allowed skew, seconds.
    pub max_skew: u64,
    /// Largest body accepted, bytes, but for S3 uploads (PutObject, UploadPart), whose limit is
    /// S3's 5 GiB ([`crate::storage::MAX_PUT_SIZE`]).
    pub max_body: usize,
    /// Bytes of bodies mock-aws keeps in memory at most (stored S3 objects and parts, and
    /// bodies being received); past it a body is refused with S3's `EntityTooLarge` (the
    /// protocol's too-large error elsewhere) before it is read.
    pub max_memory: u64,
    /// Where S3 upload bodies and objects are kept as files; `None` keeps them in memory.
    pub data_dir: Option<std::path::PathBuf>,
    /// How many verdicts are kept.
    pub verdict_capacity: usize,
    /// Whether clients must sign `X-Amz-Security-Token` (`Include`: STS, DynamoDB, S3 and
    /// most services) or add it after signing (`AddAfterSigning`: what AWS IoT expects of
    /// presigned WebSocket URLs, aws4#30, aws-c-auth#34).
    pub session_token: SessionTokenMode,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            credentials: vec![Credential::example()],
            region: "us-east-1".to_owned(),
            clock: None,
            max_skew: DEFAULT_MAX_SKEW,
            max_body: 16 * 1024 * 1024,
            max_memory: crate::storage::DEFAULT_MAX_MEMORY,
            data_dir: None,
            verdict_capacity: 1000,
            session_token: SessionTokenMode::Include,
        }
    }
}
