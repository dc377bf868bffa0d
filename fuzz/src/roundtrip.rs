//! The `roundtrip` target: what sigv4_signer signs, sigv4_signer's verifier accepts (under the
//! matching `VerifySettings`, with a clock inside the allowed window), and one changed signed
//! component makes it reject, unless the change is canonically equivalent.
//!
//! Oracle for a change ("tamper"): the changed request is signed again with the same
//! parameters; the change is *equivalent* when that gives the same signature (same canonical
//! request, computed by our own canonical functions), and then the verifier must accept it;
//! otherwise it must reject it. Changes to the authentication itself (the request date, the
//! scope's region or service, the signature) must be rejected whenever the text differs
//! (the signature is compared case-insensitively: see `verify`). See `README.md`.

use arbitrary::Arbitrary;
use sigv4_signer::verify::{verify, VerifyParams, VerifySettings, DEFAULT_MAX_SKEW};
use sigv4_signer::{
    sign, ContentSha256Mode, Credentials, PayloadMode, SessionTokenMode, Settings, SignableRequest,
    SignatureLocation, SignedRequest, SigningOutput, SigningParams, SigningTime,
};

use crate::{Input, Mode, Text, METHODS};

/// The fuzz input of `roundtrip`. Every integer and text before `req` may be all zero bytes
/// (seeds are `[0; ROUNDTRIP_PREFIX]` followed by a `canonical` input): zeros mean the
/// defaults (suite credentials and scope, 2015-08-30T12:36:00Z, clock exact, no change).
#[derive(Arbitrary, Debug, Clone)]
pub struct RoundtripInput {
    /// Bit 0: payload `UNSIGNED-PAYLOAD`; bit 1: session token added after signing; bit 2:
    /// the key, secret, region and service below (else the suite's); bit 3: verifier accepts
    /// a raw `+` as a plus sign (S3).
    pub extra: u8,
    /// Seconds added to 2015-08-30T12:36:00Z (signed).
    pub time: i32,
    /// Server clock minus request time, seconds.
    pub clock: i32,
    /// `X-Amz-Expires` (0: 3600).
    pub expires: u32,
    /// 0: no change; else which component changes (see [`Tamper`]).
    pub tamper: u8,
    /// Where the change goes (a byte offset or index).
    pub at: u16,
    /// The new text.
    pub data: Text,
    pub key: Text,
    pub secret: Text,
    pub region: Text,
    pub service: Text,
    /// The request and `mode` (bit 0 S3 settings, 1 presign, 2 `x-amz-content-sha256`,
    /// 3 session token), as in `canonical`.
    pub req: Input,
}

/// Bytes of the fixed part of [`RoundtripInput`] before `data` (for seeds: all zeros).
pub const ROUNDTRIP_PREFIX: usize = 1 + 4 + 4 + 4 + 1 + 2;

const TOKEN: &str = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW";

/// Which component a tamper changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    HeaderValue,
    QueryByte,
    PathByte,
    Body,
    Method,
    Date,
    Region,
    Service,
    Signature,
}

impl Tamper {
    fn from_byte(b: u8) -> Option<Self> {
        use Tamper::*;
        const ALL: [Tamper; 9] = [
            HeaderValue,
            QueryByte,
            PathByte,
            Body,
            Method,
            Date,
            Region,
            Service,
            Signature,
        ];
        (b != 0).then(|| ALL[usize::from(b - 1) % ALL.len()])
    }
}

/// An owned unsigned request.
#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    query: Option<String>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn target(&self) -> String {
        let mut t = String::new();
        if !self.path.starts_with('/') {
            t.push('/');
        }
        t.push_str(&self.path);
        if let Some(q) = &self.query {
            t.push('?');
            t.push_str(q);
        }
        t
    }
}

/// Replaces the byte at `at % len` of `s` by `data` (appends when `s` is empty); the result is
/// made valid UTF-8 lossily.
fn splice(s: &str, at: u16, data: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len() + data.len());
    if b.is_empty() {
        out.extend_from_slice(data.as_bytes());
    } else {
        let i = usize::from(at) % b.len();
        out.extend_from_slice(&b[..i]);
        out.extend_from_slice(data.as_bytes());
        out.extend_from_slice(&b[i + 1..]);
    }
    String::from_utf8_lossy(&out).into_owned()
}

struct Setup {
    creds: Credentials,
    region: String,
    service: String,
    time: SigningTime,
    settings: Settings,
    verify_settings: VerifySettings,
    location: SignatureLocation,
}

impl Setup {
    fn params(&self) -> SigningParams<'_> {
        SigningParams::new(&self.creds, &self.region, &self.service, self.time)
            .with_settings(self.settings.clone())
    }

    fn sign(&self, r: &Req) -> Option<(SigningOutput, SignedRequest)> {
        let target = r.target();
        let req = SignableRequest {
            method: &r.method,
            target: &target,
            headers: r
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect(),
            body: &r.body,
        };
        let out = sign(&req, &self.params(), self.location).ok()?;
        let signed = out.apply(&req);
        Some((out, signed))
    }
}

fn setup(input: &RoundtripInput) -> Setup {
    let mode = Mode::from_byte(input.req.mode);
    let unsigned = input.extra & 1 != 0;
    let token_after = input.extra & 2 != 0;
    let custom = input.extra & 4 != 0;
    let literal_plus = input.extra & 8 != 0;
    let (key, secret, region, service) = if custom {
        (
            input.key.0.clone(),
            input.secret.0.clone(),
            input.region.0.clone(),
            input.service.0.clone(),
        )
    } else {
        (
            "AKIDEXAMPLE".to_owned(),
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned(),
            "us-east-1".to_owned(),
            "service".to_owned(),
        )
    };
    let mut creds = Credentials::new(key, secret);
    if mode.token {
        creds = creds.with_session_token(TOKEN);
    }
    let (uri_encoding, normalization) = if mode.s3 {
        let s = Settings::s3();
        (s.uri_encoding, s.normalization)
    } else {
        (Default::default(), Default::default())
    };
    let payload = if unsigned {
        PayloadMode::Unsigned
    } else {
        PayloadMode::Hash
    };
    let session_token = if token_after {
        SessionTokenMode::AddAfterSigning
    } else {
        SessionTokenMode::Include
    };
    // Header auth with an unsigned payload must tell the server so (x-amz-content-sha256):
    // without the header a server hashes the body; that configuration cannot verify.
    let content_sha256 = if mode.content_sha256 || (unsigned && !mode.presign) {
        ContentSha256Mode::Header
    } else {
        ContentSha256Mode::Omit
    };
    let location = if mode.presign {
        SignatureLocation::Query {
            expires_in: if input.expires == 0 {
                3600
            } else {
                u64::from(input.expires)
            },
        }
    } else {
        SignatureLocation::Headers
    };
    Setup {
        creds,
        region,
        service,
        time: SigningTime::from_unix_seconds(crate::TIME_UNIX as i64 + i64::from(input.time)),
        settings: Settings::default()
            .with_uri_encoding(uri_encoding)
            .with_normalization(normalization)
            .with_payload(payload.clone())
            .with_content_sha256(content_sha256)
            .with_session_token(session_token),
        verify_settings: VerifySettings::from(
            sigv4_signer::Settings::default()
                .with_uri_encoding(uri_encoding)
                .with_normalization(normalization)
                .with_payload(payload)
                .with_session_token(session_token),
        )
        .with_literal_plus(literal_plus),
        location,
    }
}

/// The unsigned request of an input: `host` added when missing; headers the signer itself
/// sets or that carry authentication are renamed (`x-f-` prefix), see README.md.
fn request(input: &Input) -> Req {
    let headers = input
        .header_list()
        .into_iter()
        .map(|(n, v)| {
            let l = n.to_ascii_lowercase();
            let special = matches!(
                l.as_str(),
                "authorization" | "x-amz-date" | "x-amz-content-sha256" | "x-amz-security-token"
            );
            let name = if special {
                format!("x-f-{n}")
            } else {
                n.to_owned()
            };
            (name, v.to_owned())
        })
        .collect();
    let q = input.query_string();
    Req {
        method: METHODS[usize::from(input.method) % METHODS.len()].to_owned(),
        path: input.path.0.clone(),
        query: (!input.query.is_empty()).then_some(q),
        headers,
        body: input.body.0.as_bytes().to_vec(),
    }
}

/// The clock window the verifier must accept: `[-skew, skew]` for header auth,
/// `[-skew, expires]` for a presigned URL.
fn in_window(location: SignatureLocation, clock: i64) -> bool {
    let skew = DEFAULT_MAX_SKEW as i64;
    match location {
        SignatureLocation::Query { expires_in } => clock >= -skew && clock <= expires_in as i64,
        _ => clock.abs() <= skew,
    }
}

/// Sets (replaces) a query parameter's raw value in a target.
fn set_param(target: &str, name: &str, value: &str) -> String {
    let Some((path, q)) = target.split_once('?') else {
        return target.to_owned();
    };
    let parts: Vec<String> = q
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _)) if k == name => format!("{k}={value}"),
            _ => p.to_owned(),
        })
        .collect();
    format!("{path}?{}", parts.join("&"))
}

fn set_header(headers: &mut [(String, String)], name: &str, value: &str) {
    for (n, v) in headers.iter_mut() {
        if n.eq_ignore_ascii_case(name) {
            *v = value.to_owned();
        }
    }
}

/// Everything the `roundtrip` target checks.
pub fn check(input: &RoundtripInput) {
    let s = setup(input);
    let req = request(&input.req);
    let Some((out, signed)) = s.sign(&req) else {
        return; // the signer rejects the input: nothing to verify
    };
    let mut clock = i64::from(input.clock);
    let mut expected_region = Some(s.region.as_str());
    let mut expected_service = Some(s.service.as_str());
    let tamper = Tamper::from_byte(input.tamper);
    if tamper.is_some() {
        clock = 0; // a change is judged with an exact clock
    }
    if matches!(tamper, Some(Tamper::Region)) {
        expected_region = None; // the signature alone must catch it
    }
    if matches!(tamper, Some(Tamper::Service)) {
        expected_service = None;
    }
    let secret = s.creds.secret_access_key.clone();
    let key = s.creds.access_key_id.clone();
    let lookup = move |k: &str| (k == key).then(|| secret.clone());
    let now = SigningTime::from_unix_seconds(s.time.unix_seconds().saturating_add(clock));
    let vp = VerifyParams::new(now, &lookup)
        .with_settings(s.verify_settings.clone())
        .with_expected_region(expected_region)
        .with_expected_service(expected_service);
    let run = |r: &SignedRequest| verify(&r.signable(), &vp);

    let Some(tamper) = tamper else {
        let got = run(&signed);
        if in_window(s.location, clock) {
            let v = got.unwrap_or_else(|e| {
                panic!(
                    "verifier rejects what the signer signed: {} ({e})\nsigned request:\n{signed}\nsigner's canonical request:\n{}",
                    e.code(),
                    out.canonical_request()
                )
            });
            assert_eq!(
                v.canonical_request(),
                out.canonical_request(),
                "signer and verifier compute different canonical requests for\n{signed}"
            );
            assert_eq!(v.string_to_sign(), out.string_to_sign());
        } else {
            assert!(
                got.is_err(),
                "accepted with the clock {clock} s off ({:?}):\n{signed}",
                s.location
            );
        }
        return;
    };

    let data = input.data.0.as_str();
    // Request-level changes: judged by signing the changed request again.
    let mut changed = req.clone();
    match tamper {
        Tamper::HeaderValue => {
            if changed.headers.is_empty() {
                return;
            }
            let i = usize::from(input.at) % changed.headers.len();
            changed.headers[i].1 = data.to_owned();
        }
        Tamper::QueryByte => {
            changed.query = Some(splice(
                changed.query.as_deref().unwrap_or(""),
                input.at,
                data,
            ))
        }
        Tamper::PathByte => changed.path = splice(&changed.path, input.at, data),
        Tamper::Body => changed.body = data.as_bytes().to_vec(),
        Tamper::Method => changed.method = data.to_owned(),
        Tamper::Date | Tamper::Region | Tamper::Service | Tamper::Signature => {
            return check_auth_change(input, tamper, &s, &out, &signed, &run);
        }
    }
    // The changed request carrying the original authentication.
    let target = changed.target();
    let changed_signable = SignableRequest {
        method: &changed.method,
        target: &target,
        headers: changed
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect(),
        body: &changed.body,
    };
    let sent = out.apply(&changed_signable);
    let got = run(&sent);
    let Some((again, _)) = s.sign(&changed) else {
        return; // the signer rejects the changed request: no demand but no panic
    };
    let mut equivalent = again.signature() == out.signature();
    if !equivalent && s.verify_settings.accept_literal_plus {
        if let Some(q) = &changed.query {
            if q.contains('+') {
                // S3 also reads a raw `+` as a plus sign.
                let mut plus = changed.clone();
                plus.query = Some(q.replace('+', "%2B"));
                if let Some((p, _)) = s.sign(&plus) {
                    equivalent = p.signature() == out.signature();
                }
            }
        }
    }
    if equivalent {
        if let Err(e) = got {
            panic!(
                "{tamper:?} change is canonically equivalent but rejected: {} ({e})\n{sent}",
                e.code()
            );
        }
    } else if got.is_ok() {
        panic!(
            "{tamper:?} change alters the canonical request but is accepted:\n{sent}\nsigned canonical request:\n{}\nchanged canonical request:\n{}",
            out.canonical_request(),
            again.canonical_request()
        );
    }
}

/// Changes to the authentication itself: rejected whenever the text differs.
fn check_auth_change(
    input: &RoundtripInput,
    tamper: Tamper,
    s: &Setup,
    out: &SigningOutput,
    signed: &SignedRequest,
    run: &dyn Fn(
        &SignedRequest,
    ) -> Result<sigv4_signer::verify::Verified, sigv4_signer::verify::VerifyError>,
) {
    let data = input.data.0.as_str();
    let mut t = signed.clone();
    let header_auth = s.location == SignatureLocation::Headers;
    let auth = signed.header("authorization").unwrap_or("").to_owned();
    let differs = match tamper {
        Tamper::Date => {
            if header_auth {
                set_header(&mut t.headers, "x-amz-date", data);
            } else {
                t.target = set_param(
                    &t.target,
                    "X-Amz-Date",
                    &sigv4_signer::internal::encode(data.as_bytes()),
                );
            }
            s.time.amz_date() != data
        }
        Tamper::Signature => {
            if header_auth {
                set_header(
                    &mut t.headers,
                    "authorization",
                    &auth.replace(out.signature(), data),
                );
            } else {
                t.target = set_param(
                    &t.target,
                    "X-Amz-Signature",
                    &sigv4_signer::internal::encode(data.as_bytes()),
                );
            }
            // The verifier compares hex case-insensitively.
            !out.signature().eq_ignore_ascii_case(data)
        }
        _ => {
            let sc = out.scope();
            let (old, new) = if tamper == Tamper::Region {
                (
                    format!("/{}/{}/", sc.date, sc.region),
                    format!("/{}/{data}/", sc.date),
                )
            } else {
                (
                    format!("/{}/{}/aws4_request", sc.region, sc.service),
                    format!("/{}/{data}/aws4_request", sc.region),
                )
            };
            if header_auth {
                set_header(
                    &mut t.headers,
                    "authorization",
                    &auth.replacen(&old, &new, 1),
                );
            } else {
                let enc = |x: &str| sigv4_signer::internal::encode(x.as_bytes());
                t.target = t.target.replacen(&enc(&old), &enc(&new), 1);
            }
            old != new
        }
    };
    if differs {
        if let Ok(v) = run(&t) {
            panic!(
                "{tamper:?} changed to {data:?} but accepted:\n{t}\ncanonical request:\n{}",
                v.canonical_request()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_prefix_decodes_to_defaults() {
        let mut bytes = vec![0u8; ROUNDTRIP_PREFIX];
        bytes.extend_from_slice(b"\0\0\0\0\0");
        bytes.extend_from_slice(&[0, 0, b'/', 0, 0, 0]);
        let i = RoundtripInput::arbitrary_take_rest(arbitrary::Unstructured::new(&bytes)).unwrap();
        assert_eq!(
            (i.extra, i.time, i.clock, i.expires, i.tamper, i.at),
            (0, 0, 0, 0, 0, 0)
        );
        assert_eq!(i.req.path.0, "/");
    }
}
