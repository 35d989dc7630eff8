//! How often labs may start: per learner and per client address, in any
//! minute. Every start costs the host a container, often a network and the
//! exercises' setup scripts, so a script that starts and stops labs in a
//! loop (from one account, or from many on one address) is told to wait
//! instead of churning the engine. The starts are kept in the database and
//! charged under the admission lock ([`crate::store::Lock::Admission`]), so
//! several replicas count them together and a restart does not forget.
//!
//! Hand-written rather than a rate-limiting crate's: a start must pass both
//! limits before either is charged, so a learner refused for the address's
//! sake keeps their own allowance, which keyed token buckets (charged on
//! every check) do not give.

use std::net::IpAddr;
use std::time::Duration;

use berth_app::model::{Millis, UserId};

use super::LabError;
use crate::store::Store;

/// The span both limits count starts in.
const WINDOW: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Learner(UserId),
    Address(IpAddr),
}

impl Key {
    fn name(self) -> String {
        match self {
            Key::Learner(user) => format!("learner:{user}"),
            Key::Address(address) => format!("address:{address}"),
        }
    }
}

/// Which limit a start met.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Learner,
    Address,
}

/// A start refused: which limit, how many starts it allows a minute, and
/// how long until the next one would pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wait {
    pub limit: Limit,
    pub per_minute: u32,
    pub wait: Duration,
}

impl Wait {
    /// Whole seconds to wait, rounded up (at least 1).
    pub fn seconds(&self) -> u64 {
        self.wait.as_millis().div_ceil(1000).max(1) as u64
    }

    /// What the learner reads.
    pub fn message(&self) -> String {
        let (n, seconds) = (self.per_minute, self.seconds());
        match self.limit {
            Limit::Learner => format!(
                "You started a lab {n} times in the last minute, the most this server allows. \
                 Try again in {seconds} second(s)."
            ),
            Limit::Address => format!(
                "Labs were started {n} times in the last minute from your network address, the most this \
                 server allows. Try again in {seconds} second(s); if your whole class shares one address, \
                 tell your instructor."
            ),
        }
    }
}

#[derive(Debug)]
pub struct StartLimits {
    per_learner: u32,
    per_address: u32,
    store: Store,
}

impl StartLimits {
    /// `0` turns a limit off.
    pub fn new(per_learner: u32, per_address: u32, store: Store) -> Self {
        Self {
            per_learner,
            per_address,
            store,
        }
    }

    /// Charges one start to the learner and to the address (when known),
    /// or says how long to wait if either has had its fill this minute.
    /// Call it holding the admission lock, so no other start is counted
    /// between the check and the charge.
    pub async fn admit(&self, learner: UserId, address: Option<IpAddr>) -> Result<(), LabError> {
        self.admit_at(Millis::now(), learner, address).await
    }

    async fn admit_at(&self, now: Millis, learner: UserId, address: Option<IpAddr>) -> Result<(), LabError> {
        let limits = [
            Some((Key::Learner(learner), Limit::Learner, self.per_learner)),
            address.map(|a| (Key::Address(a), Limit::Address, self.per_address)),
        ];
        let limits: Vec<_> = limits
            .into_iter()
            .flatten()
            .filter(|(_, _, n)| *n > 0)
            .map(|(key, limit, n)| (key.name(), limit, n))
            .collect();
        let since = now.minus(WINDOW);
        let mut refusal: Option<Wait> = None;
        for (key, limit, per_minute) in &limits {
            let recent = self.store.recent_starts(key, since).await?;
            if let Some(oldest) = recent.oldest
                && recent.count >= *per_minute as usize
            {
                let wait = Wait {
                    limit: *limit,
                    per_minute: *per_minute,
                    wait: WINDOW.saturating_sub(now.since(oldest)),
                };
                if refusal.is_none_or(|r| r.wait < wait.wait) {
                    refusal = Some(wait);
                }
            }
        }
        if let Some(wait) = refusal {
            return Err(LabError::TooSoon(wait));
        }
        let keys: Vec<&str> = limits.iter().map(|(key, ..)| key.as_str()).collect();
        // Forgets what left the window, so the table holds the last
        // minute's learners and addresses only.
        self.store.record_start(&keys, now, since).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1)));

    async fn limits(per_learner: u32, per_address: u32) -> (StartLimits, tempfile::TempDir) {
        let (store, dir) = crate::store::scratch().await;
        (StartLimits::new(per_learner, per_address, store), dir)
    }

    fn refused(result: Result<(), LabError>) -> Wait {
        match result {
            Err(LabError::TooSoon(wait)) => wait,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn after(t0: Millis, seconds: u64) -> Millis {
        t0.plus(Duration::from_secs(seconds))
    }

    #[tokio::test]
    async fn a_learner_waits_for_the_oldest_start_to_leave_the_minute() {
        let (limits, _db) = limits(3, 0).await;
        let t0 = Millis::now();
        for i in 0..3 {
            limits.admit_at(after(t0, i * 10), UserId(1), HOME).await.unwrap();
        }
        let wait = refused(limits.admit_at(after(t0, 25), UserId(1), HOME).await);
        assert_eq!(wait.limit, Limit::Learner);
        assert_eq!(wait.wait, Duration::from_secs(35));
        assert_eq!(wait.seconds(), 35);
        assert!(
            wait.message().contains("3 times in the last minute"),
            "{}",
            wait.message()
        );
        assert!(
            limits.admit_at(after(t0, 25), UserId(2), HOME).await.is_ok(),
            "others are not affected"
        );
        assert!(limits.admit_at(after(t0, 60), UserId(1), HOME).await.is_ok());
    }

    #[tokio::test]
    async fn an_address_counts_every_learner_and_refusals_charge_nothing() {
        let (limits, _db) = limits(2, 3).await;
        let t0 = Millis::now();
        for learner in 1..=3 {
            limits.admit_at(t0, UserId(learner), HOME).await.unwrap();
        }
        let wait = refused(limits.admit_at(t0, UserId(4), HOME).await);
        assert_eq!((wait.limit, wait.per_minute), (Limit::Address, 3));
        // Learner 4 was refused for the address's sake and kept both starts:
        // elsewhere they still have them.
        let elsewhere = Some(IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 7)));
        limits.admit_at(t0, UserId(4), elsewhere).await.unwrap();
        limits.admit_at(t0, UserId(4), elsewhere).await.unwrap();
        assert_eq!(
            refused(limits.admit_at(t0, UserId(4), elsewhere).await).limit,
            Limit::Learner
        );
        // Without a known address only the learner's limit applies.
        assert!(limits.admit_at(t0, UserId(5), None).await.is_ok());
    }

    #[tokio::test]
    async fn zero_turns_a_limit_off_and_old_entries_are_forgotten() {
        let (off, _db) = limits(0, 0).await;
        let t0 = Millis::now();
        for _ in 0..100 {
            off.admit_at(t0, UserId(1), HOME).await.unwrap();
        }
        let (limits, _db) = limits(5, 5).await;
        limits.admit_at(t0, UserId(1), HOME).await.unwrap();
        limits.admit_at(t0.plus(WINDOW), UserId(2), None).await.unwrap();
        assert_eq!(
            limits.store.start_records().await.unwrap(),
            1,
            "only learner 2's start is kept"
        );
    }
}
