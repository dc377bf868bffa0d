//! Harness adapter (protocol 1 and 2) for the aws-sigv4 crate: `aws_sigv4::http_request::sign`
//! with `SigningSettings` set from the case, at the case's time; SigV4a through the crate's
//! `sigv4a` feature (`sign::v4a::SigningParams`, the region set from the message), and the
//! chunked extension through `sign::v4::sign_chunk` / `sign_trailer`. The canonical request
//! and string to sign are read from the crate's TRACE events (`tools/aws-sigv4-capture`; it redacts the session token
//! there; the adapter puts it back and, for SigV4, checks the result against the signature).

use std::borrow::Cow;
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody,
    SignableRequest, SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::{v4, v4a};
use aws_smithy_runtime_api::client::identity::Identity;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sigv4_adapters::protocol::{
    ok, parse_time, signed_request, Algorithm, Hello, Location, Payload, SessionToken, UriEncoding,
};
use sigv4_adapters::{hex, run, Answer, Case};

/// The aws-sigv4 version of Cargo.lock (checked by tests/hello.rs).
const VERSION: &str = "1.6.4";

/// RFC 3986 encoding (unreserved kept) of a query parameter added to the target.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// The SigV4a string to sign of `creq` (AWS's IAM user guide, "SigV4a": algorithm, date,
/// scope without region, hash of the canonical request).
fn string_to_sign_v4a(case: &Case, creq: &str, amz_date: &str) -> Option<String> {
    let date = amz_date.get(..8)?;
    Some(format!(
        "AWS4-ECDSA-P256-SHA256\n{amz_date}\n{date}/{}/aws4_request\n{}",
        case.service,
        hex(&Sha256::digest(creq.as_bytes()))
    ))
}

/// The string to sign for `creq`, if it reproduces `signature` (else None: not what was signed).
fn string_to_sign(case: &Case, creq: &str, amz_date: &str, signature: &str) -> Option<String> {
    let date = amz_date.get(..8)?;
    let scope = format!("{date}/{}/{}/aws4_request", case.region, case.service);
    let sts = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(creq.as_bytes()))
    );
    let mut k = hmac(
        format!("AWS4{}", case.credentials.secret_access_key).as_bytes(),
        date.as_bytes(),
    );
    for part in [case.region.as_str(), case.service.as_str(), "aws4_request"] {
        k = hmac(&k, part.as_bytes());
    }
    (hex(&hmac(&k, sts.as_bytes())) == signature).then_some(sts)
}

fn sign_case(case: &Case) -> Answer {
    let st = &case.settings;
    let v4a = st.algorithm == Algorithm::Sigv4a;
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = match st.uri_encoding {
        UriEncoding::Double => PercentEncodingMode::Double,
        UriEncoding::Single => PercentEncodingMode::Single,
    };
    settings.uri_path_normalization_mode = if st.normalize_path {
        UriPathNormalizationMode::Enabled
    } else {
        UriPathNormalizationMode::Disabled
    };
    if st.content_sha256_header {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    settings.session_token_mode = match st.session_token {
        SessionToken::Include => SessionTokenMode::Include,
        SessionToken::AfterSigning => SessionTokenMode::Exclude,
    };
    if st.location == Location::Query {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(st.expires_in.unwrap_or(3600)));
    }
    if let Some(wanted) = &st.signed_headers {
        // excluded_headers is the crate's switch: its defaults minus the wanted ones, plus every
        // header of the request that is not wanted.
        let wanted: Vec<String> = wanted.iter().map(|n| n.to_ascii_lowercase()).collect();
        let mut excluded: Vec<Cow<'static, str>> = settings
            .excluded_headers
            .take()
            .unwrap_or_default()
            .into_iter()
            .filter(|n| !wanted.iter().any(|w| w.eq_ignore_ascii_case(n)))
            .collect();
        for (n, _) in &case.request.headers {
            let l = n.to_ascii_lowercase();
            if l != "host" && !wanted.contains(&l) && !excluded.iter().any(|e| e == &l) {
                excluded.push(Cow::Owned(l));
            }
        }
        settings.excluded_headers = Some(excluded);
    }
    let time = match parse_time(&case.time) {
        Ok(t) => t,
        Err(e) => return Answer::Error(e),
    };
    let body = match case.request.body() {
        Ok(b) => b,
        Err(e) => return Answer::Error(e),
    };
    let streaming = st.payload.streaming_value().is_some();
    if v4a && streaming {
        return Answer::Unsupported(
            "the crate's chunk signing (sign_chunk) is SigV4 only; SigV4a chunk signatures are not exposed".into(),
        );
    }
    let identity: Identity = Credentials::new(
        &case.credentials.access_key_id,
        &case.credentials.secret_access_key,
        case.credentials.session_token.clone(),
        None,
        "sigv4-harness",
    )
    .into();
    let params: aws_sigv4::http_request::SigningParams<'_> = if v4a {
        match v4a::SigningParams::builder()
            .identity(&identity)
            .region_set(&case.region)
            .name(&case.service)
            .time(time)
            .settings(settings)
            .build()
        {
            Ok(p) => p.into(),
            Err(e) => return Answer::Error(format!("v4a::SigningParams: {e}")),
        }
    } else {
        match v4::SigningParams::builder()
            .identity(&identity)
            .region(&case.region)
            .name(&case.service)
            .time(time)
            .settings(settings)
            .build()
        {
            Ok(p) => p.into(),
            Err(e) => return Answer::Error(format!("SigningParams: {e}")),
        }
    };
    let signable_body = match &st.payload {
        Payload::Hash => SignableBody::Bytes(&body),
        Payload::Unsigned => SignableBody::UnsignedPayload,
        Payload::Precomputed { value } => SignableBody::Precomputed(value.clone()),
        Payload::StreamingSigned => {
            SignableBody::Precomputed("STREAMING-AWS4-HMAC-SHA256-PAYLOAD".to_owned())
        }
        Payload::StreamingSignedTrailer => SignableBody::StreamingSignedPayloadTrailer,
        Payload::StreamingUnsignedTrailer => SignableBody::StreamingUnsignedPayloadTrailer,
    };
    let req = match SignableRequest::new(
        &case.request.method,
        case.request.target.as_str(),
        case.request
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str())),
        signable_body,
    ) {
        Ok(r) => r,
        Err(e) => return Answer::Error(format!("SignableRequest: {e}")),
    };
    let (out, captured) = aws_sigv4_capture::capture(|| sign(req, &params));
    let out = match out {
        Ok(o) => o,
        Err(e) => return Answer::Error(format!("sign: {e}")),
    };
    let signature = out.signature().to_string();
    let (instructions, _) = out.into_parts();
    let (added_headers, added_params) = instructions.into_parts();
    let mut headers = case.request.headers.clone();
    let mut amz_date = None;
    for h in &added_headers {
        if h.name().eq_ignore_ascii_case("x-amz-date") {
            amz_date = Some(h.value().to_string());
        }
        headers.push((h.name().to_string(), h.value().to_string()));
    }
    let mut target = case.request.target.clone();
    for (k, v) in &added_params {
        if *k == "X-Amz-Date" {
            amz_date = Some(v.to_string());
        }
        target.push(if target.contains('?') { '&' } else { '?' });
        target.push_str(&format!("{}={}", encode(k), encode(v)));
    }
    let mut canonical = captured.canonical_request().map(str::to_owned);
    if let (Some(c), Some(token)) = (&canonical, &case.credentials.session_token) {
        let redacted = format!("** redacted (length={}) **", token.len());
        canonical = Some(c.replace(&redacted, token));
    }
    let sts = if v4a {
        // ECDSA signatures cannot be reproduced here; the string to sign is rebuilt from the
        // traced canonical request (and must equal the traced one where the crate logs it).
        canonical
            .as_deref()
            .zip(amz_date.as_deref())
            .and_then(|(c, d)| string_to_sign_v4a(case, c, d))
    } else {
        canonical
            .as_deref()
            .zip(amz_date.as_deref())
            .and_then(|(c, d)| string_to_sign(case, c, d, &signature))
    };
    if let (Some(traced), Some(ours)) = (captured.string_to_sign(), &sts) {
        if traced != ours {
            eprintln!("traced string to sign differs from the rebuilt one:\n{traced}\n--\n{ours}");
        }
    }
    // A canonical request that does not reproduce the signature is not reported.
    let canonical = if sts.is_some() { canonical } else { None };
    let mut answer = ok(
        signed_request(&case.request.method, target, headers, &body),
        canonical,
        sts,
        Some(signature.clone()),
    );
    if streaming {
        if let Err(e) = add_chain(case, &identity, time, &body, &signature, &mut answer) {
            return Answer::Error(e);
        }
    }
    answer
}

/// The chunked extension: the chunk signatures (`sign::v4::sign_chunk`, the final empty chunk
/// last) and, in the signed-trailer mode, the trailer's (`sign::v4::sign_trailer`).
fn add_chain(
    case: &Case,
    identity: &Identity,
    time: std::time::SystemTime,
    body: &[u8],
    seed: &str,
    answer: &mut Answer,
) -> Result<(), String> {
    let Answer::Ok(signed) = answer else {
        return Ok(());
    };
    if case.settings.payload == Payload::StreamingUnsignedTrailer {
        return Ok(());
    }
    let params = v4::SigningParams::builder()
        .identity(identity)
        .region(&case.region)
        .name(&case.service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("SigningParams: {e}"))?;
    let size = usize::try_from(case.request.chunk_size.unwrap_or(65536))
        .unwrap_or(usize::MAX)
        .max(1);
    let mut running = seed.to_owned();
    let mut chunks = Vec::new();
    for c in body.chunks(size).chain(std::iter::once(&[][..])) {
        running = v4::sign_chunk(&bytes::Bytes::copy_from_slice(c), &running, &params)
            .map_err(|e| format!("sign_chunk: {e}"))?
            .into_parts()
            .1;
        chunks.push(running.clone());
    }
    if case.settings.payload == Payload::StreamingSignedTrailer {
        let mut h = aws_smithy_runtime_api::http::Headers::new();
        for (n, v) in case.request.trailer.iter().flatten() {
            h.insert(n.clone(), v.clone());
        }
        let t = v4::sign_trailer(&h, &running, &params)
            .map_err(|e| format!("sign_trailer: {e}"))?
            .into_parts()
            .1;
        signed.trailer_signature = Some(t);
    }
    signed.chunk_signatures = Some(chunks);
    Ok(())
}

fn main() -> anyhow::Result<()> {
    run(
        &Hello {
            name: "aws-sigv4",
            version: VERSION,
            reveals: &["canonical_request", "string_to_sign", "signature"],
            protocols: &[1, 2],
            algorithms: &["sigv4", "sigv4a"],
            features: &["chunked"],
        },
        &sign_case,
    )
}
