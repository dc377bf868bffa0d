//! Canonical headers and the signed-headers list.
//!
//! Names are lowercased. Values are trimmed of leading and trailing spaces and tabs, and each
//! run of spaces inside is collapsed to one space (AWS's documented "Trimall"; the aws-sigv4
//! crate does the same; tabs inside a value are kept, as in aws-sigv4, whereas botocore would
//! collapse every Unicode whitespace: see `docs/rules.md#header-whitespace`). An obs-fold continuation
//! (`CRLF` or `LF` followed by spaces or tabs, RFC 9112 section 5.2) counts as one space, which is
//! what the suite case `get-header-value-multiline` expects. A header that appears more than
//! once is signed once, its values joined with `,` in arrival order (`get-header-key-duplicate`).
//! Headers are sorted by lowercased name.

use crate::encoding::{encode_str_into, is_unreserved};
use crate::error::{shorten, RequestError};

/// Headers that the signer never signs by default: `authorization` itself, hop-by-hop headers
/// a proxy may change, and headers that clients or proxies add or rewrite after signing
/// (botocore and the aws-sigv4 crate skip `user-agent`, `expect`, `x-amzn-trace-id` and
/// `transfer-encoding` for that reason).
pub const UNSIGNED_BY_DEFAULT: &[&str] = &[
    "authorization",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// Whether `name` is one of [`UNSIGNED_BY_DEFAULT`] (case-insensitively). Only names of the
/// same length are compared: most names a request signs (`host`, `content-type`,
/// `x-amz-date`) have the length of none or one of them.
pub(crate) fn is_unsigned_by_default(name: &str) -> bool {
    const BY_LEN: [u32; 20] = {
        let mut t = [0u32; 20];
        let mut i = 0;
        while i < UNSIGNED_BY_DEFAULT.len() {
            t[UNSIGNED_BY_DEFAULT[i].len()] |= 1 << i;
            i += 1;
        }
        t
    };
    let mut candidates = BY_LEN.get(name.len()).copied().unwrap_or(0);
    while candidates != 0 {
        let i = candidates.trailing_zeros() as usize;
        if UNSIGNED_BY_DEFAULT[i].eq_ignore_ascii_case(name) {
            return true;
        }
        candidates &= candidates - 1;
    }
    false
}

/// Whether `name` is a valid HTTP field name (RFC 9110 `token`).
pub fn is_valid_name(name: &str) -> bool {
    // A fold without an early exit: no branch per byte (names are short and nearly always
    // valid).
    !name.is_empty() && name.bytes().fold(true, |ok, b| ok & TOKEN[usize::from(b)])
}

/// Eight ones, one per byte of a word.
const LO: u64 = 0x0101_0101_0101_0101;
/// The high bit of each byte of a word.
const HI: u64 = 0x8080_8080_8080_8080;

/// Whether a byte of `word` is below `n` (at most 128): the word-at-a-time test of "Bit
/// Twiddling Hacks" (Sean Eron Anderson, "Determine if a word has a byte less than n"). A
/// borrow only starts at a byte below `n`, so the answer is exact.
fn word_has_below(word: u64, n: u8) -> bool {
    word.wrapping_sub(LO * u64::from(n)) & !word & HI != 0
}

/// Whether a byte of `b` is below `n` (at most 128), eight bytes at a time: header values are
/// a few dozen bytes, too short for the compiler's vector loop to pay off.
pub(crate) fn any_below(b: &[u8], n: u8) -> bool {
    let mut chunks = b.chunks_exact(8);
    let mut hit = false;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        hit |= word_has_below(u64::from_le_bytes(w), n);
    }
    let rest = chunks.remainder();
    if rest.is_empty() {
        return hit;
    }
    if b.len() >= 8 {
        // The last eight bytes again, overlapping the words already read.
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[b.len() - 8..]);
        return hit | word_has_below(u64::from_le_bytes(w), n);
    }
    rest.iter().fold(false, |hit, &c| hit | (c < n))
}

/// Whether `name` may hold an ASCII uppercase letter: exact for ASCII text, and `true` for any
/// text with a byte past ASCII (the caller then lowercases byte by byte, which is right for any
/// text). Eight bytes at a time: for an ASCII byte `c`, `c + 0x3f` has its high bit set from
/// `A` on and `c + 0x25` from `[` on, with no carry into the next byte.
fn may_have_upper(name: &[u8]) -> bool {
    let upper =
        |w: u64| w & HI != 0 || (w.wrapping_add(LO * 0x3f) & !w.wrapping_add(LO * 0x25) & HI) != 0;
    let mut chunks = name.chunks_exact(8);
    let mut hit = false;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        hit |= upper(u64::from_le_bytes(w));
    }
    hit | chunks.remainder().iter().fold(false, |hit, &c| {
        hit | c.is_ascii_uppercase() | !c.is_ascii()
    })
}

/// Whether `b` is an RFC 9110 `tchar`, a byte of a valid field name.
pub(crate) fn is_token_byte(b: u8) -> bool {
    TOKEN[usize::from(b)]
}

/// `a.eq_ignore_ascii_case(b)`, quicker on names that are mostly equal as they are: only a
/// byte pair that differs is compared case-folded.
pub(crate) fn eq_names(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .all(|(x, y)| x == y || x.eq_ignore_ascii_case(&y))
}

/// The bytes of an RFC 9110 `token` (`tchar`), as a table: one load per byte, where a search
/// of the punctuation list would cost a loop per byte.
const TOKEN: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric();
        i += 1;
    }
    let punct = b"!#$%&'*+-.^_`|~";
    let mut j = 0;
    while j < punct.len() {
        t[punct[j] as usize] = true;
        j += 1;
    }
    t
};

/// Checks a name and value, returning an error naming the header.
pub fn validate(name: &str, value: &str) -> Result<(), RequestError> {
    validate_line(name, value).map(|_| ())
}

/// [`validate`], also telling whether the header's canonical line is `name:value` as it is:
/// `(name, value)` are `true` when the name has no uppercase letter and when the value has
/// no byte up to `' '` (no space, tab, line break or other control byte). The same scans
/// decide both, so signing need not scan again when it writes the line.
pub(crate) fn validate_line(name: &str, value: &str) -> Result<(bool, bool), RequestError> {
    // One pass over the name for both questions, without an early exit (names are short and
    // nearly always valid). A token is ASCII, so "no uppercase" is exact once it is valid.
    let (token, upper) = name.bytes().fold((true, false), |(ok, up), b| {
        (ok & TOKEN[usize::from(b)], up | b.is_ascii_uppercase())
    });
    if name.is_empty() || !token {
        return Err(RequestError::InvalidHeaderName {
            name: shorten(name),
        });
    }
    let b = value.as_bytes();
    // Most values hold no space or control byte at all: one pass, a word at a time.
    if !any_below(b, b' ' + 1) {
        return Ok((!upper, true));
    }
    for (i, &c) in b.iter().enumerate() {
        let bad = match c {
            0 => true,
            b'\r' => b.get(i + 1) != Some(&b'\n'),
            b'\n' => !matches!(b.get(i + 1), Some(b' ' | b'\t')),
            _ => false,
        };
        if bad {
            return Err(RequestError::InvalidHeaderValue {
                name: shorten(name),
            });
        }
    }
    Ok((!upper, false))
}

/// Which header lines can be written as they are (bit `i` for header `i`, up to 64): `names`
/// where the name has no uppercase letter, `values` where the value is canonical as it is
/// (see [`validate_line`]). A clear bit only means "lowercase or canonicalise while writing",
/// so the default (all clear) is always right.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AsIs {
    pub(crate) names: u64,
    pub(crate) values: u64,
}

impl AsIs {
    /// Records header `i`'s answers from [`validate_line`].
    pub(crate) fn set(&mut self, i: usize, (name, value): (bool, bool)) {
        let bit = 1u64
            .checked_shl(u32::try_from(i).unwrap_or(u32::MAX))
            .unwrap_or(0);
        if name {
            self.names |= bit;
        }
        if value {
            self.values |= bit;
        }
    }

    fn name(self, i: usize) -> bool {
        i < 64 && (self.names >> i) & 1 == 1
    }

    fn value(self, i: usize) -> bool {
        i < 64 && (self.values >> i) & 1 == 1
    }
}

/// The canonical form of one header value (see the module docs). Assumes [`validate`] passed.
pub fn canonical_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    canonical_value_into(&mut out, value);
    out
}

/// Appends [`canonical_value`] to `out` (the fuzz target reuses one buffer for all values).
pub fn canonical_value_into(out: &mut String, value: &str) {
    let b = value.as_bytes();
    // Most values are already canonical: no space, line break or tab at all. Those bytes are
    // all at most `' '`; a value with another control byte (which validation lets through)
    // takes the general path below, which copies it unchanged.
    if !any_below(b, b' ' + 1) {
        out.push_str(value);
        return;
    }
    let start = out.len();
    let mut i = 0;
    let mut last_space = false;
    while i < b.len() {
        let c = b[i];
        let (is_space, next) = match c {
            // An obs-fold: CRLF or LF with the spaces and tabs after it, one space in all.
            b'\r' | b'\n' => {
                let mut j = i + 1 + usize::from(c == b'\r' && b.get(i + 1) == Some(&b'\n'));
                while matches!(b.get(j), Some(b' ' | b'\t')) {
                    j += 1;
                }
                (true, j)
            }
            b' ' => (true, i + 1),
            _ => {
                // Copy the run up to the next space or line break at once.
                let run = b[i..]
                    .iter()
                    .position(|&c| matches!(c, b' ' | b'\r' | b'\n'))
                    .map_or(b.len(), |n| i + n);
                (false, run)
            }
        };
        if is_space {
            if !last_space {
                out.push(' ');
            }
        } else {
            out.push_str(&value[i..next]);
        }
        last_space = is_space;
        i = next;
    }
    let written = &out[start..];
    let lead = written.len() - written.trim_start_matches([' ', '\t']).len();
    let keep = written.trim_end_matches([' ', '\t']).len();
    out.truncate(start + keep);
    if lead > 0 {
        out.replace_range(start..start + lead.min(keep), "");
    }
}

/// Compares header names as their lowercase forms.
fn cmp_lower(a: &str, b: &str) -> std::cmp::Ordering {
    for (x, y) in a.bytes().zip(b.bytes()) {
        // Names are mostly equal as they are up to where they differ: fold only a pair that
        // differs.
        if x != y {
            let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
            if x != y {
                return x.cmp(&y);
            }
        }
    }
    a.len().cmp(&b.len())
}

/// How header lines are written: the rule, or a deviation a faulty client makes (what
/// diagnosis reproduces).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum HeaderStyle {
    /// The rule: trimmed, runs of spaces collapsed, repeats joined with `,`.
    #[default]
    Canonical,
    /// Values as the client had them: not trimmed, inner runs kept.
    Untrimmed,
    /// Every run of whitespace, tabs included, collapsed to one space and the value trimmed
    /// (botocore's `' '.join(value.split())`).
    CollapseAllWhitespace,
    /// A repeated header on a line of its own per value.
    Unjoined,
}

/// Up to how many entries [`SortedHeaders`] sorts by insertion (as many as it keeps on the
/// stack).
const INSERTION_SORT_MAX: usize = 16;

/// Set on an entry of [`SortedHeaders`] whose name is that of the entry before it.
const REPEAT: u32 = 1 << 31;

/// The header index of an entry of [`SortedHeaders::groups`].
pub(crate) fn index(entry: u32) -> usize {
    (entry & !REPEAT) as usize
}

/// The signed headers of a request in canonical order, as indices into the caller's list:
/// sorted by lowercased name, a repeated name's entries in arrival order. Kept on the stack
/// up to 16 headers (a request signs fewer; each slot is cleared and moved on every signature).
pub(crate) struct SortedHeaders {
    stack: [u32; 16],
    heap: Vec<u32>,
    n: usize,
}

impl SortedHeaders {
    /// Sorts the headers `0..n` (`get(i)` is header `i`) that `keep` accepts by index.
    pub(crate) fn new<'h>(
        n: usize,
        get: impl Fn(usize) -> (&'h str, &'h str),
        keep: impl Fn(usize) -> bool,
    ) -> Self {
        let mut s = Self {
            stack: [0; 16],
            heap: Vec::new(),
            n: 0,
        };
        for i in 0..n {
            if !keep(i) {
                continue;
            }
            let i = u32::try_from(i).unwrap_or(u32::MAX) & !REPEAT;
            if s.n < s.stack.len() {
                s.stack[s.n] = i;
            } else {
                if s.heap.is_empty() {
                    s.heap.extend_from_slice(&s.stack);
                }
                s.heap.push(i);
            }
            s.n += 1;
        }
        let idx = if s.heap.is_empty() {
            &mut s.stack[..s.n]
        } else {
            &mut s.heap[..]
        };
        let order =
            |x: u32, y: u32| cmp_lower(get(x as usize).0, get(y as usize).0).then(x.cmp(&y));
        if idx.len() <= INSERTION_SORT_MAX {
            // A few entries: insertion sort in place, inlined (the library sort would do the
            // same for so few, through a call and its setup).
            for j in 1..idx.len() {
                let mut k = j;
                while k > 0 && order(idx[k], idx[k - 1]).is_lt() {
                    idx.swap(k, k - 1);
                    k -= 1;
                }
            }
        } else {
            idx.sort_unstable_by(|&x, &y| order(x, y));
        }
        // Mark each entry that repeats the name before it, so that walking the groups
        // compares no names.
        for j in (1..idx.len()).rev() {
            if get(idx[j] as usize)
                .0
                .eq_ignore_ascii_case(get(idx[j - 1] as usize).0)
            {
                idx[j] |= REPEAT;
            }
        }
        s
    }

    fn indices(&self) -> &[u32] {
        if self.heap.is_empty() {
            &self.stack[..self.n]
        } else {
            &self.heap
        }
    }

    /// The groups of one name each: the entries of the name, in arrival order (read an
    /// entry's index with [`index`]).
    pub(crate) fn groups(&self) -> impl Iterator<Item = &[u32]> + '_ {
        let idx = self.indices();
        let mut at = 0;
        std::iter::from_fn(move || {
            idx.get(at)?;
            let len = 1 + idx[at + 1..]
                .iter()
                .take_while(|&&i| i & REPEAT != 0)
                .count();
            let group = &idx[at..at + len];
            at += len;
            Some(group)
        })
    }

    /// Appends the canonical header lines, `name:value\n` each, under `style`; where each
    /// group's lowercased name was written goes to `names`.
    /// `as_is` says which names and values need no lowercasing or canonicalising.
    pub(crate) fn write_lines<'h>(
        &self,
        out: &mut String,
        get: impl Fn(usize) -> (&'h str, &'h str) + Copy,
        style: HeaderStyle,
        as_is: AsIs,
        names: &mut NameSpans,
    ) {
        let name = |out: &mut String, i: usize| {
            if as_is.name(i) {
                out.push_str(get(i).0);
            } else {
                push_lower(out, get(i).0);
            }
        };
        let value = |out: &mut String, i: usize| {
            if as_is.value(i) {
                out.push_str(get(i).1);
            } else {
                canonical_value_into(out, get(i).1);
            }
        };
        for group in self.groups() {
            let start = out.len();
            let first = index(group[0]);
            name(out, first);
            names.push(start, out.len());
            if style == HeaderStyle::Unjoined {
                for (j, &i) in group.iter().enumerate() {
                    if j > 0 {
                        name(out, index(i));
                    }
                    out.push(':');
                    value(out, index(i));
                    out.push('\n');
                }
                continue;
            }
            out.push(':');
            for (j, &i) in group.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                match style {
                    HeaderStyle::Untrimmed => out.push_str(get(index(i)).1),
                    HeaderStyle::CollapseAllWhitespace => {
                        for (k, word) in get(index(i)).1.split_whitespace().enumerate() {
                            if k > 0 {
                                out.push(' ');
                            }
                            out.push_str(word);
                        }
                    }
                    HeaderStyle::Canonical | HeaderStyle::Unjoined => value(out, index(i)),
                }
            }
            out.push('\n');
        }
    }

    /// Appends the signed-headers list, `a;b;c`; percent-encoded when `encoded` (`a%3Bb%3Bc`,
    /// as a presigned URL's `X-Amz-SignedHeaders` appears in its canonical query).
    pub(crate) fn write_names<'h>(
        &self,
        out: &mut String,
        get: impl Fn(usize) -> (&'h str, &'h str) + Copy,
        encoded: bool,
    ) {
        // The first entry of each group names it; repeats are marked.
        let mut first = true;
        for &i in self.indices().iter().filter(|&&i| i & REPEAT == 0) {
            if !first {
                out.push_str(if encoded { "%3B" } else { ";" });
            }
            first = false;
            let start = out.len();
            push_lower(out, get(index(i)).0);
            // Names are tokens, nearly always unreserved bytes; encode any other (`!`, `*`).
            if encoded && !out.as_bytes()[start..].iter().all(|&b| is_unreserved(b)) {
                let name = out.split_off(start);
                encode_str_into(out, &name, false);
            }
        }
    }
}

/// Where the lowercased names of the header lines were written, one per signed name: the
/// signed-headers list copies them rather than lowercasing again. Up to 16 kept; past that,
/// the list is written from the headers.
#[derive(Default)]
pub(crate) struct NameSpans {
    /// As `u32` (half the size to clear and move); a text past 4 GiB is written from the
    /// headers.
    at: [(u32, u32); 16],
    n: usize,
}

impl NameSpans {
    fn push(&mut self, start: usize, end: usize) {
        match (
            self.at.get_mut(self.n),
            u32::try_from(start),
            u32::try_from(end),
        ) {
            (Some(slot), Ok(s), Ok(e)) => *slot = (s, e),
            // Past what is kept: the list is written from the headers.
            _ => self.n = self.n.max(self.at.len()),
        }
        self.n += 1;
    }
}

/// The headers a canonical request signs, over two lists: the request's headers (`request`),
/// then headers signing adds (`added`, such as `x-amz-date`), which replace request headers of
/// the same name. `keep` chooses which of the request's headers are signed (the signer skips
/// [`UNSIGNED_BY_DEFAULT`]; a verifier keeps those the `SignedHeaders` list names).
pub(crate) struct SignedHeaders<'r, 'a> {
    request: &'r [(&'a str, &'a str)],
    added: &'r [(&'a str, &'a str)],
    pub(crate) sorted: SortedHeaders,
    /// Which lines can be written as they are ([`Self::with_as_is`]); none by default.
    as_is: AsIs,
}

impl<'r, 'a> SignedHeaders<'r, 'a> {
    pub(crate) fn new(
        request: &'r [(&'a str, &'a str)],
        added: &'r [(&'a str, &'a str)],
        keep: impl Fn(&str) -> bool,
    ) -> Self {
        Self::new_by_index(request, added, |i| keep(request[i].0))
    }

    /// [`Self::new`] with `keep` asked by the request header's index (a verifier that
    /// already matched the headers against its `SignedHeaders` list).
    pub(crate) fn new_by_index(
        request: &'r [(&'a str, &'a str)],
        added: &'r [(&'a str, &'a str)],
        keep: impl Fn(usize) -> bool,
    ) -> Self {
        let n = request.len();
        let get = move |i: usize| get_header(request, added, i);
        let keep = |i: usize| {
            let name = get(i).0;
            i >= n || (keep(i) && !added.iter().any(|(a, _)| a.eq_ignore_ascii_case(name)))
        };
        Self {
            request,
            added,
            sorted: SortedHeaders::new(n + added.len(), get, keep),
            as_is: AsIs::default(),
        }
    }

    /// The signer's choice: every request header but [`UNSIGNED_BY_DEFAULT`], and `added`.
    /// `as_is` is what [`validate_line`] said of the request's headers: their lines are
    /// written without lowercasing or canonicalising where it allows (the added headers are
    /// looked at here).
    pub(crate) fn for_signing(
        request: &'r [(&'a str, &'a str)],
        added: &'r [(&'a str, &'a str)],
        mut as_is: AsIs,
    ) -> Self {
        let n = request.len();
        for (j, (name, value)) in added.iter().enumerate() {
            as_is.set(
                n + j,
                (
                    !may_have_upper(name.as_bytes()),
                    !any_below(value.as_bytes(), b' ' + 1),
                ),
            );
        }
        let mut signed = Self::new(request, added, |name| !is_unsigned_by_default(name));
        signed.as_is = as_is;
        signed
    }

    pub(crate) fn getter(&self) -> impl Fn(usize) -> (&'a str, &'a str) + Copy + 'r {
        let (request, added) = (self.request, self.added);
        move |i| get_header(request, added, i)
    }

    /// Appends the canonical header lines; where each name was written goes to `names`
    /// (the caller's, so that it is not moved on return).
    pub(crate) fn write_lines(&self, out: &mut String, style: HeaderStyle, names: &mut NameSpans) {
        self.sorted
            .write_lines(out, self.getter(), style, self.as_is, names);
    }

    /// Appends the signed-headers list, copying the names from the header lines `names`
    /// points at in `out`.
    pub(crate) fn copy_names(&self, out: &mut String, names: &NameSpans) {
        if names.n > names.at.len() {
            return self.write_names(out);
        }
        for (j, &(start, end)) in names.at[..names.n].iter().enumerate() {
            if j > 0 {
                out.push(';');
            }
            out.extend_from_within(start as usize..end as usize);
        }
    }

    /// Appends the signed-headers list.
    pub(crate) fn write_names(&self, out: &mut String) {
        self.sorted.write_names(out, self.getter(), false);
    }

    /// Appends the signed-headers list percent-encoded, as the `X-Amz-SignedHeaders` value of
    /// a presigned URL appears in its canonical query (`a%3Bb`).
    pub(crate) fn write_names_encoded(&self, out: &mut String) {
        self.sorted.write_names(out, self.getter(), true);
    }
}

fn get_header<'a>(
    request: &[(&'a str, &'a str)],
    added: &[(&'a str, &'a str)],
    i: usize,
) -> (&'a str, &'a str) {
    match request.get(i) {
        Some(h) => *h,
        None => added.get(i - request.len()).copied().unwrap_or(("", "")),
    }
}

fn push_lower(out: &mut String, name: &str) {
    if may_have_upper(name.as_bytes()) {
        let start = out.len();
        out.push_str(name);
        out[start..].make_ascii_lowercase();
    } else {
        out.push_str(name);
    }
}

/// Headers ready for the canonical request: lowercased names, sorted, values joined.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CanonicalHeaders {
    entries: Vec<(String, String)>,
}

impl CanonicalHeaders {
    /// Canonicalises `headers` (already validated), keeping those `sign` accepts by their
    /// lowercased name.
    pub fn new<'h>(
        headers: impl IntoIterator<Item = (&'h str, &'h str)>,
        mut sign: impl FnMut(&str) -> bool,
    ) -> Self {
        // One buffer for the lowercased names, not a `String` per header.
        let mut lower = String::new();
        let kept: Vec<(&str, &str)> = headers
            .into_iter()
            .filter(|(n, _)| {
                lower.clear();
                lower.push_str(n);
                lower.make_ascii_lowercase();
                sign(&lower)
            })
            .collect();
        let get = |i: usize| kept[i];
        let sorted = SortedHeaders::new(kept.len(), get, |_| true);
        let mut lines = String::new();
        let mut names = NameSpans::default();
        sorted.write_lines(
            &mut lines,
            get,
            HeaderStyle::Canonical,
            AsIs::default(),
            &mut names,
        );
        Self::parse(&lines)
    }

    /// The header block of a canonical request (`name:value` lines) read back.
    pub(crate) fn parse(lines: &str) -> Self {
        let entries = lines
            .split('\n')
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (n, v) = l.split_once(':').unwrap_or((l, ""));
                (n.to_owned(), v.to_owned())
            })
            .collect();
        Self { entries }
    }

    /// `(name, value)` pairs in canonical order.
    pub fn entries(&self) -> &[(String, String)] {
        &self.entries
    }

    /// Whether a header of this lowercased name is signed.
    pub fn contains(&self, lname: &str) -> bool {
        self.entries.iter().any(|(n, _)| n == lname)
    }

    /// The signed-headers list, `a;b;c`.
    pub fn signed_headers(&self) -> String {
        let mut s = String::new();
        let mut last: Option<&str> = None;
        for (n, _) in &self.entries {
            if last == Some(n.as_str()) {
                continue;
            }
            if last.is_some() {
                s.push(';');
            }
            s.push_str(n);
            last = Some(n);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_stack_the_list_is_the_same() {
        // Past 16 signed names the sort goes to the heap and the signed-headers list is
        // written from the headers instead of copied from the lines: the same list either way,
        // and the plain sort of the lowercased names.
        for n in 0..40 {
            let names: Vec<String> = (0..n)
                .map(|i| format!("{}-H{}", ["b", "A", "c"][i % 3], (n - i) % 13))
                .collect();
            let request: Vec<(&str, &str)> = names.iter().map(|s| (s.as_str(), "v")).collect();
            let signed =
                SignedHeaders::for_signing(&request, &[("x-amz-date", "d")], AsIs::default());
            let mut out = String::new();
            let mut spans = NameSpans::default();
            signed.write_lines(&mut out, HeaderStyle::default(), &mut spans);
            let at = out.len();
            signed.copy_names(&mut out, &spans);
            let mut written = String::new();
            signed.write_names(&mut written);
            assert_eq!(out[at..], written, "{n} headers");
            let mut want: Vec<String> = names.iter().map(|s| s.to_ascii_lowercase()).collect();
            want.push("x-amz-date".into());
            want.sort();
            want.dedup();
            assert_eq!(written, want.join(";"), "{n} headers");
        }
    }

    #[test]
    fn trims_collapses_and_unfolds() {
        assert_eq!(canonical_value("  a   b    c  "), "a b c");
        assert_eq!(canonical_value("\"a   b   c\""), "\"a b c\"");
        assert_eq!(
            canonical_value("value1\n  value2\n     value3"),
            "value1 value2 value3"
        );
        assert_eq!(canonical_value("\ta\tb\t"), "a\tb");
        assert_eq!(canonical_value("ሴ  é"), "ሴ é");
        assert_eq!(canonical_value("a \t b"), "a \t b");
        assert_eq!(canonical_value(""), "");
        assert_eq!(canonical_value(" \t "), "");
        assert_eq!(canonical_value("\t  x"), "x");
    }

    #[test]
    fn joins_repeats_in_arrival_order_and_sorts() {
        let h = CanonicalHeaders::new(
            [
                ("My-Header1", "value2"),
                ("Host", "h"),
                ("my-header1", "value1"),
            ],
            |_| true,
        );
        assert_eq!(
            h.entries(),
            &[
                ("host".into(), "h".into()),
                ("my-header1".into(), "value2,value1".into())
            ]
        );
        assert_eq!(h.signed_headers(), "host;my-header1");
    }

    proptest::proptest! {
        // The word-at-a-time scans against byte-by-byte ones, on any bytes and lengths
        // around the word size.
        #[test]
        fn any_below_is_a_byte_scan(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40), n in 0u8..=128) {
            proptest::prop_assert_eq!(any_below(&b, n), b.iter().any(|&c| c < n));
        }

        #[test]
        fn may_have_upper_misses_no_capital(name in "[ -~\u{80}-\u{10ffff}]{0,30}") {
            if !may_have_upper(name.as_bytes()) {
                proptest::prop_assert!(!name.bytes().any(|c| c.is_ascii_uppercase()));
            }
            if name.is_ascii() {
                proptest::prop_assert_eq!(
                    may_have_upper(name.as_bytes()),
                    name.bytes().any(|c| c.is_ascii_uppercase())
                );
            }
            let mut out = String::from("x");
            push_lower(&mut out, &name);
            proptest::prop_assert_eq!(&out[1..], name.to_ascii_lowercase());
        }

        #[test]
        fn cmp_lower_is_the_lowercase_order(a in "[a-zA-Z0-9_-]{0,12}", b in "[a-zA-Z0-9_-]{0,12}") {
            proptest::prop_assert_eq!(cmp_lower(&a, &b), a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase()));
        }

        // A value with no space, tab or line break is canonical as it is, whichever path
        // copies it (other control bytes take the general path).
        #[test]
        fn values_without_whitespace_are_kept(v in "[\u{1}-\u{8}\u{b}\u{c}\u{e}-\u{1f}!-~é]{0,30}") {
            proptest::prop_assert_eq!(canonical_value(&v), v);
        }
    }

    proptest::proptest! {
        // Lines written as they are where `validate_line` allows are the lines the general
        // path writes (lowercasing and canonicalising every one), in every style, with
        // repeated names, the signed-headers list after them, and the added headers too.
        #[test]
        fn as_is_lines_are_the_general_lines(
            headers in proptest::collection::vec(
                ("[hHxX][-aA]{0,2}", "[ \t]{0,2}[a-c\u{1}]{0,3}(  |\t|\r\n |\n\t)?[a-c]{0,2}[ \t]{0,2}"),
                0..8,
            ),
            date in "[0-9TZ ]{0,4}",
        ) {
            let request: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let mut as_is = AsIs::default();
            for (i, (n, v)) in request.iter().enumerate() {
                let (name, value) = validate_line(n, v).expect("valid by construction");
                proptest::prop_assert_eq!(name, !n.bytes().any(|b| b.is_ascii_uppercase()));
                proptest::prop_assert_eq!(value, !v.bytes().any(|b| b <= b' '));
                proptest::prop_assert!(validate(n, v).is_ok());
                as_is.set(i, (name, value));
            }
            let added = [("x-amz-date", date.as_str())];
            let fast = SignedHeaders::for_signing(&request, &added, as_is);
            let general = SignedHeaders::for_signing(&request, &added, AsIs::default());
            for style in [
                HeaderStyle::Canonical,
                HeaderStyle::Untrimmed,
                HeaderStyle::CollapseAllWhitespace,
                HeaderStyle::Unjoined,
            ] {
                let write = |signed: &SignedHeaders<'_, '_>| {
                    let mut out = String::new();
                    let mut spans = NameSpans::default();
                    signed.write_lines(&mut out, style, &mut spans);
                    signed.copy_names(&mut out, &spans);
                    out
                };
                proptest::prop_assert_eq!(write(&fast), write(&general));
            }
        }

        // `validate_line` rejects what `validate` rejected before it was built on it: a name
        // that is not a token, a NUL, a CR without LF, an LF without a space or tab after it.
        #[test]
        fn validate_line_rejects_as_before(name in "[ -~]{0,4}", value in "[\0\t\r\n a]{0,5}") {
            let token = !name.is_empty() && name.bytes().all(is_token_byte);
            let b = value.as_bytes();
            let bad_value = b.iter().enumerate().any(|(i, &c)| match c {
                0 => true,
                b'\r' => b.get(i + 1) != Some(&b'\n'),
                b'\n' => !matches!(b.get(i + 1), Some(b' ' | b'\t')),
                _ => false,
            });
            let got = validate_line(&name, &value);
            let is_name_error = matches!(got, Err(RequestError::InvalidHeaderName { .. }));
            let is_value_error = matches!(got, Err(RequestError::InvalidHeaderValue { .. }));
            match (token, bad_value) {
                (false, _) => proptest::prop_assert!(is_name_error),
                (true, true) => proptest::prop_assert!(is_value_error),
                (true, false) => proptest::prop_assert!(got.is_ok()),
            }
        }
    }

    proptest::proptest! {
        // The sort, by insertion up to 16 entries and the library's past that, is the order
        // of (lowercased name, arrival), with repeats marked.
        #[test]
        fn sorted_is_lowercase_name_then_arrival(names in proptest::collection::vec("[aAbB]{1,2}", 0..24)) {
            let get = |i: usize| (names[i].as_str(), "");
            let sorted = SortedHeaders::new(names.len(), get, |_| true);
            let mut want: Vec<usize> = (0..names.len()).collect();
            want.sort_by_key(|&i| (names[i].to_ascii_lowercase(), i));
            let got: Vec<usize> = sorted.indices().iter().map(|&e| index(e)).collect();
            proptest::prop_assert_eq!(&got, &want);
            for (j, &e) in sorted.indices().iter().enumerate() {
                let repeat = j > 0 && names[want[j]].eq_ignore_ascii_case(&names[want[j - 1]]);
                proptest::prop_assert_eq!(e & REPEAT != 0, repeat);
            }
        }
    }

    #[test]
    fn unsigned_by_default_by_length() {
        for name in UNSIGNED_BY_DEFAULT {
            assert!(is_unsigned_by_default(name));
            assert!(is_unsigned_by_default(&name.to_ascii_uppercase()));
            assert!(!is_unsigned_by_default(&name[1..]));
        }
        for name in [
            "host",
            "content-type",
            "x-amz-date",
            "",
            "authorizatio",
            "tE",
        ] {
            let want = UNSIGNED_BY_DEFAULT
                .iter()
                .any(|u| u.eq_ignore_ascii_case(name));
            assert_eq!(is_unsigned_by_default(name), want, "{name}");
        }
    }

    #[test]
    fn validates() {
        assert!(validate("X-Ok", "fine\r\n folded").is_ok());
        assert!(validate("Bad Name", "v").is_err());
        assert!(validate("", "v").is_err());
        assert!(validate("X", "a\nb").is_err());
        assert!(validate("X", "a\rb").is_err());
        assert!(validate("X", "a\0").is_err());
    }
}
