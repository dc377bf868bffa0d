//! Percent-encoding as SigV4 defines it: RFC 3986 unreserved characters
//! (`A-Z a-z 0-9 - . _ ~`) are kept, every other byte becomes `%XX` with uppercase hex.

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Whether `b` is an RFC 3986 unreserved character.
pub(crate) fn is_unreserved(b: u8) -> bool {
    UNRESERVED[usize::from(b)]
}

/// The RFC 3986 unreserved bytes, as a table (one load per byte).
const UNRESERVED: [bool; 256] = plain_bytes(false);

/// The unreserved bytes and `/`: what a path keeps.
const UNRESERVED_OR_SLASH: [bool; 256] = plain_bytes(true);

const fn plain_bytes(slash: bool) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~')
            || (slash && b == b'/');
        i += 1;
    }
    t
}

/// Appends `b` as `%XX`, uppercase hex.
#[inline]
pub(crate) fn push_pct(out: &mut String, b: u8) {
    let at = 3 * usize::from(b);
    // One append of three bytes, where three `push`es of a `char` would check the capacity
    // and the width of the character three times.
    out.push_str(&PCT_TRIPLETS[at..at + 3]);
}

/// `%XX` for every byte value in order, three bytes each: `%00%01...%FF`.
const PCT_TRIPLETS: &str = {
    const BYTES: [u8; 768] = {
        let mut t = [0u8; 768];
        let mut i = 0;
        while i < 256 {
            t[3 * i] = b'%';
            t[3 * i + 1] = HEX[i >> 4];
            t[3 * i + 2] = HEX[i & 0xf];
            i += 1;
        }
        t
    };
    match std::str::from_utf8(&BYTES) {
        Ok(s) => s,
        Err(_) => panic!("ASCII is UTF-8"),
    }
};

/// Appends `bytes` encoded; `/` is kept when `keep_slash` is set.
pub(crate) fn encode_into(out: &mut String, bytes: &[u8], keep_slash: bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => encode_str_into(out, s, keep_slash),
        // Not UTF-8 (decoded `%XX` bytes): byte by byte.
        Err(_) => {
            for &b in bytes {
                if is_unreserved(b) || (keep_slash && b == b'/') {
                    out.push(char::from(b));
                } else {
                    push_pct(out, b);
                }
            }
        }
    }
}

/// [`encode_into`] for text: runs of bytes kept as they are are ASCII, so they are copied as
/// slices of `s`, with no UTF-8 check per run.
pub(crate) fn encode_str_into(out: &mut String, s: &str, keep_slash: bool) {
    let bytes = s.as_bytes();
    let plain = if keep_slash {
        &UNRESERVED_OR_SLASH
    } else {
        &UNRESERVED
    };
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..]
            .iter()
            .position(|&b| !plain[usize::from(b)])
            .map_or(bytes.len(), |n| i + n);
        if run > i {
            out.push_str(&s[i..run]);
            i = run;
        } else {
            // A run of bytes to encode: room for all of it at once.
            let end = bytes[i..]
                .iter()
                .position(|&b| plain[usize::from(b)])
                .map_or(bytes.len(), |n| i + n);
            out.reserve(3 * (end - i));
            for &b in &bytes[i..end] {
                push_pct(out, b);
            }
            i = end;
        }
    }
}

/// `bytes` encoded, `/` included.
pub fn encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3 / 2);
    encode_into(&mut s, bytes, false);
    s
}

pub(crate) fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The byte a `%XX` triplet at the start of `s` stands for.
pub(crate) fn pct_at(s: &[u8]) -> Option<u8> {
    match s {
        [b'%', h, l, ..] => Some(hex_val(*h)? << 4 | hex_val(*l)?),
        _ => None,
    }
}

/// Decodes a query component: `%XX` triplets become bytes, `+` becomes a space, and
/// a `%` that does not start a valid triplet stays a literal `%`.
/// With `plus_is_space` unset, a `+` stays a plus sign.
pub(crate) fn decode_query_component_with(s: &str, plus_is_space: bool) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if let Some(v) = pct_at(&b[i..]) {
            out.push(v);
            i += 3;
        } else {
            out.push(if plus_is_space && b[i] == b'+' {
                b' '
            } else {
                b[i]
            });
            i += 1;
        }
    }
    out
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    hex_into(&mut s, bytes);
    s
}

/// Appends the lowercase hex of `bytes`.
pub(crate) fn hex_into(out: &mut String, bytes: &[u8]) {
    const LOWER: &[u8; 16] = b"0123456789abcdef";
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(LOWER[usize::from(b >> 4)] as char);
        out.push(LOWER[usize::from(b & 0xf)] as char);
    }
}

/// Lowercase hex of a SHA-256 digest, on the stack: four bytes' digit pairs (from the table)
/// joined into one word and stored at once, eight stores in all rather than 32 pairs and a
/// copy.
pub(crate) fn hex32(bytes: &[u8; 32]) -> Hex32 {
    let mut out = [0u8; 64];
    for (eight, four) in out.chunks_exact_mut(8).zip(bytes.chunks_exact(4)) {
        let pair = |i: usize| u64::from(u16::from_le_bytes(HEX_PAIRS[usize::from(four[i])]));
        let w = pair(0) | pair(1) << 16 | pair(2) << 32 | pair(3) << 48;
        eight.copy_from_slice(&w.to_le_bytes());
    }
    Hex32(out)
}

/// The two lowercase hex digits of each byte value.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const LOWER: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [LOWER[i >> 4], LOWER[i & 0xf]];
        i += 1;
    }
    t
};

/// Hex text of a digest, on the stack. Aligned to a word, so that `str::from_utf8` in
/// [`Hex32::as_str`] takes its word-at-a-time ASCII path from the first byte.
#[derive(Clone, Copy)]
#[repr(align(8))]
pub(crate) struct Hex32([u8; 64]);

impl Hex32 {
    pub(crate) fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only hex digits are written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648 section 4).
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b = [
            group[0],
            group.get(1).copied().unwrap_or(0),
            group.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= group.len() {
                out.push(BASE64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64; padding is optional, anything else outside the alphabet, or a
/// dangling last character (one that carries fewer than 8 bits), is an error (`None`).
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches('=');
    if text.len() - body.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in body.bytes() {
        let v = BASE64.iter().position(|&a| a == c)?;
        acc = (acc << 6) | u32::try_from(v).ok()?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    (bits < 6).then_some(out)
}

/// Decodes a query component (as [`decode_query_component_with`]) and appends it encoded
/// (as [`encode_into`], `/` encoded), without an intermediate buffer.
pub(crate) fn reencode_query_component(out: &mut String, s: &str, plus_is_space: bool) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // A run of unreserved bytes decodes and encodes to itself.
        let run = b[i..]
            .iter()
            .position(|&c| !is_unreserved(c))
            .map_or(b.len(), |n| i + n);
        if run > i {
            out.push_str(&s[i..run]);
            i = run;
            continue;
        }
        let (v, step) = match pct_at(&b[i..]) {
            Some(v) => (v, 3),
            None if plus_is_space && b[i] == b'+' => (b' ', 1),
            None => (b[i], 1),
        };
        if is_unreserved(v) {
            out.push(v as char);
        } else {
            push_pct(out, v);
        }
        i += step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule byte by byte, one `char` at a time (the obvious way).
    fn encode_model(bytes: &[u8], keep_slash: bool) -> String {
        let mut out = String::new();
        for &b in bytes {
            if b.is_ascii_alphanumeric()
                || matches!(b, b'-' | b'.' | b'_' | b'~')
                || (keep_slash && b == b'/')
            {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }

    #[test]
    fn push_pct_is_uppercase_hex_for_every_byte() {
        for b in 0..=255u8 {
            let mut out = String::from("x");
            push_pct(&mut out, b);
            assert_eq!(out, format!("x%{b:02X}"));
        }
    }

    proptest::proptest! {
        // Runs of plain and encoded bytes, text and non-UTF-8 bytes: as the model encodes.
        #[test]
        fn encoding_matches_the_model(
            text in "[a-z/%~ \\u{e9}\\u{2603}:+]{0,40}",
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
            keep_slash in proptest::bool::ANY,
        ) {
            let mut out = String::from("x");
            encode_str_into(&mut out, &text, keep_slash);
            proptest::prop_assert_eq!(&out[1..], encode_model(text.as_bytes(), keep_slash));
            let mut out = String::new();
            encode_into(&mut out, &bytes, keep_slash);
            proptest::prop_assert_eq!(out, encode_model(&bytes, keep_slash));
        }

        // The word-at-a-time hex of a digest is the byte-by-byte one.
        #[test]
        fn hex32_is_hex_into(bytes in proptest::array::uniform32(proptest::num::u8::ANY)) {
            let mut want = String::new();
            hex_into(&mut want, &bytes);
            let got = hex32(&bytes);
            proptest::prop_assert_eq!(got.as_str(), want);
        }
    }

    #[test]
    fn base64_both_ways() {
        // RFC 4648 section 10.
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded);
            assert_eq!(base64_decode(coded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(base64_decode("Zm9v!"), None);
        assert_eq!(base64_decode("Z"), None);
        assert_eq!(base64_decode("Zm9vY"), None);
    }
}
