//! Deep linking (LTI Deep Linking 2.0): an instructor adding Berth to
//! their LMS course launches an `LtiDeepLinkingRequest`, picks a module, a
//! lesson, an exercise or a quiz on Berth's picker page, and Berth answers
//! the platform with a signed `LtiDeepLinkingResponse` holding one
//! `ltiResourceLink` with a line item, which the platform turns into a
//! graded activity. Its later launches carry the link's custom parameters
//! (`module`, `lesson`, `exercise`, `quiz`), which pick the landing page.
//!
//! Between the launch and the pick, the request waits in the database
//! under the hash of a random token that only the picker form carries: the
//! pick needs no cookie (LMSs frame tools), cannot be forged, and is taken
//! once, for the platform, deployment and person it came from.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::Duration;

use super::launch::{Launch, Refusal, escape, page};
use super::routes::{LtiError, base_url, random_token};
use super::{DEEP_LINK_PATH, LAUNCH_PATH};
use crate::state::AppState;
use crate::store::{PendingDeepLink, Platform, User};
use berth_app::course::Course;
use berth_app::model::{ExerciseId, LessonId, Millis, ModuleId};

/// The launch claim with the platform's deep linking settings.
pub const SETTINGS_CLAIM: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings";
/// The only content item type Berth makes.
const RESOURCE_LINK: &str = "ltiResourceLink";
/// A picker is good for this long: time to read the course and choose.
const PICKER_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// Every link is graded out of this many points (the module's percent).
const SCORE_MAXIMUM: u32 = 100;

/// What the platform accepts back, from the launch's settings claim.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Settings {
    pub deep_link_return_url: String,
    #[serde(default)]
    pub accept_types: Vec<String>,
    /// Opaque to Berth; must come back as it was.
    #[serde(default)]
    pub data: Option<Value>,
}

impl Settings {
    /// The settings of a deep linking launch: a return URL on http(s), and
    /// resource links among the accepted types.
    pub fn from_claim(claim: Option<&Value>) -> Result<Self, Refusal> {
        let claim = claim.ok_or(Refusal::MissingClaim("deep_linking_settings"))?;
        let settings: Settings = serde_json::from_value(claim.clone())
            .map_err(|_| Refusal::MissingClaim("deep_linking_settings.deep_link_return_url"))?;
        let web = reqwest::Url::parse(&settings.deep_link_return_url)
            .is_ok_and(|url| matches!(url.scheme(), "https" | "http"));
        if !web {
            return Err(Refusal::MissingClaim("deep_linking_settings.deep_link_return_url"));
        }
        if !settings.accept_types.iter().any(|t| t == RESOURCE_LINK) {
            return Err(Refusal::NoResourceLinks);
        }
        Ok(settings)
    }
}

/// What an instructor can link to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Pick {
    Module(ModuleId),
    Lesson(ModuleId, LessonId),
    Exercise(ModuleId, LessonId, ExerciseId),
    Quiz(ModuleId),
}

impl Pick {
    /// The value of its button on the picker (ids never hold `/`).
    fn value(&self) -> String {
        match self {
            Pick::Module(m) => format!("module/{m}"),
            Pick::Lesson(m, l) => format!("lesson/{m}/{l}"),
            Pick::Exercise(m, l, e) => format!("exercise/{m}/{l}/{e}"),
            Pick::Quiz(m) => format!("quiz/{m}"),
        }
    }

    fn parse(value: &str) -> Option<Self> {
        let parts: Vec<&str> = value.split('/').collect();
        Some(match parts.as_slice() {
            ["module", m] => Pick::Module((*m).into()),
            ["lesson", m, l] => Pick::Lesson((*m).into(), (*l).into()),
            ["exercise", m, l, e] => Pick::Exercise((*m).into(), (*l).into(), (*e).into()),
            ["quiz", m] => Pick::Quiz((*m).into()),
            _ => return None,
        })
    }

    /// Its title, if the course has it.
    fn title(&self, course: &Course) -> Option<String> {
        let module = |m: &ModuleId| course.modules.iter().find(|x| &x.id == m);
        let lesson = |m: &ModuleId, l: &LessonId| module(m)?.lessons.iter().find(|x| &x.id == l);
        match self {
            Pick::Module(m) => module(m).map(|x| x.title.clone()),
            Pick::Lesson(m, l) => lesson(m, l).map(|x| x.title.clone()),
            Pick::Exercise(m, l, e) => lesson(m, l)?
                .exercises
                .iter()
                .find(|x| &x.id == e)
                .map(|x| x.title.clone()),
            Pick::Quiz(m) => module(m)?.quiz.as_ref().map(|q| q.title.clone()),
        }
    }

    /// The custom parameters its launches carry.
    fn custom(&self) -> Custom {
        let (module, lesson, exercise, quiz) = match self {
            Pick::Module(m) => (m, None, None, None),
            Pick::Lesson(m, l) => (m, Some(l), None, None),
            Pick::Exercise(m, l, e) => (m, Some(l), Some(e), None),
            Pick::Quiz(m) => (m, None, None, Some("1".to_string())),
        };
        Custom {
            module: module.clone(),
            lesson: lesson.cloned(),
            exercise: exercise.cloned(),
            quiz,
        }
    }
}

/// The custom parameters of a Berth link (read back by the landing).
#[derive(Debug, Serialize)]
struct Custom {
    module: ModuleId,
    #[serde(skip_serializing_if = "Option::is_none")]
    lesson: Option<LessonId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exercise: Option<ExerciseId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quiz: Option<String>,
}

/// The gradebook column the platform makes for the link.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LineItem {
    score_maximum: u32,
    label: String,
    resource_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ResourceLink {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
    title: String,
    custom: Custom,
    line_item: LineItem,
}

/// The `LtiDeepLinkingResponse` Berth signs.
#[derive(Debug, Serialize)]
struct DeepLinkingResponse {
    iss: String,
    aud: String,
    iat: u64,
    exp: u64,
    nonce: String,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/deployment_id")]
    deployment_id: String,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/message_type")]
    message_type: &'static str,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/version")]
    version: &'static str,
    #[serde(
        rename = "https://purl.imsglobal.org/spec/lti-dl/claim/data",
        skip_serializing_if = "Option::is_none"
    )]
    data: Option<Value>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items")]
    content_items: [ResourceLink; 1],
}

fn token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// The picker an instructor's deep linking launch shows: every module of
/// the course with its lessons, their exercises, and its quiz.
pub(super) async fn picker(
    state: &AppState,
    platform: &Platform,
    user: &User,
    launch: &Launch,
    settings: &Settings,
) -> Result<Response, LtiError> {
    let token = random_token();
    let pending = PendingDeepLink {
        platform: platform.id,
        deployment_id: launch.deployment_id.clone(),
        user: user.id,
        return_url: settings.deep_link_return_url.clone(),
        data: settings.data.clone(),
    };
    state
        .store
        .add_lti_deep_link(&token_hash(&token), &pending, Millis::now().plus(PICKER_LIFETIME))
        .await?;
    let course = &state.course;
    let button = |pick: Pick, label: &str, title: &str| {
        format!(
            "<button name=\"pick\" value=\"{}\">{label}: {}</button>",
            escape(&pick.value()),
            escape(title)
        )
    };
    let mut list = String::new();
    for (n, module) in course.modules.iter().enumerate() {
        let m = &module.id;
        list.push_str(&format!(
            "<li>{}<ul>",
            button(Pick::Module(m.clone()), &format!("Module {}", n + 1), &module.title)
        ));
        for lesson in &module.lessons {
            let l = &lesson.id;
            list.push_str(&format!(
                "<li>{}",
                button(Pick::Lesson(m.clone(), l.clone()), "Lesson", &lesson.title)
            ));
            for exercise in &lesson.exercises {
                let e = exercise.id.clone();
                list.push_str(&format!(
                    " {}",
                    button(Pick::Exercise(m.clone(), l.clone(), e), "Exercise", &exercise.title)
                ));
            }
            list.push_str("</li>");
        }
        if let Some(quiz) = &module.quiz {
            list.push_str(&format!(
                "<li>{}</li>",
                button(Pick::Quiz(m.clone()), "Quiz", &quiz.title)
            ));
        }
        list.push_str("</ul></li>");
    }
    let body = page(
        "Add Berth to your course",
        &format!(
            "<p>Choose what the activity opens. Its grade is the score of the module it belongs to \
             (out of {SCORE_MAXIMUM}).</p>\
             <form method=\"post\" action=\"{DEEP_LINK_PATH}\">\
             <input type=\"hidden\" name=\"picker\" value=\"{}\"><ol class=\"picker\">{list}</ol></form>",
            escape(&token)
        ),
    );
    let mut response = Html(body).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors *",
        ),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub(super) struct Choice {
    picker: Option<String>,
    pick: Option<String>,
}

/// The instructor's pick: the waiting request is taken (once), and the
/// signed answer goes back to the platform in a form that submits itself.
pub(super) async fn choose(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(choice): Form<Choice>,
) -> Result<Response, LtiError> {
    let token = choice.picker.ok_or(Refusal::Missing("picker"))?;
    let pick = choice
        .pick
        .as_deref()
        .and_then(Pick::parse)
        .ok_or(Refusal::Missing("pick"))?;
    let title = pick.title(&state.course).ok_or(Refusal::UnknownPick)?;
    let pending = state
        .store
        .take_lti_deep_link(&token_hash(&token))
        .await?
        .ok_or(Refusal::UnknownPicker)?;
    let platform = state
        .store
        .lti_platform(pending.platform)
        .await?
        .ok_or(Refusal::UnknownPlatform)?;
    if !platform.deployment_ids.contains(&pending.deployment_id) {
        return Err(Refusal::UnknownDeployment.into());
    }
    let base = base_url(&state, &headers).ok_or(Refusal::Missing("Host"))?;
    let jwt = sign(&state, &platform, &pending, &pick, &title, &base).await?;
    tracing::info!(platform = %platform.id, user = %pending.user, pick = pick.value(), "LTI deep link made");
    Ok(send_back(&pending.return_url, &jwt, &title))
}

async fn sign(
    state: &AppState,
    platform: &Platform,
    pending: &PendingDeepLink,
    pick: &Pick,
    title: &str,
    base: &str,
) -> Result<String, LtiError> {
    let (kid, key) = super::keys::signing_key(&state.lti, &state.store).await?;
    let now = jsonwebtoken::get_current_timestamp();
    let claims = DeepLinkingResponse {
        iss: platform.client_id.clone(),
        aud: platform.issuer.clone(),
        iat: now,
        exp: now + 600,
        nonce: random_token(),
        deployment_id: pending.deployment_id.clone(),
        message_type: "LtiDeepLinkingResponse",
        version: "1.3.0",
        data: pending.data.clone(),
        content_items: [ResourceLink {
            kind: RESOURCE_LINK,
            url: format!("{base}{LAUNCH_PATH}"),
            title: title.to_string(),
            custom: pick.custom(),
            line_item: LineItem {
                score_maximum: SCORE_MAXIMUM,
                label: title.to_string(),
                resource_id: pick.value(),
            },
        }],
    };
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(kid);
    Ok(jsonwebtoken::encode(&header, &claims, &key).map_err(anyhow::Error::from)?)
}

/// The page that posts the signed answer to the platform's return URL (a
/// button too, for browsers that run no script).
fn send_back(return_url: &str, jwt: &str, title: &str) -> Response {
    const SUBMIT: &str = "document.forms[0].submit()";
    let script_hash = STANDARD.encode(Sha256::digest(SUBMIT.as_bytes()));
    let target = reqwest::Url::parse(return_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let body = page(
        "Adding the activity to your course",
        &format!(
            "<form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"JWT\" value=\"{}\">\
             <p>“{}” goes back to your course.</p><button>Continue</button></form><script>{SUBMIT}</script>",
            escape(return_url),
            escape(jwt),
            escape(title)
        ),
    );
    let csp = format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; base-uri 'none'; \
         form-action {target}; frame-ancestors *"
    );
    let mut response = Html(body).into_response();
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn picks_read_back_from_their_buttons() {
        for pick in [
            Pick::Module("images".into()),
            Pick::Lesson("images".into(), "layers".into()),
            Pick::Exercise("images".into(), "layers".into(), "build".into()),
            Pick::Quiz("images".into()),
        ] {
            assert_eq!(Pick::parse(&pick.value()), Some(pick));
        }
        assert_eq!(Pick::parse("module/a/b"), None);
        assert_eq!(Pick::parse("lesson"), None);
    }

    #[test]
    fn settings_need_a_web_return_url_and_resource_links() {
        let claim = |v: Value| Settings::from_claim(Some(&v));
        let ok = claim(
            json!({"deep_link_return_url": "https://lms.example/dl", "accept_types": ["link", "ltiResourceLink"], "data": "d1"}),
        );
        assert_eq!(ok.unwrap().data, Some(json!("d1")));
        assert!(matches!(
            claim(json!({"deep_link_return_url": "https://lms.example/dl", "accept_types": ["link"]})),
            Err(Refusal::NoResourceLinks)
        ));
        assert!(matches!(
            claim(json!({"deep_link_return_url": "javascript:alert(1)", "accept_types": ["ltiResourceLink"]})),
            Err(Refusal::MissingClaim(_))
        ));
        assert!(matches!(Settings::from_claim(None), Err(Refusal::MissingClaim(_))));
    }
}
