//! The accounts of a platform's people, linked by the platform's subject:
//! made by whichever comes first, their launch or a roster pull that
//! names them, so a person is one account however they arrive.

use sha2::{Digest, Sha256};

use super::launch::LmsRole;
use crate::auth::Role;
use crate::store::{Platform, Store, StoreError, User};

/// Someone the platform names: in a launch, or in a course's roster.
pub struct Person<'a> {
    pub subject: &'a str,
    pub role: LmsRole,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// The account of the person's subject on this platform, made the first
/// time the platform names them; a learner the platform now calls an
/// instructor is raised (never lowered). Its address is made up
/// (`.invalid`, RFC 2606): an LMS's email is not proof of owning the
/// address, so it never links to, or blocks, an account of Berth's own.
pub async fn account(store: &Store, platform: &Platform, person: &Person<'_>) -> Result<User, StoreError> {
    if let Some(user) = store.lti_account(platform.id, person.subject).await? {
        if person.role == LmsRole::Instructor && user.role == Role::Learner {
            store.raise_to_instructor(user.id).await?;
            return Ok(User {
                role: Role::Instructor,
                ..user
            });
        }
        return Ok(user);
    }
    let role = match person.role {
        LmsRole::Instructor => Role::Instructor,
        LmsRole::Learner => Role::Learner,
    };
    let email = made_up_address(platform, person);
    let user = store
        .create_lti_account(platform.id, person.subject, &email, person.name, role)
        .await?;
    tracing::info!(platform = %platform.id, user = %user.id, %role, "account made for a platform's person");
    Ok(user)
}

/// `ada.1f3c9a0b@lti-2.invalid`: readable where the LMS gave an email or
/// name, unique per platform and subject.
fn made_up_address(platform: &Platform, person: &Person<'_>) -> String {
    let readable: String = person
        .email
        .and_then(|e| e.split('@').next())
        .or(person.name)
        .unwrap_or("learner")
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' | '.' | '-' | '_' => Some(c),
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            ' ' => Some('.'),
            _ => None,
        })
        .take(32)
        .collect();
    let readable = readable.trim_matches('.');
    let readable = if readable.is_empty() { "learner" } else { readable };
    let digest = Sha256::digest(format!("{}\n{}", platform.id, person.subject).as_bytes());
    let short: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("{readable}.{short}@lti-{}.invalid", platform.id)
}
