//! Lesson HTML is untrusted: authors may write raw HTML in Markdown. Every
//! lesson passes through this allow-list before it reaches a page.

use ammonia::Builder;
use std::borrow::Cow;
use std::sync::LazyLock;

static POLICY: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::default();
    b.add_tags([
        "div",
        "span",
        "pre",
        "code",
        "input",
        "sup",
        "section",
        "details",
        "summary",
        "figure",
        "figcaption",
        "kbd",
        "mark",
    ])
    .add_generic_attributes(["class", "id", "aria-label", "aria-hidden"])
    .add_tag_attributes("input", ["type", "checked", "disabled"])
    .add_tag_attributes("div", ["data-lang", "data-run"])
    .add_tag_attributes("ol", ["start"])
    .url_schemes(["http", "https", "mailto"].into())
    .link_rel(Some("noopener noreferrer"))
    .strip_comments(true)
    .attribute_filter(|element, attribute, value| match (element, attribute) {
        // Task-list boxes only; never a text field or a button.
        ("input", "type") => (value == "checkbox").then_some(Cow::Borrowed(value)),
        // The page's own elements use ids starting with `berth-`.
        (_, "id") if value.starts_with("berth-") => None,
        _ => Some(Cow::Borrowed(value)),
    });
    b
});

pub fn clean(html: &str) -> String {
    POLICY.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn harmless_markup_survives() {
        let html = r#"<div class="admonition note"><p>Hi <kbd>Ctrl</kbd> <a href="https://docs.docker.com/">docs</a></p></div><input type="checkbox" checked="" disabled="">"#;
        let out = clean(html);
        assert!(out.contains(r#"<div class="admonition note">"#), "{out}");
        assert!(out.contains("<kbd>Ctrl</kbd>"), "{out}");
        assert!(out.contains(r#"href="https://docs.docker.com/""#), "{out}");
        assert!(out.contains(r#"type="checkbox""#), "{out}");
    }

    #[test]
    fn form_controls_and_reserved_ids_are_dropped() {
        let out = clean(r#"<input type="text" value="x"><p id="berth-mermaid">p</p>"#);
        assert!(!out.contains("text"), "{out}");
        assert!(!out.contains("berth-mermaid"), "{out}");
    }
}
