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

/// An AWS error response in `protocol`'s wire shape.
pub fn error_response(
    protocol: Protocol,
    err: AwsError,
    message: &str,
    request_id: &str,
    extra_xml: &str,
) -> Response {
    match protocol {
        Protocol::Json { version } => {
            let body = serde_json::json!({
                "__type": format!("com.amazon.coral.service#{}", err.code),
                "message": message,
            });
            Response::new(
                err.status,
                &format!("application/x-amz-json-{version}"),
                body.to_string(),
            )
            .with_header("x-amzn-ErrorType", err.code)
            .with_header("x-amzn-RequestId", request_id)
        }
        Protocol::Query => Response::new(
            err.status,
            "text/xml",
            format!(
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
                err.code,
                xml_escape(message),
                request_id
            ),
        )
        .with_header("x-amzn-RequestId", request_id),
        Protocol::Ec2 => Response::new(
            err.status,
            "text/xml;charset=UTF-8",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{}</Code><Message>{}</Message></Error></Errors><RequestID>{}</RequestID></Response>",
                err.code,
                xml_escape(message),
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
        _ => String::new(),
    };
    if let Some(m) = diagnosis {
        extra.push_str(&format!(
            "<MockAwsDiagnosis>{}</MockAwsDiagnosis>",
            xml_escape(&m.to_string())
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
