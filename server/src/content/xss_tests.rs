//! Lesson Markdown is untrusted. Each payload goes through the real
//! renderer, then the output is parsed as a browser would and searched for
//! anything that could run script or load active content.

use super::markdown::{LessonContext, LessonKey, render};
use scraper::Html;
use std::collections::HashMap;
use std::path::Path;

const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"0\" y=\"20\">x</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math href=\"javascript:alert(1)\">x</math>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<iframe src=\"https://example.org\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<input type=\"text\" onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>x</details>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<style>body{display:none}</style>",
    "<link rel=stylesheet href=\"https://example.org/x.css\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"https://example.org/\">",
    "<template><script>alert(1)</script></template>",
    "<p id=\"berth-mermaid\">clobber</p>",
    "<img src=\"https://example.org/x.png\" srcset=\"javascript:alert(1)\">",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "![img](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "```\"><script>alert(1)</script>\ncode\n```",
    "```mermaid\n</pre><script>alert(1)</script>\n```",
    "## Heading {#\"><script>alert(1)</script>}",
    "<scr<script>ipt>alert(1)</script>",
    "<!-- <script>alert(1)</script> -->",
    "<a href=\"https://example.org\" onclick=\"alert(1)\">x</a>",
];

const FORBIDDEN_TAGS: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "form", "svg", "math", "link", "meta", "base", "template",
    "noscript", "button", "textarea", "select",
];

fn lesson(body: &str) -> String {
    let lessons = HashMap::new();
    let key = LessonKey {
        module: "m".into(),
        lesson: "l".into(),
    };
    let cx = LessonContext {
        file: Path::new("l.md"),
        rel_path: Path::new("modules/01-m/l.md"),
        key: &key,
        body_line: 1,
        lessons: &lessons,
    };
    // Unsafe links are also reported as content errors (tested with the
    // renderer); the HTML must be safe regardless.
    render(body, &cx).0.html
}

#[test]
fn no_payload_survives_rendering() {
    for payload in PAYLOADS {
        let html = lesson(payload);
        let doc = Html::parse_fragment(&html);
        for el in doc.root_element().descendent_elements() {
            let name = el.value().name();
            assert!(!FORBIDDEN_TAGS.contains(&name), "<{name}> survived {payload:?}: {html}");
            for (attr, value) in el.value().attrs() {
                assert!(!attr.starts_with("on"), "{attr} survived {payload:?}: {html}");
                assert!(
                    attr != "style" && attr != "srcset" && attr != "srcdoc",
                    "{attr} survived {payload:?}: {html}"
                );
                if ["href", "src", "action", "xlink:href", "formaction"].contains(&attr) {
                    let v = value.trim().to_ascii_lowercase();
                    let safe = v.starts_with("https://")
                        || v.starts_with("http://")
                        || v.starts_with("mailto:")
                        || v.starts_with('/')
                        || v.starts_with('#')
                        || !v.contains(':');
                    assert!(safe, "{attr}={value:?} survived {payload:?}: {html}");
                }
                if attr == "id" {
                    assert!(!value.starts_with("berth-"), "reserved id survived {payload:?}");
                }
                if attr == "type" && name == "input" {
                    assert_eq!(value, "checkbox", "{payload:?}");
                }
            }
        }
    }
}
