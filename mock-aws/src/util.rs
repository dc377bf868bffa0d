//! Small encoders: XML escaping, dates, spaced hex, S3 key URL-encoding (hex and base64 are
//! `sigv4_signer::internal`'s).

/// Escapes text for XML content.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn split(unix: i64) -> (i64, u32, u32, i64, i64, i64, i64) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    (y, m, d, secs / 3600, secs % 3600 / 60, secs % 60, days)
}

/// `2015-08-30T12:36:00.000Z`.
pub fn iso8601(unix: i64) -> String {
    let (y, m, d, hh, mm, ss, _) = split(unix);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.000Z")
}

/// `Sun, 30 Aug 2015 12:36:00 GMT`.
pub fn http_date(unix: i64) -> String {
    // The last dates formatted on this thread: GetObject answers the same objects'
    // `Last-Modified` again and again, and objects written over a few seconds have a few
    // dates (one entry missed on every GET that alternated between two of them).
    const KEPT: usize = 8;
    thread_local! {
        static LAST: std::cell::RefCell<Vec<(i64, String)>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((_, s)) = last.iter().find(|(t, _)| *t == unix) {
            return s.clone();
        }
        let s = format_http_date(unix);
        if last.len() >= KEPT {
            last.remove(0);
        }
        last.push((unix, s.clone()));
        s
    })
}

fn format_http_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m, d, hh, mm, ss, days) = split(unix);
    let wd = DAYS[usize::try_from(days.rem_euclid(7)).unwrap_or(0)];
    let mon = MONTHS[usize::try_from(m.saturating_sub(1)).unwrap_or(0) % 12];
    format!("{wd}, {d:02} {mon} {y:04} {hh:02}:{mm:02}:{ss:02} GMT")
}

/// Bytes as AWS S3 shows them in `CanonicalRequestBytes`: hex pairs separated by spaces.
pub fn spaced_hex(s: &str) -> String {
    s.bytes()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Percent-encodes everything but unreserved characters and `/` (S3's `encoding-type=url`).
pub fn url_encode_key(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(http_date(1_440_938_160), "Sun, 30 Aug 2015 12:36:00 GMT");
        assert_eq!(iso8601(1_440_938_160), "2015-08-30T12:36:00.000Z");
        assert_eq!(url_encode_key("a b/c+d"), "a%20b/c%2Bd");
    }

    /// The cache of formatted dates answers what formatting answers, for dates that come
    /// back and dates past what it keeps.
    #[test]
    fn cached_dates_as_formatted() {
        for round in 0..3 {
            for t in (0..20).chain((0..3).rev()) {
                let unix = 1_440_938_160 + t * 61 + round;
                assert_eq!(http_date(unix), format_http_date(unix), "{unix}");
            }
        }
    }
}
