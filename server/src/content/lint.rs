//! What `berth content check` warns about in a course that loads: things
//! that are allowed but make it worse to learn from. An exercise with no
//! cheat has a check nobody tried to fool; a first hint that holds the
//! solution's command gives the exercise away; quiz questions whose right
//! answer is the longest option can be passed by test-taking alone.

use super::{ContentError, Loaded};
use crate::exercise::Exercise;
use crate::quiz::{Key, Quiz};

/// Single-choice questions, and how many of them have the longest option
/// (or one of the longest) as their answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuizBalance {
    pub single: usize,
    pub longest_is_right: usize,
}

impl QuizBalance {
    /// The share, in whole percent.
    pub fn percent(self) -> usize {
        (self.longest_is_right * 100).checked_div(self.single).unwrap_or(0)
    }
}

/// Above this share, picking the longest option beats knowing.
pub const BALANCE_LIMIT_PERCENT: usize = 35;

pub struct Lints {
    /// Each one line, naming the file where there is one.
    pub warnings: Vec<String>,
    pub balance: QuizBalance,
}

pub fn lint(loaded: &Loaded) -> Lints {
    let mut warnings = Vec::new();
    for lab in loaded.labs.values() {
        for e in &lab.exercises {
            warnings.extend(exercise(e).iter().map(ToString::to_string));
        }
    }
    let total = balance(loaded.quizzes.values());
    if total.percent() > BALANCE_LIMIT_PERCENT {
        let worst: Vec<String> = loaded
            .quizzes
            .values()
            .map(|q| (q, balance([q].into_iter())))
            .filter(|(_, b)| b.percent() > BALANCE_LIMIT_PERCENT)
            .map(|(q, b)| format!("{} {}%", q.id, b.percent()))
            .collect();
        warnings.push(format!(
            "quizzes: in {}% of the single-choice questions the right answer is the longest option \
             (at most {BALANCE_LIMIT_PERCENT}%; {}): make distractors as long as the answer",
            total.percent(),
            worst.join(", ")
        ));
    }
    Lints {
        warnings,
        balance: total,
    }
}

fn balance<'a>(quizzes: impl Iterator<Item = &'a Quiz>) -> QuizBalance {
    let mut balance = QuizBalance::default();
    for q in quizzes.flat_map(|quiz| &quiz.questions) {
        if let Key::Single { options, answer } = &q.key {
            balance.single += 1;
            let len = |o: &String| o.chars().count();
            let right = options.get(*answer).map_or(0, len);
            if options.iter().all(|o| len(o) <= right) {
                balance.longest_is_right += 1;
            }
        }
    }
    balance
}

fn exercise(e: &Exercise) -> Vec<ContentError> {
    let mut warnings = Vec::new();
    if e.cheats.is_empty() {
        warnings.push(ContentError::in_file(
            &e.dir,
            format!(
                "exercise `{}` has no cheat: add cheats/<name>.sh, a shortcut its check must refuse",
                e.id
            ),
        ));
    }
    if let Some(first) = e.hints.first()
        && let Some(line) = command_lines(&e.solve).into_iter().find(|c| gives_away(first, c))
    {
        warnings.push(ContentError::in_file(
            e.dir.join("exercise.toml"),
            format!(
                "the first hint gives the solution away (`{line}`): start with the idea, then the shape of the command"
            ),
        ));
    }
    warnings
}

/// Words as a shell reader sees them, near enough: quotes and backticks
/// dropped, `$HOME` written `~`, trailing punctuation of prose trimmed.
fn words(s: &str) -> Vec<String> {
    s.replace(['`', '"', '\''], " ")
        .replace("${HOME}", "~")
        .replace("$HOME", "~")
        .split_whitespace()
        .map(|w| w.trim_end_matches([',', ';', '.']).to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether a hint holds a solution's command: all of it in a row, or, for
/// a long command, nearly all of its words in any order.
fn gives_away(hint: &str, command: &str) -> bool {
    let (hint, command) = (words(hint), words(command));
    if command.is_empty() {
        return false;
    }
    if hint.windows(command.len()).any(|w| w == command.as_slice()) {
        return true;
    }
    let known = command.iter().filter(|w| hint.contains(w)).count();
    command.len() >= 6 && known * 4 >= command.len() * 3
}

/// The command lines of a solution that would give it away: continuation
/// lines joined, heredoc bodies, comments and control words left out,
/// output redirections dropped, short ones ignored.
fn command_lines(script: &str) -> Vec<String> {
    const KEYWORDS: [&str; 14] = [
        "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "}", "{",
    ];
    const NOISE: [&str; 5] = [">/dev/null", "2>/dev/null", "2>&1", "|| true", "&"];
    let mut out = Vec::new();
    let mut heredoc: Option<String> = None;
    let mut pending = String::new();
    for raw in script.lines() {
        if let Some(end) = &heredoc {
            if raw.trim() == end {
                heredoc = None;
            }
            continue;
        }
        let line = raw.trim();
        if let Some(more) = line.strip_suffix('\\') {
            pending.push_str(more);
            pending.push(' ');
            continue;
        }
        let line = std::mem::take(&mut pending) + line;
        // A heredoc only writes a file; what it writes is not a command.
        if let Some((_, rest)) = line.split_once("<<") {
            let word = rest.trim_start_matches('-').trim();
            let word = word.split_whitespace().next().unwrap_or_default();
            heredoc = Some(word.trim_matches(['\'', '"']).to_string());
            continue;
        }
        let first = line.split_whitespace().next().unwrap_or_default();
        if line.is_empty() || line.starts_with('#') || KEYWORDS.contains(&first) || first.contains('=') {
            continue;
        }
        let mut words: Vec<&str> = line.split_whitespace().collect();
        while words.last().is_some_and(|w| NOISE.contains(w)) {
            words.pop();
        }
        let mut command = words.join(" ");
        for noise in NOISE {
            command = command.replace(&format!(" {noise} "), " ");
        }
        if command.len() >= 16 && words.len() >= 4 {
            out.push(command);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_skip_heredocs_comments_and_control_words() {
        let solve = "# start it\n\
            docker run -d --name keeper \\\n  busybox:1.37 sleep 3600 >/dev/null\n\
            cat > ~/Dockerfile <<'EOF'\nFROM busybox:1.37 AS build\nEOF\n\
            until curl -fs localhost:8080; do sleep 1; done\n\
            i=0\n\
            ls\n";
        assert_eq!(
            command_lines(solve),
            ["docker run -d --name keeper busybox:1.37 sleep 3600"]
        );
    }

    #[test]
    fn a_hint_gives_a_command_away_verbatim_or_nearly_all_of_it() {
        let tar = r#"tar czf "$HOME/backups/u.tar.gz" -C "$HOME/volumes/u" ."#;
        assert!(gives_away(
            "`tar czf ~/backups/u.tar.gz -C ~/volumes/u .` does it.",
            tar
        ));
        assert!(!gives_away("`tar` with `-C` archives a folder's contents.", tar));
        let run = "docker run -d --name invoice --user 10001:10001 --cap-drop ALL --read-only shop/invoice:2.3.1";
        assert!(gives_away(
            "Start from `docker run -d --user 10001:10001 --cap-drop ALL --read-only ...`, ending with shop/invoice:2.3.1.",
            run
        ));
        assert!(!gives_away("Drop every capability and make the root read-only.", run));
    }

    #[test]
    fn a_first_hint_with_the_solution_is_flagged_and_a_later_one_is_not() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("keeper");
        std::fs::create_dir_all(dir.join("cheats")).unwrap();
        let hints = |first: &str| {
            format!(
                "title = \"T\"\nhints = [\"{first}\", \"Run `docker run -d --name keeper busybox:1.37 sleep 3600`.\"]\n"
            )
        };
        std::fs::write(dir.join("check.sh"), "true").unwrap();
        std::fs::write(dir.join("cheats/no-d.sh"), "true").unwrap();
        std::fs::write(
            dir.join("solve.sh"),
            "docker run -d --name keeper busybox:1.37 sleep 3600 >/dev/null\n",
        )
        .unwrap();
        let read = |toml: String| {
            std::fs::write(dir.join("exercise.toml"), toml).unwrap();
            let lib = std::sync::Arc::new(crate::exercise::Library::default());
            Exercise::read(&dir, &[], &lib).unwrap()
        };
        let e = read(hints("`docker run -d  --name keeper busybox:1.37 sleep 3600` does it."));
        let w = exercise(&e);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].message.contains("the first hint gives the solution away"), "{w:?}");
        let e = read(hints("A detached container keeps running after the command returns."));
        assert!(exercise(&e).is_empty());
        std::fs::remove_file(dir.join("cheats/no-d.sh")).unwrap();
        let w = exercise(&read(hints("The idea.")));
        assert!(w[0].message.contains("has no cheat"), "{w:?}");
    }

    #[test]
    fn the_balance_counts_single_choice_answers_that_are_longest_or_tied() {
        let single = |id: &str, options: &str, answer: u8| {
            format!(
                "[[question]]\nid = \"{id}\"\nkind = \"single\"\nprompt = \"?\"\noptions = {options}\nanswer = {answer}\n"
            )
        };
        let text = [
            "id = \"q\"\ntitle = \"Q\"\npass_percent = 50\n".to_string(),
            single("longest", r#"["a long answer", "short"]"#, 0),
            single("tied", r#"["same", "size"]"#, 1),
            single("shorter", r#"["no", "a longer distractor"]"#, 0),
            "[[question]]\nid = \"not-single\"\nkind = \"number\"\nprompt = \"?\"\nanswer = 1\n".to_string(),
        ]
        .join("\n");
        let quiz = Quiz::parse(std::path::Path::new("quiz.toml"), &text).unwrap();
        let b = balance([&quiz].into_iter());
        assert_eq!(
            b,
            QuizBalance {
                single: 3,
                longest_is_right: 2
            }
        );
        assert_eq!(b.percent(), 66);
        assert_eq!(QuizBalance::default().percent(), 0);
    }
}
