//! Course pages look the same to every visitor without a session (one
//! variant per theme), and the course does not change while the server
//! runs. So the first render of each page is kept and later requests get a
//! copy, with a fresh CSP nonce substituted for a placeholder.
//!
//! A lesson is also one document for every signed-in learner: rendered as
//! a [`SharedPage`], it leaves out whatever is the learner's, which the
//! page loads in one call once hydrated. That variant is rendered from the
//! request stripped of its cookies (but the theme), so it is rendered for
//! nobody and cannot hold anything of one learner's (a name, progress, a
//! token), and a signed-in view costs a copy of it plus that call.
//!
//! Only successful `GET`s of HTML pages without a query string and with no
//! cookies but the theme and the session are kept, so the cache holds at
//! most two entries per page of the course and theme, whatever addresses
//! clients ask for. Any other cookie, or a session on a page other than a
//! lesson, is rendered afresh.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use berth_app::SharedPage;
use berth_app::course::{Course, lesson_of_path};
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::router::SESSION_COOKIE;
use crate::state::AppState;

/// Pages larger than this are served but not kept.
const MAX_PAGE_BYTES: usize = 2 << 20;

pub struct PageCache {
    /// Stands in for the nonce in kept pages; random per process, so no
    /// lesson text can contain it by accident or design.
    placeholder: Arc<str>,
    pages: RwLock<HashMap<Key, Arc<Page>>>,
}

/// Path, theme, and whom the page was rendered for.
type Key = (String, Option<&'static str>, Audience);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Audience {
    /// Visitors without a session: the page as it is.
    Visitors,
    /// Signed-in learners: a lesson rendered as a [`SharedPage`].
    Learners,
}

struct Page {
    status: StatusCode,
    body: String,
    content_type: HeaderValue,
    csp: String,
}

/// Put into a request's extensions to have Leptos render it with the
/// placeholder nonce.
#[derive(Clone, Debug)]
struct PlaceholderNonce(Arc<str>);

impl Default for PageCache {
    fn default() -> Self {
        Self {
            placeholder: Nonce::new().to_string().into(),
            pages: RwLock::default(),
        }
    }
}

impl PageCache {
    fn get(&self, key: &Key) -> Option<Arc<Page>> {
        self.pages.read().expect("page cache lock").get(key).cloned()
    }

    fn insert(&self, key: Key, page: Arc<Page>) {
        self.pages.write().expect("page cache lock").insert(key, page);
    }

    /// The page with a nonce of its own.
    fn respond(&self, page: &Page) -> Response {
        let nonce = Nonce::new().to_string();
        let body = page.body.replace(&*self.placeholder, &nonce);
        let mut res = (page.status, [(header::CONTENT_TYPE, page.content_type.clone())], body).into_response();
        if let Ok(csp) = HeaderValue::from_str(&page.csp.replace(&*self.placeholder, &nonce)) {
            res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
        }
        res
    }
}

pub async fn middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(key) = cache_key(&req, &state.course) else {
        return next.run(req).await;
    };
    let cache = &state.pages;
    if let Some(page) = cache.get(&key) {
        return cache.respond(&page);
    }
    req.extensions_mut().insert(PlaceholderNonce(cache.placeholder.clone()));
    let audience = key.2;
    if audience == Audience::Learners {
        let headers = req.headers_mut();
        headers.remove(header::COOKIE);
        if let Some(theme) = key.1 {
            headers.insert(header::COOKIE, HeaderValue::from_static(theme_cookie(theme)));
        }
        req.extensions_mut().insert(SharedPage);
    }
    let res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return res;
    }
    let (parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(path = %key.0, error = %e, "rendering a page failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let page = Page {
        status: parts.status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        content_type: parts.headers[header::CONTENT_TYPE].clone(),
        csp: parts
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
    };
    let mut res = cache.respond(&page);
    let cookies: Vec<_> = parts.headers.get_all(header::SET_COOKIE).iter().cloned().collect();
    match audience {
        Audience::Visitors => {
            for cookie in &cookies {
                res.headers_mut().append(header::SET_COOKIE, cookie.clone());
            }
        }
        // Rendered for nobody: a cookie from it is no learner's.
        Audience::Learners if !cookies.is_empty() => {
            tracing::error!(path = %key.0, "a lesson rendered for every learner set a cookie; not kept");
        }
        Audience::Learners => {}
    }
    // Only pages of the course are kept (a 404 for any address a client
    // invents would let the cache grow without bound), and never one that
    // sets a cookie.
    if page.status == StatusCode::OK && cookies.is_empty() {
        cache.insert(key, Arc::new(page));
    }
    res
}

fn theme_cookie(theme: &'static str) -> &'static str {
    match theme {
        "dark" => "theme=dark",
        _ => "theme=light",
    }
}

/// Inside a Leptos render: if the page cache asked for it, render with the
/// placeholder instead of a random nonce.
pub fn use_placeholder_nonce() {
    let placeholder = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<PlaceholderNonce>().cloned());
    if let Some(PlaceholderNonce(value)) = placeholder {
        provide_context(Nonce::from_value(value));
    }
}

/// The cache key, or `None` for requests that must be rendered afresh.
fn cache_key(req: &Request<Body>, course: &Course) -> Option<Key> {
    if req.method() != Method::GET || req.uri().query().is_some() {
        return None;
    }
    let (mut theme, mut session) = (None, false);
    for cookies in req.headers().get_all(header::COOKIE) {
        for cookie in cookies.to_str().ok()?.split(';').filter(|c| !c.trim().is_empty()) {
            match cookie.trim().split_once('=') {
                Some(("theme", "light")) => theme = Some("light"),
                Some(("theme", "dark")) => theme = Some("dark"),
                Some(("theme", _)) => {}
                Some((name, _)) if name == SESSION_COOKIE => session = true,
                _ => return None,
            }
        }
    }
    let path = req.uri().path();
    let audience = match session {
        false => Audience::Visitors,
        true => {
            let (module, lesson) = lesson_of_path(path)?;
            course.has_lesson(module, lesson).then_some(Audience::Learners)?
        }
    };
    Some((path.to_string(), theme, audience))
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_app::course::{Lesson, Module};

    fn course() -> Course {
        let lesson = Lesson {
            id: "b".into(),
            title: "B".into(),
            html: String::new(),
            toc: vec![],
            exercises: vec![],
        };
        Course {
            title: "T".into(),
            description: String::new(),
            modules: vec![Module {
                id: "a".into(),
                title: "A".into(),
                summary: String::new(),
                objectives: vec![],
                duration_minutes: 1,
                lessons: vec![lesson],
                quiz: None,
            }],
        }
    }

    fn key(method: Method, uri: &str, cookie: Option<&str>) -> Option<Key> {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(cookie) = cookie {
            req = req.header(header::COOKIE, cookie);
        }
        cache_key(&req.body(Body::empty()).unwrap(), &course())
    }

    #[test]
    fn only_anonymous_gets_without_a_query_are_kept() {
        let visitors = |path: &str, theme| Some((path.to_string(), theme, Audience::Visitors));
        assert_eq!(key(Method::GET, "/modules/a", None), visitors("/modules/a", None));
        assert_eq!(key(Method::GET, "/", Some("theme=dark")), visitors("/", Some("dark")));
        assert_eq!(key(Method::GET, "/", Some("theme=purple")), visitors("/", None));
        assert_eq!(key(Method::GET, "/", Some("theme=dark; id=s3cret")), None);
        assert_eq!(key(Method::GET, "/?x=1", None), None);
        assert_eq!(key(Method::POST, "/", None), None);
    }

    #[test]
    fn signed_in_learners_share_lessons_only() {
        let session = "theme=dark; berth_session=abc";
        assert_eq!(
            key(Method::GET, "/modules/a/b", Some(session)),
            Some(("/modules/a/b".into(), Some("dark"), Audience::Learners))
        );
        for other in [
            "/",
            "/dashboard",
            "/modules/a",
            "/modules/a/quiz",
            "/modules/a/nope",
            "/modules/a/b/c",
        ] {
            assert_eq!(key(Method::GET, other, Some(session)), None, "{other}");
        }
        assert_eq!(key(Method::GET, "/modules/a/b?lab", Some(session)), None);
        assert_eq!(
            key(Method::GET, "/modules/a/b", Some("berth_session=abc; other=1")),
            None
        );
    }
}
