//! The little XML S3 request bodies need: the text of every `<tag>…</tag>` in order, inside an
//! element or a whole document (CompleteMultipartUpload, CreateBucketConfiguration,
//! DeleteObjects). Namespaces, attributes and comments are ignored; entities are decoded.

/// The contents of every `<tag>` element (an element with attributes too) in `xml`, in order.
pub fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let close = format!("</{tag}>");
    let mut rest = xml;
    while let Some(i) = rest.find(&format!("<{tag}")) {
        let after = &rest[i + tag.len() + 1..];
        // `<tagX` is another element, `<tag/>` an empty one.
        match after.bytes().next() {
            Some(b'>') | Some(b' ') | Some(b'\t') | Some(b'\n') | Some(b'\r') => {}
            Some(b'/') => {
                out.push("");
                rest = after;
                continue;
            }
            _ => {
                rest = after;
                continue;
            }
        }
        let Some(open_end) = after.find('>') else {
            break;
        };
        if after[..open_end].ends_with('/') {
            out.push("");
            rest = &after[open_end + 1..];
            continue;
        }
        let body = &after[open_end + 1..];
        let Some(end) = body.find(&close) else {
            break;
        };
        out.push(&body[..end]);
        rest = &body[end + close.len()..];
    }
    out
}

/// The decoded text of the first `<tag>` in `xml`.
pub fn text(xml: &str, tag: &str) -> Option<String> {
    elements(xml, tag).first().map(|s| unescape(s.trim()))
}

/// Decodes the five XML entities and numeric character references.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(end) = tail.find(';') else {
            out.push_str(tail);
            return out;
        };
        let ent = &tail[1..end];
        let c = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => ent
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => out.push(c),
            None => out.push_str(&tail[..=end]),
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_elements_and_text() {
        let x = r#"<?xml version="1.0"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part><Part ><PartNumber>2</PartNumber><ETag>b</ETag></Part><PartX/></CompleteMultipartUpload>"#;
        let parts = elements(x, "Part");
        assert_eq!(parts.len(), 2);
        assert_eq!(text(parts[0], "ETag").as_deref(), Some("\"a\""));
        assert_eq!(text(parts[1], "PartNumber").as_deref(), Some("2"));
        assert_eq!(unescape("a&#65;&#x42;&bogus;"), "aAB&bogus;");
        assert_eq!(elements("<A/><A></A>", "A"), vec!["", ""]);
    }
}
