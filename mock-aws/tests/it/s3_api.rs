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
