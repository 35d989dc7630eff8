use std::sync::Arc;
use tokio::sync::Semaphore;

/// A password that meets the policy: 8 to 1024 characters and not among
/// the passwords attackers try first (zxcvbn's dictionaries of common
/// passwords, names and keyboard patterns).
pub struct Password(String);

/// Never prints the password itself.
impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(input: &str, email: Option<&str>) -> Result<Self, PasswordProblem> {
        let chars = input.chars().count();
        if chars < 8 {
            return Err(PasswordProblem::TooShort);
        }
        if chars > 1024 {
            return Err(PasswordProblem::TooLong);
        }
        let inputs: Vec<&str> = email.into_iter().collect();
        let estimate = zxcvbn::zxcvbn(input, &inputs);
        if estimate.score() < zxcvbn::Score::Two {
            let hint = estimate.feedback().and_then(|f| f.warning()).map(|w| w.to_string());
            return Err(PasswordProblem::TooCommon(hint));
        }
        Ok(Self(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Why a password was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    /// With zxcvbn's hint, when it has one.
    TooCommon(Option<String>),
}

impl PasswordProblem {
    /// The problem as the sign-up page explains it.
    pub fn form_problem(&self) -> berth_app::error::FormProblem {
        use berth_app::error::FormProblem;
        match self {
            PasswordProblem::TooShort => FormProblem::PasswordShort,
            PasswordProblem::TooLong => FormProblem::PasswordLong,
            PasswordProblem::TooCommon(_) => FormProblem::PasswordCommon,
        }
    }
}

impl std::fmt::Display for PasswordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasswordProblem::TooShort => f.write_str("the password is too short: use at least 8 characters"),
            PasswordProblem::TooLong => f.write_str("the password is too long: use at most 1024 characters"),
            PasswordProblem::TooCommon(hint) => {
                f.write_str("the password is too common or too easy to guess")?;
                if let Some(hint) = hint {
                    write!(f, " ({hint})")?;
                }
                f.write_str(": try a few unrelated words")
            }
        }
    }
}

/// Hashes and verifies passwords with argon2id (the password-auth
/// defaults, about 19 MiB and tens of milliseconds each) on the blocking
/// thread pool, a few at a time, so a burst of logins neither stalls the
/// async runtime nor exhausts memory.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl PasswordHasher {
    pub fn new(concurrency: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    pub async fn hash(&self, password: &Password) -> String {
        let password = password.0.clone();
        self.blocking(move || password_auth::generate_hash(password)).await
    }

    /// `false` for a wrong password and for a malformed hash alike.
    pub async fn verify(&self, candidate: &str, hash: &str) -> bool {
        let (candidate, hash) = (candidate.to_string(), hash.to_string());
        self.blocking(move || password_auth::verify_password(candidate, &hash).is_ok())
            .await
    }

    async fn blocking<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        let _permit = self.permits.acquire().await.expect("the semaphore is never closed");
        tokio::task::spawn_blocking(f)
            .await
            .expect("password hashing does not panic")
    }
}

impl Default for PasswordHasher {
    /// One hash at a time per core.
    fn default() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_refuses_short_and_common_passwords() {
        assert!(
            Password::parse("short", None)
                .unwrap_err()
                .to_string()
                .contains("too short")
        );
        for common in ["password123", "qwertyuiop", "iloveyou1", "123456789"] {
            let err = Password::parse(common, None)
                .err()
                .unwrap_or_else(|| panic!("{common} accepted"));
            assert!(err.to_string().contains("too common"), "{common}: {err}");
            assert_eq!(err.form_problem(), berth_app::error::FormProblem::PasswordCommon);
        }
        assert!(Password::parse("ada@example.org", Some("ada@example.org")).is_err());
        assert!(Password::parse("harbour lantern crisp 42", None).is_ok());
        assert!(
            Password::parse(&"x".repeat(1025), None)
                .unwrap_err()
                .to_string()
                .contains("too long")
        );
    }

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let hasher = PasswordHasher::new(2);
        let password = Password::parse("harbour lantern crisp 42", None).unwrap();
        let hash = hasher.hash(&password).await;
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(hasher.verify("harbour lantern crisp 42", &hash).await);
        assert!(!hasher.verify("harbour lantern crisp 43", &hash).await);
        assert!(!hasher.verify("anything", "not a hash").await);
    }
}
