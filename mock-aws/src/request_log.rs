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
    let mut line = String::new();
    write_log_line(&mut line, v);
    line
}

/// Appends the log line of `v` to `line`: `SEQ METHOD PATH -> STATUS OUTCOME service=S op=OP`,
/// then ` error=`, ` verifier=` and ` diagnosis="..."` when the verdict has them. Written
/// piece by piece (no `format!` machinery: it was a third of the line's cost under callgrind)
/// into one buffer sized for the line and its newline.
fn write_log_line(line: &mut String, v: &Verdict) {
    let op = v.operation.as_deref().unwrap_or("-");
    line.reserve(
        64 + v.method.len()
            + v.path.len()
            + v.service.len()
            + op.len()
            + v.error_code.as_ref().map_or(0, String::len)
            + v.verifier_code.as_ref().map_or(0, String::len)
            + v.diagnosis.as_ref().map_or(0, String::len),
    );
    push_decimal(line, v.seq);
    line.push(' ');
    line.push_str(&v.method);
    line.push(' ');
    line.push_str(&v.path);
    line.push_str(" -> ");
    push_decimal(line, u64::from(v.status));
    line.push(' ');
    line.push_str(v.outcome);
    line.push_str(" service=");
    line.push_str(&v.service);
    line.push_str(" op=");
    line.push_str(op);
    if let Some(c) = &v.error_code {
        line.push_str(" error=");
        line.push_str(c);
    }
    if let Some(c) = &v.verifier_code {
        line.push_str(" verifier=");
        line.push_str(c);
    }
    if let Some(d) = &v.diagnosis {
        line.push_str(" diagnosis=\"");
        line.push_str(d);
        line.push('"');
    }
}

/// Appends `n` in decimal, as `{}` writes it.
fn push_decimal(line: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        line.push(char::from(d));
    }
}

/// Queues the log line of `verdict` when `log` is on.
pub fn log_verdict(log: bool, verdict: Option<&Verdict>) {
    if let (true, Some(v)) = (log, verdict) {
        let mut line = String::new();
        write_log_line(&mut line, v);
        line.push('\n');
        let _ = logger().send(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line as `format!` wrote it before it was written by hand.
    fn formatted(v: &Verdict) -> String {
        let mut line = format!(
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
            line.push_str(&format!(" error={c}"));
        }
        if let Some(c) = &v.verifier_code {
            line.push_str(&format!(" verifier={c}"));
        }
        if let Some(d) = &v.diagnosis {
            line.push_str(&format!(" diagnosis=\"{d}\""));
        }
        line
    }

    #[test]
    fn lines_as_format_wrote_them() {
        let mut v = Verdict::new(0, "GET", "/bkt/k?x=1", "s3");
        assert_eq!(log_line(&v), formatted(&v));
        assert_eq!(
            log_line(&v),
            "0 GET /bkt/k?x=1 -> 0 rejected service=s3 op=-"
        );
        for seq in [1, 9, 10, 99, 100, 12_345, u64::MAX] {
            v.seq = seq;
            assert_eq!(log_line(&v), formatted(&v));
        }
        v.status = 403;
        v.operation = Some("GetObject".to_owned());
        v.error_code = Some("SignatureDoesNotMatch".to_owned());
        v.verifier_code = Some("signature-mismatch".to_owned());
        v.diagnosis = Some("the path was encoded once \"é\"".to_owned());
        assert_eq!(log_line(&v), formatted(&v));
        v.outcome = "accepted";
        v.status = 200;
        v.error_code = None;
        v.diagnosis = None;
        assert_eq!(log_line(&v), formatted(&v));
    }
}
