//! Running an adapter process: protocol v1 and v2 (`PROTOCOL.md`), JSON lines over stdin and stdout.
//!
//! The adapter is started once (`sh -c CMD`) and answers one line per line. Anything that goes
//! wrong with the process itself (it does not start, exits, hangs past the timeout, prints a
//! line that is not JSON or answers another `id`) is an [`AdapterError`] for that message; the
//! process is then killed and the next message starts a fresh one (with a fresh `hello`).

use std::collections::VecDeque;
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How much of the adapter's stderr is kept.
pub const STDERR_TAIL: usize = 4096;

/// The longest answer line accepted.
const MAX_LINE: usize = 64 * 1024 * 1024;

/// How long an adapter may take to exit after its stdin is closed.
const EXIT_GRACE: Duration = Duration::from_secs(5);

/// Why a message got no valid answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdapterError {
    /// The command could not be started.
    Spawn(String),
    /// The adapter did not answer within the timeout.
    Timeout(Duration),
    /// The adapter exited (or closed stdout) before answering.
    Exited(String),
    /// The answer is not a JSON object.
    Garbage(String),
    /// The answer's `id` is not the message's.
    WrongId {
        /// The id sent.
        expected: String,
        /// The id answered.
        got: String,
    },
    /// The answer is JSON but not a valid protocol answer.
    BadAnswer(String),
    /// The `hello` failed; the adapter's tool is probably not installed.
    Hello(Box<AdapterError>),
}

impl AdapterError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Spawn(_) => "spawn-failed",
            Self::Timeout(_) => "timeout",
            Self::Exited(_) => "exited",
            Self::Garbage(_) => "garbage",
            Self::WrongId { .. } => "wrong-id",
            Self::BadAnswer(_) => "bad-answer",
            Self::Hello(_) => "hello-failed",
        }
    }
}

impl fmt::Display for AdapterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Spawn(e) => write!(f, "cannot start the adapter: {e}"),
            Self::Timeout(d) => write!(f, "no answer within {} s", d.as_secs_f64()),
            Self::Exited(s) => write!(f, "the adapter exited before answering ({s})"),
            Self::Garbage(l) => write!(f, "the answer is not a JSON object: {l}"),
            Self::WrongId { expected, got } => {
                write!(f, "the answer is for id {got:?}, expected {expected:?}")
            }
            Self::BadAnswer(m) => write!(f, "invalid answer: {m}"),
            Self::Hello(e) => write!(f, "hello failed: {e}"),
        }
    }
}

impl std::error::Error for AdapterError {}

/// What the adapter said in its `hello` (protocol 1 fields, and the version-2 `protocols`,
/// `algorithms` and `features`).
pub use sigv4_protocol::Hello;

enum Line {
    Text(Vec<u8>),
    Eof,
}

struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<Line>,
}

impl Process {
    fn kill(mut self) {
        kill_group(&mut self.child);
    }

    fn close(mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + EXIT_GRACE;
        while Instant::now() < deadline {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        kill_group(&mut self.child);
    }
}

/// Kills the adapter's process group (it runs in a group of its own, so the programs `sh -c`
/// started go too), then reaps the child.
fn kill_group(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

/// One adapter: the command, and its running process if any.
pub struct Adapter {
    command: String,
    dir: Option<PathBuf>,
    timeout: Duration,
    process: Option<Process>,
    hello: Option<Hello>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    /// How many times the process was (re)started.
    pub starts: usize,
    /// Consecutive failed `hello`s, and the last one's error.
    hello_failures: (usize, Option<AdapterError>),
}

/// After this many failed `hello`s in a row the adapter is not started again: every further
/// message fails at once with the last error (so a missing tool costs seconds, not a timeout
/// per case).
pub const MAX_HELLO_FAILURES: usize = 2;

impl fmt::Debug for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Adapter")
            .field("command", &self.command)
            .field("timeout", &self.timeout)
            .field("starts", &self.starts)
            .finish_non_exhaustive()
    }
}

impl Adapter {
    /// An adapter run as `sh -c command` in `dir` (the current folder when `None`).
    pub fn new(command: &str, dir: Option<PathBuf>, timeout: Duration) -> Self {
        Self {
            command: command.to_owned(),
            dir,
            timeout,
            process: None,
            hello: None,
            stderr: Arc::new(Mutex::new(VecDeque::new())),
            starts: 0,
            hello_failures: (0, None),
        }
    }

    /// The last 4 KiB the adapter wrote on stderr (lossy UTF-8).
    pub fn stderr_tail(&self) -> String {
        let buf = self.stderr.lock().unwrap_or_else(|p| p.into_inner());
        let bytes: Vec<u8> = buf.iter().copied().collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Starts the process if needed and returns its `hello`.
    pub fn hello(&mut self) -> Result<Hello, AdapterError> {
        if self.process.is_none() {
            self.start()?;
        }
        Ok(self.hello.clone().unwrap_or_default())
    }

    fn start(&mut self) -> Result<(), AdapterError> {
        if self.hello_failures.0 >= MAX_HELLO_FAILURES {
            if let Some(e) = &self.hello_failures.1 {
                return Err(e.clone());
            }
        }
        let result = self.start_once();
        match &result {
            Ok(()) => self.hello_failures = (0, None),
            Err(e) => self.hello_failures = (self.hello_failures.0 + 1, Some(e.clone())),
        }
        result
    }

    fn start_once(&mut self) -> Result<(), AdapterError> {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(&self.command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        if let Some(d) = &self.dir {
            cmd.current_dir(d);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| AdapterError::Hello(Box::new(AdapterError::Spawn(e.to_string()))))?;
        self.starts += 1;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let (tx, rx) = mpsc::channel();
        if let Some(out) = stdout {
            std::thread::spawn(move || {
                let mut r = BufReader::new(out);
                loop {
                    let mut buf = Vec::new();
                    match (&mut r).take(MAX_LINE as u64).read_until(b'\n', &mut buf) {
                        Ok(0) | Err(_) => {
                            let _ = tx.send(Line::Eof);
                            return;
                        }
                        Ok(_) => {
                            if tx.send(Line::Text(buf)).is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
        if let Some(mut err) = stderr {
            let tail = Arc::clone(&self.stderr);
            std::thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = err.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    let mut t = tail.lock().unwrap_or_else(|p| p.into_inner());
                    t.extend(&chunk[..n]);
                    while t.len() > STDERR_TAIL {
                        t.pop_front();
                    }
                }
            });
        }
        self.process = Some(Process {
            child,
            stdin,
            lines: rx,
        });
        let answer = self
            .exchange(&sigv4_protocol::hello_message(), "hello")
            .map_err(|e| AdapterError::Hello(Box::new(e)))?;
        match Hello::from_answer(&answer) {
            Ok(h) => self.hello = Some(h),
            Err(e) => {
                self.kill();
                return Err(AdapterError::Hello(Box::new(AdapterError::BadAnswer(e))));
            }
        }
        Ok(())
    }

    /// Kills the running process, if any; the next message starts a new one.
    pub fn kill(&mut self) {
        if let Some(p) = self.process.take() {
            p.kill();
        }
    }

    /// Closes stdin and waits for the adapter to exit (killing it after 5 s).
    pub fn close(&mut self) {
        if let Some(p) = self.process.take() {
            p.close();
        }
    }

    /// Sends `message` (whose `id` is `id`) and returns the answer; starts the adapter first
    /// when it is not running. On any error the process is killed.
    pub fn request(&mut self, message: &Value, id: &str) -> Result<Value, AdapterError> {
        if self.process.is_none() {
            self.start()?;
        }
        self.exchange(message, id)
    }

    fn exchange(&mut self, message: &Value, id: &str) -> Result<Value, AdapterError> {
        let result = self.exchange_inner(message, id);
        if result.is_err() {
            self.kill();
        }
        result
    }

    fn exchange_inner(&mut self, message: &Value, id: &str) -> Result<Value, AdapterError> {
        let p = self
            .process
            .as_mut()
            .ok_or_else(|| AdapterError::Exited("not running".into()))?;
        let mut line = message.to_string();
        line.push('\n');
        let write = p
            .stdin
            .as_mut()
            .map(|s| s.write_all(line.as_bytes()).and_then(|()| s.flush()));
        if let Some(Err(e)) = write {
            // A closed pipe: the adapter is gone; say how it ended.
            let status = wait_briefly(&mut p.child);
            return Err(AdapterError::Exited(format!(
                "writing to it failed: {e}; {status}"
            )));
        }
        let text = match p.lines.recv_timeout(self.timeout) {
            Ok(Line::Text(t)) => t,
            Ok(Line::Eof) | Err(RecvTimeoutError::Disconnected) => {
                let status = wait_briefly(&mut p.child);
                return Err(AdapterError::Exited(status));
            }
            Err(RecvTimeoutError::Timeout) => return Err(AdapterError::Timeout(self.timeout)),
        };
        let text = String::from_utf8_lossy(&text);
        let value: Value = serde_json::from_str(text.trim_end()).map_err(|_| {
            AdapterError::Garbage(text.trim_end().chars().take(200).collect::<String>())
        })?;
        if !value.is_object() {
            return Err(AdapterError::Garbage(
                text.trim_end().chars().take(200).collect(),
            ));
        }
        let got = value.get("id").and_then(Value::as_str).unwrap_or_default();
        if got != id {
            return Err(AdapterError::WrongId {
                expected: id.to_owned(),
                got: got.to_owned(),
            });
        }
        Ok(value)
    }
}

impl Drop for Adapter {
    fn drop(&mut self) {
        self.close();
    }
}

fn wait_briefly(child: &mut Child) -> String {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        match child.try_wait() {
            Ok(Some(s)) => return format!("exit status {s}"),
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            _ => return "it closed its stdout".into(),
        }
    }
}
