//! mock-aws's own endpoints: `GET /_mock-aws/` (a page of the latest verdicts, [`PAGE`]),
//! `GET /_mock-aws/verdicts` (the verdict log as JSON) and `POST /_mock-aws/reset` (forget all
//! state and verdicts).

/// The page at `/_mock-aws/`: one HTML file with inline CSS and JavaScript (no build step, no
/// external asset) that fetches `/_mock-aws/verdicts` every 1.5 s and shows the verdicts newest
/// first, failures in red, with the diagnosis and the server's canonical request and string to
/// sign with spaces, tabs, line ends and non-ASCII characters made visible.
pub const PAGE: &str = include_str!("page.html");

use crate::message::{Request, Response};
use crate::mock_aws::MockAws;
use crate::services::State;

impl MockAws {
    /// Answers a request for an inspection endpoint (see [`crate::routing::is_inspection`]).
    pub(crate) fn inspect(&self, req: &Request) -> Response {
        let (path, _) = req.path_and_query().unwrap_or_default();
        match (req.method.as_str(), path) {
            ("GET", "/_mock-aws/" | "/_mock-aws" | "/_mock-aws/index.html") => Response::new(
                200,
                "text/html; charset=utf-8",
                PAGE,
            )
            .with_header("Cache-Control", "no-store"),
            ("GET", "/_mock-aws/verdicts") => Response::new(
                200,
                "application/json",
                self.verdicts.to_json().to_string(),
            ),
            ("POST", "/_mock-aws/reset") => {
                *self.state.lock().unwrap_or_else(|p| p.into_inner()) = State::default();
                self.verdicts.clear();
                Response::new(200, "application/json", "{\"reset\":true}")
            }
            _ => Response::new(
                404,
                "application/json",
                "{\"error\":\"unknown inspection endpoint; GET /_mock-aws/ (the page), GET /_mock-aws/verdicts or POST /_mock-aws/reset\"}",
            ),
        }
    }
}
