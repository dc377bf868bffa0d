//! The page at `/_mock-aws/`, in a real browser: Debian's `chromium`, headless, loads it after
//! a rejected request; the rendered DOM (`--dump-dom`, after the page's script fetched
//! `/_mock-aws/verdicts`) must show the verdict row, its error code, the diagnosis and the
//! canonical request with its whitespace made visible, and the screenshot, decoded, must have more than a few distinct colours (not blank).

use crate::common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Runs chromium headless with a fresh profile, bounded to 60 s.
fn chromium(program: &Path, profile: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(program)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--virtual-time-budget=4000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {}: {e}", program.display()));
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("chromium did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn the_page_shows_a_rejected_request_in_a_real_browser() {
    let program = common::require(common::Tool::Chromium);
    let server = common::Server::start(&[]);
    // A rejected request: DynamoDB signed with a wrong secret (unexplained), with a header
    // holding a non-ASCII character, a tab and a space.
    let mut s = common::Sign::new("dynamodb");
    s.secret = "not-the-secret";
    let body = b"{}";
    let resp = common::call(
        &server,
        &s,
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-amz-json-1.0"),
            ("X-Amz-Target", "DynamoDB_20120810.ListTables"),
            ("X-Note", "caf\u{e9}\tau lait"),
        ],
        body,
    );
    assert_eq!(resp.status, 400, "{}", resp.text());
    // A SigV2 request (S3's legacy `Authorization: AWS AKID:SIGNATURE`, dated by x-amz-date)
    // whose signature is wrong: its card carries a SigV2 badge and its string to sign.
    let date = common::now().amz_date();
    let resp = common::Conn::open(&server.addr).send(
        "GET",
        "/page-bucket/key",
        &[
            ("Host".to_owned(), server.addr.clone()),
            ("x-amz-date".to_owned(), date.clone()),
            (
                "Authorization".to_owned(),
                "AWS AKIDEXAMPLE:bm90IHRoZSBzaWduYXR1cmU=".to_owned(),
            ),
        ],
        b"",
    );
    assert_eq!(resp.status, 403, "{}", resp.text());
    let tmp = std::env::temp_dir().join(format!("mock-aws-page-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("tmp");
    let url = format!("{}/_mock-aws/", server.url());

    let out = chromium(&program, &tmp.join("profile-dom"), &["--dump-dom", &url]);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "chromium --dump-dom failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let date_line = format!("x-amz-date:{date}<span class=\"eol\">↵</span>");
    for want in [
        "class=\"verdict rejected\"",
        "POST /",
        "service dynamodb",
        "InvalidSignatureException",
        "Diagnosis <span class=\"dcode\">unexplained</span>",
        "no known mistake reproduces your signature",
        "server's canonical request",
        "server's string to sign",
        // Visible whitespace: the header line `x-note:café\tau lait` shows its non-ASCII
        // character, its tab and its space; every line ends with a marker.
        "x-note:caf<span class=\"nonascii\">⟨U+00E9⟩</span><span class=\"ws\">→</span>au<span class=\"ws\">·</span>lait<span class=\"eol\">↵</span>",
        "AWS4-HMAC-SHA256<span class=\"eol\">↵</span>",
        // Each card's signing scheme as a badge; the SigV2 card shows its string to sign as
        // S3's StringToSign (no canonical request: SigV2 has none) and says what SigV2 is.
        "<span class=\"auth sigv4\" title=\"signing scheme\">SigV4</span>",
        "<span class=\"auth sigv2\" title=\"signing scheme\">SigV2</span>",
        "GET /page-bucket/key",
        // The protocol each request came over (HTTP/2 clients such as the JS SDK's Kinesis
        // client show HTTP/2 here).
        "<span class=\"proto\" title=\"protocol the request came over\">HTTP/1.1</span>",
        "server's SigV2 string to sign (S3's StringToSign)",
        "this is SigV2",
        "SigV4 is AWS4-HMAC-SHA256",
        date_line.as_str(),
    ] {
        assert!(dom.contains(want), "{want:?} not in the rendered page:\n{dom}");
    }

    let shot = tmp.join("page.png");
    let out = chromium(
        &program,
        &tmp.join("profile-shot"),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,900",
            &url,
        ],
    );
    assert!(
        out.status.success(),
        "chromium --screenshot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    // Decoded (common::png, no image crate): a blank page is one colour; the rendered one has
    // the header, the red and yellow boxes, the dark code blocks and anti-aliased text.
    let (w, h, colours) = common::png::distinct_colours(&png, 1000)
        .unwrap_or_else(|e| panic!("screenshot {}: {e}", shot.display()));
    assert_eq!((w, h), (1200, 900), "screenshot size");
    assert!(
        colours >= 10,
        "screenshot {} has {colours} distinct colours: blank",
        shot.display()
    );
    // Kept for a person to look at when SIGV4_KEEP_SCREENSHOT names a path.
    if let Some(keep) = std::env::var_os("SIGV4_KEEP_SCREENSHOT") {
        let _ = std::fs::copy(&shot, keep);
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
