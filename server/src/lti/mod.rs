//! LTI 1.3: schools' learning platforms (Moodle, Canvas, ...) launch
//! learners into Berth. A platform is registered with `berth lti
//! add-platform`; a launch is an OIDC third-party login (`/lti/login`)
//! followed by a signed id_token posted to `/lti/launch`, verified here
//! against the platform's key set, which signs the person in and puts them
//! in the classroom of their LMS course. `docs/lti.md` tells the whole
//! story; `docs/security.md` what is verified.

mod accounts;
mod admin;
pub mod ags;
mod cli;
mod deep_link;
mod keys;
mod launch;
mod nrps;
mod routes;
mod token;

pub use admin::PlatformsPage;
pub use cli::run as run_lti_command;
pub use keys::{key_set, new_signing_key};
pub use launch::Refusal;
pub use nrps::{Pulled, RosterError};
pub use routes::{CROSS_SITE_POSTS, router};

use jsonwebtoken::jwk::JwkSet;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

use crate::store::{Platform, PlatformId};

/// Berth's addresses for platforms: OIDC login initiation, the launch
/// (target link and redirect URI), Berth's public key set.
pub(crate) const LOGIN_PATH: &str = "/lti/login";
pub(crate) const LAUNCH_PATH: &str = "/lti/launch";
pub(crate) const JWKS_PATH: &str = "/.well-known/jwks.json";
/// Where the deep linking picker posts the instructor's choice.
pub(crate) const DEEP_LINK_PATH: &str = "/lti/deep-link";

/// How long a platform's key set is trusted before it is fetched again.
const KEY_SET_TTL: Duration = Duration::from_secs(3600);
/// An unknown `kid` refetches the key set at most this often, so forged
/// tokens cannot make Berth hammer a platform.
const REFETCH_AFTER: Duration = Duration::from_secs(30);

/// What launches share: an HTTP client for platforms' key sets and the
/// key sets fetched.
pub struct Lti {
    http: reqwest::Client,
    key_sets: Mutex<HashMap<PlatformId, (JwkSet, Instant)>>,
    /// Access tokens for platforms' score and roster services.
    tokens: token::Tokens,
    /// Makes Berth's first signing key once, however many ask at once.
    pub(crate) first_key: Mutex<()>,
    /// The address platforms reach Berth at (`--public-url`); without it,
    /// the request's own `Host`.
    pub public_url: Option<String>,
}

/// A platform's key set could not be had.
#[derive(Debug, thiserror::Error)]
#[error("fetching the key set at {url}: {source}")]
pub struct KeySetError {
    url: String,
    source: reqwest::Error,
}

impl Lti {
    pub fn new(public_url: Option<String>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("Berth/", env!("CARGO_PKG_VERSION"), " (LTI tool)"))
            .build()
            .expect("an HTTP client with rustls");
        Self {
            http,
            key_sets: Mutex::default(),
            tokens: token::Tokens::default(),
            first_key: Mutex::default(),
            public_url: public_url.map(|u| u.trim_end_matches('/').to_string()),
        }
    }

    /// Where platforms reach Berth: `--public-url`, else the request's
    /// `Host` (with `https` when cookies are secure).
    pub fn base_url(&self, secure: bool, host: Option<&str>) -> Option<String> {
        if let Some(url) = &self.public_url {
            return Some(url.clone());
        }
        let scheme = if secure { "https" } else { "http" };
        Some(format!("{scheme}://{}", host?))
    }

    /// The platform's key set: cached for an hour; fetched again when it
    /// lacks `kid` (at most every 30 seconds).
    pub async fn platform_keys(&self, platform: &Platform, kid: &str) -> Result<JwkSet, KeySetError> {
        let mut sets = self.key_sets.lock().await;
        if let Some((set, fetched)) = sets.get(&platform.id) {
            let fresh = fetched.elapsed() < KEY_SET_TTL;
            if fresh && (set.find(kid).is_some() || fetched.elapsed() < REFETCH_AFTER) {
                return Ok(set.clone());
            }
        }
        let set = self.fetch(&platform.jwks_url).await?;
        tracing::info!(platform = %platform.id, keys = set.keys.len(), "fetched the platform's key set");
        sets.insert(platform.id, (set.clone(), Instant::now()));
        Ok(set)
    }

    async fn fetch(&self, url: &str) -> Result<JwkSet, KeySetError> {
        let failed = |source| KeySetError {
            url: url.to_string(),
            source,
        };
        self.http
            .get(url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(failed)?
            .json::<JwkSet>()
            .await
            .map_err(failed)
    }
}
