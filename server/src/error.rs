//! The one error type HTTP handlers return: internals go to the log, the
//! browser gets a short plain message and the right status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(&'static str),
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
            Error::NotFound(what) => (StatusCode::NOT_FOUND, format!("{what}\n")).into_response(),
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
