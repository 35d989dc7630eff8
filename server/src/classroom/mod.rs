//! Classrooms: an instructor's learners, their progress as a live grid,
//! where they get stuck, and exports. Every view is computed from the
//! learners' own records (progress, checks, quiz attempts, labs), so nothing
//! here can disagree with what learners see.

mod clock;
pub mod routes;

pub use clock::SchoolClock;

use berth_app::account::SignedIn;
use berth_app::classroom::{
    AuditLine, Cell, CellState, ClassroomService, ClassroomSummary, ClassroomView, Column, ExerciseInsight, JoinInfo,
    JoinStatus, LabModule, LearnerGrade, LearnerLab, LearnerRow, QuestionInsight, QuizInsight, WarmupLine, WatchView,
};
use berth_app::course::Course;
use berth_app::error::AppError;
use berth_app::model::{ClassroomId, ExerciseId, ItemRef, Millis, ModuleId, ProgressStatus, ScoreSync, UserId};
use berth_app::quiz::AttemptReport;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use crate::exercise::{first_failure, stored_report};
use crate::store::{AttemptRecord, CheckRecord, ClassActivity, ClassroomRow, LabRow, Member, Store, StoreError};

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
    /// The module of each exercise.
    exercise_modules: HashMap<ExerciseId, ModuleId>,
    clock: SchoolClock,
}

/// Who may see a classroom: its owner, and every admin.
pub fn may_see(viewer: &SignedIn, room: &ClassroomRow) -> bool {
    viewer.is_admin() || room.owner == viewer.id
}

/// One learner's records, gathered from the class's activity.
struct LearnerActivity<'a> {
    progress: HashMap<&'a ItemRef, ProgressStatus>,
    /// Each exercise's checks, in order.
    checks: HashMap<&'a ExerciseId, Vec<&'a CheckRecord>>,
    /// Each quiz's best score.
    best: HashMap<&'a str, u32>,
}

impl<'a> LearnerActivity<'a> {
    fn of(user: UserId, activity: &'a ClassActivity) -> Self {
        let progress = activity
            .progress
            .iter()
            .filter(|p| p.user == user)
            .map(|p| (&p.item, p.status))
            .collect();
        let mut checks: HashMap<&ExerciseId, Vec<&CheckRecord>> = HashMap::new();
        for c in activity.checks.iter().filter(|c| c.user == user) {
            checks.entry(&c.exercise).or_default().push(c);
        }
        let mut best: HashMap<&str, u32> = HashMap::new();
        for a in activity.attempts.iter().filter(|a| a.user == user) {
            let entry = best.entry(a.quiz.as_str()).or_insert(0);
            *entry = (*entry).max(a.percent);
        }
        Self { progress, checks, best }
    }
}

/// Checks that failed since the last pass (or since the first check).
fn failed_in_a_row(checks: &[&CheckRecord]) -> usize {
    checks.iter().rev().take_while(|c| !c.passed).count()
}

/// The first failing assertion of a stored check report.
fn stored_failure(report: &str) -> Option<String> {
    first_failure(&stored_report(report)?)
}

/// A learner's row while it is being built: the cells so far and what
/// they add up to.
#[derive(Default)]
struct RowTally {
    lessons_done: usize,
    exercises_passed: usize,
    quizzes_passed: usize,
    stuck: Vec<String>,
    unfinished_by_module: HashMap<ModuleId, usize>,
}

impl Classrooms {
    pub fn new(store: Store, course: Arc<Course>, stuck: StuckRules, clock: SchoolClock) -> Self {
        let mut columns = Vec::new();
        let mut exercise_modules = HashMap::new();
        for (i, m) in course.modules.iter().enumerate() {
            let n = i + 1;
            let mut exercise_no = 0;
            for (j, l) in m.lessons.iter().enumerate() {
                columns.push(Column {
                    item: ItemRef::Lesson(l.id.clone()),
                    module_title: m.title.clone(),
                    title: l.title.clone(),
                    short: format!("L{n}.{}", j + 1),
                });
                for e in &l.exercises {
                    exercise_no += 1;
                    exercise_modules.insert(e.id.clone(), m.id.clone());
                    columns.push(Column {
                        item: ItemRef::Exercise(e.id.clone()),
                        module_title: m.title.clone(),
                        title: e.title.clone(),
                        short: format!("E{n}.{exercise_no}"),
                    });
                }
            }
            if let Some(q) = &m.quiz {
                columns.push(Column {
                    item: ItemRef::Quiz(q.id.clone()),
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
            exercise_modules,
            clock,
        }
    }

    pub fn clock(&self) -> &SchoolClock {
        &self.clock
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The classroom if `viewer` may see it; another instructor's looks
    /// exactly like a missing one.
    pub async fn visible(&self, viewer: &SignedIn, id: ClassroomId) -> Result<Option<ClassroomRow>, StoreError> {
        Ok(self.store.classroom(id).await?.filter(|room| may_see(viewer, room)))
    }

    /// Grid rows for the classroom's learners (or one of them, with `only`).
    pub async fn rows(&self, room: &ClassroomRow, only: Option<UserId>) -> Result<Vec<LearnerRow>, StoreError> {
        let members = self.store.members(room.id).await?;
        let activity = self.store.class_activity(room.id, only).await?;
        let labs = self.store.live_labs().await?;
        let syncs = self.store.score_syncs(room.id).await?;
        let now = Millis::now();
        Ok(members
            .into_iter()
            .filter(|m| only.is_none_or(|o| o == m.id))
            .map(|m| self.row(m, &activity, &labs, &syncs, now))
            .collect())
    }

    fn row(
        &self,
        member: Member,
        activity: &ClassActivity,
        labs: &[LabRow],
        syncs: &[(UserId, ModuleId, ScoreSync)],
        now: Millis,
    ) -> LearnerRow {
        let mine = LearnerActivity::of(member.id, activity);
        let mut tally = RowTally::default();
        let cells = self
            .columns
            .iter()
            .map(|col| self.cell(col, &mine, &mut tally))
            .collect();
        let labs = labs
            .iter()
            .filter(|l| l.user == member.id)
            .map(|l| self.learner_lab(l, now, &mut tally))
            .collect();
        LearnerRow {
            id: member.id,
            email: member.email,
            cells,
            labs,
            stuck: tally.stuck,
            lessons_done: tally.lessons_done,
            exercises_passed: tally.exercises_passed,
            quizzes_passed: tally.quizzes_passed,
            grades: syncs
                .iter()
                .filter(|(user, _, _)| *user == member.id)
                .map(|(_, module, sync)| LearnerGrade {
                    module: module.clone(),
                    module_title: self.module_title(module),
                    when: self.clock.minutes(sync.at()),
                    sync: sync.clone(),
                })
                .collect(),
        }
    }

    /// One cell of the grid: how the learner stands on the column's item.
    fn cell(&self, col: &Column, mine: &LearnerActivity, tally: &mut RowTally) -> Cell {
        let status = mine.progress.get(&col.item).copied();
        let plain = |state| Cell {
            item: col.item.clone(),
            state,
            detail: None,
            best_percent: None,
            stuck: false,
        };
        match &col.item {
            ItemRef::Lesson(_) => match status {
                Some(ProgressStatus::Completed) => {
                    tally.lessons_done += 1;
                    plain(CellState::Passed)
                }
                Some(_) => plain(CellState::InProgress),
                None => plain(CellState::NotStarted),
            },
            ItemRef::Exercise(id) => {
                if status == Some(ProgressStatus::Completed) {
                    tally.exercises_passed += 1;
                    return plain(CellState::Passed);
                }
                if let Some(module) = self.exercise_modules.get(id) {
                    *tally.unfinished_by_module.entry(module.clone()).or_default() += 1;
                }
                let checks = mine.checks.get(id).map(Vec::as_slice).unwrap_or_default();
                let in_a_row = failed_in_a_row(checks);
                let stuck = in_a_row >= self.stuck.failures as usize;
                if stuck {
                    tally
                        .stuck
                        .push(format!("“{}” failed {in_a_row} checks in a row", col.title));
                }
                match checks.last() {
                    Some(last) if !last.passed => Cell {
                        item: col.item.clone(),
                        state: CellState::Failing,
                        detail: stored_failure(&last.report),
                        best_percent: None,
                        stuck,
                    },
                    Some(_) => Cell {
                        stuck,
                        ..plain(CellState::InProgress)
                    },
                    None => plain(CellState::NotStarted),
                }
            }
            ItemRef::Quiz(id) => {
                let best_percent = mine.best.get(id.as_str()).copied();
                let state = match status {
                    Some(ProgressStatus::Passed) => {
                        tally.quizzes_passed += 1;
                        CellState::Passed
                    }
                    Some(_) => CellState::Failing,
                    None => return plain(CellState::NotStarted),
                };
                Cell {
                    item: col.item.clone(),
                    state,
                    detail: best_percent.map(|p| format!("best {p}%")),
                    best_percent,
                    stuck: false,
                }
            }
        }
    }

    /// A learner's live lab; idle with exercises unfinished, it makes them
    /// stuck.
    fn learner_lab(&self, l: &LabRow, now: Millis, tally: &mut RowTally) -> LearnerLab {
        let idle_for = now.since(l.last_active);
        let unfinished = tally.unfinished_by_module.get(&l.module).copied().unwrap_or(0);
        if l.is_running() && idle_for >= self.stuck.idle && unfinished > 0 {
            tally.stuck.push(format!(
                "lab for “{}” idle for {} min with {unfinished} exercise(s) unfinished",
                self.module_title(&l.module),
                idle_for.as_secs() / 60
            ));
        }
        LearnerLab {
            module: l.module.clone(),
            module_title: self.module_title(&l.module),
            running: l.is_running(),
            expires_in: l.expires_at.seconds_after(now),
            idle_for: idle_for.as_secs() as i64,
        }
    }

    fn module_title(&self, module: &ModuleId) -> String {
        self.course
            .modules
            .iter()
            .find(|m| &m.id == module)
            .map_or_else(|| module.to_string(), |m| m.title.clone())
    }

    fn exercise_insights(&self, members: &[Member], activity: &ClassActivity) -> Vec<ExerciseInsight> {
        let email: HashMap<UserId, &str> = members.iter().map(|m| (m.id, m.email.as_str())).collect();
        self.columns
            .iter()
            .filter_map(|col| match &col.item {
                ItemRef::Exercise(id) => Some((col, id)),
                _ => None,
            })
            .map(|(col, id)| {
                let mut by_learner: BTreeMap<UserId, Vec<&CheckRecord>> = BTreeMap::new();
                for c in activity.checks.iter().filter(|c| &c.exercise == id) {
                    by_learner.entry(c.user).or_default().push(c);
                }
                let passed: HashSet<UserId> = activity
                    .progress
                    .iter()
                    .filter(|p| p.item == col.item && p.status == ProgressStatus::Completed)
                    .map(|p| p.user)
                    .collect();
                let mut minutes: Vec<u32> = Vec::new();
                let mut failing: HashMap<String, HashSet<UserId>> = HashMap::new();
                let mut stuck = Vec::new();
                for (user, checks) in &by_learner {
                    let start = checks.first().map_or(Millis(0), |c| c.at);
                    let end = checks
                        .iter()
                        .find(|c| c.passed)
                        .or(checks.last())
                        .map_or(start, |c| c.at);
                    minutes.push((end.since(start).as_secs() / 60) as u32);
                    for c in checks.iter().filter(|c| !c.passed) {
                        if let Some(f) = stored_failure(&c.report) {
                            failing.entry(f).or_default().insert(*user);
                        }
                    }
                    if !passed.contains(user) && failed_in_a_row(checks) >= self.stuck.failures as usize {
                        stuck.push(email.get(user).copied().unwrap_or("?").to_string());
                    }
                }
                minutes.sort_unstable();
                let mut failing: Vec<(String, usize)> = failing.into_iter().map(|(f, who)| (f, who.len())).collect();
                failing.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                failing.truncate(5);
                ExerciseInsight {
                    id: id.clone(),
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
                let mut latest: BTreeMap<UserId, &AttemptRecord> = BTreeMap::new();
                for a in activity.attempts.iter().filter(|a| a.quiz == q.id) {
                    latest.insert(a.user, a);
                }
                let mut questions: Vec<QuestionTally> = Vec::new();
                for attempt in latest.values() {
                    let report = match serde_json::from_str::<AttemptReport>(&attempt.report) {
                        Ok(report) => report,
                        Err(e) => {
                            tracing::warn!(error = %e, quiz = %q.id, "a stored quiz attempt could not be read; it is left out");
                            continue;
                        }
                    };
                    for (i, f) in report.feedback.iter().enumerate() {
                        if questions.len() <= i {
                            questions.push(QuestionTally::new(&f.prompt));
                        }
                        questions[i].add(&f.given, f.correct);
                    }
                }
                QuizInsight {
                    id: q.id.clone(),
                    title: format!("{} · {}", m.title, q.title),
                    learners: latest.len(),
                    questions: questions.into_iter().map(QuestionTally::insight).collect(),
                }
            })
            .collect()
    }

    /// The course's modules that have a lab, in course order.
    fn lab_modules(&self) -> Vec<LabModule> {
        self.course
            .modules
            .iter()
            .filter(|m| m.lessons.iter().any(|l| !l.exercises.is_empty()))
            .map(|m| LabModule {
                id: m.id.clone(),
                title: m.title.clone(),
            })
            .collect()
    }

    async fn classroom_view(&self, room: ClassroomRow) -> Result<ClassroomView, StoreError> {
        let members = self.store.members(room.id).await?;
        let activity = self.store.class_activity(room.id, None).await?;
        let labs = self.store.live_labs().await?;
        let syncs = self.store.score_syncs(room.id).await?;
        let now = Millis::now();
        let learners = members
            .iter()
            .map(|m| self.row(m.clone(), &activity, &labs, &syncs, now))
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
                when: self.clock.minutes(a.at),
            })
            .collect();
        Ok(ClassroomView {
            exercises: self.exercise_insights(&members, &activity),
            quizzes: self.quiz_insights(&activity),
            join_code: room.join_code.clone(),
            code_expires: self.clock.minutes(room.code_expires_at),
            code_expired: room.code_expires_at <= now,
            joins: room.joins,
            join_limit: room.join_limit,
            columns: self.columns.clone(),
            learners,
            audit,
            stuck_failures: self.stuck.failures,
            stuck_idle_minutes: (self.stuck.idle.as_secs() / 60) as u32,
            lab_modules: self.lab_modules(),
            warmups: self
                .store
                .active_warmups(Some(room.id))
                .await?
                .into_iter()
                .map(|w| WarmupLine {
                    module_title: self.module_title(&w.module),
                    labs: w.labs,
                    until: self.clock.minutes(w.until),
                })
                .collect(),
            roster_source: self
                .store
                .lti_roster_source(room.id)
                .await?
                .map(|source| platform_host(&source.issuer)),
            summary: summary(room),
            zone: self.clock.name().to_string(),
        })
    }
}

/// A platform's name for people: its issuer's host (`moodle.school.example`).
fn platform_host(issuer: &str) -> String {
    reqwest::Url::parse(issuer)
        .ok()
        .and_then(|url| url.host_str().map(str::to_string))
        .unwrap_or_else(|| issuer.to_string())
}

/// How a class answered one quiz question.
struct QuestionTally {
    prompt: String,
    answered: usize,
    correct: usize,
    wrong: HashMap<String, usize>,
}

impl QuestionTally {
    fn new(prompt: &str) -> Self {
        Self {
            prompt: prompt.to_string(),
            answered: 0,
            correct: 0,
            wrong: HashMap::new(),
        }
    }

    fn add(&mut self, given: &str, correct: bool) {
        if given.is_empty() {
            return;
        }
        self.answered += 1;
        if correct {
            self.correct += 1;
        } else {
            *self.wrong.entry(given.to_string()).or_default() += 1;
        }
    }

    fn insight(self) -> QuestionInsight {
        QuestionInsight {
            prompt: self.prompt,
            answered: self.answered,
            correct: self.correct,
            top_wrong: self
                .wrong
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0))),
        }
    }
}

fn summary(room: ClassroomRow) -> ClassroomSummary {
    ClassroomSummary {
        id: room.id,
        name: room.name,
        owner_email: room.owner_email,
        members: room.members,
        starts_on: room.starts_on,
        ends_on: room.ends_on,
    }
}

/// `YYYY-MM-DD HH:MM` in UTC.
pub fn utc_minutes(at: Millis) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(at.get() / 1000)
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

/// What staff read when a classroom could not be loaded; the cause is
/// logged here, once.
fn classroom_unavailable(e: StoreError) -> AppError {
    tracing::error!(error = %e, "a classroom request failed in the database");
    AppError::unavailable("The classroom could not be loaded just now; try again shortly.")
}

#[async_trait::async_trait]
impl ClassroomService for Classrooms {
    async fn list(&self, viewer: &SignedIn) -> Result<Vec<ClassroomSummary>, AppError> {
        let owner = (!viewer.is_admin()).then_some(viewer.id);
        let rooms = self.store.classrooms(owner).await.map_err(classroom_unavailable)?;
        Ok(rooms.into_iter().map(summary).collect())
    }

    async fn view(&self, viewer: &SignedIn, id: ClassroomId) -> Result<Option<ClassroomView>, AppError> {
        let Some(room) = self.visible(viewer, id).await.map_err(classroom_unavailable)? else {
            return Ok(None);
        };
        self.classroom_view(room).await.map(Some).map_err(classroom_unavailable)
    }

    async fn watch(&self, viewer: &SignedIn, id: ClassroomId, learner: UserId) -> Result<Option<WatchView>, AppError> {
        let Some(room) = self.visible(viewer, id).await.map_err(classroom_unavailable)? else {
            return Ok(None);
        };
        let members = self.store.members(room.id).await.map_err(classroom_unavailable)?;
        let Some(member) = members.into_iter().find(|m| m.id == learner) else {
            return Ok(None);
        };
        let running = self
            .store
            .live_labs_of(learner)
            .await
            .map_err(classroom_unavailable)?
            .iter()
            .any(LabRow::is_running);
        Ok(Some(WatchView {
            classroom: room.id,
            classroom_name: room.name,
            learner_email: member.email,
            terminal: running.then(|| format!("/classrooms/{id}/learners/{learner}/terminal")),
        }))
    }

    async fn join_info(&self, viewer: Option<UserId>, code: &str) -> Result<JoinInfo, AppError> {
        let room = self
            .store
            .classroom_by_code(code)
            .await
            .map_err(classroom_unavailable)?;
        let status = match &room {
            None => JoinStatus::Unknown,
            Some(room) => match viewer {
                Some(user)
                    if self
                        .store
                        .is_member(room.id, user)
                        .await
                        .map_err(classroom_unavailable)? =>
                {
                    JoinStatus::Member
                }
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
    if room.code_expires_at <= Millis::now() {
        JoinStatus::Expired
    } else if room.joins >= room.join_limit {
        JoinStatus::UsedUp
    } else {
        JoinStatus::Open
    }
}
