//! Contexts for the suite folders that lack a `context.json`, and the suite's errata.
//!
//! The aws-sigv4 crate's copy of the suite carries two folders in an older layout
//! (`double-url-encode`, `double-encode-path`: no `context.json`, no query files). Their
//! context is the one the aws-sigv4 tests that use them sign with (aws-sigv4 1.6.4,
//! `src/http_request/sign.rs` `test_sign_url_escape` and `canonical_request.rs`
//! `signing_params`), and what the files themselves show (credential scope and access key in
//! `header-string-to-sign.txt` / `header-signed-request.txt`).

/// A context for an old-layout folder.
#[derive(Debug, Clone, Copy)]
pub struct LegacyContext {
    /// Folder name.
    pub name: &'static str,
    /// The context, as `context.json` would hold it.
    pub context_json: &'static str,
    /// When the folder's canonical request was made at another time than its signed request
    /// (only the `x-amz-date` line differs), that time.
    pub canonical_request_timestamp: Option<&'static str>,
    /// Where the context comes from.
    pub source: &'static str,
}

/// The old-layout folders.
pub const LEGACY_CONTEXTS: &[LegacyContext] = &[
    LegacyContext {
        name: "double-url-encode",
        context_json: r#"{
            "credentials": {"access_key_id": "AKIDEXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
            "region": "us-east-2", "service": "lambda", "timestamp": "2021-05-11T15:40:45Z", "normalize": true
        }"#,
        canonical_request_timestamp: None,
        source: "scope 20210511/us-east-2/lambda and key AKIDEXAMPLE as the folder's string to sign and signed request show; aws-sigv4's canonical-request tests sign at 20210511T154045Z",
    },
    LegacyContext {
        name: "double-encode-path",
        context_json: r#"{
            "credentials": {"access_key_id": "ANOTREAL", "secret_access_key": "notrealrnrELgWzOk3IfjzDKtFBhDby"},
            "region": "us-east-1", "service": "service", "timestamp": "2015-08-30T12:36:00Z", "normalize": true
        }"#,
        canonical_request_timestamp: Some("2021-05-11T15:40:45Z"),
        source: "aws-sigv4 1.6.4 test_sign_url_escape (Credentials::for_tests, us-east-1, service, 20150830T123600Z) for the signed request; its canonical-request test signs at 20210511T154045Z",
    },
];

/// A suite case whose expected files follow another rule than the one the suite's defaults
/// imply, run with a documented change of context.
#[derive(Debug, Clone, Copy)]
pub struct Erratum {
    /// Folder name.
    pub name: &'static str,
    /// Run with single path encoding instead of the default double encoding.
    pub single_uri_encode: bool,
    /// The expected signed request shows the path percent-decoded: compare paths decoded.
    pub signed_request_path_decoded: bool,
    /// Why.
    pub reason: &'static str,
}

/// The errata.
pub const ERRATA: &[Erratum] = &[Erratum {
    name: "get-space-normalized",
    single_uri_encode: true,
    signed_request_path_decoded: true,
    reason: "the request path /example%20space/ is already encoded; double encoding, the default for \
             non-S3 services, signs /example%2520space/ (botocore's SigV4Auth and the aws-sigv4 crate agree; \
             aws-sigv4 1.6.4 ignores this case as one that 'relies on single encoding'), but the suite expects \
             /example%20space/. The files are consistent with single encoding, so the case runs with \
             double_uri_encode=false; vectors/cases/double-encode-space pins the double-encoding result. Its signed-request files show the path decoded (`GET /example space/`), so \
             that stage compares decoded paths",
}];

/// The legacy context of an old-layout folder.
pub fn legacy_context(name: &str) -> Option<&'static LegacyContext> {
    LEGACY_CONTEXTS.iter().find(|c| c.name == name)
}

/// The erratum of a suite folder.
pub fn erratum(name: &str) -> Option<&'static Erratum> {
    ERRATA.iter().find(|e| e.name == name)
}
