//! Facts about this installation, such as when it was first started.

use berth_app::model::Millis;

use super::{Store, StoreError};

impl Store {
    /// Records a fact, replacing an earlier value.
    pub async fn set_instance_value(&self, key: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO instance (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value)
        .bind(Millis::now().get())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn instance_value(&self, key: &str) -> Result<Option<String>, StoreError> {
        let value = sqlx::query_scalar("SELECT value FROM instance WHERE key = $1")
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        Ok(value)
    }
}
