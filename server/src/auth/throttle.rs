//! Slows down password guessing: after a few failed logins for an account,
//! or from one client address, each further attempt must wait longer
//! (doubling up to five minutes). The failures are kept in the database,
//! so with several replicas a guess counts whichever one it reaches, and a
//! restart does not forget them.

use berth_app::model::Millis;
use std::time::Duration;

use crate::store::{Store, StoreError};

const MAX_DELAY: Duration = Duration::from_secs(300);
/// Failures idle this long are forgotten, which bounds the table.
const FORGET_AFTER: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone)]
pub struct LoginThrottle {
    store: Store,
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
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// How long the caller must still wait before trying, if at all.
    pub async fn wait(&self, keys: &[Key]) -> Result<Option<Duration>, StoreError> {
        self.wait_at(Millis::now(), keys).await
    }

    async fn wait_at(&self, now: Millis, keys: &[Key]) -> Result<Option<Duration>, StoreError> {
        let mut longest = None;
        for key in keys {
            if let Some(f) = self.store.login_failures(&key.name, now.minus(FORGET_AFTER)).await? {
                let ready = f.last.plus(delay(f.failures, key.free));
                if ready > now {
                    longest = longest.max(Some(ready.since(now)));
                }
            }
        }
        Ok(longest)
    }

    pub async fn failed(&self, keys: &[Key]) -> Result<(), StoreError> {
        let now = Millis::now();
        let names: Vec<&str> = keys.iter().map(|k| k.name.as_str()).collect();
        self.store
            .record_login_failure(&names, now, now.minus(FORGET_AFTER))
            .await
    }

    pub async fn succeeded(&self, key: &Key) -> Result<(), StoreError> {
        self.store.clear_login_failures(&key.name).await
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

    #[tokio::test]
    async fn failures_count_per_key_and_success_clears_the_account() {
        let (store, _dir) = crate::store::scratch().await;
        let t = LoginThrottle::new(store);
        let ada = Key::account("Ada@example.org");
        for _ in 0..3 {
            assert_eq!(t.wait(std::slice::from_ref(&ada)).await.unwrap(), None);
            t.failed(std::slice::from_ref(&ada)).await.unwrap();
        }
        t.failed(std::slice::from_ref(&ada)).await.unwrap();
        let wait = t
            .wait(&[Key::account("ada@example.org ")])
            .await
            .unwrap()
            .expect("the fourth failure costs a wait");
        assert!(wait > Duration::from_millis(500) && wait <= Duration::from_secs(1));
        assert_eq!(
            t.wait(&[Key::account("bo@example.org")]).await.unwrap(),
            None,
            "other accounts are not affected"
        );
        let later = Millis::now().plus(FORGET_AFTER + Duration::from_secs(1));
        assert_eq!(
            t.wait_at(later, std::slice::from_ref(&ada)).await.unwrap(),
            None,
            "old failures are forgotten"
        );
        t.succeeded(&ada).await.unwrap();
        assert_eq!(t.wait(&[ada]).await.unwrap(), None);
    }
}
