//! What every request handler can reach.

use axum::extract::FromRef;
use berth_app::course::Course;
use leptos::config::LeptosOptions;
use std::sync::Arc;

use crate::page_cache::PageCache;
use crate::site::Site;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub course: Arc<Course>,
    pub store: Store,
    pub site: Arc<Site>,
    /// Rendered pages for visitors without a session.
    pub pages: Arc<PageCache>,
    pub leptos: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
