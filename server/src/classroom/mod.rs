//! Classrooms: an instructor's learners, their progress as a live grid,
//! where they get stuck, and exports. Every view is computed from the
//! learners' own records (progress, checks, quiz attempts, labs), so nothing
//! here can disagree with what learners see.

pub mod routes;

use berth_app::account::SignedIn;
use berth_app::classroom::{
    AuditLine, Cell, CellState, ClassroomService, ClassroomSummary, ClassroomView, Column, ExerciseInsight, ItemKind,
    JoinInfo, JoinStatus, LearnerLab, LearnerRow, QuestionInsight, QuizInsight, WatchView,
};
use berth_app::course::Course;
use berth_app::lab::{CheckReport, Outcome};
use berth_app::quiz::AttemptReport;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use crate::store::{ClassActivity, ClassroomRow, LabRow, Store, StoreError, unix_now_millis};

/// When a learner counts as stuck.
#[derive(Clone, Copy, Debug)]
pub struct StuckRules {
    /// The same exercise's check failed this many times in a row.
    pub failures: u32,
    /// Their lab sat idle this long with exercises of its module unfinished.
    pub idle: Duration,
}

pub struct Classrooms {
    store: Store,
    course: Arc<Course>,
    stuck: StuckRules,
    columns: Vec<Column>,
    /// Exercise id → (module id, title).
    exercises: HashMap<String, (String, String)>,
}

/// Who may see a classroom: its owner, and every admin.
pub fn may_see(viewer: &SignedIn, room: &ClassroomRow) -> bool {
    viewer.me.role == "admin" || room.owner_id == viewer.id
}

impl Classrooms {
    pub fn new(store: Store, course: Arc<Course>, stuck: StuckRules) -> Self {
        let mut columns = Vec::new();
        let mut exercises = HashMap::new();
        for (i, m) in course.modules.iter().enumerate() {
            let n = i + 1;
            let mut exercise_no = 0;
            for (j, l) in m.lessons.iter().enumerate() {
                columns.push(Column {
                    key: format!("lesson:{}", l.id),
                    kind: ItemKind::Lesson,
                    module_title: m.title.clone(),
                    title: l.title.clone(),
                    short: format!("L{n}.{}", j + 1),
                });
                for e in &l.exercises {
                    exercise_no += 1;
                    exercises.insert(e.id.clone(), (m.id.clone(), e.title.clone()));
                    columns.push(Column {
                        key: format!("exercise:{}", e.id),
                        kind: ItemKind::Exercise,
                        module_title: m.title.clone(),
                        title: e.title.clone(),
                        short: format!("E{n}.{exercise_no}"),
                    });
                }
            }
            if let Some(q) = &m.quiz {
                columns.push(Column {
                    key: format!("quiz:{}", q.id),
                    kind: ItemKind::Quiz,
                    module_title: m.title.clone(),
                    title: q.title.clone(),
                    short: format!("Q{n}"),
                });
            }
        }
        Self {
            store,
            course,
            stuck,
            columns,
            exercises,
        }
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The classroom if `viewer` may see it; another instructor's looks
    /// exactly like a missing one.
    pub async fn visible(&self, viewer: &SignedIn, id: i64) -> Result<Option<ClassroomRow>, StoreError> {
        Ok(self.store.classroom(id).await?.filter(|room| may_see(viewer, room)))
    }

    /// Grid rows for the classroom's learners (or one of them, with `only`).
    pub async fn rows(&self, room: &ClassroomRow, only: Option<i64>) -> Result<Vec<LearnerRow>, StoreError> {
        let members = self.store.members(room.id).await?;
        let activity = self.store.class_activity(room.id, only).await?;
        let labs = self.store.live_labs().await?;
        let now = unix_now_millis();
        Ok(members
            .into_iter()
            .filter(|(id, _)| only.is_none_or(|o| o == *id))
            .map(|(id, email)| self.row(id, email, &activity, &labs, now))
            .collect())
    }

    fn row(&self, user: i64, email: String, activity: &ClassActivity, labs: &[LabRow], now: i64) -> LearnerRow {
        let progress: HashMap<(&str, &str), &str> = activity
            .progress
            .iter()
            .filter(|p| p.0 == user)
            .map(|p| ((p.1.as_str(), p.2.as_str()), p.3.as_str()))
            .collect();
        let mut checks: HashMap<&str, Vec<(bool, &str)>> = HashMap::new();
        for c in activity.checks.iter().filter(|c| c.0 == user) {
            checks.entry(c.1.as_str()).or_default().push((c.2, c.3.as_str()));
        }
        let best: HashMap<&str, i64> =
            activity
                .attempts
                .iter()
                .filter(|a| a.0 == user)
                .fold(HashMap::new(), |mut best, a| {
                    let entry = best.entry(a.1.as_str()).or_insert(0);
                    *entry = (*entry).max(a.2);
                    best
                });
        let mut stuck_reasons = Vec::new();
        let mut unfinished_by_module: HashMap<&str, usize> = HashMap::new();
        let (mut lessons_done, mut exercises_passed, mut quizzes_passed) = (0, 0, 0);
        let cells = self
            .columns
            .iter()
            .map(|col| {
                let (kind, item) = col.key.split_once(':').expect("column keys are kind:id");
                let status = progress.get(&(kind, item)).copied();
                let best_percent = best.get(item).filter(|_| col.kind == ItemKind::Quiz).map(|p| *p as u32);
                let (state, detail, stuck) = match col.kind {
                    ItemKind::Lesson => match status {
                        Some("completed") => {
                            lessons_done += 1;
                            (CellState::Passed, None, false)
                        }
                        Some(_) => (CellState::InProgress, None, false),
                        None => (CellState::NotStarted, None, false),
                    },
                    ItemKind::Exercise => {
                        let history = checks.get(item).map(Vec::as_slice).unwrap_or_default();
                        if status == Some("completed") {
                            exercises_passed += 1;
                            (CellState::Passed, None, false)
                        } else {
                            if let Some((module, _)) = self.exercises.get(item) {
                                *unfinished_by_module.entry(module.as_str()).or_default() += 1;
                            }
                            let failed_in_a_row = history.iter().rev().take_while(|(passed, _)| !passed).count();
                            let stuck = failed_in_a_row >= self.stuck.failures as usize;
                            if stuck {
                                stuck_reasons.push(format!("“{}” failed {failed_in_a_row} checks in a row", col.title));
                            }
                            match history.last() {
                                Some((false, report)) => (CellState::Failing, first_failure(report), stuck),
                                Some((true, _)) => (CellState::InProgress, None, stuck),
                                None => (CellState::NotStarted, None, false),
                            }
                        }
                    }
                    ItemKind::Quiz => {
                        let best = best_percent.map(|p| format!("best {p}%"));
                        match status {
                            Some("passed") => {
                                quizzes_passed += 1;
                                (CellState::Passed, best, false)
                            }
                            Some(_) => (CellState::Failing, best, false),
                            None => (CellState::NotStarted, None, false),
                        }
                    }
                };
                Cell {
                    key: col.key.clone(),
                    state,
                    detail,
                    best_percent,
                    stuck,
                }
            })
            .collect();
        let idle_limit = self.stuck.idle.as_millis() as i64;
        let title = |module: &str| {
            self.course
                .modules
                .iter()
                .find(|m| m.id == module)
                .map(|m| m.title.clone())
                .unwrap_or_else(|| module.to_string())
        };
        let labs: Vec<LearnerLab> = labs
            .iter()
            .filter(|l| l.user_id == user)
            .map(|l| {
                let idle_for = (now - l.last_active).max(0);
                let unfinished = unfinished_by_module.get(l.module.as_str()).copied().unwrap_or(0);
                if l.running && idle_for >= idle_limit && unfinished > 0 {
                    stuck_reasons.push(format!(
                        "lab for “{}” idle for {} min with {unfinished} exercise(s) unfinished",
                        title(&l.module),
                        idle_for / 60_000
                    ));
                }
                LearnerLab {
                    module: l.module.clone(),
                    module_title: title(&l.module),
                    running: l.running,
                    expires_in: (l.expires_at - now).max(0) / 1000,
                    idle_for: idle_for / 1000,
                }
            })
            .collect();
        LearnerRow {
            id: user,
            email,
            cells,
            labs,
            stuck: stuck_reasons,
            lessons_done,
            exercises_passed,
            quizzes_passed,
        }
    }

    fn exercise_insights(&self, room_members: &[(i64, String)], activity: &ClassActivity) -> Vec<ExerciseInsight> {
        let email: HashMap<i64, &str> = room_members.iter().map(|(id, e)| (*id, e.as_str())).collect();
        self.columns
            .iter()
            .filter(|c| c.kind == ItemKind::Exercise)
            .map(|col| {
                let id = col.key.trim_start_matches("exercise:");
                let mut by_learner: BTreeMap<i64, Vec<(bool, &str, i64)>> = BTreeMap::new();
                for c in activity.checks.iter().filter(|c| c.1 == id) {
                    by_learner.entry(c.0).or_default().push((c.2, c.3.as_str(), c.4));
                }
                let passed: HashSet<i64> = activity
                    .progress
                    .iter()
                    .filter(|p| p.1 == "exercise" && p.2 == id && p.3 == "completed")
                    .map(|p| p.0)
                    .collect();
                let mut minutes: Vec<u32> = Vec::new();
                let mut failing: HashMap<String, HashSet<i64>> = HashMap::new();
                let mut stuck = Vec::new();
                for (user, checks) in &by_learner {
                    let start = checks.first().map(|c| c.2).unwrap_or(0);
                    let end = checks
                        .iter()
                        .find(|c| c.0)
                        .or(checks.last())
                        .map(|c| c.2)
                        .unwrap_or(start);
                    minutes.push(((end - start).max(0) / 60_000) as u32);
                    for (ok, report, _) in checks {
                        if !ok && let Some(f) = first_failure(report) {
                            failing.entry(f).or_default().insert(*user);
                        }
                    }
                    let in_a_row = checks.iter().rev().take_while(|c| !c.0).count();
                    if !passed.contains(user) && in_a_row >= self.stuck.failures as usize {
                        stuck.push(email.get(user).copied().unwrap_or("?").to_string());
                    }
                }
                minutes.sort_unstable();
                let mut failing: Vec<(String, usize)> = failing.into_iter().map(|(f, who)| (f, who.len())).collect();
                failing.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                failing.truncate(5);
                ExerciseInsight {
                    id: id.to_string(),
                    title: col.title.clone(),
                    module_title: col.module_title.clone(),
                    attempted: by_learner.len(),
                    passed: passed.len(),
                    median_minutes: minutes.get(minutes.len() / 2).copied(),
                    failing,
                    stuck,
                }
            })
            .collect()
    }

    fn quiz_insights(&self, activity: &ClassActivity) -> Vec<QuizInsight> {
        self.course
            .modules
            .iter()
            .filter_map(|m| m.quiz.as_ref().map(|q| (m, q)))
            .map(|(m, q)| {
                // Each learner counts once, by their latest attempt.
                let mut latest: BTreeMap<i64, &str> = BTreeMap::new();
                for a in activity.attempts.iter().filter(|a| a.1 == q.id) {
                    latest.insert(a.0, a.3.as_str());
                }
                let mut questions: Vec<(String, usize, usize, HashMap<String, usize>)> = Vec::new();
                for report in latest.values() {
                    let Ok(report) = serde_json::from_str::<AttemptReport>(report) else {
                        continue;
                    };
                    for (i, f) in report.feedback.iter().enumerate() {
                        if questions.len() <= i {
                            questions.push((f.prompt.clone(), 0, 0, HashMap::new()));
                        }
                        let q = &mut questions[i];
                        if f.given.is_empty() {
                            continue;
                        }
                        q.1 += 1;
                        if f.correct {
                            q.2 += 1;
                        } else {
                            *q.3.entry(f.given.clone()).or_default() += 1;
                        }
                    }
                }
                QuizInsight {
                    id: q.id.clone(),
                    title: format!("{} · {}", m.title, q.title),
                    learners: latest.len(),
                    questions: questions
                        .into_iter()
                        .map(|(prompt, answered, correct, wrong)| QuestionInsight {
                            prompt,
                            answered,
                            correct,
                            top_wrong: wrong
                                .into_iter()
                                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0))),
                        })
                        .collect(),
                }
            })
            .collect()
    }

    async fn classroom_view(&self, room: ClassroomRow) -> Result<ClassroomView, StoreError> {
        let members = self.store.members(room.id).await?;
        let activity = self.store.class_activity(room.id, None).await?;
        let labs = self.store.live_labs().await?;
        let now = unix_now_millis();
        let learners = members
            .iter()
            .map(|(id, email)| self.row(*id, email.clone(), &activity, &labs, now))
            .collect();
        let audit = self
            .store
            .audit_log(room.id, 50)
            .await?
            .into_iter()
            .map(|a| AuditLine {
                who: a.actor_email,
                what: match a.subject_email {
                    Some(s) => format!("{} {s} ({})", a.action, a.detail),
                    None => format!("{} ({})", a.action, a.detail),
                },
                when: utc_minutes(a.at),
            })
            .collect();
        Ok(ClassroomView {
            exercises: self.exercise_insights(&members, &activity),
            quizzes: self.quiz_insights(&activity),
            join_code: room.join_code.clone(),
            code_expires: utc_minutes(room.code_expires_at),
            code_expired: room.code_expires_at <= now,
            joins: room.joins,
            join_limit: room.join_limit,
            columns: self.columns.clone(),
            learners,
            audit,
            stuck_failures: self.stuck.failures,
            stuck_idle_minutes: (self.stuck.idle.as_secs() / 60) as u32,
            summary: summary(room),
        })
    }
}

fn summary(room: ClassroomRow) -> ClassroomSummary {
    ClassroomSummary {
        id: room.id,
        name: room.name,
        owner_email: room.owner_email,
        members: room.members.max(0) as usize,
        starts_on: room.starts_on,
        ends_on: room.ends_on,
    }
}

/// The first failing assertion of a stored check report, in words.
fn first_failure(report: &str) -> Option<String> {
    let report: CheckReport = serde_json::from_str(report).ok()?;
    let a = report.assertions.iter().find(|a| a.outcome == Outcome::Fail)?;
    let mut text = a.message.clone();
    if let Some(expected) = &a.expected {
        text.push_str(&format!(" (expected {expected}"));
        text.push_str(&match &a.actual {
            Some(actual) => format!(", got {actual})"),
            None => ")".into(),
        });
    }
    Some(text)
}

/// `YYYY-MM-DD HH:MM` in UTC.
pub fn utc_minutes(millis: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(millis / 1000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// A fresh join code: ten letters and digits without look-alikes.
pub fn new_join_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn unavailable(e: StoreError) -> String {
    tracing::error!(error = %e, "a classroom request failed in the database");
    "The classroom could not be loaded just now; try again shortly.".into()
}

#[async_trait::async_trait]
impl ClassroomService for Classrooms {
    async fn list(&self, viewer: &SignedIn) -> Result<Vec<ClassroomSummary>, String> {
        let owner = (viewer.me.role != "admin").then_some(viewer.id);
        let rooms = self.store.classrooms(owner).await.map_err(unavailable)?;
        Ok(rooms.into_iter().map(summary).collect())
    }

    async fn view(&self, viewer: &SignedIn, id: i64) -> Result<Option<ClassroomView>, String> {
        let Some(room) = self.visible(viewer, id).await.map_err(unavailable)? else {
            return Ok(None);
        };
        self.classroom_view(room).await.map(Some).map_err(unavailable)
    }

    async fn watch(&self, viewer: &SignedIn, id: i64, learner: i64) -> Result<Option<WatchView>, String> {
        let Some(room) = self.visible(viewer, id).await.map_err(unavailable)? else {
            return Ok(None);
        };
        let members = self.store.members(room.id).await.map_err(unavailable)?;
        let Some((_, email)) = members.into_iter().find(|(m, _)| *m == learner) else {
            return Ok(None);
        };
        let running = self
            .store
            .live_labs_of(learner)
            .await
            .map_err(unavailable)?
            .into_iter()
            .any(|l| l.running);
        Ok(Some(WatchView {
            classroom: room.id,
            classroom_name: room.name,
            learner_email: email,
            terminal: running.then(|| format!("/classrooms/{id}/learners/{learner}/terminal")),
        }))
    }

    async fn join_info(&self, viewer: Option<i64>, code: &str) -> Result<JoinInfo, String> {
        let room = self.store.classroom_by_code(code).await.map_err(unavailable)?;
        let status = match &room {
            None => JoinStatus::Unknown,
            Some(room) => match viewer {
                Some(user) if self.store.is_member(room.id, user).await.map_err(unavailable)? => JoinStatus::Member,
                _ => join_status(room),
            },
        };
        Ok(JoinInfo {
            code: code.to_string(),
            classroom: room.map(|r| r.name),
            status,
            signed_in: viewer.is_some(),
        })
    }
}

/// Whether the classroom's code still lets a newcomer in.
pub fn join_status(room: &ClassroomRow) -> JoinStatus {
    if room.code_expires_at <= unix_now_millis() {
        JoinStatus::Expired
    } else if room.joins >= room.join_limit {
        JoinStatus::UsedUp
    } else {
        JoinStatus::Open
    }
}
