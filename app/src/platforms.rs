//! Learning platforms (LTI 1.3) as an admin sees them: what is registered,
//! Berth's signing keys, and the three addresses a platform's administrator
//! types into the LMS. Registering stays a command (`berth lti
//! add-platform`): the page shows, it does not change anything.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlatformsView {
    /// Berth's own addresses, as platforms must reach them.
    pub tool: ToolUrls,
    pub platforms: Vec<PlatformLine>,
    /// The signing key first, then retired keys still published.
    pub keys: Vec<KeyLine>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolUrls {
    pub login: String,
    pub launch: String,
    pub jwks: String,
    /// Whether these come from `--public-url` rather than this request's
    /// host (which a proxy may have rewritten).
    pub configured: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlatformLine {
    pub issuer: String,
    pub client_id: String,
    pub deployment_ids: Vec<String>,
    pub auth_url: String,
    pub token_url: String,
    pub jwks_url: String,
    /// People who have launched into Berth from it.
    pub accounts: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyLine {
    pub kid: String,
    pub state: KeyState,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum KeyState {
    Signing,
    /// Retired, still published until this time (UTC, `YYYY-MM-DD HH:MM`).
    PublishedUntil(String),
}

/// The server's side.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait PlatformsService: Send + Sync + 'static {
    /// `host` is the request's `Host`, for when no public URL is set.
    async fn view(&self, host: Option<String>) -> Result<PlatformsView, AppError>;
}

#[cfg(feature = "ssr")]
pub type SharedPlatforms = std::sync::Arc<dyn PlatformsService>;

#[server(endpoint = "admin/platforms", input = GetUrl)]
pub async fn get_platforms() -> Result<PlatformsView, AppError> {
    crate::account::require_admin()?;
    let service = use_context::<SharedPlatforms>().ok_or_else(|| crate::course::not_ready("the platforms service"))?;
    let host = use_context::<http::request::Parts>()
        .and_then(|parts| parts.headers.get(http::header::HOST)?.to_str().ok().map(str::to_string));
    service.view(host).await
}
