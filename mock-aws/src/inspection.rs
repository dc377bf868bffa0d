//! mock-aws's own endpoints: `GET /_mock-aws/verdicts` (the verdict log) and
//! `POST /_mock-aws/reset` (forget all state and verdicts).

use crate::message::{Request, Response};
use crate::mock_aws::MockAws;
use crate::services::State;

impl MockAws {
    /// Answers a request for an inspection endpoint (see [`crate::routing::is_inspection`]).
    pub(crate) fn inspect(&self, req: &Request) -> Response {
        let (path, _) = req.path_and_query().unwrap_or_default();
        match (req.method.as_str(), path) {
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
                "{\"error\":\"unknown inspection endpoint; GET /_mock-aws/verdicts or POST /_mock-aws/reset\"}",
            ),
        }
    }
}
