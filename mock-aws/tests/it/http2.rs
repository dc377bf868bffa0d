//! HTTP/2 against a real `mock-aws`, with curl (`--aws-sigv4`) as the client: h2c with prior
//! knowledge over plain HTTP, ALPN `h2` over `--tls`, ALPN `http/1.1` still served, and an
//! HTTP/1.1 `Upgrade: h2c` answered over HTTP/1.1. HTTP/2 has no Host header; `:authority`
//! stands for it, so the verifier sees the same canonical request and gives the same
//! diagnosis over both versions.

use std::process::Command;

use crate::common::{self, Conn, Server, Tool, AK, SECRET};

/// curl with `args`, returning (HTTP version, status, body); bounded to 20 s.
fn curl(args: &[&str]) -> (String, String, String) {
    let curl = common::require(Tool::Curl);
    let out = Command::new(curl)
        .args([
            "-s",
            "--max-time",
            "20",
            "-w",
            "\n%{http_version} %{http_code}",
        ])
        .args(args)
        .output()
        .expect("run curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, last) = text.rsplit_once('\n').unwrap_or(("", &text));
    let (v, s) = last.split_once(' ').unwrap_or((last, ""));
    (v.to_owned(), s.to_owned(), body.to_owned())
}

fn verdicts(server: &Server) -> Vec<serde_json::Value> {
    if server.cert.is_some() {
        let (_, _, body) = curl(&[
            "--cacert",
            server.cert.as_deref().unwrap_or_default(),
            &format!("{}/_mock-aws/verdicts", server.url()),
        ]);
        let v: serde_json::Value = serde_json::from_str(&body).expect("verdicts JSON");
        return v["verdicts"].as_array().cloned().unwrap_or_default();
    }
    Conn::open(&server.addr)
        .send("GET", "/_mock-aws/verdicts", &[], b"")
        .json()["verdicts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn signed(
    server: &Server,
    version: &str,
    secret: &str,
    method: &str,
    path: &str,
) -> (String, String, String) {
    let user = format!("{AK}:{secret}");
    let url = format!("{}{path}", server.url());
    let mut args = vec![
        version,
        "--aws-sigv4",
        "aws:amz:us-east-1:s3",
        "--user",
        &user,
        "-X",
        method,
    ];
    if let Some(c) = &server.cert {
        args.extend(["--cacert", c.as_str()]);
    }
    args.push(&url);
    curl(&args)
}

fn same_over_both(tls: bool) {
    let server = Server::start(if tls { &["--tls"] } else { &[] });
    let h2 = if tls {
        "--http2"
    } else {
        "--http2-prior-knowledge"
    };
    let (v, s, body) = signed(&server, h2, SECRET, "PUT", "/htwo");
    assert_eq!((v.as_str(), s.as_str()), ("2", "200"), "{body}");
    let (v, s, _) = signed(&server, "--http1.1", SECRET, "GET", "/htwo?list-type=2");
    assert_eq!((v.as_str(), s.as_str()), ("1.1", "200"));
    let (v, s, _) = signed(&server, h2, SECRET, "GET", "/htwo?list-type=2");
    assert_eq!((v.as_str(), s.as_str()), ("2", "200"));
    // A wrong secret over each: the same verdict, canonical request and diagnosis.
    let (v1, s1, b1) = signed(&server, "--http1.1", "wrong", "GET", "/htwo?list-type=2");
    let (v2, s2, b2) = signed(&server, h2, "wrong", "GET", "/htwo?list-type=2");
    assert_eq!(
        (v1.as_str(), v2.as_str(), s1.as_str(), s2.as_str()),
        ("1.1", "2", "403", "403")
    );
    let canonical = |b: &str| {
        b.split("<CanonicalRequest>").nth(1).map(|s| {
            s.split("</CanonicalRequest>")
                .next()
                .unwrap_or("")
                .to_owned()
        })
    };
    assert!(canonical(&b1).is_some(), "{b1}");
    // The dates may differ by a second; compare without the x-amz-date line.
    let strip = |c: Option<String>| {
        c.unwrap_or_default()
            .lines()
            .filter(|l| !l.starts_with("x-amz-date:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(canonical(&b1)), strip(canonical(&b2)));
    let vs = verdicts(&server);
    let last: Vec<_> = vs.iter().rev().take(2).collect();
    assert_eq!(
        last[0]["diagnosis_code"], last[1]["diagnosis_code"],
        "{last:?}"
    );
    assert_eq!(last[0]["error_code"], "SignatureDoesNotMatch");
    // The verdict names the version each came over.
    assert_eq!(
        (&last[0]["http_version"], &last[1]["http_version"]),
        (&serde_json::json!("HTTP/2"), &serde_json::json!("HTTP/1.1")),
        "{last:?}"
    );
    assert!(
        last[0]["canonical_request"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("host:{}", server.addr)),
        "{last:?}"
    );
}

#[test]
fn h2c_prior_knowledge_verifies_as_http1() {
    same_over_both(false);
    // An HTTP/1.1 request asking to upgrade to h2c is answered over HTTP/1.1.
    let server = Server::start(&[]);
    let (v, s, _) = signed(&server, "--http2", SECRET, "GET", "/");
    assert_eq!((v.as_str(), s.as_str()), ("1.1", "200"));
}

#[test]
fn alpn_h2_over_tls_verifies_as_http1() {
    same_over_both(true);
}

/// A Kinesis request signed with `:authority` in Host's place, as the JS SDK v3's HTTP/2
/// handler signs (the headers and Authorization are @smithy/signature-v4 5.7.5's, an
/// independent signer, for `:authority` 127.0.0.1:4566 at 2015-08-30T12:36:00Z), replayed over
/// h2c with curl connecting 127.0.0.1:4566 to the server's port: accepted, and the verdict's
/// canonical request has the `:authority` line. Over HTTP/1.1 the same request has no
/// `:authority` to sign, and is refused.
#[test]
fn authority_signed_over_h2c_is_accepted() {
    let server = Server::start(&["--clock", "2015-08-30T12:36:00Z", "--region", "us-east-1"]);
    let connect = format!("127.0.0.1:4566:{}", server.addr);
    let mut args = vec![
        "--connect-to",
        &connect,
        "-X",
        "POST",
        "-H",
        "content-type: application/x-amz-json-1.1",
        "-H",
        "x-amz-target: Kinesis_20131202.ListStreams",
        "-H",
        "x-amz-date: 20150830T123600Z",
        "-H",
        "x-amz-content-sha256: 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        "-H",
        "authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, SignedHeaders=:authority;content-type;x-amz-content-sha256;x-amz-date;x-amz-target, Signature=a7bba2ba2124aefafdb944f6ffef0f2c12439b2a973295bba467bd6c7c19e6de",
        "--data-binary",
        "{}",
    ];
    args.extend(["--http2-prior-knowledge", "http://127.0.0.1:4566/"]);
    let (v, s, body) = curl(&args);
    assert_eq!((v.as_str(), s.as_str()), ("2", "200"), "{body}");
    let last = verdicts(&server).pop().expect("a verdict");
    assert_eq!(last["outcome"], "accepted", "{last}");
    assert_eq!(last["operation"], "ListStreams", "{last}");
    assert!(
        last["canonical_request"]
            .as_str()
            .unwrap_or("")
            .contains("\n:authority:127.0.0.1:4566\ncontent-type:"),
        "{last}"
    );
    let n = args.len();
    args[n - 2] = "--http1.1";
    let (v, s, body) = curl(&args);
    assert_eq!((v.as_str(), s.as_str()), ("1.1", "400"), "{body}");
    assert!(body.contains("authority"), "{body}");
}

/// A large GetObject over HTTP/2 (h2c with prior knowledge, and ALPN h2 over `--tls`), sent
/// from `--data-dir` a frame at a time: uploaded by curl over HTTP/1.1, read back by curl over
/// HTTP/2 byte-identical, whole and in a range across frame boundaries.
#[test]
fn large_get_streams_over_http2() {
    let curl = common::require(Tool::Curl);
    let body: Vec<u8> = (0..8 * 1024 * 1024 + 5u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    for tls in [false, true] {
        let dir = std::env::temp_dir().join(format!("mock-aws-h2get-{}-{tls}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let dir_arg = dir.to_str().unwrap().to_owned();
        let mut args = vec!["--data-dir", dir_arg.as_str()];
        if tls {
            args.push("--tls");
        }
        let server = Server::start(&args);
        let file = dir.join("upload.bin");
        let got = dir.join("got.bin");
        std::fs::create_dir_all(&dir).expect("tmp");
        std::fs::write(&file, &body).expect("write");
        let user = format!("{AK}:{SECRET}");
        let run = |extra: &[&str]| {
            let mut c = Command::new(&curl);
            c.args([
                "-s",
                "--max-time",
                "60",
                "-w",
                "%{http_version} %{http_code}",
            ])
            .args(["--aws-sigv4", "aws:amz:us-east-1:s3", "--user", &user]);
            if let Some(cert) = &server.cert {
                c.args(["--cacert", cert.as_str()]);
            }
            let out = c.args(extra).output().expect("run curl");
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let h2 = if tls {
            "--http2"
        } else {
            "--http2-prior-knowledge"
        };
        let url = format!("{}/htwo-big/obj", server.url());
        let bucket = format!("{}/htwo-big", server.url());
        assert!(run(&["-o", "/dev/null", "-X", "PUT", &bucket]).ends_with(" 200"));
        let data = format!("@{}", file.display());
        let put = run(&[
            "--http1.1",
            "-o",
            "/dev/null",
            "-X",
            "PUT",
            "--data-binary",
            &data,
            &url,
        ]);
        assert_eq!(put, "1.1 200", "tls {tls}: upload");
        let out = got.to_str().unwrap();
        assert_eq!(run(&[h2, "-o", out, &url]), "2 200", "tls {tls}: GET");
        assert!(
            std::fs::read(&got).unwrap() == body,
            "tls {tls}: read back differs"
        );
        let (a, b) = (65_530usize, 3 * 65_536 + 11);
        let range = format!("Range: bytes={a}-{b}");
        assert_eq!(
            run(&[h2, "-o", out, "-H", &range, &url]),
            "2 206",
            "tls {tls}: range"
        );
        assert!(
            std::fs::read(&got).unwrap() == body[a..=b],
            "tls {tls}: range differs"
        );
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
