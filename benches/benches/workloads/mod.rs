//! The operations each benchmark times, shared by the criterion benches (`signing.rs`) and the
//! allocation count (`allocs.rs`): everything a user does per request, for this signer, the
//! aws-sigv4 crate and reqsign.

#![allow(dead_code)]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sigv4_signer::{
    sign, Credentials, Settings, SignableRequest, SignatureLocation, SigningKeyCache,
    SigningParams, SigningTime,
};

pub const AK: &str = "AKIDEXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
pub const HOST: &str = "example.amazonaws.com";
pub const EPOCH: u64 = 1_440_938_160; // 2015-08-30T12:36:00Z, the suite's time
pub const PRESIGN_TARGET: &str = "/photos/cat.jpg?a=1&b=two&c=3&d=four&e=5";

pub fn json_body() -> Vec<u8> {
    let mut b = br#"{"TableName":"bench","Item":{"id":{"S":""#.to_vec();
    b.resize(1024 - 5, b'x');
    b.extend_from_slice(br#""}}}"#);
    b.truncate(1024);
    b
}

/// reqsign's sign future never waits with static credentials: poll it once.
pub fn poll_once<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("reqsign's signer waited"),
    }
}

pub mod ours {
    //! The same `http::Request` in and out as the aws-sigv4 workload: build it, sign it with
    //! `sign_http`, set the result on it with `apply_http` (the body is borrowed, never copied).
    use super::*;
    use sigv4_signer::http_adapter::{apply_http, sign_http};

    fn run<B: AsRef<[u8]>>(
        params: &SigningParams<'_>,
        mut req: http::Request<B>,
        location: SignatureLocation,
    ) -> usize {
        let out = sign_http(&req, params, location).unwrap();
        apply_http(&mut req, &out).unwrap();
        req.headers().len()
    }

    fn params<'a>(creds: &'a Credentials, service: &'a str) -> SigningParams<'a> {
        SigningParams::new(
            creds,
            "us-east-1",
            service,
            SigningTime::from_unix_seconds(EPOCH as i64),
        )
    }

    pub fn get(creds: &Credentials, cache: Option<&SigningKeyCache>) -> usize {
        let mut params = params(creds, "service");
        if let Some(c) = cache {
            params = params.with_key_cache(c);
        }
        let req = http::Request::get(format!("https://{HOST}/"))
            .header("host", HOST)
            .body(&b""[..])
            .unwrap();
        run(&params, req, SignatureLocation::Headers)
    }

    pub fn post(creds: &Credentials, body: &[u8]) -> usize {
        let req = http::Request::post(format!("https://{HOST}/"))
            .header("host", HOST)
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", "DynamoDB_20120810.PutItem")
            .body(body)
            .unwrap();
        run(&params(creds, "dynamodb"), req, SignatureLocation::Headers)
    }

    pub fn presign(creds: &Credentials) -> usize {
        let params = params(creds, "s3")
            .with_settings(Settings::s3().with_payload(sigv4_signer::PayloadMode::Unsigned));
        let req = http::Request::get(format!("https://{HOST}{PRESIGN_TARGET}"))
            .header("host", HOST)
            .body(&b""[..])
            .unwrap();
        run(&params, req, SignatureLocation::Query { expires_in: 3600 })
    }

    pub fn put_1mib(creds: &Credentials, body: &[u8]) -> usize {
        let params = params(creds, "s3").with_settings(Settings::s3());
        let req = http::Request::put(format!("https://{HOST}/bucket/key"))
            .header("host", HOST)
            .body(body)
            .unwrap();
        run(&params, req, SignatureLocation::Headers)
    }

    /// GET with this library's own request type, no `http::Request`: describe the request
    /// from strings, sign it, read the headers to set (what a caller with its own HTTP client
    /// does). The peer row is `aws::get_native`.
    pub fn get_native(creds: &Credentials, cache: Option<&SigningKeyCache>) -> usize {
        let mut params = params(creds, "service");
        if let Some(c) = cache {
            params = params.with_key_cache(c);
        }
        let req = SignableRequest::new("GET", "/").header("host", HOST);
        let out = sign(&req, &params, SignatureLocation::Headers).unwrap();
        out.header_pairs().map(|(n, v)| n.len() + v.len()).sum()
    }

    /// `sign()` alone on a prepared request: the signer's own allocations.
    pub fn sign_only(
        params: &SigningParams<'_>,
        req: &SignableRequest<'_>,
        location: SignatureLocation,
    ) -> usize {
        sign(req, params, location).unwrap().signature().len()
    }
}

pub mod aws {
    use super::*;
    use aws_credential_types::Credentials as AwsCredentials;
    use aws_sigv4::http_request::{
        sign as aws_sign, PayloadChecksumKind, PercentEncodingMode, SignableBody,
        SignableRequest as AwsRequest, SignatureLocation as AwsLocation, SigningSettings,
        UriPathNormalizationMode,
    };
    use aws_sigv4::sign::v4;
    use aws_smithy_runtime_api::client::identity::Identity;

    pub fn identity() -> Identity {
        AwsCredentials::new(AK, SECRET, None, None, "bench").into()
    }

    /// Signing parameters as a user builds them per request (the time changes).
    fn params<'a>(
        identity: &'a Identity,
        service: &'a str,
        settings: SigningSettings,
    ) -> aws_sigv4::http_request::SigningParams<'a> {
        v4::SigningParams::builder()
            .identity(identity)
            .region("us-east-1")
            .name(service)
            .time(UNIX_EPOCH + Duration::from_secs(EPOCH))
            .settings(settings)
            .build()
            .unwrap()
            .into()
    }

    fn run(
        identity: &Identity,
        service: &str,
        settings: SigningSettings,
        mut req: http::Request<Vec<u8>>,
        body: SignableBody<'_>,
    ) -> usize {
        let params = params(identity, service, settings);
        let uri = req.uri().to_string();
        let signable = AwsRequest::new(
            req.method().as_str(),
            uri.as_str(),
            req.headers()
                .iter()
                .map(|(n, v)| (n.as_str(), v.to_str().unwrap())),
            body,
        )
        .unwrap();
        let (instructions, _) = aws_sign(signable, &params).unwrap().into_parts();
        instructions.apply_to_request_http1x(&mut req);
        req.headers().len()
    }

    /// GET with aws-sigv4's own request type (its `SignableRequest` takes the method, URI,
    /// header pairs and body as strings), no `http::Request`: sign, read the headers to set.
    pub fn get_native(identity: &Identity) -> usize {
        let params = params(identity, "service", SigningSettings::default());
        let signable = AwsRequest::new(
            "GET",
            "https://example.amazonaws.com/",
            [("host", HOST)].into_iter(),
            SignableBody::Bytes(b""),
        )
        .unwrap();
        let (instructions, _) = aws_sign(signable, &params).unwrap().into_parts();
        instructions.headers().map(|(n, v)| n.len() + v.len()).sum()
    }

    pub fn get(identity: &Identity) -> usize {
        let req = http::Request::get(format!("https://{HOST}/"))
            .header("host", HOST)
            .body(Vec::new())
            .unwrap();
        run(
            identity,
            "service",
            SigningSettings::default(),
            req,
            SignableBody::Bytes(b""),
        )
    }

    pub fn post(identity: &Identity, body: &[u8]) -> usize {
        let req = http::Request::post(format!("https://{HOST}/"))
            .header("host", HOST)
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", "DynamoDB_20120810.PutItem")
            .body(body.to_vec())
            .unwrap();
        run(
            identity,
            "dynamodb",
            SigningSettings::default(),
            req,
            SignableBody::Bytes(body),
        )
    }

    pub fn presign(identity: &Identity) -> usize {
        let mut settings = SigningSettings::default();
        settings.signature_location = AwsLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(3600));
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        let req = http::Request::get(format!("https://{HOST}{PRESIGN_TARGET}"))
            .header("host", HOST)
            .body(Vec::new())
            .unwrap();
        run(identity, "s3", settings, req, SignableBody::UnsignedPayload)
    }

    pub fn put_1mib(identity: &Identity, body: &[u8]) -> usize {
        let mut settings = SigningSettings::default();
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        let req = http::Request::put(format!("https://{HOST}/bucket/key"))
            .header("host", HOST)
            .body(Vec::new())
            .unwrap();
        run(identity, "s3", settings, req, SignableBody::Bytes(body))
    }

    pub fn key(time: SystemTime) -> usize {
        v4::generate_signing_key(SECRET, time, "us-east-1", "service")
            .as_ref()
            .len()
    }
}

pub mod reqsign {
    use super::*;
    use reqsign_aws_v4::{Credential, RequestSigner};
    use reqsign_core::{Context as RqContext, SignRequest};

    pub struct Rq {
        ctx: RqContext,
        cred: Credential,
    }

    pub fn new() -> Rq {
        Rq {
            ctx: RqContext::new(),
            cred: Credential {
                access_key_id: AK.into(),
                secret_access_key: SECRET.into(),
                session_token: None,
                expires_in: None,
            },
        }
    }

    /// reqsign takes the time from the clock (its `with_time` is test-only), so its numbers
    /// include one clock read.
    fn signer(service: &str) -> RequestSigner {
        RequestSigner::new(service, "us-east-1")
    }

    fn run(rq: &Rq, service: &str, req: http::Request<()>, expires: Option<Duration>) -> usize {
        let (mut parts, ()) = req.into_parts();
        poll_once(signer(service).sign_request(&rq.ctx, &mut parts, Some(&rq.cred), expires))
            .unwrap();
        parts.headers.len() + parts.uri.to_string().len()
    }

    pub fn get(rq: &Rq) -> usize {
        run(
            rq,
            "service",
            http::Request::get(format!("https://{HOST}/"))
                .body(())
                .unwrap(),
            None,
        )
    }

    pub fn post(rq: &Rq, body: &[u8]) -> usize {
        // reqsign signs the x-amz-content-sha256 the caller sets: hashing the body is part of
        // the user's work per request.
        let hash = sigv4_signer::internal::sha256_hex(body);
        let req = http::Request::post(format!("https://{HOST}/"))
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", "DynamoDB_20120810.PutItem")
            .header("x-amz-content-sha256", hash)
            .body(())
            .unwrap();
        run(rq, "dynamodb", req, None)
    }

    pub fn presign(rq: &Rq) -> usize {
        run(
            rq,
            "s3",
            http::Request::get(format!("https://{HOST}{PRESIGN_TARGET}"))
                .body(())
                .unwrap(),
            Some(Duration::from_secs(3600)),
        )
    }

    pub fn put_1mib(rq: &Rq, body: &[u8]) -> usize {
        let hash = sigv4_signer::internal::sha256_hex(body);
        let req = http::Request::put(format!("https://{HOST}/bucket/key"))
            .header("x-amz-content-sha256", hash)
            .body(())
            .unwrap();
        run(rq, "s3", req, None)
    }
}

/// A plain hand-written signer, written here the obvious way (AWS's SigV4 steps as documented:
/// canonical request, string to sign, HMAC key chain, signature; four `String`s per request):
/// the floor a user would compare a library with. GET with header auth, headers `host` and
/// `x-amz-date` only, as get-vanilla; the date strings come from the time as a user's time
/// library would give them.
pub mod hand {
    use super::*;
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};

    type HmacSha256 = Hmac<Sha256>;

    fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
        let mut mac = HmacSha256::new_from_slice(key).unwrap();
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    fn hex(bytes: &[u8]) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            s.push(DIGITS[usize::from(b >> 4)] as char);
            s.push(DIGITS[usize::from(b & 15)] as char);
        }
        s
    }

    /// kSigning = HMAC chain over date, region, service, "aws4_request".
    pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
        let k_secret = format!("AWS4{secret}");
        let k_date = hmac(k_secret.as_bytes(), date.as_bytes());
        let k_region = hmac(&k_date, region.as_bytes());
        let k_service = hmac(&k_region, service.as_bytes());
        hmac(&k_service, b"aws4_request")
    }

    /// The `Authorization` header of `GET path` to `host` at `amz_date` (`YYYYMMDDTHHMMSSZ`);
    /// with `key`, that signing key (a cache the caller keeps) instead of deriving it.
    #[allow(clippy::too_many_arguments)]
    pub fn authorization(
        access_key: &str,
        secret: &str,
        region: &str,
        service: &str,
        host: &str,
        path: &str,
        amz_date: &str,
        key: Option<&[u8; 32]>,
    ) -> String {
        let date = &amz_date[..8];
        let empty_hash = hex(&Sha256::digest(b""));
        let canonical_request = format!(
            "GET\n{path}\n\nhost:{host}\nx-amz-date:{amz_date}\n\nhost;x-amz-date\n{empty_hash}"
        );
        let scope = format!("{date}/{region}/{service}/aws4_request");
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            hex(&Sha256::digest(canonical_request.as_bytes()))
        );
        let k_signing = match key {
            Some(k) => *k,
            None => signing_key(secret, date, region, service),
        };
        let signature = hex(&hmac(&k_signing, string_to_sign.as_bytes()));
        format!(
            "AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders=host;x-amz-date, Signature={signature}"
        )
    }

    /// One request as a user of the hand-written signer makes it: the date from the time, the
    /// header, the two header values' lengths read back (as `ours::get_native` does).
    pub fn get(key: Option<&[u8; 32]>) -> usize {
        let amz_date = SigningTime::from_unix_seconds(EPOCH as i64).amz_date();
        let auth = authorization(
            AK,
            SECRET,
            "us-east-1",
            "service",
            HOST,
            "/",
            &amz_date,
            key,
        );
        auth.len() + amz_date.len()
    }
}

/// The floor: what any SigV4 signer must do for get-vanilla, and nothing else. The canonical
/// request and the string to sign are fixed templates with the date written in (no parsing,
/// validation, sorting or encoding: a general signer cannot know these texts in advance); the
/// work left is the SHA-256 compressions, their padding and byte order, the two hex digests and
/// copying the texts. The date string is given ready (no formatting). Its time over the
/// compression bound is the part of a target's allowance that no signer can spend on anything
/// else (`bench-table` prints it). `Fixture::new` checks that it gives the signer's
/// `Authorization` value (whose get-vanilla signature is AWS's suite's), so it cannot time a
/// shortcut.
///
/// [`floor::presign_query`] is the same for the presigned GET of the presign workload
/// (`PRESIGN_TARGET`, five parameters, S3, unsigned payload): its canonical request and string
/// to sign fixed with the date written in, its X-Amz-* parameters written once already encoded
/// and sorted, the key derived; `Fixture::new` checks its parameters and signature against the
/// signer's.
pub mod floor {
    use sha2::compress256;
    use sha2::digest::generic_array::GenericArray;

    const IV: [u32; 8] = [
        0x6a09_e667,
        0xbb67_ae85,
        0x3c6e_f372,
        0xa54f_f53a,
        0x510e_527f,
        0x9b05_688c,
        0x1f83_d9ab,
        0x5be0_cd19,
    ];

    /// Eight chaining words and the bytes absorbed (whole blocks).
    #[derive(Clone, Copy)]
    pub struct State([u32; 8], u64);

    fn block(s: &mut State, b: &[u8]) {
        compress256(&mut s.0, std::slice::from_ref(GenericArray::from_slice(b)));
        s.1 += 64;
    }

    /// SHA-256 of what `s` absorbed followed by `data` (FIPS 180-4 padding).
    pub fn finish(mut s: State, data: &[u8]) -> [u8; 32] {
        let mut blocks = data.chunks_exact(64);
        for b in &mut blocks {
            block(&mut s, b);
        }
        let rest = blocks.remainder();
        let bits = (s.1 + rest.len() as u64) * 8;
        let mut last = [0u8; 64];
        last[..rest.len()].copy_from_slice(rest);
        last[rest.len()] = 0x80;
        if rest.len() >= 56 {
            block(&mut s, &last);
            last = [0; 64];
        }
        last[56..].copy_from_slice(&bits.to_be_bytes());
        block(&mut s, &last);
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(s.0) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        out
    }

    /// An HMAC key as its inner and outer pad states (RFC 2104).
    #[derive(Clone, Copy)]
    pub struct Key(State, State);

    impl Key {
        pub fn new(key: &[u8]) -> Self {
            let pad = |x: u8| {
                let mut b = [x; 64];
                for (b, k) in b.iter_mut().zip(key) {
                    *b ^= k;
                }
                let mut s = State(IV, 0);
                block(&mut s, &b);
                s
            };
            Key(pad(0x36), pad(0x5c))
        }

        pub fn mac(&self, data: &[u8]) -> [u8; 32] {
            finish(self.1, &finish(self.0, data))
        }
    }

    fn hex_into(out: &mut [u8], bytes: &[u8; 32]) {
        const D: &[u8; 16] = b"0123456789abcdef";
        for (o, b) in out.chunks_exact_mut(2).zip(bytes) {
            o[0] = D[usize::from(b >> 4)];
            o[1] = D[usize::from(b & 15)];
        }
    }

    const CREQ: &[u8] = b"GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:YYYYMMDDTHHMMSSZ\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const CREQ_DATE: usize = 45;
    const STS: &[u8] =
        b"AWS4-HMAC-SHA256\nYYYYMMDDTHHMMSSZ\nYYYYMMDD/us-east-1/service/aws4_request\n";
    const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/YYYYMMDD/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=";
    const AUTH_DATE: usize = 40;

    /// The signing key of `date`, as a cache keeps it: its pad states.
    pub fn signing_key(secret: &str, date: &str) -> Key {
        key_of(secret, date, b"service")
    }

    /// The signing key of `date` and `service` in us-east-1.
    fn key_of(secret: &str, date: &str, service: &[u8]) -> Key {
        let mut k = [0u8; 64];
        k[..4].copy_from_slice(b"AWS4");
        k[4..4 + secret.len()].copy_from_slice(secret.as_bytes());
        let k = Key::new(&k[..4 + secret.len()]).mac(date.as_bytes());
        let k = Key::new(&k).mac(b"us-east-1");
        let k = Key::new(&k).mac(service);
        Key::new(&Key::new(&k).mac(b"aws4_request"))
    }

    /// The `Authorization` value of get-vanilla at `amz_date`, under `key` or a key derived
    /// from `secret` here; one allocation (the value), as the signer's `sign()`.
    pub fn authorization(amz_date: &str, secret: &str, key: Option<&Key>) -> String {
        let date = &amz_date.as_bytes()[..8];
        let mut creq = [0u8; CREQ.len()];
        creq.copy_from_slice(CREQ);
        creq[CREQ_DATE..CREQ_DATE + 16].copy_from_slice(amz_date.as_bytes());
        let mut sts = [0u8; STS.len() + 64];
        sts[..STS.len()].copy_from_slice(STS);
        sts[17..33].copy_from_slice(amz_date.as_bytes());
        sts[34..42].copy_from_slice(date);
        hex_into(&mut sts[STS.len()..], &finish(State(IV, 0), &creq));
        let derived;
        let key = match key {
            Some(k) => k,
            None => {
                derived = signing_key(secret, &amz_date[..8]);
                &derived
            }
        };
        let mut sig = [0u8; 64];
        hex_into(&mut sig, &key.mac(&sts));
        let mut out = String::with_capacity(AUTH.len() + 64);
        out.push_str(AUTH);
        out.replace_range(AUTH_DATE..AUTH_DATE + 8, &amz_date[..8]);
        out.push_str(std::str::from_utf8(&sig).unwrap_or(""));
        out
    }

    /// Where the first `YYYYMMDD` placeholder at or after `from` starts in `text`.
    const fn date_at(text: &[u8], from: usize) -> usize {
        let mut i = from;
        while text[i] != b'Y' {
            i += 1;
        }
        i
    }

    /// The X-Amz-* parameters of the presigned GET (`PRESIGN_TARGET`, S3, unsigned payload,
    /// an hour), encoded and in canonical order: in the canonical request's query before the
    /// request's own five, and in the output before `X-Amz-Signature`.
    const PRESIGN_PARAMS: &str = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2FYYYYMMDD%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=YYYYMMDDTHHMMSSZ&X-Amz-Expires=3600&X-Amz-SignedHeaders=host";
    const PRESIGN_CREQ_HEAD: &[u8] = b"GET\n/photos/cat.jpg\n";
    const PRESIGN_CREQ_TAIL: &[u8] =
        b"&a=1&b=two&c=3&d=four&e=5\nhost:example.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD";
    const PRESIGN_CREQ_LEN: usize =
        PRESIGN_CREQ_HEAD.len() + PRESIGN_PARAMS.len() + PRESIGN_CREQ_TAIL.len();
    /// The credential's date stamp and `X-Amz-Date` in [`PRESIGN_PARAMS`].
    const PARAMS_STAMP: usize = date_at(PRESIGN_PARAMS.as_bytes(), 0);
    const PARAMS_DATE: usize = date_at(PRESIGN_PARAMS.as_bytes(), PARAMS_STAMP + 8);
    const PRESIGN_STS: &[u8] =
        b"AWS4-HMAC-SHA256\nYYYYMMDDTHHMMSSZ\nYYYYMMDD/us-east-1/s3/aws4_request\n";
    const SIGNATURE: &str = "&X-Amz-Signature=";

    /// The query parameters to append to `PRESIGN_TARGET` (what the signer's `sign()` gives
    /// as `query_pairs`), presigned at `amz_date` with a key derived here from `secret`: the
    /// X-Amz-* parameters encoded, `X-Amz-Signature` last; one allocation (the text).
    pub fn presign_query(amz_date: &str, secret: &str) -> String {
        let stamp = &amz_date[..8];
        // The parameters are written once, in the output, and copied from there into the
        // canonical request.
        let p = PRESIGN_PARAMS;
        let mut out = String::with_capacity(p.len() + SIGNATURE.len() + 64);
        out.push_str(&p[..PARAMS_STAMP]);
        out.push_str(stamp);
        out.push_str(&p[PARAMS_STAMP + 8..PARAMS_DATE]);
        out.push_str(amz_date);
        out.push_str(&p[PARAMS_DATE + 16..]);
        let mut creq = [0u8; PRESIGN_CREQ_LEN];
        let (head, rest) = creq.split_at_mut(PRESIGN_CREQ_HEAD.len());
        let (run, tail) = rest.split_at_mut(p.len());
        head.copy_from_slice(PRESIGN_CREQ_HEAD);
        run.copy_from_slice(out.as_bytes());
        tail.copy_from_slice(PRESIGN_CREQ_TAIL);
        let mut sts = [0u8; PRESIGN_STS.len() + 64];
        sts[..PRESIGN_STS.len()].copy_from_slice(PRESIGN_STS);
        sts[17..33].copy_from_slice(amz_date.as_bytes());
        sts[34..42].copy_from_slice(stamp.as_bytes());
        hex_into(&mut sts[PRESIGN_STS.len()..], &finish(State(IV, 0), &creq));
        let key = key_of(secret, stamp, b"s3");
        let mut sig = [0u8; 64];
        hex_into(&mut sig, &key.mac(&sts));
        out.push_str(SIGNATURE);
        out.push_str(std::str::from_utf8(&sig).unwrap_or(""));
        out
    }
}

/// The inputs every operation shares, made once.
pub struct Fixture {
    pub creds: Credentials,
    pub identity: aws_smithy_runtime_api::client::identity::Identity,
    pub rq: reqsign::Rq,
    pub body: Vec<u8>,
    pub mib: Vec<u8>,
    pub cache: SigningKeyCache,
    pub signed: sigv4_signer::SignedRequest,
    /// The hand-written signer's cached signing key.
    pub hand_key: [u8; 32],
    /// The floor's cached signing key.
    pub floor_key: floor::Key,
    /// The get-vanilla `X-Amz-Date`, ready for the floor.
    pub amz_date: String,
}

impl Fixture {
    pub fn new() -> Self {
        let creds = Credentials::new(AK, SECRET);
        let params = SigningParams::new(
            &creds,
            "us-east-1",
            "service",
            SigningTime::from_unix_seconds(EPOCH as i64),
        );
        let req = SignableRequest::new("GET", "/").header("Host", HOST);
        let out = sign(&req, &params, SignatureLocation::Headers).unwrap();
        let signed = out.apply(&req);
        let floor_key = floor::signing_key(SECRET, "20150830");
        let amz_date = SigningTime::from_unix_seconds(EPOCH as i64).amz_date();
        for key in [None, Some(&floor_key)] {
            assert_eq!(
                Some(floor::authorization(&amz_date, SECRET, key).as_str()),
                out.authorization(),
                "the floor signs get-vanilla as the signer does"
            );
        }
        check_presign_floor(&creds, &amz_date);
        Self {
            identity: aws::identity(),
            rq: reqsign::new(),
            body: json_body(),
            mib: (0..1 << 20).map(|i: u32| (i % 251) as u8).collect(),
            cache: SigningKeyCache::default(),
            signed,
            creds,
            hand_key: hand::signing_key(SECRET, "20150830", "us-east-1", "service"),
            floor_key,
            amz_date,
        }
    }
}

/// Checks that the presign floor gives the X-Amz-* parameters the signer's `sign()` gives for
/// the presign workload (`sign-only/presign-5-params`), as encoded in its signed URL, the
/// signature included.
fn check_presign_floor(creds: &Credentials, amz_date: &str) {
    let params = SigningParams::new(
        creds,
        "us-east-1",
        "s3",
        SigningTime::from_unix_seconds(EPOCH as i64),
    )
    .with_settings(Settings::s3().with_payload(sigv4_signer::PayloadMode::Unsigned));
    let req = SignableRequest::new("GET", PRESIGN_TARGET).header("Host", HOST);
    let out = sign(&req, &params, SignatureLocation::Query { expires_in: 3600 }).unwrap();
    let url = out.signed_target(PRESIGN_TARGET);
    let added = |q: &str| {
        let mut v: Vec<String> = q
            .split('&')
            .filter(|p| p.starts_with("X-Amz-"))
            .map(str::to_owned)
            .collect();
        v.sort();
        v
    };
    let (_, query) = url.split_once('?').unwrap();
    let floor = floor::presign_query(amz_date, SECRET);
    assert_eq!(
        added(&floor),
        added(query),
        "the floor presigns as the signer does"
    );
    assert!(floor.ends_with(out.signature()));
}

/// Verifies the fixture's signed GET (peers have no verifier), described once as a
/// `SignableRequest` (`Fixture::signed.signable()`), as the `sign-only` rows describe theirs:
/// the verifier's own cost, not that of borrowing the received headers into a list. The
/// secret is borrowed from the key store (`VerifyParams::new_borrowing`), as signing borrows
/// it from the `Credentials`.
pub fn verify_get(request: &SignableRequest<'_>) -> bool {
    use sigv4_signer::verify::{verify, VerifyParams, VerifySettings};
    let lookup = |k: &str| (k == AK).then_some(SECRET);
    let vparams =
        VerifyParams::new_borrowing(SigningTime::from_unix_seconds(EPOCH as i64), &lookup)
            .with_settings(VerifySettings::default());
    verify(request, &vparams).is_ok()
}

/// One benchmarked operation: criterion group, id, and the operation.
pub type Operation<'a> = (&'static str, &'static str, Box<dyn Fn() -> usize + 'a>);

/// Every operation, in table order, as `(group, id, run)`. Criterion names them `group/id`.
pub fn operations(fx: &Fixture) -> Vec<Operation<'_>> {
    let mut ops = table_operations(fx);
    ops.extend(sign_only_operations(fx));
    ops
}

/// `sign()` alone on a request described once (group `sign-only`, id = the row's group): what
/// the signer itself costs, without building and applying to an `http::Request`.
pub fn sign_only_operations(fx: &Fixture) -> Vec<Operation<'_>> {
    let time = SigningTime::from_unix_seconds(EPOCH as i64);
    let get = SignableRequest::new("GET", "/").header("Host", HOST);
    let post = SignableRequest::new("POST", "/")
        .header("Host", HOST)
        .header("Content-Type", "application/x-amz-json-1.0")
        .header("X-Amz-Target", "DynamoDB_20120810.PutItem")
        .body(&fx.body);
    let presign = SignableRequest::new("GET", PRESIGN_TARGET).header("Host", HOST);
    let put = SignableRequest::new("PUT", "/bucket/key")
        .header("Host", HOST)
        .body(&fx.mib);
    let c = &fx.creds;
    let h = SignatureLocation::Headers;
    let get2 = get.clone();
    vec![
        (
            "sign-only",
            "get-vanilla",
            Box::new(move || {
                ours::sign_only(
                    &SigningParams::new(c, "us-east-1", "service", time),
                    &get,
                    h,
                )
            }),
        ),
        (
            "sign-only",
            "get-vanilla-cached-key",
            Box::new(move || {
                let p =
                    SigningParams::new(c, "us-east-1", "service", time).with_key_cache(&fx.cache);
                ours::sign_only(&p, &get2, h)
            }),
        ),
        (
            "sign-only",
            "post-1kib",
            Box::new(move || {
                ours::sign_only(
                    &SigningParams::new(c, "us-east-1", "dynamodb", time),
                    &post,
                    h,
                )
            }),
        ),
        (
            "sign-only",
            "presign-5-params",
            Box::new(move || {
                let p = SigningParams::new(c, "us-east-1", "s3", time).with_settings(
                    Settings::s3().with_payload(sigv4_signer::PayloadMode::Unsigned),
                );
                ours::sign_only(&p, &presign, SignatureLocation::Query { expires_in: 3600 })
            }),
        ),
        (
            "sign-only",
            "put-1mib",
            Box::new(move || {
                let p =
                    SigningParams::new(c, "us-east-1", "s3", time).with_settings(Settings::s3());
                ours::sign_only(&p, &put, h)
            }),
        ),
    ]
}

/// The operations of the criterion table.
pub fn table_operations(fx: &Fixture) -> Vec<Operation<'_>> {
    let t = UNIX_EPOCH + Duration::from_secs(EPOCH);
    let verify_request = fx.signed.signable();
    vec![
        (
            "key-derivation",
            "ours",
            Box::new(move || {
                sigv4_signer::SigningKey::derive(
                    SECRET,
                    sigv4_signer::ScopeFields {
                        date: "20150830",
                        region: "us-east-1",
                        service: "service",
                    },
                )
                .as_bytes()
                .len()
            }),
        ),
        ("key-derivation", "aws-sigv4", Box::new(move || aws::key(t))),
        (
            "key-derivation",
            "ours-cache-hit",
            Box::new(move || {
                fx.cache
                    .get(
                        SECRET,
                        sigv4_signer::ScopeFields {
                            date: "20150830",
                            region: "us-east-1",
                            service: "service",
                        },
                    )
                    .as_bytes()
                    .len()
            }),
        ),
        (
            "get-vanilla",
            "ours",
            Box::new(move || ours::get(&fx.creds, None)),
        ),
        (
            "get-vanilla",
            "ours-cached-key",
            Box::new(move || ours::get(&fx.creds, Some(&fx.cache))),
        ),
        (
            "get-vanilla",
            "aws-sigv4",
            Box::new(move || aws::get(&fx.identity)),
        ),
        (
            "get-vanilla",
            "reqsign",
            Box::new(move || reqsign::get(&fx.rq)),
        ),
        (
            "get-native",
            "ours",
            Box::new(move || ours::get_native(&fx.creds, None)),
        ),
        (
            "get-native",
            "ours-cached-key",
            Box::new(move || ours::get_native(&fx.creds, Some(&fx.cache))),
        ),
        (
            "get-native",
            "aws-sigv4",
            Box::new(move || aws::get_native(&fx.identity)),
        ),
        (
            "get-native",
            "hand-written",
            Box::new(move || hand::get(None)),
        ),
        (
            "get-native",
            "hand-written-cached-key",
            Box::new(move || hand::get(Some(&fx.hand_key))),
        ),
        (
            "get-native",
            "floor",
            Box::new(move || floor::authorization(&fx.amz_date, SECRET, None).len()),
        ),
        (
            "get-native",
            "floor-cached-key",
            Box::new(move || floor::authorization(&fx.amz_date, SECRET, Some(&fx.floor_key)).len()),
        ),
        (
            "post-1kib",
            "ours",
            Box::new(move || ours::post(&fx.creds, &fx.body)),
        ),
        (
            "post-1kib",
            "aws-sigv4",
            Box::new(move || aws::post(&fx.identity, &fx.body)),
        ),
        (
            "post-1kib",
            "reqsign",
            Box::new(move || reqsign::post(&fx.rq, &fx.body)),
        ),
        (
            "presign-5-params",
            "ours",
            Box::new(move || ours::presign(&fx.creds)),
        ),
        (
            "presign-5-params",
            "aws-sigv4",
            Box::new(move || aws::presign(&fx.identity)),
        ),
        (
            "presign-5-params",
            "reqsign",
            Box::new(move || reqsign::presign(&fx.rq)),
        ),
        (
            "presign-5-params",
            "floor",
            Box::new(move || floor::presign_query(&fx.amz_date, SECRET).len()),
        ),
        (
            "put-1mib",
            "ours",
            Box::new(move || ours::put_1mib(&fx.creds, &fx.mib)),
        ),
        (
            "put-1mib",
            "aws-sigv4",
            Box::new(move || aws::put_1mib(&fx.identity, &fx.mib)),
        ),
        (
            "put-1mib",
            "reqsign",
            Box::new(move || reqsign::put_1mib(&fx.rq, &fx.mib)),
        ),
        (
            "put-1mib",
            "raw-sha256",
            Box::new(move || sigv4_signer::internal::sha256_hex(&fx.mib).len()),
        ),
        (
            "verify-get",
            "ours",
            Box::new(move || usize::from(verify_get(&verify_request))),
        ),
    ]
}
