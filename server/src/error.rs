//! The one error type HTTP handlers return: internals go to the log, the
//! browser gets a short plain message and the right status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

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
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match self {
            Error::Unauthorized => (StatusCode::UNAUTHORIZED, "log in first\n").into_response(),
            Error::Forbidden(why) => (StatusCode::FORBIDDEN, format!("{why}\n")).into_response(),
            Error::NotFound(what) => (StatusCode::NOT_FOUND, format!("{what}\n")).into_response(),
            Error::BadRequest(why) => (StatusCode::BAD_REQUEST, format!("{why}\n")).into_response(),
            Error::Gone(why) => (StatusCode::GONE, format!("{why}\n")).into_response(),
            Error::Unavailable(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")).into_response(),
            Error::Store(e) => {
                tracing::error!(error = %e, "a request failed in the database");
                unavailable()
            }
            Error::Internal(e) => {
                tracing::error!(error = %e, "a request failed");
                unavailable()
            }
        }
    }
}

fn unavailable() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "something went wrong on the server; your last action may not have been saved. Try again shortly.\n",
    )
        .into_response()
}
