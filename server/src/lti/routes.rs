//! The addresses a platform uses: `/lti/login` (OIDC third-party login
//! initiation), `/lti/launch` (the signed id_token, posted by the browser)
//! and `/.well-known/jwks.json` (Berth's public keys).
//!
//! A launch only counts in the browser that began its login: `/lti/login`
//! gives that browser a cookie holding the login's state, and `/lti/launch`
//! wants it back. Without it anyone could make a victim's browser post
//! their own valid launch and sign the victim in as them (login CSRF).
//! LMSs frame tools, and a framed Berth gets no cookie in today's
//! browsers, so a framed login first opens Berth in a window of its own
//! and the whole login runs there (`docs/lti.md`).

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use std::time::Duration;
use tower_sessions::Session;
use tower_sessions::cookie::{Cookie, SameSite};

use super::launch::{Launch, LmsRole, Message, Refusal, escape, framable, page};
use super::{DEEP_LINK_PATH, JWKS_PATH, LAUNCH_PATH, LOGIN_PATH};
use crate::error::Error;
use crate::events::Change;
use crate::state::AppState;
use crate::store::{NewClassroom, Platform, User};
use berth_app::model::{ClassroomId, Millis};

/// A login initiation is good for this long before its launch.
const LOGIN_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// The browser's cookie for a login is `berth-lti-` and this many
/// characters of its state: one per login, so two launches at once in one
/// browser do not spoil each other.
const BINDING_NAME_CHARS: usize = 16;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(LOGIN_PATH, get(login).post(login))
        .route(LAUNCH_PATH, axum::routing::post(launch))
        .route(DEEP_LINK_PATH, axum::routing::post(super::deep_link::choose))
        .route(JWKS_PATH, get(jwks))
}

/// The paths platforms post to from their own pages: their requests are
/// cross-site by nature and are trusted for what they carry (a state and a
/// signed token), not for where they come from.
pub const CROSS_SITE_POSTS: [&str; 2] = [LOGIN_PATH, LAUNCH_PATH];

/// Where platforms reach this Berth: `--public-url`, or this request's host.
pub(super) fn base_url(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    state.lti.base_url(state.secure_cookies, host)
}

/// 32 random bytes, URL-safe.
pub(super) fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[derive(Deserialize)]
struct LoginParams {
    iss: Option<String>,
    login_hint: Option<String>,
    target_link_uri: Option<String>,
    lti_message_hint: Option<String>,
    client_id: Option<String>,
    lti_deployment_id: Option<String>,
}

/// OIDC third-party login initiation: checks who asks, remembers a state
/// and a nonce, gives the browser the state in a cookie, and sends it to
/// the platform's authorization endpoint, which answers with the launch.
/// Framed, it first offers the same login in a window of Berth's own.
async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(params): Form<LoginParams>,
) -> Result<Response, LtiError> {
    let issuer = params.iss.as_deref().ok_or(Refusal::Missing("iss"))?;
    let login_hint = params.login_hint.as_deref().ok_or(Refusal::Missing("login_hint"))?;
    let target = params
        .target_link_uri
        .as_deref()
        .ok_or(Refusal::Missing("target_link_uri"))?;
    let mut platforms = state.store.lti_platforms_of(issuer).await?;
    if let Some(client_id) = &params.client_id {
        platforms.retain(|p| &p.client_id == client_id);
    }
    // Without a client id, the issuer must name one registration.
    let [platform] = platforms.as_slice() else {
        return Err(Refusal::UnknownPlatform.into());
    };
    if let Some(deployment) = &params.lti_deployment_id
        && !platform.deployment_ids.contains(deployment)
    {
        return Err(Refusal::UnknownDeployment.into());
    }
    let base = base_url(&state, &headers).ok_or(Refusal::Missing("Host"))?;
    if local_target(&base, target).is_none() {
        return Err(Refusal::ForeignTarget.into());
    }
    if framed(&headers) {
        return Ok(open_in_a_window(&params));
    }
    let (login_state, nonce) = (random_token(), random_token());
    let expires = Millis::now().plus(LOGIN_LIFETIME);
    state
        .store
        .add_lti_login(&login_state, &nonce, platform.id, expires)
        .await?;
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("scope", "openid")
        .append_pair("response_type", "id_token")
        .append_pair("response_mode", "form_post")
        .append_pair("prompt", "none")
        .append_pair("client_id", &platform.client_id)
        .append_pair("redirect_uri", &format!("{base}{LAUNCH_PATH}"))
        .append_pair("login_hint", login_hint)
        .append_pair("state", &login_state)
        .append_pair("nonce", &nonce);
    if let Some(hint) = &params.lti_message_hint {
        query.append_pair("lti_message_hint", hint);
    }
    let separator = if platform.auth_url.contains('?') { '&' } else { '?' };
    let to_platform = Redirect::to(&format!("{}{separator}{}", platform.auth_url, query.finish()));
    Ok((binding(&login_state, LOGIN_LIFETIME), to_platform).into_response())
}

/// Whether the browser shows this response in a frame (an LMS's iframe).
fn framed(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-dest")
        .is_some_and(|d| d == "iframe" || d == "frame")
}

/// The page a framed login gets: a link to the same login, in a window of
/// Berth's own, where its cookies are first-party.
fn open_in_a_window(params: &LoginParams) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in [
        ("iss", &params.iss),
        ("login_hint", &params.login_hint),
        ("target_link_uri", &params.target_link_uri),
        ("lti_message_hint", &params.lti_message_hint),
        ("client_id", &params.client_id),
        ("lti_deployment_id", &params.lti_deployment_id),
    ] {
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    let body = page(
        "Berth opens in its own window",
        &format!(
            "<p>Your course opens Berth in a window of its own, where your labs and progress are kept.</p>\
             <p><a class=\"button\" href=\"{}\" target=\"_blank\" rel=\"noopener\">Open Berth</a></p>",
            escape(&format!("{LOGIN_PATH}?{}", query.finish()))
        ),
    );
    framable(Html(body).into_response())
}

/// The cookie that binds a login to the browser that began it: sent back
/// only to `/lti/launch`, which the platform's page posts cross-site, so
/// `SameSite=None` (and so `Secure`: LTI runs on https, and browsers
/// count loopback as secure for tests). A zero lifetime removes it.
fn binding(login_state: &str, lifetime: Duration) -> [(header::HeaderName, String); 1] {
    let name = format!("berth-lti-{}", binding_key(login_state).unwrap_or_default());
    let cookie = Cookie::build((name, login_state.to_string()))
        .path(LAUNCH_PATH)
        .http_only(true)
        .secure(true)
        .same_site(SameSite::None)
        .max_age(tower_sessions::cookie::time::Duration::seconds(
            lifetime.as_secs() as i64
        ));
    [(header::SET_COOKIE, cookie.to_string())]
}

fn binding_key(login_state: &str) -> Option<&str> {
    login_state.get(..BINDING_NAME_CHARS)
}

/// Whether the request carries the binding cookie of `login_state`.
fn began_here(headers: &HeaderMap, login_state: &str) -> bool {
    let Some(key) = binding_key(login_state) else {
        return false;
    };
    let name = format!("berth-lti-{key}");
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(Cookie::split_parse)
        .flatten()
        .any(|c| c.name() == name && c.value() == login_state)
}

/// `target` as a path of this site, if it is on it.
fn local_target<'a>(base: &str, target: &'a str) -> Option<&'a str> {
    let path = target.strip_prefix(base)?;
    if path.is_empty() {
        return Some("/");
    }
    let local = path.starts_with('/') && !path.starts_with("//") && !path.contains('\\');
    local.then_some(path)
}

#[derive(Deserialize)]
struct LaunchForm {
    id_token: Option<String>,
    state: Option<String>,
    /// An OIDC error instead of a token (e.g. `login_required`).
    error: Option<String>,
    error_description: Option<String>,
}

/// The launch: checks it comes to the browser that began its login,
/// verifies the id_token against that login, makes or finds the account
/// and the classroom, and signs the person in.
async fn launch(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<LaunchForm>,
) -> Result<Response, LtiError> {
    if let Some(error) = form.error {
        let said = match form.error_description {
            Some(description) => format!("{error} ({description})"),
            None => error,
        };
        return Err(Refusal::PlatformSaid(said).into());
    }
    let login_state = form.state.ok_or(Refusal::Missing("state"))?;
    let token = form.id_token.ok_or(Refusal::Missing("id_token"))?;
    if !began_here(&headers, &login_state) {
        return Err(Refusal::OtherBrowser.into());
    }
    let login = state
        .store
        .take_lti_login(&login_state)
        .await?
        .ok_or(Refusal::UnknownState)?;
    let platform = state
        .store
        .lti_platform(login.platform)
        .await?
        .ok_or(Refusal::UnknownPlatform)?;
    let kid = jsonwebtoken::decode_header(&token)
        .ok()
        .and_then(|h| h.kid)
        .unwrap_or_default();
    let keys = state
        .lti
        .platform_keys(&platform, &kid)
        .await
        .map_err(Refusal::KeySet)?;
    let launch = Launch::verify(&token, &platform, &login, &keys)?;
    // Only the course's teachers add activities; refused before any
    // account is made.
    if matches!(launch.message, Message::DeepLinking(_)) && launch.role != LmsRole::Instructor {
        return Err(Refusal::NotInstructor.into());
    }
    let user = super::accounts::account(&state.store, &platform, &launch.person()).await?;
    if let Some((context, title)) = &launch.context {
        enrol(&state, &platform, &user, &launch, context, title).await?;
    }
    if let Message::DeepLinking(settings) = &launch.message {
        let picker = super::deep_link::picker(&state, &platform, &user, &launch, settings).await?;
        tracing::info!(platform = %platform.id, user = %user.id, "LTI deep linking launch");
        crate::auth::start_session(&session, &user).await.map_err(Error::from)?;
        return Ok((binding(&login_state, Duration::ZERO), picker).into_response());
    }
    let base = base_url(&state, &headers).ok_or(Refusal::Missing("Host"))?;
    let target = landing(&state, &base, &launch);
    super::ags::remember_link(&state.store, &state.grading, &platform, &user, &launch, &target).await?;
    tracing::info!(platform = %platform.id, user = %user.id, target, "LTI launch");
    crate::auth::start_session(&session, &user).await.map_err(Error::from)?;
    Ok((binding(&login_state, Duration::ZERO), Redirect::to(&target)).into_response())
}

/// Puts the person in the classroom of their LMS course. The first
/// instructor to launch makes it (and owns it); learners who launched
/// before are kept and join it then. Where the platform lists the course's
/// members is remembered for the classroom's roster pulls.
async fn enrol(
    state: &AppState,
    platform: &Platform,
    user: &User,
    launch: &Launch,
    context: &str,
    title: &str,
) -> Result<(), LtiError> {
    let role = launch.role;
    let course = state.store.lti_context(platform.id, context, title).await?;
    if let Some(url) = &launch.memberships_url {
        state.store.set_lti_context_memberships(course.id, url).await?;
    }
    let classroom = match (course.classroom, role) {
        (Some(room), _) => room,
        (None, LmsRole::Learner) => {
            state.store.add_lti_context_learner(course.id, user.id).await?;
            return Ok(());
        }
        (None, LmsRole::Instructor) => {
            let made = make_classroom(state, user, title).await?;
            let room = state.store.set_lti_context_classroom(course.id, made).await?;
            for learner in state.store.lti_context_learners(course.id).await? {
                state.store.add_member(room, learner).await?;
            }
            tracing::info!(classroom = %room, owner = %user.id, "classroom made for an LMS course");
            state.events.publish(Change::Roster { classroom: room });
            room
        }
    };
    if role == LmsRole::Learner {
        state.store.add_lti_context_learner(course.id, user.id).await?;
        if state.store.add_member(classroom, user.id).await? {
            state.events.publish(Change::Roster { classroom });
        }
    }
    Ok(())
}

/// A classroom joined only through the LMS: its code is closed from the
/// start.
async fn make_classroom(state: &AppState, owner: &User, title: &str) -> Result<ClassroomId, LtiError> {
    Ok(state
        .store
        .create_classroom(NewClassroom {
            name: title,
            owner: owner.id,
            join_code: &crate::classroom::new_join_code(),
            join_limit: 1,
            code_expires_at: Millis::now(),
            starts_on: None,
            ends_on: None,
        })
        .await?)
}

/// Where the launch leads: the resource link's custom `module` (and
/// `lesson`, or `quiz`: deep links set them) if the course has it, else its target link if on this site,
/// else the course's front page.
fn landing(state: &AppState, base: &str, launch: &Launch) -> String {
    let course = &state.course;
    if let Some(module) = launch.custom.get("module")
        && let Some(view) = course.module_view(module)
    {
        if launch.custom.contains_key("quiz") && view.quiz.is_some() {
            return berth_app::course::quiz_href(module);
        }
        return match launch.custom.get("lesson") {
            Some(lesson) if course.lesson_view(module, lesson).is_some() => {
                berth_app::course::lesson_href(module, lesson)
            }
            _ => berth_app::course::module_href(module),
        };
    }
    launch
        .target_link_uri
        .as_deref()
        .and_then(|t| local_target(base, t))
        .filter(|path| !path.starts_with("/lti/"))
        .unwrap_or("/")
        .to_string()
}

async fn jwks(State(state): State<AppState>) -> Result<Response, Error> {
    let set = super::key_set(&state.lti, &state.store).await?;
    Ok(([(header::CACHE_CONTROL, "public, max-age=300")], Json(set)).into_response())
}

/// A refusal, or a failure of Berth's own.
pub enum LtiError {
    Refused(Refusal),
    Failed(Error),
}

impl From<Refusal> for LtiError {
    fn from(r: Refusal) -> Self {
        LtiError::Refused(r)
    }
}

impl<E: Into<Error>> From<E> for LtiError {
    fn from(e: E) -> Self {
        LtiError::Failed(e.into())
    }
}

impl IntoResponse for LtiError {
    fn into_response(self) -> Response {
        match self {
            LtiError::Refused(r) => r.into_response(),
            LtiError::Failed(e) => e.into_response(),
        }
    }
}
