//! Who is signed in, as pages see it, and the pages to sign up and log in.
//! The forms post to the server's `/auth/*` handlers, so they work with
//! JavaScript off; problems come back as a [`crate::error::FormProblem`]
//! in the address.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, FormAlert};
use crate::model::{Role, UserId};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub email: String,
    pub role: Role,
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
    pub id: UserId,
    pub me: Me,
}

impl SignedIn {
    pub fn is_admin(&self) -> bool {
        self.me.role == Role::Admin
    }
}

#[server(endpoint = "me", input = GetUrl)]
pub async fn get_me() -> Result<Option<Me>, AppError> {
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
pub fn require_user() -> Result<UserId, AppError> {
    signed_in().map(|s| s.id).ok_or_else(|| AppError::Unauthorized.answer())
}

/// Instructors and admins: the error (with status 401 or 403) for anyone
/// else.
#[cfg(feature = "ssr")]
pub fn require_staff() -> Result<SignedIn, AppError> {
    match signed_in() {
        Some(user) if user.me.is_staff() => Ok(user),
        Some(_) => Err(AppError::Forbidden.answer()),
        None => Err(AppError::Unauthorized.answer()),
    }
}

/// Admins only: the error (with status 401 or 403) for anyone else.
#[cfg(feature = "ssr")]
pub fn require_admin() -> Result<SignedIn, AppError> {
    match signed_in() {
        Some(user) if user.is_admin() => Ok(user),
        Some(_) => Err(AppError::Forbidden.answer()),
        None => Err(AppError::Unauthorized.answer()),
    }
}

impl Me {
    /// Instructors and admins see class-wide figures.
    pub fn is_staff(&self) -> bool {
        self.role.is_staff()
    }
}

/// A visitor's own part of a page, as far as the page knows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Personal<T> {
    /// Left out of a page rendered for every signed-in learner
    /// ([`crate::SharedPage`]); the page's own call fills it in.
    Deferred,
    Anonymous,
    SignedIn(T),
}

impl<T> Personal<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Personal<U> {
        match self {
            Personal::Deferred => Personal::Deferred,
            Personal::Anonymous => Personal::Anonymous,
            Personal::SignedIn(value) => Personal::SignedIn(f(value)),
        }
    }
}

impl<T> From<Option<T>> for Personal<T> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Personal::Anonymous, Personal::SignedIn)
    }
}

/// Who the header shows on a page rendered for every signed-in learner,
/// once that page's own call has said (`Some(None)`: nobody).
#[derive(Clone, Copy, Debug)]
pub struct HeaderAccount(pub RwSignal<Option<Option<Me>>>);

/// What a signed-in learner without JavaScript gets in the header of a page
/// rendered for every signed-in learner. Set as inner HTML: hydration
/// leaves it alone, where it would trip over a `<noscript>`'s children.
const ACCOUNT_WITHOUT_SCRIPT: &str = r#"<a href="/dashboard">Dashboard</a><form class="logout" method="post" action="/auth/logout"><button type="submit" class="link-button">Log out</button></form>"#;

/// The account corner of the header.
#[component]
pub fn AccountMenu() -> impl IntoView {
    let me = Resource::new(
        || (),
        |_| async {
            if crate::is_shared_page() {
                return Ok(Personal::Deferred);
            }
            get_me().await.map(Personal::from)
        },
    );
    let later = use_context::<HeaderAccount>();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Personal::SignedIn(me)) => account_links(Some(me)),
                    Ok(Personal::Deferred) => view! {
                        {move || later.and_then(|l| l.0.get()).map(account_links)}
                        <noscript inner_html=ACCOUNT_WITHOUT_SCRIPT></noscript>
                    }
                    .into_any(),
                    _ => account_links(None),
                }
            })}
        </Suspense>
    }
}

fn account_links(me: Option<Me>) -> AnyView {
    match me {
        Some(me) => view! {
            {me.is_staff().then(|| view! { <a href="/classrooms">"Classrooms"</a> })}
            {(me.role == Role::Admin).then(|| view! { <a href="/admin/platforms">"Platforms"</a> })}
            <a href="/dashboard">"Dashboard"</a>
            <span class="account-email" title=me.role.as_str()>{me.email}</span>
            <form class="logout" method="post" action="/auth/logout">
                <button type="submit" class="link-button">"Log out"</button>
            </form>
        }
        .into_any(),
        None => view! {
            <a href="/login">"Log in"</a>
            <a class="button small" href="/signup">"Sign up"</a>
        }
        .into_any(),
    }
}

/// The email and password fields of both account forms; a `new` password
/// is one the browser should suggest, not fill in.
#[component]
fn Credentials(new: bool) -> impl IntoView {
    let (autocomplete, minlength) = match new {
        true => ("new-password", Some("8")),
        false => ("current-password", None),
    };
    view! {
        <label>"Email" <input type="email" name="email" autocomplete="email" required /></label>
        <label>
            "Password"
            <input type="password" name="password" autocomplete=autocomplete minlength=minlength required />
        </label>
    }
}

/// The page of an account form: its heading, then the alert for the
/// form's problems above the form itself.
#[component]
fn AuthCard(title: &'static str, heading: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title />
        <section class="auth-card">
            <h1>{heading}</h1>
            <FormAlert />
            {children()}
        </section>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next").unwrap_or_else(|| "/".into()));
    view! {
        <AuthCard title="Log in" heading="Log in">
            <form method="post" action="/auth/login">
                <input type="hidden" name="next" value=next />
                <Credentials new=false />
                <button type="submit" class="button">"Log in"</button>
            </form>
            <p class="meta">"No account yet? " <a href="/signup">"Sign up"</a></p>
        </AuthCard>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let query = use_query_map();
    let invite = move || query.with(|q| q.get("invite").unwrap_or_default());
    let join = move || query.with(|q| q.get("join").unwrap_or_default());
    view! {
        <AuthCard title="Sign up" heading="Create an account">
            <form method="post" action="/auth/signup">
                <input type="hidden" name="join" value=join />
                <Credentials new=true />
                <p class="meta">"At least 8 characters; a few unrelated words make a strong one."</p>
                <label>
                    "Invite code " <span class="meta">"(if your instructor gave you one)"</span>
                    <input type="text" name="invite" value=invite autocomplete="off" />
                </label>
                <button type="submit" class="button">"Sign up"</button>
            </form>
            <p class="meta">"Already have an account? " <a href="/login">"Log in"</a></p>
        </AuthCard>
    }
}
