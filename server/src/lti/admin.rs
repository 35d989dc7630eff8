//! The admin page of learning platforms ([`PlatformsService`]): read-only,
//! registering stays `berth lti add-platform`.

use std::sync::Arc;

use berth_app::error::AppError;
use berth_app::platforms::{KeyLine, KeyState, PlatformLine, PlatformsService, PlatformsView, ToolUrls};

use super::{JWKS_PATH, LAUNCH_PATH, LOGIN_PATH, Lti};
use crate::classroom::utc_minutes;
use crate::store::{Store, StoreError};

pub struct PlatformsPage {
    store: Store,
    lti: Arc<Lti>,
    secure_cookies: bool,
}

impl PlatformsPage {
    pub fn new(store: Store, lti: Arc<Lti>, secure_cookies: bool) -> Self {
        Self {
            store,
            lti,
            secure_cookies,
        }
    }
}

fn unavailable(e: StoreError) -> AppError {
    tracing::error!(error = %e, "the platforms page failed in the database");
    AppError::unavailable("The platforms could not be loaded just now; try again shortly.")
}

#[async_trait::async_trait]
impl PlatformsService for PlatformsPage {
    async fn view(&self, host: Option<String>) -> Result<PlatformsView, AppError> {
        let base = self
            .lti
            .base_url(self.secure_cookies, host.as_deref())
            .unwrap_or_default();
        let accounts = self.store.lti_account_counts().await.map_err(unavailable)?;
        let platforms = self
            .store
            .lti_platforms()
            .await
            .map_err(unavailable)?
            .into_iter()
            .map(|p| PlatformLine {
                accounts: accounts.get(&p.id).copied().unwrap_or(0),
                issuer: p.issuer,
                client_id: p.client_id,
                deployment_ids: p.deployment_ids,
                auth_url: p.auth_url,
                token_url: p.token_url,
                jwks_url: p.jwks_url,
            })
            .collect();
        let keys = self
            .store
            .lti_keys()
            .await
            .map_err(unavailable)?
            .into_iter()
            .map(|k| KeyLine {
                kid: k.kid,
                state: match (k.retired_at, k.expires_at) {
                    (None, _) => KeyState::Signing,
                    (Some(_), until) => KeyState::PublishedUntil(until.map(utc_minutes).unwrap_or_default()),
                },
            })
            .collect();
        Ok(PlatformsView {
            tool: ToolUrls {
                login: format!("{base}{LOGIN_PATH}"),
                launch: format!("{base}{LAUNCH_PATH}"),
                jwks: format!("{base}{JWKS_PATH}"),
                configured: self.lti.public_url.is_some(),
            },
            platforms,
            keys,
        })
    }
}
