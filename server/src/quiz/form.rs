//! A quiz as an HTML form: the view the browser gets (no keys, no
//! explanations), reading the submitted fields back into answers, and the
//! feedback shown once they are graded.

use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

use super::{Answer, Graded, Key, Question, Quiz};
use berth_app::quiz::{AttemptReport, Choice, Feedback, Input, QuestionView, QuizView, field_name};

/// Longest answer text kept; anything longer is cut, not refused.
const MAX_TEXT: usize = 500;

/// A choice's key: a digest of its question and text. It is stable across
/// restarts and edits elsewhere, and says nothing about its position or
/// whether it is right.
fn choice_key(question: &str, text: &str) -> String {
    let digest = Sha256::new()
        .chain_update(question)
        .chain_update([0])
        .chain_update(text)
        .finalize();
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

fn choices(question: &str, texts: &[String]) -> Vec<Choice> {
    texts
        .iter()
        .map(|t| Choice {
            key: choice_key(question, t),
            text: t.clone(),
        })
        .collect()
}

/// What a learner submitted: the answers to grade, and the raw values as
/// they came (trimmed to size) to store with the attempt.
#[derive(Debug, Default, PartialEq)]
pub struct Submission {
    pub answers: HashMap<String, Answer>,
    pub raw: BTreeMap<String, Vec<String>>,
}

impl Quiz {
    /// The quiz without anything that gives answers away, unshuffled.
    pub fn public(&self) -> QuizView {
        QuizView {
            id: self.id.clone(),
            title: self.title.clone(),
            pass_percent: self.pass_percent,
            questions: self
                .questions
                .iter()
                .map(|q| QuestionView {
                    id: q.id.clone(),
                    prompt: q.prompt.clone(),
                    input: match &q.key {
                        Key::Single { options, .. } => Input::Single(choices(&q.id, options)),
                        Key::Multiple { options, .. } => Input::Multiple(choices(&q.id, options)),
                        Key::Text { .. } => Input::Text,
                        Key::Number { .. } => Input::Number,
                        Key::Order { items } => Input::Order(choices(&q.id, items)),
                    },
                })
                .collect(),
        }
    }

    /// Reads the form fields the quiz page posts. Unknown fields and
    /// choices are ignored; a malformed answer counts as no answer.
    pub fn read_form(&self, fields: &[(String, String)]) -> Submission {
        let mut submission = Submission::default();
        for q in &self.questions {
            let name = field_name(&q.id);
            let values: Vec<&str> = fields
                .iter()
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str())
                .collect();
            let index_of = |texts: &[String], key: &str| texts.iter().position(|t| choice_key(&q.id, t) == key);
            let (answer, raw) = match &q.key {
                Key::Single { options, .. } => {
                    let given = values.first().copied();
                    (
                        given.and_then(|k| index_of(options, k)).map(Answer::Choice),
                        given.map(|k| vec![cut(k)]),
                    )
                }
                Key::Multiple { options, .. } => {
                    let mut picked: Vec<usize> = values.iter().filter_map(|k| index_of(options, k)).collect();
                    picked.sort_unstable();
                    picked.dedup();
                    let raw = values.iter().map(|v| cut(v)).collect::<Vec<_>>();
                    (
                        (!picked.is_empty()).then_some(Answer::Choices(picked)),
                        (!raw.is_empty()).then_some(raw),
                    )
                }
                Key::Text { .. } => {
                    let given = values.first().map(|v| cut(v.trim())).filter(|v| !v.is_empty());
                    (given.clone().map(Answer::Text), given.map(|g| vec![g]))
                }
                Key::Number { .. } => {
                    let given = values.first().map(|v| cut(v.trim())).filter(|v| !v.is_empty());
                    let number = given.as_deref().and_then(parse_number).map(Answer::Number);
                    (number, given.map(|g| vec![g]))
                }
                Key::Order { items } => {
                    let order = read_order(&q.id, items, fields, &name);
                    let raw = order
                        .as_ref()
                        .map(|o| o.iter().map(|&i| choice_key(&q.id, &items[i])).collect());
                    (order.map(Answer::Order), raw)
                }
            };
            if let Some(answer) = answer {
                submission.answers.insert(q.id.clone(), answer);
            }
            if let Some(raw) = raw {
                submission.raw.insert(q.id.clone(), raw);
            }
        }
        submission
    }

    /// Per-question feedback with explanations, for after grading.
    pub fn report(&self, answers: &HashMap<String, Answer>, graded: &Graded) -> AttemptReport {
        AttemptReport {
            quiz_title: self.title.clone(),
            pass_percent: self.pass_percent,
            feedback: self
                .questions
                .iter()
                .map(|q| Feedback {
                    prompt: q.prompt.clone(),
                    given: answers.get(&q.id).map(|a| describe(q, a)).unwrap_or_default(),
                    correct: graded.correct.get(&q.id).copied().unwrap_or(false),
                    explanation: q.explanation.clone(),
                })
                .collect(),
        }
    }
}

/// Positions posted as `q.<id>.<key>` = 1..=n, one per item, all different;
/// anything else is no answer. Returns item indices in the learner's order.
fn read_order(question: &str, items: &[String], fields: &[(String, String)], name: &str) -> Option<Vec<usize>> {
    let mut placed: Vec<Option<usize>> = vec![None; items.len()];
    for (i, item) in items.iter().enumerate() {
        let field = format!("{name}.{}", choice_key(question, item));
        let position: usize = fields.iter().find(|(k, _)| *k == field)?.1.trim().parse().ok()?;
        let slot = placed.get_mut(position.checked_sub(1)?)?;
        if slot.replace(i).is_some() {
            return None;
        }
    }
    placed.into_iter().collect()
}

/// Accepts a decimal comma as well as a point.
fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    text.parse()
        .ok()
        .or_else(|| text.replace(',', ".").parse().ok())
        .filter(|n: &f64| n.is_finite())
}

fn cut(text: &str) -> String {
    text.chars().take(MAX_TEXT).collect()
}

/// The learner's answer in words.
fn describe(q: &Question, answer: &Answer) -> String {
    let texts = match &q.key {
        Key::Single { options, .. } | Key::Multiple { options, .. } => options.as_slice(),
        Key::Order { items } => items.as_slice(),
        _ => &[],
    };
    let pick = |i: &usize| texts.get(*i).cloned().unwrap_or_default();
    match answer {
        Answer::Choice(i) => pick(i),
        Answer::Choices(is) => is.iter().map(pick).collect::<Vec<_>>().join(", "),
        Answer::Text(t) => t.clone(),
        Answer::Number(n) => n.to_string(),
        Answer::Order(is) => is.iter().map(pick).collect::<Vec<_>>().join(" → "),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::quiz;
    use super::*;

    fn key(q: &str, text: &str) -> String {
        choice_key(q, text)
    }

    fn fields(pairs: &[(&str, String)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    #[test]
    fn the_public_view_keeps_no_key_and_no_order_hint() {
        let view = quiz().public();
        let json = format!("{view:?}");
        assert!(!json.contains("answer"), "{json}");
        match &view.questions[0].input {
            Input::Single(c) => {
                assert_eq!(c[1].key, key("single", "b"));
                assert_ne!(c[0].key, "0");
                assert_eq!(c[0].key.len(), 12);
            }
            other => panic!("{other:?}"),
        }
        // The same text in another question gets another key.
        assert_ne!(key("single", "a"), key("multiple", "a"));
    }

    #[test]
    fn a_full_right_submission_scores_everything() {
        let quiz = quiz();
        let form = fields(&[
            ("q.single", key("single", "b")),
            ("q.multiple", key("multiple", "c")),
            ("q.multiple", key("multiple", "a")),
            ("q.text", "  CGroups ".into()),
            ("q.number", "1,5".into()),
            (&format!("q.order.{}", key("order", "run")), "3".into()),
            (&format!("q.order.{}", key("order", "write")), "1".into()),
            (&format!("q.order.{}", key("order", "build")), "2".into()),
            ("unrelated", "x".into()),
        ]);
        let s = quiz.read_form(&form);
        let graded = super::super::grade(&quiz, &s.answers);
        assert_eq!(graded.score, 5, "{s:?}");
        assert_eq!(s.raw["text"], vec!["CGroups".to_string()]);
        let report = quiz.report(&s.answers, &graded);
        assert_eq!(report.feedback[1].given, "a, c");
        assert_eq!(report.feedback[4].given, "write → build → run");
        assert!(report.feedback.iter().all(|f| f.correct));
    }

    #[test]
    fn malformed_answers_count_as_none() {
        let quiz = quiz();
        let [w, b, r] = ["write", "build", "run"].map(|item| format!("q.order.{}", key("order", item)));
        // A missing place, a repeated one, zero, one past the end, not a number.
        for [first, second, third] in [
            ["1", "2", ""],
            ["1", "1", "2"],
            ["0", "1", "2"],
            ["4", "1", "2"],
            ["x", "1", "2"],
        ] {
            let order: Vec<(String, String)> = [(&w, first), (&b, second), (&r, third)]
                .into_iter()
                .filter(|(_, place)| !place.is_empty())
                .map(|(name, place)| (name.clone(), place.to_string()))
                .collect();
            assert!(!quiz.read_form(&order).answers.contains_key("order"), "{order:?}");
        }
        let s = quiz.read_form(&fields(&[
            ("q.single", "not-a-key".into()),
            ("q.number", "half".into()),
            ("q.text", "   ".into()),
            ("q.multiple", "nope".into()),
        ]));
        assert!(s.answers.is_empty(), "{s:?}");
        // Wrong-looking input is still kept as given, cut to size.
        assert_eq!(s.raw["number"], vec!["half".to_string()]);
        let long = quiz.read_form(&fields(&[("q.text", "x".repeat(10_000))]));
        assert_eq!(long.raw["text"][0].len(), MAX_TEXT);
        let graded = super::super::grade(&quiz, &s.answers);
        let report = quiz.report(&s.answers, &graded);
        assert_eq!(report.feedback[0].given, "");
        assert!(!report.feedback[0].correct);
    }
}
