//! The one writer of AWS error responses: the body and headers of each protocol's error shape
//! ([`error_response`]), and the extra elements S3 puts in its `<Error>` for a failed
//! authentication ([`s3_auth_details`]) or a failed `aws-chunked` body
//! ([`s3_chunked_details`]). The server, the in-process handler and the wiremock responder all
//! answer through these.

use sigv4_signer::chunked::ChunkedError;
use sigv4_signer::diagnose::Diagnosis;
use sigv4_signer::verify::VerifyError;

use crate::errors::{AwsError, Protocol};
use crate::message::Response;
use crate::util::{spaced_hex, xml_escape};

/// An AWS error response in `protocol`'s wire shape; `extra_xml` goes into S3's `<Error>`
/// (other protocols ignore it: see [`error_response_with`]).
pub fn error_response(
    protocol: Protocol,
    err: AwsError,
    message: &str,
    request_id: &str,
    extra_xml: &str,
) -> Response {
    render(protocol, err, message, request_id, extra_xml, &[])
}

/// An AWS error response in `protocol`'s wire shape with mock-aws's details of a failed
/// authentication ([`AuthDetails`]) in the fields the SDKs ignore: extra elements in S3's,
/// the query protocol's and EC2's `<Error>`, extra keys beside `__type` and `message` in the
/// JSON protocols' object and beside `message` in REST-JSON's.
pub fn error_response_with(
    protocol: Protocol,
    err: AwsError,
    message: &str,
    request_id: &str,
    details: &AuthDetails,
) -> Response {
    let fields = details.fields();
    let extra_xml = match protocol {
        Protocol::S3 => {
            let mut x = details.s3_xml.clone();
            for (name, value) in &fields {
                if !details.s3_xml.contains(&format!("<{name}>")) {
                    x.push_str(&format!("<{name}>{}</{name}>", xml_escape(value)));
                }
            }
            x
        }
        _ => String::new(),
    };
    render(protocol, err, message, request_id, &extra_xml, &fields)
}

fn xml_fields(fields: &[(&'static str, String)]) -> String {
    fields
        .iter()
        .map(|(n, v)| format!("<{n}>{}</{n}>", xml_escape(v)))
        .collect()
}

fn json_body(
    type_field: Option<String>,
    message: &str,
    fields: &[(&'static str, String)],
) -> String {
    let mut body = serde_json::Map::new();
    if let Some(t) = type_field {
        body.insert("__type".to_owned(), t.into());
    }
    body.insert("message".to_owned(), message.into());
    for (n, v) in fields {
        body.insert((*n).to_owned(), v.clone().into());
    }
    serde_json::Value::Object(body).to_string()
}

fn render(
    protocol: Protocol,
    err: AwsError,
    message: &str,
    request_id: &str,
    extra_xml: &str,
    fields: &[(&'static str, String)],
) -> Response {
    match protocol {
        Protocol::Json { version } => Response::new(
            err.status,
            &format!("application/x-amz-json-{version}"),
            json_body(
                Some(format!("com.amazon.coral.service#{}", err.code)),
                message,
                fields,
            ),
        )
        .with_header("x-amzn-ErrorType", err.code)
        .with_header("x-amzn-RequestId", request_id),
        Protocol::RestJson => Response::new(
            err.status,
            "application/json",
            json_body(None, message, fields),
        )
        .with_header("x-amzn-ErrorType", err.code)
        .with_header("x-amzn-RequestId", request_id),
        Protocol::Query => Response::new(
            err.status,
            "text/xml",
            format!(
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message>{}</Error><RequestId>{}</RequestId></ErrorResponse>",
                err.code,
                xml_escape(message),
                xml_fields(fields),
                request_id
            ),
        )
        .with_header("x-amzn-RequestId", request_id),
        Protocol::Ec2 => Response::new(
            err.status,
            "text/xml;charset=UTF-8",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{}</Code><Message>{}</Message>{}</Error></Errors><RequestID>{}</RequestID></Response>",
                err.code,
                xml_escape(message),
                xml_fields(fields),
                request_id
            ),
        )
        .with_header("x-amzn-RequestId", request_id),
        Protocol::S3 => Response::new(
            err.status,
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message>{extra_xml}<RequestId>{}</RequestId><HostId>mock-aws</HostId></Error>",
                err.code,
                xml_escape(message),
                request_id
            ),
        )
        .with_header("x-amz-request-id", request_id),
    }
}

/// What mock-aws adds to an error body when authentication fails, in every protocol: the
/// server's canonical request and string to sign (on a signature mismatch), the signature the
/// client sent, the diagnosis (its sentence and code) and, when the client sent its own
/// canonical request (`x-mock-aws-canonical-request`), the first line where it differs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthDetails {
    /// The access key the request named.
    pub access_key: Option<String>,
    /// The server's canonical request.
    pub canonical_request: Option<String>,
    /// The server's string to sign.
    pub string_to_sign: Option<String>,
    /// The signature the request carried.
    pub signature_provided: Option<String>,
    /// The diagnosis sentence.
    pub diagnosis: Option<String>,
    /// The diagnosis code (`path-encoded-once`, `a+b`, `unexplained`).
    pub diagnosis_code: Option<String>,
    /// The diff of the client's canonical request against the server's.
    pub canonical_request_diff: Option<String>,
    /// S3's own elements ([`s3_auth_details`]), written first in S3's `<Error>`.
    pub s3_xml: String,
}

impl AuthDetails {
    /// The fields, named as in S3's `<Error>` (`CanonicalRequest`, `StringToSign`,
    /// `SignatureProvided`, `AWSAccessKeyId`) and mock-aws's own (`MockAwsDiagnosis`,
    /// `MockAwsDiagnosisCode`, `MockAwsCanonicalRequestDiff`).
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut put = |n: &'static str, v: &Option<String>| {
            if let Some(v) = v {
                out.push((n, v.clone()));
            }
        };
        if self.canonical_request.is_some() {
            put("AWSAccessKeyId", &self.access_key);
        }
        put("CanonicalRequest", &self.canonical_request);
        put("StringToSign", &self.string_to_sign);
        if self.canonical_request.is_some() {
            put("SignatureProvided", &self.signature_provided);
        }
        put("MockAwsDiagnosis", &self.diagnosis);
        put("MockAwsDiagnosisCode", &self.diagnosis_code);
        put("MockAwsCanonicalRequestDiff", &self.canonical_request_diff);
        out
    }
}

/// The elements S3 adds to `<Error>` when authentication fails, as AWS S3 does: on a signature
/// mismatch the access key, the server's string to sign and canonical request (as text and as
/// `CanonicalRequestBytes`-style hex) and the signature provided, then mock-aws's diagnosis when
/// a known mistake explains it; the access key for an unknown one; the expected region; the
/// expiry or skew times; the unsigned `host`. Empty for other errors.
pub fn s3_auth_details(
    err: &VerifyError,
    access_key: Option<&str>,
    signature_provided: &str,
    diagnosis: Option<&Diagnosis>,
) -> String {
    let mut extra = match err {
        VerifyError::SignatureMismatch {
            canonical_request,
            string_to_sign,
        } => format!(
            "<AWSAccessKeyId>{}</AWSAccessKeyId><StringToSign>{}</StringToSign><SignatureProvided>{}</SignatureProvided><StringToSignBytes>{}</StringToSignBytes><CanonicalRequest>{}</CanonicalRequest><CanonicalRequestBytes>{}</CanonicalRequestBytes>",
            xml_escape(access_key.unwrap_or("")),
            xml_escape(string_to_sign),
            xml_escape(signature_provided),
            spaced_hex(string_to_sign),
            xml_escape(canonical_request),
            spaced_hex(canonical_request),
        ),
        VerifyError::UnknownAccessKey { access_key_id } => format!(
            "<AWSAccessKeyId>{}</AWSAccessKeyId>",
            xml_escape(access_key_id)
        ),
        VerifyError::WrongRegion { expected, .. } => {
            format!("<Region>{}</Region>", xml_escape(expected))
        }
        VerifyError::Expired {
            expired_at,
            server_time,
        } => format!(
            "<Expires>{}</Expires><ServerTime>{}</ServerTime>",
            expired_at.rfc3339(),
            server_time.rfc3339()
        ),
        VerifyError::RequestTimeTooSkewed {
            request_time,
            server_time,
            max_skew,
        } => format!(
            "<RequestTime>{}</RequestTime><ServerTime>{}</ServerTime><MaxAllowedSkewMilliseconds>{}</MaxAllowedSkewMilliseconds>",
            request_time.rfc3339(),
            server_time.rfc3339(),
            max_skew.saturating_mul(1000)
        ),
        VerifyError::HostNotSigned => "<HeadersNotSigned>host</HeadersNotSigned>".to_owned(),
        // As S3 answers it (real responses quoted in grosskur/lua-resty-aws#2 and
        // s3tools/s3cmd#812): the header's value, then the body's hash.
        VerifyError::ContentSha256Mismatch { claimed, computed } => format!(
            "<ClientComputedContentSHA256>{}</ClientComputedContentSHA256><S3ComputedContentSHA256>{}</S3ComputedContentSHA256>",
            xml_escape(claimed),
            xml_escape(computed)
        ),
        _ => String::new(),
    };
    if let Some(m) = diagnosis {
        extra.push_str(&format!(
            "<MockAwsDiagnosis>{}</MockAwsDiagnosis><MockAwsDiagnosisCode>{}</MockAwsDiagnosisCode>",
            xml_escape(&m.to_string()),
            xml_escape(&m.code())
        ));
    }
    extra
}

/// The elements S3 adds to `<Error>` when an `aws-chunked` body fails: the chunk's or
/// trailer's string to sign on a signature mismatch, the chunk number and size of a chunk
/// under the minimum. Empty for other errors.
pub fn s3_chunked_details(err: &ChunkedError) -> String {
    match err {
        ChunkedError::ChunkSignatureMismatch { string_to_sign, .. }
        | ChunkedError::TrailerSignatureMismatch { string_to_sign } => format!(
            "<StringToSign>{}</StringToSign><StringToSignBytes>{}</StringToSignBytes>",
            xml_escape(string_to_sign),
            spaced_hex(string_to_sign)
        ),
        ChunkedError::ChunkTooSmall { chunk, size, .. } => {
            format!("<Chunk>{chunk}</Chunk><BadChunkSize>{size}</BadChunkSize>")
        }
        _ => String::new(),
    }
}
