//! The server's modules are layered and data flows one way
//! (`docs/architecture.md`): the shared model, then what the course is
//! (content, quizzes, exercises, the account vocabulary, the build's own
//! facts in `install.rs`), then storage and
//! the event bus, then labs, then classrooms and learners' records, then
//! the HTTP surface. This test reads `server/src` and fails on any `crate::`
//! or `super::` path (`use` groups expanded) that reaches a layer above the
//! file naming it.

use std::path::{Path, PathBuf};

const LAYERS: &[&str] = &["course", "storage", "labs", "classrooms", "http"];

/// The layer of a file, by its path below `server/src`. A resource's
/// handlers (`routes.rs`, the terminal's WebSocket) belong to the HTTP
/// surface even where they live in the resource's folder.
fn layer(file: &str) -> usize {
    let http = LAYERS.len() - 1;
    if file.ends_with("/routes.rs") || file == "lab/terminal.rs" {
        return http;
    }
    let name = match file.split_once('/') {
        Some((top, _)) => top,
        None => file.trim_end_matches(".rs"),
    };
    let named = match name {
        "content" | "quiz" | "exercise" | "install" => "course",
        "auth" if file == "auth/email.rs" || file == "auth/password.rs" => "course",
        "store" | "events" => "storage",
        "lab" => "labs",
        "classroom" | "records" => "classrooms",
        _ => "http",
    };
    LAYERS.iter().position(|l| *l == named).unwrap()
}

/// The file a `crate::a::b` path names: `a/b.rs` or `a/b/mod.rs` when `b`
/// is a module of `a`, else `a`'s own file.
fn target(src: &Path, path: &[&str]) -> String {
    let top = path[0];
    if let Some(sub) = path.get(1) {
        for candidate in [format!("{top}/{sub}.rs"), format!("{top}/{sub}/mod.rs")] {
            if src.join(&candidate).exists() {
                return candidate;
            }
        }
    }
    if src.join(format!("{top}.rs")).exists() {
        format!("{top}.rs")
    } else {
        format!("{top}/mod.rs")
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file below `server/src`: `a/b.rs` and `a/b/mod.rs`
/// are both `a::b`.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.trim_end_matches(".rs").split('/').map(String::from).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

/// The items of a `{…}` group (the text after its `{`), split at the commas
/// of its own level, and the text after its closing `}`.
fn group_items(text: &str) -> (Vec<&str>, &str) {
    let (mut depth, mut from, mut items) = (0, 0, Vec::new());
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&text[from..i]);
                return (items, &text[i + 1..]);
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&text[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    items.push(&text[from..]);
    (items, "")
}

/// The crate paths one path names, relative to `base` (segments below the
/// crate root), with `{…}` groups expanded at every level and `self` dropped.
fn expand(base: Vec<String>, text: &str, out: &mut Vec<Vec<String>>) {
    let text = text.trim_start();
    if let Some(group) = text.strip_prefix('{') {
        for item in group_items(group).0 {
            if !item.trim().is_empty() {
                expand(base.clone(), item, out);
            }
        }
        return;
    }
    let name = ident(text);
    let mut path = base;
    if !name.is_empty() && name != "self" {
        path.push(name.to_string());
    }
    match text[name.len()..].trim_start().strip_prefix("::") {
        Some(rest) => expand(path, rest, out),
        None if !path.is_empty() => out.push(path),
        None => {}
    }
}

/// Every path in the text of the file `file` that starts at `crate::` or
/// `super::`, resolved to segments below the crate root (outside
/// `#[cfg(test)]` modules, which may reach anything), with `use` groups
/// expanded.
fn crate_paths(file: &str, text: &str) -> Vec<Vec<String>> {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
    let module = module_of(file);
    let mut paths = Vec::new();
    for (i, _) in text.match_indices(['c', 's']) {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut rest = &text[i..];
        let base = if let Some(after) = rest.strip_prefix("crate::") {
            rest = after;
            Vec::new()
        } else if rest.starts_with("super::") {
            let mut base = module.clone();
            while let Some(after) = rest.strip_prefix("super::") {
                base.pop();
                rest = after;
            }
            base
        } else {
            continue;
        };
        expand(base, rest, &mut paths);
    }
    paths
}

#[test]
fn no_module_reaches_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let name = file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        if name == "lib.rs" || name == "main.rs" {
            continue;
        }
        let from = layer(&name);
        for path in crate_paths(&name, &std::fs::read_to_string(file).unwrap()) {
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            let to_file = target(&src, &path);
            let to = layer(&to_file);
            if to > from {
                wrong.push(format!(
                    "{name} ({}) reaches crate::{} ({})",
                    LAYERS[from],
                    path.join("::"),
                    LAYERS[to]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "imports reaching up a layer:\n{}", wrong.join("\n"));
}

#[test]
fn the_rules_see_an_upward_import() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    assert_eq!(
        crate_paths("exercise/mod.rs", "use crate::{lab::{Labs, self}, store};"),
        [vec!["lab", "Labs"], vec!["lab"], vec!["store"]]
    );
    // `super` climbs from the file's own module: a file cannot reach up a
    // layer by naming its parent's imports.
    assert_eq!(
        crate_paths(
            "lab/images/server.rs",
            "use super::{BASE_IMAGE, mirror::{self, Mirror}};\nlet g = super::super::super::quiz::grade;"
        ),
        [
            vec!["lab", "images", "BASE_IMAGE"],
            vec!["lab", "images", "mirror"],
            vec!["lab", "images", "mirror", "Mirror"],
            vec!["quiz", "grade"]
        ]
    );
    assert_eq!(
        crate_paths("quiz/form.rs", "pub(super) fn f() {}"),
        Vec::<Vec<String>>::new()
    );
    let up = &crate_paths("store/labs.rs", "use super::super::lab::Labs;")[0];
    let up: Vec<&str> = up.iter().map(String::as_str).collect();
    assert!(layer(&target(&src, &up)) > layer("store/labs.rs"));
    assert!(layer(&target(&src, &["state", "AppState"])) > layer("store/labs.rs"));
    assert_eq!(layer(&target(&src, &["lab", "terminal"])), LAYERS.len() - 1);
}
