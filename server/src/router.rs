//! The HTTP surface: pages (rendered by Leptos), their server functions,
//! static files, and health probes.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Extensions, HeaderMap, StatusCode, Version};
use axum::routing::get;
use axum::{Router, middleware};
use berth_app::classroom::SharedClassrooms;
use berth_app::lab::SharedLabs;
use berth_app::platforms::SharedPlatforms;
use berth_app::records::SharedRecords;
use berth_app::{App, shell};
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::sync::{Arc, OnceLock};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::state::AppState;
use crate::{auth, health, lab, page_cache, quiz, security, site};

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "berth_session";

pub fn router(state: AppState) -> Router {
    let context = {
        let course = state.course.clone();
        let quiz_book = state.quiz_book.clone();
        let labs: SharedLabs = state.labs.clone();
        let classrooms: SharedClassrooms = state.classrooms.clone();
        let live = state.live.is_some();
        let records: SharedRecords = Arc::new(crate::records::Records::new(state.store.clone(), state.events.clone()));
        let platforms: SharedPlatforms = Arc::new(crate::lti::PlatformsPage::new(
            state.store.clone(),
            state.lti.clone(),
            state.secure_cookies,
        ));
        let assets = state.site.assets();
        move || {
            provide_context(assets.clone());
            provide_context(course.clone());
            provide_context(quiz_book.clone());
            provide_context(labs.clone());
            provide_context(classrooms.clone());
            if live {
                provide_context(berth_app::LiveReload);
            }
            provide_context(records.clone());
            provide_context(platforms.clone());
            auth::provide_me();
            page_cache::use_placeholder_nonce();
            security::apply_page_csp();
        }
    };
    let render = {
        let options = state.leptos.clone();
        move || shell(options.clone())
    };
    let not_found = leptos_axum::render_app_async_with_context(context.clone(), render.clone());

    let mut router = Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .leptos_routes_with_context(&state, page_routes(), context, render)
        .fallback(move |req: Request<Body>| not_found(req));
    for folder in site::FOLDERS {
        router = router.route(&format!("/{folder}/{{*path}}"), get(site::serve));
    }
    let sessions = SessionManagerLayer::new(state.sessions.clone())
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(i64::from(
            state.session_idle_minutes,
        ))));
    router = router
        .merge(auth::router())
        .merge(quiz::routes::router())
        .merge(crate::classroom::routes::router())
        .merge(lab::terminal::router())
        .merge(crate::watch::router())
        .merge(crate::lti::router())
        .layer(middleware::from_fn_with_state(state.clone(), auth::resolve_user))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(state.clone(), page_cache::middleware))
        .layer(middleware::from_fn(security::refuse_cross_site));
    for layer in security::layers() {
        router = router.layer(layer);
    }
    router
        .layer(compression())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Pages and JSON, compressed as the browser allows (brotli at quality 4,
/// as nginx does on the fly). The site's files are not: they come
/// compressed from the build (`site.rs`).
fn compression() -> CompressionLayer<impl Predicate> {
    let built =
        |_: StatusCode, _: Version, _: &HeaderMap, extensions: &Extensions| extensions.get::<site::Built>().is_none();
    CompressionLayer::new().compress_when(DefaultPredicate::new().and(built))
}

/// The pages' routes, listed once per process. Listing them runs the app
/// with resource loading suppressed through a process-wide flag, and a
/// render whose resource first polls meanwhile waits forever (leptos issue
/// #4773); listing once, before any server exists, rules that out.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}
