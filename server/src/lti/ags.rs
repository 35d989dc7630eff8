//! Grades back to the platform (LTI Assignment and Grade Services). A
//! launch from a graded link records where the learner's module score goes
//! (the link's line item); a change of their progress in the module marks
//! that link in the same transaction; the outbox worker turns marks into
//! scores (`lti_scores`, one row per change) and posts them to
//! `{lineitem}/scores` in order per learner and line item, with a bearer
//! token for the score scope (`super::token`).
//! A platform that is down gets every score when it returns: failures are
//! retried with exponential backoff, and a score leaves the outbox only
//! when the platform took it, or refused it for good (a 4xx other than 401
//! and 429): that answer is recorded for instructors and the learner's next
//! score goes.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use super::Lti;
use super::launch::{Launch, LmsRole};
use super::token::{TokenError, excerpt};
use crate::content::ModuleGrading;
use crate::events::{Change, Events};
use crate::store::{GradeLink, OutgoingScore, Platform, Store, StoreError, User};
use berth_app::model::{Millis, ModuleId};

/// The launch claim naming the link's line item.
pub const ENDPOINT_CLAIM: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
/// The scope that lets a tool post scores.
pub const SCORE_SCOPE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const SCORE_TYPE: &str = "application/vnd.ims.lis.v1.score+json";

/// How long the worker lets progress settle before a round, so a burst
/// of changes costs one round rather than one each.
const SETTLE: Duration = Duration::from_millis(300);
/// The first retry waits this long; each next one twice as long.
const FIRST_RETRY: Duration = Duration::from_secs(1);
const LONGEST_RETRY: Duration = Duration::from_secs(15 * 60);
/// With nothing due, the worker still looks this often (other replicas'
/// scores, a crash's leftovers).
const IDLE_ROUND: Duration = Duration::from_secs(5);

/// The launch's AGS claim, when it lets Berth post scores to a line item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgsEndpoint {
    pub lineitem: String,
    pub lineitems: Option<String>,
    pub scope: Vec<String>,
}

impl AgsEndpoint {
    /// `None` for a link that is not graded (no `lineitem`) or a claim that
    /// does not grant the score scope.
    pub fn from_claim(claim: &Value) -> Option<Self> {
        let text = |name: &str| claim.get(name).and_then(Value::as_str).map(str::to_string);
        let scope: Vec<String> = serde_json::from_value(claim.get("scope")?.clone()).ok()?;
        if !scope.iter().any(|s| s == SCORE_SCOPE) {
            return None;
        }
        Some(Self {
            lineitem: text("lineitem")?,
            lineitems: text("lineitems"),
            scope,
        })
    }
}

/// The module a landing path opens (`/modules/ID...`), if any.
fn module_of(target: &str) -> Option<ModuleId> {
    let rest = target.strip_prefix("/modules/")?;
    let id = rest.split(['/', '?', '#']).next()?;
    (!id.is_empty()).then(|| ModuleId::new(id))
}

/// Remembers where a learner's score for the module the launch opens goes,
/// if the link is graded and the module has a score; the score so far is
/// sent (a learner may have worked before the LMS linked the module).
pub async fn remember_link(
    store: &Store,
    grading: &BTreeMap<ModuleId, ModuleGrading>,
    platform: &Platform,
    user: &User,
    launch: &Launch,
    target: &str,
) -> Result<(), StoreError> {
    // Only learners are graded; an instructor trying the activity is not.
    let Some(endpoint) = launch.ags.as_ref().filter(|_| launch.role == LmsRole::Learner) else {
        return Ok(());
    };
    let Some(module) = module_of(target).filter(|m| grading.contains_key(m)) else {
        tracing::info!(
            target,
            "a graded LTI link opens no graded module: no score will be sent"
        );
        return Ok(());
    };
    store
        .set_grade_link(&GradeLink {
            user: user.id,
            module,
            platform: platform.id,
            subject: launch.subject.clone(),
            lineitem: endpoint.lineitem.clone(),
            lineitems: endpoint.lineitems.clone(),
            scope: endpoint.scope.join(" "),
            changed_at: None,
        })
        .await
}

/// Why a score did not reach the platform this time.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("the platform is no longer registered")]
    UnknownPlatform,
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("the line item address is not a URL: {0}")]
    BadLineItem(String),
    #[error("the score service could not be reached: {0}")]
    Unreachable(#[source] reqwest::Error),
    #[error("the score service answered {status}: {body}")]
    Refused { status: u16, body: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DeliveryError {
    /// The score service's answer is final for this score: trying it again
    /// would get the same (a 4xx other than an expired token or "slow
    /// down").
    fn is_final(&self) -> bool {
        matches!(self, Self::Refused { status, .. } if (400..500).contains(status) && *status != 401 && *status != 429)
    }
}

impl Lti {
    /// Posts one score to `{lineitem}/scores`.
    async fn post_score(&self, store: &Store, score: &OutgoingScore) -> Result<(), DeliveryError> {
        let platform = store
            .lti_platform(score.platform)
            .await?
            .ok_or(DeliveryError::UnknownPlatform)?;
        let token = self.token(store, &platform, SCORE_SCOPE).await?;
        let url = scores_url(&score.lineitem)?;
        let given = score.score.given_hundredths as f64 / 100.0;
        let body = json!({
            "userId": score.subject,
            "scoreGiven": given,
            "scoreMaximum": score.score.maximum,
            "activityProgress": score.score.activity,
            "gradingProgress": score.score.grading,
            "timestamp": rfc3339(score.created_at),
        });
        let answer = self
            .http
            .post(url)
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, SCORE_TYPE)
            .body(body.to_string())
            .send()
            .await
            .map_err(DeliveryError::Unreachable)?;
        let status = answer.status();
        if status.is_success() {
            return Ok(());
        }
        if status == reqwest::StatusCode::UNAUTHORIZED {
            // Revoked or expired early: the next try asks for a new one.
            self.forget_token(platform.id, SCORE_SCOPE).await;
        }
        Err(DeliveryError::Refused {
            status: status.as_u16(),
            body: excerpt(answer.text().await.unwrap_or_default()),
        })
    }
}

/// The score service: the line item's URL with `/scores` added to its path
/// (its query, e.g. Moodle's `?type_id=`, kept).
fn scores_url(lineitem: &str) -> Result<reqwest::Url, DeliveryError> {
    let mut url = reqwest::Url::parse(lineitem).map_err(|_| DeliveryError::BadLineItem(lineitem.to_string()))?;
    url.path_segments_mut()
        .map_err(|_| DeliveryError::BadLineItem(lineitem.to_string()))?
        .pop_if_empty()
        .push("scores");
    Ok(url)
}

fn rfc3339(at: Millis) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.get()) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// The wait before the next try after `attempts` failures.
fn backoff(attempts: u32) -> Duration {
    FIRST_RETRY
        .saturating_mul(2u32.saturating_pow(attempts.min(20)))
        .min(LONGEST_RETRY)
}

/// Turns marked score changes into outbox rows and delivers what is due,
/// on every replica; the store's claims make each score go out once.
pub struct Outbox {
    pub store: Store,
    /// Held weakly: the worker ends with the server that made it.
    pub lti: Weak<Lti>,
    pub grading: Arc<BTreeMap<ModuleId, ModuleGrading>>,
}

impl Outbox {
    /// Runs until `stopping`: a round on every progress change and at least
    /// every few seconds.
    pub fn spawn(self, events: Events, stopping: CancellationToken) {
        let mut changes = events.subscribe();
        tokio::spawn(async move {
            loop {
                let Some(lti) = self.lti.upgrade() else { return };
                let wait = match self.round(&lti, &events).await {
                    Ok(wait) => wait,
                    Err(e) => {
                        tracing::warn!(error = %e, "grade outbox round failed; trying again later");
                        IDLE_ROUND
                    }
                };
                drop(lti);
                let due = tokio::time::Instant::now() + wait;
                let changed = loop {
                    tokio::select! {
                        () = stopping.cancelled() => return,
                        () = tokio::time::sleep_until(due) => break false,
                        change = changes.recv() => match change {
                            Ok(Change::Progress { .. } | Change::Missed) | Err(RecvError::Lagged(_)) => break true,
                            // Not about scores: wait on.
                            Ok(_) => {}
                            Err(RecvError::Closed) => return,
                        },
                    }
                };
                // A burst of progress (a class at work) makes one round.
                if changed {
                    tokio::select! {
                        () = stopping.cancelled() => return,
                        () = tokio::time::sleep(SETTLE) => {}
                    }
                }
            }
        });
    }

    /// Queues the scores of changed links and delivers the due ones; how
    /// long until the next is due.
    pub async fn round(&self, lti: &Lti, events: &Events) -> Result<Duration, StoreError> {
        for link in self.store.changed_grade_links(None).await? {
            self.queue(&link).await?;
        }
        loop {
            let due = self.store.due_scores(50).await?;
            if due.is_empty() {
                break;
            }
            let mut delivered_any = false;
            for score in due {
                if !self.store.claim_score(score.id).await? {
                    continue;
                }
                delivered_any = true;
                self.deliver(lti, &score).await?;
                // Classroom grids show the new sync state.
                events.publish(Change::Progress { user: score.user });
            }
            if !delivered_any {
                break;
            }
        }
        let now = Millis::now();
        Ok(match self.store.next_score_due().await? {
            Some(due) if due > now => Duration::from_millis((due.get() - now.get()) as u64).min(IDLE_ROUND),
            Some(_) => Duration::from_millis(100),
            None => IDLE_ROUND,
        })
    }

    /// A launch's mark: the score so far goes out on a new link.
    async fn queue(&self, link: &GradeLink) -> Result<(), StoreError> {
        let Some(seen) = link.changed_at else { return Ok(()) };
        let grading = self.grading.get(&link.module);
        self.store.queue_marked_score(link, seen, grading).await.map(drop)
    }

    async fn deliver(&self, lti: &Lti, score: &OutgoingScore) -> Result<(), StoreError> {
        match lti.post_score(&self.store, score).await {
            Ok(()) => {
                tracing::info!(user = %score.user, lineitem = score.lineitem, hundredths = score.score.given_hundredths, "score sent");
                self.store.score_sent(score.id).await
            }
            Err(e) if e.is_final() => {
                tracing::warn!(user = %score.user, lineitem = score.lineitem, error = %e,
                    "the platform refused the score for good; the learner's next score goes");
                self.store.score_refused(score.id, &e.to_string()).await
            }
            Err(e) => {
                let wait = backoff(score.attempts);
                tracing::warn!(user = %score.user, lineitem = score.lineitem, error = %e,
                    retry_in_s = wait.as_secs(), "score not delivered; will retry");
                self.store
                    .score_failed(score.id, &e.to_string(), Millis::now().plus(wait))
                    .await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_go_under_the_line_item_keeping_its_query() {
        assert_eq!(
            scores_url("https://lms.example/mod/lti/services.php/2/lineitems/7/lineitem?type_id=1")
                .unwrap()
                .as_str(),
            "https://lms.example/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=1"
        );
        assert_eq!(
            scores_url("https://lms.example/items/7/").unwrap().as_str(),
            "https://lms.example/items/7/scores"
        );
        assert!(scores_url("not a url").is_err());
    }

    #[test]
    fn only_a_lasting_refusal_of_the_score_is_final() {
        let refused = |status| DeliveryError::Refused {
            status,
            body: String::new(),
        };
        for status in [400, 403, 404, 409, 422] {
            assert!(refused(status).is_final(), "{status}");
        }
        for status in [401, 429, 500, 503] {
            assert!(!refused(status).is_final(), "{status}");
        }
        let token = DeliveryError::Token(TokenError::Refused {
            status: 400,
            body: String::new(),
        });
        assert!(!token.is_final());
    }

    #[test]
    fn retries_back_off_to_a_ceiling() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(40), LONGEST_RETRY);
    }

    #[test]
    fn only_a_claim_granting_the_score_scope_with_a_line_item_counts() {
        let claim = json!({"scope": [SCORE_SCOPE], "lineitem": "https://lms/li/1", "lineitems": "https://lms/li"});
        let endpoint = AgsEndpoint::from_claim(&claim).unwrap();
        assert_eq!(endpoint.lineitem, "https://lms/li/1");
        assert!(AgsEndpoint::from_claim(&json!({"scope": [SCORE_SCOPE], "lineitems": "x"})).is_none());
        assert!(AgsEndpoint::from_claim(&json!({"scope": [], "lineitem": "x"})).is_none());
        assert_eq!(module_of("/modules/images/layers"), Some(ModuleId::new("images")));
        assert_eq!(module_of("/"), None);
    }
}
