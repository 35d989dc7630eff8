//! The terminal: a WebSocket bridged to a TTY exec in the learner's lab.
//! Binary frames carry raw bytes both ways; text frames carry JSON
//! (`{"type":"resize","cols":80,"rows":24}` from the page,
//! `{"type":"notice","text":"…"}` to it). Output is forwarded only as fast
//! as the browser takes it, so a flood in the lab waits in the lab rather
//! than in the server's memory.
//!
//! Staff may watch a learner's terminal: everything the learner's shells
//! print is copied to a [`WatchFeed`], which watchers read and can never write
//! to (they get no handle on the lab's input at all). The learner's page is
//! told who is watching.

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

use super::Labs;
use super::runtime::OutOfMemory;
use crate::auth::CurrentUser;
use crate::state::AppState;
use berth_app::model::{LabId, NodeNumber};

/// Largest message accepted from the page; typing and pasting fit easily.
const MAX_INPUT: usize = 64 * 1024;
/// An open terminal keeps its lab from going idle.
const KEEPALIVE: Duration = Duration::from_secs(30);

pub fn router() -> Router<AppState> {
    Router::new().route("/labs/{lab}/terminal", get(attach))
}

/// Which node's shell a terminal opens (`?node=2`); node 1 by default.
#[derive(Deserialize)]
struct Node {
    node: Option<u8>,
}

async fn attach(
    State(state): State<AppState>,
    Path(lab): Path<LabId>,
    Query(Node { node }): Query<Node>,
    headers: HeaderMap,
    user: Option<Extension<CurrentUser>>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Some(Extension(CurrentUser(user))) = user else {
        return (StatusCode::UNAUTHORIZED, "log in first\n").into_response();
    };
    if !crate::security::origin_is_host(&headers) {
        return (
            StatusCode::FORBIDDEN,
            "cross-site WebSocket refused: open the lab from a Berth page on this server\n",
        )
            .into_response();
    }
    let labs = state.labs.clone();
    let node = node.unwrap_or(1);
    match labs.attachable(user.id, &lab, node).await {
        Ok(true) => {}
        Ok(false) => {
            return (
                StatusCode::NOT_FOUND,
                "you have no running lab (or no such node) at this address\n",
            )
                .into_response();
        }
        Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, format!("{}\n", e.into_user_message())).into_response(),
    };
    match upgrade {
        Ok(upgrade) => {
            let stopping = state.stopping.clone();
            upgrade
                .max_message_size(MAX_INPUT)
                .on_upgrade(move |socket| bridge(socket, labs, (lab, node), stopping))
        }
        Err(rejection) => rejection.into_response(),
    }
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Control {
    Resize { cols: u16, rows: u16 },
}

fn notice(text: &str) -> Message {
    let json = serde_json::json!({ "type": "notice", "text": text });
    Message::Text(json.to_string().into())
}

async fn bridge(socket: WebSocket, labs: Arc<Labs>, (lab, node): (LabId, NodeNumber), stopping: CancellationToken) {
    let (mut to_page, mut from_page) = socket.split();
    let runtime = labs.runtime().clone();
    let shell = match runtime.shell(&lab, node).await {
        Ok(shell) => shell,
        Err(e) => {
            let message = super::LabError::from(e).into_user_message();
            let _ = to_page.send(notice(&message)).await;
            let _ = to_page.close().await;
            return;
        }
    };
    let (exec, mut output, mut input) = (shell.exec, shell.output, shell.input);
    let mut out_of_memory = runtime.out_of_memory(&lab, node);
    let mut keepalive = tokio::time::interval(KEEPALIVE);
    let feed = labs.watch_feeds().get(&lab, node);
    let mut watchers = feed.watchers.subscribe();
    watchers.mark_changed();
    labs.touch(&lab).await;
    let closing = loop {
        tokio::select! {
            chunk = output.next() => match chunk {
                Some(Ok(bytes)) => {
                    feed.publish(&bytes);
                    if to_page.send(Message::Binary(bytes)).await.is_err() {
                        break None;
                    }
                }
                _ => break Some(SHELL_ENDED),
            },
            message = from_page.next() => match message {
                Some(Ok(Message::Binary(bytes))) => {
                    labs.touch(&lab).await;
                    if input.write_all(&bytes).await.is_err() {
                        break Some("the lab stopped");
                    }
                }
                Some(Ok(Message::Text(text))) => {
                    if let Ok(Control::Resize { cols, rows }) = serde_json::from_str(&text)
                        && let Err(e) = runtime.resize(&exec, cols.clamp(2, 500), rows.clamp(1, 200)).await
                    {
                        tracing::debug!(error = %e, "resizing a terminal failed");
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break None,
                Some(Ok(_)) => {}
            },
            Some(what) = out_of_memory.next() => {
                if to_page.send(notice(out_of_memory_text(what))).await.is_err() {
                    break None;
                }
            }
            Ok(()) = watchers.changed() => {
                let names = watchers.borrow_and_update().clone();
                let json = serde_json::json!({ "type": "watchers", "names": names });
                if to_page.send(Message::Text(json.to_string().into())).await.is_err() {
                    break None;
                }
            }
            _ = keepalive.tick() => labs.touch(&lab).await,
            _ = stopping.cancelled() => break Some("the server is restarting; reload the page in a moment"),
        }
    };
    // A lab that used too much memory under gVisor ends as a whole, its
    // shell with it, and the engine's word on why comes a moment later:
    // wait that moment so the learner reads why, not only that it ended.
    if closing == Some(SHELL_ENDED)
        && let Ok(Some(what)) = tokio::time::timeout(OUT_OF_MEMORY_GRACE, out_of_memory.next()).await
    {
        let _ = to_page.send(notice(out_of_memory_text(what))).await;
    }
    if let Some(reason) = closing {
        let _ = to_page
            .send(Message::Close(Some(CloseFrame {
                code: 1000,
                reason: reason.into(),
            })))
            .await;
    }
}

const SHELL_ENDED: &str = "the shell ended";

/// How long a terminal whose shell ended waits to hear that memory ended it.
const OUT_OF_MEMORY_GRACE: Duration = Duration::from_secs(3);

fn out_of_memory_text(what: OutOfMemory) -> &'static str {
    match what {
        OutOfMemory::Process => "A process in your lab used more memory than the lab allows, so the kernel stopped it.",
        OutOfMemory::Lab => {
            "Your lab used more memory than the lab allows, so the whole lab was stopped. \
             Press Reset to start a fresh one."
        }
    }
}

/// How much recent output a new watcher sees first.
const RECENT: usize = 16 * 1024;

/// One lab node's terminal output, copied for watchers.
pub struct WatchFeed {
    output: broadcast::Sender<Bytes>,
    recent: Mutex<VecDeque<u8>>,
    /// Who is watching, as the learner's page names them.
    watchers: watch::Sender<Vec<String>>,
}

impl WatchFeed {
    fn new() -> Self {
        Self {
            output: broadcast::channel(256).0,
            recent: Mutex::new(VecDeque::with_capacity(RECENT)),
            watchers: watch::Sender::new(Vec::new()),
        }
    }

    fn publish(&self, bytes: &Bytes) {
        let mut recent = self.recent.lock().expect("watch feed lock");
        recent.extend(bytes.iter().copied());
        let excess = recent.len().saturating_sub(RECENT);
        recent.drain(..excess);
        // Without watchers there is no receiver, which is fine.
        let _ = self.output.send(bytes.clone());
    }
}

/// The feeds of all labs with a terminal open, by lab and node.
#[derive(Default)]
pub struct WatchFeeds(Mutex<HashMap<(LabId, NodeNumber), Arc<WatchFeed>>>);

impl WatchFeeds {
    pub fn get(&self, lab: &LabId, node: NodeNumber) -> Arc<WatchFeed> {
        let mut all = self.0.lock().expect("watch feeds lock");
        all.entry((lab.clone(), node))
            .or_insert_with(|| Arc::new(WatchFeed::new()))
            .clone()
    }

    /// Forgets every node's feed of a lab that ended.
    pub fn remove_lab(&self, lab: &LabId) {
        self.0.lock().expect("watch feeds lock").retain(|(id, _), _| id != lab);
    }
}

/// Streams a lab's terminal to a watcher, read-only: input from the
/// watcher's side is answered with a notice and goes nowhere.
pub async fn watch_terminal(socket: WebSocket, feed: Arc<WatchFeed>, watcher: String, stopping: CancellationToken) {
    let (mut to_page, mut from_page) = socket.split();
    let mut output = feed.output.subscribe();
    let recent: Vec<u8> = feed.recent.lock().expect("watch feed lock").iter().copied().collect();
    feed.watchers.send_modify(|w| w.push(watcher.clone()));
    const READ_ONLY: &str = "This view is read-only: what you type is not sent to the learner's lab.";
    const SKIPPED: &str = "Some output was skipped because it came faster than this view could show it.";
    let mut open = to_page.send(Message::Binary(recent.into())).await.is_ok();
    while open {
        open = tokio::select! {
            chunk = output.recv() => match chunk {
                Ok(bytes) => to_page.send(Message::Binary(bytes)).await.is_ok(),
                Err(broadcast::error::RecvError::Lagged(_)) => to_page.send(notice(SKIPPED)).await.is_ok(),
                Err(broadcast::error::RecvError::Closed) => false,
            },
            message = from_page.next() => match message {
                Some(Ok(Message::Binary(_))) => to_page.send(notice(READ_ONLY)).await.is_ok(),
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => false,
                Some(Ok(_)) => true,
            },
            _ = stopping.cancelled() => false,
        };
    }
    feed.watchers.send_modify(|w| {
        if let Some(i) = w.iter().position(|name| name == &watcher) {
            w.remove(i);
        }
    });
}
