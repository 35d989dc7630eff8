//! Signing up, in and out in the browser. The forms are plain HTML posts
//! (they work without JavaScript); outcomes are redirects, and problems go
//! back to the form as a [`FormProblem`] the page explains.

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::LazyLock;
use tower_sessions::Session;

use berth_app::account::{ClientAddress, Me, SignedIn, Viewer};
use berth_app::error::FormProblem;
use berth_app::model::{Role, UserId};

use super::session::USER_ID;
use super::throttle::Key;
use super::{Email, Password, SignupMode};
use crate::error::Error;
use crate::state::AppState;
use crate::store::{StoreError, User};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/signup", post(signup))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
}

/// The signed-in account, put in the request's extensions by
/// [`resolve_user`].
#[derive(Clone, Debug)]
pub struct CurrentUser(pub User);

/// An instructor or admin making the request: anyone else is refused
/// (401 when not signed in, 403 for learners).
#[derive(Clone, Debug)]
pub struct Staff(pub SignedIn);

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        match parts.extensions.get::<CurrentUser>() {
            None => Err(Error::Unauthorized),
            Some(CurrentUser(user)) if !user.role.is_staff() => {
                Err(Error::Forbidden("this needs an instructor or admin account"))
            }
            Some(CurrentUser(user)) => Ok(Staff(user.signed_in())),
        }
    }
}

/// Tells the pages being rendered who is signed in, and from where.
pub fn provide_me() {
    use leptos::prelude::{provide_context, use_context};
    let Some(parts) = use_context::<Parts>() else {
        return provide_context(Viewer(None));
    };
    let user = parts.extensions.get::<CurrentUser>();
    provide_context(Viewer(user.map(|CurrentUser(u)| u.signed_in())));
    if let Some(ConnectInfo(client)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        provide_context(ClientAddress(client.ip()));
    }
}

impl User {
    /// The account as pages and services see it.
    pub fn signed_in(&self) -> SignedIn {
        SignedIn {
            id: self.id,
            me: Me {
                email: self.email.clone(),
                role: self.role,
            },
        }
    }
}

/// Looks up the session's account once per request and leaves it in the
/// request's extensions for handlers and pages.
pub async fn resolve_user(State(state): State<AppState>, session: Session, mut req: Request, next: Next) -> Response {
    match session.get::<UserId>(USER_ID).await {
        Ok(Some(id)) => match state.store.user_by_id(id).await {
            Ok(Some(user)) => {
                req.extensions_mut().insert(CurrentUser(user));
            }
            // The account was removed: the session means nothing any more.
            Ok(None) => {
                if let Err(e) = session.flush().await {
                    tracing::warn!(error = %e, "forgetting the session of a removed account failed");
                }
            }
            Err(e) => return Error::from(e).into_response(),
        },
        Ok(None) => {}
        Err(e) => return Error::from(e).into_response(),
    }
    next.run(req).await
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Verifies against this when the email has no account, so both answers
/// take as long and say the same.
static DECOY_HASH: LazyLock<String> =
    LazyLock::new(|| password_auth::generate_hash("no account has this password, it only takes time"));

async fn login(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    session: Session,
    Form(form): Form<LoginForm>,
) -> Result<Response, Error> {
    let next = local_path(&form.next);
    // Kept on the way back to the form only when it leads somewhere.
    let keep_next = if next == "/" { "" } else { next };
    let back = |problem| Error::form("/login", problem);
    let account = Key::account(&form.email);
    let keys = [account.clone(), Key::client(client.ip())];
    if let Some(wait) = state.throttle.wait(&keys).await? {
        let seconds = wait.as_secs() + 1;
        return Err(back(FormProblem::Throttled)
            .keeping("wait", &seconds.to_string())
            .keeping("next", keep_next));
    }
    let found = match Email::parse(&form.email) {
        Ok(email) => state.store.user_by_email(&email).await?,
        Err(_) => None,
    };
    let hash = found
        .as_ref()
        .map_or(DECOY_HASH.as_str(), |(_, hash)| hash.as_str())
        .to_string();
    let verified = state.hasher.verify(&form.password, &hash).await;
    let Some((user, _)) = found.filter(|_| verified) else {
        state.throttle.failed(&keys).await?;
        return Err(back(FormProblem::Credentials).keeping("next", keep_next));
    };
    state.throttle.succeeded(&account).await?;
    // A new id at login, so an id planted before login is worth nothing.
    start_session(&session, &user).await?;
    Ok(Redirect::to(next).into_response())
}

#[derive(Deserialize)]
struct SignupForm {
    email: String,
    password: String,
    #[serde(default)]
    invite: String,
    /// A classroom's join code: lets the account in when sign-up is
    /// invite-only, and joins it to the classroom.
    #[serde(default)]
    join: String,
}

async fn signup(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<SignupForm>,
) -> Result<Response, Error> {
    let invite = form.invite.trim();
    let join = form.join.trim();
    let again = |problem| {
        Error::form("/signup", problem)
            .keeping("invite", invite)
            .keeping("join", join)
    };
    if state.signup == SignupMode::Closed {
        return Err(again(FormProblem::SignupClosed));
    }
    let Ok(email) = Email::parse(&form.email) else {
        return Err(again(FormProblem::Email));
    };
    let password = Password::parse(&form.password, Some(email.as_str())).map_err(|p| again(p.form_problem()))?;
    let classroom = match join {
        "" => None,
        code => Some(
            crate::classroom::routes::join_code_open(&state, code)
                .await?
                .ok_or_else(|| again(FormProblem::JoinCode))?,
        ),
    };
    if state.signup == SignupMode::Invite && classroom.is_none() && !state.store.consume_invite(invite).await? {
        return Err(again(FormProblem::Invite));
    }
    let hash = state.hasher.hash(&password).await;
    let user = match state.store.create_user(&email, &hash, Role::Learner).await {
        Ok(user) => user,
        Err(StoreError::EmailTaken(_)) => return Err(again(FormProblem::EmailUnavailable)),
        Err(e) => return Err(e.into()),
    };
    start_session(&session, &user).await?;
    if let Some(room) = classroom {
        // The code may have filled up meanwhile; the join page then says so.
        crate::classroom::routes::admit(&state, room.id, user.id).await?;
        return Ok(Redirect::to(&format!("/join/{join}")).into_response());
    }
    Ok(Redirect::to("/").into_response())
}

async fn logout(session: Session) -> Result<Response, Error> {
    // Deletes the session on the server, not just the cookie.
    session.flush().await?;
    Ok(Redirect::to("/").into_response())
}

/// A new session for `user`, under a new id (one planted before is worth
/// nothing).
pub async fn start_session(session: &Session, user: &User) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.insert(USER_ID, user.id).await
}

/// Only paths on this site are followed after login, never other hosts.
fn local_path(next: &str) -> &str {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    if local { next } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/modules/images"), "/modules/images");
        for outside in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "javascript:x",
            "",
        ] {
            assert_eq!(local_path(outside), "/", "{outside}");
        }
    }
}
