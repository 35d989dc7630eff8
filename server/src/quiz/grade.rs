//! Grading a submission against a quiz's key.

use super::{Key, Quiz};
use std::collections::HashMap;

/// A learner's answer to one question, as submitted.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Choice(usize),
    Choices(Vec<usize>),
    Text(String),
    Number(f64),
    /// Indices into the question's items, in the order the learner put them.
    Order(Vec<usize>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    /// Per question id: whether the answer was right (unanswered is wrong).
    pub correct: HashMap<String, bool>,
    pub score: usize,
    pub total: usize,
    pub percent: u32,
    pub passed: bool,
}

pub fn grade(quiz: &Quiz, answers: &HashMap<String, Answer>) -> Graded {
    let correct: HashMap<String, bool> = quiz
        .questions
        .iter()
        .map(|q| (q.id.clone(), answers.get(&q.id).is_some_and(|a| is_right(&q.key, a))))
        .collect();
    let score = correct.values().filter(|&&c| c).count();
    let total = quiz.questions.len();
    let percent = ((score * 100) / total.max(1)) as u32;
    Graded {
        correct,
        score,
        total,
        percent,
        passed: percent >= quiz.pass_percent,
    }
}

fn is_right(key: &Key, answer: &Answer) -> bool {
    match (key, answer) {
        (Key::Single { answer, .. }, Answer::Choice(given)) => given == answer,
        (Key::Multiple { answers, .. }, Answer::Choices(given)) => {
            let mut given = given.clone();
            given.sort_unstable();
            given.dedup();
            &given == answers
        }
        (
            Key::Text {
                accept,
                pattern,
                case_sensitive,
            },
            Answer::Text(given),
        ) => {
            let given = given.trim();
            let same = |a: &String| {
                let a = a.trim();
                if *case_sensitive {
                    a == given
                } else {
                    a.to_lowercase() == given.to_lowercase()
                }
            };
            !given.is_empty() && (accept.iter().any(same) || pattern.as_ref().is_some_and(|p| p.is_match(given)))
        }
        (Key::Number { answer, tolerance }, Answer::Number(given)) => {
            given.is_finite() && (given - answer).abs() <= *tolerance
        }
        (Key::Order { items }, Answer::Order(given)) => {
            given.len() == items.len() && given.iter().copied().eq(0..items.len())
        }
        _ => false,
    }
}
