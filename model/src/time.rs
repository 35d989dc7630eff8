//! One time unit for everything stored and compared: milliseconds since the
//! Unix epoch, UTC.

use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A moment, in milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Millis(pub i64);

impl Millis {
    pub fn now() -> Self {
        Self(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0),
        )
    }

    pub fn get(self) -> i64 {
        self.0
    }

    pub fn plus(self, d: Duration) -> Self {
        Self(self.0.saturating_add(d.as_millis() as i64))
    }

    pub fn minus(self, d: Duration) -> Self {
        Self(self.0.saturating_sub(d.as_millis() as i64))
    }

    /// How long after `earlier` this is; zero if it is not after.
    pub fn since(self, earlier: Millis) -> Duration {
        Duration::from_millis((self.0 - earlier.0).max(0) as u64)
    }

    /// Whole seconds from `now` until this moment, never below zero.
    pub fn seconds_after(self, now: Millis) -> i64 {
        (self.0 - now.0).max(0) / 1000
    }
}

/// Whole minutes, rounded up: "in 1 minute" rather than "in 0".
pub fn minutes_ceil(d: Duration) -> u64 {
    d.as_millis().div_ceil(60_000) as u64
}

pub const MINUTE: Duration = Duration::from_secs(60);
pub const DAY: Duration = Duration::from_secs(86_400);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_compare_and_measure_in_milliseconds() {
        let t = Millis(1_000);
        assert_eq!(t.plus(MINUTE), Millis(61_000));
        assert_eq!(Millis(61_000).since(t), MINUTE);
        assert_eq!(t.since(Millis(61_000)), Duration::ZERO);
        assert_eq!(Millis(61_500).seconds_after(t), 60);
        assert_eq!(minutes_ceil(Duration::from_millis(60_001)), 2);
        assert_eq!(minutes_ceil(Duration::ZERO), 0);
    }
}
