//! Browser-only touches on server-rendered lesson HTML: copy buttons on code
//! blocks, mermaid diagrams, and the theme switch.

use leptos::web_sys::{self, Element, MouseEvent};
use wasm_bindgen::{JsCast, JsValue, prelude::*};

/// Mermaid's URL: `cargo xtask build` passes its content-hashed name, so
/// browsers keep it for good; the plain name is served too, revalidated.
const MERMAID_SRC: &str = match option_env!("BERTH_MERMAID_URL") {
    Some(url) => url,
    None => "/vendor/mermaid.min.js",
};
const MERMAID_SCRIPT_ID: &str = "berth-mermaid";

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = mermaid, js_name = initialize)]
    fn mermaid_initialize(config: &JsValue);
    #[wasm_bindgen(js_namespace = mermaid, js_name = run, catch)]
    fn mermaid_run() -> Result<js_sys::Promise, JsValue>;
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Enhances the lesson body on the next animation frame, when a page built
/// by client-side navigation is attached to the document.
pub fn lesson_body_soon() {
    let Some(window) = web_sys::window() else { return };
    let callback = Closure::once_into_js(lesson_body);
    let _ = window.request_animation_frame(callback.unchecked_ref());
}

/// Adds a copy button to every code block and renders diagrams once one
/// comes near the screen. Safe to call more than once: blocks already
/// handled are skipped.
fn lesson_body() {
    let Some(doc) = document() else { return };
    if let Ok(blocks) = doc.query_selector_all(".prose .code:not([data-copy])") {
        for i in 0..blocks.length() {
            let Some(block) = blocks.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let _ = block.set_attribute("data-copy", "");
            let add = |class: &str, label: &str, text: &str| {
                if let Ok(button) = doc.create_element("button") {
                    let _ = button.set_attribute("type", "button");
                    let _ = button.set_attribute("class", class);
                    let _ = button.set_attribute("aria-label", label);
                    button.set_text_content(Some(text));
                    let _ = block.append_child(&button);
                }
            };
            add("copy", "Copy code to clipboard", "Copy");
            if block.has_attribute("data-run") {
                add("run", "Run this in the lab's terminal", "Run");
            }
        }
    }
    draw_diagrams_when_seen(&doc);
}

/// Diagrams are drawn when the first comes within a screen of view, not
/// with the page: mermaid takes about a second of the page's only thread
/// to load and draw, and a learner who starts the lab at once would wait
/// that long for the prompt.
fn draw_diagrams_when_seen(doc: &web_sys::Document) {
    let Ok(pending) = doc.query_selector_all(".prose pre.mermaid:not([data-processed])") else {
        return;
    };
    if pending.length() == 0 {
        return;
    }
    let seen = Closure::<dyn FnMut(js_sys::Array, web_sys::IntersectionObserver)>::new(
        |entries: js_sys::Array, observer: web_sys::IntersectionObserver| {
            let near = entries.iter().any(|e| {
                e.unchecked_into::<web_sys::IntersectionObserverEntry>()
                    .is_intersecting()
            });
            if near {
                observer.disconnect();
                if let Some(doc) = document() {
                    render_diagrams(&doc);
                }
            }
        },
    );
    let options = web_sys::IntersectionObserverInit::new();
    options.set_root_margin("100% 0px");
    let Ok(observer) = web_sys::IntersectionObserver::new_with_options(seen.as_ref().unchecked_ref(), &options) else {
        render_diagrams(doc);
        return;
    };
    // Lives as long as the observer, which the page's diagrams hold.
    seen.forget();
    for i in 0..pending.length() {
        if let Some(diagram) = pending.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            observer.observe(&diagram);
        }
    }
}

/// Handles clicks on copy buttons inside the lesson body (one delegated
/// listener instead of one per button).
pub fn on_prose_click(ev: &MouseEvent) {
    let Some(button) = ev
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|t| t.closest("button.copy, button.run").ok().flatten())
    else {
        return;
    };
    let Some(code) = button
        .parent_element()
        .and_then(|block| block.query_selector("pre").ok().flatten())
        .and_then(|pre| pre.text_content())
    else {
        return;
    };
    if button.class_list().contains("run") {
        run_in_terminal(&button, &code);
        return;
    }
    let Some(window) = web_sys::window() else { return };
    let _ = window.navigator().clipboard().write_text(&code);
    button.set_text_content(Some("Copied"));
}

/// Types the command into the lab's terminal (see assets/terminal.js): in
/// a lab of several nodes, the one whose tab is showing.
fn run_in_terminal(button: &Element, code: &str) {
    let terminal = document().and_then(|d| d.query_selector("berth-terminal:not([hidden])").ok().flatten());
    let run = terminal.as_ref().and_then(|t| {
        js_sys::Reflect::get(t, &JsValue::from_str("run"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    });
    match (terminal, run) {
        (Some(terminal), Some(run)) => {
            let _ = run.call1(&terminal, &JsValue::from_str(code));
            button.set_text_content(Some("Run"));
        }
        _ => button.set_text_content(Some("Start the lab first")),
    }
}

fn render_diagrams(doc: &web_sys::Document) {
    match doc.get_element_by_id(MERMAID_SCRIPT_ID) {
        Some(script) if script.has_attribute("data-ready") => run_mermaid(),
        Some(_) => {} // still loading: its onload renders every diagram
        None => {
            let Ok(script) = doc.create_element("script") else {
                return;
            };
            let _ = script.set_attribute("id", MERMAID_SCRIPT_ID);
            let _ = script.set_attribute("src", MERMAID_SRC);
            let loaded = script.clone();
            let onload = Closure::once_into_js(move || {
                let _ = loaded.set_attribute("data-ready", "");
                run_mermaid();
            });
            if let Ok(script) = script.dyn_into::<web_sys::HtmlScriptElement>() {
                script.set_onload(Some(onload.unchecked_ref()));
                if let Some(head) = doc.head() {
                    let _ = head.append_child(&script);
                }
            }
        }
    }
}

fn run_mermaid() {
    let config = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&config, &k.into(), &v);
    };
    set("startOnLoad", false.into());
    set("securityLevel", "strict".into());
    set("theme", if is_dark() { "dark" } else { "neutral" }.into());
    mermaid_initialize(&config);
    if let Err(e) = mermaid_run() {
        leptos::logging::error!("rendering diagrams failed: {e:?}");
    }
}

fn is_dark() -> bool {
    let explicit = document()
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("data-theme"));
    match explicit.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|m| m.matches()),
    }
}

/// Flips the theme and remembers it in a cookie the server reads.
pub fn toggle_theme() {
    let Some(doc) = document() else { return };
    let next = if is_dark() { "light" } else { "dark" };
    if let Some(root) = doc.document_element() {
        let _ = root.set_attribute("data-theme", next);
    }
    if let Ok(html) = doc.dyn_into::<web_sys::HtmlDocument>() {
        let _ = html.set_cookie(&format!("theme={next}; Path=/; Max-Age=31536000; SameSite=Lax"));
    }
}

/// Follows a classroom's event stream into the grid's signals: each
/// `learner` event replaces that learner's row; a roster change, or a row
/// the page does not show, reloads the page. The stream closes when the
/// grid goes.
pub fn follow_grid(
    url: &str,
    rows: leptos::prelude::RwSignal<Vec<crate::classroom::LearnerRow>>,
    state: leptos::prelude::RwSignal<&'static str>,
) {
    use leptos::prelude::*;
    let Ok(source) = web_sys::EventSource::new(url) else {
        return;
    };
    let reload = || {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    };
    let listen = |name: &str, f: Box<dyn FnMut(web_sys::MessageEvent)>| {
        let f = Closure::wrap(f);
        let _ = source.add_event_listener_with_callback(name, f.as_ref().unchecked_ref());
        f
    };
    let ready = listen("ready", Box::new(move |_| state.set("live")));
    let learner = listen(
        "learner",
        Box::new(move |event| {
            let Some(row) = event
                .data()
                .as_string()
                .and_then(|text| serde_json::from_str::<crate::classroom::LearnerRow>(&text).ok())
            else {
                return;
            };
            let mut shown = false;
            rows.update(|rows| {
                if let Some(old) = rows.iter_mut().find(|r| r.id == row.id) {
                    *old = row;
                    shown = true;
                }
            });
            if !shown {
                reload();
            }
        }),
    );
    let roster = listen("roster", Box::new(move |_| reload()));
    let failed = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| state.set("reconnecting…"));
    source.set_onerror(Some(failed.as_ref().unchecked_ref()));
    let open = send_wrapper::SendWrapper::new((source, ready, learner, roster, failed));
    on_cleanup(move || open.0.close());
}
