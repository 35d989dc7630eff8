//! The frame around every page: header, theme switch, footer.

use leptos::prelude::*;

/// The theme a learner chose earlier (cookie `theme`), so the server renders
/// it directly and the page does not flash; `None` follows the system setting.
pub fn requested_theme() -> Option<&'static str> {
    #[cfg(feature = "ssr")]
    {
        let parts = use_context::<http::request::Parts>()?;
        let cookies = parts.headers.get(http::header::COOKIE)?.to_str().ok()?;
        cookies
            .split(';')
            .filter_map(|c| c.trim().strip_prefix("theme="))
            .find_map(|v| match v {
                "light" => Some("light"),
                "dark" => Some("dark"),
                _ => None,
            })
    }
    #[cfg(not(feature = "ssr"))]
    None
}

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"⚓"</span>
                "Berth"
            </a>
            <nav class="site-nav" aria-label="Site">
                <a href="/">"Course"</a>
            </nav>
            <div class="account">
                <crate::account::AccountMenu />
            </div>
            <ThemeToggle />
        </header>
    }
}

/// Switches between light and dark. Disabled until the page is hydrated,
/// since it needs the browser code to work.
#[component]
fn ThemeToggle() -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <button
            class="theme-toggle"
            type="button"
            title="Switch between light and dark theme"
            aria-label="Switch between light and dark theme"
            disabled=move || !hydrated.get()
            on:click=move |_| {
                #[cfg(feature = "hydrate")]
                crate::enhance::toggle_theme();
            }
        >
            <span aria-hidden="true" class="theme-icon"></span>
        </button>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>"Berth · hands-on container courses you host yourself"</p>
        </footer>
    }
}
