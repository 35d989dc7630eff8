//! Probes for service managers and load balancers.

use axum::extract::State;
use axum::http::StatusCode;

use crate::state::AppState;

/// The process is up and answering.
pub async fn live() -> &'static str {
    "ok\n"
}

/// The process can do its work: the database answers.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready\n"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}
