//! The canonical query string.
//!
//! Each `&`-separated parameter is split at its first `=` (a key without `=` has the empty
//! value, so `?acl` signs as `acl=`), decoded, and re-encoded with [`crate::encoding`]'s
//! rule: unreserved characters kept, everything else `%XX` in uppercase hex, space as `%20`.
//! Parameters are sorted by encoded key, then by encoded value, byte for byte; repeated keys are
//! all kept. Empty parameters (`a=1&&b=2`, a trailing `&`) are dropped.
//!
//! # A raw `+`
//!
//! A `+` in the query string is decoded as a **space** and so signs as `%20`; a plus sign sent
//! as `%2B` signs as `%2B`. The evidence, and why this rule:
//!
//! * AWS's own SDK signers, the aws-sigv4 crate (Rust SDK) and aws-sdk-go-v2, decode `+` as a
//!   space before signing (`docs/rules.md#raw-plus`); AWS's services read query strings with HTML-form
//!   decoding, where `+` is a space.
//! * S3 accepts both readings: a URL whose spaces are sent as `+` with `%20` in the signature is
//!   accepted (aws4fetch#83, "AWS S3 currently accepts both representations"), and so is a raw
//!   `+` signed as `%2B` (curl#20543, tested against S3 with ListObjectsV2 continuation tokens).
//!   S3-compatible servers do not all do so. The verifier therefore accepts both readings for S3
//!   and names the one a client used.
//! * Other signers disagree: botocore signs the query bytes as given (a literal `+`), reqsign
//!   encodes it as `%2B`, and curl encoded both `+` and space to `%20` until curl#20550.
//!
//! The unambiguous request never has a raw `+`: send `%20` or `%2B`. The vector
//! `vectors/cases/get-query-raw-plus` pins the rule.
//!
//! A `%` that does not start a valid `%XX` triplet is taken literally and signs as `%25`.

#[cfg(test)]
use crate::encoding::encode_into;
use crate::encoding::{
    decode_query_component_with, encode_str_into, is_unreserved, pct_at, reencode_query_component,
};

/// One query parameter, encoded for the canonical request (the tests' reference model).
#[cfg(test)]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct EncodedParam {
    /// Encoded key.
    pub key: String,
    /// Encoded value.
    pub value: String,
}

#[cfg(test)]
impl EncodedParam {
    /// Encodes an already-decoded key and value.
    fn from_decoded(key: &[u8], value: &[u8]) -> Self {
        let mut k = String::with_capacity(key.len());
        encode_into(&mut k, key, false);
        let mut v = String::with_capacity(value.len());
        encode_into(&mut v, value, false);
        Self { key: k, value: v }
    }
}

/// Splits a raw query string (without the `?`) into decoded key/value pairs, in order.
pub fn parse_query(query: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    parse_query_with(query, true)
}

/// [`parse_query`], with a raw `+` kept as a plus sign unless `plus_is_space` (S3 accepts
/// both readings; see the module docs).
pub fn parse_query_with(query: &str, plus_is_space: bool) -> Vec<(Vec<u8>, Vec<u8>)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                decode_query_component_with(k, plus_is_space),
                decode_query_component_with(v, plus_is_space),
            )
        })
        .collect()
}

/// Builds the canonical query from the raw query string plus extra, already-decoded
/// parameters (the `X-Amz-*` parameters of a presigned request).
pub fn canonical_query(query: &str, extra: &[(&str, &str)]) -> String {
    // No skip function: the signer's own path (`canonical_request.rs`), which copies a query
    // that is already canonical as it is and decodes no key to ask whether to skip it.
    canonical_query_with(query, extra, None)
}

/// [`canonical_query`] leaving out the parameters of the request whose decoded key `skip`
/// accepts (a verifier leaves out `X-Amz-Signature`).
pub fn canonical_query_without(
    query: &str,
    extra: &[(&str, &str)],
    skip: impl Fn(&[u8]) -> bool,
) -> String {
    canonical_query_with(query, extra, Some(&skip))
}

/// [`canonical_query_without`] with the skip function optional.
fn canonical_query_with(query: &str, extra: &[(&str, &str)], skip: Option<&SkipFn<'_>>) -> String {
    // Room for the parameters written once encoded as they are (the scratch area) and once
    // sorted, when little needs encoding: usually one allocation.
    let given = query.len()
        + extra
            .iter()
            .map(|(k, v)| k.len() + v.len() + 2)
            .sum::<usize>();
    let extra: Vec<AddedParam<'_>> = extra
        .iter()
        .map(|&(k, v)| AddedParam::Decoded(k, v))
        .collect();
    let mut out = String::with_capacity(2 * given);
    canonical_query_into(&mut out, query, &extra, skip, QueryStyle::Canonical);
    out
}

/// A parameter a signature adds to the query (the `X-Amz-*` parameters of a presigned request).
#[derive(Debug, Clone, Copy)]
pub(crate) enum AddedParam<'p> {
    /// A decoded key and value: the writer encodes them.
    Decoded(&'p str, &'p str),
    /// Parameters already encoded and in canonical order, `k=v&k=v`, written in the output
    /// buffer itself before the canonical request (presigning knows its parameters' shape,
    /// so it writes them encoded once; see `query_auth.rs`).
    Encoded(EncodedRun),
}

use crate::sign::Span as TextSpan;

/// Where an [`AddedParam::Encoded`] run lies in the output buffer, and where its first
/// parameter ends and its last one starts (each split at its `=`): what the copy path
/// compares with the query's parameters. Its writer knows them; [`EncodedRun::scan`] finds
/// them in any run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EncodedRun {
    /// The whole run, `k=v&k=v`.
    pub(crate) span: TextSpan,
    /// The first parameter's `=` and its end (its `&`, or the run's end).
    pub(crate) first: (usize, usize),
    /// The last parameter's start and its `=`.
    pub(crate) last: (usize, usize),
}

impl EncodedRun {
    /// The run at `span` of `text`, its first and last parameters found by scanning. Each
    /// parameter of a run has its `=`.
    pub(crate) fn scan(text: &str, span: TextSpan) -> Self {
        let b = &text.as_bytes()[..span.end];
        let first_end = b[span.start..]
            .iter()
            .position(|&c| c == b'&')
            .map_or(span.end, |i| span.start + i);
        let last_start = b[span.start..]
            .iter()
            .rposition(|&c| c == b'&')
            .map_or(span.start, |i| span.start + i + 1);
        let eq = |from: usize, to: usize| {
            b[from..to]
                .iter()
                .position(|&c| c == b'=')
                .map_or(to, |i| from + i)
        };
        Self {
            span,
            first: (eq(span.start, first_end), first_end),
            last: (last_start, eq(last_start, span.end)),
        }
    }
}

/// Which decoded keys [`canonical_query_into`] leaves out.
pub(crate) type SkipFn<'f> = dyn Fn(&[u8]) -> bool + 'f;

/// How the query is canonicalised: the rule, or a deviation a faulty client makes (what
/// diagnosis reproduces).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum QueryStyle {
    /// The rule.
    #[default]
    Canonical,
    /// Arrival order, not sorted.
    Unsorted,
    /// `+` for spaces.
    PlusForSpace,
    /// Lowercase hex digits.
    LowercaseHex,
    /// A raw `+` read as a plus sign (`%2B`).
    LiteralPlus,
}

/// Where one encoded parameter lies in the scratch area: key `[start, eq)`, value
/// `[eq, end)`; and the key's first 8 bytes, for sorting.
#[derive(Clone, Copy, Default)]
struct Span {
    start: usize,
    eq: usize,
    end: usize,
    prefix: u64,
}

impl Span {
    /// The parameter written at `start..end` of `out`, its key ending at `eq`.
    fn new(out: &str, start: usize, eq: usize) -> Self {
        let mut first = [0u8; 8];
        let key = &out.as_bytes()[start..eq];
        let n = key.len().min(8);
        first[..n].copy_from_slice(&key[..n]);
        Self {
            start,
            eq,
            end: out.len(),
            prefix: u64::from_be_bytes(first),
        }
    }
}

/// Orders parameters by key, then value, byte for byte. Most keys differ in their first 8
/// bytes, which compare as one integer: an encoded key has no NUL byte, so padding a short
/// key with zeros keeps a prefix before the keys it starts. With equal prefixes and one key
/// of at most 8 bytes, that key is a prefix of the other (its padding zeros matched real
/// bytes only where the other key ends too), so the shorter sorts first and equal lengths
/// mean equal keys, with no byte comparison (in the fuzz target each `memcmp` also goes
/// through libFuzzer's interceptor); otherwise the bytes after the first 8.
fn by_key_then_value(bytes: &[u8], x: &Span, y: &Span) -> std::cmp::Ordering {
    let (kx, ky) = (&bytes[x.start..x.eq], &bytes[y.start..y.eq]);
    x.prefix
        .cmp(&y.prefix)
        .then_with(|| {
            if kx.len().min(ky.len()) <= 8 {
                kx.len().cmp(&ky.len())
            } else {
                kx[8..].cmp(&ky[8..])
            }
        })
        .then_with(|| bytes[x.eq..x.end].cmp(&bytes[y.eq..y.end]))
}

/// Sorts `spans` by [`by_key_then_value`]. Up to 128 parameters (the most 256 bytes of query
/// hold) by binary insertion in place: each parameter's place found by a binary search
/// among those before it, the ones after it moved up by one; a query in exactly descending
/// order (a reversed canonical one) is reversed instead. A few lines of code, where the
/// general sort instantiates its whole machinery (in the fuzz target a general sort of 16 to
/// 30 parameters cost ~21,000 instructions and dozens of coverage counters). The moves grow
/// with the square of the count, so past 128 the general sort. Parameters that compare equal
/// are equal byte for byte, so stability does not show.
fn sort_spans(bytes: &[u8], spans: &mut [Span]) {
    if spans.len() > 128 {
        spans.sort_unstable_by(|x, y| by_key_then_value(bytes, x, y));
        return;
    }
    if spans.len() <= 8 {
        // Few (most signed queries): by linear insertion, which needs no search or move call.
        for i in 1..spans.len() {
            let mut j = i;
            while j > 0 && by_key_then_value(bytes, &spans[j - 1], &spans[j]).is_gt() {
                spans.swap(j - 1, j);
                j -= 1;
            }
        }
        return;
    }
    if spans
        .windows(2)
        .all(|w| by_key_then_value(bytes, &w[0], &w[1]).is_gt())
    {
        spans.reverse();
        return;
    }
    for i in 1..spans.len() {
        let x = spans[i];
        let at = spans[..i].partition_point(|s| by_key_then_value(bytes, s, &x).is_le());
        spans.copy_within(at..i, at + 1);
        spans[at] = x;
    }
}

/// Spans on the stack, spilling to the heap past 32.
struct Spans {
    stack: [Span; 32],
    n: usize,
    heap: Vec<Span>,
}

impl Spans {
    fn push(&mut self, span: Span) {
        if self.n < self.stack.len() {
            self.stack[self.n] = span;
        } else {
            if self.heap.is_empty() {
                self.heap.extend_from_slice(&self.stack);
            }
            self.heap.push(span);
        }
        self.n += 1;
    }

    fn as_mut_slice(&mut self) -> &mut [Span] {
        if self.heap.is_empty() {
            &mut self.stack[..self.n]
        } else {
            &mut self.heap
        }
    }
}

/// Appends [`canonical_query_without`] to `out` under `style`, allocating nothing for up to
/// 32 parameters (when `out` has room).
///
/// A query that is already canonical (every parameter encoded as the rule encodes it, with its
/// `=`, in sorted order), with no added parameters or one [`AddedParam::Encoded`] run that
/// fits between two of its parameters, is copied as it is, the run at its place: that is
/// what sorting would give, byte for byte, and it is the usual shape of a presigned URL.
/// Otherwise the parameters are first written encoded, in arrival order, as a scratch area at
/// the end of `out`; then sorted by key and value; then copied in order after the scratch
/// area, which is finally cut out.
pub(crate) fn canonical_query_into(
    out: &mut String,
    query: &str,
    extra: &[AddedParam<'_>],
    skip: Option<&SkipFn<'_>>,
    style: QueryStyle,
) {
    let plus_is_space = style != QueryStyle::LiteralPlus;
    if query.is_empty() && extra.is_empty() {
        return;
    }
    if style == QueryStyle::Canonical && skip.is_none() && copy_if_canonical(out, query, extra) {
        return;
    }
    let start = out.len();
    let mut spans = Spans {
        stack: [Span::default(); 32],
        n: 0,
        heap: Vec::new(),
    };
    for p in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        if let Some(skip) = skip {
            if skip(&decode_query_component_with(k, true)) {
                continue;
            }
        }
        let s = out.len();
        reencode_query_component(out, k, plus_is_space);
        restyle(out, s, style);
        let eq = out.len();
        reencode_query_component(out, v, plus_is_space);
        restyle(out, eq, style);
        spans.push(Span::new(out, s, eq));
    }
    for added in extra {
        match *added {
            AddedParam::Decoded(k, v) => {
                let s = out.len();
                encode_str_into(out, k, false);
                restyle(out, s, style);
                let eq = out.len();
                encode_str_into(out, v, false);
                restyle(out, eq, style);
                spans.push(Span::new(out, s, eq));
            }
            AddedParam::Encoded(EncodedRun { span: run, .. }) => {
                let mut at = run.start;
                while at < run.end {
                    let end = out[at..run.end].find('&').map_or(run.end, |i| at + i);
                    let eq = out[at..end].find('=').map_or(end, |i| at + i);
                    let s = out.len();
                    out.extend_from_within(at..eq);
                    restyle(out, s, style);
                    let e = out.len();
                    out.extend_from_within((eq + 1).min(end)..end);
                    restyle(out, e, style);
                    spans.push(Span::new(out, s, e));
                    at = end + 1;
                }
            }
        }
    }
    let spans = spans.as_mut_slice();
    let scratch_end = out.len();
    if style != QueryStyle::Unsorted {
        sort_spans(out.as_bytes(), spans);
    }
    out.reserve(scratch_end - start + spans.len() * 2);
    for (i, sp) in spans.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend_from_within(sp.start..sp.eq);
        out.push('=');
        out.extend_from_within(sp.eq..sp.end);
    }
    out.drain(start..scratch_end);
}

/// The canonical query's fast path (see [`canonical_query_into`]): when `query` is already
/// canonical and `extra` is empty or one encoded run that sorts as a block between two of
/// its parameters, appends the canonical query and returns true; otherwise appends nothing
/// and returns false.
fn copy_if_canonical(out: &mut String, query: &str, extra: &[AddedParam<'_>]) -> bool {
    let run = match extra {
        [] => None,
        [AddedParam::Encoded(run)] if run.span.start < run.span.end => Some(*run),
        _ => return false,
    };
    let bytes = out.as_bytes();
    // The run's first and last parameters, split at their `=`.
    let ends = run.map(|r| {
        let value = |eq: usize, end: usize| &bytes[(eq + 1).min(end)..end];
        (
            (&bytes[r.span.start..r.first.0], value(r.first.0, r.first.1)),
            (&bytes[r.last.0..r.last.1], value(r.last.1, r.span.end)),
        )
    });
    // Where the run goes: before the first parameter that sorts after its first one.
    let mut at = None;
    let mut prev: Option<(&[u8], &[u8])> = None;
    if !query.is_empty() {
        let q = query.as_bytes();
        let mut start = 0;
        while start <= q.len() {
            let Some((eq, end)) = canonical_param(q, start) else {
                return false;
            };
            let param = (&q[start..eq], &q[eq + 1..end]);
            if prev.is_some_and(|p| param < p) {
                return false;
            }
            if let (None, Some((first, last))) = (at, ends) {
                if param > first {
                    // Every parameter from here on must sort after the whole run.
                    if param < last {
                        return false;
                    }
                    at = Some(start);
                }
            }
            prev = Some(param);
            start = end + 1;
        }
    }
    let Some(EncodedRun { span: run, .. }) = run else {
        out.push_str(query);
        return true;
    };
    match at {
        // After every parameter of the query (or no query at all).
        None => {
            out.push_str(query);
            if !query.is_empty() {
                out.push('&');
            }
            out.extend_from_within(run.start..run.end);
        }
        Some(at) => {
            // `query[..at]` ends with its `&`.
            out.push_str(&query[..at]);
            out.extend_from_within(run.start..run.end);
            out.push('&');
            out.push_str(&query[at..]);
        }
    }
    true
}

/// The parameter of `q` starting at `start`, if it is already canonical: its key and its
/// value hold only unreserved bytes and `%XX` triplets in uppercase hex that stand for
/// reserved bytes, and one `=` separates them. Returns the positions of its `=` and its end
/// (the next `&`, or the end of `q`).
fn canonical_param(q: &[u8], start: usize) -> Option<(usize, usize)> {
    let mut eq = None;
    let mut i = start;
    while i < q.len() {
        let b = q[i];
        if is_unreserved(b) {
            i += 1;
            continue;
        }
        match b {
            b'&' => break,
            b'=' if eq.is_none() => {
                eq = Some(i);
                i += 1;
            }
            b'%' => {
                // Uppercase hex only, and not an unreserved byte written encoded.
                let v = pct_at(&q[i..])?;
                let upper = |c: u8| !c.is_ascii_lowercase();
                if is_unreserved(v) || !upper(q[i + 1]) || !upper(q[i + 2]) {
                    return None;
                }
                i += 3;
            }
            _ => return None,
        }
    }
    // An empty parameter (`&&`, a trailing `&`) is dropped by the rule: not as it is.
    match eq {
        Some(eq) if i > start => Some((eq, i)),
        _ => None,
    }
}

/// Rewrites the encoded component written since `from` under a faulty `style`: `%20` as `+`,
/// or the hex digits of each `%XX` in lowercase. Both keep the length or shorten it, so the
/// spans after `from` are written after this call.
fn restyle(out: &mut String, from: usize, style: QueryStyle) {
    match style {
        QueryStyle::PlusForSpace if out[from..].contains("%20") => {
            let styled = out[from..].replace("%20", "+");
            out.truncate(from);
            out.push_str(&styled);
        }
        QueryStyle::LowercaseHex if out[from..].contains('%') => {
            let styled: String = out[from..]
                .split('%')
                .enumerate()
                .map(|(i, part)| {
                    if i == 0 {
                        return part.to_owned();
                    }
                    let cut = part.len().min(2);
                    format!("%{}{}", part[..cut].to_ascii_lowercase(), &part[cut..])
                })
                .collect();
            out.truncate(from);
            out.push_str(&styled);
        }
        _ => {}
    }
}

#[cfg(test)]
/// Joins encoded parameters as `k=v&k=v`, in the order given.
fn join(params: &[EncodedParam]) -> String {
    let mut out =
        String::with_capacity(params.iter().map(|p| p.key.len() + p.value.len() + 2).sum());
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&p.key);
        out.push('=');
        out.push_str(&p.value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_by_key_then_value_after_encoding() {
        assert_eq!(canonical_query("b=2&a=3&a=1", &[]), "a=1&a=3&b=2");
        assert_eq!(
            canonical_query("Param-3=Value3&Param=Value2&%E1%88%B4=Value1", &[]),
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"
        );
        // Key before value: `a` sorts before `a-b` although `a=` > `a-`.
        assert_eq!(canonical_query("a-b=1&a=2", &[]), "a=2&a-b=1");
        assert_eq!(
            canonical_query("select-type=2&select=1", &[]),
            "select=1&select-type=2"
        );
    }

    proptest::proptest! {
        // The in-place sort gives what sorting decoded-then-encoded parameters gives, also
        // past the 32 parameters kept on the stack.
        #[test]
        fn in_place_matches_sorting_encoded_params(q in "[a-c=&+%2B]{0,200}") {
            let mut params: Vec<EncodedParam> = parse_query(&q)
                .iter()
                .map(|(k, v)| EncodedParam::from_decoded(k, v))
                .collect();
            params.sort();
            proptest::prop_assert_eq!(canonical_query(&q, &[("X-k", "v/1")]), {
                params.push(EncodedParam::from_decoded(b"X-k", b"v/1"));
                params.sort();
                join(&params)
            });
        }
    }

    proptest::proptest! {
        // The prefix comparison orders like comparing the (key, value) bytes, and the sort
        // (up to 8, up to 128 and more parameters; also from descending order) gives the
        // sorted order (texts over a small alphabet around the 8-byte prefix length, so
        // prefixes tie often).
        #[test]
        fn span_order_is_byte_order(
            params in proptest::collection::vec(("[ab%0-9]{0,11}", "[ab%]{0,11}"), 0..140),
        ) {
            let mut text = String::new();
            let mut spans = Vec::new();
            for (k, v) in &params {
                let s = text.len();
                text.push_str(k);
                let eq = text.len();
                text.push_str(v);
                spans.push(Span::new(&text, s, eq));
            }
            let b = text.as_bytes();
            let pair = |s: &Span| (&b[s.start..s.eq], &b[s.eq..s.end]);
            for x in &spans {
                for y in &spans {
                    proptest::prop_assert_eq!(by_key_then_value(b, x, y), pair(x).cmp(&pair(y)));
                }
            }
            let mut want: Vec<_> = spans.iter().map(pair).collect();
            want.sort();
            sort_spans(b, &mut spans);
            let got: Vec<_> = spans.iter().map(pair).collect();
            proptest::prop_assert_eq!(&got, &want);
            // In descending order (the reversal shortcut when all differ).
            spans.reverse();
            sort_spans(b, &mut spans);
            let got: Vec<_> = spans.iter().map(pair).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    proptest::proptest! {
        // Added parameters given as one encoded run give what the same parameters, decoded,
        // give: under every style, whether the query is copied as it is (already canonical,
        // the run sorting as a block) or sorted (user keys inside the run's range too).
        #[test]
        fn encoded_run_matches_decoded(q in "((X-Amz-[A-Z]|[a-c]|X|%2[0B])(=[a-c%2B+]{0,3})?&?){0,6}") {
            let decoded = [("X-Amz-A", "1/2"), ("X-Amz-C", "x y"), ("X-Amz-S", "h;k")];
            let run_text = "X-Amz-A=1%2F2&X-Amz-C=x%20y&X-Amz-S=h%3Bk";
            let extra: Vec<AddedParam<'_>> =
                decoded.iter().map(|&(k, v)| AddedParam::Decoded(k, v)).collect();
            for style in [
                QueryStyle::Canonical,
                QueryStyle::Unsorted,
                QueryStyle::PlusForSpace,
                QueryStyle::LowercaseHex,
                QueryStyle::LiteralPlus,
            ] {
                let mut want = String::new();
                canonical_query_into(&mut want, &q, &extra, None, style);
                let mut out = String::from(run_text);
                let run = EncodedRun::scan(&out, TextSpan { start: 0, end: out.len() });
                canonical_query_into(&mut out, &q, &[AddedParam::Encoded(run)], None, style);
                proptest::prop_assert_eq!(&out[run_text.len()..], want.as_str(), "{:?}", style);
            }
        }
    }

    proptest::proptest! {
        // `canonical_query` (no skip function: an already canonical query is copied as it is)
        // gives what the sorting path gives (`canonical_query_without` always sorts).
        #[test]
        fn canonical_query_matches_the_sorting_path(
            q in "(([a-c]|%2[0BF]|%4[1a]|~)*(=([a-c]|%2[0B]|\\+|=)*)?&?){0,6}",
        ) {
            proptest::prop_assert_eq!(
                canonical_query(&q, &[]),
                canonical_query_without(&q, &[], |_| false)
            );
        }
    }

    #[test]
    fn copies_a_canonical_query_with_the_run_in_place() {
        let run_text = "X-Amz-A=1&X-Amz-B=2";
        let run = TextSpan {
            start: 0,
            end: run_text.len(),
        };
        for (q, want) in [
            ("", "X-Amz-A=1&X-Amz-B=2"),
            ("a=1&b=2", "X-Amz-A=1&X-Amz-B=2&a=1&b=2"),
            ("A=1&Z=2", "A=1&X-Amz-A=1&X-Amz-B=2&Z=2"),
            ("A=1&B=2", "A=1&B=2&X-Amz-A=1&X-Amz-B=2"),
            // Inside the run's range, unsorted, not canonical: sorted as a whole.
            ("X-Amz-AB=3", "X-Amz-A=1&X-Amz-AB=3&X-Amz-B=2"),
            ("b=1&a=2", "X-Amz-A=1&X-Amz-B=2&a=2&b=1"),
            ("a%2b=1&acl", "X-Amz-A=1&X-Amz-B=2&a%2B=1&acl="),
            ("X-Amz-A=1", "X-Amz-A=1&X-Amz-A=1&X-Amz-B=2"),
        ] {
            let mut out = String::from(run_text);
            let run = EncodedRun::scan(&out, run);
            canonical_query_into(
                &mut out,
                q,
                &[AddedParam::Encoded(run)],
                None,
                QueryStyle::Canonical,
            );
            assert_eq!(&out[run_text.len()..], want, "{q}");
        }
    }

    #[test]
    fn valueless_plus_tilde_and_stray_percent() {
        assert_eq!(canonical_query("acl", &[]), "acl=");
        assert_eq!(canonical_query("k=&acl", &[]), "acl=&k=");
        assert_eq!(canonical_query("a=b+c&d=e%2Bf", &[]), "a=b%20c&d=e%2Bf");
        assert_eq!(canonical_query("~k=~v", &[]), "~k=~v");
        assert_eq!(
            canonical_query("p=100%&q=%zz&r=%4", &[]),
            "p=100%25&q=%25zz&r=%254"
        );
        assert_eq!(canonical_query("&&x=1&", &[]), "x=1");
        assert_eq!(
            canonical_query("", &[("X-Amz-Credential", "A/b")]),
            "X-Amz-Credential=A%2Fb"
        );
    }
}
