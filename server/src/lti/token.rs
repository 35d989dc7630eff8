//! Access tokens for a platform's services (scores, rosters): a
//! client-credentials grant with a JWT assertion signed by Berth's key, at
//! the platform's token endpoint. A token is cached per platform and scope
//! until near its expiry: platforms may grant each scope its own token,
//! and one for scores need not open the roster.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

use super::Lti;
use crate::store::{Platform, PlatformId, Store};

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// A token is not used this close to its expiry.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

/// Why Berth has no token for a platform's service.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("Berth has no signing key to ask for a token: {0}")]
    NoKey(String),
    #[error("the token endpoint could not be reached: {0}")]
    Unreachable(#[source] reqwest::Error),
    #[error("the token endpoint refused Berth's grant ({status}): {body}")]
    Refused { status: u16, body: String },
    #[error("the token endpoint's answer has no access_token")]
    Unreadable,
}

/// A token and when to stop using it.
type Cached = (String, Instant);

/// Access tokens per platform and scope, until near their expiry.
#[derive(Default)]
pub struct Tokens(Mutex<HashMap<(PlatformId, &'static str), Cached>>);

impl Lti {
    /// A bearer token for `scope` at the platform: the cached one, or a
    /// new one from its token endpoint.
    pub(super) async fn token(
        &self,
        store: &Store,
        platform: &Platform,
        scope: &'static str,
    ) -> Result<String, TokenError> {
        let mut tokens = self.tokens.0.lock().await;
        if let Some((token, until)) = tokens.get(&(platform.id, scope))
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let (kid, key) = super::keys::signing_key(self, store)
            .await
            .map_err(|e| TokenError::NoKey(e.to_string()))?;
        let now = jsonwebtoken::get_current_timestamp();
        let mut jti = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut jti);
        let claims = json!({
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.token_url,
            "iat": now,
            "exp": now + 300,
            "jti": URL_SAFE_NO_PAD.encode(jti),
        });
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(kid);
        let assertion = jsonwebtoken::encode(&header, &claims, &key).map_err(|e| TokenError::NoKey(e.to_string()))?;
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_assertion_type", ASSERTION_TYPE)
            .append_pair("client_assertion", &assertion)
            .append_pair("scope", scope)
            .finish();
        let answer = self
            .http
            .post(&platform.token_url)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(TokenError::Unreachable)?;
        let status = answer.status();
        if !status.is_success() {
            return Err(TokenError::Refused {
                status: status.as_u16(),
                body: excerpt(answer.text().await.unwrap_or_default()),
            });
        }
        let answer: Value = answer.json().await.map_err(|_| TokenError::Unreadable)?;
        let token = answer["access_token"]
            .as_str()
            .ok_or(TokenError::Unreadable)?
            .to_string();
        let lifetime = Duration::from_secs(answer["expires_in"].as_u64().unwrap_or(3600));
        tracing::info!(platform = %platform.id, scope, seconds = lifetime.as_secs(), "got an access token");
        let until = Instant::now() + lifetime.saturating_sub(TOKEN_MARGIN);
        tokens.insert((platform.id, scope), (token.clone(), until));
        Ok(token)
    }

    /// Drops a token the platform no longer takes (revoked or expired
    /// early): the next call asks for a new one.
    pub(super) async fn forget_token(&self, platform: PlatformId, scope: &'static str) {
        self.tokens.0.lock().await.remove(&(platform, scope));
    }
}

/// A platform's answer, short enough to show an instructor.
pub(super) fn excerpt(text: String) -> String {
    let text = text.trim();
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
