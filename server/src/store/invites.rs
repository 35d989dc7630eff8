//! Invite codes for invite-only sign-up.

use super::{Store, StoreError, unix_now};

impl Store {
    pub async fn create_invite(&self, code: &str, uses: u32, valid_for_secs: i64) -> Result<(), StoreError> {
        let now = unix_now();
        sqlx::query("INSERT INTO invites (code, uses_left, expires_at, created_at) VALUES ($1, $2, $3, $4)")
            .bind(code)
            .bind(i64::from(uses))
            .bind(now + valid_for_secs)
            .bind(now)
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
        .bind(unix_now())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
