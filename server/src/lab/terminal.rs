//! The terminal: a WebSocket bridged to a TTY exec in the learner's lab.
//! Binary frames carry raw bytes both ways; text frames carry JSON
//! (`{"type":"resize","cols":80,"rows":24}` from the page,
//! `{"type":"notice","text":"…"}` to it). Output is forwarded only as fast
//! as the browser takes it, so a flood in the lab waits in the lab rather
//! than in the server's memory.

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

use super::Labs;
use crate::auth::CurrentUser;
use crate::state::AppState;

/// Largest message accepted from the page; typing and pasting fit easily.
const MAX_INPUT: usize = 64 * 1024;
/// An open terminal keeps its lab from going idle.
const KEEPALIVE: Duration = Duration::from_secs(30);

pub fn router() -> Router<AppState> {
    Router::new().route("/labs/{lab}/terminal", get(attach))
}

async fn attach(
    State(state): State<AppState>,
    Path(lab_id): Path<String>,
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
    let container = match labs.attachable(user.id, &lab_id).await {
        Ok(Some(container)) => container,
        Ok(None) => return (StatusCode::NOT_FOUND, "you have no running lab at this address\n").into_response(),
        Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, format!("{}\n", e.message())).into_response(),
    };
    match upgrade {
        Ok(upgrade) => upgrade
            .max_message_size(MAX_INPUT)
            .on_upgrade(move |socket| bridge(socket, labs, lab_id, container)),
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

async fn bridge(socket: WebSocket, labs: Arc<Labs>, lab_id: String, container: String) {
    let (mut to_page, mut from_page) = socket.split();
    let runtime = labs.runtime().clone();
    let shell = match runtime.shell(&container).await {
        Ok(shell) => shell,
        Err(e) => {
            let message = super::LabError::from(e).message();
            let _ = to_page.send(notice(&message)).await;
            let _ = to_page.close().await;
            return;
        }
    };
    let (exec, mut output, mut input) = (shell.exec, shell.output, shell.input);
    let mut out_of_memory = runtime.out_of_memory(&container);
    let mut keepalive = tokio::time::interval(KEEPALIVE);
    labs.touch(&lab_id).await;
    let closing = loop {
        tokio::select! {
            chunk = output.next() => match chunk {
                Some(Ok(bytes)) => {
                    if to_page.send(Message::Binary(bytes)).await.is_err() {
                        break None;
                    }
                }
                _ => break Some("the shell ended"),
            },
            message = from_page.next() => match message {
                Some(Ok(Message::Binary(bytes))) => {
                    labs.touch(&lab_id).await;
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
            Some(()) = out_of_memory.next() => {
                let text = "A process in your lab used more memory than the lab allows, so the kernel stopped it.";
                if to_page.send(notice(text)).await.is_err() {
                    break None;
                }
            }
            _ = keepalive.tick() => labs.touch(&lab_id).await,
        }
    };
    if let Some(reason) = closing {
        let _ = to_page
            .send(Message::Close(Some(CloseFrame {
                code: 1000,
                reason: reason.into(),
            })))
            .await;
    }
}
