//! A launch's id_token, verified: signed by the platform's key (RS256, by
//! `kid`), from its issuer, for Berth's client id, in date, carrying the
//! nonce of its login and a registered deployment, an LTI 1.3 resource
//! link. Whatever fails is a [`Refusal`], shown to the person as a page
//! and logged once.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::collections::HashMap;

use crate::store::{PendingLogin, Platform};

/// Tokens a little out of date still pass: clocks differ.
const LEEWAY_SECONDS: u64 = 60;

const CLAIM: &str = "https://purl.imsglobal.org/spec/lti/claim/";

/// Why a login or launch is refused. Each is a 4xx page.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("the request lacks `{0}`")]
    Missing(&'static str),
    #[error("the platform did not sign you in: {0}")]
    PlatformSaid(String),
    #[error("no platform is registered with this issuer and client id")]
    UnknownPlatform,
    #[error("this deployment is not registered for the platform")]
    UnknownDeployment,
    #[error("the target link is not on this Berth")]
    ForeignTarget,
    #[error("this launch does not match a login that is still open (used already, expired, or never started here)")]
    UnknownState,
    #[error(
        "this launch was not begun in this browser, or the browser did not keep Berth's sign-in cookie (Berth must be reached over https)"
    )]
    OtherBrowser,
    #[error("the launch token is not a readable JWT")]
    Malformed,
    #[error("the launch token is not signed with RS256")]
    Algorithm,
    #[error("the launch token names a key the platform does not publish")]
    UnknownKey,
    #[error("the launch token's signature does not verify")]
    Signature,
    #[error("the launch token has expired")]
    Expired,
    #[error("the launch token was issued in the future")]
    IssuedInFuture,
    #[error("the launch token is from another issuer")]
    Issuer,
    #[error("the launch token is meant for another tool")]
    Audience,
    #[error("the launch token's nonce is not this login's")]
    Nonce,
    #[error("the launch token lacks the claim `{0}`")]
    MissingClaim(&'static str),
    #[error("this is not an LTI 1.3.0 resource link or deep linking launch")]
    MessageType,
    #[error("only the course's instructors can add Berth activities to it")]
    NotInstructor,
    #[error(
        "the platform does not take LTI resource links here (its deep linking request does not accept `ltiResourceLink`), so Berth has nothing it can add"
    )]
    NoResourceLinks,
    #[error(
        "this choice of activity is not one Berth offered: it was made already, took longer than 30 minutes, or was never offered"
    )]
    UnknownPicker,
    #[error("the course has no such module, lesson, exercise or quiz")]
    UnknownPick,
    #[error("the platform's key set could not be fetched")]
    KeySet(#[source] super::KeySetError),
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Refusal::Missing(_)
            | Refusal::PlatformSaid(_)
            | Refusal::Malformed
            | Refusal::MessageType
            | Refusal::NoResourceLinks
            | Refusal::UnknownPick
            | Refusal::MissingClaim(_) => StatusCode::BAD_REQUEST,
            Refusal::NotInstructor => StatusCode::FORBIDDEN,
            Refusal::UnknownPlatform | Refusal::UnknownDeployment | Refusal::ForeignTarget => StatusCode::FORBIDDEN,
            Refusal::KeySet(_) => StatusCode::BAD_GATEWAY,
            _ => StatusCode::UNAUTHORIZED,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match std::error::Error::source(&self) {
            Some(cause) => tracing::warn!(refusal = %self, cause = %cause, "LTI launch refused"),
            None => tracing::warn!(refusal = %self, "LTI launch refused"),
        }
        let body = page(
            "This launch was refused",
            &format!(
                "<p>Berth could not sign you in from your learning platform: {}.</p>\
                 <p>Go back to your course and open the activity again. If this keeps happening, \
                 show this message to whoever runs Berth or your platform.</p>",
                escape(&self.to_string())
            ),
        );
        framable((self.status(), Html(body)).into_response())
    }
}

/// A small page of Berth's own styles, shown inside the LMS's frame.
pub(super) fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · Berth</title>\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <style>body{{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1c2733}}\
         a.button{{display:inline-block;padding:.6rem 1.2rem;background:#1d5fa8;color:#fff;border-radius:.4rem;text-decoration:none}}</style>\
         </head><body><h1>{title}</h1>{body}</body></html>"
    )
}

/// LMSs show tools in an iframe: these pages may be framed by any site
/// (they hold nothing but a message or a one-time link) and run nothing.
pub(super) fn framable(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors *",
        ),
    );
    response
}

pub(super) fn escape(text: &str) -> String {
    let mut out = String::new();
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

/// What the LMS says the person is in the course.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LmsRole {
    Instructor,
    Learner,
}

impl LmsRole {
    /// Instructor, Administrator and ContentDeveloper of the course (LIS
    /// membership roles, full or short) teach; everyone else learns.
    /// Sub-roles (`membership/Instructor#TeachingAssistant`) and
    /// institution-wide roles do not make a course's instructor.
    pub(super) fn of(roles: &[String]) -> Self {
        const MEMBERSHIP: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#";
        let teaches = roles.iter().any(|role| {
            let name = role.strip_prefix(MEMBERSHIP).unwrap_or(role);
            matches!(name, "Instructor" | "Administrator" | "ContentDeveloper")
        });
        if teaches { LmsRole::Instructor } else { LmsRole::Learner }
    }
}

/// The id_token's claims Berth reads; the library checks `exp`, `iss` and
/// `aud` itself.
#[derive(Deserialize)]
struct Claims {
    sub: Option<String>,
    iat: Option<u64>,
    nonce: Option<String>,
    azp: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    aud: Vec<String>,
    name: Option<String>,
    email: Option<String>,
    #[serde(flatten)]
    lti: HashMap<String, serde_json::Value>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

/// What a verified launch asks for.
#[derive(Clone, Debug)]
pub enum Message {
    /// Open a module or lesson (`LtiResourceLinkRequest`).
    ResourceLink,
    /// Pick something to add to the course (`LtiDeepLinkingRequest`).
    DeepLinking(super::deep_link::Settings),
}

/// A verified launch: a resource link, or a deep linking request.
#[derive(Clone, Debug)]
pub struct Launch {
    pub message: Message,
    pub deployment_id: String,
    pub subject: String,
    pub role: LmsRole,
    pub name: Option<String>,
    pub email: Option<String>,
    /// The LMS course (`id`, title), when the launch came from one.
    pub context: Option<(String, String)>,
    pub target_link_uri: Option<String>,
    /// The resource link's custom parameters.
    pub custom: HashMap<String, String>,
    /// Where the link's score goes, if it is graded.
    pub ags: Option<super::ags::AgsEndpoint>,
    /// Where the platform lists the course's members, if it lets Berth
    /// read them (NRPS).
    pub memberships_url: Option<String>,
}

impl Launch {
    /// The person launching.
    pub fn person(&self) -> super::accounts::Person<'_> {
        super::accounts::Person {
            subject: &self.subject,
            role: self.role,
            name: self.name.as_deref(),
            email: self.email.as_deref(),
        }
    }

    /// Verifies `token` as the launch of `login` from `platform`, whose key
    /// set is `keys`.
    pub fn verify(token: &str, platform: &Platform, login: &PendingLogin, keys: &JwkSet) -> Result<Self, Refusal> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| Refusal::Malformed)?;
        if header.alg != Algorithm::RS256 {
            return Err(Refusal::Algorithm);
        }
        let kid = header.kid.ok_or(Refusal::UnknownKey)?;
        let jwk = keys.find(&kid).ok_or(Refusal::UnknownKey)?;
        let key = DecodingKey::from_jwk(jwk).map_err(|_| Refusal::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.set_issuer(&[&platform.issuer]);
        validation.set_audience(&[&platform.client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature => Refusal::Signature,
                ErrorKind::ExpiredSignature => Refusal::Expired,
                ErrorKind::InvalidIssuer => Refusal::Issuer,
                ErrorKind::InvalidAudience => Refusal::Audience,
                ErrorKind::MissingRequiredClaim(_) => Refusal::MissingClaim("exp, iss, aud or sub"),
                ErrorKind::InvalidAlgorithm => Refusal::Algorithm,
                _ => Refusal::Malformed,
            })?
            .claims;
        // With several audiences, the authorized party must be Berth.
        if (claims.aud.len() > 1 || claims.azp.is_some()) && claims.azp.as_deref() != Some(&platform.client_id) {
            return Err(Refusal::Audience);
        }
        let now = jsonwebtoken::get_current_timestamp();
        match claims.iat {
            None => return Err(Refusal::MissingClaim("iat")),
            Some(iat) if iat > now + LEEWAY_SECONDS => return Err(Refusal::IssuedInFuture),
            Some(_) => {}
        }
        if claims.nonce.as_deref() != Some(login.nonce.as_str()) {
            return Err(Refusal::Nonce);
        }
        let lti = |name: &str| claims.lti.get(&format!("{CLAIM}{name}"));
        let text = |name: &str| lti(name).and_then(|v| v.as_str());
        let deployment = text("deployment_id").ok_or(Refusal::MissingClaim("deployment_id"))?;
        if !platform.deployment_ids.iter().any(|d| d == deployment) {
            return Err(Refusal::UnknownDeployment);
        }
        if text("version") != Some("1.3.0") {
            return Err(Refusal::MessageType);
        }
        let message = match text("message_type") {
            Some("LtiResourceLinkRequest") => {
                if lti("resource_link").and_then(|l| l.get("id")).is_none() {
                    return Err(Refusal::MissingClaim("resource_link"));
                }
                Message::ResourceLink
            }
            Some("LtiDeepLinkingRequest") => Message::DeepLinking(super::deep_link::Settings::from_claim(
                claims.lti.get(super::deep_link::SETTINGS_CLAIM),
            )?),
            _ => return Err(Refusal::MessageType),
        };
        let roles: Vec<String> = lti("roles")
            .and_then(|r| serde_json::from_value(r.clone()).ok())
            .ok_or(Refusal::MissingClaim("roles"))?;
        let context = lti("context").and_then(|c| {
            let id = c.get("id")?.as_str()?.to_string();
            let title = ["title", "label"]
                .iter()
                .find_map(|f| c.get(*f).and_then(|v| v.as_str()))
                .unwrap_or(&id)
                .to_string();
            Some((id, title))
        });
        let custom = lti("custom")
            .and_then(|c| c.as_object())
            .map(|c| {
                c.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Launch {
            message,
            deployment_id: deployment.to_string(),
            subject: claims
                .sub
                .filter(|s| !s.is_empty())
                .ok_or(Refusal::MissingClaim("sub"))?,
            role: LmsRole::of(&roles),
            name: claims.name,
            email: claims.email,
            context,
            target_link_uri: text("target_link_uri").map(str::to_string),
            custom,
            ags: claims
                .lti
                .get(super::ags::ENDPOINT_CLAIM)
                .and_then(super::ags::AgsEndpoint::from_claim),
            memberships_url: super::nrps::memberships_url(claims.lti.get(super::nrps::CLAIM)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::LmsRole;

    #[test]
    fn course_roles_decide_who_teaches() {
        let of = |roles: &[&str]| LmsRole::of(&roles.iter().map(|r| r.to_string()).collect::<Vec<_>>());
        assert_eq!(
            of(&["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]),
            LmsRole::Instructor
        );
        assert_eq!(of(&["ContentDeveloper"]), LmsRole::Instructor);
        assert_eq!(
            of(&["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]),
            LmsRole::Learner
        );
        assert_eq!(
            of(&["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"]),
            LmsRole::Learner
        );
        assert_eq!(
            of(&["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"]),
            LmsRole::Learner
        );
        assert_eq!(of(&[]), LmsRole::Learner);
    }
}
