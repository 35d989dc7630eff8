//! Server-side syntax highlighting. Code becomes spans with `hl-*` classes;
//! the stylesheet colours them for the light and the dark theme.

use std::sync::LazyLock;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// Syntect's grammars plus bat's extras (Dockerfile, TOML, ...), loaded once.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);

/// Names authors commonly write after the fence that the grammars do not know.
fn canonical(lang: &str) -> &str {
    match lang {
        "shell" | "sh" | "console" | "zsh" | "shell-session" => "bash",
        "yml" | "compose" => "yaml",
        "docker" | "containerfile" => "dockerfile",
        "js" => "javascript",
        "py" => "python",
        "rs" => "rust",
        "golang" => "go",
        other => other,
    }
}

/// Highlights `code` as `lang`; `None` when the language is unknown, in
/// which case the caller shows the code as plain text.
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    let lang = lang.to_ascii_lowercase();
    let syntax = SYNTAXES.find_syntax_by_token(canonical(&lang))?;
    let mut html =
        ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, ClassStyle::SpacedPrefixed { prefix: "hl-" });
    for line in LinesWithEndings::from(code) {
        html.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(html.finalize())
}

#[cfg(test)]
mod tests {
    use super::highlight;

    #[test]
    fn the_course_languages_are_known() {
        let samples = [
            ("bash", "echo \"hi\" # greet"),
            ("shell", "docker ps -a"),
            ("dockerfile", "FROM debian:trixie\nRUN echo hi\n"),
            ("yaml", "services:\n  web:\n    image: nginx\n"),
            ("json", "{\"a\": 1}"),
            ("toml", "[package]\nname = \"x\"\n"),
            ("rust", "fn main() { let x = 1; }"),
            ("python", "def f():\n    return 'x'\n"),
            ("go", "package main\nfunc main() {}\n"),
            ("javascript", "const x = () => 1;"),
        ];
        for (lang, code) in samples {
            let html = highlight(lang, code).unwrap_or_else(|| panic!("{lang} is not highlighted"));
            assert!(html.contains("class=\"hl-"), "{lang}: {html}");
        }
    }

    #[test]
    fn unknown_languages_are_left_plain() {
        assert!(highlight("no-such-language", "x").is_none());
    }

    #[test]
    fn code_is_escaped() {
        let html = highlight("bash", "echo '<script>alert(1)</script>'").unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
}
