//! The course as files in Git: loaded, validated and rendered once, then
//! served from memory.
//!
//! ```text
//! content/
//!   course.toml                 title, description, module order (by id)
//!   modules/01-containers/
//!     module.toml               id, title, summary, objectives, duration_minutes
//!     01-what-is-a-container.md +++ front matter (id, title) +++ then Markdown
//!     exercises/<id>/           exercise.toml and its scripts (see `crate::exercise`)
//!   lib/*.sh                    shell functions every exercise script may call
//! ```

mod error;
mod grading;
mod highlight;
mod lint;
mod manifest;
mod markdown;
mod sanitize;
#[cfg(test)]
mod xss_tests;

pub use error::{ContentError, ContentErrors};
pub use grading::{Marks, ModuleGrading, ModuleScore, SCORE_MAXIMUM};
pub use lint::{BALANCE_LIMIT_PERCENT, Lints, QuizBalance, lint};
pub use manifest::Id;

use crate::exercise::{Exercise, Library, Limits, ModuleLab};
use crate::quiz::Quiz;
use berth_app::course::{Course, Lesson, Module, QUIZ_PATH, QuizRef};
use berth_app::lab::ExerciseRef;
use berth_app::model::{ExerciseId, LessonId, ModuleId};
use manifest::{CourseManifest, LessonSource, ModuleManifest, spanned_id};
use markdown::{LessonContext, LessonKey};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A loaded course: what the pages show, and the quizzes with their answer
/// keys, which stay on the server.
pub struct Loaded {
    pub course: Course,
    pub quizzes: BTreeMap<ModuleId, Quiz>,
    /// For modules with exercises.
    pub labs: BTreeMap<ModuleId, ModuleLab>,
    /// `lib/*.sh`, which every exercise script runs after.
    pub library: Arc<Library>,
    /// How each gradable module's score is made (modules with exercises or
    /// a quiz).
    pub grading: BTreeMap<ModuleId, ModuleGrading>,
}

/// Loads and renders the course under `root`, or returns every problem
/// found. `images` are the lab images exercises may name (empty: not
/// checked).
pub fn load(root: &Path, images: &[String]) -> Result<Loaded, ContentErrors> {
    let mut errors = Vec::new();
    let loaded = load_course(root, images, &mut errors);
    match loaded {
        Some(loaded) if errors.is_empty() => Ok(loaded),
        _ => Err(ContentErrors(errors)),
    }
}

/// A module read from disk, before its lessons are rendered.
struct ModuleFiles {
    dir: PathBuf,
    manifest: ModuleManifest,
    id: Id,
    lessons: Vec<LessonFile>,
}

struct LessonFile {
    path: PathBuf,
    rel_path: PathBuf,
    text: String,
}

fn load_course(root: &Path, images: &[String], errors: &mut Vec<ContentError>) -> Option<Loaded> {
    let course_file = root.join("course.toml");
    let text = match fs::read_to_string(&course_file) {
        Ok(t) => t,
        Err(e) => {
            errors.push(ContentError::in_file(
                &course_file,
                format!(
                    "cannot read the course file ({e}); is `{}` a course folder?",
                    root.display()
                ),
            ));
            return None;
        }
    };
    let manifest: CourseManifest = match toml::from_str(&text) {
        Ok(m) => m,
        Err(e) => {
            errors.push(ContentError::toml(&course_file, &text, 1, &e));
            return None;
        }
    };

    let mut modules = read_modules(root, errors);
    let mut ordered = Vec::new();
    let mut listed = HashSet::new();
    for entry in &manifest.modules {
        let line = 1 + error::line_index(&text, entry.span().start);
        let id = entry.get_ref();
        if !listed.insert(id.clone()) {
            errors.push(ContentError::at(
                &course_file,
                line,
                format!("module `{id}` is listed twice"),
            ));
        } else if let Some(m) = modules.remove(id) {
            ordered.push(m);
        } else {
            errors.push(ContentError::at(
                &course_file,
                line,
                format!("no module has the id `{id}` (each folder under modules/ needs a module.toml with its id)"),
            ));
        }
    }
    for m in modules.values() {
        errors.push(ContentError::in_file(
            m.dir.join("module.toml"),
            format!(
                "module `{}` is not listed in course.toml; add it to `modules` there",
                m.id
            ),
        ));
    }
    if ordered.is_empty() && errors.is_empty() {
        errors.push(ContentError::in_file(&course_file, "the course has no modules"));
    }

    let quizzes = read_quizzes(&ordered, errors);
    let library = Arc::new(Library::read(root).unwrap_or_else(|e| {
        errors.push(e);
        Library::default()
    }));
    let exercises = read_exercises(&ordered, images, &library, errors);
    let grading = module_grading(&ordered, &exercises, &quizzes, errors);
    let mut modules = render_modules(ordered, &exercises, errors);
    for m in &mut modules {
        m.quiz = quizzes.get(&m.id).map(|q| QuizRef {
            id: q.id.clone(),
            title: q.title.clone(),
            questions: q.questions.len(),
        });
    }
    let labs = module_labs(&modules, exercises, errors);
    Some(Loaded {
        course: Course {
            title: manifest.title,
            description: manifest.description,
            modules,
        },
        labs,
        quizzes,
        library,
        grading,
    })
}

/// Each module's `[grade]`, checked against its exercises and quiz.
fn module_grading(
    modules: &[ModuleFiles],
    exercises: &BTreeMap<ModuleId, Vec<Exercise>>,
    quizzes: &BTreeMap<ModuleId, Quiz>,
    errors: &mut Vec<ContentError>,
) -> BTreeMap<ModuleId, ModuleGrading> {
    let mut all = BTreeMap::new();
    for m in modules {
        let id = ModuleId::new(m.id.to_string());
        let ids = exercises
            .get(&id)
            .map(|list| list.iter().map(|e| e.id.clone()).collect())
            .unwrap_or_default();
        let file = m.dir.join("module.toml");
        match ModuleGrading::new(&file, m.manifest.grade.as_ref(), ids, quizzes.contains_key(&id)) {
            Ok(Some(grading)) => {
                all.insert(id, grading);
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    all
}

/// Reads every `modules/*/module.toml` and lists each module's lesson files
/// in file-name order, keyed by module id.
fn read_modules(root: &Path, errors: &mut Vec<ContentError>) -> BTreeMap<String, ModuleFiles> {
    let modules_dir = root.join("modules");
    let mut dirs = match sorted_entries(&modules_dir) {
        Ok(d) => d,
        Err(e) => {
            errors.push(ContentError::in_file(
                &modules_dir,
                format!("cannot read the modules folder: {e}"),
            ));
            return BTreeMap::new();
        }
    };
    dirs.retain(|d| d.is_dir());

    let mut modules: BTreeMap<String, ModuleFiles> = BTreeMap::new();
    for dir in dirs {
        let file = dir.join("module.toml");
        let Ok(text) = fs::read_to_string(&file) else {
            errors.push(ContentError::in_file(&file, "every module folder needs a module.toml"));
            continue;
        };
        let manifest: ModuleManifest = match toml::from_str(&text) {
            Ok(m) => m,
            Err(e) => {
                errors.push(ContentError::toml(&file, &text, 1, &e));
                continue;
            }
        };
        let id = match spanned_id(&file, &text, 1, &manifest.id) {
            Ok(id) => id,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if let Some(first) = modules.get(id.as_str()) {
            let line = 1 + error::line_index(&text, manifest.id.span().start);
            errors.push(ContentError::at(
                &file,
                line,
                format!(
                    "module id `{id}` is already used by {}",
                    first.dir.join("module.toml").display()
                ),
            ));
            continue;
        }
        let lessons = match sorted_entries(&dir) {
            Ok(entries) => entries
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .filter_map(|path| match fs::read_to_string(&path) {
                    Ok(text) => Some(LessonFile {
                        rel_path: path.strip_prefix(root).unwrap_or(&path).to_path_buf(),
                        path,
                        text,
                    }),
                    Err(e) => {
                        errors.push(ContentError::in_file(&path, format!("cannot read the lesson: {e}")));
                        None
                    }
                })
                .collect(),
            Err(e) => {
                errors.push(ContentError::in_file(
                    &dir,
                    format!("cannot read the module folder: {e}"),
                ));
                Vec::new()
            }
        };
        if lessons.is_empty() {
            errors.push(ContentError::in_file(
                &file,
                "the module has no lessons (Markdown files next to module.toml)",
            ));
        }
        modules.insert(
            id.to_string(),
            ModuleFiles {
                dir,
                manifest,
                id,
                lessons,
            },
        );
    }
    modules
}

/// Each module's optional `quiz.toml`; quiz ids are unique in the course.
fn read_quizzes(modules: &[ModuleFiles], errors: &mut Vec<ContentError>) -> BTreeMap<ModuleId, Quiz> {
    let mut quizzes = BTreeMap::new();
    let mut ids: HashMap<String, PathBuf> = HashMap::new();
    for m in modules {
        let file = m.dir.join("quiz.toml");
        let text = match fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                errors.push(ContentError::in_file(&file, format!("cannot read the quiz: {e}")));
                continue;
            }
        };
        match Quiz::parse(&file, &text) {
            Ok(quiz) => {
                if let Some(first) = ids.insert(quiz.id.to_string(), file.clone()) {
                    errors.push(ContentError::in_file(
                        &file,
                        format!("quiz id `{}` is already used by {}", quiz.id, first.display()),
                    ));
                }
                quizzes.insert(ModuleId::new(m.id.to_string()), quiz);
            }
            Err(errs) => errors.extend(errs),
        }
    }
    quizzes
}

/// Each module's `exercises/<id>/` folders; ids are unique in the course.
fn read_exercises(
    modules: &[ModuleFiles],
    images: &[String],
    library: &Arc<Library>,
    errors: &mut Vec<ContentError>,
) -> BTreeMap<ModuleId, Vec<Exercise>> {
    let mut all = BTreeMap::new();
    let mut seen: HashMap<ExerciseId, PathBuf> = HashMap::new();
    for m in modules {
        let dir = m.dir.join("exercises");
        let entries = match sorted_entries(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                errors.push(ContentError::in_file(&dir, format!("cannot read the exercises: {e}")));
                continue;
            }
        };
        let mut list = Vec::new();
        for path in entries.into_iter().filter(|p| p.is_dir()) {
            match Exercise::read(&path, images, library) {
                Ok(e) => {
                    if let Some(first) = seen.insert(e.id.clone(), path.clone()) {
                        errors.push(ContentError::in_file(
                            &path,
                            format!("exercise id `{}` is already used by {}", e.id, first.display()),
                        ));
                        continue;
                    }
                    list.push(e);
                }
                Err(errs) => errors.extend(errs),
            }
        }
        if !list.is_empty() {
            all.insert(ModuleId::new(m.id.to_string()), list);
        }
    }
    all
}

/// One lab per module with exercises: they must agree on the image; the lab
/// gets the largest of their limits, and a network if any asks for one.
fn module_labs(
    modules: &[Module],
    exercises: BTreeMap<ModuleId, Vec<Exercise>>,
    errors: &mut Vec<ContentError>,
) -> BTreeMap<ModuleId, ModuleLab> {
    let mut labs = BTreeMap::new();
    for (module, list) in exercises {
        let image = list[0].image.clone();
        for e in list.iter().filter(|e| e.image != image) {
            errors.push(ContentError::in_file(
                e.dir.join("exercise.toml"),
                format!(
                    "exercise `{}` asks for image `{}` but {} uses `{image}`: one module has one lab",
                    e.id,
                    e.image,
                    list[0].dir.join("exercise.toml").display()
                ),
            ));
        }
        let lessons = modules
            .iter()
            .filter(|m| m.id == module)
            .flat_map(|m| &m.lessons)
            .filter(|l| !l.exercises.is_empty())
            .map(|l| (l.id.clone(), l.exercises.iter().map(|e| e.id.clone()).collect()))
            .collect();
        labs.insert(
            module,
            ModuleLab {
                image,
                limits: list.iter().map(|e| e.limits).reduce(Limits::max).unwrap_or_default(),
                network: list.iter().any(|e| e.network),
                nodes: list.iter().map(|e| e.nodes).max().unwrap_or(1),
                exercises: list,
                lessons,
            },
        );
    }
    labs
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()?;
    paths.sort();
    Ok(paths)
}

/// Parses front matter everywhere first, so links can point at any lesson,
/// then renders every lesson and checks links to headings.
fn render_modules(
    modules: Vec<ModuleFiles>,
    exercises: &BTreeMap<ModuleId, Vec<Exercise>>,
    errors: &mut Vec<ContentError>,
) -> Vec<Module> {
    let mut used: HashMap<ExerciseId, String> = HashMap::new();
    let mut keys: HashMap<PathBuf, LessonKey> = HashMap::new();
    let mut first_use: HashMap<String, (PathBuf, usize)> = HashMap::new();
    let mut parsed: Vec<Vec<(&LessonFile, LessonSource, LessonKey)>> = Vec::new();
    for m in &modules {
        let mut lessons = Vec::new();
        for file in &m.lessons {
            let src = match LessonSource::parse(&file.path, &file.text) {
                Ok(src) => src,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let line = src.front_line(&src.front.id);
            let id = match Id::parse(src.front.id.get_ref()) {
                Ok(id) if id.as_str() == QUIZ_PATH => {
                    errors.push(ContentError::at(
                        &file.path,
                        line,
                        format!("`{QUIZ_PATH}` is reserved for the module's quiz page; choose another lesson id"),
                    ));
                    continue;
                }
                Ok(id) => id,
                Err(msg) => {
                    errors.push(ContentError::at(&file.path, line, msg.to_string()));
                    continue;
                }
            };
            if let Some((first, first_line)) = first_use.get(id.as_str()) {
                errors.push(ContentError::at(
                    &file.path,
                    line,
                    format!(
                        "lesson id `{id}` is already used by {}:{first_line}; ids must be unique in the course",
                        first.display()
                    ),
                ));
                continue;
            }
            first_use.insert(id.to_string(), (file.path.clone(), line));
            let key = LessonKey {
                module: m.id.to_string(),
                lesson: id.to_string(),
            };
            keys.insert(file.rel_path.clone(), key.clone());
            lessons.push((file, src, key));
        }
        parsed.push(lessons);
    }

    let mut anchors: HashMap<LessonKey, HashSet<String>> = HashMap::new();
    let mut anchor_refs = Vec::new();
    let mut out = Vec::new();
    for (m, lessons) in modules.iter().zip(parsed) {
        let mut rendered_lessons = Vec::new();
        for (file, src, key) in lessons {
            let cx = LessonContext {
                file: &file.path,
                rel_path: &file.rel_path,
                key: &key,
                body_line: src.body_line,
                lessons: &keys,
            };
            let (rendered, errs) = markdown::render(src.body, &cx);
            errors.extend(errs);
            anchor_refs.extend(rendered.anchor_refs.into_iter().map(|r| (file.path.clone(), r)));
            anchors.insert(key.clone(), rendered.anchors);
            let mut refs = Vec::new();
            for wanted in &src.front.exercises {
                let line = src.front_line(wanted);
                let found = exercises
                    .get(m.id.as_str())
                    .and_then(|list| list.iter().find(|e| e.id == wanted.get_ref().as_str()));
                let Some(e) = found else {
                    errors.push(ContentError::at(
                        &file.path,
                        line,
                        format!(
                            "no exercise `{}` in this module: add the folder {}",
                            wanted.get_ref(),
                            m.dir.join("exercises").join(wanted.get_ref()).display()
                        ),
                    ));
                    continue;
                };
                if let Some(first) = used.insert(e.id.clone(), key.lesson.clone()) {
                    errors.push(ContentError::at(
                        &file.path,
                        line,
                        format!(
                            "exercise `{}` is already in lesson `{first}`; each exercise belongs to one lesson",
                            e.id
                        ),
                    ));
                    continue;
                }
                refs.push(ExerciseRef {
                    id: e.id.clone(),
                    title: e.title.clone(),
                });
            }
            rendered_lessons.push(Lesson {
                id: LessonId::new(key.lesson),
                title: src.front.title,
                html: rendered.html,
                toc: rendered.toc,
                exercises: refs,
            });
        }
        out.push(Module {
            id: ModuleId::new(m.id.to_string()),
            title: m.manifest.title.clone(),
            summary: m.manifest.summary.clone(),
            objectives: m.manifest.objectives.clone(),
            duration_minutes: m.manifest.duration_minutes,
            lessons: rendered_lessons,
            quiz: None,
        });
    }

    for list in exercises.values() {
        for e in list.iter().filter(|e| !used.contains_key(&e.id)) {
            errors.push(ContentError::in_file(
                e.dir.join("exercise.toml"),
                format!("exercise `{}` is in no lesson: list it in a lesson's `exercises`", e.id),
            ));
        }
    }

    for (file, r) in anchor_refs {
        let found = anchors.get(&r.target).is_some_and(|a| a.contains(&r.fragment));
        if !found {
            errors.push(ContentError::at(
                &file,
                r.line,
                format!(
                    "`#{}` does not match any heading in lesson `{}`",
                    r.fragment, r.target.lesson
                ),
            ));
        }
    }
    out
}
