use super::*;
use std::collections::HashMap;

const QUIZ: &str = r#"id = "check"
title = "Check"
pass_percent = 60

[[question]]
id = "single"
kind = "single"
prompt = "Pick b"
options = ["a", "b", "c"]
answer = 1
explanation = "b it is"

[[question]]
id = "multiple"
kind = "multiple"
prompt = "Pick a and c"
options = ["a", "b", "c"]
answers = [2, 0]

[[question]]
id = "text"
kind = "text"
prompt = "Name the feature that limits memory"
accept = ["cgroups"]
pattern = "^control groups?$"

[[question]]
id = "number"
kind = "number"
prompt = "How many CPUs does --cpus=1.5 allow?"
answer = 1.5

[[question]]
id = "order"
kind = "order"
prompt = "Build, then run"
items = ["write", "build", "run"]
"#;

/// The quiz above, one question of each kind; `form`'s tests use it too.
pub(super) fn quiz() -> Quiz {
    Quiz::parse(Path::new("quiz.toml"), QUIZ).unwrap()
}

/// A quiz of these `[[question]]` tables, after three lines naming it and
/// setting its pass mark.
fn with_questions(pass_percent: u32, questions: &str) -> Result<Quiz, Vec<ContentError>> {
    let text = format!("id = \"q\"\ntitle = \"Q\"\npass_percent = {pass_percent}\n{questions}");
    Quiz::parse(Path::new("quiz.toml"), &text)
}

fn answers(pairs: &[(&str, Answer)]) -> HashMap<String, Answer> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

#[test]
fn every_question_kind_is_graded() {
    let q = quiz();
    let all_right = answers(&[
        ("single", Answer::Choice(1)),
        ("multiple", Answer::Choices(vec![0, 2])),
        ("text", Answer::Text("  CGroups ".into())),
        ("number", Answer::Number(1.5)),
        ("order", Answer::Order(vec![0, 1, 2])),
    ]);
    let g = grade(&q, &all_right);
    assert_eq!((g.score, g.total, g.percent, g.passed), (5, 5, 100, true));

    let all_wrong = answers(&[
        ("single", Answer::Choice(0)),
        ("multiple", Answer::Choices(vec![0])),
        ("text", Answer::Text("namespaces".into())),
        ("number", Answer::Number(2.5)),
        ("order", Answer::Order(vec![1, 0, 2])),
    ]);
    let g = grade(&q, &all_wrong);
    assert_eq!((g.score, g.passed), (0, false));
    assert!(g.correct.values().all(|c| !c));
}

#[test]
fn edge_cases_are_graded_strictly() {
    let q = quiz();
    let check = |id: &str, a: Answer| grade(&q, &answers(&[(id, a)])).correct[id];
    // Multiple choice: order and repeats do not matter, extra options do.
    assert!(check("multiple", Answer::Choices(vec![2, 0, 0])));
    assert!(!check("multiple", Answer::Choices(vec![0, 1, 2])));
    // Text: pattern, case-insensitive by default; empty never counts.
    assert!(check("text", Answer::Text("Control Group".into())));
    assert!(!check("text", Answer::Text("   ".into())));
    // Numbers: exact unless a tolerance is given; NaN never counts.
    assert!(!check("number", Answer::Number(f64::NAN)));
    // Order: every item exactly once.
    assert!(!check("order", Answer::Order(vec![0, 1])));
    assert!(!check("order", Answer::Order(vec![0, 1, 2, 2])));
    // A wrong kind of answer, or none, is wrong.
    assert!(!check("single", Answer::Text("b".into())));
    assert!(!grade(&q, &HashMap::new()).passed);
    // 3 of 5 is 60%: exactly the pass mark passes.
    let three = answers(&[
        ("single", Answer::Choice(1)),
        ("text", Answer::Text("cgroups".into())),
        ("number", Answer::Number(1.5)),
    ]);
    assert!(grade(&q, &three).passed);
}

#[test]
fn case_sensitive_text_and_tolerance() {
    let text = r#"
[[question]]
id = "t"
kind = "text"
prompt = "Exact"
accept = ["ENTRYPOINT"]
case_sensitive = true

[[question]]
id = "n"
kind = "number"
prompt = "About pi"
answer = 3.14
tolerance = 0.01
"#;
    let q = with_questions(100, text).unwrap();
    let g = grade(
        &q,
        &answers(&[("t", Answer::Text("entrypoint".into())), ("n", Answer::Number(3.145))]),
    );
    assert_eq!((g.correct["t"], g.correct["n"]), (false, true));
}

#[test]
fn invalid_quizzes_are_content_errors_with_lines() {
    let bad = r#"
[[question]]
id = "a"
kind = "single"
prompt = "No right option"
options = ["x", "y"]

[[question]]
id = "b"
kind = "single"
prompt = "Out of range"
options = ["x", "y"]
answer = 5

[[question]]
id = "b"
kind = "text"
prompt = "Duplicate id"
accept = ["x"]

[[question]]
id = "c"
kind = "text"
prompt = "Broken pattern"
pattern = "(["

[[question]]
id = "d"
kind = "essay"
prompt = "Unknown kind"
"#;
    // The quiz's own three lines come first.
    let errors = with_questions(70, bad).unwrap_err();
    let got: Vec<(Option<usize>, &str)> = errors.iter().map(|e| (e.line, e.message.as_str())).collect();
    assert_eq!(got.len(), 5, "{errors:#?}");
    assert_eq!(got[0].0, Some(5));
    assert!(got[0].1.contains("index of the right option"));
    assert_eq!(got[1].0, Some(11));
    assert!(got[1].1.contains("answer 5 is out of range"));
    assert_eq!(got[2].0, Some(18));
    assert!(got[2].1.contains("used twice"));
    assert_eq!(got[3].0, Some(24));
    assert!(got[3].1.contains("pattern does not compile"));
    assert!(got[4].1.contains("unknown kind `essay`"));

    let empty = with_questions(0, "").unwrap_err();
    assert_eq!(empty.len(), 2, "{empty:#?}");
    let typo = Quiz::parse(Path::new("quiz.toml"), "id = \"q\"\ntitle = \"Q\"\npass_mark = 5\n").unwrap_err();
    assert!(typo[0].to_string().contains("quiz.toml:3"), "{}", typo[0]);
}
