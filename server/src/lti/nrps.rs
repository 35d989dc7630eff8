//! Rosters from the platform (LTI Names and Role Provisioning Services):
//! a launch from a course tells Berth where the platform lists the
//! course's members; an instructor's pull reads that list, page by page
//! (`Link: <...>; rel="next"`), with a token for the membership scope, and
//! makes each active learner an account (the one their first launch would
//! make) and a member of the classroom, so learners who have not launched
//! yet are in the grid. Everything is read before anything is written: a
//! platform failing on page three adds nobody.

use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;

use super::Lti;
use super::accounts::{Person, account};
use super::launch::LmsRole;
use super::token::{TokenError, excerpt};
use crate::store::{Platform, Store, StoreError};
use berth_app::error::FormProblem;
use berth_app::model::ClassroomId;

/// The launch claim naming the course's membership service.
pub const CLAIM: &str = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice";
/// The scope that lets a tool read a course's members.
pub const SCOPE: &str = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";
const CONTAINER_TYPE: &str = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json";
/// Pages followed at most: a platform linking pages in a loop ends here.
const MAX_PAGES: usize = 500;

/// The membership service's address in a launch's NRPS claim.
pub fn memberships_url(claim: Option<&Value>) -> Option<String> {
    claim?
        .get("context_memberships_url")?
        .as_str()
        .filter(|url| !url.is_empty())
        .map(str::to_string)
}

/// Why a roster could not be pulled.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("the classroom is not tied to a course whose platform shares its members")]
    NoSource,
    #[error("the platform is no longer registered")]
    UnknownPlatform,
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("the roster service could not be reached: {0}")]
    Unreachable(#[source] reqwest::Error),
    #[error("the roster service answered {status}: {body}")]
    Refused { status: u16, body: String },
    #[error("the roster service's answer is not a membership list: {0}")]
    Unreadable(String),
    #[error("the roster has more than {} pages", MAX_PAGES)]
    TooManyPages,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RosterError {
    /// What the classroom page tells the instructor; `None` for a failure
    /// of Berth's own.
    pub fn problem(&self) -> Option<FormProblem> {
        Some(match self {
            Self::NoSource | Self::UnknownPlatform => FormProblem::RosterUnavailable,
            Self::Token(TokenError::NoKey(_)) | Self::Store(_) => return None,
            Self::Token(_) => FormProblem::RosterToken,
            Self::Refused { status: 401 | 403, .. } => FormProblem::RosterForbidden,
            Self::Refused { .. } | Self::Unreachable(_) => FormProblem::RosterDown,
            Self::Unreadable(_) | Self::TooManyPages => FormProblem::RosterUnreadable,
        })
    }
}

/// What a pull did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pulled {
    /// Learners who joined the classroom now.
    pub added: usize,
    /// Learners who were in it already.
    pub already: usize,
    /// The course's instructors (accounts ready, not grid rows).
    pub instructors: usize,
    /// Members the platform lists as inactive or deleted: left out.
    pub inactive: usize,
}

#[derive(Deserialize)]
struct Container {
    #[serde(default)]
    members: Vec<Member>,
}

#[derive(Deserialize)]
struct Member {
    user_id: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    status: Status,
    name: Option<String>,
    email: Option<String>,
}

/// A member's status in the course; absent means active.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
enum Status {
    #[default]
    Active,
    Inactive,
    Deleted,
    #[serde(other)]
    Other,
}

impl Lti {
    /// Pulls the members of the classroom's LMS course into it.
    pub async fn pull_roster(&self, store: &Store, classroom: ClassroomId) -> Result<Pulled, RosterError> {
        let source = store.lti_roster_source(classroom).await?.ok_or(RosterError::NoSource)?;
        let platform = store
            .lti_platform(source.platform)
            .await?
            .ok_or(RosterError::UnknownPlatform)?;
        let members = self.members(store, &platform, &source.memberships_url).await?;
        let mut pulled = Pulled::default();
        let mut seen = HashSet::new();
        for member in &members {
            if member.user_id.is_empty() || !seen.insert(member.user_id.as_str()) {
                continue;
            }
            if member.status != Status::Active {
                pulled.inactive += 1;
                continue;
            }
            let person = Person {
                subject: &member.user_id,
                role: LmsRole::of(&member.roles),
                name: member.name.as_deref(),
                email: member.email.as_deref(),
            };
            let user = account(store, &platform, &person).await?;
            if person.role == LmsRole::Instructor {
                pulled.instructors += 1;
                continue;
            }
            store.add_lti_context_learner(source.context, user.id).await?;
            if store.add_member(classroom, user.id).await? {
                pulled.added += 1;
            } else {
                pulled.already += 1;
            }
        }
        tracing::info!(%classroom, platform = %platform.id, ?pulled, "roster pulled from the platform");
        Ok(pulled)
    }

    /// Every page of the membership list. Next pages must be on the
    /// service's own site: the bearer token goes nowhere else.
    async fn members(&self, store: &Store, platform: &Platform, url: &str) -> Result<Vec<Member>, RosterError> {
        let first = reqwest::Url::parse(url).map_err(|_| RosterError::Unreadable(format!("{url} is not a URL")))?;
        let mut next = Some(first.clone());
        let mut members = Vec::new();
        let mut pages = 0;
        while let Some(page_url) = next.take() {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(RosterError::TooManyPages);
            }
            let token = self.token(store, platform, SCOPE).await?;
            let answer = self
                .http
                .get(page_url.clone())
                .bearer_auth(token)
                .header(reqwest::header::ACCEPT, CONTAINER_TYPE)
                .send()
                .await
                .map_err(RosterError::Unreachable)?;
            let status = answer.status();
            if !status.is_success() {
                if status == reqwest::StatusCode::UNAUTHORIZED {
                    self.forget_token(platform.id, SCOPE).await;
                }
                return Err(RosterError::Refused {
                    status: status.as_u16(),
                    body: excerpt(answer.text().await.unwrap_or_default()),
                });
            }
            next = next_page(answer.headers(), &page_url)?;
            if let Some(next) = &next
                && next.origin() != first.origin()
            {
                return Err(RosterError::Unreadable(format!("a next page on another site ({next})")));
            }
            let page: Container = answer
                .json()
                .await
                .map_err(|e| RosterError::Unreadable(e.to_string()))?;
            members.extend(page.members);
        }
        Ok(members)
    }
}

/// The `rel="next"` address of a `Link` header (RFC 8288), resolved
/// against the page's own.
fn next_page(headers: &HeaderMap, page: &reqwest::Url) -> Result<Option<reqwest::Url>, RosterError> {
    for value in headers.get_all(reqwest::header::LINK) {
        let Ok(value) = value.to_str() else { continue };
        for link in value.split(',') {
            let mut parts = link.split(';');
            let Some(target) = parts
                .next()
                .map(str::trim)
                .and_then(|t| t.strip_prefix('<'))
                .and_then(|t| t.strip_suffix('>'))
            else {
                continue;
            };
            let next = parts.any(|param| {
                let Some((name, rels)) = param.split_once('=') else {
                    return false;
                };
                name.trim().eq_ignore_ascii_case("rel")
                    && rels
                        .trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|rel| rel.eq_ignore_ascii_case("next"))
            });
            if next {
                return page
                    .join(target)
                    .map(Some)
                    .map_err(|_| RosterError::Unreadable(format!("the next page {target} is not a URL")));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn next(links: &[&str]) -> Option<String> {
        let mut headers = HeaderMap::new();
        for link in links {
            headers.append(reqwest::header::LINK, HeaderValue::from_str(link).unwrap());
        }
        let page = reqwest::Url::parse("https://lms.example/api/members?page=1").unwrap();
        next_page(&headers, &page).unwrap().map(String::from)
    }

    #[test]
    fn the_next_page_is_the_link_with_rel_next() {
        assert_eq!(
            next(&[
                r#"<https://lms.example/api/members?page=1>; rel="first", <https://lms.example/api/members?page=2>; rel="next""#
            ]),
            Some("https://lms.example/api/members?page=2".into())
        );
        assert_eq!(
            next(&["</api/members?page=3>; rel=next"]),
            Some("https://lms.example/api/members?page=3".into())
        );
        assert_eq!(
            next(&[
                r#"<https://lms.example/x>; rel="prev""#,
                r#"<https://lms.example/y>; rel="last next""#
            ]),
            Some("https://lms.example/y".into())
        );
        assert_eq!(next(&[r#"<https://lms.example/x>; rel="last""#]), None);
        assert_eq!(next(&[]), None);
    }

    #[test]
    fn members_without_a_status_are_active_and_unknown_ones_are_not() {
        let page: Container = serde_json::from_value(serde_json::json!({"members": [
            {"user_id": "a", "roles": ["Learner"]},
            {"user_id": "b", "roles": ["Learner"], "status": "Inactive"},
            {"user_id": "c", "roles": ["Learner"], "status": "Suspended"},
        ]}))
        .unwrap();
        let statuses: Vec<Status> = page.members.iter().map(|m| m.status).collect();
        assert_eq!(statuses, [Status::Active, Status::Inactive, Status::Other]);
    }

    #[test]
    fn each_platform_failure_has_its_own_message() {
        let refused = |status| RosterError::Refused {
            status,
            body: String::new(),
        };
        let token = RosterError::Token(TokenError::Refused {
            status: 400,
            body: String::new(),
        });
        assert_eq!(token.problem(), Some(FormProblem::RosterToken));
        assert_eq!(refused(401).problem(), Some(FormProblem::RosterForbidden));
        assert_eq!(refused(403).problem(), Some(FormProblem::RosterForbidden));
        assert_eq!(refused(503).problem(), Some(FormProblem::RosterDown));
        assert_eq!(refused(404).problem(), Some(FormProblem::RosterDown));
        assert_eq!(
            RosterError::Unreadable(String::new()).problem(),
            Some(FormProblem::RosterUnreadable)
        );
        assert_eq!(RosterError::NoSource.problem(), Some(FormProblem::RosterUnavailable));
        assert_eq!(RosterError::Token(TokenError::NoKey(String::new())).problem(), None);
    }

    #[test]
    fn the_claim_names_the_membership_service() {
        let claim = serde_json::json!({"context_memberships_url": "https://lms/m", "service_versions": ["2.0"]});
        assert_eq!(memberships_url(Some(&claim)).as_deref(), Some("https://lms/m"));
        assert_eq!(memberships_url(Some(&serde_json::json!({}))), None);
        assert_eq!(memberships_url(None), None);
    }
}
