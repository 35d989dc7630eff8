//! The HTTP surface: pages (rendered by Leptos), their server functions,
//! static files, and health probes.

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::routing::get;
use berth_app::{App, shell};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::trace::TraceLayer;

use crate::state::AppState;
use crate::{health, page_cache, security, site};

pub fn router(state: AppState) -> Router {
    let context = {
        let course = state.course.clone();
        move || {
            provide_context(course.clone());
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
        .leptos_routes_with_context(&state, generate_route_list(App), context, render)
        .fallback(move |req: Request<Body>| not_found(req));
    for folder in site::FOLDERS {
        router = router.route(&format!("/{folder}/{{*path}}"), get(site::serve));
    }
    router = router.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        page_cache::middleware,
    ));
    for layer in security::layers() {
        router = router.layer(layer);
    }
    router.layer(TraceLayer::new_for_http()).with_state(state)
}
