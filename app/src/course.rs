//! The course as pages see it.
//!
//! The server parses and renders the course once (see `berth_server::content`)
//! into a [`Course`]; pages ask for small views of it through server functions,
//! so the browser only ever receives what the page it shows needs.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::{LessonId, ModuleId, QuizId};

/// A whole rendered course, held in memory by the server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Course {
    pub title: String,
    pub description: String,
    pub modules: Vec<Module>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Module {
    /// Stable id: progress and URLs key on it, not on the folder name.
    pub id: ModuleId,
    pub title: String,
    pub summary: String,
    pub objectives: Vec<String>,
    pub duration_minutes: u32,
    pub lessons: Vec<Lesson>,
    pub quiz: Option<QuizRef>,
}

/// A module's quiz as links and lists show it: no questions, no answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuizRef {
    pub id: QuizId,
    pub title: String,
    pub questions: usize,
}

/// The path segment of a module's quiz page, so no lesson may use it as id.
pub const QUIZ_PATH: &str = "quiz";

pub fn quiz_href(module: impl std::fmt::Display) -> String {
    format!("/modules/{module}/{QUIZ_PATH}")
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lesson {
    /// Stable id, unique within the course.
    pub id: LessonId,
    pub title: String,
    /// Sanitised HTML of the lesson body.
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Exercises done in this lesson's lab.
    pub exercises: Vec<crate::lab::ExerciseRef>,
}

/// One heading of a lesson's table of contents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// What the catalog page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub title: String,
    pub description: String,
    pub modules: Vec<ModuleCard>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModuleCard {
    pub number: usize,
    pub id: ModuleId,
    pub title: String,
    pub summary: String,
    pub duration_minutes: u32,
    pub lesson_count: usize,
}

/// What a module page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModuleView {
    pub number: usize,
    pub id: ModuleId,
    pub title: String,
    pub summary: String,
    pub objectives: Vec<String>,
    pub duration_minutes: u32,
    pub lessons: Vec<LessonLink>,
    pub quiz: Option<QuizRef>,
}

/// A link to a lesson, enough to build its URL and label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LessonLink {
    pub module: ModuleId,
    pub id: LessonId,
    pub title: String,
}

impl LessonLink {
    pub fn href(&self) -> String {
        lesson_href(&self.module, &self.id)
    }
}

/// What a lesson page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LessonView {
    pub module_number: usize,
    pub module_id: ModuleId,
    pub module_title: String,
    pub id: LessonId,
    pub title: String,
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub exercises: Vec<crate::lab::ExerciseRef>,
    pub prev: Option<LessonLink>,
    pub next: Option<LessonLink>,
}

pub fn module_href(module: impl std::fmt::Display) -> String {
    format!("/modules/{module}")
}

pub fn lesson_href(module: impl std::fmt::Display, lesson: impl std::fmt::Display) -> String {
    format!("/modules/{module}/{lesson}")
}

/// The module and lesson a path names if it has a lesson page's shape (the
/// inverse of [`lesson_href`]); whether the course has them is another matter.
pub fn lesson_of_path(path: &str) -> Option<(&str, &str)> {
    let (module, lesson) = path.strip_prefix("/modules/")?.split_once('/')?;
    let plain = |s: &str| !s.is_empty() && !s.contains('/');
    (plain(module) && plain(lesson) && lesson != QUIZ_PATH).then_some((module, lesson))
}

impl Course {
    pub fn catalog(&self) -> Catalog {
        Catalog {
            title: self.title.clone(),
            description: self.description.clone(),
            modules: self
                .modules
                .iter()
                .enumerate()
                .map(|(i, m)| ModuleCard {
                    number: i + 1,
                    id: m.id.clone(),
                    title: m.title.clone(),
                    summary: m.summary.clone(),
                    duration_minutes: m.duration_minutes,
                    lesson_count: m.lessons.len(),
                })
                .collect(),
        }
    }

    pub fn module_view(&self, module: &str) -> Option<ModuleView> {
        let (i, m) = self.modules.iter().enumerate().find(|(_, m)| m.id == module)?;
        Some(ModuleView {
            number: i + 1,
            id: m.id.clone(),
            title: m.title.clone(),
            summary: m.summary.clone(),
            objectives: m.objectives.clone(),
            duration_minutes: m.duration_minutes,
            lessons: m.lessons.iter().map(|l| link(m, l)).collect(),
            quiz: m.quiz.clone(),
        })
    }

    pub fn has_lesson(&self, module: &str, lesson: &str) -> bool {
        self.modules
            .iter()
            .any(|m| m.id == module && m.lessons.iter().any(|l| l.id == lesson))
    }

    /// The lesson with its neighbours; previous and next cross module
    /// boundaries so a learner can read the course straight through.
    pub fn lesson_view(&self, module: &str, lesson: &str) -> Option<LessonView> {
        let flat: Vec<(usize, &Module, &Lesson)> = self
            .modules
            .iter()
            .enumerate()
            .flat_map(|(i, m)| m.lessons.iter().map(move |l| (i, m, l)))
            .collect();
        let pos = flat.iter().position(|(_, m, l)| m.id == module && l.id == lesson)?;
        let (i, m, l) = flat[pos];
        let neighbour = |p: Option<usize>| p.and_then(|p| flat.get(p)).map(|(_, m, l)| link(m, l));
        Some(LessonView {
            module_number: i + 1,
            module_id: m.id.clone(),
            module_title: m.title.clone(),
            id: l.id.clone(),
            title: l.title.clone(),
            html: l.html.clone(),
            toc: l.toc.clone(),
            exercises: l.exercises.clone(),
            prev: neighbour(pos.checked_sub(1)),
            next: neighbour(Some(pos + 1)),
        })
    }
}

fn link(m: &Module, l: &Lesson) -> LessonLink {
    LessonLink {
        module: m.id.clone(),
        id: l.id.clone(),
        title: l.title.clone(),
    }
}

/// The course the server currently serves, provided as context by the server.
#[cfg(feature = "ssr")]
pub fn current() -> Result<std::sync::Arc<Course>, AppError> {
    use_context::<std::sync::Arc<Course>>().ok_or_else(|| not_ready("the course"))
}

/// What a server function answers when the server lacks a part it needs
/// (only while it starts, or in a test that left it out).
#[cfg(feature = "ssr")]
pub(crate) fn not_ready(what: &str) -> AppError {
    leptos::logging::error!("{what} is not provided to server functions");
    AppError::unavailable("The server is not ready yet; try again in a moment.")
}

#[server(endpoint = "catalog", input = GetUrl)]
pub async fn get_catalog() -> Result<Catalog, AppError> {
    Ok(current()?.catalog())
}

#[server(endpoint = "module", input = GetUrl)]
pub async fn get_module(module: ModuleId) -> Result<Option<ModuleView>, AppError> {
    Ok(current()?.module_view(module.as_str()))
}

#[server(endpoint = "lesson", input = GetUrl)]
pub async fn get_lesson(module: ModuleId, lesson: LessonId) -> Result<Option<LessonView>, AppError> {
    Ok(current()?.lesson_view(module.as_str(), lesson.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(id: &str) -> Lesson {
        Lesson {
            id: id.into(),
            title: id.to_uppercase(),
            html: String::new(),
            toc: vec![],
            exercises: vec![],
        }
    }

    fn course() -> Course {
        let module = |id: &str, lessons: &[&str]| Module {
            id: id.into(),
            title: id.into(),
            summary: String::new(),
            objectives: vec![],
            duration_minutes: 10,
            lessons: lessons.iter().map(|l| lesson(l)).collect(),
            quiz: None,
        };
        Course {
            title: "T".into(),
            description: "D".into(),
            modules: vec![module("a", &["a1", "a2"]), module("b", &["b1"])],
        }
    }

    #[test]
    fn neighbours_cross_module_boundaries() {
        let c = course();
        let v = c.lesson_view("a", "a2").unwrap();
        assert_eq!(v.prev.unwrap().id, "a1");
        assert_eq!(v.next.as_ref().unwrap().href(), "/modules/b/b1");
        let first = c.lesson_view("a", "a1").unwrap();
        assert!(first.prev.is_none());
        let last = c.lesson_view("b", "b1").unwrap();
        assert!(last.next.is_none());
        assert_eq!(last.module_number, 2);
    }

    #[test]
    fn unknown_ids_find_nothing() {
        let c = course();
        assert!(c.lesson_view("a", "b1").is_none());
        assert!(c.module_view("zzz").is_none());
        assert_eq!(c.catalog().modules[1].lesson_count, 1);
    }
}
