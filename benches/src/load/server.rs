//! The `mock-aws` child process: started on `127.0.0.1:0`, its address read from its first
//! line, its per-request log drained and counted; killed on drop.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};

/// The running server; killed on drop.
pub(crate) struct Server {
    child: Child,
    pub(crate) addr: SocketAddr,
    /// Lines the server wrote to stderr (its per-request log), counted as they are drained.
    pub(crate) log_lines: Arc<AtomicU64>,
}

impl Server {
    pub(crate) fn start(path: &PathBuf, extra: &[String]) -> Result<Self> {
        let mut child = Command::new(path)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", path.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let stderr = child.stderr.take().context("no stderr")?;
        // Drain the per-request log like a log collector would, counting its lines; a short
        // read means the pipe is empty, so wait 5 ms before the next (one wake-up per batch,
        // not per line: the pipe holds 64 KiB, the server queues more).
        let log_lines = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&log_lines);
        std::thread::spawn(move || {
            let mut r = stderr;
            let mut buf = vec![0u8; 1 << 16];
            while let Ok(n) = r.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let lines = buf[..n].iter().filter(|&&b| b == b'\n').count();
                counter.fetch_add(lines as u64, Ordering::Relaxed);
                if n < buf.len() {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        });
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        let mut server = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log_lines,
        };
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .map_err(|_| anyhow!("mock-aws printed no `listening on` line within 20 s"))?;
        server.addr = line
            .strip_prefix("listening on http://")
            .ok_or_else(|| anyhow!("unexpected first line from mock-aws: {line:?}"))?
            .parse()
            .context("mock-aws's address")?;
        Ok(server)
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
