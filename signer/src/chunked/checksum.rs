//! Checksums S3 takes as `x-amz-checksum-*` headers or trailers (CRC-32, CRC-32C, SHA-256).

use std::fmt;

use sha2::{Digest, Sha256};

use crate::encoding::base64;

/// A checksum S3 takes as an `x-amz-checksum-*` header or trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChecksumAlgorithm {
    /// CRC-32 (ISO-HDLC, as zlib), `x-amz-checksum-crc32`.
    Crc32,
    /// CRC-32C (Castagnoli), `x-amz-checksum-crc32c`.
    Crc32c,
    /// SHA-256, `x-amz-checksum-sha256`.
    Sha256,
}

impl ChecksumAlgorithm {
    /// Every supported algorithm.
    pub const ALL: [Self; 3] = [Self::Crc32, Self::Crc32c, Self::Sha256];

    /// The header (and trailer) name.
    pub fn header_name(self) -> &'static str {
        match self {
            Self::Crc32 => "x-amz-checksum-crc32",
            Self::Crc32c => "x-amz-checksum-crc32c",
            Self::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// The algorithm of a header name (case-insensitive).
    pub fn from_header_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.header_name().eq_ignore_ascii_case(name))
    }

    /// The name S3 uses in messages (`CRC32`, `CRC32C`, `SHA256`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Crc32 => "CRC32",
            Self::Crc32c => "CRC32C",
            Self::Sha256 => "SHA256",
        }
    }

    /// Length of the base64 value (8 for the CRCs, 44 for SHA-256).
    pub fn encoded_len(self) -> usize {
        match self {
            Self::Crc32 | Self::Crc32c => 8,
            Self::Sha256 => 44,
        }
    }

    /// The checksum of `data`, base64.
    pub fn digest(self, data: &[u8]) -> String {
        let mut c = Checksum::new(self);
        c.update(data);
        c.finish()
    }
}

/// An incremental checksum.
#[derive(Clone)]
pub struct Checksum {
    state: ChecksumState,
}

#[derive(Clone)]
enum ChecksumState {
    Crc32(crc32fast::Hasher),
    Crc32c(u32),
    Sha256(Sha256),
}

impl fmt::Debug for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checksum")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

impl Checksum {
    /// A new checksum of nothing.
    pub fn new(algorithm: ChecksumAlgorithm) -> Self {
        let state = match algorithm {
            ChecksumAlgorithm::Crc32 => ChecksumState::Crc32(crc32fast::Hasher::new()),
            ChecksumAlgorithm::Crc32c => ChecksumState::Crc32c(0),
            ChecksumAlgorithm::Sha256 => ChecksumState::Sha256(Sha256::new()),
        };
        Self { state }
    }

    /// Its algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        match self.state {
            ChecksumState::Crc32(_) => ChecksumAlgorithm::Crc32,
            ChecksumState::Crc32c(_) => ChecksumAlgorithm::Crc32c,
            ChecksumState::Sha256(_) => ChecksumAlgorithm::Sha256,
        }
    }

    /// Adds `data`.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            ChecksumState::Crc32(h) => h.update(data),
            ChecksumState::Crc32c(c) => *c = crc32c::crc32c_append(*c, data),
            ChecksumState::Sha256(h) => h.update(data),
        }
    }

    /// The value as S3 writes it: base64 of the big-endian checksum.
    pub fn finish(self) -> String {
        match self.state {
            ChecksumState::Crc32(h) => base64(&h.finalize().to_be_bytes()),
            ChecksumState::Crc32c(c) => base64(&c.to_be_bytes()),
            ChecksumState::Sha256(h) => base64(&h.finalize()),
        }
    }
}
