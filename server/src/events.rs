//! Committed changes, announced so live views (the classroom grid) follow
//! without polling. Services publish after their write commits; the store
//! only stores.
//!
//! Today the bus is one process's broadcast channel. With several replicas
//! it is where they meet (PostgreSQL `LISTEN`/`NOTIFY` carries [`Change`]
//! as JSON): publishers and subscribers keep this interface.

use berth_app::model::{ClassroomId, UserId};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// A change to what a classroom shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// Lesson, exercise or quiz progress of this learner.
    Progress { user: UserId },
    /// Someone joined or left this classroom.
    Roster { classroom: ClassroomId },
}

/// How many changes a subscriber may fall behind before it is told it
/// lagged (and should reload).
const BACKLOG: usize = 1024;

#[derive(Clone, Debug)]
pub struct Events {
    sender: broadcast::Sender<Change>,
}

impl Default for Events {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BACKLOG).0,
        }
    }
}

impl Events {
    /// Announces a committed change. Nobody listening is fine.
    pub fn publish(&self, change: Change) {
        let _ = self.sender.send(change);
    }

    /// Changes published from now on. A receiver that falls behind by more
    /// than [`BACKLOG`] is told so (`Lagged`) and should start over.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.sender.subscribe()
    }
}
