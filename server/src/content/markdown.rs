//! Renders a lesson's Markdown body to HTML: heading anchors and a table of
//! contents, highlighted code, admonitions, mermaid diagrams, and links
//! between lessons resolved from file paths to page URLs.

use berth_app::course::{TocEntry, lesson_href};
use pulldown_cmark::{
    BlockQuoteKind, BrokenLink, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};
use pulldown_cmark_escape::escape_html;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use super::error::{ContentError, line_index};
use super::{highlight, sanitize};

/// Identifies a lesson across the course.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LessonKey {
    pub module: String,
    pub lesson: String,
}

/// A link to a heading, checked once every lesson is rendered.
#[derive(Debug)]
pub struct AnchorRef {
    pub line: usize,
    pub target: LessonKey,
    pub fragment: String,
}

#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Heading ids, the targets other lessons may link to.
    pub anchors: HashSet<String>,
    pub anchor_refs: Vec<AnchorRef>,
}

/// Where a lesson sits, so its links can be resolved.
pub struct LessonContext<'a> {
    /// The file as shown in error messages.
    pub file: &'a Path,
    /// The file's path relative to the content root.
    pub rel_path: &'a Path,
    pub key: &'a LessonKey,
    /// 1-based file line on which the Markdown body starts.
    pub body_line: usize,
    /// Every lesson file (relative to the content root) and its key.
    pub lessons: &'a HashMap<PathBuf, LessonKey>,
}

const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_HEADING_ATTRIBUTES)
    .union(Options::ENABLE_SMART_PUNCTUATION)
    .union(Options::ENABLE_GFM);

pub fn render(body: &str, cx: &LessonContext) -> (Rendered, Vec<ContentError>) {
    let mut errors = Vec::new();
    let line_of = |offset: usize| cx.body_line + line_index(body, offset);

    let mut broken = Vec::new();
    let parser = Parser::new_with_broken_link_callback(
        body,
        OPTIONS,
        Some(|link: BrokenLink<'_>| {
            if matches!(link.link_type, LinkType::Reference | LinkType::Collapsed) {
                broken.push((link.span.start, link.reference.to_string()));
            }
            None
        }),
    );
    let events: Vec<(Event, Range<usize>)> = parser.into_offset_iter().collect();

    let mut out = Rendered::default();
    let mut html_events: Vec<Event> = Vec::with_capacity(events.len());
    let mut iter = events.into_iter();
    while let Some((event, range)) = iter.next() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                let mut inner = Vec::new();
                let mut text = String::new();
                for (e, r) in iter.by_ref() {
                    match e {
                        Event::End(TagEnd::Heading(_)) => break,
                        Event::Text(ref t) | Event::Code(ref t) => text.push_str(t),
                        _ => {}
                    }
                    inner.push(resolve_event(e, line_of(r.start), cx, &mut out, &mut errors));
                }
                let id = unique_id(id.map(|i| i.to_string()).unwrap_or_else(|| slug(&text)), &out.anchors);
                out.anchors.insert(id.clone());
                if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
                    out.toc.push(TocEntry {
                        level: level as u8,
                        id: id.clone(),
                        title: text.trim().to_string(),
                    });
                }
                let mut h = String::new();
                let mut escaped_id = String::new();
                let _ = escape_html(&mut escaped_id, &id);
                h.push_str(&format!("<{level} id=\"{escaped_id}\">"));
                pulldown_cmark::html::push_html(&mut h, inner.into_iter());
                h.push_str(&format!(
                    "<a class=\"anchor\" href=\"#{escaped_id}\" aria-label=\"Link to this section\">#</a></{level}>\n"
                ));
                html_events.push(Event::Html(h.into()));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let mut code = String::new();
                for (e, _) in iter.by_ref() {
                    match e {
                        Event::End(TagEnd::CodeBlock) => break,
                        Event::Text(t) => code.push_str(&t),
                        _ => {}
                    }
                }
                let info = match &kind {
                    CodeBlockKind::Fenced(info) => info.as_ref(),
                    CodeBlockKind::Indented => "",
                };
                html_events.push(Event::Html(code_block(info, &code).into()));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, label) = admonition(kind);
                html_events.push(Event::Html(
                    format!("<div class=\"admonition {class}\"><p class=\"admonition-title\">{label}</p>\n").into(),
                ));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => html_events.push(Event::Html("</div>\n".into())),
            e => html_events.push(resolve_event(e, line_of(range.start), cx, &mut out, &mut errors)),
        }
    }
    for (offset, reference) in broken {
        errors.push(ContentError::at(
            cx.file,
            line_of(offset),
            format!("the link reference `[{reference}]` is not defined anywhere in this lesson"),
        ));
    }

    let mut html = String::with_capacity(body.len() * 2);
    pulldown_cmark::html::push_html(&mut html, html_events.into_iter());
    out.html = sanitize::clean(&html);
    (out, errors)
}

/// Rewrites link targets; every other event passes through unchanged.
fn resolve_event<'a>(
    event: Event<'a>,
    line: usize,
    cx: &LessonContext,
    out: &mut Rendered,
    errors: &mut Vec<ContentError>,
) -> Event<'a> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = match resolve_link(&dest_url, cx) {
                Ok((url, anchor)) => {
                    if let Some(anchor) = anchor {
                        out.anchor_refs.push(AnchorRef { line, ..anchor });
                    }
                    url
                }
                Err(bad) => {
                    errors.push(ContentError::at(cx.file, line, bad.to_string()));
                    dest_url
                }
            };
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        Event::Start(Tag::Image { ref dest_url, .. }) => {
            if !is_external(dest_url) {
                errors.push(ContentError::at(
                    cx.file,
                    line,
                    format!("image `{dest_url}`: only http(s) image addresses are supported"),
                ));
            }
            event
        }
        e => e,
    }
}

fn is_external(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// Why a lesson's link cannot be resolved; the message says how to write it.
#[derive(Debug, thiserror::Error)]
enum BadLink {
    #[error(
        "link `{0}`: link to other lessons by relative file path (like `../03-images/01-layers.md`), or to web pages with https://"
    )]
    Absolute(String),
    #[error("link `{0}`: only links to lesson files (`.md`) are resolved")]
    NotALesson(String),
    #[error("link `{0}` does not lead to a lesson of this course")]
    NoSuchLesson(String),
}

/// Maps a link as written to the URL it becomes, and the heading it must
/// find, if any. Lessons link to each other by relative file path, the way
/// the files also link on a Git host.
fn resolve_link<'a>(dest: &CowStr<'a>, cx: &LessonContext) -> Result<(CowStr<'a>, Option<AnchorRef>), BadLink> {
    if is_external(dest) || dest.starts_with("mailto:") {
        return Ok((dest.clone(), None));
    }
    if let Some(fragment) = dest.strip_prefix('#') {
        let anchor = AnchorRef {
            line: 0,
            target: cx.key.clone(),
            fragment: fragment.to_string(),
        };
        return Ok((dest.clone(), Some(anchor)));
    }
    if dest.contains(':') || dest.starts_with('/') {
        return Err(BadLink::Absolute(dest.to_string()));
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest.as_ref(), None),
    };
    if !path.ends_with(".md") {
        return Err(BadLink::NotALesson(dest.to_string()));
    }
    let base = cx.rel_path.parent().unwrap_or(Path::new(""));
    let target = normalize(&base.join(path)).and_then(|p| cx.lessons.get(&p));
    let Some(target) = target else {
        return Err(BadLink::NoSuchLesson(dest.to_string()));
    };
    let mut url = lesson_href(&target.module, &target.lesson);
    let anchor = fragment.map(|f| {
        url.push('#');
        url.push_str(f);
        AnchorRef {
            line: 0,
            target: target.clone(),
            fragment: f.to_string(),
        }
    });
    Ok((url.into(), anchor))
}

/// Resolves `.` and `..` without touching the file system; `None` if the
/// path climbs out of the content root.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

fn admonition(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

/// A fenced block: mermaid source for the browser to draw, or code
/// highlighted here. The info string's first word names the language; the
/// word `run` after it marks a command for the lab's terminal.
fn code_block(info: &str, code: &str) -> String {
    let lang = info.split_whitespace().next().unwrap_or("");
    let lang = if lang.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-_.".contains(&b)) {
        lang
    } else {
        ""
    };
    let mut escaped = String::new();
    if lang == "mermaid" {
        let _ = escape_html(&mut escaped, code);
        return format!("<pre class=\"mermaid\">{escaped}</pre>\n");
    }
    let body = highlight::highlight(lang, code).unwrap_or_else(|| {
        let _ = escape_html(&mut escaped, code);
        escaped
    });
    let label = if lang.is_empty() { "text" } else { lang };
    // ```sh run: the page offers a button that types it into the lab.
    let run = if info.split_whitespace().skip(1).any(|w| w == "run") {
        " data-run=\"\""
    } else {
        ""
    };
    format!("<div class=\"code\" data-lang=\"{label}\"{run}><pre><code>{body}</code></pre></div>\n")
}

/// A heading's text as an id: "Run a container!" becomes `run-a-container`.
fn slug(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            s.push(c);
        } else if (c.is_whitespace() || c == '-' || c == '_') && !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches('-');
    if s.is_empty() { "section".into() } else { s.into() }
}

fn unique_id(id: String, taken: &HashSet<String>) -> String {
    if !taken.contains(&id) {
        return id;
    }
    (2..).map(|n| format!("{id}-{n}")).find(|c| !taken.contains(c)).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixture {
        lessons: HashMap<PathBuf, LessonKey>,
        key: LessonKey,
    }

    fn key(m: &str, l: &str) -> LessonKey {
        LessonKey {
            module: m.into(),
            lesson: l.into(),
        }
    }

    impl Fixture {
        fn new() -> Self {
            let mut lessons = HashMap::new();
            lessons.insert(PathBuf::from("modules/01-a/01-intro.md"), key("a", "intro"));
            lessons.insert(PathBuf::from("modules/02-b/01-next.md"), key("b", "next"));
            Self {
                lessons,
                key: key("a", "intro"),
            }
        }

        fn render(&self, body: &str) -> (Rendered, Vec<ContentError>) {
            let cx = LessonContext {
                file: Path::new("content/modules/01-a/01-intro.md"),
                rel_path: Path::new("modules/01-a/01-intro.md"),
                key: &self.key,
                body_line: 5,
                lessons: &self.lessons,
            };
            render(body, &cx)
        }
    }

    fn html(body: &str) -> String {
        let (r, errors) = Fixture::new().render(body);
        assert!(errors.is_empty(), "{errors:?}");
        r.html
    }

    #[test]
    fn headings_get_anchors_and_a_table_of_contents() {
        let (r, _) = Fixture::new().render("## Run it!\n\n### Run it!\n\n## Custom {#mine}\n\n#### Deep\n");
        assert!(
            r.html
                .contains(r##"<h2 id="run-it">Run it!<a class="anchor" href="#run-it""##),
            "{}",
            r.html
        );
        assert!(r.html.contains(r#"<h3 id="run-it-2">"#), "{}", r.html);
        assert!(r.html.contains(r#"<h2 id="mine">"#), "{}", r.html);
        let toc: Vec<_> = r.toc.iter().map(|e| (e.level, e.id.as_str())).collect();
        assert_eq!(toc, [(2, "run-it"), (3, "run-it-2"), (2, "mine")]);
        assert!(r.anchors.contains("deep"));
    }

    #[test]
    fn tables_footnotes_and_task_lists_render() {
        let out = html("| a | b |\n|---|---|\n| 1 | 2 |\n\nText[^n].\n\n[^n]: A note.\n\n- [x] done\n- [ ] open\n");
        assert!(out.contains("<table>") && out.contains("<td>2</td>"), "{out}");
        assert!(
            out.contains("footnote-reference") && out.contains("footnote-definition"),
            "{out}"
        );
        assert!(out.contains(r#"type="checkbox""#) && out.contains("checked"), "{out}");
    }

    #[test]
    fn code_is_highlighted_and_wrapped() {
        let out = html("```dockerfile\nFROM debian:trixie\n```\n");
        assert!(out.contains(r#"<div class="code" data-lang="dockerfile">"#), "{out}");
        assert!(out.contains("hl-"), "{out}");
        let plain = html("```\n<b>x</b>\n```\n");
        assert!(
            plain.contains(r#"data-lang="text""#) && plain.contains("&lt;b&gt;"),
            "{plain}"
        );
    }

    #[test]
    fn admonitions_and_diagrams() {
        let out = html("> [!WARNING]\n> Careful.\n\n```mermaid\ngraph LR\n  A --> B\n```\n");
        assert!(
            out.contains(r#"<div class="admonition warning"><p class="admonition-title">Warning</p>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<pre class="mermaid">graph LR"#) && out.contains("A --&gt; B"),
            "{out}"
        );
    }

    #[test]
    fn lesson_links_become_page_urls() {
        let (r, errors) =
            Fixture::new().render("[next](../02-b/01-next.md#part) and [here](#top) and [web](https://example.org/)\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(r.html.contains(r#"href="/modules/b/next#part""#), "{}", r.html);
        assert!(r.html.contains(r##"href="#top""##), "{}", r.html);
        let refs: Vec<_> = r
            .anchor_refs
            .iter()
            .map(|a| (a.target.lesson.as_str(), a.fragment.as_str(), a.line))
            .collect();
        assert_eq!(refs, [("next", "part", 5), ("intro", "top", 5)]);
    }

    #[test]
    fn broken_links_are_reported_with_their_line() {
        let (_, unsafe_link) = Fixture::new().render("[click](javascript:alert(1))\n");
        assert!(
            unsafe_link[0].message.starts_with("link `javascript:alert(1)`"),
            "{unsafe_link:?}"
        );
        let (_, errors) =
            Fixture::new().render("Fine.\n\n[gone](missing.md)\n\n[up](../../../etc/passwd.md)\n\n[ref][nowhere]\n\n[abs](/etc)\n\n![img](pic.png)\n");
        let lines: Vec<_> = errors.iter().map(|e| e.line.unwrap()).collect();
        assert_eq!(lines, [7, 9, 13, 15, 11], "{errors:#?}");
        assert!(
            errors[0]
                .to_string()
                .starts_with("content/modules/01-a/01-intro.md:7: link `missing.md`"),
            "{}",
            errors[0]
        );
        // Text that merely looks like a shortcut reference is fine.
        assert!(Fixture::new().render("a[i] and [x]\n").1.is_empty());
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("  Run a container!  "), "run-a-container");
        assert_eq!(slug("CMD vs ENTRYPOINT"), "cmd-vs-entrypoint");
        assert_eq!(slug("???"), "section");
    }
}
