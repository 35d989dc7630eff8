//! The server's modules are layered and data flows one way
//! (`docs/architecture.md`): the shared model, then what the course is
//! (content, quizzes, exercises, the account vocabulary, the build's own
//! facts in `install.rs`), then storage and
//! the event bus, then labs, then classrooms and learners' records, then
//! the HTTP surface. This test reads `server/src` and fails on any `crate::`
//! path that reaches a layer above the file naming it.

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

/// Every `crate::…` path in the text (outside `#[cfg(test)]` modules,
/// which may reach anything), with the names inside `use crate::{…}`
/// groups expanded one level.
fn crate_paths(text: &str) -> Vec<Vec<String>> {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
    let ident = |s: &str| {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<String>()
    };
    let mut paths = Vec::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let parts: Vec<String> = item.trim().split("::").map(ident).collect();
                if !parts[0].is_empty() {
                    paths.push(parts);
                }
            }
        } else {
            let first = ident(rest);
            let after = &rest[first.len()..];
            let second = after.strip_prefix("::").map(ident).unwrap_or_default();
            paths.push([first, second].into_iter().filter(|s| !s.is_empty()).collect());
        }
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
        for path in crate_paths(&std::fs::read_to_string(file).unwrap()) {
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            let to_file = target(&src, &path);
            let to = layer(&to_file);
            if to > from {
                wrong.push(format!(
                    "{name} ({}) uses crate::{} ({})",
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
    assert_eq!(
        crate_paths("use crate::{lab::Labs, store};"),
        [vec!["lab", "Labs"], vec!["store"]]
    );
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    assert!(layer(&target(&src, &["state", "AppState"])) > layer("store/labs.rs"));
    assert_eq!(layer(&target(&src, &["lab", "terminal"])), LAYERS.len() - 1);
}
