//! Writes the seed corpus of the `chunked` target: AWS's two documented chunked bodies
//! (66,560 bytes of `a`) and small bodies in every mode, encoded with the documented chain.
//! Usage: cargo run --example chunked_seeds -- OUT_DIR

use sigv4_signer::chunked::{ChecksumAlgorithm, ChunkSigner, ChunkedEncoder};
use sigv4_signer::internal::CredentialScope;
use sigv4_signer::{SigningKey, SigningTime};

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "corpus/chunked".to_owned());
    std::fs::create_dir_all(&out).expect("create the output directory");
    let time = SigningTime::from_unix_seconds(1_369_353_600);
    let scope = CredentialScope::new(time, "us-east-1", "s3").expect("scope");
    let key = SigningKey::derive(
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        sigv4_signer::ScopeFields {
            date: &scope.date,
            region: "us-east-1",
            service: "s3",
        },
    );
    let chain = |seed: &str| ChunkSigner::new(key.clone(), time, &scope, seed);
    let seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    let seed_trailer = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
    let doc = vec![b'a'; 66560];
    let small = b"hello world, hello chunks".repeat(3);
    // Selector byte: mode = b % 3, checksum = (b >> 2) % 3 (crc32, crc32c, sha256).
    let write = |name: &str, selector: u8, body: Vec<u8>| {
        let mut input = vec![selector, 7];
        input.extend(body);
        std::fs::write(format!("{out}/{name}"), input).expect("write a seed");
    };
    write(
        "doc-signed",
        0,
        ChunkedEncoder::signed_payload(chain(seed)).encode_all(&doc, 65536),
    );
    write(
        "doc-trailer",
        1 | (1 << 2),
        ChunkedEncoder::signed_payload_trailer(chain(seed_trailer), ChecksumAlgorithm::Crc32c)
            .encode_all(&doc, 65536),
    );
    write(
        "small-signed",
        0,
        ChunkedEncoder::signed_payload(chain(seed)).encode_all(&small, 16),
    );
    for (i, c) in ChecksumAlgorithm::ALL.into_iter().enumerate() {
        let sel = (i as u8) << 2;
        write(
            &format!("small-trailer-{i}"),
            1 | sel,
            ChunkedEncoder::signed_payload_trailer(chain(seed_trailer), c).encode_all(&small, 16),
        );
        write(
            &format!("small-unsigned-{i}"),
            2 | sel,
            ChunkedEncoder::unsigned_payload_trailer(c).encode_all(&small, 16),
        );
    }
    write(
        "empty-signed",
        0,
        ChunkedEncoder::signed_payload(chain(seed)).encode_all(b"", 16),
    );
}
