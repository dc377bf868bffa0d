//! `sigv4 explain`: what a client printed (its canonical request, its string to sign, or
//! both) set against the reference's for the same request, line by line with invisible
//! characters shown, the first differing line with the rule for it, and the diagnosis.
//!
//! The reference is what AWS computes for the request: the verifier's canonical request and
//! string to sign (`sigv4_signer::verify`), with the signed headers the client chose (from the
//! request's `Authorization`, else from the printed canonical request). The diagnosis is
//! `sigv4_signer::diagnose::diagnose` when the request carries the client's signature and the
//! secret is given, else `diagnose::diagnose_printed`: the known mistakes whose variant of
//! the writer's inputs writes exactly the printed text.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};
use sigv4_signer::diagnose::{diagnose, diagnose_printed, Diagnosis};
use sigv4_signer::internal::sha256_hex;
use sigv4_signer::verify::{parse_request_auth, verify, VerifyError, VerifyParams, VerifySettings};
use sigv4_signer::{
    sign, CanonicalRequest, Credentials, OwnedRequest, PayloadMode, Settings, SignatureLocation,
    SigningParams, SigningTime, ALGORITHM,
};

/// The access key and secret used when none is given: the canonical request and string to
/// sign do not depend on them.
const PLACEHOLDER_KEY: &str = "AKIDEXAMPLE";
const PLACEHOLDER_SECRET: &str = "placeholder-secret";
const V4A_ALGORITHM: &str = "AWS4-ECDSA-P256-SHA256";

#[derive(clap::Args)]
pub struct ExplainArgs {
    /// What your signer printed: a canonical request, a string to sign, or both (one after the
    /// other as `print()` writes them, labelled `CanonicalRequest:` / `StringToSign:` as
    /// botocore's debug log does, or a JSON object / S3 error XML with those fields). `-` reads
    /// stdin.
    #[arg(long, value_name = "FILE|-")]
    printed: Option<String>,
    /// Your canonical request alone.
    #[arg(long, value_name = "FILE|-")]
    canonical_request: Option<String>,
    /// Your string to sign alone.
    #[arg(long, value_name = "FILE|-")]
    string_to_sign: Option<String>,
    /// The request as a raw HTTP/1.1 file (request line, headers, empty line, body), with or
    /// without its Authorization header.
    #[arg(long, value_name = "FILE|-", conflicts_with_all = ["method", "url", "headers", "body", "body_file"])]
    request: Option<String>,
    /// The method (with --url; default GET).
    #[arg(long)]
    method: Option<String>,
    /// The URL (`https://host/path?query`); its host becomes the Host header unless one is given.
    #[arg(long)]
    url: Option<String>,
    /// A header, `Name: value` (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// The body, as text.
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    /// The body, from a file.
    #[arg(long)]
    body_file: Option<PathBuf>,
    /// The access key id (default: the request's, else a placeholder: the texts do not depend
    /// on it).
    #[arg(long)]
    access_key: Option<String>,
    /// The secret access key (needed only to judge a signature the request carries).
    #[arg(long)]
    secret_key: Option<String>,
    /// The session token (default: the request's X-Amz-Security-Token).
    #[arg(long)]
    session_token: Option<String>,
    /// The region (default: the request's credential scope, else your string to sign's).
    #[arg(long)]
    region: Option<String>,
    /// The service (default: as the region).
    #[arg(long)]
    service: Option<String>,
    /// The signing time, `2015-08-30T12:36:00Z` or `20150830T123600Z` (default: the
    /// request's X-Amz-Date, else your string to sign's).
    #[arg(long)]
    time: Option<String>,
    /// S3's rules (path encoded once, not normalised, x-amz-content-sha256); the default when
    /// the service is s3.
    #[arg(long)]
    s3: bool,
}

/// What the client printed, as understood.
#[derive(Debug, Default)]
struct Printed {
    canonical_request: Option<String>,
    string_to_sign: Option<String>,
    notes: Vec<String>,
}

/// Reads FILE or stdin (`-`).
fn read_source(source: &str, stdin_used: &mut bool) -> Result<Vec<u8>> {
    if source == "-" {
        if *stdin_used {
            bail!("only one input can be read from stdin (-)");
        }
        *stdin_used = true;
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf)?;
        return Ok(buf);
    }
    std::fs::read(source).with_context(|| format!("reading {source}"))
}

fn text_of(bytes: Vec<u8>, what: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{what} is not UTF-8 text"))
}

/// `\r\n` line ends read as `\n` when every line has them (a file saved on Windows); a lone
/// CR is kept: it is part of what was signed.
fn normalise_line_ends(text: &str, what: &str, notes: &mut Vec<String>) -> String {
    let lf = text.matches('\n').count();
    if lf > 0 && text.matches("\r\n").count() == lf {
        notes.push(format!("{what}: CRLF line ends read as LF"));
        return text.replace("\r\n", "\n");
    }
    text.to_owned()
}

fn is_algorithm_line(l: &str) -> bool {
    l == ALGORITHM || l == V4A_ALGORITHM
}

fn is_method_line(l: &str) -> bool {
    !l.is_empty() && l.bytes().all(|b| b.is_ascii_uppercase())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Label {
    CanonicalRequest,
    StringToSign,
    Other,
}

/// A label line: `CanonicalRequest:`, `Canonical request:`, `--- String to sign ---`,
/// botocore's `... [DEBUG] CanonicalRequest:`; `Signature:` and the like end a section.
fn label_of(line: &str) -> Option<Label> {
    let t = line.trim();
    let norm: String = t
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let decorated_only = t
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " -=*#_:[]".contains(c));
    let labelled = |label: &str| {
        (t.ends_with(':') && norm.ends_with(label)) || (decorated_only && norm == label)
    };
    if labelled("canonicalrequest") {
        Some(Label::CanonicalRequest)
    } else if labelled("stringtosign") {
        Some(Label::StringToSign)
    } else if t.ends_with(':')
        && [
            "signature",
            "signingkey",
            "authorization",
            "authorizationheader",
        ]
        .iter()
        .any(|l| norm.ends_with(l))
    {
        Some(Label::Other)
    } else {
        None
    }
}

fn xml_field(text: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&format!("</{name}>"))? + start;
    Some(
        text[start..end]
            .replace("&#10;", "\n")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// Reads a printout: JSON, XML, labelled sections, or the two texts one after the other.
fn parse_printed(raw: &str, what: &str) -> Printed {
    let mut p = Printed::default();
    let text = normalise_line_ends(raw, what, &mut p.notes);
    let trimmed = text.trim();
    if trimmed.starts_with('{') {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(trimmed) {
            let field = |keys: &[&str]| {
                keys.iter()
                    .find_map(|k| v.get(*k).and_then(|x| x.as_str()).map(str::to_owned))
            };
            p.canonical_request =
                field(&["canonical_request", "CanonicalRequest", "canonicalRequest"]);
            p.string_to_sign = field(&["string_to_sign", "StringToSign", "stringToSign"]);
            p.notes.push(format!("{what}: a JSON object"));
            return finish(p, what);
        }
    }
    if text.contains("<CanonicalRequest>") || text.contains("<StringToSign>") {
        p.canonical_request = xml_field(&text, "CanonicalRequest");
        p.string_to_sign = xml_field(&text, "StringToSign");
        p.notes.push(format!(
            "{what}: XML with <CanonicalRequest> / <StringToSign> (an S3 error body holds the server's texts, not your signer's)"
        ));
        return finish(p, what);
    }
    let lines: Vec<&str> = text.split('\n').collect();
    if lines
        .iter()
        .any(|l| label_of(l).is_some_and(|k| k != Label::Other))
    {
        let mut current: Option<(Label, Vec<&str>)> = None;
        let mut sections: Vec<(Label, Vec<&str>)> = Vec::new();
        for l in &lines {
            match label_of(l) {
                Some(k) => {
                    sections.extend(current.take());
                    current = Some((k, Vec::new()));
                }
                None => {
                    if let Some((_, body)) = &mut current {
                        body.push(l);
                    }
                }
            }
        }
        sections.extend(current);
        for (k, body) in sections {
            let joined = body.join("\n");
            match k {
                Label::CanonicalRequest if p.canonical_request.is_none() => {
                    p.canonical_request = Some(joined);
                }
                Label::StringToSign if p.string_to_sign.is_none() => {
                    p.string_to_sign = Some(joined);
                }
                _ => {}
            }
        }
        p.notes.push(format!(
            "{what}: labelled sections ({})",
            [
                p.canonical_request.as_ref().map(|_| "canonical request"),
                p.string_to_sign.as_ref().map(|_| "string to sign"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
        ));
        return finish(p, what);
    }
    // Unlabelled: the canonical request starts at its method line, the string to sign at
    // its algorithm line.
    let start = lines
        .iter()
        .position(|l| is_method_line(l) || is_algorithm_line(l))
        .unwrap_or(0);
    if start > 0 {
        p.notes.push(format!(
            "{what}: {start} line(s) before the first method or algorithm line skipped"
        ));
    }
    let sts_at = lines
        .iter()
        .enumerate()
        .skip(start)
        .find(|(_, l)| is_algorithm_line(l))
        .map(|(i, _)| i);
    match sts_at {
        Some(i) if i == start => p.string_to_sign = Some(lines[i..].join("\n")),
        Some(i) => {
            p.canonical_request = Some(lines[start..i].join("\n"));
            p.string_to_sign = Some(lines[i..].join("\n"));
        }
        None => p.canonical_request = Some(lines[start..].join("\n")),
    }
    p.notes.push(format!(
        "{what}: {}",
        match (&p.canonical_request, &p.string_to_sign) {
            (Some(_), Some(_)) =>
                "a canonical request, then a string to sign (split at its algorithm line)",
            (Some(_), None) => "a canonical request",
            _ => "a string to sign",
        }
    ));
    finish(p, what)
}

/// Trims what a printout adds around each text (blank lines, a final newline) and what comes
/// after a text's last line.
fn finish(mut p: Printed, what: &str) -> Printed {
    if let Some(c) = p.canonical_request.take() {
        let c = c.trim_start_matches('\n').trim_end_matches(['\n', '\r']);
        let lines: Vec<&str> = c.split('\n').collect();
        let blank = lines
            .iter()
            .skip(3)
            .position(|l| l.is_empty())
            .map(|i| i + 3);
        let kept = match blank {
            Some(b) if lines.len() > b + 3 => {
                let extra = lines[b + 3..]
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .count();
                if extra > 0 {
                    p.notes.push(format!(
                        "{what}: {extra} line(s) after the payload hash ignored"
                    ));
                }
                lines[..b + 3].join("\n")
            }
            _ => c.to_owned(),
        };
        p.canonical_request = Some(kept);
    }
    if let Some(s) = p.string_to_sign.take() {
        let s = s.trim_start_matches('\n').trim_end_matches(['\n', '\r']);
        let lines: Vec<&str> = s.split('\n').collect();
        let kept = if lines.len() > 4 && is_algorithm_line(lines[0]) {
            let extra = lines[4..].iter().filter(|l| !l.trim().is_empty()).count();
            if extra > 0 {
                p.notes.push(format!(
                    "{what}: {extra} line(s) after the string to sign's hash ignored"
                ));
            }
            lines[..4].join("\n")
        } else {
            s.to_owned()
        };
        p.string_to_sign = Some(kept);
    }
    p
}

fn parse_time(s: &str) -> Result<SigningTime> {
    SigningTime::parse(s)
        .or_else(|_| SigningTime::parse_amz_date(s))
        .map_err(|e| anyhow::anyhow!("time {s:?}: {e}"))
}

/// The request from `--request FILE` or the flags.
fn read_request(args: &ExplainArgs, stdin_used: &mut bool) -> Result<(OwnedRequest, String)> {
    if let Some(src) = &args.request {
        let bytes = read_source(src, stdin_used)?;
        let r = sigv4_vectors::parse_request(&bytes)
            .map_err(|e| anyhow::anyhow!("the request file {src}: {e}"))?;
        return Ok((r, format!("from {src}")));
    }
    let Some(url) = &args.url else {
        bail!("give the request: --request FILE (raw HTTP), or --url URL [--method M] [--header 'N: V']... [--body B]");
    };
    let (authority, target) = match url.split_once("://") {
        Some((_, rest)) => match rest.find(['/', '?']) {
            Some(i) => (Some(&rest[..i]), rest[i..].to_owned()),
            None => (Some(rest), "/".to_owned()),
        },
        None => (None, url.clone()),
    };
    let target = if target.starts_with('?') {
        format!("/{target}")
    } else {
        target
    };
    let mut headers = Vec::new();
    for h in &args.headers {
        let Some((n, v)) = h.split_once(':') else {
            bail!("--header {h:?}: expected `Name: value`");
        };
        headers.push((n.trim().to_owned(), v.trim().to_owned()));
    }
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        let Some(a) = authority else {
            bail!("--url {url:?} has no host: give a full URL or --header 'Host: ...'");
        };
        let a = a.rsplit_once('@').map_or(a, |(_, h)| h);
        let https = url.starts_with("https://");
        let host = a
            .strip_suffix(if https { ":443" } else { ":80" })
            .unwrap_or(a);
        headers.insert(0, ("Host".to_owned(), host.to_owned()));
    }
    let body = match (&args.body, &args.body_file) {
        (Some(b), _) => b.clone().into_bytes(),
        (None, Some(f)) => std::fs::read(f).with_context(|| format!("reading {}", f.display()))?,
        (None, None) => Vec::new(),
    };
    Ok((
        OwnedRequest {
            method: args.method.clone().unwrap_or_else(|| "GET".to_owned()),
            target,
            headers,
            body,
        },
        "from the flags".to_owned(),
    ))
}

fn query_param<'a>(target: &'a str, name: &str) -> Option<&'a str> {
    let q = target.split_once('?')?.1;
    q.split('&').find_map(|p| {
        p.split_once('=')
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v)
    })
}

/// One line made readable: a space `·`, a tab `→`, a CR `␍`, other control and non-ASCII
/// bytes as `\xNN`.
pub fn visible(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            ' ' => out.push('·'),
            '\t' => out.push('→'),
            '\r' => out.push('␍'),
            c if c.is_ascii_control() => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c if c.is_ascii() => out.push(c),
            c => {
                let mut b = [0u8; 4];
                for byte in c.encode_utf8(&mut b).bytes() {
                    let _ = write!(out, "\\x{byte:02X}");
                }
            }
        }
    }
    if line.ends_with([' ', '\t', '\r']) {
        out.push_str("   ← trailing whitespace");
    }
    out
}

/// The part of a canonical request line `i` belongs to, with its rule.
fn creq_part(lines: &[&str], other: &[&str], i: usize, s3: bool) -> (&'static str, &'static str) {
    let blank = |ls: &[&str]| {
        ls.iter()
            .skip(3)
            .position(|l| l.is_empty())
            .map_or(ls.len(), |b| b + 3)
    };
    let (b, ob) = (blank(lines), blank(other));
    let in_headers = i >= 3 && (i < b || i < ob);
    match i {
        0 => ("method", "the first line is the HTTP method as sent, in uppercase"),
        1 if s3 => ("URI", "the canonical URI is the path encoded once, each byte but unreserved characters and '/' as %XX with uppercase hex, never normalised (S3)"),
        1 => ("URI", "the canonical URI is the path with dot segments and '//' removed, percent-encoded again as it is on the wire (a raw ':' becomes %3A, an encoded %20 becomes %2520): non-S3 services encode twice"),
        2 => ("query", "query parameters must be sorted by name (then by value), each name and value percent-encoded with uppercase hex, a space as %20, and a parameter without a value written as name="),
        _ if in_headers => ("header lines", "one name:value line per signed header, the name lowercased, sorted by name, the value trimmed with runs of spaces collapsed to one, repeated headers joined by ','"),
        _ if i == b => ("end of the headers", "the header lines are followed by one empty line"),
        _ if i == b + 1 => ("signed headers", "the signed headers are the header lines' names, lowercased, sorted, joined by ';'"),
        _ if i == b + 2 => ("payload hash", "the payload hash is the lowercase hex SHA-256 of the body as sent (of nothing for an empty body), or the value the service allows instead (UNSIGNED-PAYLOAD for S3)"),
        _ => ("after the payload hash", "a canonical request ends with the payload hash: no newline or line after it"),
    }
}

/// The part of a string to sign line `i` belongs to, with its rule.
fn sts_part(i: usize) -> (&'static str, &'static str) {
    match i {
        0 => ("algorithm", "the first line is the algorithm, AWS4-HMAC-SHA256"),
        1 => ("request time", "the second line is the request time exactly as in X-Amz-Date: YYYYMMDDTHHMMSSZ, UTC"),
        2 => ("credential scope", "the credential scope is date/region/service/aws4_request, the date being the request time's"),
        3 => ("canonical request hash", "the last line is the lowercase hex SHA-256 of the canonical request, exactly its text with no newline at the end"),
        _ => ("after the hash", "a string to sign has four lines and no newline at the end"),
    }
}

/// Names the part of a text line `i` belongs to, and its rule (from the reference's lines and
/// the client's).
type PartOf<'a> = dyn Fn(&[&str], &[&str], usize) -> (&'static str, &'static str) + 'a;

/// The two texts side by side, the line diff and the first differing line.
fn compare(out: &mut String, what: &str, reference: &str, theirs: &str, part: &PartOf<'_>) -> bool {
    let a: Vec<&str> = reference.split('\n').collect();
    let b: Vec<&str> = theirs.split('\n').collect();
    let (va, vb): (Vec<String>, Vec<String>) = (
        a.iter().map(|l| visible(l)).collect(),
        b.iter().map(|l| visible(l)).collect(),
    );
    let width = va
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(9);
    let _ = writeln!(out, "\n{what}: the reference's | yours");
    for i in 0..va.len().max(vb.len()) {
        let l = va.get(i).map_or("", String::as_str);
        let r = vb.get(i).map_or("", String::as_str);
        let mark = if a.get(i) == b.get(i) { '│' } else { '≠' };
        let pad = width - l.chars().count();
        let _ = writeln!(out, "  {:>2} {l}{} {mark} {r}", i + 1, " ".repeat(pad));
    }
    if a == b {
        let _ = writeln!(out, "{what}: identical");
        return true;
    }
    let _ = writeln!(out, "\n{what} diff (- reference, + yours):");
    let refs_a: Vec<&str> = va.iter().map(String::as_str).collect();
    let refs_b: Vec<&str> = vb.iter().map(String::as_str).collect();
    let diff = similar::TextDiff::from_slices(&refs_a, &refs_b);
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => '-',
            similar::ChangeTag::Insert => '+',
            similar::ChangeTag::Equal => ' ',
        };
        let _ = writeln!(out, "  {sign} {}", change.value());
    }
    let i = (0..a.len().max(b.len()))
        .find(|&i| a.get(i) != b.get(i))
        .unwrap_or(0);
    let (name, rule) = part(&a, &b, i);
    let show = |l: Option<&String>| l.map_or("(no line)".to_owned(), String::clone);
    let _ = writeln!(
        out,
        "first differing line of the {what}: line {} ({name})\n  reference: {}\n  yours:     {}\n  rule: {rule}",
        i + 1,
        show(va.get(i)),
        show(vb.get(i)),
    );
    false
}

/// Runs `sigv4 explain`.
pub fn run(args: &ExplainArgs) -> Result<ExitCode> {
    let mut stdin_used = false;
    let mut printed = Printed::default();
    if let Some(src) = &args.printed {
        let text = text_of(read_source(src, &mut stdin_used)?, src)?;
        printed = parse_printed(&text, src);
    }
    for (src, is_creq) in [
        (&args.canonical_request, true),
        (&args.string_to_sign, false),
    ] {
        let Some(src) = src else { continue };
        let text = text_of(read_source(src, &mut stdin_used)?, src)?;
        let text = normalise_line_ends(&text, src, &mut printed.notes);
        let p = finish(
            Printed {
                canonical_request: is_creq.then(|| text.clone()),
                string_to_sign: (!is_creq).then_some(text),
                notes: Vec::new(),
            },
            src,
        );
        printed.notes.extend(p.notes);
        if is_creq {
            printed.canonical_request = p.canonical_request;
        } else {
            printed.string_to_sign = p.string_to_sign;
        }
    }
    let (request, request_from) = read_request(args, &mut stdin_used)?;
    let theirs_creq = printed
        .canonical_request
        .as_deref()
        .map(CanonicalRequest::parse);
    let sts_lines: Vec<&str> = printed
        .string_to_sign
        .as_deref()
        .map(|s| s.split('\n').collect())
        .unwrap_or_default();
    // The scope and time the client's string to sign names.
    let sts_scope: Vec<&str> = sts_lines
        .get(2)
        .map(|s| s.split('/').collect())
        .unwrap_or_default();
    let sts_time = sts_lines
        .get(1)
        .and_then(|t| SigningTime::parse_amz_date(t).ok());

    let mut out = String::new();
    let _ = writeln!(out, "understood:");
    for n in &printed.notes {
        let _ = writeln!(out, "  {n}");
    }
    match (&theirs_creq, &printed.string_to_sign) {
        (None, None) => {
            let _ = writeln!(
                out,
                "  nothing printed by your signer given: only the request's signature is judged"
            );
        }
        _ => {
            if let Some(c) = &theirs_creq {
                let _ = writeln!(
                    out,
                    "  your canonical request: {} {} ({} header lines, signed headers {})",
                    c.method(),
                    c.uri(),
                    c.headers().entries().len(),
                    c.signed_headers()
                );
            }
            if !sts_lines.is_empty() {
                let _ = writeln!(
                    out,
                    "  your string to sign: {} lines, time {}, scope {}",
                    sts_lines.len(),
                    sts_lines.get(1).unwrap_or(&""),
                    sts_lines.get(2).unwrap_or(&"")
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "  request {request_from}: {} {}, {} headers, body of {} bytes",
        request.method,
        request.target,
        request.headers.len(),
        request.body.len()
    );

    let auth = parse_request_auth(&request.signable()).ok();
    let service_named = args
        .service
        .clone()
        .or_else(|| auth.as_ref().map(|a| a.scope.service.clone()))
        .or_else(|| sts_scope.get(2).map(|s| (*s).to_owned()));
    let s3 = args.s3 || service_named.as_deref() == Some("s3");
    let verify_settings = if s3 {
        VerifySettings::s3()
    } else {
        VerifySettings::default()
    };
    let secret = args.secret_key.clone();
    let (signed, carries_signature, time, fallback) = match &auth {
        Some(a) => {
            let time = match (
                &args.time,
                request
                    .header("x-amz-date")
                    .or_else(|| query_param(&request.target, "X-Amz-Date")),
            ) {
                (_, Some(d)) => parse_time(d)?,
                (Some(t), None) => parse_time(t)?,
                (None, None) => match request.header("date") {
                    Some(d) => SigningTime::parse_http_date(d)
                        .map_err(|e| anyhow::anyhow!("Date {d:?}: {e}"))?,
                    None => bail!(
                        "the request carries a signature but no X-Amz-Date or Date; give --time"
                    ),
                },
            };
            let _ = writeln!(
                out,
                "  signing: the request's own authentication ({:?} auth): {}, scope {}/{}/{}, time {}, signed headers {}",
                a.kind,
                a.access_key_id,
                a.scope.date,
                if a.scope.region.is_empty() { "(SigV4a)" } else { &a.scope.region },
                a.scope.service,
                time.amz_date(),
                a.signed_headers.join(";")
            );
            for (flag, given, carried) in [
                ("--region", &args.region, &a.scope.region),
                ("--service", &args.service, &a.scope.service),
            ] {
                if let Some(g) = given.as_ref().filter(|g| *g != carried) {
                    let _ = writeln!(
                        out,
                        "  {flag} {g} ignored: the request's credential scope names {carried}"
                    );
                }
            }
            (request.clone(), true, time, None)
        }
        None => {
            let time = match (&args.time, request.header("x-amz-date"), sts_time) {
                (Some(t), _, _) => parse_time(t)?,
                (None, Some(d), _) => parse_time(d)?,
                (None, None, Some(t)) => t,
                _ => bail!("no signing time: give --time (or a request with X-Amz-Date, or your string to sign)"),
            };
            let region = args
                .region
                .clone()
                .or_else(|| sts_scope.get(1).map(|s| (*s).to_owned()));
            let (Some(region), Some(service)) = (region, service_named.clone()) else {
                bail!("no region or service: give --region and --service (or your string to sign, whose scope names them)");
            };
            let access_key = args
                .access_key
                .clone()
                .unwrap_or_else(|| PLACEHOLDER_KEY.to_owned());
            let token = args
                .session_token
                .clone()
                .or_else(|| request.header("x-amz-security-token").map(str::to_owned));
            let mut creds =
                Credentials::new(&access_key, secret.as_deref().unwrap_or(PLACEHOLDER_SECRET));
            creds.session_token = token.clone();
            let mut settings = if s3 {
                Settings::s3()
            } else {
                Settings::default()
            };
            if s3 && request.header("x-amz-content-sha256") == Some("UNSIGNED-PAYLOAD") {
                settings = settings.with_payload(PayloadMode::Unsigned);
            }
            let mut unsigned = request.clone();
            unsigned.headers.retain(|(n, _)| {
                let l = n.to_ascii_lowercase();
                !(l == "authorization"
                    || l == "x-amz-date"
                    || l == "x-amz-security-token"
                    || (s3 && l == "x-amz-content-sha256"))
            });
            let params =
                SigningParams::new(&creds, &region, &service, time).with_settings(settings);
            let req = unsigned.signable();
            let out_sig = sign(&req, &params, SignatureLocation::Headers).map_err(|e| {
                anyhow::anyhow!(
                    "the reference signer refuses the request: {e} ({})",
                    e.code()
                )
            })?;
            let mut signed = out_sig.apply(&req);
            // The signed headers the client chose, so that the reference is what AWS computes for it.
            let ours: Vec<&str> = out_sig
                .authorization()
                .and_then(|a| a.split("SignedHeaders=").nth(1))
                .and_then(|s| s.split(',').next())
                .map(|s| s.split(';').collect())
                .unwrap_or_default();
            let chosen = theirs_creq
                .as_ref()
                .map(|c| c.signed_headers().to_owned())
                .filter(|s| !s.is_empty() && s.split(';').collect::<Vec<_>>() != ours);
            if let Some(list) = &chosen {
                let from = format!("SignedHeaders={}", ours.join(";"));
                for (n, v) in &mut signed.headers {
                    if n.eq_ignore_ascii_case("authorization") {
                        *v = v.replacen(&from, &format!("SignedHeaders={list}"), 1);
                    }
                }
            }
            let _ = writeln!(
                out,
                "  signing: {}, scope {}/{region}/{service}, time {}{}, {} rules, signed headers {} ({})",
                if args.access_key.is_some() { access_key.clone() } else { format!("{access_key} (placeholder)") },
                time.date_stamp(),
                time.amz_date(),
                if token.is_some() { ", with a session token" } else { "" },
                if s3 { "S3's" } else { "the default (non-S3)" },
                chosen.clone().unwrap_or_else(|| ours.join(";")),
                if chosen.is_some() { "yours" } else { "the reference signer's choice" },
            );
            let fallback = (
                out_sig.canonical_request().to_owned(),
                out_sig.string_to_sign().to_owned(),
            );
            (signed, false, time, Some(fallback))
        }
    };
    let have_printed = printed.canonical_request.is_some() || printed.string_to_sign.is_some();
    let judged = carries_signature && secret.is_some();
    if !have_printed && !judged {
        bail!("nothing to compare: give what your signer printed (--printed, --canonical-request, --string-to-sign), or a request with its signature and --secret-key");
    }
    if carries_signature && secret.is_none() {
        let _ = writeln!(
            out,
            "  no --secret-key: the request's signature is not judged, only the printed texts"
        );
    }
    let lookup_secret = secret
        .clone()
        .unwrap_or_else(|| PLACEHOLDER_SECRET.to_owned());
    let lookup = move |_: &str| Some(lookup_secret.clone());
    let params = VerifyParams::new(time, &lookup)
        .with_max_skew(u64::MAX / 4)
        .with_settings(verify_settings);
    let req = signed.signable();
    if judged {
        let _ = match verify(&req, &params) {
            Ok(_) => writeln!(
                out,
                "  signature: the request's signature verifies with this secret"
            ),
            Err(e) => writeln!(
                out,
                "  signature: the request's signature does NOT verify with this secret: {e} ({})",
                e.code()
            ),
        };
    }
    let mut different = false;
    let (ref_creq, ref_sts) = match verify(&req, &params) {
        Ok(v) => (
            Some(v.canonical_request().to_owned()),
            Some(v.string_to_sign().to_owned()),
        ),
        Err(VerifyError::SignatureMismatch {
            canonical_request,
            string_to_sign,
        }) => {
            if carries_signature && secret.is_some() {
                different = true;
            }
            (Some(canonical_request), Some(string_to_sign))
        }
        Err(e) => {
            different = true;
            let _ = writeln!(
                out,
                "\nthe request fails before its signature is computed: {e} ({})",
                e.code()
            );
            match &fallback {
                Some((c, s)) => {
                    let _ = writeln!(
                        out,
                        "  the reference below signs the headers the reference signer chooses"
                    );
                    (Some(c.clone()), Some(s.clone()))
                }
                None => (None, None),
            }
        }
    };
    if carries_signature && secret.is_some() && !different {
        let _ = writeln!(out, "  the request's signature verifies");
    }
    let _ = writeln!(
        out,
        "\n(· space, → tab, ␍ carriage return, \\xNN a byte outside ASCII or a control byte)"
    );
    if let (Some(r), Some(t)) = (&ref_creq, &printed.canonical_request) {
        different |= !compare(&mut out, "canonical request", r, t, &|a, b, i| {
            creq_part(a, b, i, s3)
        });
    } else if let Some(r) = &ref_creq {
        let _ = writeln!(
            out,
            "\ncanonical request (the reference's; yours was not given):"
        );
        for l in r.split('\n') {
            let _ = writeln!(out, "  {}", visible(l));
        }
    }
    if let (Some(r), Some(t)) = (&ref_sts, &printed.string_to_sign) {
        different |= !compare(&mut out, "string to sign", r, t, &|_, _, i| sts_part(i));
        if let Some(hash) = sts_lines.get(3) {
            match &printed.canonical_request {
                Some(c) if *hash == sha256_hex(c.as_bytes()) => {}
                Some(c) if *hash == sha256_hex(format!("{c}\n").as_bytes()) => {
                    let _ = writeln!(out, "  your string to sign hashes your canonical request with a newline at the end: hash exactly the text, without it");
                }
                Some(_) => {
                    let _ = writeln!(out, "  your string to sign's last line is not the SHA-256 of the canonical request you printed: you hashed another text (a trailing newline or space? another encoding?)");
                }
                None => {}
            }
        }
    } else if let Some(r) = &ref_sts {
        let _ = writeln!(
            out,
            "\nstring to sign (the reference's; yours was not given):"
        );
        for l in r.split('\n') {
            let _ = writeln!(out, "  {}", visible(l));
        }
    }
    // The diagnosis.
    let mut diagnosis: Option<Diagnosis> = None;
    if carries_signature && secret.is_some() {
        diagnosis = diagnose(&req, &params);
    }
    if have_printed && diagnosis.as_ref().is_none_or(|d| !d.is_explained()) {
        let printed_d = diagnose_printed(
            &req,
            &params,
            printed.canonical_request.as_deref(),
            printed.string_to_sign.as_deref(),
        );
        if printed_d.is_some() || diagnosis.is_none() {
            diagnosis = printed_d;
        }
    }
    let _ = writeln!(out);
    match &diagnosis {
        Some(d) if d.is_explained() => {
            let _ = writeln!(out, "diagnosis: {}: {d}", d.code());
        }
        Some(d) => {
            let _ = writeln!(out, "diagnosis: unexplained: {d}");
        }
        None if different => {
            let _ = writeln!(out, "diagnosis: none (the difference is not one the diagnosis looks for; see the first differing line)");
        }
        None if have_printed => {
            let _ = writeln!(
                out,
                "diagnosis: none needed: what you printed is what AWS computes for this request"
            );
        }
        None => {
            let _ = writeln!(
                out,
                "diagnosis: none needed: the request's signature verifies"
            );
        }
    }
    if diagnosis.is_some() {
        different = true;
    }
    let _ = writeln!(
        out,
        "{}",
        if different {
            "result: different"
        } else {
            "result: identical"
        }
    );
    print!("{out}");
    Ok(if different {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
