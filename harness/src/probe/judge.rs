//! A server's answer against AWS's verdict.

use std::fmt;

use super::battery::{Case, Expect};
use super::http::{Answer, Sent};

/// How a server's answer compares with AWS's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// Same verdict (and, for a rejection, the same code and status).
    Agreed,
    /// Rejected, as AWS does, but with another code or status.
    OtherCode,
    /// Accepted a request AWS rejects.
    AcceptedBad,
    /// Rejected a request AWS accepts.
    RejectedGood,
    /// Answered 5xx.
    ServerError,
    /// No answer before the timeout.
    Hang,
    /// The connection failed or closed without an answer.
    NoAnswer,
}

impl Outcome {
    /// Every outcome, in table order.
    pub const ALL: [Self; 7] = [
        Self::Agreed,
        Self::OtherCode,
        Self::AcceptedBad,
        Self::RejectedGood,
        Self::ServerError,
        Self::Hang,
        Self::NoAnswer,
    ];

    /// The stable name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Agreed => "agreed",
            Self::OtherCode => "other-code",
            Self::AcceptedBad => "accepted-bad",
            Self::RejectedGood => "rejected-good",
            Self::ServerError => "5xx",
            Self::Hang => "hang",
            Self::NoAnswer => "no-answer",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One case's result on one server.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The case.
    pub case: Case,
    /// The comparison.
    pub outcome: Outcome,
    /// The status, when there was an answer.
    pub status: Option<u16>,
    /// The AWS-style error code in the answer, if any.
    pub code: Option<String>,
    /// What happened, in a few words (the server's message, shortened).
    pub note: String,
}

impl Verdict {
    /// What the server answered, e.g. `403 SignatureDoesNotMatch`, `200`, `hang`.
    pub fn answer(&self) -> String {
        match (self.status, &self.code) {
            (Some(s), Some(c)) => format!("{s} {c}"),
            (Some(s), None) => s.to_string(),
            (None, _) => self.outcome.name().to_owned(),
        }
    }
}

/// Counts per outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Per outcome, in [`Outcome::ALL`] order.
    pub counts: [usize; 7],
}

impl Summary {
    /// Counts `verdicts`.
    pub fn of(verdicts: &[Verdict]) -> Self {
        let mut s = Self::default();
        for v in verdicts {
            if let Some(i) = Outcome::ALL.iter().position(|o| *o == v.outcome) {
                s.counts[i] += 1;
            }
        }
        s
    }

    /// The count of `o`.
    pub fn get(&self, o: Outcome) -> usize {
        Outcome::ALL
            .iter()
            .position(|x| *x == o)
            .map_or(0, |i| self.counts[i])
    }

    /// Every case that is not `agreed`.
    pub fn disagreed(&self) -> usize {
        self.counts.iter().sum::<usize>() - self.get(Outcome::Agreed)
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = Outcome::ALL
            .iter()
            .map(|o| format!("{} {}", self.get(*o), o.name()))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = s.find(open)? + open.len();
    let end = s[start..].find(close)? + start;
    Some(&s[start..end])
}

/// The AWS error code of an answer: `x-amzn-ErrorType`, a JSON `__type` (after `#`) or
/// `code`, or an XML `<Code>`.
pub fn error_code(a: &Answer) -> Option<String> {
    if let Some(t) = a.header("x-amzn-errortype") {
        let t = t.split(':').next().unwrap_or(t).trim();
        if !t.is_empty() {
            return Some(t.rsplit('#').next().unwrap_or(t).to_owned());
        }
    }
    let body = String::from_utf8_lossy(&a.body);
    if let Some(c) = between(&body, "<Code>", "</Code>") {
        return Some(c.trim().to_owned());
    }
    for key in ["\"__type\"", "\"code\"", "\"Code\""] {
        if let Some(rest) = body.find(key).map(|i| &body[i + key.len()..]) {
            if let Some(v) = between(rest, "\"", "\"") {
                return Some(v.rsplit('#').next().unwrap_or(v).to_owned());
            }
        }
    }
    None
}

fn message(a: &Answer) -> String {
    let body = String::from_utf8_lossy(&a.body);
    let m = between(&body, "<Message>", "</Message>")
        .or_else(|| {
            body.find("\"message\"")
                .or_else(|| body.find("\"Message\""))
                .and_then(|i| between(&body[i + 9..], "\"", "\""))
        })
        .unwrap_or("");
    let m: String = m.chars().take(160).collect();
    m.replace('\n', " ")
}

/// Judges what `sent` gave for `case`.
pub fn judge(case: &Case, sent: &Sent) -> Verdict {
    let (outcome, status, code, note) = match sent {
        Sent::Hang(d) => (
            Outcome::Hang,
            None,
            None,
            format!("no answer within {:.1} s", d.as_secs_f64()),
        ),
        Sent::NoAnswer(e) => (Outcome::NoAnswer, None, None, e.clone()),
        Sent::Answer(a) => {
            let code = error_code(a);
            let outcome = match (case.expect, a.status) {
                (_, 500..=599) => Outcome::ServerError,
                (Expect::Accept, 200..=299) => Outcome::Agreed,
                (Expect::Accept, _) => Outcome::RejectedGood,
                (Expect::Reject { .. }, 200..=299) => Outcome::AcceptedBad,
                (Expect::Reject { code: c, status: s }, st) => {
                    if st == s && code.as_deref() == Some(c) {
                        Outcome::Agreed
                    } else {
                        Outcome::OtherCode
                    }
                }
            };
            (outcome, Some(a.status), code, message(a))
        }
    };
    Verdict {
        case: case.clone(),
        outcome,
        status,
        code,
        note,
    }
}
