//! `sigv4`: sign suite cases with the reference signer and check them against their expected
//! files; validate other SigV4 implementations through adapters (`check`, `fuzz`, `report`)
//! and real clients against an in-process mock-aws (`live`).

mod adapter;
mod bundled;
mod check;
mod config;
mod explain;
mod fuzz;
mod live;
mod output;
mod probe;
mod protocol;
mod report;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use clap::{Parser, Subcommand, ValueEnum};
use sigv4_vectors::run::{run, sign_case};
use sigv4_vectors::suite::default_dirs;
use sigv4_vectors::{discover, Case, Location};

#[derive(Parser)]
#[command(
    name = "sigv4",
    version,
    about = "AWS Signature Version 4: reference signing and conformance"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sign a case's request.txt under its context.json and print the signed request.
    Sign {
        /// The case folder.
        case_dir: PathBuf,
        /// Where the signature goes.
        #[arg(long, value_enum, default_value_t = LocationArg::Header)]
        location: LocationArg,
        /// Print one JSON object: canonical_request, string_to_sign, signature, signed_request.
        #[arg(long)]
        json: bool,
    },
    /// Run every case below the folders (default: AWS's suite and vectors/cases) and compare
    /// each stage with the expected files.
    Vectors {
        /// Folders to search for cases.
        dirs: Vec<PathBuf>,
    },
    /// Run every case (default: AWS's suite and vectors/cases) through an adapter of another
    /// implementation and judge its answers. Exits 1 on any fail or adapter-error.
    Check(CheckArgs),
    /// Differential fuzzing: generated requests and contexts signed by the adapter and by our
    /// signer; the first divergence is shrunk and written as a vector folder. Exits 1 when a
    /// divergence is found.
    Fuzz {
        #[command(flatten)]
        adapter: AdapterArgs,
        /// How many generated cases.
        #[arg(long, default_value_t = 1000)]
        cases: u32,
        /// The seed (default: from the clock; printed, to reproduce a run).
        #[arg(long)]
        seed: Option<u64>,
        /// What to vary (the rest stays at plain defaults).
        #[arg(long, value_enum, default_value_t = fuzz::Focus::All)]
        focus: fuzz::Focus,
        /// Where the minimal diverging case is written (as fuzz-SEED/).
        #[arg(long, default_value = "fuzz-findings")]
        out: PathBuf,
        /// A divergence class to accept and go on past (repeatable): a diagnosis code
        /// (`query-not-sorted`) or the first differing stage and component
        /// (`canonical-request:headers`), as printed with a finding.
        #[arg(long = "accept", value_name = "CLASS")]
        accept: Vec<String>,
    },
    /// Start a fresh mock-aws on 127.0.0.1, run a client program against it (AWS_ENDPOINT_URL,
    /// AWS's example credentials, us-east-1) and print mock-aws's verdict on each request.
    /// Exits 1 when a request was rejected for its signature, none arrived, or the program
    /// failed.
    Live {
        /// How long the program may run, seconds.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
        /// The program and its arguments.
        #[arg(last = true, required = true)]
        argv: Vec<String>,
    },
    /// Run every bundled adapter (harness/adapters/*/adapter.json) over every suite and write
    /// docs/conformance.md and docs/conformance.html.
    Report {
        /// Output folder (default: docs/ of the repository).
        #[arg(long)]
        out_dir: Option<PathBuf>,
        /// Per-case timeout, seconds.
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
    },
    /// Set what your signer printed (canonical request, string to sign, or both) against the
    /// reference's for the same request: side by side, a line diff with invisible characters
    /// shown, the first differing line with its rule, and the diagnosis. Exits 0 when
    /// identical, 1 when different.
    Explain(Box<explain::ExplainArgs>),
    /// Print the catalogue of mistakes the diagnosis knows (a Markdown table); with --write,
    /// replace the table in that file between its markers.
    Mistakes {
        /// A Markdown file holding the table between `<!-- mistakes:begin -->` and
        /// `<!-- mistakes:end -->` (docs/diagnosis.md).
        #[arg(long)]
        write: Option<PathBuf>,
    },
    /// Probe a server that verifies SigV4 with a battery of signed requests, each with AWS's
    /// verdict (harness/src/probe). Exits 1 when any case disagrees.
    Probe(probe::ProbeArgs),
    /// Start each bundled verifier (mock-aws, moto, s3rver, s3s-fs, LocalStack) in turn, probe
    /// it, and write docs/verifiers.md and docs/verifiers.html.
    ProbeReport(probe::ReportArgs),
}

#[derive(clap::Args)]
struct AdapterArgs {
    /// The adapter command, run with `sh -c` (see harness/PROTOCOL.md).
    #[arg(
        long,
        conflicts_with = "adapter_name",
        required_unless_present = "adapter_name"
    )]
    adapter: Option<String>,
    /// A bundled adapter (harness/adapters/NAME/adapter.json), run from the repository root.
    #[arg(long)]
    adapter_name: Option<String>,
    /// Per-case timeout, seconds.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
}

impl AdapterArgs {
    /// `--adapter-name NAME` or `--adapter 'CMD'`, as a user retypes it.
    fn reproduce_flag(&self) -> String {
        match (&self.adapter_name, &self.adapter) {
            (Some(n), _) => format!("--adapter-name {n}"),
            (None, Some(c)) => format!("--adapter '{}'", c.replace('\'', "'\\''")),
            (None, None) => String::new(),
        }
    }

    fn adapter(&self) -> Result<(String, adapter::Adapter)> {
        let timeout = Duration::from_secs_f64(self.timeout.max(0.001));
        match (&self.adapter, &self.adapter_name) {
            (Some(cmd), _) => Ok((cmd.clone(), adapter::Adapter::new(cmd, None, timeout))),
            (None, Some(name)) => {
                let root = bundled::repo_root();
                let b = bundled::find(&root, name)?;
                Ok((
                    b.name.clone(),
                    adapter::Adapter::new(&b.command, Some(root), timeout),
                ))
            }
            (None, None) => bail!("give --adapter CMD or --adapter-name NAME"),
        }
    }
}

#[derive(clap::Args)]
struct CheckArgs {
    #[command(flatten)]
    adapter: AdapterArgs,
    /// Cases to disable, each with a reason (TOML, or JSON for a .json file).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Write the verdicts as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write JUnit XML (a testsuite per suite).
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Write a self-contained HTML report.
    #[arg(long)]
    html: Option<PathBuf>,
    /// Show a table row for every case (default: only failures and adapter errors).
    #[arg(long)]
    all: bool,
    /// Only the cases of this suite (repeatable): aws, aws-v4a, ours, or a folder's name.
    #[arg(long = "suite", value_name = "SUITE")]
    suites: Vec<String>,
    /// Only the cases at this location (repeatable).
    #[arg(long = "location", value_enum, value_name = "LOCATION")]
    locations: Vec<LocationArg>,
    /// Folders to search for cases (default: AWS's v4 and v4a suites and vectors/cases).
    dirs: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LocationArg {
    Header,
    Query,
}

impl From<LocationArg> for Location {
    fn from(l: LocationArg) -> Self {
        match l {
            LocationArg::Header => Location::Header,
            LocationArg::Query => Location::Query,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sign {
            case_dir,
            location,
            json,
        } => cmd_sign(&case_dir, location.into(), json),
        Command::Vectors { dirs } => cmd_vectors(dirs),
        Command::Check(args) => cmd_check(&args),
        Command::Fuzz {
            adapter,
            cases,
            seed,
            focus,
            out,
            accept,
        } => cmd_fuzz(&adapter, cases, seed, focus, &out, &accept),
        Command::Live { timeout, argv } => cmd_live(&argv, timeout),
        Command::Report { out_dir, timeout } => cmd_report(out_dir, timeout),
        Command::Explain(args) => explain::run(&args),
        Command::Mistakes { write } => cmd_mistakes(write.as_deref()),
        Command::Probe(args) => probe::cmd_probe(&args),
        Command::ProbeReport(args) => probe::cmd_report(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("sigv4: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn cmd_sign(dir: &std::path::Path, location: Location, json: bool) -> Result<ExitCode> {
    let case = Case::load(dir)?;
    let (out, signed) = sign_case(&case, location)
        .map_err(|e| anyhow::anyhow!("{e} (code {})", e.code()))
        .with_context(|| format!("signing {}", dir.display()))?;
    let mut stdout = std::io::stdout().lock();
    if json {
        let v = serde_json::json!({
            "canonical_request": out.canonical_request(),
            "string_to_sign": out.string_to_sign(),
            "signature": out.signature(),
            "signed_request": String::from_utf8_lossy(&signed.to_http1()),
        });
        writeln!(stdout, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        stdout.write_all(&signed.to_http1())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The markers around the generated table in docs/diagnosis.md.
const MISTAKES_BEGIN: &str =
    "<!-- mistakes:begin (generated by `sigv4 mistakes --write docs/diagnosis.md`) -->";
const MISTAKES_END: &str = "<!-- mistakes:end -->";

fn cmd_mistakes(write: Option<&std::path::Path>) -> Result<ExitCode> {
    let table = sigv4_signer::diagnose::Mistake::catalogue_markdown();
    let Some(path) = write else {
        print!("{table}");
        return Ok(ExitCode::SUCCESS);
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let (Some(b), Some(e)) = (text.find(MISTAKES_BEGIN), text.find(MISTAKES_END)) else {
        bail!(
            "{} has no markers {MISTAKES_BEGIN} ... {MISTAKES_END}",
            path.display()
        );
    };
    let start = b + MISTAKES_BEGIN.len();
    if e < start {
        bail!(
            "{}: the end marker comes before the begin marker",
            path.display()
        );
    }
    let new = format!("{}\n{table}{}", &text[..start], &text[e..]);
    std::fs::write(path, new).with_context(|| format!("writing {}", path.display()))?;
    println!("wrote the catalogue of mistakes into {}", path.display());
    Ok(ExitCode::SUCCESS)
}

fn cmd_vectors(dirs: Vec<PathBuf>) -> Result<ExitCode> {
    let dirs = if dirs.is_empty() {
        default_dirs().map_err(anyhow::Error::msg)?
    } else {
        dirs
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    for root in &dirs {
        if !root.is_dir() {
            bail!("{} is not a folder", root.display());
        }
        for dir in discover(root)? {
            let case = match Case::load(&dir) {
                Ok(c) => c,
                Err(e) => {
                    println!("FAIL {}: cannot load: {e}", dir.display());
                    failed += 1;
                    continue;
                }
            };
            for loc in case.locations() {
                let report = run(&case, loc);
                if report.passed() {
                    passed += 1;
                    continue;
                }
                failed += 1;
                for f in report.failures() {
                    println!("FAIL {} [{loc}] {} differs", case.name, f.stage);
                    print!("{}", f.failure.as_deref().unwrap_or(""));
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if passed + failed == 0 {
        eprintln!(
            "sigv4: no case found under {}",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn cmd_check(args: &CheckArgs) -> Result<ExitCode> {
    let config = match &args.config {
        Some(p) => config::Config::load(p)?,
        None => config::Config::default(),
    };
    let suites = if args.dirs.is_empty() {
        check::default_suites()?
    } else {
        check::suites_from_dirs(&args.dirs)?
    };
    let known: Vec<&str> = suites.iter().map(|s| s.name.as_str()).collect();
    for s in &args.suites {
        if !known.contains(&s.as_str()) {
            bail!(
                "--suite {s}: no such suite (there are: {})",
                known.join(", ")
            );
        }
    }
    let locations: Vec<Location> = args.locations.iter().map(|l| (*l).into()).collect();
    let items = check::filter_items(check::load_items(&suites)?, &args.suites, &locations);
    if items.is_empty() {
        bail!("no case found under the given folders and filters");
    }
    let (label, mut adapter) = args.adapter.adapter()?;
    let hello = match adapter.hello() {
        Ok(h) => {
            eprintln!(
                "adapter: {} {} ({}), protocol {}, reveals [{}], algorithms [{}], features [{}]",
                h.name,
                h.version,
                h.language,
                h.protocol(),
                h.reveals.join(", "),
                if h.algorithms.is_empty() {
                    "sigv4".to_owned()
                } else {
                    h.algorithms.join(", ")
                },
                h.features.join(", ")
            );
            Some(h)
        }
        Err(e) => {
            eprintln!(
                "sigv4: the adapter did not start ({e}); is its tool installed? run bash .ci/setup\n{}",
                adapter.stderr_tail()
            );
            None
        }
    };
    let verdicts = check::run_items(&mut adapter, &items, &config, |_| {});
    adapter.close();
    print!("{}", output::table(&verdicts, args.all));
    let hello = hello.as_ref();
    if let Some(p) = &args.json {
        let doc = output::json_doc(&label, hello, &verdicts);
        std::fs::write(p, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(p) = &args.junit {
        std::fs::write(p, output::junit(&label, &verdicts))
            .with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(p) = &args.html {
        std::fs::write(p, output::html(&label, hello, &verdicts))
            .with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(if check::Summary::of(&verdicts).is_failure() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn cmd_fuzz(
    args: &AdapterArgs,
    cases: u32,
    seed: Option<u64>,
    focus: fuzz::Focus,
    out: &std::path::Path,
    accept: &[String],
) -> Result<ExitCode> {
    let seed = seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    let (label, mut adapter) = args.adapter()?;
    let hello = adapter
        .hello()
        .map_err(|e| anyhow::anyhow!("{label}: {e}\n{}", adapter.stderr_tail()))?;
    eprintln!(
        "fuzzing {} {} against our signer: {cases} cases, seed {seed}",
        hello.name, hello.version
    );
    let outcome = fuzz::run(&mut adapter, cases, seed, focus, out, accept)?;
    adapter.close();
    match outcome.found {
        None => {
            println!("no divergence in {} cases (seed {seed})", outcome.cases);
            Ok(ExitCode::SUCCESS)
        }
        Some((case, d, dir)) => {
            print!("{}", fuzz::describe(&case, &d));
            println!(
                "vector written to {} (expected files are ours: cross-check before committing)",
                dir.display()
            );
            println!(
                "divergence class: {} (--accept {} goes on past it)",
                d.class, d.class
            );
            let mut repro = format!(
                "reproduce: sigv4 fuzz {} --cases {cases} --seed {seed} --focus {}",
                args.reproduce_flag(),
                format!("{focus:?}").to_lowercase()
            );
            for a in accept {
                repro.push_str(&format!(" --accept {a}"));
            }
            println!("{repro}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn cmd_live(argv: &[String], timeout: u64) -> Result<ExitCode> {
    let r = live::run(argv, Duration::from_secs(timeout))?;
    print!("{}", r.report);
    Ok(if r.is_failure() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn cmd_report(out_dir: Option<PathBuf>, timeout: f64) -> Result<ExitCode> {
    let root = bundled::repo_root();
    let adapters = bundled::discover(&root)?;
    let suites = check::default_suites()?;
    let items = check::load_items(&suites)?;
    let columns = report::run_all(
        &root,
        &adapters,
        &items,
        Duration::from_secs_f64(timeout.max(0.001)),
    );
    let out = out_dir.unwrap_or_else(|| root.join("docs"));
    report::write(&out, &items, &columns)?;
    println!(
        "wrote {} and {} ({} adapters, {} cases)",
        out.join("conformance.md").display(),
        out.join("conformance.html").display(),
        columns.len(),
        items.len()
    );
    Ok(ExitCode::SUCCESS)
}
