//! Shared code of the `canonical` fuzz target: the structured input, its byte encoding (for
//! the seed corpus), the property checks on `sigv4_signer`'s canonicalisation, and the
//! differential against the `aws-sigv4` crate; and the `verify` and `roundtrip` targets
//! (modules [`verify_target`] and [`roundtrip`]).

pub mod roundtrip;
pub mod verify_target;

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, UNIX_EPOCH};

use arbitrary::{Arbitrary, Unstructured};
use sigv4_signer::internal::canonical_query;
use sigv4_signer::internal::{canonical_uri, normalize, NormalizationMode, UriEncodingMode};
use sigv4_signer::internal::{
    canonical_value_into, validate, CanonicalHeaders, UNSIGNED_BY_DEFAULT,
};

/// A string read from the input up to a NUL byte (or the end), UTF-8 lossy. Keeping strings
/// NUL-terminated (instead of `arbitrary`'s length-from-the-end) makes the seed corpus easy to
/// write and lets dictionary tokens land inside a string intact.
#[derive(Clone, PartialEq, Eq)]
pub struct Text(pub String);

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<'a> Arbitrary<'a> for Text {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let rest = u.peek_bytes(u.len()).unwrap_or(&[]);
        let mut r = Reader(rest);
        let t = r.text();
        u.bytes(rest.len() - r.0.len())?;
        Ok(t)
    }
}

/// Reads the input bytes exactly as `arbitrary`'s derived implementation of [`Input`] did
/// (1.x: a `u8` is one byte, 0 past the end; a `bool` is a byte's bit 0; a `Vec` is elements
/// each behind a `true` byte, ended by a `false` one or the end; an `Option` is a `bool` then
/// the value), so the corpus keeps its format. Written by hand because the fuzz target decodes
/// every input: the derived code (a recursion guard per struct, `Result` plumbing, a `collect`
/// per `Vec`) was 5 % of a run's instructions and ~20 of its ~175 coverage counters
/// (`FINDINGS.md`, issue 17). `tests::decoding_matches_derive` compares the two.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    /// The bytes up to the next NUL (consumed) or the end.
    fn raw_text(&mut self) -> &'a [u8] {
        let n = self.0.iter().position(|&b| b == 0).unwrap_or(self.0.len());
        let (s, rest) = self.0.split_at(n);
        self.0 = rest.get(1..).unwrap_or(rest);
        s
    }

    /// Up to the next NUL (consumed) or the end, borrowed when it is UTF-8.
    fn text_ref(&mut self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.raw_text())
    }

    fn text(&mut self) -> Text {
        Text(self.text_ref().into_owned())
    }

    /// The query parameters, borrowed.
    fn params(&mut self) -> Vec<(Cow<'a, str>, Option<Cow<'a, str>>)> {
        let mut query = Vec::new();
        while self.flag() {
            let key = self.text_ref();
            let value = if self.flag() {
                Some(self.text_ref())
            } else {
                None
            };
            query.push((key, value));
        }
        query
    }

    /// Past the query parameters, decoding nothing.
    fn skip_params(&mut self) {
        while self.flag() {
            self.raw_text();
            if self.flag() {
                self.raw_text();
            }
        }
    }

    /// The headers, borrowed.
    fn headers(&mut self) -> Vec<(Cow<'a, str>, Cow<'a, str>)> {
        let mut headers = Vec::new();
        while self.flag() {
            let name = self.text_ref();
            let value = self.text_ref();
            headers.push((name, value));
        }
        headers
    }

    fn input(&mut self) -> Input {
        let mode = self.byte();
        let method = self.byte();
        let path = self.text();
        let query = self
            .params()
            .into_iter()
            .map(|(k, v)| Param {
                key: Text(k.into_owned()),
                value: v.map(|v| Text(v.into_owned())),
            })
            .collect();
        let headers = self
            .headers()
            .into_iter()
            .map(|(n, v)| Header {
                name: Text(n.into_owned()),
                value: Text(v.into_owned()),
            })
            .collect();
        let body = self.text();
        Input {
            mode,
            method,
            path,
            query,
            headers,
            body,
        }
    }
}

/// One query parameter: `key` or `key=value`.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub key: Text,
    pub value: Option<Text>,
}

/// One header line.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: Text,
    pub value: Text,
}

/// The fuzz input. Its `Arbitrary` implementation ([`Reader`]) decodes like the derived one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Bit 0: S3 (single encoding, no normalisation); bit 1: presign (query auth);
    /// bit 2: `x-amz-content-sha256` header; bit 3: session token.
    pub mode: u8,
    /// Index into [`METHODS`].
    pub method: u8,
    pub path: Text,
    pub query: Vec<Param>,
    pub headers: Vec<Header>,
    pub body: Text,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let rest = u.peek_bytes(u.len()).unwrap_or(&[]);
        let mut r = Reader(rest);
        let input = r.input();
        u.bytes(rest.len() - r.0.len())?;
        Ok(input)
    }

    fn arbitrary_take_rest(mut u: Unstructured<'a>) -> arbitrary::Result<Self> {
        Self::arbitrary(&mut u)
    }
}

pub const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"];
pub const HOST: &str = "example.amazonaws.com";
const AK: &str = "AKIDEXAMPLE";
const SK: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW";
const TIME: &str = "2015-08-30T12:36:00Z";
pub(crate) const TIME_UNIX: u64 = 1_440_938_160;

impl Input {
    /// The bytes that `Input::arbitrary_take_rest` decodes back to `self` (NULs inside
    /// strings cannot be represented and are dropped).
    pub fn encode(&self) -> Vec<u8> {
        fn text(out: &mut Vec<u8>, t: &Text) {
            out.extend(t.0.bytes().filter(|&b| b != 0));
            out.push(0);
        }
        let mut out = vec![self.mode, self.method];
        text(&mut out, &self.path);
        for p in &self.query {
            out.push(1);
            text(&mut out, &p.key);
            match &p.value {
                Some(v) => {
                    out.push(1);
                    text(&mut out, v);
                }
                None => out.push(0),
            }
        }
        out.push(0);
        for h in &self.headers {
            out.push(1);
            text(&mut out, &h.name);
            text(&mut out, &h.value);
        }
        out.push(0);
        out.extend(self.body.0.bytes().filter(|&b| b != 0));
        out
    }

    pub fn query_string(&self) -> String {
        build_query(&self.params(), 0, false)
    }

    /// The query parameters as borrowed pairs (what [`check_params`] takes).
    pub fn params(&self) -> Vec<(&str, Option<&str>)> {
        self.query
            .iter()
            .map(|p| (p.key.0.as_str(), p.value.as_ref().map(|v| v.0.as_str())))
            .collect()
    }

    /// The request-target both signers get (absolute form; the path gets a leading `/`).
    pub fn target(&self) -> String {
        let mut t = format!("https://{HOST}");
        if !self.path.0.starts_with('/') {
            t.push('/');
        }
        t.push_str(&self.path.0);
        if !self.query.is_empty() {
            t.push('?');
            t.push_str(&self.query_string());
        }
        t
    }

    /// Headers as given, plus `host` first when none is given.
    pub fn header_list(&self) -> Vec<(&str, &str)> {
        let mut h: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|h| (h.name.0.as_str(), h.value.0.as_str()))
            .collect();
        if !h.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            h.insert(0, ("host", HOST));
        }
        h
    }
}

/// The query string of `params` in the order `reverse` (last first) or rotated left by
/// `rotate`. One non-generic function for the three orders the checks use, so its code (and
/// its coverage counters) exists once.
fn build_query(params: &[(&str, Option<&str>)], rotate: usize, reverse: bool) -> String {
    let n = params.len();
    let len = params
        .iter()
        .map(|(k, v)| k.len() + v.map_or(0, |v| v.len() + 1) + 1)
        .sum();
    let mut q = String::with_capacity(len);
    for i in 0..n {
        let (k, v) = params[if reverse { n - 1 - i } else { (i + rotate) % n }];
        if i > 0 {
            q.push('&');
        }
        q.push_str(k);
        if let Some(v) = v {
            q.push('=');
            q.push_str(v);
        }
    }
    q
}

/// The signing modes selected by `Input::mode`.
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    pub s3: bool,
    pub presign: bool,
    pub content_sha256: bool,
    pub token: bool,
}

impl Mode {
    pub fn from_byte(b: u8) -> Self {
        Self {
            s3: b & 1 != 0,
            presign: b & 2 != 0,
            content_sha256: b & 4 != 0,
            token: b & 8 != 0,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Properties of sigv4_signer alone.

/// The bytes a canonical query component keeps as they are (RFC 3986 unreserved), as a
/// table: one load per byte in [`assert_encoded`], the checks' hottest loop.
const UNRESERVED: [bool; 256] = byte_table(b"-._~", false);

/// [`UNRESERVED`] and `/` (what a canonical path keeps).
const UNRESERVED_OR_SLASH: [bool; 256] = byte_table(b"-._~/", false);

/// The uppercase hex digits.
const UPPER_HEX: [bool; 256] = byte_table(b"ABCDEF", true);

/// The bytes of `extra`, and the ASCII digits and (unless `digits_only`) letters.
const fn byte_table(extra: &[u8], digits_only: bool) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if digits_only {
            b.is_ascii_digit()
        } else {
            b.is_ascii_alphanumeric()
        };
        i += 1;
    }
    let mut j = 0;
    while j < extra.len() {
        t[extra[j] as usize] = true;
        j += 1;
    }
    t
}

/// Every byte is unreserved, `%XX` with uppercase hex, or (if allowed) `/`.
fn assert_encoded(b: &[u8], allow_slash: bool, what: &str) {
    let s = || String::from_utf8_lossy(b);
    let plain = if allow_slash {
        &UNRESERVED_OR_SLASH
    } else {
        &UNRESERVED
    };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if plain[usize::from(c)] {
            i += 1;
            continue;
        }
        assert!(c == b'%', "{what}: raw byte {c:#04x} at {i} in {:?}", s());
        assert!(
            i + 2 < b.len() && UPPER_HEX[usize::from(b[i + 1])] && UPPER_HEX[usize::from(b[i + 2])],
            "{what}: bad %XX at {i} in {:?}",
            s()
        );
        i += 3;
    }
}

/// The bytes of `%XX`-decoding: a `%` followed by two hex digits (either case) is the byte
/// they stand for, every other byte stands for itself. An iterator, so the path check compares
/// the decoding with what it should be without building it.
struct PctDecoded<'a> {
    b: &'a [u8],
    i: usize,
}

impl Iterator for PctDecoded<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        let b = self.b;
        let i = self.i;
        let c = *b.get(i)?;
        if c == b'%' && i + 2 < b.len() {
            let h = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (h(b[i + 1]), h(b[i + 2])) {
                self.i += 3;
                return Some((h * 16 + l) as u8);
            }
        }
        self.i += 1;
        Some(c)
    }
}

fn pct_decoded(s: &[u8]) -> PctDecoded<'_> {
    PctDecoded { b: s, i: 0 }
}

fn pct_decode(s: &str) -> Vec<u8> {
    pct_decoded(s.as_bytes()).collect()
}

/// Query component decoding as form-urlencoded does it: `%XX` and `+` as space.
fn form_decode(s: &str) -> Vec<u8> {
    pct_decode(&s.replace('+', " "))
}

/// Whether `s` has the byte `b` twice in a row (`s.contains("  ")` in a loop of its own:
/// fewer coverage counters than the generic substring search).
fn has_pair(s: &str, b: u8) -> bool {
    let mut prev = false;
    for &c in s.as_bytes() {
        let hit = c == b;
        if hit && prev {
            return true;
        }
        prev = hit;
    }
    false
}

/// `a.cmp(b)` byte for byte in a loop of its own: the slices' `Ord` calls `memcmp`, which in
/// the fuzz binary goes through libFuzzer's interceptor (~85 instructions a call, dozens of
/// calls a run; issue 17).
fn cmp_bytes(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

fn has_double_space(s: &str) -> bool {
    has_pair(s, b' ')
}

/// Which headers [`CanonicalHeaders::new`] keeps. Both calls below pass this one type, so the
/// signer's generic code is instantiated once and both runs of it land on the same coverage
/// counters.
type SignRule = fn(&str) -> bool;

pub fn check_headers(input: &Input) {
    let headers: Vec<(&str, &str)> = input
        .headers
        .iter()
        .map(|h| (h.name.0.as_str(), h.value.0.as_str()))
        .collect();
    check_header_list(&headers);
}

/// The header properties of [`check_headers`] on a list of (name, value) pairs.
pub fn check_header_list(headers: &[(&str, &str)]) {
    let valid: Vec<(&str, &str)> = headers
        .iter()
        .copied()
        .filter(|(n, v)| validate(n, v).is_ok())
        .collect();
    // Each value canonicalised once, into one buffer (value `i` ends at `ends[i]`), reused for
    // the joined values below; `again` is the second canonicalisation's buffer.
    let mut canon_buf = String::new();
    let mut ends = Vec::with_capacity(valid.len());
    let mut again = String::new();
    for (_, v) in &valid {
        let start = canon_buf.len();
        canonical_value_into(&mut canon_buf, v);
        ends.push(canon_buf.len());
        let c = &canon_buf[start..];
        again.clear();
        canonical_value_into(&mut again, c);
        assert_eq!(again, c, "canonical_value not idempotent for {v:?}");
        assert!(!has_double_space(c), "double space in {c:?} from {v:?}");
        assert!(
            !c.starts_with([' ', '\t']) && !c.ends_with([' ', '\t']),
            "untrimmed {c:?} from {v:?}"
        );
        assert!(
            !c.bytes().any(|b| b == b'\r' || b == b'\n'),
            "line break kept in {c:?} from {v:?}"
        );
    }
    let canon = |i: usize| &canon_buf[if i == 0 { 0 } else { ends[i - 1] }..ends[i]];
    let all: SignRule = |_| true;
    let ch = CanonicalHeaders::new(valid.iter().copied(), all);
    let entries = ch.entries();
    for w in entries.windows(2) {
        assert!(
            cmp_bytes(w[0].0.as_bytes(), w[1].0.as_bytes()).is_lt(),
            "names not sorted/unique: {entries:?}"
        );
    }
    // The expected joined value and the signed-headers list, built in place (no `Vec` + `join`).
    let mut want = String::new();
    let mut names = String::new();
    for (i, (n, v)) in entries.iter().enumerate() {
        assert!(
            !n.bytes().any(|b| b.is_ascii_uppercase()),
            "name not lowercase: {n:?}"
        );
        want.clear();
        let mut first = true;
        for (j, (m, _)) in valid.iter().enumerate() {
            if m.eq_ignore_ascii_case(n) {
                if !first {
                    want.push(',');
                }
                first = false;
                want.push_str(canon(j));
            }
        }
        assert_eq!(*v, want, "value of {n}");
        assert!(!has_double_space(v), "double space in joined {v:?}");
        if i > 0 {
            names.push(';');
        }
        names.push_str(n);
    }
    assert_eq!(ch.signed_headers(), names);
    let no_host: SignRule = |n| n != "host";
    let no_host = CanonicalHeaders::new(valid.iter().copied(), no_host);
    assert!(!no_host.contains("host"));
}

/// Which reorderings of the query [`check_query_with`] compares with the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reorder {
    /// Reversed and rotated by one (both).
    Both,
    /// Reversed only.
    Reverse,
    /// Rotated by one only (reversed when there are two parameters).
    Rotate,
}

/// The query properties, comparing the canonical query with that of both reorderings.
pub fn check_query(input: &Input) {
    check_query_with(input, Reorder::Both);
}

/// The query properties: every pair encoded, sorted, none lost, and the canonical query the
/// same for the reorderings `reorder` names.
pub fn check_query_with(input: &Input, reorder: Reorder) {
    check_params(&input.params(), reorder);
}

/// [`check_query_with`] on the parameters as (key, value) pairs.
pub fn check_params(params: &[(&str, Option<&str>)], reorder: Reorder) {
    let q = build_query(params, 0, false);
    let c = canonical_query(&q, &[]);
    // Split over bytes with a closure: the `str` patterns' `memchr` set-up per piece cost
    // more than these short pieces (issue 17).
    let amp = |b: &u8| *b == b'&';
    let n_in = q.as_bytes().split(amp).filter(|p| !p.is_empty()).count();
    let mut n_out = 0;
    let mut prev: Option<(&[u8], &[u8])> = None;
    if !c.is_empty() {
        for piece in c.as_bytes().split(amp) {
            n_out += 1;
            let eq = piece
                .iter()
                .position(|&b| b == b'=')
                .unwrap_or_else(|| panic!("param without '=' in {c:?}"));
            let (k, v) = (&piece[..eq], &piece[eq + 1..]);
            assert_encoded(k, false, "query key");
            assert_encoded(v, false, "query value");
            if let Some((pk, pv)) = prev {
                assert!(
                    cmp_bytes(pk, k).then_with(|| cmp_bytes(pv, v)).is_le(),
                    "query not sorted by key then value: {c:?}"
                );
            }
            prev = Some((k, v));
        }
    }
    assert_eq!(n_in, n_out, "parameter count: {q:?} -> {c:?}");
    // Order of the input pairs is irrelevant (nothing to reorder with fewer than two).
    if params.len() < 2 {
        return;
    }
    if reorder != Reorder::Rotate || params.len() == 2 {
        let rev = build_query(params, 0, true);
        assert_eq!(
            canonical_query(&rev, &[]),
            c,
            "order matters: {q:?} vs {rev:?}"
        );
    }
    if reorder != Reorder::Reverse && params.len() > 2 {
        let rot = build_query(params, 1, false);
        assert_eq!(
            canonical_query(&rot, &[]),
            c,
            "order matters: {q:?} vs {rot:?}"
        );
    }
}

pub fn check_uri(input: &Input) {
    check_path(&input.path.0);
}

/// The path properties of [`check_uri`].
pub fn check_path(path: &str) {
    let n = normalize(path);
    assert_eq!(normalize(&n), n, "normalize not idempotent for {path:?}");
    assert!(n.starts_with('/'), "normalized {n:?} lacks leading /");
    assert!(!has_pair(&n, b'/'), "normalized {n:?} has //");
    assert!(
        !n.as_bytes()
            .split(|&b| b == b'/')
            .any(|s| s == b"." || s == b".."),
        "normalized {n:?} has dot segments"
    );
    // The path as the request sends it: with its leading `/`.
    let slash: &[u8] = if path.starts_with('/') { b"" } else { b"/" };
    let slashed = || slash.iter().chain(path.as_bytes()).copied();
    for norm in [NormalizationMode::Enabled, NormalizationMode::Disabled] {
        for enc in [UriEncodingMode::Double, UriEncodingMode::Single] {
            let u = canonical_uri(path, enc, norm);
            assert!(u.starts_with('/'), "canonical uri {u:?} lacks leading /");
            assert_encoded(u.as_bytes(), true, "canonical uri");
            match enc {
                UriEncodingMode::Double => {
                    // Decoding gives the (normalised) path back, compared byte by byte
                    // without building the decoded string.
                    let decoded = pct_decoded(u.as_bytes());
                    let same = match norm {
                        NormalizationMode::Disabled => decoded.eq(slashed()),
                        _ => decoded.eq(n.bytes()),
                    };
                    assert!(same, "double encoding of {path:?} is {u:?}");
                }
                _ => {
                    let again =
                        canonical_uri(&u, UriEncodingMode::Single, NormalizationMode::Disabled);
                    assert_eq!(again, u, "single encoding not idempotent for {path:?}");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Differential against aws-sigv4.

/// Input classes where sigv4_signer and aws-sigv4 deliberately differ (see FINDINGS.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownDifference {
    /// K1: a header value with a tab at either end (after trimming spaces).
    HeaderValueEdgeTab,
    /// K2: a hop-by-hop header sigv4_signer never signs but aws-sigv4 does.
    HopByHopHeader,
    /// K3: presigned request with `x-amz-user-agent` / `x-amz-checksum-mode`.
    PresignUnsignedHeader,
    /// K4: a query component that percent-decodes to invalid UTF-8.
    QueryNotUtf8,
    /// K5: S3 (single encoding) with a path that is not already in canonical encoded form.
    S3PathNotCanonical,
}

const AWS_SIGV4_EXCLUDED: &[&str] = &[
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
];

pub fn known_difference(input: &Input) -> Option<KnownDifference> {
    let mode = Mode::from_byte(input.mode);
    let headers = input.header_list();
    for (n, v) in &headers {
        let t = v.trim_matches(' ');
        if t.starts_with('\t') || t.ends_with('\t') {
            return Some(KnownDifference::HeaderValueEdgeTab);
        }
        let l = n.to_ascii_lowercase();
        if UNSIGNED_BY_DEFAULT.contains(&l.as_str()) && !AWS_SIGV4_EXCLUDED.contains(&l.as_str()) {
            return Some(KnownDifference::HopByHopHeader);
        }
        if mode.presign && (l == "x-amz-user-agent" || l == "x-amz-checksum-mode") {
            return Some(KnownDifference::PresignUnsignedHeader);
        }
    }
    let target = input.target();
    let (path, query) = sigv4_signer::internal::split_target(&target).unwrap_or(("/", ""));
    for piece in query.split('&') {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        if std::str::from_utf8(&form_decode(k)).is_err()
            || std::str::from_utf8(&form_decode(v)).is_err()
        {
            return Some(KnownDifference::QueryNotUtf8);
        }
    }
    if mode.s3 && canonical_uri(path, UriEncodingMode::Single, NormalizationMode::Disabled) != path
    {
        return Some(KnownDifference::S3PathNotCanonical);
    }
    None
}

/// Our signing result, or `None` when sigv4_signer rejects the input.
pub fn sign_ours(input: &Input) -> Option<sigv4_signer::SigningOutput> {
    use sigv4_signer::*;
    let mode = Mode::from_byte(input.mode);
    let mut creds = Credentials::new(AK, SK);
    if mode.token {
        creds = creds.with_session_token(TOKEN);
    }
    let settings = Settings::default()
        .with_uri_encoding(if mode.s3 {
            UriEncodingMode::Single
        } else {
            UriEncodingMode::Double
        })
        .with_normalization(if mode.s3 {
            NormalizationMode::Disabled
        } else {
            NormalizationMode::Enabled
        })
        .with_content_sha256(if mode.content_sha256 {
            ContentSha256Mode::Header
        } else {
            ContentSha256Mode::Omit
        });
    let time = SigningTime::parse(TIME).expect("fixed time parses");
    let params = SigningParams::new(&creds, "us-east-1", "service", time).with_settings(settings);
    let target = input.target();
    let req = SignableRequest {
        method: METHODS[usize::from(input.method) % METHODS.len()],
        target: &target,
        headers: input.header_list(),
        body: input.body.0.as_bytes(),
    };
    let loc = if mode.presign {
        SignatureLocation::Query { expires_in: 3600 }
    } else {
        SignatureLocation::Headers
    };
    sign(&req, &params, loc).ok()
}

/// aws-sigv4's signature, or `None` when aws-sigv4 rejects the input.
pub fn sign_theirs(input: &Input) -> Option<String> {
    use aws_sigv4::http_request::{
        sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
        SignatureLocation, SigningSettings, UriPathNormalizationMode,
    };
    let mode = Mode::from_byte(input.mode);
    let identity = aws_credential_types::Credentials::new(
        AK,
        SK,
        mode.token.then(|| TOKEN.to_owned()),
        None,
        "fuzz",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = if mode.s3 {
        PercentEncodingMode::Single
    } else {
        PercentEncodingMode::Double
    };
    settings.uri_path_normalization_mode = if mode.s3 {
        UriPathNormalizationMode::Disabled
    } else {
        UriPathNormalizationMode::Enabled
    };
    settings.payload_checksum_kind = if mode.content_sha256 {
        PayloadChecksumKind::XAmzSha256
    } else {
        PayloadChecksumKind::NoHeader
    };
    settings.signature_location = if mode.presign {
        SignatureLocation::QueryParams
    } else {
        SignatureLocation::Headers
    };
    settings.expires_in = mode.presign.then(|| Duration::from_secs(3600));
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("service")
        .time(UNIX_EPOCH + Duration::from_secs(TIME_UNIX))
        .settings(settings)
        .build()
        .ok()?
        .into();
    let headers = input.header_list();
    let req = SignableRequest::new(
        METHODS[usize::from(input.method) % METHODS.len()],
        input.target(),
        headers.iter().copied(),
        SignableBody::Bytes(input.body.0.as_bytes()),
    )
    .ok()?;
    sign(req, &params).ok().map(|o| o.signature().to_owned())
}

/// aws-sigv4's canonical request (it logs it at TRACE; sensitive header values redacted).
pub fn theirs_canonical_request(input: &Input) -> Option<String> {
    let (_, captured) = aws_sigv4_capture::capture(|| sign_theirs(input));
    captured.canonical_request().map(str::to_owned)
}

/// Outcome of the differential for one input.
#[derive(Debug)]
pub enum Diff {
    Filtered(KnownDifference),
    OursRejects,
    TheirsRejects,
    Same,
    Differs {
        ours_sig: String,
        theirs_sig: String,
        ours_creq: String,
        theirs_creq: String,
    },
}

pub fn differential(input: &Input, apply_filters: bool) -> Diff {
    if apply_filters {
        if let Some(k) = known_difference(input) {
            return Diff::Filtered(k);
        }
    }
    let Some(ours) = sign_ours(input) else {
        return Diff::OursRejects;
    };
    let Some(theirs) = sign_theirs(input) else {
        return Diff::TheirsRejects;
    };
    if ours.signature() == theirs {
        return Diff::Same;
    }
    Diff::Differs {
        ours_sig: ours.signature().to_owned(),
        theirs_sig: theirs,
        ours_creq: ours.canonical_request().to_owned(),
        theirs_creq: theirs_canonical_request(input).unwrap_or_else(|| "(not captured)".into()),
    }
}

/// Everything both targets check (`canonical` then `differential`).
pub fn check(input: &Input) {
    check_invariants(input);
    check_differential(input);
}

/// The `canonical` target: properties of sigv4_signer's canonicalisation alone, and signing
/// never panics (cheap: no aws-sigv4).
pub fn check_invariants(input: &Input) {
    check_headers(input);
    check_query(input);
    check_uri(input);
}

/// The `canonical` target: one family of invariants per input, picked by `input.mode % 3`
/// (0 headers, 1 query, 2 path; the signing-mode bits mean nothing to these checks). Every
/// input of a family gets all of that family's checks, but a run executes a third of the code
/// [`check_invariants`] does, and libFuzzer's per-run cost (collecting the coverage features
/// the run touched) falls with it; the fuzzer steers each family through `mode` like any
/// other byte. The query family compares one reordering per input, reversed or rotated by
/// `input.mode / 3 % 2` (each costs a canonicalisation, the query family's main cost), so
/// both are compared over a run.
pub fn check_one_family(input: &Input) {
    match input.mode % 3 {
        0 => check_headers(input),
        1 => check_query_with(input, reorder_of(input.mode)),
        _ => check_uri(input),
    }
}

/// What one family's checks read from an input's bytes, decoded as [`Input`] decodes them
/// but borrowed where the text is UTF-8, and only the family's own field: the path family
/// reads the path alone, the query family skips the path's bytes, the header family skips the
/// path and the query; nothing reads the method or the body.
#[derive(Debug, PartialEq, Eq)]
pub enum Family<'a> {
    Headers(Vec<(Cow<'a, str>, Cow<'a, str>)>),
    Query(Reorder, Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>),
    Path(Cow<'a, str>),
}

impl<'a> Family<'a> {
    /// The family of the input `data` decodes to, as [`check_one_family`] picks it.
    pub fn decode(data: &'a [u8]) -> Self {
        let mut r = Reader(data);
        let mode = r.byte();
        r.byte();
        match mode % 3 {
            0 => {
                r.raw_text();
                r.skip_params();
                Family::Headers(r.headers())
            }
            1 => {
                r.raw_text();
                Family::Query(reorder_of(mode), r.params())
            }
            _ => Family::Path(r.text_ref()),
        }
    }

    /// The family's checks: [`check_one_family`] of the input.
    pub fn check(&self) {
        match self {
            Family::Headers(h) => {
                let h: Vec<(&str, &str)> = h.iter().map(|(n, v)| (&**n, &**v)).collect();
                check_header_list(&h);
            }
            Family::Query(reorder, q) => {
                let q: Vec<(&str, Option<&str>)> =
                    q.iter().map(|(k, v)| (&**k, v.as_deref())).collect();
                check_params(&q, *reorder);
            }
            Family::Path(p) => check_path(p),
        }
    }
}

/// The `canonical` target on the input's bytes: [`check_one_family`] of the [`Input`] they
/// decode to, decoding only what that family reads ([`Family`]).
pub fn check_one_family_bytes(data: &[u8]) {
    Family::decode(data).check();
}

fn reorder_of(mode: u8) -> Reorder {
    if (mode / 3).is_multiple_of(2) {
        Reorder::Reverse
    } else {
        Reorder::Rotate
    }
}

/// The `differential` target: sigv4_signer and aws-sigv4 sign alike. With
/// `SIGV4_FUZZ_NO_FILTER` set, the known-difference filters are off (to see the fuzzer
/// rediscover them, or to test the crash path).
pub fn check_differential(input: &Input) {
    static FILTERS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let filters = *FILTERS.get_or_init(|| std::env::var_os("SIGV4_FUZZ_NO_FILTER").is_none());
    if let Diff::Differs {
        ours_sig,
        theirs_sig,
        ours_creq,
        theirs_creq,
    } = differential(input, filters)
    {
        panic!(
            "signatures differ for {input:#?}\ntarget: {}\n-- sigv4_signer {ours_sig}:\n{ours_creq}\n-- aws-sigv4 {theirs_sig}:\n{theirs_creq}\n",
            input.target()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`Input`] with `arbitrary`'s derived decoding, which the corpus was written for.
    #[derive(Arbitrary, Debug)]
    struct DerivedInput {
        mode: u8,
        method: u8,
        path: Text,
        query: Vec<Param>,
        headers: Vec<Header>,
        body: Text,
    }

    fn derived(bytes: &[u8]) -> Input {
        let d = DerivedInput::arbitrary_take_rest(Unstructured::new(bytes)).unwrap();
        Input {
            mode: d.mode,
            method: d.method,
            path: d.path,
            query: d.query,
            headers: d.headers,
            body: d.body,
        }
    }

    fn same(bytes: &[u8]) {
        family_same(bytes);
        let ours = Input::arbitrary_take_rest(Unstructured::new(bytes)).unwrap();
        assert_eq!(ours, derived(bytes), "{bytes:?}");
        // Inside another struct (`VerifyInput`, `RoundtripInput`): the same bytes consumed.
        let mut u = Unstructured::new(bytes);
        let mut d = Unstructured::new(bytes);
        assert_eq!(Input::arbitrary(&mut u).unwrap(), ours);
        DerivedInput::arbitrary(&mut d).unwrap();
        assert_eq!(u.len(), d.len(), "{bytes:?}");
    }

    #[test]
    fn cmp_bytes_is_ord() {
        let texts: [&[u8]; 7] = [b"", b"a", b"ab", b"b", b"a\xff", b"abc", b"\x00"];
        for a in texts {
            for b in texts {
                assert_eq!(cmp_bytes(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    /// [`Family::decode`] reads the family's field as the full decoding does.
    fn family_same(bytes: &[u8]) {
        let input = Input::arbitrary_take_rest(Unstructured::new(bytes)).unwrap();
        let want = match input.mode % 3 {
            0 => Family::Headers(
                input
                    .headers
                    .iter()
                    .map(|h| (Cow::from(h.name.0.as_str()), Cow::from(h.value.0.as_str())))
                    .collect(),
            ),
            1 => Family::Query(
                reorder_of(input.mode),
                input
                    .query
                    .iter()
                    .map(|p| {
                        (
                            Cow::from(p.key.0.as_str()),
                            p.value.as_ref().map(|v| Cow::from(v.0.as_str())),
                        )
                    })
                    .collect(),
            ),
            _ => Family::Path(Cow::from(input.path.0.as_str())),
        };
        assert_eq!(Family::decode(bytes), want, "{bytes:?}");
    }

    #[test]
    fn decoding_matches_derive() {
        for dir in ["corpus/canonical", "corpus/differential"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for e in std::fs::read_dir(dir).unwrap() {
                same(&std::fs::read(e.unwrap().path()).unwrap());
            }
        }
        // Short byte strings over a small alphabet (NUL, 1, 2, 3, 'a', 0xff), every one up
        // to 7 bytes, and random longer ones.
        let alphabet = [0u8, 1, 2, 3, b'a', 0xff];
        for len in 0..=7u32 {
            for k in 0..alphabet.len().pow(len) {
                let mut k = k;
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        let b = alphabet[k % alphabet.len()];
                        k /= alphabet.len();
                        b
                    })
                    .collect();
                same(&bytes);
            }
        }
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 64) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|i| alphabet[((x >> (i % 60)) as usize + i) % alphabet.len()])
                .collect();
            same(&bytes);
        }
    }
}
