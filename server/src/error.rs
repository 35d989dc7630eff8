//! The one error type HTTP handlers return. Internal failures keep their
//! source chain and are logged here, once, as the response is made; the
//! browser gets a short plain message and the right status. A refused form
//! goes back to its page with the problem named in the address.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use berth_app::error::FormProblem;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("log in first")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{0}")]
    BadRequest(&'static str),
    /// Was valid once, no longer is (an expired or used-up code).
    #[error("{0}")]
    Gone(&'static str),
    /// A message fit for the user, already logged where it arose.
    #[error("{0}")]
    Unavailable(String),
    /// Back to the form at `page`, which explains `problem`.
    #[error("{problem} (back to {page})")]
    Form {
        page: String,
        problem: FormProblem,
        /// Fields worth keeping on the way back (empty ones are left out).
        keep: Vec<(&'static str, String)>,
    },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("the session store failed: {0}")]
    Session(#[from] tower_sessions::session::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// Back to the form at `page` with `problem`.
    pub fn form(page: impl Into<String>, problem: FormProblem) -> Self {
        Self::Form {
            page: page.into(),
            problem,
            keep: Vec::new(),
        }
    }

    /// Keeps a field's value on the way back to the form.
    pub fn keeping(mut self, field: &'static str, value: &str) -> Self {
        if let Self::Form { keep, .. } = &mut self
            && !value.is_empty()
        {
            keep.push((field, value.to_string()));
        }
        self
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let plain = |status: StatusCode, text: &str| (status, format!("{text}\n")).into_response();
        match self {
            Error::Unauthorized => plain(StatusCode::UNAUTHORIZED, "log in first"),
            Error::Forbidden(why) => plain(StatusCode::FORBIDDEN, why),
            Error::NotFound(what) => plain(StatusCode::NOT_FOUND, what),
            Error::BadRequest(why) => plain(StatusCode::BAD_REQUEST, why),
            Error::Gone(why) => plain(StatusCode::GONE, why),
            Error::Unavailable(why) => plain(StatusCode::SERVICE_UNAVAILABLE, &why),
            Error::Form { page, problem, keep } => {
                let mut query = form_urlencoded::Serializer::new(String::new());
                query.append_pair("error", problem.as_str());
                for (field, value) in &keep {
                    query.append_pair(field, value);
                }
                Redirect::to(&format!("{page}?{}", query.finish())).into_response()
            }
            internal @ (Error::Store(_) | Error::Session(_) | Error::Internal(_)) => {
                // `{:#}` shows an anyhow error's whole chain of causes; the
                // others name their cause in their own message.
                tracing::error!(error = format!("{internal:#}"), "a request failed");
                plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "something went wrong on the server; your last action may not have been saved. Try again shortly.",
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_form_goes_back_with_its_problem_and_kept_fields() {
        let response = Error::form("/signup", FormProblem::Email)
            .keeping("invite", "abc def")
            .keeping("join", "")
            .into_response();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()["location"], "/signup?error=email&invite=abc+def");
    }

    #[test]
    fn logs_show_the_whole_chain() {
        let e = Error::Internal(anyhow::Error::new(std::io::Error::other("disk full")).context("writing the export"));
        assert_eq!(format!("{e:#}"), "writing the export: disk full");
    }
}
