//! Captures what the `aws-sigv4` crate computed while signing: it logs its canonical request
//! and string to sign as TRACE events (fields `canonical_request` and `string_to_sign`, with
//! sensitive header values redacted) and offers no other way to read them.
//!
//! [`capture`] runs a closure under a thread-local subscriber that keeps every field of every
//! event whose target starts with `aws_sigv4`, and returns them with the closure's result. Used
//! by the aws-sigv4 harness adapter, the cross-check helper of `vectors/tools` and the fuzz
//! targets' differential.

use std::fmt;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// The fields of aws-sigv4's events, in the order they were logged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captured {
    fields: Vec<(String, String)>,
}

impl Captured {
    /// The last value logged under `name` (a field's `Debug` form: for a `%` or string field,
    /// the text itself).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The last canonical request aws-sigv4 logged.
    pub fn canonical_request(&self) -> Option<&str> {
        self.get("canonical_request")
    }

    /// The last string to sign aws-sigv4 logged.
    pub fn string_to_sign(&self) -> Option<&str> {
        self.get("string_to_sign")
    }
}

/// Runs `f` with a subscriber (for this thread, for the duration of `f`) that records the fields
/// of aws-sigv4's events; returns `f`'s result and what was recorded.
pub fn capture<R>(f: impl FnOnce() -> R) -> (R, Captured) {
    let recorder = Arc::new(Recorder(Mutex::new(Vec::new())));
    let out = tracing::subscriber::with_default(recorder.clone(), f);
    let fields = std::mem::take(&mut *recorder.0.lock().unwrap_or_else(|e| e.into_inner()));
    (out, Captured { fields })
}

struct Recorder(Mutex<Vec<(String, String)>>);

struct Fields<'a>(&'a Mutex<Vec<(String, String)>>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((field.name().to_string(), format!("{value:?}")));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, m: &Metadata<'_>) -> bool {
        m.target().starts_with("aws_sigv4")
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, e: &Event<'_>) {
        e.record(&mut Fields(&self.0));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    // The events are logged here under aws-sigv4's target, as the crate logs them; that the
    // crate really logs these fields is tested where it signs (the adapter's hello test, the
    // cross-check, the fuzz differential).
    #[test]
    fn keeps_aws_sigv4_fields_only_and_the_last_value() {
        let ((), cap) = capture(|| {
            tracing::trace!(target: "aws_sigv4::http_request::sign", canonical_request = %"one");
            tracing::trace!(target: "other_crate", canonical_request = %"ignored");
            tracing::trace!(target: "aws_sigv4::http_request::sign", canonical_request = %"two");
            tracing::trace!(target: "aws_sigv4::http_request::sign", string_to_sign = %"sts");
        });
        assert_eq!(cap.canonical_request(), Some("two"));
        assert_eq!(cap.string_to_sign(), Some("sts"));
        assert_eq!(cap.get("missing"), None);
    }

    #[test]
    fn nothing_outside_the_closure() {
        tracing::trace!(target: "aws_sigv4", canonical_request = %"before");
        let ((), cap) = capture(|| ());
        assert_eq!(cap, Captured::default());
    }
}
