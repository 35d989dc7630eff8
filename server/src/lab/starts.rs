//! How often labs may start: per learner and per client address, in any
//! minute. Every start costs the host a container, often a network and the
//! exercises' setup scripts, so a script that starts and stops labs in a
//! loop (from one account, or from many on one address) is told to wait
//! instead of churning the engine. Kept in memory, like the login
//! throttle: a restart forgets, which costs an attacker a restart they
//! cannot cause.
//!
//! Hand-written rather than a rate-limiting crate's: a start must pass both
//! limits before either is charged, so a learner refused for the address's
//! sake keeps their own allowance, which keyed token buckets (charged on
//! every check) do not give.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use berth_app::model::UserId;

/// The span both limits count starts in.
const WINDOW: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Learner(UserId),
    Address(IpAddr),
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
    /// When each key's starts of the last minute happened, oldest first.
    starts: Mutex<HashMap<Key, VecDeque<Instant>>>,
}

impl StartLimits {
    /// `0` turns a limit off.
    pub fn new(per_learner: u32, per_address: u32) -> Self {
        Self {
            per_learner,
            per_address,
            starts: Mutex::default(),
        }
    }

    /// Charges one start to the learner and to the address (when known),
    /// or says how long to wait if either has had its fill this minute.
    pub fn admit(&self, learner: UserId, address: Option<IpAddr>) -> Result<(), Wait> {
        self.admit_at(Instant::now(), learner, address)
    }

    fn admit_at(&self, now: Instant, learner: UserId, address: Option<IpAddr>) -> Result<(), Wait> {
        let limits = [
            Some((Key::Learner(learner), Limit::Learner, self.per_learner)),
            address.map(|a| (Key::Address(a), Limit::Address, self.per_address)),
        ];
        let limits: Vec<_> = limits.into_iter().flatten().filter(|(_, _, n)| *n > 0).collect();
        let mut starts = self.starts.lock().expect("start limits lock");
        // Forget what left the window, so memory follows the last minute's
        // learners and addresses only.
        starts.retain(|_, times| {
            while times.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
                times.pop_front();
            }
            !times.is_empty()
        });
        let refusal = limits
            .iter()
            .filter_map(|(key, limit, per_minute)| {
                let times = starts.get(key)?;
                let oldest = *times.front()?;
                (times.len() >= *per_minute as usize).then(|| Wait {
                    limit: *limit,
                    per_minute: *per_minute,
                    wait: WINDOW - now.duration_since(oldest),
                })
            })
            .max_by_key(|w| w.wait);
        if let Some(wait) = refusal {
            return Err(wait);
        }
        for (key, ..) in limits {
            starts.entry(key).or_default().push_back(now);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1)));

    #[test]
    fn a_learner_waits_for_the_oldest_start_to_leave_the_minute() {
        let limits = StartLimits::new(3, 0);
        let t0 = Instant::now();
        for i in 0..3 {
            limits
                .admit_at(t0 + Duration::from_secs(i * 10), UserId(1), HOME)
                .unwrap();
        }
        let wait = limits
            .admit_at(t0 + Duration::from_secs(25), UserId(1), HOME)
            .unwrap_err();
        assert_eq!(wait.limit, Limit::Learner);
        assert_eq!(wait.wait, Duration::from_secs(35));
        assert_eq!(wait.seconds(), 35);
        assert!(
            wait.message().contains("3 times in the last minute"),
            "{}",
            wait.message()
        );
        assert!(
            limits.admit_at(t0 + Duration::from_secs(25), UserId(2), HOME).is_ok(),
            "others are not affected"
        );
        assert!(limits.admit_at(t0 + Duration::from_secs(60), UserId(1), HOME).is_ok());
    }

    #[test]
    fn an_address_counts_every_learner_and_refusals_charge_nothing() {
        let limits = StartLimits::new(2, 3);
        let t0 = Instant::now();
        for learner in 1..=3 {
            limits.admit_at(t0, UserId(learner), HOME).unwrap();
        }
        let wait = limits.admit_at(t0, UserId(4), HOME).unwrap_err();
        assert_eq!((wait.limit, wait.per_minute), (Limit::Address, 3));
        // Learner 4 was refused for the address's sake and kept both starts:
        // elsewhere they still have them.
        let elsewhere = Some(IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 7)));
        limits.admit_at(t0, UserId(4), elsewhere).unwrap();
        limits.admit_at(t0, UserId(4), elsewhere).unwrap();
        assert_eq!(
            limits.admit_at(t0, UserId(4), elsewhere).unwrap_err().limit,
            Limit::Learner
        );
        // Without a known address only the learner's limit applies.
        assert!(limits.admit_at(t0, UserId(5), None).is_ok());
    }

    #[test]
    fn zero_turns_a_limit_off_and_old_entries_are_forgotten() {
        let limits = StartLimits::new(0, 0);
        let t0 = Instant::now();
        for _ in 0..100 {
            limits.admit_at(t0, UserId(1), HOME).unwrap();
        }
        let limits = StartLimits::new(5, 5);
        limits.admit_at(t0, UserId(1), HOME).unwrap();
        limits.admit_at(t0 + WINDOW, UserId(2), None).unwrap();
        assert_eq!(limits.starts.lock().unwrap().len(), 1, "only learner 2's start is kept");
    }
}
