//! A case folder: discovery and loading.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use sigv4_signer::v4a::V4aPublicKey;

use crate::context::Context;
use crate::legacy::{erratum, legacy_context, Erratum};
use crate::request_txt::{parse_request, ParseError, RawRequest};

/// Header or query auth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    /// `Authorization` header.
    Header,
    /// Presigned query.
    Query,
}

impl Location {
    /// Both, header first.
    pub const ALL: [Location; 2] = [Location::Header, Location::Query];

    /// The file-name prefix, `header` or `query`.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Header => "header",
            Self::Query => "query",
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())
    }
}

/// The expected files of one location; each may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    /// `*-canonical-request.txt`.
    pub canonical_request: Option<String>,
    /// `*-string-to-sign.txt`.
    pub string_to_sign: Option<String>,
    /// `*-signature.txt`.
    pub signature: Option<String>,
    /// `*-signed-request.txt`, raw.
    pub signed_request: Option<Vec<u8>>,
    /// `*-error.txt`: the stable code of the error signing must give.
    pub error: Option<String>,
    /// `*-chunk-signatures.txt` (cases with a `streaming` context): the signature of each
    /// chunk, the final zero-length chunk's, and in the signed-trailer mode the trailer's, one
    /// a line.
    pub chunk_signatures: Option<String>,
}

impl Expected {
    /// Whether there is anything to check.
    pub fn is_empty(&self) -> bool {
        self.canonical_request.is_none()
            && self.string_to_sign.is_none()
            && self.signature.is_none()
            && self.signed_request.is_none()
            && self.error.is_none()
            && self.chunk_signatures.is_none()
    }
}

/// One loaded case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Folder name.
    pub name: String,
    /// Folder path.
    pub dir: PathBuf,
    /// Signing context (from `context.json`, or the legacy table, with any erratum applied).
    pub context: Context,
    /// The unsigned request.
    pub request: RawRequest,
    /// Expected header-auth files.
    pub header: Expected,
    /// Expected query-auth files.
    pub query: Expected,
    /// For an old-layout folder: its entry in the legacy table.
    pub legacy: Option<&'static crate::legacy::LegacyContext>,
    /// For a legacy folder: the time its canonical request was made at, if different.
    pub canonical_request_timestamp: Option<String>,
    /// The erratum applied, if any.
    pub erratum: Option<&'static Erratum>,
    /// A SigV4a case: the public key of its credentials, from `public-key.json` in the folder
    /// or its parent (AWS's v4a suite has one per folder). Its presence makes the case SigV4a,
    /// signed with `context.region` as the region set.
    pub public_key: Option<V4aPublicKey>,
}

/// Why a case could not be loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// A file could not be read.
    Io(PathBuf, std::io::Error),
    /// `context.json` is missing and the folder is not a known old-layout one.
    NoContext(PathBuf),
    /// `context.json` is malformed.
    Context(PathBuf, serde_json::Error),
    /// `request.txt` is malformed.
    Request(PathBuf, ParseError),
    /// An expected text file is not UTF-8.
    NonUtf8(PathBuf),
    /// The folder has no expected file at all.
    NothingExpected(PathBuf),
    /// `public-key.json` is not `{"X": hex, "Y": hex}` of a P-256 point.
    PublicKey(PathBuf, String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(p, e) => write!(f, "{}: {e}", p.display()),
            Self::NoContext(p) => write!(
                f,
                "{}: no context.json, and not a known old-layout folder",
                p.display()
            ),
            Self::Context(p, e) => write!(f, "{}: {e}", p.display()),
            Self::Request(p, e) => write!(f, "{}: {e}", p.display()),
            Self::NonUtf8(p) => write!(f, "{}: not UTF-8", p.display()),
            Self::PublicKey(p, e) => write!(f, "{}: {e}", p.display()),
            Self::NothingExpected(p) => write!(
                f,
                "{}: no expected file (header-*.txt or query-*.txt)",
                p.display()
            ),
        }
    }
}

impl std::error::Error for LoadError {}

fn read_opt(path: &Path) -> Result<Option<Vec<u8>>, LoadError> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(LoadError::Io(path.to_owned(), e)),
    }
}

fn read_text(path: &Path) -> Result<Option<String>, LoadError> {
    read_opt(path)?
        .map(|b| String::from_utf8(b).map_err(|_| LoadError::NonUtf8(path.to_owned())))
        .transpose()
}

impl Case {
    /// Loads the case in `dir`.
    pub fn load(dir: &Path) -> Result<Self, LoadError> {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let req_path = dir.join("request.txt");
        let req_bytes = fs::read(&req_path).map_err(|e| LoadError::Io(req_path.clone(), e))?;
        let request = parse_request(&req_bytes).map_err(|e| LoadError::Request(req_path, e))?;
        let ctx_path = dir.join("context.json");
        let mut legacy = None;
        let mut context = match read_text(&ctx_path)? {
            Some(text) => Context::from_json(&text).map_err(|e| LoadError::Context(ctx_path, e))?,
            None => {
                let l =
                    legacy_context(&name).ok_or_else(|| LoadError::NoContext(dir.to_owned()))?;
                legacy = Some(l);
                Context::from_json(l.context_json).map_err(|e| LoadError::Context(ctx_path, e))?
            }
        };
        let canonical_request_timestamp = legacy
            .and_then(|l| l.canonical_request_timestamp)
            .map(str::to_owned);
        let erratum = erratum(&name);
        if let Some(e) = erratum {
            if e.single_uri_encode {
                context.double_uri_encode = false;
            }
        }
        let load = |loc: Location| -> Result<Expected, LoadError> {
            let p = |stage: &str| dir.join(format!("{}-{stage}.txt", loc.prefix()));
            Ok(Expected {
                canonical_request: read_text(&p("canonical-request"))?,
                string_to_sign: read_text(&p("string-to-sign"))?,
                signature: read_text(&p("signature"))?.map(|s| s.trim().to_owned()),
                signed_request: read_opt(&p("signed-request"))?,
                error: read_text(&p("error"))?.map(|s| s.trim().to_owned()),
                chunk_signatures: read_text(&p("chunk-signatures"))?
                    .map(|s| s.trim_end().to_owned()),
            })
        };
        let public_key = load_public_key(dir)?;
        let header = load(Location::Header)?;
        let query = load(Location::Query)?;
        if header.is_empty() && query.is_empty() {
            return Err(LoadError::NothingExpected(dir.to_owned()));
        }
        Ok(Self {
            name,
            dir: dir.to_owned(),
            context,
            request,
            header,
            query,
            legacy,
            canonical_request_timestamp,
            erratum,
            public_key,
        })
    }

    /// The expected files of `location`.
    pub fn expected(&self, location: Location) -> &Expected {
        match location {
            Location::Header => &self.header,
            Location::Query => &self.query,
        }
    }

    /// The locations this case has expected files for.
    pub fn locations(&self) -> Vec<Location> {
        Location::ALL
            .into_iter()
            .filter(|l| !self.expected(*l).is_empty())
            .collect()
    }
}

/// `public-key.json` of a case folder, else of its parent.
fn load_public_key(dir: &Path) -> Result<Option<V4aPublicKey>, LoadError> {
    let candidates = [Some(dir), dir.parent()];
    let Some(path) = candidates
        .into_iter()
        .flatten()
        .map(|d| d.join("public-key.json"))
        .find(|p| p.is_file())
    else {
        return Ok(None);
    };
    let text = read_text(&path)?.unwrap_or_default();
    let bad = |why: String| LoadError::PublicKey(path.clone(), why);
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let coord = |k: &str| {
        v[k].as_str()
            .ok_or_else(|| bad(format!("no string field {k:?}")))
    };
    V4aPublicKey::from_xy_hex(coord("X")?, coord("Y")?)
        .map(Some)
        .map_err(|e| bad(e.to_string()))
}

/// Every case folder (a folder holding `request.txt`) at or below `root`, sorted.
pub fn discover(root: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(root).to_owned();
            LoadError::Io(path, e.into())
        })?;
        if entry.file_type().is_file() && entry.file_name() == "request.txt" {
            if let Some(parent) = entry.path().parent() {
                out.push(parent.to_owned());
            }
        }
    }
    Ok(out)
}
