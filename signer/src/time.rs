//! Signing time: parsing and the two formats SigV4 uses (`20150830T123600Z`, `20150830`).
//!
//! The signer never reads a clock; callers pass a [`SigningTime`].

use crate::error::ParamsError;

/// A point in time with one-second resolution, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SigningTime {
    unix: i64,
}

impl SigningTime {
    /// A time from seconds since the Unix epoch.
    pub fn from_unix_seconds(unix: i64) -> Self {
        Self { unix }
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(self) -> i64 {
        self.unix
    }

    /// Parses RFC 3339 in UTC (`2015-08-30T12:36:00Z`, fractional seconds ignored,
    /// `+00:00` accepted) or the SigV4 basic format (`20150830T123600Z`).
    pub fn parse(input: &str) -> Result<Self, ParamsError> {
        let bad = || ParamsError::InvalidTimestamp {
            input: input.chars().take(64).collect(),
        };
        let b = input.as_bytes();
        let digits = |range: std::ops::Range<usize>| -> Option<i64> {
            let s = b.get(range)?;
            if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
                return None;
            }
            s.iter()
                .try_fold(0i64, |acc, d| Some(acc * 10 + i64::from(d - b'0')))
        };
        let (fields, rest) = if b.len() >= 16 && b.get(8) == Some(&b'T') && b.get(4) != Some(&b'-')
        {
            (
                [
                    digits(0..4),
                    digits(4..6),
                    digits(6..8),
                    digits(9..11),
                    digits(11..13),
                    digits(13..15),
                ],
                &b[15..],
            )
        } else if b.len() >= 20
            && b[4] == b'-'
            && b[7] == b'-'
            && (b[10] == b'T' || b[10] == b't')
            && b[13] == b':'
            && b[16] == b':'
        {
            (
                [
                    digits(0..4),
                    digits(5..7),
                    digits(8..10),
                    digits(11..13),
                    digits(14..16),
                    digits(17..19),
                ],
                &b[19..],
            )
        } else {
            return Err(bad());
        };
        let [Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)] = fields else {
            return Err(bad());
        };
        let mut rest = rest;
        if rest.first() == Some(&b'.') {
            let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return Err(bad());
            }
            rest = &rest[1 + n..];
        }
        if !(rest == b"Z" || rest == b"z" || rest == b"+00:00" || rest == b"-00:00") {
            return Err(bad());
        }
        if !(1..=12).contains(&mo)
            || d < 1
            || d > days_in_month(y, mo)
            || h > 23
            || mi > 59
            || s > 60
        {
            return Err(bad());
        }
        let days = days_from_civil(y, mo, d);
        Ok(Self {
            unix: days * 86_400 + h * 3600 + mi * 60 + s.min(59),
        })
    }

    /// Parses only the SigV4 basic format `YYYYMMDDTHHMMSSZ` (what `X-Amz-Date` must hold).
    pub fn parse_amz_date(input: &str) -> Result<Self, ParamsError> {
        if input.len() == 16 && input.as_bytes()[8] == b'T' && input.ends_with('Z') {
            Self::parse(input)
        } else {
            Err(ParamsError::InvalidTimestamp {
                input: input.chars().take(64).collect(),
            })
        }
    }

    /// Parses an HTTP `Date` header in the IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`,
    /// RFC 9110 section 5.6.7).
    pub fn parse_http_date(input: &str) -> Result<Self, ParamsError> {
        let bad = || ParamsError::InvalidTimestamp {
            input: input.chars().take(64).collect(),
        };
        let parts: Vec<&str> = input.split(' ').collect();
        let [_, day, month, year, hms, "GMT"] = parts.as_slice() else {
            return Err(bad());
        };
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let mo = MONTHS.iter().position(|m| m == month).ok_or_else(bad)? + 1;
        if day.len() != 2 || year.len() != 4 || hms.len() != 8 {
            return Err(bad());
        }
        Self::parse(&format!("{year}-{mo:02}-{day}T{hms}Z")).map_err(|_| bad())
    }

    /// `YYYYMMDDTHHMMSSZ`, the `X-Amz-Date` format.
    pub fn amz_date(self) -> String {
        self.amz_date_str().as_str().to_owned()
    }

    /// `YYYYMMDD`, the date of the credential scope.
    pub fn date_stamp(self) -> String {
        self.date_stamp_str().as_str().to_owned()
    }

    /// [`Self::amz_date`] without allocating.
    pub(crate) fn amz_date_str(self) -> StackStr {
        if let Some(buf) = self.amz_date_bytes() {
            return StackStr::ascii(&buf);
        }
        let (y, mo, d, h, mi, s) = self.fields();
        if let Ok(y @ 0..10_000) = u32::try_from(y) {
            // Years 0 to 9999 (every time a signer sees): digits at fixed places, in `u32`.
            let mut buf = *b"00000000T000000Z";
            let pairs = [y / 100, y % 100, mo as u32, d as u32];
            for (at, v) in [0, 2, 4, 6].into_iter().zip(pairs) {
                buf[at..at + 2].copy_from_slice(&DIGIT_PAIRS[v as usize]);
            }
            for (at, v) in [9, 11, 13].into_iter().zip([h, mi, s]) {
                buf[at..at + 2].copy_from_slice(&DIGIT_PAIRS[v as usize]);
            }
            return StackStr::ascii(&buf);
        }
        let mut out = StackStr::default();
        out.push_date(y, mo, d);
        out.push_byte(b'T');
        for v in [h, mi, s] {
            out.push_2(v);
        }
        out.push_byte(b'Z');
        out
    }

    /// `YYYYMMDDTHHMMSSZ` for a time from 1970 to 9999 (every time a signer sees), in unsigned
    /// 32-bit arithmetic, where divisions by constants are cheapest; `None` outside that range
    /// (then [`Self::fields`] does it in `i64`). The date is the "civil from days" algorithm
    /// published by Howard Hinnant, as in [`civil_from_days`], with its era shift but no
    /// negative days.
    fn amz_date_bytes(self) -> Option<[u8; 16]> {
        // 253,402,300,800 is 10000-01-01T00:00:00Z.
        let unix = u64::try_from(self.unix)
            .ok()
            .filter(|&u| u < 253_402_300_800)?;
        let days = u32::try_from(unix / 86_400).ok()?;
        let secs = (unix % 86_400) as u32;
        let z = days + 719_468;
        let era = z / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + u32::from(m <= 2);
        let mut buf = *b"00000000T000000Z";
        let fields = [
            (0, y / 100),
            (2, y % 100),
            (4, m),
            (6, d),
            (9, secs / 3600),
            (11, secs % 3600 / 60),
            (13, secs % 60),
        ];
        for (at, v) in fields {
            buf[at..at + 2].copy_from_slice(&DIGIT_PAIRS[v as usize % 100]);
        }
        Some(buf)
    }

    /// [`Self::amz_date_str`] of the time [`Self::parse_amz_date`] read from `input`: `input`
    /// itself (its fields are at fixed places, in the same format), but for a leap second,
    /// `60`, which the time holds as `59`.
    pub(crate) fn amz_date_str_of(self, input: &str) -> StackStr {
        let formatted = match input.as_bytes().get(13..15) {
            Some(b"60") | None => self.amz_date_str(),
            Some(_) => StackStr::ascii(input.as_bytes()),
        };
        debug_assert_eq!(formatted.as_str(), self.amz_date_str().as_str());
        formatted
    }

    /// [`Self::date_stamp`] without allocating.
    pub(crate) fn date_stamp_str(self) -> StackStr {
        // The date is the `X-Amz-Date` without its `THHMMSSZ`.
        let amz = self.amz_date_str();
        StackStr::ascii(&amz.buf[..amz.len.saturating_sub(8)])
    }

    /// RFC 3339 with a `Z`, for people and JSON.
    pub fn rfc3339(self) -> String {
        let (y, mo, d, h, mi, s) = self.fields();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }

    fn fields(self) -> (i64, i64, i64, i64, i64, i64) {
        let days = self.unix.div_euclid(86_400);
        let secs = self.unix.rem_euclid(86_400);
        let (y, mo, d) = civil_from_days(days);
        (y, mo, d, secs / 3600, secs % 3600 / 60, secs % 60)
    }
}

/// A short ASCII string on the stack (a formatted time or number).
#[derive(Clone, Copy, Default)]
pub(crate) struct StackStr {
    buf: [u8; 32],
    len: usize,
}

/// `00` to `99`, the two digits of each value below 100.
const DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut t = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        t[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    t
};

impl StackStr {
    /// A copy of `text` (ASCII, at most 32 bytes).
    fn ascii(text: &[u8]) -> Self {
        let mut out = Self::default();
        let n = text.len().min(out.buf.len());
        out.buf[..n].copy_from_slice(&text[..n]);
        out.len = n;
        out
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits, `-`, `T` and `Z` are ever pushed.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }

    fn push_byte(&mut self, b: u8) {
        if self.len < self.buf.len() {
            self.buf[self.len] = b;
            self.len += 1;
        }
    }

    fn push_2(&mut self, v: i64) {
        self.push_byte(b'0' + (v / 10 % 10) as u8);
        self.push_byte(b'0' + (v % 10) as u8);
    }

    /// `v` in decimal, at least `width` digits (zero-padded), with a `-` when negative.
    pub(crate) fn push_int(&mut self, v: i128, width: usize) {
        // Like `format!("{v:0width$}")`: the sign counts towards the width.
        let width = if v < 0 {
            self.push_byte(b'-');
            width.saturating_sub(1)
        } else {
            width
        };
        let mut digits = [0u8; 40];
        let mut n = v.unsigned_abs();
        let mut i = digits.len();
        while n > 0 || digits.len() - i < width.max(1) {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        for &d in &digits[i..] {
            self.push_byte(d);
        }
    }

    fn push_date(&mut self, y: i64, mo: i64, d: i64) {
        if (0..10_000).contains(&y) {
            self.push_2(y / 100);
            self.push_2(y % 100);
        } else {
            self.push_int(i128::from(y), 4);
        }
        self.push_2(mo);
        self.push_2(d);
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Days since 1970-01-01 of a proleptic Gregorian date (the "days from civil" algorithm
// published by Howard Hinnant, written out here).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_suite_timestamp() {
        let t = SigningTime::parse("2015-08-30T12:36:00Z").unwrap();
        assert_eq!(t.unix_seconds(), 1_440_938_160);
        assert_eq!(t.amz_date(), "20150830T123600Z");
        assert_eq!(t.date_stamp(), "20150830");
        assert_eq!(SigningTime::parse("20150830T123600Z").unwrap(), t);
        assert_eq!(SigningTime::parse(&t.rfc3339()).unwrap(), t);
        assert_eq!(
            SigningTime::parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT").unwrap(),
            t
        );
        assert_eq!(SigningTime::parse_amz_date("20150830T123600Z").unwrap(), t);
        assert!(SigningTime::parse_amz_date("2015-08-30T12:36:00Z").is_err());
        assert!(SigningTime::parse_http_date("Sun, 30 Aug 2015 12:36:00 UTC").is_err());
    }

    proptest::proptest! {
        // The stack formatting agrees with std's `format!` padding for every time, including
        // years before 0 and after 9999.
        #[test]
        fn formats_like_std(unix in -100_000_000_000_000i64..100_000_000_000_000) {
            let t = SigningTime::from_unix_seconds(unix);
            let (y, mo, d, h, mi, s) = t.fields();
            proptest::prop_assert_eq!(t.amz_date(), format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z"));
            proptest::prop_assert_eq!(t.date_stamp(), format!("{y:04}{mo:02}{d:02}"));
        }
    }

    proptest::proptest! {
        // The unsigned fast path of `amz_date_str` agrees with the general `i64` fields over
        // its whole range, 1970 to 9999.
        #[test]
        fn fast_amz_date_agrees(unix in 0i64..253_402_300_800) {
            let t = SigningTime::from_unix_seconds(unix);
            let (y, mo, d, h, mi, s) = t.fields();
            let fast = t.amz_date_bytes().map(|b| String::from_utf8_lossy(&b).into_owned());
            proptest::prop_assert_eq!(fast, Some(format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")));
        }
    }

    #[test]
    fn fast_amz_date_edges() {
        for unix in [0, 86_399, 951_782_400, 1_440_938_160, 253_402_300_799] {
            let t = SigningTime::from_unix_seconds(unix);
            let (y, mo, d, h, mi, s) = t.fields();
            assert_eq!(
                t.amz_date(),
                format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
            );
        }
        assert!(SigningTime::from_unix_seconds(-1)
            .amz_date_bytes()
            .is_none());
        assert!(SigningTime::from_unix_seconds(253_402_300_800)
            .amz_date_bytes()
            .is_none());
        assert_eq!(
            SigningTime::from_unix_seconds(253_402_300_800).amz_date(),
            "100000101T000000Z"
        );
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "2015-02-30T00:00:00Z",
            "2015-08-30 12:36:00",
            "2015-08-30T12:36:00+02:00",
            "2015083OT123600Z",
            "ሴሴሴሴ-08-30T12:36:00Z",
        ] {
            assert!(SigningTime::parse(s).is_err(), "{s}");
        }
    }
}
