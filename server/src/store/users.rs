//! Accounts.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{RowExt, Store, StoreError};
use crate::auth::email::Email;
use berth_app::model::{Millis, Role, UserId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub role: Role,
    pub created_at: Millis,
}

impl User {
    pub(super) fn from_row(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: UserId(row.try_get("id")?),
            email: row.try_get("email")?,
            role: row.parsed("role")?,
            created_at: row.millis("created_at")?,
        })
    }
}

impl Store {
    /// Creates an account; [`StoreError::EmailTaken`] if the address has one.
    pub async fn create_user(&self, email: &Email, password_hash: &str, role: Role) -> Result<User, StoreError> {
        let row = sqlx::query(
            "INSERT INTO users (email, password_hash, role, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id, email, role, created_at",
        )
        .bind(email.as_str())
        .bind(password_hash)
        .bind(role.as_str())
        .bind(Millis::now().get())
        .fetch_one(self.pool())
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::EmailTaken(email.to_string()),
            e => e.into(),
        })?;
        User::from_row(&row)
    }

    /// The account and its password hash.
    pub async fn user_by_email(&self, email: &Email) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query("SELECT id, email, role, created_at, password_hash FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| Ok((User::from_row(&row)?, row.try_get("password_hash")?)))
            .transpose()
    }

    pub async fn user_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT id, email, role, created_at FROM users WHERE id = $1")
            .bind(id.get())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(User::from_row).transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        sqlx::query("SELECT id, email, role, created_at FROM users ORDER BY email")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(User::from_row)
            .collect()
    }

    /// `false` if there is no such account.
    pub async fn set_role(&self, email: &Email, role: Role) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE users SET role = $1 WHERE email = $2")
            .bind(role.as_str())
            .bind(email.as_str())
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// `false` if there is no such account.
    pub async fn set_password_hash(&self, email: &Email, password_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE email = $2")
            .bind(password_hash)
            .bind(email.as_str())
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
