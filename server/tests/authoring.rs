//! `berth content check` and `berth content test`, through the binary, on
//! real Docker.

mod common;

use common::workspace;
use std::path::Path;
use std::process::{Command, Output};

fn berth(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(args)
        .arg(dir)
        .arg("--playground")
        .arg(workspace().join("playground"))
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Asserts that the command said `needle`, showing all it said if not.
fn assert_says(out: &Output, needle: &str) {
    let text = text(out);
    assert!(text.contains(needle), "{text}");
}

/// A copy of the lab fixture course to break.
fn lab_course() -> tempfile::TempDir {
    common::copy_course(&workspace().join("server/tests/fixtures/lab-course"))
}

#[test]
fn content_check_passes_the_bundled_course_and_lists_every_problem() {
    let out = berth(&["content", "check"], &workspace().join("content"));
    assert!(out.status.success(), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("exercises") && all.contains("cheats"), "{all}");
    // Every exercise has a cheat, no first hint gives the answer away, and
    // the quizzes cannot be passed by picking the longest option.
    assert!(!all.contains("warning:"), "{all}");
    let balance = all
        .split("quiz balance: ")
        .nth(1)
        .and_then(|rest| rest.split('(').nth(1))
        .and_then(|rest| rest.split('%').next())
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or_else(|| panic!("no quiz balance in: {all}"));
    assert!(balance <= 35, "{all}");

    // The fixture's second exercise has no cheat: a warning, not an error.
    let out = berth(
        &["content", "check"],
        &workspace().join("server/tests/fixtures/lab-course"),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_says(&out, "exercise `live-file` has no cheat");

    let course = lab_course();
    let basics = course.path().join("modules/01-basics");
    std::fs::write(basics.join("exercises/greeting/check.sh"), "if then fi\n").unwrap();
    let lesson = std::fs::read_to_string(basics.join("01-first-steps.md")).unwrap();
    std::fs::write(
        basics.join("01-first-steps.md"),
        lesson.replace("\"live-file\"]", "\"live-file\", \"missing\"]"),
    )
    .unwrap();
    let out = berth(&["content", "check"], course.path());
    assert!(!out.status.success());
    let all = text(&out);
    assert!(
        all.contains("01-first-steps.md:4: no exercise `missing` in this module"),
        "{all}"
    );
    // Loading stops at the first kind of problem; fix it and the script's turn comes.
    std::fs::write(basics.join("01-first-steps.md"), lesson).unwrap();
    let out = berth(&["content", "check"], course.path());
    assert!(!out.status.success());
    assert_says(&out, "basics/exercises/greeting/check.sh: line 1");
}

#[test]
fn content_test_proves_each_exercise_and_catches_a_check_that_always_passes() {
    let course = lab_course();
    let junit = course.path().join("junit.xml");
    let out = berth(&["content", "test", "--junit", junit.to_str().unwrap()], course.path());
    assert!(out.status.success(), "{}", text(&out));
    // Three exercises and the greeting's cheat, each in a lab of its own.
    assert_says(&out, "4 passed, 0 failed");
    assert_says(&out, "basics/greeting cheat misspelt");
    assert_says(&out, "refused: it says hello");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains(r#"tests="4""#) && xml.contains(r#"failures="0""#), "{xml}");
    assert!(xml.contains(r#"name="greeting cheat misspelt""#), "{xml}");

    std::fs::write(
        course.path().join("modules/01-basics/exercises/greeting/check.sh"),
        "echo PASS: always\n",
    )
    .unwrap();
    let out = berth(
        &[
            "content",
            "test",
            "--exercise",
            "greeting",
            "--junit",
            junit.to_str().unwrap(),
        ],
        course.path(),
    );
    assert!(!out.status.success());
    assert_says(&out, "the check passes before the exercise is done");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains(r#"tests="2""#) && xml.contains("<failure"), "{xml}");

    // A check that a shortcut fools is caught by the cheat.
    std::fs::write(
        course.path().join("modules/01-basics/exercises/greeting/check.sh"),
        "test -s \"$LAB_HOME/greeting.txt\"\n",
    )
    .unwrap();
    let out = berth(&["content", "test", "--exercise", "greeting"], course.path());
    assert!(!out.status.success());
    assert_says(&out, "the check passes after the cheat");
}

#[test]
fn every_exercise_of_the_bundled_course_passes_its_own_test() {
    let out = berth(&["content", "test"], &workspace().join("content"));
    assert!(out.status.success(), "{}", text(&out));
    assert_says(&out, " 0 failed");
}
