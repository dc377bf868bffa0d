//! The per-request log line on stderr: its format ([`log_line`]) and the thread that writes
//! the lines in batches.

use std::io::Write as _;

use crate::verdicts::Verdict;

/// The per-request log: lines go through a bounded queue to one thread that writes them to
/// stderr. While requests keep coming, that thread wakes every 2 ms and writes what queued up
/// in one `write`, so a request costs no system call for its log line (the queue wakes nobody);
/// when a 2 ms round found nothing it blocks on the queue again. A request waits only when
/// 16k lines are queued (stderr not read).
fn logger() -> &'static std::sync::mpsc::SyncSender<String> {
    static LOG: std::sync::OnceLock<std::sync::mpsc::SyncSender<String>> =
        std::sync::OnceLock::new();
    LOG.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<String>(16 * 1024);
        std::thread::spawn(move || {
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
            while let Ok(line) = rx.recv() {
                let _ = out.write_all(line.as_bytes());
                loop {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                    let mut n = 0;
                    while let Ok(line) = rx.try_recv() {
                        let _ = out.write_all(line.as_bytes());
                        n += 1;
                    }
                    let _ = out.flush();
                    if n == 0 {
                        break;
                    }
                }
            }
        });
        tx
    })
}

/// The one-line log of a verdict (what the binary prints on stderr).
pub fn log_line(v: &Verdict) -> String {
    use std::fmt::Write as _;
    // One buffer, sized for a typical line and its newline: no regrowth.
    let mut line = String::with_capacity(96 + v.path.len());
    let _ = write!(
        line,
        "{} {} {} -> {} {} service={} op={}",
        v.seq,
        v.method,
        v.path,
        v.status,
        v.outcome,
        v.service,
        v.operation.as_deref().unwrap_or("-"),
    );
    if let Some(c) = &v.error_code {
        let _ = write!(line, " error={c}");
    }
    if let Some(c) = &v.verifier_code {
        let _ = write!(line, " verifier={c}");
    }
    if let Some(d) = &v.diagnosis {
        let _ = write!(line, " diagnosis=\"{d}\"");
    }
    line
}

/// Queues the log line of `verdict` when `log` is on.
pub fn log_verdict(log: bool, verdict: Option<&Verdict>) {
    if let (true, Some(v)) = (log, verdict) {
        let mut line = log_line(v);
        line.push('\n');
        let _ = logger().send(line);
    }
}
