//! Slows down password guessing: after a few failed logins for an account,
//! or from one client address, each further attempt must wait longer
//! (doubling up to five minutes). Kept in memory: a restart forgets, which
//! costs an attacker a restart they cannot cause.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MAX_DELAY: Duration = Duration::from_secs(300);
/// Entries idle this long are dropped, which bounds memory.
const FORGET_AFTER: Duration = Duration::from_secs(3600);

#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// What is being throttled, with how many failures are free.
#[derive(Debug, Clone)]
pub struct Key {
    name: String,
    free: u32,
}

impl Key {
    /// Per account (the email as typed, normalised, whether or not an
    /// account exists, so the answer never tells).
    pub fn account(email: &str) -> Self {
        Self {
            name: format!("account:{}", email.trim().to_lowercase()),
            free: 3,
        }
    }

    /// Per client address: more lenient, since a classroom may share one.
    pub fn client(addr: std::net::IpAddr) -> Self {
        Self {
            name: format!("client:{addr}"),
            free: 20,
        }
    }
}

impl LoginThrottle {
    /// How long the caller must still wait before trying, if at all.
    pub fn wait(&self, keys: &[Key]) -> Option<Duration> {
        let now = Instant::now();
        let failures = self.failures.lock().expect("throttle lock");
        keys.iter()
            .filter_map(|k| {
                let f = failures.get(&k.name)?;
                let ready = f.last + delay(f.count, k.free);
                (ready > now).then(|| ready - now)
            })
            .max()
    }

    pub fn failed(&self, keys: &[Key]) {
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("throttle lock");
        failures.retain(|_, f| now.duration_since(f.last) < FORGET_AFTER);
        for k in keys {
            let f = failures
                .entry(k.name.clone())
                .or_insert(Failures { count: 0, last: now });
            f.count += 1;
            f.last = now;
        }
    }

    pub fn succeeded(&self, key: &Key) {
        self.failures.lock().expect("throttle lock").remove(&key.name);
    }
}

/// No delay for the first `free` failures, then 1 s, 2 s, 4 s, ...
fn delay(count: u32, free: u32) -> Duration {
    match count.checked_sub(free) {
        None | Some(0) => Duration::ZERO,
        Some(n) => Duration::from_secs(1u64 << (n - 1).min(16)).min(MAX_DELAY),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_the_free_attempts() {
        assert_eq!(delay(3, 3), Duration::ZERO);
        assert_eq!(delay(4, 3), Duration::from_secs(1));
        assert_eq!(delay(6, 3), Duration::from_secs(4));
        assert_eq!(delay(40, 3), MAX_DELAY);
    }

    #[test]
    fn failures_count_per_key_and_success_clears_the_account() {
        let t = LoginThrottle::default();
        let ada = Key::account("Ada@example.org");
        for _ in 0..3 {
            assert_eq!(t.wait(std::slice::from_ref(&ada)), None);
            t.failed(std::slice::from_ref(&ada));
        }
        t.failed(std::slice::from_ref(&ada));
        let wait = t
            .wait(&[Key::account("ada@example.org ")])
            .expect("the fourth failure costs a wait");
        assert!(wait > Duration::from_millis(500) && wait <= Duration::from_secs(1));
        assert_eq!(
            t.wait(&[Key::account("bo@example.org")]),
            None,
            "other accounts are not affected"
        );
        t.succeeded(&ada);
        assert_eq!(t.wait(&[ada]), None);
    }
}
