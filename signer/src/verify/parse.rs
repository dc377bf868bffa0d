//! Reading the authentication a request carries: the `Authorization` header or the presigned query's `X-Amz-*` parameters.

use std::borrow::Cow;
use std::fmt;

use crate::headers;
use crate::query::parse_query;
use crate::request::SignableRequest;
use crate::string_to_sign::{CredentialScope, ScopeFields, ALGORITHM};
use crate::v4a;

use super::error::malformed;
use super::VerifyError;

/// Where the signature was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthKind {
    /// `Authorization` header.
    Header,
    /// Presigned query.
    Query,
}

/// The parsed authentication of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParsedAuth {
    /// Header or query.
    pub kind: AuthKind,
    /// Access key id.
    pub access_key_id: String,
    /// Credential scope.
    pub scope: CredentialScope,
    /// Signed header names, as listed.
    pub signed_headers: Vec<String>,
    /// Signature, as sent.
    pub signature: String,
    /// `X-Amz-Expires`, for query auth.
    pub expires: Option<u64>,
    /// For SigV4a, its parts; `None` for SigV4. A SigV4a scope has no region: `scope.region`
    /// is then empty.
    pub v4a: Option<V4aAuth>,
}

/// The SigV4a parts of a parsed authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct V4aAuth {
    /// `X-Amz-Region-Set`, when the request carries it ([`parse_authorization`], which sees
    /// the header value only, leaves it `None`).
    pub region_set: Option<String>,
}

/// HTTP/2's `:authority` pseudo-header, which stands for Host (RFC 9113 section 8.3.1). An HTTP/2
/// client may sign it under that name, with no `host` (the JS SDK v3's HTTP/2 handler does, for
/// Kinesis and Transcribe streaming), and AWS accepts it in Host's place: its error for a
/// request signing neither is "'Host' or ':authority' must be a 'SignedHeader' in the AWS
/// Authorization" (quoted in aws-sdk-js-v3#3796). The one name with a `:` a received request
/// may carry and sign.
pub(super) const AUTHORITY: &str = ":authority";

/// Checks a received header's name and value: [`headers::validate`], with `:authority` as a
/// name (its value is checked as any header's).
pub(crate) fn validate_received(name: &str, value: &str) -> Result<(), crate::RequestError> {
    if name.eq_ignore_ascii_case(AUTHORITY) {
        headers::validate("host", value)
    } else {
        headers::validate(name, value)
    }
}

/// The headers the checks read, found in the same pass that validates every received header
/// ([`validate_headers`]): the first of each name, as [`header`] finds it, and whether
/// `Authorization` came more than once.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct KnownHeaders<'r> {
    pub(crate) authorization: Option<&'r str>,
    pub(crate) authorization_twice: bool,
    pub(crate) x_amz_date: Option<&'r str>,
    pub(crate) date: Option<&'r str>,
    pub(crate) content_sha256: Option<&'r str>,
}

impl<'r> KnownHeaders<'r> {
    fn note(&mut self, name: &str, value: &'r str) {
        // The length first: most names are none of these, and differ in length.
        let is = |lname: &str| headers::eq_names(name, lname);
        let slot = match name.len() {
            13 if is("authorization") => {
                self.authorization_twice |= self.authorization.is_some();
                &mut self.authorization
            }
            10 if is("x-amz-date") => &mut self.x_amz_date,
            4 if is("date") => &mut self.date,
            20 if is("x-amz-content-sha256") => &mut self.content_sha256,
            _ => return,
        };
        slot.get_or_insert(value);
    }

    /// The request's `Authorization` header, as [`authorization`] reads it.
    pub(crate) fn authorization(&self) -> Result<Option<&'r str>, VerifyError> {
        if self.authorization_twice {
            return Err(malformed("the Authorization header appears more than once"));
        }
        Ok(self.authorization)
    }
}

/// Checks every received header ([`validate_received`]), noting those the checks read.
pub(crate) fn validate_headers<'r>(
    request: &SignableRequest<'r>,
) -> Result<KnownHeaders<'r>, crate::RequestError> {
    let mut known = KnownHeaders::default();
    for &(n, v) in &request.headers {
        validate_received(n, v)?;
        known.note(n, v);
    }
    Ok(known)
}

pub(super) fn header<'r>(request: &SignableRequest<'r>, lname: &str) -> Option<&'r str> {
    request
        .headers
        .iter()
        .find(|(n, _)| headers::eq_names(n, lname))
        .map(|(_, v)| *v)
}

/// The request's `Authorization` header; a request that carries it more than once is
/// malformed (AWS answers a request with two `Authorization` headers as malformed rather than
/// verifying one of them; `sigv4 probe`'s `duplicate-authorization` case).
pub(super) fn authorization<'r>(
    request: &SignableRequest<'r>,
) -> Result<Option<&'r str>, VerifyError> {
    let mut values = request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"));
    let first = values.next().map(|(_, v)| *v);
    if values.next().is_some() {
        return Err(malformed("the Authorization header appears more than once"));
    }
    Ok(first)
}

/// The authentication of a request, borrowed from it: the `Authorization` header's value, or
/// the presigned query's `X-Amz-*` parameters (owned only when percent-decoding changed them).
/// Parsed and validated in shape ([`parse_auth`]), not checked: what a server routes on
/// before it verifies, and passes to [`super::verify_parsed`] so it parses the request once.
#[derive(Clone, PartialEq, Eq)]
pub struct RequestAuth<'a> {
    kind: AuthKind,
    /// `AK/date/region/service/aws4_request` (SigV4a: no region), validated.
    credential: Cow<'a, str>,
    /// Where the access key id, the date and the region end in `credential` (byte offsets of
    /// their `/`; SigV4a: the region ends where the date does), found once when it was checked.
    cut: [usize; 3],
    /// The `;`-separated signed header names, validated.
    signed_headers: Cow<'a, str>,
    signature: Cow<'a, str>,
    expires: Option<u64>,
    v4a: bool,
    region_set: Option<Cow<'a, str>>,
    /// Query auth: `X-Amz-Date`.
    pub(super) date: Option<Cow<'a, str>>,
}

impl<'a> RequestAuth<'a> {
    /// Header or query.
    pub fn kind(&self) -> AuthKind {
        self.kind
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.credential[..self.cut[0]]
    }

    /// The credential scope (for SigV4a, whose scope has no region, `region` is empty).
    pub fn scope(&self) -> ScopeFields<'_> {
        let [ak, date, region] = self.cut;
        let c = &*self.credential;
        // The service ends at the last `/` (before `aws4_request`).
        let end = c.len() - "/aws4_request".len();
        ScopeFields {
            date: &c[ak + 1..date],
            region: if self.v4a { "" } else { &c[date + 1..region] },
            service: &c[region + 1..end],
        }
    }

    /// The credential as sent (`AK/date/region/service/aws4_request`).
    pub fn credential(&self) -> &str {
        &self.credential
    }

    /// The signed header names, as listed.
    pub fn signed_headers(&self) -> std::str::Split<'_, char> {
        self.signed_headers.split(';')
    }

    /// [`Self::signed_headers`] by a byte scan, for the verifier's own loops.
    pub(crate) fn signed_names(&self) -> impl Iterator<Item = &str> + Clone {
        list_names(&self.signed_headers)
    }

    /// The signed header list as sent (`a;b;c`).
    pub fn signed_headers_list(&self) -> &str {
        &self.signed_headers
    }

    /// The signature, as sent.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// `X-Amz-Expires`, for query auth.
    pub fn expires(&self) -> Option<u64> {
        self.expires
    }

    /// Whether this is SigV4a (`AWS4-ECDSA-P256-SHA256`).
    pub fn is_v4a(&self) -> bool {
        self.v4a
    }

    /// SigV4a: `X-Amz-Region-Set`, when the request carries it.
    pub fn region_set(&self) -> Option<&str> {
        self.region_set.as_deref()
    }

    /// The same authentication with every part owned.
    pub fn into_owned(self) -> RequestAuth<'static> {
        let own = |c: Cow<'a, str>| Cow::Owned(c.into_owned());
        RequestAuth {
            kind: self.kind,
            credential: own(self.credential),
            cut: self.cut,
            signed_headers: own(self.signed_headers),
            signature: own(self.signature),
            expires: self.expires,
            v4a: self.v4a,
            region_set: self.region_set.map(own),
            date: self.date.map(own),
        }
    }

    /// The owned [`ParsedAuth`] of the same authentication.
    pub fn to_parsed(&self) -> ParsedAuth {
        let scope = self.scope();
        ParsedAuth {
            kind: self.kind,
            access_key_id: self.access_key_id().to_owned(),
            scope: CredentialScope {
                date: scope.date.to_owned(),
                region: scope.region.to_owned(),
                service: scope.service.to_owned(),
            },
            signed_headers: self.signed_headers().map(str::to_owned).collect(),
            signature: self.signature.clone().into_owned(),
            expires: self.expires,
            v4a: self.v4a.then(|| V4aAuth {
                region_set: self.region_set.as_deref().map(str::to_owned),
            }),
        }
    }

    /// A view of the same authentication whose parts are the given slices (of a buffer the
    /// parts were copied into, in this order).
    pub(super) fn parts(&self) -> [&str; 4] {
        [
            &self.credential,
            &self.signed_headers,
            &self.signature,
            self.region_set.as_deref().unwrap_or_default(),
        ]
    }

    pub(super) fn with_parts<'b>(&self, parts: [&'b str; 4]) -> RequestAuth<'b> {
        RequestAuth {
            kind: self.kind,
            credential: Cow::Borrowed(parts[0]),
            cut: self.cut,
            signed_headers: Cow::Borrowed(parts[1]),
            signature: Cow::Borrowed(parts[2]),
            expires: self.expires,
            v4a: self.v4a,
            region_set: self.region_set.as_ref().map(|_| Cow::Borrowed(parts[3])),
            date: None,
        }
    }
}

impl fmt::Debug for RequestAuth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestAuth")
            .field("kind", &self.kind)
            .field("credential", &self.credential)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &self.signature)
            .field("expires", &self.expires)
            .field("v4a", &self.v4a)
            .field("region_set", &self.region_set)
            .finish()
    }
}

/// Checks `AK/date/region/service/aws4_request` (SigV4a: no region) and returns where the
/// access key id, the date and the region end (the region's end is the date's for SigV4a).
fn check_credential(credential: &str, v4a: bool) -> Result<[usize; 3], VerifyError> {
    let bad = || VerifyError::MalformedCredential {
        credential: credential.chars().take(128).collect(),
    };
    // Scans only where a `/` may be: the date's is 9 bytes after the access key id's, the
    // last is that of the `/aws4_request` suffix.
    let slash = |b: &[u8], from: usize| b[from..].iter().position(|&c| c == b'/').map(|i| from + i);
    let body = credential
        .strip_suffix("/aws4_request")
        .ok_or_else(bad)?
        .as_bytes();
    let ak = slash(body, 0).filter(|&i| i > 0).ok_or_else(bad)?;
    let date = ak + 9;
    if body.get(date) != Some(&b'/') || !body[ak + 1..date].iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let region = match v4a {
        true => date,
        false => slash(body, date + 1)
            .filter(|&i| i > date + 1)
            .ok_or_else(bad)?,
    };
    let service = &body[region + 1..];
    if service.is_empty() || service.contains(&b'/') {
        return Err(bad());
    }
    Ok([ak, date, region])
}

/// Parses an `Authorization` header value.
pub fn parse_authorization(value: &str) -> Result<ParsedAuth, VerifyError> {
    parse_authorization_value(value).map(|a| a.to_parsed())
}

/// Parses an `Authorization` header value, borrowing from it: the layout signers write by
/// three comma scans, any other by the general split, then the same checks of the credential
/// and the signed header list.
pub fn parse_authorization_value(value: &str) -> Result<RequestAuth<'_>, VerifyError> {
    let (credential, signed, signature, is_v4a) = match signers_layout(value) {
        Some((credential, signed, signature)) => (credential, signed, signature, false),
        None => split_authorization(value)?,
    };
    let cut = check_credential(credential, is_v4a)?;
    check_signed_headers(signed)?;
    Ok(RequestAuth {
        kind: AuthKind::Header,
        credential: Cow::Borrowed(credential),
        cut,
        signed_headers: Cow::Borrowed(signed),
        signature: Cow::Borrowed(signature),
        expires: None,
        v4a: is_v4a,
        region_set: None,
        date: None,
    })
}

/// The credential, signed headers and signature of a SigV4 `Authorization` value laid out as
/// signers write it, `AWS4-HMAC-SHA256 Credential=C, SignedHeaders=S, Signature=X` (AWS's
/// documented form, which botocore, the aws-sigv4 crate, aws-c-auth and this signer write),
/// by three comma scans and three fixed compares; `None` for any other layout, which
/// [`split_authorization`] reads instead. When it answers, it answers what
/// [`split_authorization`] would: each part is taken only when it is not empty and has no
/// blank to trim and no comma (which would start another component), and the names are
/// matched exactly.
fn signers_layout(value: &str) -> Option<(&str, &str, &str)> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 Credential=")?;
    let end = find_comma(rest)?;
    let credential = &rest[..end];
    let rest = rest[end..].strip_prefix(", SignedHeaders=")?;
    let end = find_comma(rest)?;
    let signed = &rest[..end];
    let signature = rest[end..].strip_prefix(", Signature=")?;
    let blank = |c: &u8| *c == b' ' || *c == b'\t';
    let untrimmed = |p: &str| match p.as_bytes() {
        [first, .., last] => !blank(first) && !blank(last),
        [only] => !blank(only),
        [] => false,
    };
    (find_comma(signature).is_none()
        && untrimmed(credential)
        && untrimmed(signed)
        && untrimmed(signature))
    .then_some((credential, signed, signature))
}

/// Splits an `Authorization` value of any layout AWS accepts into its credential, signed
/// headers and signature, and says whether it is SigV4a: the algorithm, then `Key=Value`
/// components separated by commas, in any order, with blanks around the commas and the `=`.
///
/// One left-to-right pass over the value with byte scans (the separators are ASCII, so every
/// cut is on a character boundary): what `str::split` and `trim_matches` would do, without
/// their searchers' set-up per call, which cost more than the scan on values this short.
fn split_authorization(value: &str) -> Result<(&str, &str, &str, bool), VerifyError> {
    let value = trim_blanks(value);
    let (algorithm, rest) = match find_byte(value, |b| b == b' ' || b == b'\t') {
        Some(i) => (&value[..i], &value[i + 1..]),
        None => (value, ""),
    };
    let is_v4a = algorithm == v4a::ALGORITHM;
    if algorithm != ALGORITHM && !is_v4a {
        return Err(VerifyError::UnsupportedAlgorithm {
            algorithm: algorithm.chars().take(64).collect(),
        });
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    let mut rest = Some(rest);
    while let Some(r) = rest {
        let part = match find_comma(r) {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                &r[..i]
            }
            None => {
                rest = None;
                r
            }
        };
        let part = trim_blanks(part);
        if part.is_empty() {
            continue;
        }
        let Some(eq) = find_byte(part, |b| b == b'=') else {
            return Err(malformed(format!("{part:?} is not Key=Value")));
        };
        let (k, v) = (&part[..eq], &part[eq + 1..]);
        let slot = match trim_blanks(k) {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            other => return Err(malformed(format!("unknown component {other:?}"))),
        };
        if slot.replace(trim_blanks(v)).is_some() {
            return Err(malformed(format!("{k} appears twice")));
        }
    }
    let credential = credential.ok_or_else(|| malformed("no Credential"))?;
    let signed = signed.ok_or_else(|| malformed("no SignedHeaders"))?;
    let signature = signature.ok_or_else(|| malformed("no Signature"))?;
    Ok((credential, signed, signature, is_v4a))
}

/// The first byte of `s` that `is` picks, by a plain scan.
fn find_byte(s: &str, is: impl Fn(u8) -> bool) -> Option<usize> {
    s.bytes().position(is)
}

/// The first `,` in `s`, eight bytes at a time: the components of an `Authorization` value
/// are long (the signature alone is 64 bytes), and a byte-by-byte scan was most of its parse.
fn find_comma(s: &str) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    const COMMAS: u64 = u64::from_le_bytes([b','; 8]);
    let b = s.as_bytes();
    let mut chunks = b.chunks_exact(8);
    for (k, chunk) in chunks.by_ref().enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // A byte of `x` is zero where the chunk holds a `,`; the lowest byte flagged by
        // `(x - 1) & !x & 0x80` (per byte) is the first zero byte (Hacker's Delight, 6-1).
        let x = u64::from_le_bytes(word) ^ COMMAS;
        let zero = x.wrapping_sub(ONES) & !x & HIGH;
        if zero != 0 {
            return Some(k * 8 + (zero.trailing_zeros() / 8) as usize);
        }
    }
    let tail = b.len() - chunks.remainder().len();
    b[tail..].iter().position(|&c| c == b',').map(|i| tail + i)
}

/// `s` without leading and trailing spaces and tabs (`s.trim_matches([' ', '\t'])`).
fn trim_blanks(s: &str) -> &str {
    let b = s.as_bytes();
    let blank = |c: &u8| *c == b' ' || *c == b'\t';
    let start = b.iter().position(|c| !blank(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !blank(c)).map_or(start, |i| i + 1);
    &s[start..end]
}

/// The names of a `;`-separated list, as `list.split(';')` gives them, by a byte scan (the
/// lists are short: `str::split`'s searcher costs more to set up than the scan).
pub(crate) fn list_names(list: &str) -> impl Iterator<Item = &str> + Clone {
    let mut rest = Some(list);
    std::iter::from_fn(move || {
        let r = rest?;
        Some(match find_byte(r, |b| b == b';') {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                &r[..i]
            }
            None => {
                rest = None;
                r
            }
        })
    })
}

fn check_signed_headers(list: &str) -> Result<(), VerifyError> {
    // Signers list the names lowercase and sorted; such a list has no name twice, which saves
    // the pairwise comparison below. Each name's bytes are read once, for both questions.
    let mut previous: Option<&[u8]> = None;
    let mut sorted = true;
    for n in list.as_bytes().split(|&c| c == b';') {
        let (valid, upper) = n.iter().fold((true, false), |(valid, upper), &c| {
            (
                valid & headers::is_token_byte(c),
                upper | c.is_ascii_uppercase(),
            )
        });
        if n.is_empty() || !(valid || n == AUTHORITY.as_bytes()) {
            return Err(malformed(format!(
                "SignedHeaders {list:?} is not a ';'-separated list of header names"
            )));
        }
        sorted = sorted && !upper && previous.is_none_or(|p| p < n);
        previous = Some(n);
    }
    if sorted {
        return Ok(());
    }
    // A signer lists each header once (its values are joined on one line): a repeated name is
    // not a list any signer writes, and it would multiply a server's work for nothing.
    for (i, n) in list_names(list).enumerate() {
        if list_names(list).take(i).any(|m| m.eq_ignore_ascii_case(n)) {
            return Err(malformed(format!("SignedHeaders lists {n} twice")));
        }
    }
    Ok(())
}

pub(super) fn parse_presign(query: &str) -> Result<Option<RequestAuth<'_>>, VerifyError> {
    let get = |name: &str| -> Result<Option<Cow<'_, str>>, VerifyError> {
        let mut found = None;
        for (k, v) in parse_query(query) {
            if k == name.as_bytes() {
                if found.is_some() {
                    return Err(malformed(format!("{name} appears twice")));
                }
                found = Some(Cow::Owned(
                    String::from_utf8(v).map_err(|_| malformed(format!("{name} is not UTF-8")))?,
                ));
            }
        }
        Ok(found)
    };
    let Some(signature) = get("X-Amz-Signature")? else {
        return Ok(None);
    };
    let algorithm = get("X-Amz-Algorithm")?.ok_or_else(|| malformed("no X-Amz-Algorithm"))?;
    let is_v4a = algorithm == v4a::ALGORITHM;
    if algorithm != ALGORITHM && !is_v4a {
        return Err(VerifyError::UnsupportedAlgorithm {
            algorithm: algorithm.into_owned(),
        });
    }
    let credential = get("X-Amz-Credential")?.ok_or_else(|| malformed("no X-Amz-Credential"))?;
    let date = get("X-Amz-Date")?.ok_or(VerifyError::MissingDate)?;
    let signed = get("X-Amz-SignedHeaders")?.ok_or_else(|| malformed("no X-Amz-SignedHeaders"))?;
    let expires = get("X-Amz-Expires")?.ok_or_else(|| malformed("no X-Amz-Expires"))?;
    let expires: u64 = expires.parse().map_err(|_| {
        malformed(format!(
            "X-Amz-Expires {expires:?} is not a number of seconds"
        ))
    })?;
    let cut = check_credential(&credential, is_v4a)?;
    let region_set = match is_v4a {
        true => Some(get(v4a::REGION_SET_PARAM)?.ok_or(VerifyError::MissingRegionSet)?),
        false => None,
    };
    check_signed_headers(&signed)?;
    Ok(Some(RequestAuth {
        kind: AuthKind::Query,
        credential,
        cut,
        signed_headers: signed,
        signature,
        expires: Some(expires),
        v4a: is_v4a,
        region_set,
        date: Some(date),
    }))
}

/// The authentication a request carries (its `Authorization` header, else its presigned
/// query), parsed but not checked, owned. [`parse_auth`] borrows instead.
pub fn parse_request_auth(request: &SignableRequest<'_>) -> Result<ParsedAuth, VerifyError> {
    parse_auth(request).map(|a| a.to_parsed())
}

/// The authentication a request carries (its `Authorization` header, else its presigned
/// query), parsed but not checked, borrowed from the request: what a server needs to route by
/// credential scope before it verifies with [`super::verify_parsed`], which takes it instead of
/// parsing again.
pub fn parse_auth<'r>(request: &SignableRequest<'r>) -> Result<RequestAuth<'r>, VerifyError> {
    let (_, query) = request.path_and_query()?;
    parse_auth_of(request, query, authorization(request)?)
}

/// [`parse_auth`] of a request whose query is `query` and whose `Authorization` header
/// ([`authorization`]) is `authorization`.
pub(super) fn parse_auth_of<'r>(
    request: &SignableRequest<'r>,
    query: &'r str,
    authorization: Option<&'r str>,
) -> Result<RequestAuth<'r>, VerifyError> {
    match authorization {
        Some(value) => parse_authorization_value(value).map(|a| with_region_set_header(request, a)),
        None => parse_presign(query)?.ok_or(VerifyError::MissingAuthentication),
    }
}

/// A SigV4a header auth with the request's `X-Amz-Region-Set` header filled in.
pub(super) fn with_region_set_header<'r>(
    request: &SignableRequest<'r>,
    mut auth: RequestAuth<'r>,
) -> RequestAuth<'r> {
    if auth.v4a {
        auth.region_set = header(request, v4a::REGION_SET_HEADER).map(Cow::Borrowed);
    }
    auth
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`parse_authorization_value`] as it was before [`signers_layout`]: every value split by
    /// [`split_authorization`].
    fn parse_by_splitting(value: &str) -> Result<RequestAuth<'_>, VerifyError> {
        let (credential, signed, signature, is_v4a) = split_authorization(value)?;
        let cut = check_credential(credential, is_v4a)?;
        check_signed_headers(signed)?;
        Ok(RequestAuth {
            kind: AuthKind::Header,
            credential: Cow::Borrowed(credential),
            cut,
            signed_headers: Cow::Borrowed(signed),
            signature: Cow::Borrowed(signature),
            expires: None,
            v4a: is_v4a,
            region_set: None,
            date: None,
        })
    }

    const SIGNED: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

    /// Pieces of `Authorization` values near the layout signers write: its separators and
    /// names, blanks, commas, other algorithms, and parts that are empty or wrong.
    const PIECES: &[&str] = &[
        "AWS4-HMAC-SHA256",
        "AWS4-ECDSA-P256-SHA256",
        "AWS4-HMAC-SHA256 Credential=",
        " ",
        "\t",
        ",",
        ", ",
        "=",
        ";",
        "Credential=",
        "Credential",
        " Credential =",
        "SignedHeaders=",
        ", SignedHeaders=",
        "Signature=",
        ", Signature=",
        "signature=",
        "Other=x",
        "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request",
        "AKIDEXAMPLE/20150830/service/aws4_request",
        "AK/2015/x/y/aws4_request",
        "host;x-amz-date",
        "host",
        "Host;X-Amz-Date",
        "x-amz-date;host",
        "host;host",
        ":authority",
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        "0",
        "é",
    ];

    proptest::proptest! {
        /// The layout signers write is read as the general split reads it, and every other
        /// value gets the general split's verdict, error for error.
        #[test]
        fn signers_layout_parses_as_splitting_does(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..12),
        ) {
            let value = pieces.concat();
            proptest::prop_assert_eq!(parse_authorization_value(&value), parse_by_splitting(&value));
        }

        /// A signed value with one byte changed, inserted or removed anywhere.
        #[test]
        fn signers_layout_parses_an_edited_value_as_splitting_does(
            at in 0..SIGNED.len(),
            edit in 0..3u8,
            byte in proptest::sample::select(&b" \t,=;/AaZ0"[..]),
        ) {
            let mut value = SIGNED.as_bytes().to_vec();
            match edit {
                0 => value[at] = byte,
                1 => value.insert(at, byte),
                _ => { value.remove(at); }
            }
            let value = String::from_utf8(value).unwrap();
            proptest::prop_assert_eq!(parse_authorization_value(&value), parse_by_splitting(&value));
        }
    }

    #[test]
    fn signers_layout_reads_what_signers_write() {
        assert_eq!(
            signers_layout(SIGNED),
            Some((
                "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request",
                "host;x-amz-date",
                "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
            ))
        );
        for other in [
            SIGNED.replace(", ", ","),
            SIGNED.replace("Credential=", "Credential= "),
            SIGNED.replace(", Signature=", " , Signature="),
            format!("{SIGNED} "),
            format!("{SIGNED},"),
            SIGNED.replace("AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256\t"),
        ] {
            assert_eq!(signers_layout(&other), None, "{other:?}");
            assert_eq!(
                parse_authorization_value(&other),
                parse_by_splitting(&other)
            );
        }
    }

    #[test]
    fn find_comma_finds_the_first_comma() {
        for s in [
            "",
            ",",
            "abc",
            "abcdefgh,",
            "abcdefghijklmnop",
            "abcdefg,h,",
            "ééééé,é",
            "aaaaaaaé,",
            "\u{80}\u{80}\u{80}\u{80}\u{80}\u{80}\u{80}\u{80},",
        ] {
            assert_eq!(find_comma(s), s.find(','), "{s:?}");
        }
    }

    /// The credential check as it was before it scanned only where a `/` may be.
    fn check_credential_by_every_slash(credential: &str, v4a: bool) -> Option<[usize; 3]> {
        let mut slashes = credential
            .bytes()
            .enumerate()
            .filter_map(|(i, b)| (b == b'/').then_some(i));
        let ak = slashes.next()?;
        let date = slashes.next()?;
        let region = if v4a { date } else { slashes.next()? };
        let service = slashes.next()?;
        if slashes.next().is_some() || &credential[service + 1..] != "aws4_request" {
            return None;
        }
        let date_text = &credential[ak + 1..date];
        if ak == 0
            || (!v4a && region == date + 1)
            || service == region + 1
            || date_text.len() != 8
            || !date_text.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        Some([ak, date, region])
    }

    #[test]
    fn check_credential_accepts_what_it_did() {
        // Credentials of every shape near the rule: each field right, empty, too long or short,
        // holding a `/`; fields left out (SigV4a's shape has no region), doubled separators.
        let aks = ["AK", "", "A/K", "é"];
        let dates = [
            "20150830",
            "2015083",
            "201508300",
            "2015o830",
            "",
            "2015/830",
            "é0150830",
        ];
        let regions = ["us-east-1", "", "a/b", "é"];
        let services = ["s3", "", "s/3"];
        let tails = [
            "aws4_request",
            "aws5_request",
            "aws4_request/",
            "",
            "x/aws4_request",
        ];
        let mut all = Vec::new();
        for ak in aks {
            for date in dates {
                for region in regions {
                    for service in services {
                        for tail in tails {
                            for sep in ["/", "//"] {
                                all.push([ak, date, region, service, tail].join(sep));
                                all.push([ak, date, service, tail].join(sep));
                                all.push([ak, date, region, service].join(sep));
                                all.push([ak, date, region, service, tail, tail].join(sep));
                            }
                        }
                    }
                }
            }
        }
        for s in &all {
            for v4a in [false, true] {
                assert_eq!(
                    check_credential(s, v4a).ok(),
                    check_credential_by_every_slash(s, v4a),
                    "{s:?} v4a={v4a}"
                );
            }
        }
    }

    #[test]
    fn list_names_splits_as_split_does() {
        for s in ["", ";", "a", "a;b", ";a;", "host;x-amz-date", "a;;b"] {
            assert_eq!(
                list_names(s).collect::<Vec<_>>(),
                s.split(';').collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn trim_blanks_trims_as_trim_matches_does() {
        for s in ["", " ", "\t a \t", "a", " é ", "a b", "\t\t"] {
            assert_eq!(trim_blanks(s), s.trim_matches([' ', '\t']));
        }
    }
}
