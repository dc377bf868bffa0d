//! Where S3's bytes live, and how much memory they may take. Without `--data-dir`, objects and
//! parts are kept in memory and every body (stored, or being received) counts against one
//! limit, `--max-memory`; a body that would go past it is refused before it is read, with S3's
//! `EntityTooLarge` and a message naming the limit, so the server is never killed for memory.
//! With `--data-dir`, upload bodies (PutObject, UploadPart) are streamed to files there as
//! they arrive (hashed on the way for the signature and the ETag), objects are files, and
//! memory holds one frame of each body in flight; other bodies are small and stay in memory.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use md5::{Digest, Md5};
use sha2::Sha256;
use sigv4_signer::chunked::{Checksum, ChecksumAlgorithm};

/// S3's largest object in one PutObject, 5 GiB (S3 user guide, "Uploading objects").
pub const MAX_PUT_SIZE: u64 = 5 * 1024 * 1024 * 1024;

/// The default `--max-memory`, 1 GiB.
pub const DEFAULT_MAX_MEMORY: u64 = 1024 * 1024 * 1024;

/// The bytes of an object or a part: in memory, or a file of the data directory.
#[derive(Debug, Clone)]
pub enum Blob {
    /// In memory.
    Mem(Bytes),
    /// A file (removed when the last handle to it is dropped).
    File(Arc<StoredFile>),
    /// Blobs one after another: a completed multipart upload's parts, not copied.
    Chain(Arc<Vec<Blob>>),
}

/// A file of the data directory, removed on drop.
#[derive(Debug)]
pub struct StoredFile {
    path: PathBuf,
    len: u64,
}

impl Drop for StoredFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Blob {
    /// Its length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Self::Mem(b) => b.len() as u64,
            Self::File(f) => f.len,
            Self::Chain(c) => c.iter().map(Blob::len).sum(),
        }
    }

    /// The bytes of it held in memory (what it counts against `--max-memory`).
    pub fn memory_bytes(&self) -> u64 {
        match self {
            Self::Mem(b) => b.len() as u64,
            Self::File(_) => 0,
            Self::Chain(c) => c.iter().map(Blob::memory_bytes).sum(),
        }
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The pieces holding bytes `a..=b`, in order (empty pieces left out): memory slices (no
    /// copy) and ranges of files.
    pub fn segments(&self, a: u64, b: u64) -> Vec<Segment> {
        let mut out = Vec::new();
        if !self.is_empty() && a <= b {
            self.segments_into(a, b.min(self.len() - 1), &mut out);
        }
        out
    }

    fn segments_into(&self, a: u64, b: u64, out: &mut Vec<Segment>) {
        match self {
            Self::Mem(m) => out.push(Segment::Mem(m.slice(
                usize::try_from(a).unwrap_or(usize::MAX)..=usize::try_from(b).unwrap_or(usize::MAX),
            ))),
            Self::File(f) => out.push(Segment::File {
                file: Arc::clone(f),
                offset: a,
                len: b - a + 1,
            }),
            Self::Chain(c) => {
                let mut start = 0u64;
                for part in c.iter() {
                    let end = start + part.len();
                    if !part.is_empty() && end > a && start <= b {
                        part.segments_into(a.max(start) - start, b.min(end - 1) - start, out);
                    }
                    start = end;
                }
            }
        }
    }

    /// Calls `f` with the blob's bytes in order, at most [`FRAME`] bytes at a time (a file is
    /// read a frame at a time, never whole).
    pub fn for_each_frame(&self, mut f: impl FnMut(&[u8])) -> std::io::Result<()> {
        for seg in self.segments(0, self.len().saturating_sub(1)) {
            seg.read_frames(|frame| {
                f(&frame);
                true
            })?;
        }
        Ok(())
    }

    /// The blob's checksum with `alg` (base64), computed a frame at a time.
    pub fn checksum(&self, alg: ChecksumAlgorithm) -> std::io::Result<String> {
        let mut c = Checksum::new(alg);
        self.for_each_frame(|d| c.update(d))?;
        Ok(c.finish())
    }

    /// Bytes `a..=b` (the whole blob with `None`), read into memory (for in-process callers;
    /// the server streams [`segments`](Self::segments) instead).
    pub fn read(&self, range: Option<(u64, u64)>) -> std::io::Result<Vec<u8>> {
        let (a, b) = range.unwrap_or((0, self.len().saturating_sub(1)));
        let mut out = Vec::new();
        for seg in self.segments(a, b) {
            seg.read_frames(|frame| {
                out.extend_from_slice(&frame);
                true
            })?;
        }
        Ok(out)
    }

    /// Whether any of it is held in memory (and counts against `--max-memory`).
    pub fn in_memory(&self) -> bool {
        self.memory_bytes() > 0
    }
}

/// The most bytes a response body frame holds, and a file is read by: 64 KiB.
pub const FRAME: usize = 64 * 1024;

/// A piece of a blob to send: a slice of memory, or a range of a file.
#[derive(Debug, Clone)]
pub enum Segment {
    /// Bytes in memory (shared with the blob, not copied).
    Mem(Bytes),
    /// `len` bytes of a file from `offset` (the file stays while this is held).
    File {
        /// The file.
        file: Arc<StoredFile>,
        /// Where the bytes start.
        offset: u64,
        /// How many.
        len: u64,
    },
}

/// Equal when they are the same bytes of the same memory or file.
impl PartialEq for Segment {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Mem(a), Self::Mem(b)) => a == b,
            (
                Self::File {
                    file: f,
                    offset: o,
                    len: l,
                },
                Self::File {
                    file: g,
                    offset: p,
                    len: m,
                },
            ) => f.path == g.path && o == p && l == m,
            _ => false,
        }
    }
}

impl Eq for Segment {}

impl Segment {
    /// Its length.
    pub fn len(&self) -> u64 {
        match self {
            Self::Mem(b) => b.len() as u64,
            Self::File { len, .. } => *len,
        }
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hands its bytes to `f` in frames of at most [`FRAME`] bytes, in order (memory sliced,
    /// files read a frame at a time with blocking reads); stops early when `f` returns
    /// `false`. A file shorter than the segment is an error (`UnexpectedEof`).
    pub fn read_frames(&self, mut f: impl FnMut(Bytes) -> bool) -> std::io::Result<()> {
        match self {
            Self::Mem(b) => {
                let mut at = 0;
                while at < b.len() {
                    let end = (at + FRAME).min(b.len());
                    if !f(b.slice(at..end)) {
                        break;
                    }
                    at = end;
                }
            }
            Self::File { file, offset, len } => {
                let mut fh = File::open(&file.path)?;
                fh.seek(SeekFrom::Start(*offset))?;
                let mut left = *len;
                while left > 0 {
                    let n = usize::try_from(left.min(FRAME as u64)).unwrap_or(FRAME);
                    let mut buf = vec![0u8; n];
                    fh.read_exact(&mut buf)?;
                    left -= n as u64;
                    if !f(Bytes::from(buf)) {
                        break;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Where bodies go and the memory limit; shared by the server and the S3 state.
#[derive(Debug)]
pub struct Storage {
    data_dir: Option<PathBuf>,
    max_memory: u64,
    used: AtomicU64,
    seq: AtomicU64,
}

impl Default for Storage {
    fn default() -> Self {
        Self::new(None, DEFAULT_MAX_MEMORY)
    }
}

/// Memory reserved for a body being received; released on drop, unless [`keep`](Self::keep)
/// hands it to the stored object.
#[derive(Debug)]
pub struct Reservation {
    storage: Arc<Storage>,
    bytes: u64,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.storage.release(self.bytes);
    }
}

impl Reservation {
    /// The body is stored: its bytes stay counted until the object is removed.
    pub fn keep(mut self) {
        self.bytes = 0;
    }

    /// Bytes reserved.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Reserves `more` bytes too; `false` (nothing reserved) past the limit.
    pub fn grow(&mut self, more: u64) -> bool {
        if self.storage.charge(more) {
            self.bytes += more;
            true
        } else {
            false
        }
    }
}

impl Storage {
    /// Storage in `data_dir` (memory without it) with `max_memory` bytes for bodies in memory.
    pub fn new(data_dir: Option<PathBuf>, max_memory: u64) -> Self {
        Self {
            data_dir,
            max_memory,
            used: AtomicU64::new(0),
            seq: AtomicU64::new(0),
        }
    }

    /// The data directory, if any.
    pub fn data_dir(&self) -> Option<&Path> {
        self.data_dir.as_deref()
    }

    /// The memory limit, bytes.
    pub fn max_memory(&self) -> u64 {
        self.max_memory
    }

    /// Bytes of bodies in memory now (stored and being received).
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Counts `n` more bytes in memory; `false` (nothing counted) when that would pass the
    /// limit.
    pub fn charge(&self, n: u64) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |u| {
                u.checked_add(n).filter(|t| *t <= self.max_memory)
            })
            .is_ok()
    }

    /// Counts `n` more bytes whatever the limit (memory already held, moving to a new owner).
    pub fn add(&self, n: u64) {
        self.used.fetch_add(n, Ordering::AcqRel);
    }

    /// Counts `n` bytes fewer.
    pub fn release(&self, n: u64) {
        let _ = self
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |u| {
                Some(u.saturating_sub(n))
            });
    }

    /// Reserves `n` bytes for a body being received.
    pub fn reserve(self: &Arc<Self>, n: u64) -> Option<Reservation> {
        self.charge(n).then(|| Reservation {
            storage: Arc::clone(self),
            bytes: n,
        })
    }

    /// The message of a body refused for memory.
    pub fn memory_message(&self, wanted: u64) -> String {
        format!(
            "Your proposed upload exceeds the maximum allowed object size. (mock-aws: a body of {wanted} bytes would pass --max-memory {} ({} bytes in memory now); start mock-aws with --data-dir DIR to keep uploads on disk, or raise --max-memory)",
            self.max_memory,
            self.used()
        )
    }

    /// A sink for an upload body: a new file in the data directory, or memory.
    pub fn sink(
        &self,
        declared: Option<u64>,
        checksum: Option<ChecksumAlgorithm>,
    ) -> std::io::Result<Sink> {
        let target = match &self.data_dir {
            Some(dir) => {
                let n = self.seq.fetch_add(1, Ordering::Relaxed);
                let path = dir.join(format!("body-{}-{n}", std::process::id()));
                let file = File::create(&path)?;
                SinkTarget::File(file, path)
            }
            None => SinkTarget::Mem(Vec::with_capacity(
                usize::try_from(declared.unwrap_or(0).min(64 << 20)).unwrap_or(0),
            )),
        };
        Ok(Sink {
            target,
            len: 0,
            md5: Md5::new(),
            sha256: Sha256::new(),
            checksum: checksum.map(|a| (a, Checksum::new(a))),
        })
    }
}

enum SinkTarget {
    Mem(Vec<u8>),
    File(File, PathBuf),
}

/// An upload body being received: its bytes go to memory or a file, hashed on the way.
pub struct Sink {
    target: SinkTarget,
    len: u64,
    md5: Md5,
    sha256: Sha256,
    checksum: Option<(ChecksumAlgorithm, Checksum)>,
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sink")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// A body received by a [`Sink`]: where it is, and its digests.
#[derive(Debug)]
pub struct Streamed {
    /// The bytes.
    pub blob: Blob,
    /// MD5.
    pub md5: [u8; 16],
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// The checksum named by the request's `x-amz-checksum-*` header (or `aws-chunked`
    /// trailer), base64.
    pub checksum: Option<(ChecksumAlgorithm, String)>,
    /// The memory the body holds, when in memory.
    pub reservation: Option<Reservation>,
}

impl Sink {
    /// Appends bytes.
    pub fn write(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.md5.update(data);
        self.sha256.update(data);
        if let Some((_, c)) = &mut self.checksum {
            c.update(data);
        }
        self.len += data.len() as u64;
        match &mut self.target {
            SinkTarget::Mem(v) => v.extend_from_slice(data),
            SinkTarget::File(f, _) => f.write_all(data)?,
        }
        Ok(())
    }

    /// Bytes so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The body and its digests.
    pub fn finish(self) -> std::io::Result<Streamed> {
        let blob = match self.target {
            SinkTarget::Mem(v) => Blob::Mem(Bytes::from(v)),
            SinkTarget::File(mut f, path) => {
                f.flush()?;
                Blob::File(Arc::new(StoredFile {
                    path,
                    len: self.len,
                }))
            }
        };
        Ok(Streamed {
            blob,
            md5: self.md5.finalize().into(),
            sha256: sigv4_signer::internal::hex(&self.sha256.finalize()),
            checksum: self.checksum.map(|(a, c)| (a, c.finish())),
            reservation: None,
        })
    }
}

/// The blobs one after another, without copying them.
pub fn concat(parts: &[&Blob]) -> Blob {
    Blob::Chain(Arc::new(parts.iter().map(|b| (*b).clone()).collect()))
}
