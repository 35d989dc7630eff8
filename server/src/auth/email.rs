use std::fmt;

/// An email address as an account key: trimmed and lowercased, so
/// `Ada@Example.org ` and `ada@example.org` are the same account.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

/// Why a text is not an [`Email`]: shown to whoever typed it.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not an email address")]
pub struct NotAnEmail(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, NotAnEmail> {
        let email = input.trim().to_lowercase();
        let valid = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if valid {
            Ok(Self(email))
        } else {
            Err(NotAnEmail(input.trim().to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn addresses_are_normalised() {
        assert_eq!(Email::parse("  Ada@Example.ORG ").unwrap().as_str(), "ada@example.org");
    }

    #[test]
    fn non_addresses_are_refused() {
        for bad in [
            "",
            "ada",
            "@example.org",
            "ada@",
            "ada@example",
            "a b@example.org",
            "a@b@example.org",
            "ada@.org",
        ] {
            assert_eq!(
                Email::parse(bad).unwrap_err().to_string(),
                format!("`{}` is not an email address", bad.trim()),
            );
        }
        assert!(Email::parse(&format!("{}@example.org", "a".repeat(250))).is_err());
    }
}
