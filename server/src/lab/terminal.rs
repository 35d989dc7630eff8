//! The terminal: a WebSocket bridged to a client of the node's persistent
//! shell. The shell runs in tmux inside the lab (see
//! [`super::runtime::Runtime::shell`]), so a reload, a dropped connection
//! or a server restart finds it as it was: the page gets the scrollback,
//! then the screen, once each. Binary frames carry raw bytes both ways;
//! text frames carry JSON (`{"type":"resize","cols":80,"rows":24}` from the
//! page, first of all, so the shell is joined at the page's size;
//! `{"type":"notice","text":"…"}` and `{"type":"watchers",…}` to it).
//! Output is forwarded only as fast as the browser takes it, so a flood in
//! the lab waits in the lab rather than in the server's memory.
//!
//! Staff may watch a learner's terminal: a watcher is a read-only tmux
//! client on the same shell, and the server sends nothing a watcher types
//! anywhere. The learner's page is
//! told who is watching: watchers are recorded in the database and
//! announced as [`Change::Watchers`], so a watcher on another replica is
//! named too. Where the runtime cannot keep shells (gVisor as
//! Debian 12 ships it), each terminal is a shell of its own that ends with
//! its connection, and watchers read a copy of its output, a [`WatchFeed`];
//! for watchers on other replicas the copy goes through the event bus
//! ([`Relay`]), only while they watch.

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use bytes::Bytes;
use futures_util::stream::{BoxStream, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::Labs;
use super::runtime::{OutOfMemory, Seat, Shell, TermSize};
use crate::auth::CurrentUser;
use crate::events::{Change, Events};
use crate::state::AppState;
use crate::store::{ReplicaId, WatcherId};
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

/// How long a new terminal waits for the page to say its size.
const FIRST_SIZE: Duration = Duration::from_secs(2);

/// The page's size, which it sends first; anything else that comes first
/// (typing) is kept for the shell. A page that says nothing gets 80×24.
async fn first_size(from_page: &mut SplitStream<WebSocket>) -> (TermSize, Option<Message>) {
    match tokio::time::timeout(FIRST_SIZE, from_page.next()).await {
        Ok(Some(Ok(Message::Text(text)))) => match serde_json::from_str(&text) {
            Ok(Control::Resize { cols, rows }) => (TermSize { cols, rows }, None),
            Err(_) => (TermSize::DEFAULT, None),
        },
        Ok(Some(Ok(message))) => (TermSize::DEFAULT, Some(message)),
        _ => (TermSize::DEFAULT, None),
    }
}

/// Opens a client on the node's shell, or tells the page why not.
async fn join(
    labs: &Labs,
    (lab, node): (&LabId, NodeNumber),
    size: TermSize,
    seat: Seat,
    to_page: &mut futures_util::stream::SplitSink<WebSocket, Message>,
) -> Option<Shell> {
    match labs.runtime().shell(lab, node, size, seat).await {
        Ok(shell) => {
            // A shell that is not kept starts at the engine's size.
            if let Err(e) = labs.runtime().resize(lab, &shell.exec, size).await {
                tracing::debug!(error = %e, "sizing a terminal failed");
            }
            if let Some(client) = &shell.client {
                labs.joined((lab, node), client).await;
            }
            Some(shell)
        }
        Err(e) => {
            let message = super::LabError::from(e).into_user_message();
            let _ = to_page.send(notice(&message)).await;
            let _ = to_page.close().await;
            None
        }
    }
}

fn notice(text: &str) -> Message {
    let json = serde_json::json!({ "type": "notice", "text": text });
    Message::Text(json.to_string().into())
}

async fn bridge(socket: WebSocket, labs: Arc<Labs>, (lab, node): (LabId, NodeNumber), stopping: CancellationToken) {
    let (mut to_page, mut from_page) = socket.split();
    let (size, first) = first_size(&mut from_page).await;
    let runtime = labs.runtime().clone();
    let Some(shell) = join(&labs, (&lab, node), size, Seat::Learner, &mut to_page).await else {
        return;
    };
    let Shell {
        exec,
        client,
        mut output,
        mut input,
    } = shell;
    let mut out_of_memory = runtime.out_of_memory(&lab, node);
    let mut keepalive = tokio::time::interval(KEEPALIVE);
    let feed = labs.watch_feeds().get(&lab, node);
    let mut relay = Relay::new(&lab, node);
    // Subscribed before the first reading, so no change falls between.
    let mut watchers_changed = futures_util::stream::once(std::future::ready(()))
        .chain(watcher_changes(labs.events(), lab.clone()))
        .boxed();
    labs.touch(&lab).await;
    let mut first = first.map(Ok);
    // Typing waits for the shell's first output: until tmux has the
    // terminal, the TTY would echo it before the scrollback.
    let mut started = false;
    let closing = loop {
        tokio::select! {
            chunk = output.next() => match chunk {
                Some(Ok(bytes)) => {
                    started = true;
                    if client.is_none() {
                        feed.publish(&bytes);
                        relay.pass_on(labs.events(), &bytes);
                    }
                    if to_page.send(Message::Binary(bytes)).await.is_err() {
                        break None;
                    }
                }
                _ => break Some(Closing::ShellEnded),
            },
            message = async { match first.take() { Some(m) => Some(m), None => from_page.next().await } }, if started => match message {
                Some(Ok(Message::Binary(bytes))) => {
                    labs.touch(&lab).await;
                    if input.write_all(&bytes).await.is_err() {
                        break Some(Closing::LabStopped);
                    }
                }
                Some(Ok(Message::Text(text))) => {
                    if let Ok(Control::Resize { cols, rows }) = serde_json::from_str(&text)
                        && let Err(e) = runtime.resize(&lab, &exec, TermSize { cols, rows }).await
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
            Some(()) = watchers_changed.next() => {
                let names = match labs.watchers(&lab, node).await {
                    Ok(names) => names,
                    Err(e) => {
                        tracing::warn!(error = %e, %lab, "reading who watches a terminal failed");
                        continue;
                    }
                };
                if client.is_none() {
                    relay.refresh(&labs, &feed).await;
                }
                let json = serde_json::json!({ "type": "watchers", "names": names });
                if to_page.send(Message::Text(json.to_string().into())).await.is_err() {
                    break None;
                }
            }
            _ = keepalive.tick() => labs.touch(&lab).await,
            _ = stopping.cancelled() => break Some(Closing::Restarting),
        }
    };
    match (client, closing) {
        // The client's exec ended: there is nothing to detach.
        (Some(client), Some(Closing::ShellEnded)) => labs.left((&lab, node), &client).await,
        (Some(client), _) => labs.leave((&lab, node), &client).await,
        (None, _) => {}
    }
    // A lab that used too much memory under gVisor ends as a whole, its
    // shell with it, and the engine's word on why comes a moment later:
    // wait that moment so the learner reads why, not only that it ended.
    if closing == Some(Closing::ShellEnded)
        && let Ok(Some(what)) = tokio::time::timeout(OUT_OF_MEMORY_GRACE, out_of_memory.next()).await
    {
        let _ = to_page.send(notice(out_of_memory_text(what))).await;
    }
    if let Some(reason) = closing {
        let _ = to_page.send(reason.frame()).await;
    }
}

/// Why the server closes a terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Closing {
    ShellEnded,
    LabStopped,
    /// The page reconnects after this one (close code 1012, "service
    /// restart"), and finds the same shell.
    Restarting,
}

impl Closing {
    /// The frame that closes the terminal, saying why.
    fn frame(self) -> Message {
        let (code, reason) = match self {
            Closing::ShellEnded => (1000, "the shell ended"),
            Closing::LabStopped => (1000, "the lab stopped"),
            Closing::Restarting => (1012, "the server is restarting"),
        };
        Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }))
    }
}

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

/// Told to a watcher who missed output.
const SKIPPED: &str = "Some output was skipped because it came faster than this view could show it.";

/// How much recent output a new watcher of a shell that is not kept sees
/// first.
const RECENT: usize = 16 * 1024;

/// Fires whenever the watchers of `lab` may have changed (or changes may
/// have been missed); ends only with the event bus.
fn watcher_changes(events: &Events, lab: LabId) -> BoxStream<'static, ()> {
    futures_util::stream::unfold((events.subscribe(), lab), |(mut changes, lab)| async move {
        loop {
            match changes.recv().await {
                Ok(Change::Watchers { lab: of }) if of == lab => break,
                Ok(Change::Missed) | Err(broadcast::error::RecvError::Lagged(_)) => break,
                Ok(_) => {}
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
        Some(((), (changes, lab)))
    })
    .boxed()
}

/// Where shells are not kept, a copy of one lab node's terminal output for
/// those who watch it.
pub struct WatchFeed {
    output: broadcast::Sender<Bytes>,
    recent: Mutex<VecDeque<u8>>,
}

impl WatchFeed {
    fn new() -> Self {
        Self {
            output: broadcast::channel(256).0,
            recent: Mutex::new(VecDeque::with_capacity(RECENT)),
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

    fn recent(&self) -> Vec<u8> {
        self.recent.lock().expect("watch feed lock").iter().copied().collect()
    }

    /// The recent output, then the output as it comes.
    fn follow(&self) -> BoxStream<'static, Message> {
        let recent = self.recent();
        let live = futures_util::stream::unfold(self.output.subscribe(), |mut output| async move {
            let message = match output.recv().await {
                Ok(bytes) => Message::Binary(bytes),
                Err(broadcast::error::RecvError::Lagged(_)) => notice(SKIPPED),
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            Some((message, output))
        });
        futures_util::stream::once(std::future::ready(Message::Binary(recent.into())))
            .chain(live)
            .boxed()
    }
}

/// Output passed on to watchers on other replicas, at most this many
/// bytes a second per terminal: a flood in the lab must not flood the
/// database's notifications.
const RELAY_RATE: usize = 64 * 1024;
/// Bytes per notification: base64 and JSON must stay under PostgreSQL's
/// 8000-byte payload limit.
const RELAY_CHUNK: usize = 4 * 1024;

/// Where shells are not kept, a learner's terminal output passed on to
/// the watchers other replicas serve, through the event bus (PostgreSQL's
/// `NOTIFY`): a new watch first gets the recent output, then every watch
/// what comes. Nothing is sent while nobody watches from elsewhere, so on
/// SQLite (one process) never.
struct Relay {
    lab: LabId,
    node: NodeNumber,
    /// The watches on other replicas, each caught up already.
    watches: Vec<WatcherId>,
    window: std::time::Instant,
    sent: usize,
    skipped: bool,
}

impl Relay {
    fn new(lab: &LabId, node: NodeNumber) -> Self {
        Self {
            lab: lab.clone(),
            node,
            watches: Vec::new(),
            window: std::time::Instant::now(),
            sent: 0,
            skipped: false,
        }
    }

    /// Reads who watches from other replicas; a new watch gets the recent
    /// output.
    async fn refresh(&mut self, labs: &Labs, feed: &WatchFeed) {
        let watches = match labs.watches_elsewhere(&self.lab, self.node).await {
            Ok(watches) => watches,
            Err(e) => {
                tracing::warn!(error = %e, lab = %self.lab, "reading who watches from other replicas failed");
                return;
            }
        };
        let recent = feed.recent();
        let known = std::mem::replace(&mut self.watches, watches.clone());
        for watch in watches.into_iter().filter(|w| !known.contains(w)) {
            self.send(labs.events(), &recent, Some(watch));
        }
    }

    fn pass_on(&mut self, events: &Events, bytes: &[u8]) {
        if self.watches.is_empty() {
            return;
        }
        if self.window.elapsed() >= Duration::from_secs(1) {
            self.window = std::time::Instant::now();
            self.sent = 0;
        }
        if self.sent + bytes.len() > RELAY_RATE {
            self.skipped = true;
            return;
        }
        self.sent += bytes.len();
        self.send(events, bytes, None);
    }

    fn send(&mut self, events: &Events, bytes: &[u8], to: Option<WatcherId>) {
        use base64::Engine;
        for chunk in bytes.chunks(RELAY_CHUNK) {
            events.publish(Change::Output {
                lab: self.lab.clone(),
                node: self.node,
                from: ReplicaId::this_process().to_string(),
                to: to.map(WatcherId::get),
                data: base64::engine::general_purpose::STANDARD.encode(chunk),
                skipped: std::mem::take(&mut self.skipped),
            });
        }
    }
}

/// What [`Relay`]s on other replicas pass on for this watch of a lab node.
fn relayed(
    changes: broadcast::Receiver<Change>,
    (lab, node): (LabId, NodeNumber),
    watch: WatcherId,
) -> BoxStream<'static, Message> {
    use base64::Engine;
    let me = ReplicaId::this_process().to_string();
    futures_util::stream::unfold(changes, move |mut changes| {
        let (lab, me) = (lab.clone(), me.clone());
        async move {
            loop {
                let messages = match changes.recv().await {
                    Ok(Change::Output {
                        lab: of,
                        node: n,
                        from,
                        to,
                        data,
                        skipped,
                    }) if of == lab && n == node && from != me && to.is_none_or(|t| t == watch.get()) => {
                        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) else {
                            continue;
                        };
                        let mut messages = Vec::new();
                        if skipped {
                            messages.push(notice(SKIPPED));
                        }
                        messages.push(Message::Binary(bytes.into()));
                        messages
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => vec![notice(SKIPPED)],
                    Err(broadcast::error::RecvError::Closed) => return None,
                    Ok(_) => continue,
                };
                return Some((futures_util::stream::iter(messages), changes));
            }
        }
    })
    .flatten()
    .boxed()
}

/// The output copies of every lab node, by lab and node.
#[derive(Default)]
pub struct WatchFeeds(Mutex<HashMap<(LabId, NodeNumber), Arc<WatchFeed>>>);

impl WatchFeeds {
    pub fn get(&self, lab: &LabId, node: NodeNumber) -> Arc<WatchFeed> {
        let mut all = self.0.lock().expect("watch feeds lock");
        all.entry((lab.clone(), node))
            .or_insert_with(|| Arc::new(WatchFeed::new()))
            .clone()
    }

    /// Forgets every node's output copy of a lab that ended.
    pub fn remove_lab(&self, lab: &LabId) {
        self.0.lock().expect("watch feeds lock").retain(|(id, _), _| id != lab);
    }
}

/// Shows a lab node's shell to a watcher, read-only: a read-only tmux
/// client (or, where shells are not kept, the copy of the learner's
/// output); what the watcher types is answered with a notice and goes
/// nowhere.
pub async fn watch_terminal(
    socket: WebSocket,
    labs: Arc<Labs>,
    (lab, node): (LabId, NodeNumber),
    watcher: String,
    stopping: CancellationToken,
) {
    let (mut to_page, mut from_page) = socket.split();
    let (size, _) = first_size(&mut from_page).await;
    let feed = labs.watch_feeds().get(&lab, node);
    // Before the watch is recorded, so its catch-up from another replica
    // is not missed.
    let changes = labs.events().subscribe();
    let kept = match labs.runtime().keeps_shells(&lab, node).await {
        Ok(kept) => kept,
        Err(e) => {
            let message = super::LabError::from(e).into_user_message();
            let _ = to_page.send(notice(&message)).await;
            return;
        }
    };
    // The input of a watcher's client is held, never written to (and the
    // client is read-only anyway): closing it could end the exec.
    let (exec, client, mut output, _input) = if kept {
        let Some(shell) = join(&labs, (&lab, node), size, Seat::Watcher, &mut to_page).await else {
            return;
        };
        let output = shell
            .output
            .take_while(|chunk| std::future::ready(chunk.is_ok()))
            .filter_map(|chunk| std::future::ready(chunk.ok().map(Message::Binary)))
            .boxed();
        (Some(shell.exec), shell.client, output, Some(shell.input))
    } else {
        (None, None, feed.follow(), None)
    };
    let watch = match labs.start_watching(&lab, node, &watcher).await {
        Ok(watch) => watch,
        Err(e) => {
            // Nobody watches unseen: the learner must be told.
            let _ = to_page.send(notice(&e.into_user_message())).await;
            return;
        }
    };
    if !kept {
        output = futures_util::stream::select(output, relayed(changes, (lab.clone(), node), watch)).boxed();
    }
    const READ_ONLY: &str = "This view is read-only: what you type is not sent to the learner's lab.";
    let closing = loop {
        tokio::select! {
            message = output.next() => match message {
                Some(message) => {
                    if to_page.send(message).await.is_err() {
                        break None;
                    }
                }
                None => break Some(Closing::ShellEnded),
            },
            message = from_page.next() => match message {
                Some(Ok(Message::Binary(_))) => {
                    if to_page.send(notice(READ_ONLY)).await.is_err() {
                        break None;
                    }
                }
                Some(Ok(Message::Text(text))) => {
                    if let Ok(Control::Resize { cols, rows }) = serde_json::from_str(&text)
                        && let Some(exec) = &exec
                        && let Err(e) = labs.runtime().resize(&lab, exec, TermSize { cols, rows }).await
                    {
                        tracing::debug!(error = %e, "resizing a watcher's terminal failed");
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break None,
                Some(Ok(_)) => {}
            },
            _ = stopping.cancelled() => break Some(Closing::Restarting),
        }
    };
    if let Err(e) = labs.stop_watching(&lab, watch).await {
        tracing::warn!(error = %e, %lab, "recording the end of a watch failed; the learner's page names the watcher until the lab ends");
    }
    if let Some(client) = client {
        labs.leave((&lab, node), &client).await;
    }
    if let Some(reason) = closing {
        let _ = to_page.send(reason.frame()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything published on an in-process bus, as the relay sent it.
    fn sent(changes: &mut broadcast::Receiver<Change>) -> Vec<(Option<i64>, usize, bool)> {
        use base64::Engine;
        let mut sent = Vec::new();
        while let Ok(Change::Output { to, data, skipped, .. }) = changes.try_recv() {
            let bytes = base64::engine::general_purpose::STANDARD.decode(data).unwrap();
            sent.push((to, bytes.len(), skipped));
        }
        sent
    }

    #[test]
    fn the_relay_sends_only_to_watchers_elsewhere_in_chunks_and_within_its_rate() {
        let events = Events::default();
        let mut changes = events.subscribe();
        let mut relay = Relay::new(&LabId::new("lab"), 1);
        relay.pass_on(&events, b"nobody watches from elsewhere");
        assert!(sent(&mut changes).is_empty());

        relay.watches = vec![WatcherId::from_raw(7)];
        relay.send(&events, &[b'x'; RELAY_CHUNK + 10], Some(WatcherId::from_raw(7)));
        assert_eq!(
            sent(&mut changes),
            [(Some(7), RELAY_CHUNK, false), (Some(7), 10, false)],
            "a catch-up for one watch, in chunks that fit a notification"
        );
        let mut passed = 0;
        while passed + 1000 <= RELAY_RATE {
            relay.pass_on(&events, &[b'y'; 1000]);
            passed += 1000;
        }
        relay.pass_on(&events, &[b'z'; 1000]);
        let within = sent(&mut changes);
        assert_eq!(within.len(), RELAY_RATE / 1000, "the second's budget, then nothing");
        assert!(
            within
                .iter()
                .all(|&(to, n, skipped)| to.is_none() && n == 1000 && !skipped)
        );
        relay.window -= Duration::from_secs(1);
        relay.pass_on(&events, b"later");
        assert_eq!(
            sent(&mut changes),
            [(None, 5, true)],
            "the next second says output was skipped"
        );
    }
}
