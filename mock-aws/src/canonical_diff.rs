//! The client's own canonical request, when it sends one: the optional, unsigned request header
//! [`CLIENT_CANONICAL_HEADER`] (`x-mock-aws-canonical-request: BASE64`) carries the canonical
//! request the client signed, and [`diff`] compares it line by line with the server's. The first
//! differing line lands in the verdict and in the error body, with invisible characters shown
//! ([`visible`]). Never required: a request without it is verified as any other.

use sigv4_signer::internal::base64_decode;

use crate::message::Request;

/// The request header carrying the client's canonical request, base64 (standard alphabet,
/// padding optional). Not signed (it is not in `SignedHeaders`), so sending it does not change
/// the signature.
pub const CLIENT_CANONICAL_HEADER: &str = "x-mock-aws-canonical-request";

/// The client's canonical request from [`CLIENT_CANONICAL_HEADER`], decoded (lossy UTF-8);
/// `Err` with a sentence when the header is there but is not base64.
pub fn client_canonical_request(req: &Request) -> Option<Result<String, String>> {
    let raw = req.header(CLIENT_CANONICAL_HEADER)?;
    Some(
        base64_decode(raw.trim())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .ok_or_else(|| format!("the {CLIENT_CANONICAL_HEADER} header is not base64")),
    )
}

/// `s` (one line) with what a terminal hides made visible: `·` for a space, `→` for a tab,
/// other control bytes (`\r` included) as `\xNN`, a non-ASCII character as `⟨U+00E9⟩`.
pub fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ' ' => out.push('·'),
            '\t' => out.push('→'),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02X}", c as u32));
            }
            c if !c.is_ascii() => out.push_str(&format!("⟨U+{:04X}⟩", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The line-by-line comparison of the client's canonical request with the server's: `None`
/// when they are equal, else the first differing line (1-based), both versions made
/// [`visible`] with `↵` at the end of each, and how many lines each has.
pub fn diff(client: &str, server: &str) -> Option<String> {
    if client == server {
        return None;
    }
    let c: Vec<&str> = client.split('\n').collect();
    let s: Vec<&str> = server.split('\n').collect();
    let n = c.len().max(s.len());
    let i = (0..n).find(|&i| c.get(i) != s.get(i)).unwrap_or(0);
    let show = |l: Option<&&str>| match l {
        Some(l) => format!("{}↵", visible(l)),
        None => "(no such line)".to_owned(),
    };
    Some(format!(
        "first difference at line {} of the canonical request (yours has {} lines, the server's {}):\n  yours:  {}\n  server: {}",
        i + 1,
        c.len(),
        s.len(),
        show(c.get(i)),
        show(s.get(i)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_marks() {
        assert_eq!(visible("a b\tc\u{e9}\r"), "a·b→c⟨U+00E9⟩\\x0D");
    }

    #[test]
    fn first_differing_line() {
        assert_eq!(diff("GET\n/\n", "GET\n/\n"), None);
        let d = diff("GET\n/a b\nx", "GET\n/a%20b\nx").unwrap();
        assert!(d.contains("line 2"), "{d}");
        assert!(d.contains("yours:  /a·b↵"), "{d}");
        assert!(d.contains("server: /a%20b↵"), "{d}");
        let d = diff("GET\n/", "GET\n/\nmore").unwrap();
        assert!(d.contains("line 3") && d.contains("(no such line)"), "{d}");
    }
}
