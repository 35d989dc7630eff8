//! The browser entry point. `cargo xtask` builds this crate for wasm32 and
//! runs wasm-bindgen on it; the server's pages load the result from `/pkg`.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(berth_app::App);
}
