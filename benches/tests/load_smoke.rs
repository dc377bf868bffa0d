//! Smoke test of `mock-aws-load`: a 2-second run over 4 connections and a 2,000-request RSS
//! phase against the `mock-aws` binary of the same cargo profile; every request must be
//! answered 200, with the expected body, and counted as accepted by the server; the hyper
//! baseline (mock-aws's transport) answers too (its requests/s and the ratio are printed).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `mock-aws` beside the load binary (`cargo test --workspace` builds both); built with cargo
/// when missing (e.g. `cargo test -p sigv4-benches` alone).
fn mock_aws() -> PathBuf {
    let load = PathBuf::from(env!("CARGO_BIN_EXE_mock-aws-load"));
    let dir = load.parent().expect("the load binary's directory");
    let server = dir.join("mock-aws");
    if !server.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let release = dir.file_name().is_some_and(|n| n == "release");
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-q", "-p", "mock-aws", "--bin", "mock-aws"]);
        if release {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build -p mock-aws");
        assert!(
            status.success() && server.exists(),
            "{} is missing and `cargo build -p mock-aws` failed: build it first (bash .ci/test does)",
            server.display()
        );
    }
    server
}

#[test]
fn a_short_load_run_has_no_errors() {
    check(&["--rss-requests", "2000", "--rss-step", "1000"], true);
}

#[test]
fn the_hyper_client_too() {
    check(&["--client", "hyper", "--rss-requests", "0"], false);
}

/// Runs the load binary for 2 s over 4 connections with `extra` flags; checks zero errors and
/// the server's count, and the RSS row when `rss`.
fn check(extra: &[&str], rss: bool) {
    let server = mock_aws();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mock-aws-load"))
        .arg("--server")
        .arg(&server)
        .args([
            "--duration",
            "2s",
            "--connections",
            "4",
            "--pool",
            "200",
            "--objects",
            "4",
            "--timeout",
            "60s",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mock-aws-load");
    // Bounded: the load binary stops itself at --timeout; this is the backstop.
    let deadline = started + Duration::from_secs(90);
    loop {
        if child.try_wait().expect("wait").is_some() || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if child.try_wait().expect("wait").is_none() {
        let _ = child.kill();
        panic!("mock-aws-load did not finish within 90 s");
    }
    let out = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "mock-aws-load failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    let row = |name: &str| -> String {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("no {name:?} row in:\n{stdout}"))
            .to_owned()
    };
    assert_eq!(
        row("errors (non-200, wrong body, connection)"),
        "| errors (non-200, wrong body, connection) | 0 |"
    );
    let statuses = row("HTTP statuses (both phases)");
    assert!(
        statuses.contains("| 200: ") && statuses.matches(": ").count() == 1,
        "{statuses}"
    );
    // The server's own count: timed-phase requests + 2,000, all accepted, none rejected.
    let verdicts = row("server's verdicts: accepted / rejected");
    let cells: Vec<&str> = verdicts.split('|').map(str::trim).collect();
    let (accepted, rest) = cells[2].split_once(" / ").expect("accepted / rejected");
    let rejected = rest.split_whitespace().next().expect("rejected");
    let accepted: u64 = accepted.replace(',', "").parse().expect("accepted count");
    assert_eq!(rejected, "0", "{verdicts}");
    assert!(accepted > if rss { 2000 } else { 0 }, "{verdicts}");
    if rss {
        let rss_row = stdout
            .lines()
            .find(|l| l.starts_with("| server RSS over 2,000 more requests"))
            .unwrap_or_else(|| panic!("no RSS row in:\n{stdout}"));
        assert!(rss_row.contains(", 2,000: "), "{rss_row}");
    }
    assert!(row("server log lines").contains(|c: char| c.is_ascii_digit()));
    // The hyper baseline answered in the same run, and the ratio is printed.
    let base = row(
        "baseline (hyper with mock-aws's transport, same requests and client, no verification): requests/s",
    );
    let answered = base
        .rsplit('(')
        .next()
        .and_then(|r| r.split_whitespace().next());
    assert!(
        answered.is_some_and(|n| n.replace(',', "").parse::<u64>().is_ok_and(|n| n > 0)),
        "{base}"
    );
    assert!(stdout.contains("| verified / baseline requests/s (target ≥ 0.6×) | "));
}
