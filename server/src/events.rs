//! Committed changes, announced so live views (the classroom grid) follow
//! without polling. Services publish after their write commits; the store
//! only stores.
//!
//! On SQLite (one process) the bus is the process's broadcast channel. On
//! PostgreSQL, where several replicas may serve one database, a change goes
//! out as `NOTIFY` (a few bytes of JSON: ids, never documents; only a
//! relayed terminal's output carries more, a few KiB a chunk) and comes
//! back to every replica, this one included, through one `LISTEN`ing
//! connection per process; subscribers read the same channel either way.

use berth_app::model::{ClassroomId, LabId, NodeNumber, UserId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::store::{Database, Store, StoreError};

/// A change to what a classroom shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// Lesson, exercise or quiz progress of this learner.
    Progress { user: UserId },
    /// Someone joined or left this classroom.
    Roster { classroom: ClassroomId },
    /// Someone started or stopped watching a terminal of this lab.
    Watchers { lab: LabId },
    /// Where shells are not kept (gVisor), what a learner's terminal held
    /// by replica `from` printed, passed on to watchers on other replicas:
    /// to every one, or (`to`) to one new watch only, as its catch-up.
    /// `data` is base64; `skipped`: output just before it was dropped.
    Output {
        lab: LabId,
        node: NodeNumber,
        from: String,
        to: Option<i64>,
        data: String,
        skipped: bool,
    },
    /// The connection to the other replicas was lost for a while: changes
    /// may have been missed, so views should start over.
    Missed,
}

/// How many changes a subscriber may fall behind before it is told it
/// lagged (and should reload).
const BACKLOG: usize = 1024;
/// The PostgreSQL notification channel.
const CHANNEL: &str = "berth_changes";
/// How long the listener waits before connecting again after a failure.
const RECONNECT: Duration = Duration::from_secs(1);

#[derive(Clone, Debug)]
pub struct Events {
    sender: broadcast::Sender<Change>,
    /// To the task that sends `NOTIFY`, on PostgreSQL.
    notify: Option<mpsc::UnboundedSender<Change>>,
    /// Stops the listener when the last handle is dropped.
    _listening: Option<Arc<DropGuard>>,
}

impl Default for Events {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BACKLOG).0,
            notify: None,
            _listening: None,
        }
    }
}

impl Events {
    /// The bus for this store: in-process on SQLite, across replicas on
    /// PostgreSQL (`url` is the database's, for the listening connection).
    pub async fn open(store: &Store, url: &str) -> Result<Self, StoreError> {
        if store.database() == Database::Sqlite {
            return Ok(Self::default());
        }
        let mut listener = sqlx::postgres::PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        let sender = broadcast::channel(BACKLOG).0;
        let stop = CancellationToken::new();
        tokio::spawn(listen(listener, sender.clone(), stop.clone()));
        let (notify, outgoing) = mpsc::unbounded_channel();
        tokio::spawn(send_out(store.clone(), outgoing));
        Ok(Self {
            sender,
            notify: Some(notify),
            _listening: Some(Arc::new(stop.drop_guard())),
        })
    }

    /// Announces a committed change. Nobody listening is fine.
    pub fn publish(&self, change: Change) {
        match &self.notify {
            // The sending task outlives every handle, so this cannot fail.
            Some(notify) => {
                let _ = notify.send(change);
            }
            None => {
                let _ = self.sender.send(change);
            }
        }
    }

    /// Changes published from now on. A receiver that falls behind by more
    /// than [`BACKLOG`] is told so (`Lagged`) and should start over.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.sender.subscribe()
    }
}

/// Sends each change as a notification, in order, until every [`Events`]
/// handle is gone. A change that cannot be sent is logged and dropped:
/// the write it announces is committed, and views catch up on reload.
async fn send_out(store: Store, mut outgoing: mpsc::UnboundedReceiver<Change>) {
    while let Some(change) = outgoing.recv().await {
        let payload = serde_json::to_string(&change).expect("a change serialises");
        if let Err(e) = store.notify(CHANNEL, &payload).await {
            tracing::warn!(error = %e, ?change, "announcing a change to the other replicas failed");
        }
    }
}

/// Passes every notification on to this process's subscribers. The
/// connection is made again when it drops; subscribers are then told they
/// may have missed changes.
async fn listen(mut listener: sqlx::postgres::PgListener, sender: broadcast::Sender<Change>, stop: CancellationToken) {
    loop {
        let received = tokio::select! {
            _ = stop.cancelled() => return,
            received = listener.try_recv() => received,
        };
        match received {
            Ok(Some(notification)) => match serde_json::from_str::<Change>(notification.payload()) {
                Ok(change) => {
                    let _ = sender.send(change);
                }
                Err(e) => {
                    tracing::warn!(error = %e, payload = notification.payload(), "an unreadable change notification")
                }
            },
            Ok(None) => {
                tracing::warn!("the connection that hears other replicas' changes dropped; connecting again");
                let _ = sender.send(Change::Missed);
            }
            Err(e) => {
                tracing::warn!(error = %e, "listening for other replicas' changes failed; trying again");
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = tokio::time::sleep(RECONNECT) => {}
                }
            }
        }
    }
}
