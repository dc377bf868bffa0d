//! S3 operations clients' default flows touch, with our own signer against a real `mock-aws`,
//! each expected value from S3's API reference: CreateBucket per region (us-east-1 answers 200
//! for a bucket you own, other regions `BucketAlreadyOwnedByYou`; the LocationConstraint
//! rules), GetBucketLocation, ListObjects v1 (prefix, delimiter, marker, max-keys,
//! encoding-type), parts sent as signed aws-chunked bodies, and GetObject / HeadObject by
//! `partNumber`.

use md5::{Digest, Md5};
use sigv4_signer::chunked::StreamingMode;

use crate::chunked::{own_chunked_put, s3_code};
use crate::common::{call, Server, Sign};

fn tag<'a>(xml: &'a str, t: &str) -> Vec<&'a str> {
    xml.split(&format!("<{t}>"))
        .skip(1)
        .filter_map(|s| s.split(&format!("</{t}>")).next())
        .collect()
}

#[test]
fn create_bucket_per_region_as_s3() {
    let s = Sign::new("s3");
    let east = Server::start(&[]);
    assert_eq!(call(&east, &s, "PUT", "/owned", &[], b"").status, 200);
    // us-east-1: again is 200 (S3 API reference, CreateBucket: "in the North Virginia Region
    // ... you will get a 200 OK"), and its location is the empty constraint.
    assert_eq!(call(&east, &s, "PUT", "/owned", &[], b"").status, 200);
    let loc = call(&east, &s, "GET", "/owned?location", &[], b"").text();
    assert!(
        loc.contains("<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>"),
        "{loc}"
    );
    let explicit = b"<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>";
    let r = call(&east, &s, "PUT", "/explicit", &[], explicit);
    assert_eq!(
        (r.status, s3_code(&r)),
        (400, "InvalidLocationConstraint".to_owned()),
        "{}",
        r.text()
    );

    let west = Server::start(&["--region", "eu-west-1"]);
    let mut ws = Sign::new("s3");
    ws.region = "eu-west-1";
    let r = call(&west, &ws, "PUT", "/nocfg", &[], b"");
    assert_eq!(
        (r.status, s3_code(&r)),
        (400, "IllegalLocationConstraintException".to_owned()),
        "{}",
        r.text()
    );
    let cfg = b"<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>";
    let r = call(&west, &ws, "PUT", "/wbk", &[], cfg);
    assert_eq!(r.status, 200, "{}", r.text());
    let r = call(&west, &ws, "PUT", "/wbk", &[], cfg);
    assert_eq!(
        (r.status, s3_code(&r)),
        (409, "BucketAlreadyOwnedByYou".to_owned()),
        "{}",
        r.text()
    );
    let other = b"<CreateBucketConfiguration><LocationConstraint>ap-south-1</LocationConstraint></CreateBucketConfiguration>";
    let r = call(&west, &ws, "PUT", "/wbk2", &[], other);
    assert_eq!(
        (r.status, s3_code(&r)),
        (400, "IllegalLocationConstraintException".to_owned()),
        "{}",
        r.text()
    );
    let loc = call(&west, &ws, "GET", "/wbk?location", &[], b"").text();
    assert_eq!(tag(&loc, "LocationConstraint").len(), 0, "{loc}");
    assert!(loc.contains(">eu-west-1</LocationConstraint>"), "{loc}");
}

#[test]
fn list_objects_v1() {
    let server = Server::start(&[]);
    let s = Sign::new("s3");
    assert_eq!(call(&server, &s, "PUT", "/lst", &[], b"").status, 200);
    for k in ["a", "b/1", "b/2", "c d", "e/x/y"] {
        let target = format!("/lst/{}", k.replace(' ', "%20"));
        assert_eq!(call(&server, &s, "PUT", &target, &[], b"x").status, 200);
    }
    let body = call(&server, &s, "GET", "/lst?delimiter=%2F&prefix=", &[], b"").text();
    assert_eq!(tag(&body, "Key"), ["a", "c d"], "{body}");
    assert_eq!(tag(&body, "Prefix")[1..], ["b/", "e/"], "{body}");
    assert_eq!(tag(&body, "IsTruncated"), ["false"]);
    // max-keys=2 with a delimiter: truncated, NextMarker the last entry (a common prefix).
    let p1 = call(
        &server,
        &s,
        "GET",
        "/lst?delimiter=%2F&max-keys=2",
        &[],
        b"",
    )
    .text();
    assert_eq!(tag(&p1, "IsTruncated"), ["true"], "{p1}");
    assert_eq!(tag(&p1, "NextMarker"), ["b/"], "{p1}");
    let p2 = call(
        &server,
        &s,
        "GET",
        "/lst?delimiter=%2F&max-keys=2&marker=b%2F",
        &[],
        b"",
    )
    .text();
    assert_eq!(tag(&p2, "Key"), ["c d"], "{p2}");
    assert_eq!(tag(&p2, "Marker"), ["b/"], "{p2}");
    // Without a delimiter: no NextMarker (clients continue from the last key).
    let p = call(&server, &s, "GET", "/lst?max-keys=1&marker=a", &[], b"").text();
    assert_eq!(tag(&p, "Key"), ["b/1"], "{p}");
    assert!(tag(&p, "NextMarker").is_empty(), "{p}");
    let p = call(
        &server,
        &s,
        "GET",
        "/lst?prefix=c&encoding-type=url",
        &[],
        b"",
    )
    .text();
    assert_eq!(tag(&p, "Key"), ["c%20d"], "{p}");
    assert_eq!(tag(&p, "EncodingType"), ["url"], "{p}");
    // v1 lists carry the owner.
    assert_eq!(tag(&p, "Owner").len(), 1, "{p}");
}

#[test]
fn multipart_parts_as_signed_aws_chunked() {
    let server = Server::start(&[]);
    let s = Sign::new("s3");
    assert_eq!(call(&server, &s, "PUT", "/chunked", &[], b"").status, 200);
    let r = call(&server, &s, "POST", "/chunked/mp?uploads", &[], b"");
    let id = tag(&r.text(), "UploadId")[0].to_owned();
    let p1: Vec<u8> = (0..5 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let p2 = b"last part".to_vec();
    let mut etags = Vec::new();
    for (n, (body, mode)) in [
        (&p1, StreamingMode::SignedPayload),
        (&p2, StreamingMode::SignedPayloadTrailer),
    ]
    .into_iter()
    .enumerate()
    {
        let key = format!("mp?partNumber={}&uploadId={id}", n + 1);
        let r = own_chunked_put(&server, &key, body, 64 * 1024, mode, |w| w);
        assert_eq!(r.status, 200, "{mode}: {}", r.text());
        let want = format!("\"{:x}\"", Md5::digest(body));
        assert_eq!(r.header("etag"), Some(want.as_str()));
        etags.push(want);
    }
    let complete = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>{}</ETag></Part></CompleteMultipartUpload>",
        etags[0], etags[1]
    );
    let r = call(
        &server,
        &s,
        "POST",
        &format!("/chunked/mp?uploadId={id}"),
        &[],
        complete.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let mut md5s = Md5::digest(&p1).to_vec();
    md5s.extend(Md5::digest(&p2));
    let want = format!("&quot;{:x}-2&quot;", Md5::digest(&md5s));
    assert_eq!(tag(&r.text(), "ETag"), [want.as_str()], "{}", r.text());
    let got = call(&server, &s, "GET", "/chunked/mp", &[], b"");
    let mut whole = p1.clone();
    whole.extend(&p2);
    assert!(got.body == whole, "assembled object differs");
}

/// GetObject and HeadObject with `partNumber` (Ruby aws-sdk-s3's `download_file` reads a
/// multipart object so): the S3 API reference's GetObject "partNumber" ("effectively performs
/// a 'ranged' GET request for the part specified": 206, Content-Range, x-amz-mp-parts-count);
/// part 1 of a single PUT is the whole object and part 2 is `InvalidPartNumber` (Ceph's
/// s3-tests `test_non_multipart_get_part`); a part number out of 1..=10000 is S3's
/// `InvalidArgument`, and with a `Range` too S3 answers `InvalidRequest`.
#[test]
fn get_and_head_by_part_number() {
    let server = Server::start(&[]);
    let s = Sign::new("s3");
    assert_eq!(call(&server, &s, "PUT", "/partnum", &[], b"").status, 200);
    let r = call(&server, &s, "POST", "/partnum/mp?uploads", &[], b"");
    let id = tag(&r.text(), "UploadId")[0].to_owned();
    let p1: Vec<u8> = (0..5 * 1024 * 1024u32).map(|i| (i % 241) as u8).collect();
    let p2 = b"the short last part".to_vec();
    let mut complete = String::from("<CompleteMultipartUpload>");
    for (n, body) in [&p1, &p2].into_iter().enumerate() {
        let t = format!("/partnum/mp?partNumber={}&uploadId={id}", n + 1);
        let r = call(&server, &s, "PUT", &t, &[], body);
        assert_eq!(r.status, 200, "{}", r.text());
        complete.push_str(&format!(
            "<Part><PartNumber>{}</PartNumber><ETag>\"{:x}\"</ETag></Part>",
            n + 1,
            Md5::digest(body)
        ));
    }
    complete.push_str("</CompleteMultipartUpload>");
    let t = format!("/partnum/mp?uploadId={id}");
    let r = call(&server, &s, "POST", &t, &[], complete.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let total = p1.len() + p2.len();
    let (a, b) = (p1.len(), total - 1);
    let r = call(&server, &s, "GET", "/partnum/mp?partNumber=2", &[], b"");
    assert_eq!((r.status, &r.body[..]), (206, &p2[..]), "{}", r.text());
    assert_eq!(
        r.header("content-range"),
        Some(format!("bytes {a}-{b}/{total}").as_str())
    );
    assert_eq!(r.header("x-amz-mp-parts-count"), Some("2"));
    let r = call(&server, &s, "GET", "/partnum/mp?partNumber=1", &[], b"");
    assert!(r.status == 206 && r.body == p1, "part 1: {}", r.status);
    let r = call(&server, &s, "HEAD", "/partnum/mp?partNumber=2", &[], b"");
    assert_eq!(r.status, 206);
    assert_eq!(
        r.header("content-length"),
        Some(p2.len().to_string().as_str())
    );
    assert_eq!(r.header("x-amz-mp-parts-count"), Some("2"));
    for (target, headers, status, code) in [
        (
            "/partnum/mp?partNumber=3",
            &[][..],
            416,
            "InvalidPartNumber",
        ),
        ("/partnum/mp?partNumber=0", &[], 400, "InvalidArgument"),
        ("/partnum/mp?partNumber=x", &[], 400, "InvalidArgument"),
        (
            "/partnum/mp?partNumber=1",
            &[("Range", "bytes=0-9")],
            400,
            "InvalidRequest",
        ),
    ] {
        let r = call(&server, &s, "GET", target, headers, b"");
        assert_eq!(
            (r.status, s3_code(&r)),
            (status, code.to_owned()),
            "{target}: {}",
            r.text()
        );
    }
    // A single PUT is its own part 1; it has no part 2.
    assert_eq!(
        call(&server, &s, "PUT", "/partnum/one", &[], b"0123456789").status,
        200
    );
    let r = call(&server, &s, "GET", "/partnum/one?partNumber=1", &[], b"");
    assert_eq!((r.status, &r.body[..]), (206, &b"0123456789"[..]));
    assert_eq!(r.header("x-amz-mp-parts-count"), None);
    let r = call(&server, &s, "GET", "/partnum/one?partNumber=2", &[], b"");
    assert_eq!(
        (r.status, s3_code(&r)),
        (416, "InvalidPartNumber".to_owned())
    );
}

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("mock-aws-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn large_bodies_on_disk_and_the_memory_limit() {
    let s = Sign::new("s3");
    // 20 MiB in one PutObject (rclone's way below 200 MiB), over the old 16 MiB --max-body,
    // streamed to --data-dir and read back identical; the directory holds it as a file.
    let dir = tmpdir("data");
    let server = Server::start(&["--data-dir", dir.to_str().unwrap()]);
    assert_eq!(call(&server, &s, "PUT", "/disk", &[], b"").status, 200);
    let big: Vec<u8> = (0..20 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    let r = call(&server, &s, "PUT", "/disk/big", &[], &big);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("etag"),
        Some(format!("\"{:x}\"", Md5::digest(&big)).as_str())
    );
    let on_disk: u64 = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert_eq!(on_disk, big.len() as u64);
    let got = call(&server, &s, "GET", "/disk/big", &[], b"");
    assert!(got.body == big, "read back differs");
    let r = call(
        &server,
        &s,
        "GET",
        "/disk/big",
        &[("Range", "bytes=100-199")],
        b"",
    );
    assert_eq!((r.status, &r.body[..]), (206, &big[100..200]));
    // A wrong x-amz-content-sha256 is still caught when the body was streamed.
    let mut wrong = s.sign(&server.addr, "PUT", "/disk/w", &[], b"right body");
    wrong.body = b"wrong body".to_vec();
    let r = crate::common::Conn::open(&server.addr).send(
        "PUT",
        &wrong.target,
        &wrong.headers,
        &wrong.body,
    );
    assert_eq!(
        (r.status, s3_code(&r)),
        (400, "XAmzContentSHA256Mismatch".to_owned()),
        "{}",
        r.text()
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);

    // In memory: bodies count against --max-memory; past it, EntityTooLarge before reading;
    // a deleted object gives its memory back.
    let server = Server::start(&["--max-memory", "100000"]);
    assert_eq!(call(&server, &s, "PUT", "/mem", &[], b"").status, 200);
    let r = call(&server, &s, "PUT", "/mem/a", &[], &big[..60_000]);
    assert_eq!(r.status, 200, "{}", r.text());
    let r = call(&server, &s, "PUT", "/mem/b", &[], &big[..60_000]);
    assert_eq!(
        (r.status, s3_code(&r)),
        (400, "EntityTooLarge".to_owned()),
        "{}",
        r.text()
    );
    assert!(r.text().contains("--data-dir"), "{}", r.text());
    assert_eq!(call(&server, &s, "DELETE", "/mem/a", &[], b"").status, 204);
    let r = call(&server, &s, "PUT", "/mem/b", &[], &big[..60_000]);
    assert_eq!(r.status, 200, "{}", r.text());
}

/// Bytes that differ from one offset to the next (a misplaced frame shows), `n` of them.
fn pattern(n: usize, seed: u32) -> Vec<u8> {
    (0..n as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761).wrapping_add(seed) >> 13) as u8)
        .collect()
}

/// GetObject sends the object from storage a frame (64 KiB) at a time instead of reading it
/// into memory: a 20 MiB object (not a whole number of frames) and a three-part multipart
/// object, from `--data-dir` (files, the multipart object its part files in order) and from
/// memory, read back byte-identical whole, in ranges that cross frame and part boundaries, a
/// suffix range and an open range, with `Content-Length` framing (no chunked encoding) and
/// HEAD's length. The expected bytes are the ones uploaded; the ranges' are RFC 9110's.
#[test]
fn get_object_streams_from_storage() {
    let s = Sign::new("s3");
    let big = pattern(20 * 1024 * 1024 + 12_345, 7);
    let parts = [
        pattern(5 * 1024 * 1024, 1),
        pattern(5 * 1024 * 1024 + 3, 2),
        pattern(1000, 3),
    ];
    let whole: Vec<u8> = parts.concat();
    for on_disk in [true, false] {
        let dir = tmpdir("stream");
        let dir_arg = dir.to_str().unwrap().to_owned();
        let args: Vec<&str> = if on_disk {
            vec!["--data-dir", &dir_arg]
        } else {
            Vec::new()
        };
        let server = Server::start(&args);
        let label = if on_disk { "--data-dir" } else { "memory" };
        assert_eq!(call(&server, &s, "PUT", "/stream", &[], b"").status, 200);
        let r = call(&server, &s, "PUT", "/stream/big", &[], &big);
        assert_eq!(r.status, 200, "{label}: {}", r.text());

        let r = call(&server, &s, "POST", "/stream/mp?uploads", &[], b"");
        let id = tag(&r.text(), "UploadId")[0].to_owned();
        let mut complete = String::from("<CompleteMultipartUpload>");
        for (n, p) in parts.iter().enumerate() {
            let target = format!("/stream/mp?partNumber={}&uploadId={id}", n + 1);
            let r = call(&server, &s, "PUT", &target, &[], p);
            assert_eq!(r.status, 200, "{label} part {}: {}", n + 1, r.text());
            complete.push_str(&format!(
                "<Part><PartNumber>{}</PartNumber><ETag>\"{:x}\"</ETag></Part>",
                n + 1,
                Md5::digest(p)
            ));
        }
        complete.push_str("</CompleteMultipartUpload>");
        let target = format!("/stream/mp?uploadId={id}");
        let r = call(&server, &s, "POST", &target, &[], complete.as_bytes());
        assert_eq!(r.status, 200, "{label}: {}", r.text());
        if on_disk {
            // The object and the three parts are files; nothing was copied.
            let files = std::fs::read_dir(&dir).unwrap().count();
            assert_eq!(files, 4, "{label}: files in --data-dir");
        }

        let p1 = parts[0].len();
        let p12 = p1 + parts[1].len();
        for (key, data, cuts) in [
            (
                "/stream/big",
                &big,
                vec![65_535, 65_536 * 3 + 7, 10 * 1024 * 1024],
            ),
            (
                "/stream/mp",
                &whole,
                vec![p1 - 10, p1 + 70_000, p12 - 1, p12],
            ),
        ] {
            let len = data.len();
            let r = call(&server, &s, "GET", key, &[], b"");
            assert_eq!(r.status, 200, "{label} {key}: {}", r.text());
            assert_eq!(r.header("content-length"), Some(len.to_string().as_str()));
            assert_eq!(r.header("transfer-encoding"), None, "{label} {key}");
            assert!(r.body == *data, "{label} {key}: read back differs");
            let r = call(&server, &s, "HEAD", key, &[], b"");
            assert_eq!(
                (r.status, r.header("content-length")),
                (200, Some(len.to_string().as_str())),
                "{label} HEAD {key}"
            );
            // Ranges: between each pair of cuts, across the frame or part boundary at each,
            // one byte, the last bytes, and from an offset to the end.
            let mut ranges: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
            ranges.extend(cuts.iter().map(|&c| (c - 5, c + 5)));
            ranges.push((len - 1, len - 1));
            for (a, b) in ranges {
                let h = format!("bytes={a}-{b}");
                let r = call(&server, &s, "GET", key, &[("Range", &h)], b"");
                assert_eq!(r.status, 206, "{label} {key} {h}: {}", r.text());
                assert_eq!(
                    r.header("content-range"),
                    Some(format!("bytes {a}-{b}/{len}").as_str()),
                    "{label} {key} {h}"
                );
                assert!(r.body == data[a..=b], "{label} {key} {h}: bytes differ");
            }
            let r = call(&server, &s, "GET", key, &[("Range", "bytes=-70000")], b"");
            assert_eq!(r.status, 206, "{label} {key}");
            assert!(r.body == data[len - 70_000..], "{label} {key} suffix range");
            let h = format!("bytes={}-", cuts[0]);
            let r = call(&server, &s, "GET", key, &[("Range", &h)], b"");
            assert_eq!(r.status, 206, "{label} {key}");
            assert!(r.body == data[cuts[0]..], "{label} {key} {h}");
        }
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A signer that signs one payload and sends another, for bodies the server streams to storage
/// (`tests/s3_streamed_mismatch.py`: botocore's SigV4Auth signs, http.client sends; 20 MiB
/// PutObjects and a 6 MiB UploadPart, to `--data-dir` and to memory): the hashes in the
/// answers are the received body's as hashlib computes them, the empty-body mistake is named
/// on the real body's hash, and an unexplained mismatch claims no mistake.
#[test]
fn streamed_body_mismatches_are_diagnosed_on_the_received_body() {
    for on_disk in [true, false] {
        let dir = tmpdir("mismatch");
        let dir_arg = dir.to_str().unwrap().to_owned();
        let args: Vec<&str> = if on_disk {
            vec!["--data-dir", &dir_arg]
        } else {
            Vec::new()
        };
        let server = Server::start(&args);
        let stdout = crate::common::run_python_script(
            crate::common::Tool::Boto3,
            "s3_streamed_mismatch.py",
            &server,
            &format!("streamed mismatches (on disk: {on_disk})"),
        );
        assert_eq!(stdout.lines().filter(|l| l.starts_with("ok ")).count(), 6);
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A field of `/proc/PID/status` in KiB (`VmRSS`, `VmHWM`).
fn proc_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("read /proc/{pid}/status: {e}"));
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// The server does not hold an object in memory to send it: with `--data-dir`, a 48 MiB
/// PutObject then GetObject raise the server's peak RSS (`VmHWM`) by less than 16 MiB over
/// its RSS before them (reading the object whole, as GetObject did before it streamed, adds
/// the 48 MiB). Memory, not timing: the kernel's counters.
#[test]
fn a_large_get_does_not_hold_the_object_in_memory() {
    let s = Sign::new("s3");
    let dir = tmpdir("rss");
    let server = Server::start(&["--data-dir", dir.to_str().unwrap(), "--quiet"]);
    assert_eq!(
        call(&server, &s, "PUT", "/rss-bucket", &[], b"").status,
        200
    );
    let body = pattern(48 * 1024 * 1024, 9);
    let signed = s.sign(&server.addr, "PUT", "/rss-bucket/big", &[], &body);
    let before = proc_kib(server.pid(), "VmRSS");
    let mut conn = crate::common::Conn::open(&server.addr);
    let r = conn.send(
        &signed.method,
        &signed.target,
        &signed.headers,
        &signed.body,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = call(&server, &s, "GET", "/rss-bucket/big", &[], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.body == body, "read back differs");
    let peak = proc_kib(server.pid(), "VmHWM");
    let grew = peak.saturating_sub(before);
    assert!(
        grew < 16 * 1024,
        "the server's peak RSS grew by {grew} KiB ({before} KiB before, {peak} KiB peak) for a 48 MiB object: it was held in memory"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The subresource operations are routed by method and subresource, never taken for another
/// operation: PutBucketVersioning is not CreateBucket (it answered `MalformedXML` before), a
/// GET `?versions` is not a listing, an object's `?tagging` PUT is not a PutObject; a
/// subresource mock-aws does not implement, or a method it has no operation for, still answers
/// `NotImplemented` (501). Codes and statuses from the S3 API reference ("Error responses").
#[test]
fn subresources_are_routed_to_their_operations() {
    let server = Server::start(&[]);
    let s = Sign::new("s3");
    assert_eq!(call(&server, &s, "PUT", "/subr", &[], b"").status, 200);
    let v = b"<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>Enabled</Status></VersioningConfiguration>";
    let r = call(&server, &s, "PUT", "/subr?versioning", &[], v);
    assert_eq!(r.status, 200, "{}", r.text());
    let got = call(&server, &s, "GET", "/subr?versioning", &[], b"").text();
    assert_eq!(tag(&got, "Status"), ["Enabled"], "{got}");
    let bad = b"<VersioningConfiguration><Status>On</Status></VersioningConfiguration>";
    let r = call(&server, &s, "PUT", "/subr?versioning", &[], bad);
    assert_eq!((r.status, s3_code(&r)), (400, "MalformedXML".to_owned()));

    let meta = [("x-amz-meta-colour", "blue"), ("Content-Language", "fr")];
    assert_eq!(
        call(&server, &s, "PUT", "/subr/k", &meta, b"body").status,
        200
    );
    let tagging = b"<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>";
    let r = call(&server, &s, "PUT", "/subr/k?tagging", &[], tagging);
    assert_eq!(r.status, 200, "{}", r.text());
    // The object is still the one PUT: the tagging document did not replace it.
    let r = call(&server, &s, "GET", "/subr/k", &[], b"");
    assert_eq!(r.body, b"body");
    assert_eq!(r.header("x-amz-meta-colour"), Some("blue"));
    assert_eq!(r.header("content-language"), Some("fr"));
    assert_eq!(r.header("x-amz-tagging-count"), Some("1"));
    let versions = call(&server, &s, "GET", "/subr?versions", &[], b"").text();
    assert_eq!(tag(&versions, "VersionId"), ["null"], "{versions}");
    assert!(versions.contains("<ListVersionsResult"), "{versions}");

    for (method, target) in [
        ("GET", "/subr?publicAccessBlock"),
        ("GET", "/subr?ownershipControls"),
        ("POST", "/subr?tagging"),
        ("PUT", "/subr?replication"),
        ("DELETE", "/subr/k?acl"),
    ] {
        let r = call(&server, &s, method, target, &[], b"");
        assert_eq!(
            (r.status, s3_code(&r)),
            (501, "NotImplemented".to_owned()),
            "{method} {target}: {}",
            r.text()
        );
    }
}

/// User metadata past S3's 2 KB (the bytes of the names after `x-amz-meta-` and of the values,
/// added up: S3 user guide, "Working with object metadata") is `MetadataTooLarge` (400), on
/// PutObject and CreateMultipartUpload alike; 2 KB exactly is accepted.
#[test]
fn user_metadata_is_limited_to_2_kb() {
    let server = Server::start(&[]);
    let s = Sign::new("s3");
    assert_eq!(call(&server, &s, "PUT", "/mlim", &[], b"").status, 200);
    let exact = "v".repeat(2048 - 1);
    let r = call(
        &server,
        &s,
        "PUT",
        "/mlim/ok",
        &[("x-amz-meta-m", &exact)],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let over = "v".repeat(2048);
    let r = call(
        &server,
        &s,
        "PUT",
        "/mlim/no",
        &[("x-amz-meta-m", &over)],
        b"",
    );
    assert_eq!(
        (r.status, s3_code(&r)),
        (400, "MetadataTooLarge".to_owned())
    );
    let r = call(
        &server,
        &s,
        "POST",
        "/mlim/mp?uploads",
        &[("x-amz-meta-m", &over)],
        b"",
    );
    assert_eq!(
        (r.status, s3_code(&r)),
        (400, "MetadataTooLarge".to_owned())
    );
}
