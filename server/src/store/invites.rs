//! Invite codes for invite-only sign-up.

use berth_app::model::Millis;
use std::time::Duration;

use super::{Store, StoreError};

impl Store {
    pub async fn create_invite(&self, code: &str, uses: u32, valid_for: Duration) -> Result<(), StoreError> {
        let now = Millis::now();
        sqlx::query("INSERT INTO invites (code, uses_left, expires_at, created_at) VALUES ($1, $2, $3, $4)")
            .bind(code)
            .bind(i64::from(uses))
            .bind(now.plus(valid_for).get())
            .bind(now.get())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Uses up one use of a valid code, atomically; `false` for a code that
    /// is unknown, expired or used up.
    pub async fn consume_invite(&self, code: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE invites SET uses_left = uses_left - 1 WHERE code = $1 AND uses_left > 0 AND expires_at > $2",
        )
        .bind(code)
        .bind(Millis::now().get())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
