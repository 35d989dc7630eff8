//! `berth serve --watch`, for authors: every edit under the content folder
//! is validated again. A course that loads replaces the one being served
//! (the server restarts in place on the same socket) and open pages reload
//! themselves; a course with problems keeps the last good one serving and
//! shows the problems over every open page until they are fixed.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt;
use notify::{RecursiveMode, Watcher};
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

use crate::config::ServeConfig;
use crate::state::AppState;

/// What open pages are told: which version of the course is served, and
/// the problems of the latest edit, if any.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Status {
    pub generation: u64,
    pub problems: Option<String>,
}

/// Shared by every version of the server while `--watch` runs.
pub struct Live {
    status: watch::Sender<Status>,
    /// Bumped just before a server stops, so its open event streams end
    /// (a graceful shutdown waits for them) and browsers reconnect.
    restarts: watch::Sender<u64>,
}

pub fn router() -> Router<AppState> {
    Router::new().route("/__berth/live", get(events))
}

/// Server-sent events: the current status at once, then each change.
async fn events(State(state): State<AppState>) -> Response {
    let Some(live) = state.live else {
        return (
            StatusCode::NOT_FOUND,
            "live reload is on only with `berth serve --watch`\n",
        )
            .into_response();
    };
    let mut restarts = live.restarts.subscribe();
    restarts.mark_unchanged();
    let ended = async move {
        let _ = restarts.changed().await;
    };
    let updates = updates(live.status.subscribe()).take_until(ended).map(|status| {
        Ok::<_, std::convert::Infallible>(
            Event::default()
                .retry(Duration::from_millis(300))
                .json_data(status)
                .expect("status serialises"),
        )
    });
    Sse::new(updates).keep_alive(KeepAlive::default()).into_response()
}

/// The receiver's current value, then every later one.
fn updates(mut rx: watch::Receiver<Status>) -> impl futures_util::Stream<Item = Status> {
    let first = rx.borrow_and_update().clone();
    futures_util::stream::once(async move { first }).chain(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.changed().await.ok()?;
        let status = rx.borrow_and_update().clone();
        Some((status, rx))
    }))
}

/// Serves `state`, restarting with a freshly prepared server after each
/// edit that loads, until `shutdown` completes.
pub async fn run(
    config: &ServeConfig,
    listener: std::net::TcpListener,
    mut state: AppState,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let live = Arc::new(Live {
        status: watch::Sender::new(Status::default()),
        restarts: watch::Sender::new(0),
    });
    let (changed, mut edits) = mpsc::unbounded_channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| !e.kind.is_access()) {
            let _ = changed.send(());
        }
    })?;
    watcher.watch(&config.content, RecursiveMode::Recursive)?;
    tracing::info!("watching {} for changes", config.content.display());
    tokio::pin!(shutdown);
    loop {
        state.live = Some(live.clone());
        let stopping = state.stopping.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = crate::router::router(state);
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        let server = tokio::spawn(
            axum::serve(tokio::net::TcpListener::from_std(listener.try_clone()?)?, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .into_future(),
        );
        let next = loop {
            tokio::select! {
                _ = &mut shutdown => {
                    live.restarts.send_modify(|n| *n += 1);
                    stopping.cancel();
                    let _ = stop.send(());
                    finish(server).await?;
                    return Ok(());
                }
                Some(()) = edits.recv() => {
                    // Editors write in bursts: wait for the burst to end.
                    tokio::time::sleep(Duration::from_millis(150)).await;
                    while edits.try_recv().is_ok() {}
                    match crate::serve::prepare(config).await {
                        Ok(next) => break next,
                        Err(e) => {
                            let problems = format!("{e:#}");
                            tracing::warn!("the edited course does not load; still serving the last good one:\n{problems}");
                            live.status.send_modify(|s| s.problems = Some(problems));
                        }
                    }
                }
            }
        };
        live.restarts.send_modify(|n| *n += 1);
        stopping.cancel();
        let _ = stop.send(());
        finish(server).await?;
        state = next;
        live.status.send_modify(|s| {
            s.generation += 1;
            s.problems = None;
        });
        tracing::info!("course reloaded");
    }
}

/// How long a server generation's open requests may keep it alive once
/// the next one is ready.
const DRAIN: Duration = Duration::from_secs(2);

/// Waits for a server generation to finish its requests, then drops what
/// is still open: a connection accepted in the moment it was told to stop
/// (a page reconnecting to the live channel) must not hold the reload up.
async fn finish(mut server: tokio::task::JoinHandle<std::io::Result<()>>) -> anyhow::Result<()> {
    match tokio::time::timeout(DRAIN, &mut server).await {
        Ok(finished) => Ok(finished??),
        Err(_) => {
            tracing::warn!("requests still open after {DRAIN:?}; closing them to reload");
            server.abort();
            Ok(())
        }
    }
}
