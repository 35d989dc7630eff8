//! What a check script prints, read as a list of assertions.
//!
//! ```text
//! PASS: the file exists
//! FAIL: the greeting is right | expected: hello | actual: hullo
//! HINT: look at the spelling
//! ```
//!
//! Other lines are ignored. The script's exit status decides the verdict:
//! 0 passes, anything else fails.

use berth_app::lab::{Assertion, Outcome};

/// The verdict and assertions from a finished check.
pub fn read(output: &str, exit_code: Option<i64>, timed_out: bool, truncated: bool) -> (bool, Vec<Assertion>) {
    let mut assertions: Vec<Assertion> = output.lines().filter_map(line).collect();
    if timed_out {
        assertions.push(Assertion::note(
            Outcome::Fail,
            "the check ran out of time (the exercise's timeout_seconds)",
        ));
    }
    if truncated {
        assertions.push(Assertion::note(
            Outcome::Hint,
            "the check printed too much; the rest was cut",
        ));
    }
    let passed = !timed_out && exit_code == Some(0);
    if !passed && !assertions.iter().any(|a| a.outcome == Outcome::Fail) {
        let why = match exit_code {
            _ if timed_out => None,
            Some(code) => Some(format!("the check did not pass (exit status {code})")),
            None => Some("the check did not finish".to_string()),
        };
        if let Some(why) = why {
            assertions.push(Assertion::note(Outcome::Fail, &why));
        }
    }
    (passed, assertions)
}

fn line(line: &str) -> Option<Assertion> {
    let line = line.trim_end_matches('\r');
    let (outcome, rest) = [
        ("PASS:", Outcome::Pass),
        ("FAIL:", Outcome::Fail),
        ("HINT:", Outcome::Hint),
    ]
    .into_iter()
    .find_map(|(prefix, outcome)| line.strip_prefix(prefix).map(|rest| (outcome, rest)))?;
    let mut parts = rest.split(" | ");
    let message = parts.next().unwrap_or_default().trim().to_string();
    let (mut expected, mut actual) = (None, None);
    for part in parts {
        if let Some(v) = part.trim().strip_prefix("expected:") {
            expected = Some(v.trim().to_string());
        } else if let Some(v) = part.trim().strip_prefix("actual:") {
            actual = Some(v.trim().to_string());
        }
    }
    Some(Assertion {
        outcome,
        message,
        expected,
        actual,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_assertions_and_the_exit_status_decides() {
        let out = "checking...\nPASS: the file exists\nFAIL: the greeting | expected: hello | actual: hullo\r\nHINT: spelling\n";
        let (passed, a) = read(out, Some(1), false, false);
        assert!(!passed);
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].outcome, Outcome::Pass);
        assert_eq!(a[1].expected.as_deref(), Some("hello"));
        assert_eq!(a[1].actual.as_deref(), Some("hullo"));
        assert_eq!(a[2].message, "spelling");
        // A pass needs exit status 0, whatever was printed.
        assert!(read("FAIL: ignored by the verdict", Some(0), false, false).0);
        assert!(!read("PASS: not enough", Some(2), false, false).0);
    }

    #[test]
    fn silent_failures_and_timeouts_still_explain_themselves() {
        let (passed, a) = read("", Some(3), false, false);
        assert!(!passed);
        assert!(a[0].message.contains("exit status 3"));
        let (passed, a) = read("PASS: started", Some(0), true, true);
        assert!(!passed);
        assert!(a.iter().any(|a| a.message.contains("ran out of time")));
        assert!(a.iter().any(|a| a.message.contains("printed too much")));
    }
}
