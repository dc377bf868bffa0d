//! Writes a seed corpus for the `canonical` target from suite `request.txt` files.
//!
//! Usage: `cargo run --example seed_corpus -- OUT_DIR REQUEST_TXT...`
//! Each request becomes two seeds (header auth and presigned); the mode's S3 bit is set when
//! the case's `context.json` says `"normalize": false`, the token bit when it has a session
//! token. Every seed is checked to decode back to the same input.

use arbitrary::{Arbitrary, Unstructured};
use sigv4_fuzz::{Header, Input, Param, Text, METHODS};
use std::path::Path;

fn parse(raw: &str, ctx: &str) -> Option<Input> {
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
    let mut lines = head.lines();
    let request_line = lines.next()?;
    let method = request_line.split(' ').next()?;
    // The target is everything between the method and the last " HTTP/1.1".
    let target = request_line[method.len() + 1..]
        .rsplit_once(' ')
        .map_or("/", |(t, _)| t);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let query = if target.contains('?') {
        query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, v)) => Param {
                    key: Text(k.into()),
                    value: Some(Text(v.into())),
                },
                None => Param {
                    key: Text(p.into()),
                    value: None,
                },
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut headers: Vec<Header> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            if let Some(h) = headers.last_mut() {
                h.value.0.push('\n');
                h.value.0.push_str(line);
            }
        } else if let Some((n, v)) = line.split_once(':') {
            headers.push(Header {
                name: Text(n.into()),
                value: Text(v.into()),
            });
        }
    }
    let mut mode = 0u8;
    if ctx.contains("\"normalize\": false") {
        mode |= 1;
    }
    if ctx.contains("\"sign_body\": true") {
        mode |= 4;
    }
    if ctx.contains("session_token") {
        mode |= 8;
    }
    Some(Input {
        mode,
        method: METHODS.iter().position(|m| *m == method)? as u8,
        path: Text(path.into()),
        query,
        headers,
        body: Text(body.into()),
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, files) = args
        .split_first()
        .expect("usage: seed_corpus OUT_DIR REQUEST_TXT...");
    std::fs::create_dir_all(out).expect("create out dir");
    let mut n = 0;
    for f in files {
        let f = Path::new(f);
        let raw = std::fs::read_to_string(f)
            .expect("read request.txt")
            .replace("\r\n", "\n");
        let ctx = std::fs::read_to_string(f.with_file_name("context.json")).unwrap_or_default();
        let case = f
            .parent()
            .and_then(|p| p.file_name())
            .map_or("case".into(), |s| s.to_string_lossy());
        let Some(input) = parse(&raw, &ctx) else {
            eprintln!("skipped {}", f.display());
            continue;
        };
        for presign in [false, true] {
            let mut i = input.clone();
            if presign {
                i.mode |= 2;
            }
            let bytes = i.encode();
            let back = Input::arbitrary_take_rest(Unstructured::new(&bytes)).expect("decodes");
            assert_eq!(back, i, "seed of {case} does not round-trip");
            let name = format!("{case}{}", if presign { "-presign" } else { "" });
            std::fs::write(Path::new(out).join(name), bytes).expect("write seed");
            n += 1;
        }
    }
    eprintln!("wrote {n} seeds to {out}");
}
