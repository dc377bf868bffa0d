//! Conformance: every case folder of AWS's v4 and v4a suites and of `vectors/cases` is one test, run at
//! every location it has expected files for and checked at every stage it pins. Plus tests that
//! fail when cases go missing, and insta snapshots of our own cases' full signed output.

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use sigv4_vectors::run::{run, sign_case};
use sigv4_vectors::suite::{aws_suite_dir, aws_v4a_suite_dir, own_cases_dir};
use sigv4_vectors::{discover, Case, Location};

/// AWS's v4 suite has 40 folders (38 in the CRT layout, 2 old-layout).
const MIN_SUITE_CASES: usize = 40;

/// AWS's v4a suite has 38 folders, each with `public-key.json`.
const MIN_V4A_SUITE_CASES: usize = 38;

/// `vectors/cases` has 45 folders: 43 written by `vectors/tools/xcheck.py` and the two
/// aws-chunked documentation examples.
const MIN_OWN_CASES: usize = 45;

fn case_trial(prefix: &str, dir: PathBuf) -> Trial {
    let name = format!(
        "{prefix}::{}",
        dir.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    Trial::test(name, move || {
        let case = Case::load(&dir).map_err(|e| Failed::from(e.to_string()))?;
        let mut msg = String::new();
        for loc in case.locations() {
            let report = run(&case, loc);
            if report.stages.is_empty() {
                msg.push_str(&format!("{loc}: no stage checked\n"));
            }
            for f in report.failures() {
                msg.push_str(&format!(
                    "{loc} {} differs:\n{}\n",
                    f.stage,
                    f.failure.as_deref().unwrap_or("")
                ));
            }
        }
        if msg.is_empty() {
            Ok(())
        } else {
            Err(msg.into())
        }
    })
}

fn snapshot_trial(dir: PathBuf) -> Trial {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Trial::test(format!("snapshot::{name}"), move || {
        let case = Case::load(&dir).map_err(|e| Failed::from(e.to_string()))?;
        let mut text = String::new();
        for loc in Location::ALL {
            text.push_str(&format!("===== {loc}\n"));
            match sign_case(&case, loc) {
                Ok((out, signed)) => {
                    text.push_str(&format!(
                        "--- canonical request\n{}\n--- string to sign\n{}\n--- signature\n{}\n--- signed request\n{}\n",
                        out.canonical_request(),
                        out.string_to_sign(),
                        out.signature(),
                        String::from_utf8_lossy(&signed.to_http1())
                    ));
                }
                Err(e) => text.push_str(&format!("error {}: {e}\n", e.code())),
            }
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_input_file(dir.join("request.txt"));
        // A changed snapshot panics, which libtest-mimic reports as this test's failure.
        settings.bind(|| insta::assert_snapshot!(name.clone(), text));
        Ok(())
    })
}

/// Every sub-folder of `root` must be a case the loader picks up.
fn coverage_trial(name: &str, root: PathBuf, min: usize) -> Trial {
    Trial::test(name.to_owned(), move || {
        let found = discover(&root).map_err(|e| Failed::from(e.to_string()))?;
        let mut problems = Vec::new();
        let entries = std::fs::read_dir(&root)
            .map_err(|e| Failed::from(format!("{}: {e}", root.display())))?;
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() && !found.contains(&p) {
                problems.push(format!(
                    "{} has no request.txt, so no test runs it",
                    p.display()
                ));
            }
        }
        for dir in &found {
            if let Err(e) = Case::load(dir) {
                problems.push(e.to_string());
            }
        }
        if found.len() < min {
            problems.push(format!(
                "found {} cases under {}, expected at least {min}",
                found.len(),
                root.display()
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n").into())
        }
    })
}

/// Every folder of ours has a row in `vectors/cases/README.md` (the table of where its expected
/// values come from), and every row names a folder.
fn readme_trial(root: PathBuf) -> Trial {
    Trial::test("discovery::own-cases-documented", move || {
        let readme = std::fs::read_to_string(root.join("README.md"))
            .map_err(|e| Failed::from(format!("{}/README.md: {e}", root.display())))?;
        let rows: Vec<&str> = readme
            .lines()
            .filter_map(|l| l.strip_prefix("| `")?.split_once('`').map(|(n, _)| n))
            .collect();
        let found = discover(&root).map_err(|e| Failed::from(e.to_string()))?;
        let mut problems = Vec::new();
        for dir in &found {
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !rows.contains(&name.as_str()) {
                problems.push(format!("{name} has no row in vectors/cases/README.md"));
            }
        }
        // Every row of the generated table (xcheck.py's cases) must be a folder.
        let table = readme
            .split_once("<!-- oracles table:")
            .and_then(|(_, t)| t.split_once("<!-- end of oracles table -->"))
            .map(|(t, _)| t)
            .ok_or_else(|| Failed::from("vectors/cases/README.md has no oracles table"))?;
        for line in table.lines() {
            let Some((name, _)) = line.strip_prefix("| `").and_then(|l| l.split_once('`')) else {
                continue;
            };
            if !root.join(name).is_dir() {
                problems.push(format!(
                    "vectors/cases/README.md has a row for {name}, which is not a folder"
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n").into())
        }
    })
}

/// Every legacy context and erratum names a folder of AWS's suite, and none of ours.
fn errata_trial(suite: PathBuf) -> Trial {
    Trial::test("discovery::errata-name-suite-folders", move || {
        let names = sigv4_vectors::legacy::LEGACY_CONTEXTS
            .iter()
            .map(|l| l.name)
            .chain(sigv4_vectors::legacy::ERRATA.iter().map(|e| e.name));
        let mut problems = Vec::new();
        for name in names {
            if !suite.join(name).is_dir() {
                problems.push(format!("{name} is not a folder of AWS's suite any more"));
            }
            if own_cases_dir().join(name).exists() {
                problems.push(format!("{name} is also one of our cases; rename ours"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n").into())
        }
    })
}

/// Every case of the v4a suite loads as SigV4a (has a public key), so none is silently run as
/// SigV4.
fn v4a_marked_trial(suite: PathBuf) -> Trial {
    Trial::test("discovery::aws-v4a-suite-is-sigv4a", move || {
        let mut problems = Vec::new();
        for dir in discover(&suite).map_err(|e| Failed::from(e.to_string()))? {
            match Case::load(&dir) {
                Ok(c) if c.public_key.is_some() => {}
                Ok(_) => problems.push(format!("{}: no public-key.json", dir.display())),
                Err(e) => problems.push(e.to_string()),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n").into())
        }
    })
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    match aws_suite_dir() {
        Ok(suite) => {
            trials.push(errata_trial(suite.clone()));
            trials.push(coverage_trial(
                "discovery::aws-suite",
                suite.clone(),
                MIN_SUITE_CASES,
            ));
            for dir in discover(&suite).unwrap_or_default() {
                trials.push(case_trial("aws-suite", dir));
            }
        }
        Err(e) => trials.push(Trial::test("discovery::aws-suite", move || {
            Err(format!("AWS's suite not found: {e}").into())
        })),
    }
    match aws_v4a_suite_dir() {
        Ok(suite) => {
            trials.push(coverage_trial(
                "discovery::aws-v4a-suite",
                suite.clone(),
                MIN_V4A_SUITE_CASES,
            ));
            trials.push(v4a_marked_trial(suite.clone()));
            for dir in discover(&suite).unwrap_or_default() {
                trials.push(case_trial("aws-v4a-suite", dir));
            }
        }
        Err(e) => trials.push(Trial::test("discovery::aws-v4a-suite", move || {
            Err(format!("AWS's v4a suite not found: {e}").into())
        })),
    }
    let own = own_cases_dir();
    trials.push(coverage_trial(
        "discovery::own-cases",
        own.clone(),
        MIN_OWN_CASES,
    ));
    trials.push(readme_trial(own.clone()));
    for dir in discover(&own).unwrap_or_default() {
        trials.push(case_trial("own", dir.clone()));
        // Streaming cases carry a 65 KiB body and pin every chunk signature in their own
        // files; a snapshot of the signed request would only repeat the body.
        let streaming = Case::load(&dir).is_ok_and(|c| c.context.streaming.is_some());
        if !streaming {
            trials.push(snapshot_trial(dir));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
