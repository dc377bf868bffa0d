//! The bundled targets: each started on 127.0.0.1 on a free port, waited for, and stopped
//! (process group killed, scratch folder removed) when the [`Target`] is dropped.
//!
//! - `mock-aws`: this project's fake AWS, in-process (the `mock_aws` library on a tokio
//!   runtime of its own), with AWS's example key and a temporary credential.
//! - `moto`: `moto_server` from `.probe-tools/moto-venv` (PyPI `moto[server]`, pinned in
//!   `.ci/setup.d/probe.sh`). moto checks signatures only when `INITIAL_NO_AUTH_ACTION_COUNT`
//!   is set, and then only for the keys of IAM users and assumed roles it knows: the first six
//!   requests (not authenticated) make a user with an allow-all policy and an access key and a
//!   role with the same policy; an `AssumeRole` signed with the user's key gives the temporary
//!   credential of the session-token cases.
//! - `s3rver`: the npm package (`harness/probe-targets/s3rver`, `npm ci`), its built-in key
//!   `S3RVER` / `S3RVER`.
//! - `s3s-fs`: `.probe-tools/s3s-fs/bin/s3s-fs` (`cargo install s3s-fs --features binary`,
//!   pinned), over a scratch folder, with AWS's example key.
//! - `localstack`: optional; skipped with the reason when it is not installed.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};

use super::battery::{Ctx, Key, Service};
use super::http;

/// The bundled targets, in report order.
pub const NAMES: &[&str] = &["mock-aws", "moto", "s3rver", "s3s-fs", "localstack"];

/// moto's pin (also in `.ci/setup.d/probe.sh`).
pub const MOTO_VERSION: &str = "5.2.5";
/// s3rver's pin (also in `harness/probe-targets/s3rver/package.json`).
pub const S3RVER_VERSION: &str = "3.7.1";
/// s3s-fs's pin (also in `.ci/setup.d/probe.sh`; the newest release whose rust-version is at
/// most 1.95).
pub const S3S_FS_VERSION: &str = "0.14.1";

const EXAMPLE_KEY: &str = "AKIDEXAMPLE";
const EXAMPLE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const REGION: &str = "us-east-1";

/// The outcome of [`start`].
pub enum Started {
    /// Running.
    Running(Box<Target>),
    /// Not installed or not available here, and why.
    Skipped(String),
}

enum Guard {
    /// mock-aws in-process: dropping the runtime stops it.
    InProcess(#[allow(dead_code)] tokio::runtime::Runtime),
    /// A child process (its own process group) and its scratch folder.
    Child(#[allow(dead_code)] ChildGuard),
}

struct ChildGuard {
    child: Child,
    scratch: Option<PathBuf>,
    log: PathBuf,
}

impl ChildGuard {
    fn stop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(d) = self.scratch.take() {
            let _ = std::fs::remove_dir_all(d);
        }
        let _ = std::fs::remove_file(&self.log);
    }

    fn log_tail(&self) -> String {
        let s = std::fs::read_to_string(&self.log).unwrap_or_default();
        let start = s.len().saturating_sub(2000);
        let start = (start..s.len())
            .find(|i| s.is_char_boundary(*i))
            .unwrap_or(0);
        s[start..].to_owned()
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A running target.
pub struct Target {
    /// Its name.
    pub name: String,
    /// What it is and its version.
    pub about: String,
    /// Where it listens.
    pub addr: SocketAddr,
    /// A key it accepts.
    pub key: Key,
    /// A temporary credential it accepts, if any.
    pub session: Option<Key>,
    /// Services it serves.
    pub services: Vec<Service>,
    /// Whether it claims SigV4a.
    pub sigv4a: bool,
    /// What is known of how it verifies, with where that is read (for the report).
    pub remark: Option<&'static str>,
    _guard: Guard,
}

impl Target {
    /// The battery's context for this target at `now`.
    pub fn ctx(&self, now: i64) -> Ctx {
        Ctx {
            addr: self.addr,
            host: self.addr.to_string(),
            key: self.key.clone(),
            session: self.session.clone(),
            region: REGION.to_owned(),
            services: self.services.clone(),
            sigv4a: self.sigv4a,
            now,
            run_id: format!("{now:x}"),
        }
    }
}

/// The project-local tool folder (`.probe-tools/`, made by `.ci/setup.d/probe.sh`).
pub fn tools_dir(root: &Path) -> PathBuf {
    root.join(".probe-tools")
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

fn scratch(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::env::temp_dir().join(format!("sigv4-probe-{name}-{}-{nanos}", std::process::id()))
}

/// Starts `cmd` in its own process group with output to a log file, and waits until
/// `127.0.0.1:port` accepts connections.
fn spawn(
    name: &str,
    mut cmd: Command,
    port: u16,
    scratch: Option<PathBuf>,
    wait: Duration,
) -> Result<(ChildGuard, SocketAddr)> {
    use std::os::unix::process::CommandExt as _;
    let log = std::env::temp_dir().join(format!("sigv4-probe-{name}-{}.log", std::process::id()));
    let out = std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
    let err = out.try_clone()?;
    let child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .with_context(|| format!("starting {name}"))?;
    let mut guard = ChildGuard {
        child,
        scratch,
        log,
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = guard.child.try_wait() {
            bail!(
                "{name} exited ({status}) before listening:\n{}",
                guard.log_tail()
            );
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok((guard, addr));
        }
        if start.elapsed() > wait {
            let tail = guard.log_tail();
            drop(guard);
            bail!(
                "{name} did not listen on {addr} within {} s:\n{tail}",
                wait.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Starts the bundled target `name`.
pub fn start(name: &str, root: &Path, timeout: Duration) -> Result<Started> {
    match name {
        "mock-aws" => start_mock_aws(),
        "moto" => start_moto(root, timeout),
        "s3rver" => start_s3rver(root),
        "s3s-fs" => start_s3s_fs(root),
        "localstack" => Ok(Started::Skipped(localstack_reason(root))),
        other => bail!("unknown target {other:?}; bundled: {}", NAMES.join(", ")),
    }
}

/// The temporary credential mock-aws is started with.
pub fn mock_aws_session() -> Key {
    Key::new(
        "ASIAPROBESESSION0000",
        "probeSessionSecret/K7MDENG+bPxRfiCYEXAMPLE",
        Some("probe-session-token"),
    )
}

fn start_mock_aws() -> Result<Started> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let session = mock_aws_session();
    let session_cred = mock_aws::Credential::parse(&format!(
        "{}:{}:{}",
        session.access_key,
        session.secret,
        session.token.as_deref().unwrap_or_default()
    ))
    .map_err(anyhow::Error::msg)?;
    let service = Arc::new(mock_aws::MockAws::new(mock_aws::Config {
        credentials: vec![mock_aws::Credential::example(), session_cred],
        region: REGION.to_owned(),
        ..mock_aws::Config::default()
    }));
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .context("listening on 127.0.0.1")?;
    let addr = listener.local_addr()?;
    runtime.spawn(mock_aws::server::serve(listener, service, false));
    Ok(Started::Running(Box::new(Target {
        name: "mock-aws".to_owned(),
        about: format!(
            "mock-aws {} (this project, in-process)",
            env!("CARGO_PKG_VERSION")
        ),
        addr,
        key: Key::new(EXAMPLE_KEY, EXAMPLE_SECRET, None),
        session: Some(session),
        services: vec![
            Service::S3,
            Service::Sts,
            Service::Dynamodb,
            Service::Kinesis,
        ],
        sigv4a: true,
        remark: None,
        _guard: Guard::InProcess(runtime),
    })))
}

const SETUP_HINT: &str = "not installed: run `bash .ci/setup` (it runs .ci/setup.d/probe.sh)";

fn start_moto(root: &Path, timeout: Duration) -> Result<Started> {
    let bin = tools_dir(root).join("moto-venv/bin/moto_server");
    if !bin.exists() {
        bail!("moto {SETUP_HINT} ({} missing)", bin.display());
    }
    let port = free_port()?;
    let mut cmd = Command::new(&bin);
    cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("INITIAL_NO_AUTH_ACTION_COUNT", "6")
        .env("MOTO_ALLOW_NONEXISTENT_REGION", "false")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY");
    let (guard, addr) = spawn("moto", cmd, port, None, Duration::from_secs(60))?;
    let (key, session) =
        moto_user(addr, timeout).context("creating moto's IAM user, role and keys")?;
    Ok(Started::Running(Box::new(Target {
        name: "moto".to_owned(),
        about: format!("moto[server] {MOTO_VERSION} (PyPI), INITIAL_NO_AUTH_ACTION_COUNT=6"),
        addr,
        key,
        session: Some(session),
        services: vec![
            Service::S3,
            Service::Sts,
            Service::Dynamodb,
            Service::Kinesis,
        ],
        sigv4a: false,
        remark: Some("moto verifies signatures only with INITIAL_NO_AUTH_ACTION_COUNT set, through its IAM access control, which recomputes the signature with botocore's signer; it does not compare X-Amz-Date with its clock nor the scope with its region (the skew and region rows), and routes a request by the service of its credential scope"),
        _guard: Guard::Child(guard),
    })))
}

fn xml_field(body: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&close)? + start;
    Some(body[start..end].trim().to_owned())
}

/// The six unauthenticated IAM calls that give moto a user and a role, each with an allow-all
/// policy, and the user a key; then, signed with that key, an STS `AssumeRole` for a temporary
/// credential. Returns the key and the temporary credential.
fn moto_user(addr: SocketAddr, timeout: Duration) -> Result<(Key, Key)> {
    let host = addr.to_string();
    let example = Key::new(EXAMPLE_KEY, EXAMPLE_SECRET, None);
    let call = |key: &Key, service: &str, params: &[(&str, &str)]| -> Result<String> {
        let version = if service == "sts" {
            "2011-06-15"
        } else {
            "2010-05-08"
        };
        let mut body = String::new();
        for (k, v) in params.iter().chain([("Version", version)].iter()) {
            if !body.is_empty() {
                body.push('&');
            }
            body.push_str(&format!(
                "{k}={}",
                sigv4_signer::internal::encode(v.as_bytes())
            ));
        }
        let creds = sigv4_signer::Credentials::new(&key.access_key, &key.secret);
        let params_ = sigv4_signer::SigningParams::new(
            &creds,
            REGION,
            service,
            sigv4_signer::SigningTime::from_unix_seconds(super::now_unix()),
        );
        let req = sigv4_signer::SignableRequest::new("POST", "/")
            .header("Host", &host)
            .header(
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(body.as_bytes());
        let out = sigv4_signer::sign(&req, &params_, sigv4_signer::SignatureLocation::Headers)
            .map_err(|e| anyhow::anyhow!("signing: {e}"))?;
        match http::send(addr, &out.apply(&req), timeout) {
            http::Sent::Answer(a) if (200..300).contains(&a.status) => {
                Ok(String::from_utf8_lossy(&a.body).into_owned())
            }
            http::Sent::Answer(a) => bail!(
                "{}: {} {}",
                params[0].1,
                a.status,
                String::from_utf8_lossy(&a.body)
            ),
            other => bail!("{}: {}", params[0].1, other.describe()),
        }
    };
    let allow_all =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let trust_all = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    call(
        &example,
        "iam",
        &[("Action", "CreateUser"), ("UserName", "sigv4-probe")],
    )?;
    let policy = call(
        &example,
        "iam",
        &[
            ("Action", "CreatePolicy"),
            ("PolicyName", "sigv4-probe-all"),
            ("PolicyDocument", allow_all),
        ],
    )?;
    let arn = xml_field(&policy, "Arn").context("no Arn in CreatePolicy's answer")?;
    call(
        &example,
        "iam",
        &[
            ("Action", "AttachUserPolicy"),
            ("UserName", "sigv4-probe"),
            ("PolicyArn", &arn),
        ],
    )?;
    let made = call(
        &example,
        "iam",
        &[("Action", "CreateAccessKey"), ("UserName", "sigv4-probe")],
    )?;
    let key = Key::new(
        &xml_field(&made, "AccessKeyId").context("no AccessKeyId")?,
        &xml_field(&made, "SecretAccessKey").context("no SecretAccessKey")?,
        None,
    );
    let role = call(
        &example,
        "iam",
        &[
            ("Action", "CreateRole"),
            ("RoleName", "sigv4-probe-role"),
            ("AssumeRolePolicyDocument", trust_all),
        ],
    )?;
    let role_arn = xml_field(&role, "Arn").context("no Arn in CreateRole's answer")?;
    call(
        &example,
        "iam",
        &[
            ("Action", "AttachRolePolicy"),
            ("RoleName", "sigv4-probe-role"),
            ("PolicyArn", &arn),
        ],
    )?;
    let assumed = call(
        &key,
        "sts",
        &[
            ("Action", "AssumeRole"),
            ("RoleArn", &role_arn),
            ("RoleSessionName", "sigv4-probe"),
        ],
    )?;
    let session = Key::new(
        &xml_field(&assumed, "AccessKeyId").context("no AccessKeyId in AssumeRole's answer")?,
        &xml_field(&assumed, "SecretAccessKey").context("no SecretAccessKey")?,
        Some(&xml_field(&assumed, "SessionToken").context("no SessionToken")?),
    );
    Ok((key, session))
}

fn start_s3rver(root: &Path) -> Result<Started> {
    let pkg = root.join("harness/probe-targets/s3rver/node_modules/s3rver/bin/s3rver.js");
    if !pkg.exists() {
        bail!("s3rver {SETUP_HINT} ({} missing)", pkg.display());
    }
    let port = free_port()?;
    let dir = scratch("s3rver");
    std::fs::create_dir_all(&dir)?;
    let mut cmd = Command::new("node");
    cmd.arg(&pkg).args(["-d"]).arg(&dir).args([
        "-a",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "--silent",
    ]);
    let (guard, addr) = spawn("s3rver", cmd, port, Some(dir), Duration::from_secs(30))?;
    Ok(Started::Running(Box::new(Target {
        name: "s3rver".to_owned(),
        about: format!("s3rver {S3RVER_VERSION} (npm)"),
        addr,
        key: Key::new("S3RVER", "S3RVER", None),
        session: None,
        services: vec![Service::S3],
        sigv4a: false,
        remark: Some("s3rver 3.7.1 does not compute SigV4 signatures: its authentication middleware (lib/middleware/authentication.js) checks that the access key exists and, for SigV4, notes that the signature calculation is unimplemented; SigV2 is verified"),
        _guard: Guard::Child(guard),
    })))
}

fn start_s3s_fs(root: &Path) -> Result<Started> {
    let bin = tools_dir(root).join("s3s-fs/bin/s3s-fs");
    if !bin.exists() {
        bail!("s3s-fs {SETUP_HINT} ({} missing)", bin.display());
    }
    let port = free_port()?;
    let dir = scratch("s3s-fs");
    std::fs::create_dir_all(&dir)?;
    let mut cmd = Command::new(&bin);
    cmd.args([
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--access-key",
        EXAMPLE_KEY,
        "--secret-key",
        EXAMPLE_SECRET,
    ])
    .arg(&dir);
    let (guard, addr) = spawn("s3s-fs", cmd, port, Some(dir), Duration::from_secs(30))?;
    Ok(Started::Running(Box::new(Target {
        name: "s3s-fs".to_owned(),
        about: format!("s3s-fs {S3S_FS_VERSION} (crates.io, feature binary)"),
        addr,
        key: Key::new(EXAMPLE_KEY, EXAMPLE_SECRET, None),
        session: None,
        services: vec![Service::S3],
        sigv4a: false,
        remark: None,
        _guard: Guard::Child(guard),
    })))
}

fn localstack_reason(root: &Path) -> String {
    let docker = Path::new("/var/run/docker.sock").exists();
    let bin = tools_dir(root).join("localstack-venv/bin/localstack");
    let installed = if bin.exists() {
        format!("found {}, but ", bin.display())
    } else {
        "not installed (.ci/setup does not install it); ".to_owned()
    };
    format!(
        "optional target, {installed}LocalStack's CLI runs its services in a Docker container, \
         which the probe's runner does not start{}",
        if docker {
            ""
        } else {
            ", and no Docker daemon is reachable here (no /var/run/docker.sock)"
        }
    )
}
