//! Response headers that keep pages from being framed, sniffed or made to
//! run scripts the server did not send.

use axum::http::{HeaderName, HeaderValue, header};
use leptos::prelude::use_context;
use tower_http::set_header::SetResponseHeaderLayer;

/// For everything that is not a page: nothing may run or load.
const STRICT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// For pages: scripts only from this server or carrying this response's
/// nonce (hydration), WebAssembly compilation, inline styles (diagrams).
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; font-src 'self'; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the page policy for the response being rendered. Called inside a
/// Leptos render, where the integration has provided the nonce.
pub fn apply_page_csp() {
    let nonce = leptos::nonce::use_nonce();
    let response = use_context::<leptos_axum::ResponseOptions>();
    if let (Some(nonce), Some(response)) = (nonce, response)
        && let Ok(value) = HeaderValue::from_str(&page_csp(&nonce))
    {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Headers on every response; a page's own CSP takes precedence.
pub fn layers() -> [SetResponseHeaderLayer<HeaderValue>; 5] {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    [
        set(header::CONTENT_SECURITY_POLICY, STRICT_CSP),
        set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        set(header::REFERRER_POLICY, "same-origin"),
        set(header::X_FRAME_OPTIONS, "DENY"),
        set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
    ]
}
