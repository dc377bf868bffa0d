//! How a verification failure is answered: one table from the verifier's stable codes to the
//! AWS error code and HTTP status of each wire protocol, with the source of each row.

use sigv4_signer::verify::VerifyError;

/// The wire protocol of a service: it decides the shape of error bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// S3's REST-XML (`<Error>`).
    S3,
    /// AWS JSON 1.0 or 1.1 (`{"__type": ..., "message": ...}` and `x-amzn-ErrorType`).
    Json {
        /// `"1.0"` (DynamoDB) or `"1.1"` (Kinesis).
        version: &'static str,
    },
    /// The query protocol (`<ErrorResponse>`): STS, IAM.
    Query,
    /// EC2's query protocol, whose errors are `<Response><Errors><Error>` with `<RequestID>`.
    Ec2,
    /// REST-JSON (API Gateway's `execute-api`, Lambda, OpenSearch, ...): a `{"message": ...}`
    /// body and the code in the `x-amzn-ErrorType` header ([`REST_JSON_AUTH_ERRORS`]).
    RestJson,
}

/// One AWS error: code and HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsError {
    /// The AWS error code, e.g. `SignatureDoesNotMatch`.
    pub code: &'static str,
    /// The HTTP status.
    pub status: u16,
}

const fn e(code: &'static str, status: u16) -> AwsError {
    AwsError { code, status }
}

/// A row of [`AUTH_ERRORS`].
#[derive(Debug)]
pub struct Row {
    /// The verifier's code ([`VerifyError::code`]), or one of mock-aws's own:
    /// `invalid-token` (session token not the configured one), `request-too-large`.
    /// A `+query` suffix marks a row that applies to presigned (query) auth only.
    pub verifier: &'static str,
    /// S3 (REST-XML).
    pub s3: AwsError,
    /// JSON services (DynamoDB, Kinesis).
    pub json: AwsError,
    /// Query services (STS, IAM).
    pub query: AwsError,
    /// Where the codes and statuses come from.
    pub source: &'static str,
}

/// The mapping. Sources: "S3 ErrorResponses" is AWS's S3 API reference page *Error responses*
/// (List of error codes); "CommonErrors" is the *Common Errors* page of the query services'
/// API references (IAM, RDS, CloudSearch: `IncompleteSignature` 400, `InvalidClientTokenId`
/// 403, `MissingAuthenticationToken` 403, `InvalidAction` 400); "DynamoDB Programming.Errors" is
/// DynamoDB's developer guide *Error handling* (400 `IncompleteSignatureException`,
/// `MissingAuthenticationTokenException`, `UnrecognizedClientException`). Issue threads quote
/// real AWS answers where the docs say nothing.
pub const AUTH_ERRORS: &[Row] = &[
    Row {
        verifier: "missing-authentication",
        s3: e("AccessDenied", 403),
        json: e("MissingAuthenticationTokenException", 400),
        query: e("MissingAuthenticationToken", 403),
        source: "S3 ErrorResponses (anonymous request: AccessDenied 403); DynamoDB Programming.Errors and dynalite#105 (MissingAuthenticationTokenException 400 \"Request is missing Authentication Token\"); CommonErrors (MissingAuthenticationToken 403)",
    },
    Row {
        verifier: "unsupported-algorithm",
        s3: e("InvalidArgument", 400),
        json: e("IncompleteSignatureException", 400),
        query: e("IncompleteSignature", 400),
        source: "S3 ErrorResponses (InvalidArgument 400, \"Unsupported Authorization Type\"); DynamoDB Programming.Errors; CommonErrors",
    },
    Row {
        verifier: "malformed-authorization+query",
        s3: e("AuthorizationQueryParametersError", 400),
        json: e("IncompleteSignatureException", 400),
        query: e("IncompleteSignature", 400),
        source: "S3 ErrorResponses (AuthorizationQueryParametersError 400); DynamoDB Programming.Errors; CommonErrors",
    },
    Row {
        verifier: "malformed-authorization",
        s3: e("AuthorizationHeaderMalformed", 400),
        json: e("IncompleteSignatureException", 400),
        query: e("IncompleteSignature", 400),
        source: "S3 ErrorResponses (AuthorizationHeaderMalformed 400); DynamoDB Programming.Errors; CommonErrors and jenkinsci/aws-credentials-plugin#72 (STS: IncompleteSignature \"not a valid key=value pair\")",
    },
    Row {
        verifier: "malformed-credential+query",
        s3: e("AuthorizationQueryParametersError", 400),
        json: e("IncompleteSignatureException", 400),
        query: e("IncompleteSignature", 400),
        source: "S3 ErrorResponses; DynamoDB Programming.Errors; CommonErrors",
    },
    Row {
        verifier: "malformed-credential",
        s3: e("AuthorizationHeaderMalformed", 400),
        json: e("IncompleteSignatureException", 400),
        query: e("IncompleteSignature", 400),
        source: "S3 ErrorResponses; DynamoDB Programming.Errors; CommonErrors",
    },
    Row {
        verifier: "unknown-access-key",
        s3: e("InvalidAccessKeyId", 403),
        json: e("UnrecognizedClientException", 400),
        query: e("InvalidClientTokenId", 403),
        source: "S3 ErrorResponses (InvalidAccessKeyId 403); DynamoDB Programming.Errors and aws-sdk-php#2444, yegor256/s3auth#244 (UnrecognizedClientException 400 \"The security token included in the request is invalid.\"); CommonErrors (InvalidClientTokenId 403)",
    },
    Row {
        verifier: "invalid-token",
        s3: e("InvalidToken", 400),
        json: e("UnrecognizedClientException", 400),
        query: e("InvalidClientTokenId", 403),
        source: "S3 ErrorResponses (InvalidToken 400); DynamoDB Programming.Errors; CommonErrors",
    },
    Row {
        verifier: "missing-date",
        s3: e("AccessDenied", 403),
        json: e("IncompleteSignatureException", 400),
        query: e("IncompleteSignature", 400),
        source: "S3 ErrorResponses (AccessDenied 403 \"AWS authentication requires a valid Date or x-amz-date header\"); DynamoDB Programming.Errors; CommonErrors",
    },
    Row {
        verifier: "invalid-date",
        s3: e("AccessDenied", 403),
        json: e("IncompleteSignatureException", 400),
        query: e("IncompleteSignature", 400),
        source: "as missing-date",
    },
    Row {
        verifier: "scope-date-mismatch",
        s3: e("AuthorizationHeaderMalformed", 400),
        json: e("InvalidSignatureException", 400),
        query: e("SignatureDoesNotMatch", 403),
        source: "S3 ErrorResponses (AuthorizationHeaderMalformed); JSON/query: IAM User Guide *Troubleshoot signed requests* (signature-v4-troubleshooting: the credential-scope errors arrive as the 403 SignatureDoesNotMatch family, message \"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP\"); the JSON services' member of that family is InvalidSignatureException",
    },
    Row {
        verifier: "wrong-region",
        s3: e("AuthorizationHeaderMalformed", 400),
        json: e("InvalidSignatureException", 400),
        query: e("SignatureDoesNotMatch", 403),
        source: "S3: aws-cli#2954, tpyo/amazon-s3-php-class#165, jsoma/flatware#10 (AuthorizationHeaderMalformed 400 \"the region 'x' is wrong; expecting 'y'\"); query: cognitect-labs/aws-api#27 (STS <Code>SignatureDoesNotMatch</Code> \"Credential should be scoped to a valid region, not 'ap-southeast-2'. \"), JuliaCloud/AWS.jl#565 (IAM, same); JSON: fsouza/s3-upload-proxy#241, aws-sdk-js-v3#5576 (InvalidSignatureException \"Credential should be scoped to a valid region\"); IAM User Guide signature-v4-troubleshooting",
    },
    Row {
        verifier: "region-not-in-region-set",
        s3: e("AuthorizationHeaderMalformed", 400),
        json: e("InvalidSignatureException", 400),
        query: e("SignatureDoesNotMatch", 403),
        source: "SigV4a (X-Amz-Region-Set without this region): by analogy with wrong-region (not confirmed)",
    },
    Row {
        verifier: "missing-region-set",
        s3: e("AuthorizationHeaderMalformed", 400),
        json: e("IncompleteSignatureException", 400),
        query: e("IncompleteSignature", 400),
        source: "SigV4a without X-Amz-Region-Set: by analogy with malformed-authorization (not confirmed)",
    },
    Row {
        verifier: "wrong-service",
        s3: e("AuthorizationHeaderMalformed", 400),
        json: e("InvalidSignatureException", 400),
        query: e("SignatureDoesNotMatch", 403),
        source: "IAM User Guide signature-v4-troubleshooting (under the 403 SignatureDoesNotMatch errors: \"Credential should be scoped to correct service: 'service'\"); cllunsford/aws-signing-proxy#25 (Batch: {\"message\":\"Credential should be scoped to correct service: 'batch'. \"}); S3: AuthorizationHeaderMalformed as for wrong-region (the S3 row is by analogy)",
    },
    Row {
        verifier: "request-time-too-skewed",
        s3: e("RequestTimeTooSkewed", 403),
        json: e("InvalidSignatureException", 400),
        query: e("SignatureDoesNotMatch", 403),
        source: "S3 ErrorResponses (RequestTimeTooSkewed 403); aws-sdk-js#254, aws-sdk-js-v3#7605 (DynamoDB: InvalidSignatureException 400 \"Signature expired: T is now earlier than ...\"); aws-cli#6676, devsecops/bootcamp#101 (STS: SignatureDoesNotMatch 403 \"Signature expired\"), QT-DevOps#989 (STS 403 \"Signature not yet current\")",
    },
    Row {
        verifier: "expires-out-of-range",
        s3: e("AuthorizationQueryParametersError", 400),
        json: e("InvalidSignatureException", 400),
        query: e("SignatureDoesNotMatch", 403),
        source: "S3: bryanjos/aws_auth#31, aws-cli#5464, minio#5162 (AuthorizationQueryParametersError 400 \"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds\"); JSON/query: the signature codes by analogy (no AWS answer found for a non-S3 presign over a week; aws-cli#5464 says the limit is S3's)",
    },
    Row {
        verifier: "expired",
        s3: e("AccessDenied", 403),
        json: e("InvalidSignatureException", 400),
        query: e("SignatureDoesNotMatch", 403),
        source: "S3: aws-sdk-js#3493, aws-sdk-php#1333, versitygw#2116 (AccessDenied 403 \"Request has expired\" with Expires, ServerTime); JSON/query: \"Signature expired\" as for skew",
    },
    Row {
        verifier: "not-yet-valid",
        s3: e("AccessDenied", 403),
        json: e("InvalidSignatureException", 400),
        query: e("SignatureDoesNotMatch", 403),
        source: "S3: minio#2638 and dmjio/s3-signer#16 quote S3's answer (AccessDenied 403 \"Request is not yet valid\" with X-Amz-Date, Expires, ServerTime); query: QT-DevOps#989 (STS SignatureDoesNotMatch 403 \"Signature not yet current\"); IAM User Guide signature-v4-troubleshooting",
    },
    Row {
        verifier: "host-not-signed",
        s3: e("AccessDenied", 403),
        json: e("IncompleteSignatureException", 400),
        query: e("IncompleteSignature", 400),
        source: "S3: coda/packs-sdk#3093 (AccessDenied 403 \"There were headers present in the request which were not signed\", HeadersNotSigned host); others: message \"'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.\" (aws-sdk-php#2469), code inferred",
    },
    Row {
        verifier: "signed-header-missing",
        s3: e("SignatureDoesNotMatch", 403),
        json: e("InvalidSignatureException", 400),
        query: e("SignatureDoesNotMatch", 403),
        source: "the signature codes: AWS computes with what it received (not confirmed separately)",
    },
    Row {
        verifier: "content-sha256-mismatch",
        s3: e("XAmzContentSHA256Mismatch", 400),
        json: e("InvalidSignatureException", 400),
        query: e("SignatureDoesNotMatch", 403),
        source: "S3 ErrorResponses (XAmzContentSHA256Mismatch 400); others: the signature codes",
    },
    Row {
        verifier: "signature-mismatch",
        s3: e("SignatureDoesNotMatch", 403),
        json: e("InvalidSignatureException", 400),
        query: e("SignatureDoesNotMatch", 403),
        source: "S3 ErrorResponses (SignatureDoesNotMatch 403, with StringToSign and CanonicalRequest); DynamoDB: Packt 'DynamoDB Applied Design Patterns' error handling and ionic-team/starters#48 (com.amazon.coral.service#InvalidSignatureException 400); query: CommonErrors / aws-cli#6676 (SignatureDoesNotMatch 403)",
    },
    Row {
        verifier: "request-too-large",
        s3: e("EntityTooLarge", 400),
        json: e("RequestEntityTooLargeException", 413),
        query: e("RequestEntityTooLarge", 413),
        source: "S3 ErrorResponses (EntityTooLarge 400); AWS Signer CommonErrors (RequestEntityTooLargeException 413)",
    },
];

/// EC2 answers these verifier codes differently from the other query services; every other code
/// takes the query column of [`AUTH_ERRORS`] (EC2's *Error codes* page lists the same
/// `IncompleteSignature`, `MissingAuthenticationToken`, `SignatureDoesNotMatch` codes; aws/aws-cli#134
/// quotes EC2's `<Response><Errors><Error><Code>SignatureDoesNotMatch</Code>` answer).
pub const EC2_AUTH_ERRORS: &[(&str, AwsError, &str)] = &[
    (
        "unknown-access-key",
        e("AuthFailure", 401),
        "EC2 errors-overview (AuthFailure: the provided credentials could not be validated); ansible/ansible#5647 and aws/aws-sdk-java-v2#2981 quote the wire answer: 401 `<Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the provided access credentials</Message>`",
    ),
    (
        "invalid-token",
        e("AuthFailure", 401),
        "as unknown-access-key (a credential EC2 cannot validate)",
    ),
    (
        "request-time-too-skewed",
        e("RequestExpired", 400),
        "EC2 errors-overview and CommonErrors (RequestExpired 400: more than 15 minutes from the date stamp)",
    ),
    (
        "expired",
        e("RequestExpired", 400),
        "EC2 errors-overview and CommonErrors (RequestExpired 400, also for presigned requests past their expiry)",
    ),
    (
        "not-yet-valid",
        e("RequestExpired", 400),
        "CommonErrors (RequestExpired 400: the date stamp is more than 15 minutes in the future)",
    ),
];

/// How the REST-JSON services (API Gateway's `execute-api`, Lambda and the others of
/// [`crate::routing::REST_JSON_SERVICES`]) answer a failed authentication: the code of the JSON
/// column of [`AUTH_ERRORS`] in the `x-amzn-ErrorType` header, a body `{"message": ...}`
/// (no `__type`), and status 403 where the JSON services answer 400, but for these rows.
/// Sources of the shape and the status:
/// - rpgreen/apigateway-generic-java-sdk#11 (execute-api: `{"message":"The request signature we
///   calculated does not match the signature you provided. Check your AWS Secret Access Key and
///   signing method. Consult the service documentation for details."}`, Status Code 403, Error
///   Code InvalidSignatureException); aws/aws-sdk-js#2372 and mhart/aws4#33 (the same 403
///   `{"message": ...}` from execute-api and OpenSearch, whose message goes on with "The
///   Canonical String for this request should have been" and "The String-to-Sign should have
///   been": AWS itself puts both in the REST-JSON message);
/// - aws/aws-sdk-js#168 (Lambda Invoke: InvalidSignatureException with the canonical string);
///   iann0036/iamlive#58 (Lambda DeleteFunction: StatusCode 403, UnrecognizedClientException
///   "The security token included in the request is invalid");
/// - AWS Knowledge Center *api-gateway-authentication-token-errors* (403 "Missing
///   Authentication Token", body `{"message": "Missing Authentication Token"}` as
///   kevinhooke's gist quotes it, also for an unsigned request when IAM auth is on).
///
/// The rows below are the exceptions (a status other than 403).
pub const REST_JSON_AUTH_ERRORS: &[(&str, AwsError, &str)] = &[
    (
        "request-too-large",
        e("RequestEntityTooLargeException", 413),
        "Lambda API reference, Invoke (RequestTooLargeException 413); API Gateway quotas (10 MB payload)",
    ),
    (
        "malformed-request",
        e("BadRequestException", 400),
        "API Gateway API reference, Common errors (BadRequestException 400)",
    ),
];

/// How S3 answers an `aws-chunked` body that fails to decode: the decoder's code
/// ([`sigv4_signer::chunked::ChunkedError::code`], or mock-aws's own
/// `missing-decoded-content-length`), the S3 error, and where it comes from. Only S3 takes
/// `aws-chunked` bodies.
pub const CHUNKED_ERRORS: &[(&str, AwsError, &str)] = &[
    (
        "chunk-signature-mismatch",
        e("SignatureDoesNotMatch", 403),
        "S3 ErrorResponses (SignatureDoesNotMatch 403); minio/minio#7266 quotes the 403 SignatureDoesNotMatch of a chunked upload whose chunk signature did not verify",
    ),
    (
        "chain-broken",
        e("SignatureDoesNotMatch", 403),
        "as chunk-signature-mismatch: a replayed or moved chunk is a chunk whose signature does not verify in its place",
    ),
    (
        "trailer-signature-mismatch",
        e("SignatureDoesNotMatch", 403),
        "as chunk-signature-mismatch (the trailer signature is the last link of the chain)",
    ),
    (
        "missing-trailer-signature",
        e("SignatureDoesNotMatch", 403),
        "as trailer-signature-mismatch (no signature cannot verify); mock-aws's choice",
    ),
    (
        "missing-chunk-signature",
        e("IncompleteBody", 400),
        "versity/versitygw#1685, measured on S3: a missing or malformed chunk-signature, missing CRLF or invalid chunk size is answered IncompleteBody \"The request body terminated unexpectedly\"",
    ),
    (
        "malformed-framing",
        e("IncompleteBody", 400),
        "versity/versitygw#1685 (as missing-chunk-signature)",
    ),
    (
        "line-too-long",
        e("IncompleteBody", 400),
        "versity/versitygw#1685 (a chunk-size line that never ends is malformed framing)",
    ),
    (
        "truncated-body",
        e("IncompleteBody", 400),
        "S3 ErrorResponses (IncompleteBody 400: you did not provide the number of bytes specified by the Content-Length HTTP header); versity/versitygw#1685",
    ),
    (
        "missing-final-chunk",
        e("IncompleteBody", 400),
        "as truncated-body: the body ended before its end",
    ),
    (
        "decoded-length-mismatch",
        e("IncompleteBody", 400),
        "S3 ErrorResponses (IncompleteBody 400); mock-aws's choice for x-amz-decoded-content-length (not confirmed on S3)",
    ),
    (
        "chunk-too-small",
        e("InvalidChunkSizeError", 403),
        "aws/aws-sdk-cpp#2727 (S3 wire answer: HTTP 403, <Code>InvalidChunkSizeError</Code> \"Only the last chunk is allowed to have a size less than 8192 bytes\", with <Chunk> and <BadChunkSize>); aws/aws-sdk-js-v3#6799; versity/versitygw#1683",
    ),
    (
        "chunk-too-large",
        e("InvalidChunkSizeError", 403),
        "mock-aws's chunk limit (S3 publishes none): the code S3 uses for a chunk size it refuses (aws/aws-sdk-cpp#2727)",
    ),
    (
        "checksum-mismatch",
        e("BadDigest", 400),
        "aws/aws-sdk-ruby#3322, versity/versitygw#1694 and ministackorg/ministack#1497 (measured on S3): BadDigest 400 \"The CRC32 you specified did not match the calculated checksum.\"",
    ),
    (
        "invalid-checksum-value",
        e("InvalidRequest", 400),
        "versity/versitygw#1173: InvalidRequest \"Value for x-amz-checksum-crc32 trailing header is invalid.\"",
    ),
    (
        "missing-trailer",
        e("InvalidRequest", 400),
        "S3 ErrorResponses (InvalidRequest 400); mock-aws's choice for a trailer announced in x-amz-trailer and not sent",
    ),
    (
        "undeclared-trailer",
        e("InvalidRequest", 400),
        "S3 ErrorResponses (InvalidRequest 400); mock-aws's choice for a trailer x-amz-trailer did not announce",
    ),
    (
        "trailer-too-large",
        e("InvalidRequest", 400),
        "S3 ErrorResponses (InvalidRequest 400); mock-aws's trailer limit",
    ),
    (
        "unsupported-checksum",
        e("InvalidRequest", 400),
        "a limit of mock-aws, not of S3 (which also takes crc64nvme and sha1): InvalidRequest 400 so clients see why",
    ),
    (
        "missing-decoded-content-length",
        e("MissingContentLength", 411),
        "S3 ErrorResponses (MissingContentLength 411); the streaming docs require x-amz-decoded-content-length on every chunked upload",
    ),
];

/// The S3 error for a chunked-decoding code; unknown codes are `IncompleteBody`.
pub fn chunked_error(code: &str) -> AwsError {
    CHUNKED_ERRORS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or(e("IncompleteBody", 400), |(_, err, _)| *err)
}

/// Any other malformed request (bad request-target, invalid header).
const MALFORMED: Row = Row {
    verifier: "malformed-request",
    s3: e("InvalidRequest", 400),
    json: e("ValidationException", 400),
    query: e("InvalidParameterValue", 400),
    source: "S3 ErrorResponses (InvalidRequest 400); DynamoDB Programming.Errors (ValidationException 400); CommonErrors (InvalidParameterValue 400)",
};

/// The AWS error for a verifier code under `protocol`; `presigned` picks the `+query` rows.
pub fn aws_error(verifier_code: &str, protocol: Protocol, presigned: bool) -> AwsError {
    let row = presigned
        .then(|| {
            AUTH_ERRORS
                .iter()
                .find(|r| r.verifier.strip_suffix("+query") == Some(verifier_code))
        })
        .flatten()
        .or_else(|| AUTH_ERRORS.iter().find(|r| r.verifier == verifier_code))
        .unwrap_or(&MALFORMED);
    match protocol {
        Protocol::S3 => row.s3,
        Protocol::Json { .. } => row.json,
        Protocol::Query => row.query,
        Protocol::Ec2 => EC2_AUTH_ERRORS
            .iter()
            .find(|(code, _, _)| *code == verifier_code)
            .map_or(row.query, |(_, err, _)| *err),
        Protocol::RestJson => REST_JSON_AUTH_ERRORS
            .iter()
            .find(|(code, _, _)| *code == verifier_code || *code == row.verifier)
            .map_or(
                AwsError {
                    code: row.json.code,
                    status: 403,
                },
                |(_, err, _)| *err,
            ),
    }
}

fn sigv4_basic(t: sigv4_signer::SigningTime) -> String {
    t.amz_date()
}

/// The AWS-worded message for a verification failure (mock-aws's own detail follows it).
pub fn aws_message(err: &VerifyError, code: AwsError, protocol: Protocol) -> String {
    match (err, protocol) {
        (VerifyError::SignatureMismatch { .. }, Protocol::S3) => {
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.".to_owned()
        }
        (VerifyError::SignatureMismatch { .. }, _) => {
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.".to_owned()
        }
        (VerifyError::UnknownAccessKey { .. }, Protocol::S3) => {
            "The AWS Access Key Id you provided does not exist in our records.".to_owned()
        }
        (VerifyError::UnknownAccessKey { .. }, Protocol::Json { .. } | Protocol::RestJson) => {
            "The security token included in the request is invalid.".to_owned()
        }
        (VerifyError::UnknownAccessKey { .. }, Protocol::Query) => {
            "The security token included in the request is invalid.".to_owned()
        }
        (VerifyError::UnknownAccessKey { .. }, Protocol::Ec2) => {
            "AWS was not able to validate the provided access credentials".to_owned()
        }
        (
            VerifyError::RequestTimeTooSkewed { .. }
            | VerifyError::Expired { .. }
            | VerifyError::NotYetValid { .. },
            Protocol::Ec2,
        ) => format!("Request has expired. ({err})"),
        (VerifyError::MissingAuthentication, Protocol::S3) => "Access Denied".to_owned(),
        (VerifyError::MissingAuthentication, Protocol::RestJson) => {
            "Missing Authentication Token".to_owned()
        }
        (VerifyError::MissingAuthentication, _) => {
            "Request is missing Authentication Token".to_owned()
        }
        (VerifyError::WrongRegion { got, expected }, Protocol::S3) => format!(
            "The authorization header is malformed; the region '{got}' is wrong; expecting '{expected}'"
        ),
        (VerifyError::WrongRegion { got, .. }, _) => {
            format!("Credential should be scoped to a valid region, not '{got}'.")
        }
        (VerifyError::WrongService { expected, .. }, Protocol::Json { .. } | Protocol::Query | Protocol::Ec2 | Protocol::RestJson) => {
            format!("Credential should be scoped to correct service: '{expected}'.")
        }
        (
            VerifyError::ScopeDateMismatch {
                scope_date,
                request_date,
            },
            Protocol::Json { .. } | Protocol::Query | Protocol::Ec2 | Protocol::RestJson,
        ) => format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope_date}' != '{request_date}'."
        ),
        (VerifyError::RequestTimeTooSkewed { .. }, Protocol::S3) => {
            "The difference between the request time and the current time is too large.".to_owned()
        }
        (
            VerifyError::RequestTimeTooSkewed {
                request_time,
                server_time,
                max_skew,
            },
            _,
        ) => {
            let skew = i64::try_from(*max_skew).unwrap_or(i64::MAX);
            let now = server_time.unix_seconds();
            if request_time.unix_seconds() < now {
                format!(
                    "Signature expired: {} is now earlier than {} ({} - {} min.)",
                    sigv4_basic(*request_time),
                    sigv4_basic(sigv4_signer::SigningTime::from_unix_seconds(
                        now.saturating_sub(skew)
                    )),
                    sigv4_basic(*server_time),
                    skew / 60
                )
            } else {
                format!(
                    "Signature not yet current: {} is still later than {} ({} + {} min.)",
                    sigv4_basic(*request_time),
                    sigv4_basic(sigv4_signer::SigningTime::from_unix_seconds(
                        now.saturating_add(skew)
                    )),
                    sigv4_basic(*server_time),
                    skew / 60
                )
            }
        }
        (VerifyError::Expired { .. }, Protocol::S3) => "Request has expired".to_owned(),
        (VerifyError::Expired { server_time, .. }, _) => format!(
            "Signature expired: the presigned request is now earlier than {}",
            sigv4_basic(*server_time)
        ),
        (VerifyError::NotYetValid { .. }, Protocol::S3) => "Request is not yet valid".to_owned(),
        (VerifyError::ExpiresOutOfRange { .. }, Protocol::S3) => {
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds".to_owned()
        }
        (VerifyError::HostNotSigned, Protocol::S3) => {
            "There were headers present in the request which were not signed".to_owned()
        }
        (VerifyError::HostNotSigned, _) => {
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".to_owned()
        }
        (VerifyError::ContentSha256Mismatch { .. }, Protocol::S3) => {
            "The provided 'x-amz-content-sha256' header does not match what was computed."
                .to_owned()
        }
        (VerifyError::MissingDate | VerifyError::InvalidDate { .. }, Protocol::S3) => {
            "AWS authentication requires a valid Date or x-amz-date header".to_owned()
        }
        _ => match code.code {
            "IncompleteSignature" | "IncompleteSignatureException" => {
                "The request signature does not conform to AWS standards.".to_owned()
            }
            _ => {
                let s = err.to_string();
                let mut c = s.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verifier_code_has_a_row() {
        for code in [
            "missing-authentication",
            "unsupported-algorithm",
            "malformed-authorization",
            "malformed-credential",
            "unknown-access-key",
            "missing-date",
            "invalid-date",
            "scope-date-mismatch",
            "wrong-region",
            "region-not-in-region-set",
            "missing-region-set",
            "wrong-service",
            "request-time-too-skewed",
            "expires-out-of-range",
            "expired",
            "not-yet-valid",
            "host-not-signed",
            "signed-header-missing",
            "content-sha256-mismatch",
            "signature-mismatch",
        ] {
            assert!(
                AUTH_ERRORS.iter().any(|r| r.verifier == code),
                "{code} has no row"
            );
        }
        for code in [
            "malformed-framing",
            "line-too-long",
            "chunk-too-large",
            "chunk-too-small",
            "missing-chunk-signature",
            "chunk-signature-mismatch",
            "chain-broken",
            "missing-final-chunk",
            "truncated-body",
            "decoded-length-mismatch",
            "trailer-too-large",
            "missing-trailer-signature",
            "trailer-signature-mismatch",
            "missing-trailer",
            "undeclared-trailer",
            "unsupported-checksum",
            "invalid-checksum-value",
            "checksum-mismatch",
        ] {
            assert!(
                CHUNKED_ERRORS.iter().any(|(c, _, _)| *c == code),
                "{code} has no row"
            );
        }
        assert_eq!(
            aws_error("malformed-authorization", Protocol::S3, true).code,
            "AuthorizationQueryParametersError"
        );
        assert_eq!(
            aws_error("unknown-access-key", Protocol::Ec2, false),
            AwsError {
                code: "AuthFailure",
                status: 401
            }
        );
        assert_eq!(
            aws_error("signature-mismatch", Protocol::Ec2, false).code,
            "SignatureDoesNotMatch"
        );
        assert_eq!(
            aws_error(
                "signature-mismatch",
                Protocol::Json { version: "1.0" },
                false
            ),
            AwsError {
                code: "InvalidSignatureException",
                status: 400
            }
        );
        // REST-JSON (API Gateway, Lambda): the JSON codes at 403.
        for (code, want) in [
            ("signature-mismatch", "InvalidSignatureException"),
            (
                "missing-authentication",
                "MissingAuthenticationTokenException",
            ),
            ("unknown-access-key", "UnrecognizedClientException"),
            ("wrong-service", "InvalidSignatureException"),
        ] {
            assert_eq!(
                aws_error(code, Protocol::RestJson, false),
                AwsError {
                    code: want,
                    status: 403
                },
                "{code}"
            );
        }
        assert_eq!(
            aws_error("request-too-large", Protocol::RestJson, false).status,
            413
        );
    }
}
