//! Starts every bundled adapter through its `adapter.json` command (as the harness does:
//! `sh -c CMD` from the repository root), says hello, and signs AWS's get-vanilla case with the
//! header location; the expected signature is AWS's suite file (`get-vanilla/header-signature.txt`:
//! 5fa00fa3…). reqsign always signs x-amz-content-sha256: on get-vanilla it must sign with that
//! header (judged by acceptance in `sigv4 check`); every adapter but curl must sign AWS's S3
//! documentation example (GET /test.txt with a Range header, signature f0e8bdb8…, "Signature
//! Calculations for the Authorization Header", Amazon S3 API reference).
#![allow(clippy::unwrap_used, missing_docs)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

const ADAPTERS: &[&str] = &["botocore", "aws-sigv4", "reqsign", "smithy", "aws4", "curl"];
const GET_VANILLA: &str = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
const S3_GET_OBJECT: &str = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../..")
        .canonicalize()
        .unwrap()
}

/// What each adapter needs from `bash .ci/setup`, checked first so a missing tool fails with
/// the set-up command rather than as a protocol error.
fn check_setup(name: &str) {
    let root = root();
    let missing = match name {
        "botocore" => {
            (!root.join(".venv/bin/python").exists()).then_some(".venv (python with botocore)")
        }
        "smithy" | "aws4" => (!root.join("harness/adapters/node/node_modules").exists())
            .then_some("harness/adapters/node/node_modules (npm ci)"),
        "curl" => (Command::new("sh")
            .arg("-c")
            .arg("command -v curl && command -v faketime")
            .output()
            .map(|o| !o.status.success())
            .unwrap_or(true))
        .then_some("curl and faketime"),
        _ => None,
    };
    if let Some(m) = missing {
        panic!("adapter {name}: {m} is missing; run `bash .ci/setup` (it installs what the adapters need)");
    }
}

fn get_vanilla(id: &str) -> Value {
    json!({
        "protocol": 1, "op": "sign", "id": id,
        "request": {"method": "GET", "target": "/", "headers": [["Host", "example.amazonaws.com"]], "body_b64": ""},
        "credentials": {"access_key_id": "AKIDEXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session_token": null},
        "time": "2015-08-30T12:36:00Z", "region": "us-east-1", "service": "service",
        "settings": {"location": "header", "expires_in": null, "uri_encoding": "double", "normalize_path": true,
                     "payload": {"mode": "hash"}, "content_sha256_header": false, "session_token": "include",
                     "signed_headers": null},
    })
}

fn s3_get_object(id: &str) -> Value {
    json!({
        "protocol": 1, "op": "sign", "id": id,
        "request": {"method": "GET", "target": "/test.txt",
                    "headers": [["Host", "examplebucket.s3.amazonaws.com"], ["Range", "bytes=0-9"]], "body_b64": ""},
        "credentials": {"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "session_token": null},
        "time": "2013-05-24T00:00:00Z", "region": "us-east-1", "service": "s3",
        "settings": {"location": "header", "expires_in": null, "uri_encoding": "single", "normalize_path": false,
                     "payload": {"mode": "hash"}, "content_sha256_header": true, "session_token": "include",
                     "signed_headers": ["range"]},
    })
}

/// Runs the adapter's command with `messages` on stdin (one per line), closes stdin, and
/// returns its answers; bounded in time (first start may build the Rust adapters).
fn converse(name: &str, messages: &[Value]) -> Vec<Value> {
    let spec: Value = serde_json::from_slice(
        &std::fs::read(
            root()
                .join("harness/adapters")
                .join(name)
                .join("adapter.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(spec["name"], name, "adapter.json name");
    assert_eq!(spec["setup"], "bash .ci/setup");
    let cmd = spec["command"].as_str().unwrap().to_string();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(&cmd)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for m in messages {
        writeln!(stdin, "{m}").unwrap();
    }
    drop(stdin);
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let lines: Vec<String> = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect();
        let _ = tx.send(lines);
    });
    let lines = match rx.recv_timeout(Duration::from_secs(240)) {
        Ok(l) => l,
        Err(_) => {
            let _ = child.kill();
            panic!("adapter {name} ({cmd}) did not answer within 240 s");
        }
    };
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        status.success(),
        "adapter {name} exited with {status}; stderr:\n{err}"
    );
    assert_eq!(
        lines.len(),
        messages.len(),
        "adapter {name}: one answer per line; stderr:\n{err}"
    );
    lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn signature_of(name: &str, a: &Value) -> String {
    assert_eq!(a["status"], "ok", "adapter {name}: {a}");
    let auth = a["signed"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0].as_str().unwrap().eq_ignore_ascii_case("authorization"))
        .unwrap_or_else(|| panic!("adapter {name}: no Authorization header in {a}"))[1]
        .as_str()
        .unwrap()
        .to_string();
    let sig = auth.rsplit("Signature=").next().unwrap().to_string();
    if let Some(revealed) = a.get("signature") {
        assert_eq!(
            revealed.as_str().unwrap(),
            sig,
            "adapter {name}: revealed signature vs Authorization"
        );
    }
    sig
}

#[test]
fn every_adapter_says_hello_and_signs_get_vanilla() {
    let mut failures = Vec::new();
    for &name in ADAPTERS {
        check_setup(name);
        let msgs = [
            json!({"protocol": 1, "op": "hello", "id": "hello"}),
            get_vanilla("aws/get-vanilla/header"),
            s3_get_object("docs/s3-get-object-range/header"),
            json!({"protocol": 2, "op": "hello", "id": "p2"}),
        ];
        let a = converse(name, &msgs);
        assert_eq!(a[0]["id"], "hello");
        assert_eq!(a[0]["status"], "ok", "{name}: {}", a[0]);
        assert_eq!(a[0]["name"], name);
        assert_eq!(a[0]["protocol"], 1);
        assert!(a[0]["reveals"].is_array());
        assert_eq!(a[1]["id"], "aws/get-vanilla/header");
        if name == "reqsign" {
            // reqsign always signs x-amz-content-sha256 (its README); the adapter signs with
            // that default, which `sigv4 check` judges by acceptance.
            assert_eq!(a[1]["status"], "ok", "reqsign on get-vanilla: {}", a[1]);
            assert!(
                a[1].to_string()
                    .contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date"),
                "{}",
                a[1]
            );
        } else if signature_of(name, &a[1]) != GET_VANILLA {
            failures.push(format!(
                "{name}: get-vanilla signature {} != AWS's {GET_VANILLA}",
                a[1]
            ));
        }
        // botocore, aws-sigv4, reqsign, smithy and aws4 can all express S3's rules.
        if name != "curl" && signature_of(name, &a[2]) != S3_GET_OBJECT {
            failures.push(format!(
                "{name}: S3 docs GET signature {} != {S3_GET_OBJECT}",
                a[2]
            ));
        }
        if name == "aws-sigv4" {
            // Protocol 2 (harness/PROTOCOL.md): SigV4a and the chunked extension.
            assert_eq!(a[0]["protocols"], json!([1, 2]), "{}", a[0]);
            assert_eq!(a[0]["algorithms"], json!(["sigv4", "sigv4a"]), "{}", a[0]);
            assert_eq!(a[0]["features"], json!(["chunked"]), "{}", a[0]);
            assert_eq!(a[3]["status"], "ok", "{name} on protocol 2: {}", a[3]);
            assert_eq!(a[3]["protocol"], 2, "{}", a[3]);
        } else {
            assert_eq!(a[3]["status"], "error", "{name} on protocol 2: {}", a[3]);
        }
        assert_eq!(a[3]["id"], "p2");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rust_adapter_versions_match_cargo_lock() {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
    let version_of = |pkg: &str| {
        let at = lock
            .find(&format!("name = \"{pkg}\"\nversion = \""))
            .unwrap();
        lock[at..]
            .lines()
            .nth(1)
            .unwrap()
            .trim_start_matches("version = \"")
            .trim_end_matches('"')
            .to_string()
    };
    for (name, pkg) in [("aws-sigv4", "aws-sigv4"), ("reqsign", "reqsign-aws-v4")] {
        let a = converse(
            name,
            &[json!({"protocol": 1, "op": "hello", "id": "hello"})],
        );
        assert_eq!(
            a[0]["version"].as_str().unwrap(),
            version_of(pkg),
            "{name}'s hello version"
        );
    }
}
