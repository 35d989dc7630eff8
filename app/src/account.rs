//! Who is signed in, as pages see it, and the pages to sign up and log in.
//! The forms post to the server's `/auth/*` handlers, so they work with
//! JavaScript off; problems come back as a short code in the address.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub email: String,
    pub role: String,
}

/// Provided by the server for each request: the signed-in account, if
/// any. The id stays on the server; pages only ever see [`Me`].
#[derive(Clone, Debug)]
pub struct Viewer(pub Option<SignedIn>);

/// Provided by the server for each request: the address the request came
/// from (a reverse proxy's, behind one).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub std::net::IpAddr);

#[derive(Clone, Debug)]
pub struct SignedIn {
    pub id: i64,
    pub me: Me,
}

#[server(endpoint = "me", input = GetUrl)]
pub async fn get_me() -> Result<Option<Me>, ServerFnError> {
    Ok(signed_in().map(|s| s.me))
}

/// The account the current request is made for.
#[cfg(feature = "ssr")]
pub fn signed_in() -> Option<SignedIn> {
    use_context::<Viewer>().and_then(|v| v.0)
}

/// The account's id, or the error a server function answers to anyone
/// not signed in.
#[cfg(feature = "ssr")]
pub fn require_user() -> Result<i64, ServerFnError> {
    signed_in()
        .map(|s| s.id)
        .ok_or_else(|| ServerFnError::new("log in first"))
}

/// Instructors and admins: the error (with status 401 or 403) for anyone
/// else.
#[cfg(feature = "ssr")]
pub fn require_staff() -> Result<SignedIn, ServerFnError> {
    let refuse = |status: http::StatusCode, message: &str| {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
        }
        ServerFnError::new(message)
    };
    match signed_in() {
        Some(user) if user.me.is_staff() => Ok(user),
        Some(_) => Err(refuse(
            http::StatusCode::FORBIDDEN,
            "this needs an instructor or admin account",
        )),
        None => Err(refuse(http::StatusCode::UNAUTHORIZED, "log in first")),
    }
}

impl Me {
    /// Instructors and admins see class-wide figures.
    pub fn is_staff(&self) -> bool {
        matches!(self.role.as_str(), "instructor" | "admin")
    }
}

/// The account corner of the header.
#[component]
pub fn AccountMenu() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! {
                        {me.is_staff().then(|| view! { <a href="/classrooms">"Classrooms"</a> })}
                        <a href="/dashboard">"Dashboard"</a>
                        <span class="account-email" title=me.role.clone()>{me.email}</span>
                        <form class="logout" method="post" action="/auth/logout">
                            <button type="submit" class="link-button">"Log out"</button>
                        </form>
                    }
                    .into_any(),
                    _ => view! {
                        <a href="/login">"Log in"</a>
                        <a class="button small" href="/signup">"Sign up"</a>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

fn problem(code: &str, wait: &str) -> String {
    match code {
        "credentials" => "That email and password do not match an account.".into(),
        "throttled" => format!("Too many attempts. Wait {wait} seconds, then try again."),
        "closed" => "Sign-up is closed on this server. Ask your instructor for an account.".into(),
        "email" => "Enter a valid email address.".into(),
        "password-short" => "Use a password of at least 8 characters.".into(),
        "password-long" => "Use a password of at most 1024 characters.".into(),
        "password-common" => "That password is too common or too easy to guess. Try a few unrelated words.".into(),
        "invite" => "That invite code is not valid: it may be mistyped, expired or used up.".into(),
        "join" => "That classroom link is not valid any more: it may be mistyped, expired or full. Ask your instructor for a new one.".into(),
        "unavailable" => "An account could not be created with this email. If you already have one, log in.".into(),
        _ => "Something went wrong. Please try again.".into(),
    }
}

/// The problem named in the address, if any, as an alert.
#[component]
fn Problem() -> impl IntoView {
    let query = use_query_map();
    move || {
        query.with(|q| {
            q.get("error").map(|code| {
                let text = problem(&code, &q.get("wait").unwrap_or_default());
                view! { <p class="form-error" role="alert">{text}</p> }
            })
        })
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next").unwrap_or_else(|| "/".into()));
    view! {
        <Title text="Log in" />
        <section class="auth-card">
            <h1>"Log in"</h1>
            <Problem />
            <form method="post" action="/auth/login">
                <input type="hidden" name="next" value=next />
                <label>"Email" <input type="email" name="email" autocomplete="email" required /></label>
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="current-password" required />
                </label>
                <button type="submit" class="button">"Log in"</button>
            </form>
            <p class="meta">"No account yet? " <a href="/signup">"Sign up"</a></p>
        </section>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let query = use_query_map();
    let invite = move || query.with(|q| q.get("invite").unwrap_or_default());
    let join = move || query.with(|q| q.get("join").unwrap_or_default());
    view! {
        <Title text="Sign up" />
        <section class="auth-card">
            <h1>"Create an account"</h1>
            <Problem />
            <form method="post" action="/auth/signup">
                <input type="hidden" name="join" value=join />
                <label>"Email" <input type="email" name="email" autocomplete="email" required /></label>
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="new-password" minlength="8" required />
                </label>
                <p class="meta">"At least 8 characters; a few unrelated words make a strong one."</p>
                <label>
                    "Invite code " <span class="meta">"(if your instructor gave you one)"</span>
                    <input type="text" name="invite" value=invite autocomplete="off" />
                </label>
                <button type="submit" class="button">"Sign up"</button>
            </form>
            <p class="meta">"Already have an account? " <a href="/login">"Log in"</a></p>
        </section>
    }
}
