//! The verifier against AWS's suites (v4 and v4a): every signed request the suites ship
//! verifies, and any change to a signed part of it is rejected.

use sigv4_signer::verify::{verify, VerifyParams, VerifySettings};
use sigv4_signer::{NormalizationMode, SessionTokenMode, UriEncodingMode};
use sigv4_vectors::suite::{aws_suite_dir, aws_v4a_suite_dir};
use sigv4_vectors::{discover, parse_request, Case, Location, RawRequest};

fn signed_requests() -> Vec<(Case, Location, RawRequest)> {
    let dir = aws_suite_dir().expect("AWS's suite must be found (see the README)");
    let v4a = aws_v4a_suite_dir().expect("AWS's v4a suite must be found (see the README)");
    let mut paths = discover(&dir).expect("discover");
    paths.extend(discover(&v4a).expect("discover v4a"));
    let mut out = Vec::new();
    for path in paths {
        let case = Case::load(&path).expect("load");
        for loc in case.locations() {
            if let Some(raw) = &case.expected(loc).signed_request {
                out.push((
                    case.clone(),
                    loc,
                    parse_request(raw).expect("signed request parses"),
                ));
            }
        }
    }
    // 78 of the v4 suite, 76 of the v4a suite.
    assert!(
        out.len() >= 78 + 76,
        "only {} signed requests found",
        out.len()
    );
    out
}

fn check(case: &Case, req: &RawRequest) -> Result<(), String> {
    let secret = case.context.credentials.secret_access_key.clone();
    let ak = case.context.credentials.access_key_id.clone();
    let lookup = move |k: &str| (k == ak).then(|| secret.clone());
    let params = VerifyParams::new(case.context.time().expect("time"), &lookup)
        .with_settings(
            VerifySettings::from(
                sigv4_signer::Settings::default()
                    .with_uri_encoding(if case.context.double_uri_encode {
                        UriEncodingMode::Double
                    } else {
                        UriEncodingMode::Single
                    })
                    .with_normalization(if case.context.normalize {
                        NormalizationMode::Enabled
                    } else {
                        NormalizationMode::Disabled
                    })
                    .with_payload(sigv4_signer::PayloadMode::Hash)
                    .with_session_token(if case.context.omit_session_token {
                        SessionTokenMode::AddAfterSigning
                    } else {
                        SessionTokenMode::Include
                    }),
            )
            .with_literal_plus(false),
        )
        .with_region(&case.context.region)
        .with_service(&case.context.service);
    verify(&req.signable(), &params)
        .map(|_| ())
        .map_err(|e| format!("{}: {e}", e.code()))
}

#[test]
fn every_suite_signed_request_verifies() {
    let mut failures = Vec::new();
    for (case, loc, req) in signed_requests() {
        if let Err(e) = check(&case, &req) {
            failures.push(format!("{} [{loc}]: {e}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn any_change_to_a_signed_part_is_rejected() {
    let mut accepted = Vec::new();
    for (case, loc, req) in signed_requests() {
        let mut variants: Vec<(String, RawRequest)> = Vec::new();
        // Each signed header value changed.
        let signed: Vec<String> =
            case.expected(loc)
                .canonical_request
                .as_deref()
                .map_or(Vec::new(), |c| {
                    c.lines()
                        .rev()
                        .nth(1)
                        .unwrap_or("")
                        .split(';')
                        .map(str::to_owned)
                        .collect()
                });
        for (i, (name, _)) in req.headers.iter().enumerate() {
            if signed.contains(&name.to_ascii_lowercase()) {
                let mut r = req.clone();
                r.headers[i].1.push('x');
                variants.push((format!("header {name}"), r));
            }
        }
        // The path, the method, the body.
        let mut r = req.clone();
        let end = r.target.find('?').unwrap_or(r.target.len());
        r.target.insert(end, 'x');
        variants.push(("path".into(), r));
        let mut r = req.clone();
        r.method = if r.method == "GET" {
            "PUT".into()
        } else {
            "GET".into()
        };
        variants.push(("method".into(), r));
        let mut r = req.clone();
        r.body.push(b'!');
        variants.push(("body".into(), r));
        // A query parameter added.
        let mut r = req.clone();
        r.target.push_str(if r.target.contains('?') {
            "&extra=1"
        } else {
            "?extra=1"
        });
        variants.push(("query".into(), r));
        for (what, r) in variants {
            if check(&case, &r).is_ok() {
                accepted.push(format!("{} [{loc}] with {what} changed", case.name));
            }
        }
    }
    assert!(
        accepted.is_empty(),
        "accepted tampered requests:\n{}",
        accepted.join("\n")
    );
}
