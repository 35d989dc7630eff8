//! LTI 1.3: registered platforms, Berth's signing keys, login initiations
//! waiting for their launch, and the accounts and courses launches made.

use sqlx::Row;
use sqlx::any::AnyRow;

use berth_app::model::{ClassroomId, Millis, Role, UserId};

use super::{RowExt, Store, StoreError, User};

/// A registered platform's row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct PlatformId(pub i64);

impl std::fmt::Display for PlatformId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A learning platform as registered by an operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    pub id: PlatformId,
    pub issuer: String,
    pub client_id: String,
    pub deployment_ids: Vec<String>,
    pub auth_url: String,
    pub token_url: String,
    pub jwks_url: String,
}

/// What `berth lti add-platform` registers.
pub struct NewPlatform<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub deployment_ids: &'a [String],
    pub auth_url: &'a str,
    pub token_url: &'a str,
    pub jwks_url: &'a str,
}

impl Platform {
    fn from_row(r: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: PlatformId(r.try_get("id")?),
            issuer: r.try_get("issuer")?,
            client_id: r.try_get("client_id")?,
            deployment_ids: serde_json::from_str(&r.try_get::<String, _>("deployment_ids")?)?,
            auth_url: r.try_get("auth_url")?,
            token_url: r.try_get("token_url")?,
            jwks_url: r.try_get("jwks_url")?,
        })
    }
}

const PLATFORM_SELECT: &str =
    "SELECT id, issuer, client_id, deployment_ids, auth_url, token_url, jwks_url FROM lti_platforms";

/// One of Berth's signing keys.
#[derive(Clone, Debug)]
pub struct SigningKey {
    pub kid: String,
    /// PKCS#1 DER, base64.
    pub private_der: String,
    pub retired_at: Option<Millis>,
    /// When a retired key stops being published.
    pub expires_at: Option<Millis>,
}

/// A login initiation the launch must match.
#[derive(Clone, Debug)]
pub struct PendingLogin {
    pub nonce: String,
    pub platform: PlatformId,
}

/// An instructor's deep linking request, waiting for their pick: what the
/// signed answer needs, and whom it is for.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingDeepLink {
    pub platform: PlatformId,
    pub deployment_id: String,
    pub user: UserId,
    pub return_url: String,
    /// The platform's opaque `data`, echoed in the answer.
    pub data: Option<serde_json::Value>,
}

/// The LMS course a launch came from and its classroom, once made.
#[derive(Clone, Debug)]
pub struct LtiContext {
    pub id: i64,
    pub classroom: Option<ClassroomId>,
}

/// Where a classroom's roster comes from: the LMS course tied to it, whose
/// platform lets Berth read its members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterSource {
    /// The course's row id.
    pub context: i64,
    pub platform: PlatformId,
    pub issuer: String,
    pub memberships_url: String,
}

impl Store {
    /// Registers a platform, or updates the one with the same issuer and
    /// client id (its URLs and deployments may change).
    pub async fn upsert_lti_platform(&self, p: NewPlatform<'_>) -> Result<Platform, StoreError> {
        let deployments = serde_json::to_string(p.deployment_ids)?;
        sqlx::query(
            "INSERT INTO lti_platforms (issuer, client_id, deployment_ids, auth_url, token_url, jwks_url, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (issuer, client_id) DO UPDATE SET deployment_ids = excluded.deployment_ids, \
             auth_url = excluded.auth_url, token_url = excluded.token_url, jwks_url = excluded.jwks_url",
        )
        .bind(p.issuer)
        .bind(p.client_id)
        .bind(deployments)
        .bind(p.auth_url)
        .bind(p.token_url)
        .bind(p.jwks_url)
        .bind(Millis::now().get())
        .execute(self.pool())
        .await?;
        let row = sqlx::query(&format!("{PLATFORM_SELECT} WHERE issuer = $1 AND client_id = $2"))
            .bind(p.issuer)
            .bind(p.client_id)
            .fetch_one(self.pool())
            .await?;
        Platform::from_row(&row)
    }

    pub async fn lti_platforms(&self) -> Result<Vec<Platform>, StoreError> {
        sqlx::query(&format!("{PLATFORM_SELECT} ORDER BY issuer, client_id"))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(Platform::from_row)
            .collect()
    }

    /// The platforms registered under an issuer (one per client id).
    pub async fn lti_platforms_of(&self, issuer: &str) -> Result<Vec<Platform>, StoreError> {
        sqlx::query(&format!("{PLATFORM_SELECT} WHERE issuer = $1 ORDER BY id"))
            .bind(issuer)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(Platform::from_row)
            .collect()
    }

    /// How many accounts launches from each platform made.
    pub async fn lti_account_counts(&self) -> Result<std::collections::HashMap<PlatformId, u64>, StoreError> {
        let rows = sqlx::query("SELECT platform_id, COUNT(*) AS accounts FROM lti_accounts GROUP BY platform_id")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let accounts = u64::try_from(r.try_get::<i64, _>("accounts")?)
                    .map_err(|_| StoreError::OutOfRange("lti_accounts count"))?;
                Ok((PlatformId(r.try_get("platform_id")?), accounts))
            })
            .collect()
    }

    pub async fn lti_platform(&self, id: PlatformId) -> Result<Option<Platform>, StoreError> {
        let row = sqlx::query(&format!("{PLATFORM_SELECT} WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(Platform::from_row).transpose()
    }

    /// Keys still served: the signing one and retired ones not yet expired,
    /// newest first.
    pub async fn lti_keys(&self) -> Result<Vec<SigningKey>, StoreError> {
        let rows = sqlx::query(
            "SELECT kid, private_der, retired_at, expires_at FROM lti_keys \
             WHERE expires_at IS NULL OR expires_at > $1 ORDER BY created_at DESC, kid",
        )
        .bind(Millis::now().get())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SigningKey {
                    kid: r.try_get("kid")?,
                    private_der: r.try_get("private_der")?,
                    retired_at: r.try_get::<Option<i64>, _>("retired_at")?.map(Millis),
                    expires_at: r.try_get::<Option<i64>, _>("expires_at")?.map(Millis),
                })
            })
            .collect()
    }

    /// Adds a signing key; the one signing until now is retired and served
    /// until `old_expires_at`.
    pub async fn add_lti_key(&self, kid: &str, private_der: &str, old_expires_at: Millis) -> Result<(), StoreError> {
        let now = Millis::now().get();
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE lti_keys SET retired_at = $1, expires_at = $2 WHERE retired_at IS NULL")
            .bind(now)
            .bind(old_expires_at.get())
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO lti_keys (kid, private_der, created_at) VALUES ($1, $2, $3)")
            .bind(kid)
            .bind(private_der)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Remembers a login initiation until `expires_at`, and forgets the
    /// expired ones.
    pub async fn add_lti_login(
        &self,
        state: &str,
        nonce: &str,
        platform: PlatformId,
        expires_at: Millis,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM lti_logins WHERE expires_at <= $1")
            .bind(Millis::now().get())
            .execute(self.pool())
            .await?;
        sqlx::query("INSERT INTO lti_logins (state, nonce, platform_id, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(state)
            .bind(nonce)
            .bind(platform.0)
            .bind(expires_at.get())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Takes the login initiation with this state, once: a second call, or
    /// one after its expiry, finds nothing.
    pub async fn take_lti_login(&self, state: &str) -> Result<Option<PendingLogin>, StoreError> {
        let row = sqlx::query("DELETE FROM lti_logins WHERE state = $1 RETURNING nonce, platform_id, expires_at")
            .bind(state)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        if row.millis("expires_at")? <= Millis::now() {
            return Ok(None);
        }
        Ok(Some(PendingLogin {
            nonce: row.try_get("nonce")?,
            platform: PlatformId(row.try_get("platform_id")?),
        }))
    }

    /// Remembers a deep linking request under the hash of its picker's
    /// token until `expires_at`, and forgets the expired ones.
    pub async fn add_lti_deep_link(
        &self,
        token_hash: &str,
        link: &PendingDeepLink,
        expires_at: Millis,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM lti_deep_links WHERE expires_at <= $1")
            .bind(Millis::now().get())
            .execute(self.pool())
            .await?;
        let data = link.data.as_ref().map(serde_json::to_string).transpose()?;
        sqlx::query(
            "INSERT INTO lti_deep_links (token_hash, platform_id, deployment_id, user_id, return_url, data, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token_hash)
        .bind(link.platform.0)
        .bind(&link.deployment_id)
        .bind(link.user.get())
        .bind(&link.return_url)
        .bind(data)
        .bind(expires_at.get())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Takes the deep linking request with this token hash, once: a second
    /// call, or one after its expiry, finds nothing.
    pub async fn take_lti_deep_link(&self, token_hash: &str) -> Result<Option<PendingDeepLink>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM lti_deep_links WHERE token_hash = $1 \
             RETURNING platform_id, deployment_id, user_id, return_url, data, expires_at",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        if row.millis("expires_at")? <= Millis::now() {
            return Ok(None);
        }
        let data: Option<String> = row.try_get("data")?;
        Ok(Some(PendingDeepLink {
            platform: PlatformId(row.try_get("platform_id")?),
            deployment_id: row.try_get("deployment_id")?,
            user: UserId(row.try_get("user_id")?),
            return_url: row.try_get("return_url")?,
            data: data.as_deref().map(serde_json::from_str).transpose()?,
        }))
    }

    /// The account a platform's subject launched as before.
    pub async fn lti_account(&self, platform: PlatformId, subject: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.role, u.created_at FROM lti_accounts a JOIN users u ON u.id = a.user_id \
             WHERE a.platform_id = $1 AND a.subject = $2",
        )
        .bind(platform.0)
        .bind(subject)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(User::from_row).transpose()
    }

    /// Makes the account of a platform's subject: a user who cannot log in
    /// with a password (`password_hash` is no hash), linked to the subject.
    /// Two first launches at once make one account: the later finds the
    /// one the earlier made.
    pub async fn create_lti_account(
        &self,
        platform: PlatformId,
        subject: &str,
        email: &str,
        name: Option<&str>,
        role: Role,
    ) -> Result<User, StoreError> {
        let now = Millis::now().get();
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(
            "INSERT INTO users (email, password_hash, role, created_at) VALUES ($1, '!lti', $2, $3) \
             ON CONFLICT (email) DO NOTHING RETURNING id, email, role, created_at",
        )
        .bind(email)
        .bind(role.as_str())
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let linked = match row {
            Some(row) => {
                let user = User::from_row(&row)?;
                let done = sqlx::query(
                    "INSERT INTO lti_accounts (platform_id, subject, user_id, name, created_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (platform_id, subject) DO NOTHING",
                )
                .bind(platform.0)
                .bind(subject)
                .bind(user.id.get())
                .bind(name)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                (done.rows_affected() == 1).then_some(user)
            }
            None => None,
        };
        if let Some(user) = linked {
            tx.commit().await?;
            return Ok(user);
        }
        tx.rollback().await?;
        self.lti_account(platform, subject)
            .await?
            .ok_or_else(|| StoreError::EmailTaken(email.to_string()))
    }

    /// Makes a learner an instructor (a later launch may say so); never
    /// lowers a role.
    pub async fn raise_to_instructor(&self, user: UserId) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET role = 'instructor' WHERE id = $1 AND role = 'learner'")
            .bind(user.get())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The LMS course, recorded on its first launch.
    pub async fn lti_context(
        &self,
        platform: PlatformId,
        context: &str,
        title: &str,
    ) -> Result<LtiContext, StoreError> {
        sqlx::query(
            "INSERT INTO lti_contexts (platform_id, context_id, title, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (platform_id, context_id) DO NOTHING",
        )
        .bind(platform.0)
        .bind(context)
        .bind(title)
        .bind(Millis::now().get())
        .execute(self.pool())
        .await?;
        let row = sqlx::query("SELECT id, classroom_id FROM lti_contexts WHERE platform_id = $1 AND context_id = $2")
            .bind(platform.0)
            .bind(context)
            .fetch_one(self.pool())
            .await?;
        Ok(LtiContext {
            id: row.try_get("id")?,
            classroom: row.try_get::<Option<i64>, _>("classroom_id")?.map(ClassroomId),
        })
    }

    /// Ties the course to its classroom unless another launch did first;
    /// the classroom that holds afterwards.
    pub async fn set_lti_context_classroom(
        &self,
        context: i64,
        classroom: ClassroomId,
    ) -> Result<ClassroomId, StoreError> {
        sqlx::query("UPDATE lti_contexts SET classroom_id = $1 WHERE id = $2 AND classroom_id IS NULL")
            .bind(classroom.get())
            .bind(context)
            .execute(self.pool())
            .await?;
        let row = sqlx::query("SELECT classroom_id FROM lti_contexts WHERE id = $1")
            .bind(context)
            .fetch_one(self.pool())
            .await?;
        Ok(ClassroomId(row.try_get("classroom_id")?))
    }

    /// Remembers where the platform lists the course's members (the latest
    /// launch's word).
    pub async fn set_lti_context_memberships(&self, context: i64, url: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE lti_contexts SET memberships_url = $1 WHERE id = $2")
            .bind(url)
            .bind(context)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The LMS course whose members the classroom can pull, if any.
    pub async fn lti_roster_source(&self, classroom: ClassroomId) -> Result<Option<RosterSource>, StoreError> {
        let row = sqlx::query(
            "SELECT c.id, c.platform_id, p.issuer, c.memberships_url FROM lti_contexts c \
             JOIN lti_platforms p ON p.id = c.platform_id \
             WHERE c.classroom_id = $1 AND c.memberships_url IS NOT NULL ORDER BY c.id LIMIT 1",
        )
        .bind(classroom.get())
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(RosterSource {
                context: r.try_get("id")?,
                platform: PlatformId(r.try_get("platform_id")?),
                issuer: r.try_get("issuer")?,
                memberships_url: r.try_get("memberships_url")?,
            })
        })
        .transpose()
    }

    /// Records a learner's launch from the course.
    pub async fn add_lti_context_learner(&self, context: i64, user: UserId) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO lti_context_learners (context_id, user_id) VALUES ($1, $2) \
             ON CONFLICT (context_id, user_id) DO NOTHING",
        )
        .bind(context)
        .bind(user.get())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Learners who launched from the course.
    pub async fn lti_context_learners(&self, context: i64) -> Result<Vec<UserId>, StoreError> {
        let rows = sqlx::query("SELECT user_id FROM lti_context_learners WHERE context_id = $1 ORDER BY user_id")
            .bind(context)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok(UserId(r.try_get("user_id")?))).collect()
    }

    /// Adds a member without a join code (the LMS says who is in the
    /// course); `false` if they were in already.
    pub async fn add_member(&self, classroom: ClassroomId, user: UserId) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO classroom_members (classroom_id, user_id, joined_at) VALUES ($1, $2, $3) \
             ON CONFLICT (classroom_id, user_id) DO NOTHING",
        )
        .bind(classroom.get())
        .bind(user.get())
        .bind(Millis::now().get())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
