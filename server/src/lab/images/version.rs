//! Course image versions come from what Debian installed, never from a pin.
//! A course image's Dockerfile records the package it follows in
//! [`VERSION_FILE`]; its `tags` file names only stable tags (`latest 17`),
//! which must agree with that version, and the build adds the exact one
//! (`17.12`).

use std::path::Path;

/// Where a course image's Dockerfile writes what it installed, as
/// `package=NAME`, `version=DEBIAN_VERSION` and optionally `env=VARIABLE`
/// (the variable the official image sets to its version).
pub const VERSION_FILE: &str = "/etc/berth/version";
/// The label carrying the upstream version on a finished course image.
pub const VERSION_LABEL: &str = "org.opencontainers.image.version";
/// The label naming the package and its Debian version.
pub const PACKAGE_LABEL: &str = "org.berth.package";

/// Why a course image's recorded version is unusable or breaks its `tags`
/// file's promise; the message says what to change.
#[derive(Debug, thiserror::Error)]
pub enum VersionError {
    #[error("{VERSION_FILE} names no package=")]
    NoPackage,
    #[error("{VERSION_FILE} gives no version=")]
    NoVersion,
    #[error("{package} {version}: no upstream version (digits and dots) in it")]
    NoUpstream { package: String, version: String },
    #[error(
        "{package} {upstream} was installed (Debian's {version}), but {tags_file} promises {tag}: \
         change that tag to match what Debian ships now, or install the package that provides {tag}"
    )]
    BrokenPromise {
        package: String,
        upstream: String,
        version: String,
        tags_file: String,
        tag: String,
    },
}

/// What a course image's build installed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Installed {
    pub package: String,
    /// As the package manager reports it, e.g. `5:8.0.2-3+deb13u3`.
    pub version: String,
    pub env: Option<String>,
}

impl Installed {
    /// Reads [`VERSION_FILE`]'s text.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let field = |key: &str| {
            text.lines()
                .find_map(|l| l.trim().strip_prefix(key)?.strip_prefix('='))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let package = field("package").ok_or(VersionError::NoPackage)?;
        let version = field("version").ok_or(VersionError::NoVersion)?;
        Ok(Self {
            package,
            version,
            env: field("env"),
        })
    }

    /// The upstream version, e.g. `8.0.2` for `5:8.0.2-3+deb13u3`.
    pub fn upstream(&self) -> Result<String, VersionError> {
        upstream(&self.version).ok_or_else(|| VersionError::NoUpstream {
            package: self.package.clone(),
            version: self.version.clone(),
        })
    }
}

/// A Debian version's upstream part, without epoch (`5:`), Debian revision
/// (`-3+deb13u3`) or repack suffixes (`+dfsg`, `~rc1`): the leading digits
/// and dots, e.g. `17.12` for `17.12-0+deb13u1`.
pub fn upstream(debian: &str) -> Option<String> {
    let without_epoch = debian.split_once(':').map_or(debian, |(_, rest)| rest);
    let without_revision = without_epoch
        .rsplit_once('-')
        .map_or(without_epoch, |(upstream, _)| upstream);
    let end = without_revision
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(without_revision.len());
    let version = without_revision[..end].trim_end_matches('.');
    (!version.is_empty() && version.starts_with(|c: char| c.is_ascii_digit())).then(|| version.to_string())
}

/// A tag's version part and variant: `3.13-slim` is `(Some("3.13"), Some("slim"))`,
/// `latest` is `(None, _)`.
fn split(tag: &str) -> (Option<&str>, Option<&str>) {
    let (head, variant) = tag.split_once('-').map_or((tag, None), |(h, v)| (h, Some(v)));
    let numeric = !head.is_empty()
        && head
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()));
    (numeric.then_some(head), variant)
}

/// A version tag too exact for a `tags` file: three parts or more, which
/// Debian's next point release would make untrue.
pub fn is_exact(tag: &str) -> bool {
    split(tag).0.is_some_and(|v| v.split('.').count() >= 3)
}

/// Checks that every version tag the `tags` file promises (`17`, `3.13-slim`)
/// is a prefix of the version installed.
pub fn check(tags: &[String], installed: &Installed, tags_file: &Path) -> Result<(), VersionError> {
    let upstream = installed.upstream()?;
    let found: Vec<&str> = upstream.split('.').collect();
    for tag in tags {
        let Some(promised) = split(tag).0 else { continue };
        let promised: Vec<&str> = promised.split('.').collect();
        if !found.starts_with(&promised) {
            return Err(VersionError::BrokenPromise {
                package: installed.package.clone(),
                upstream,
                version: installed.version.clone(),
                tags_file: tags_file.display().to_string(),
                tag: tag.clone(),
            });
        }
    }
    Ok(())
}

/// Every tag an image is published under: the `tags` file's, plus the exact
/// version and that version with each variant the file uses (`3.13.5`,
/// `3.13.5-slim`).
pub fn all_tags(tags: &[String], upstream: &str) -> Vec<String> {
    let mut all = tags.to_vec();
    let mut add = |tag: String| {
        if !all.contains(&tag) {
            all.push(tag);
        }
    };
    add(upstream.to_string());
    for tag in tags {
        if let (Some(_), Some(variant)) = split(tag) {
            add(format!("{upstream}-{variant}"));
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn installed(version: &str) -> Installed {
        Installed {
            package: "postgresql-17".into(),
            version: version.into(),
            env: None,
        }
    }

    fn tags(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn upstream_versions_drop_epoch_revision_and_repack_suffixes() {
        assert_eq!(upstream("17.12-0+deb13u1").as_deref(), Some("17.12"));
        assert_eq!(upstream("5:8.0.2-3+deb13u3").as_deref(), Some("8.0.2"));
        assert_eq!(upstream("1:1.37.0-6+b3").as_deref(), Some("1.37.0"));
        assert_eq!(upstream("1.26.3-3+deb13u10").as_deref(), Some("1.26.3"));
        assert_eq!(upstream("2.8.3+ds-1").as_deref(), Some("2.8.3"));
        assert_eq!(upstream("1.2~rc1-1").as_deref(), Some("1.2"));
        assert_eq!(upstream("3.13.5").as_deref(), Some("3.13.5"));
        assert_eq!(upstream("13.8").as_deref(), Some("13.8"));
        assert_eq!(upstream("trixie/sid"), None);
        assert_eq!(upstream(""), None);
    }

    #[test]
    fn the_version_file_is_read_and_must_name_package_and_version() {
        let text = "package=redis-server\nversion=5:8.0.2-3\nenv=REDIS_VERSION\n";
        let got = Installed::parse(text).unwrap();
        assert_eq!(got.package, "redis-server");
        assert_eq!(got.upstream().unwrap(), "8.0.2");
        assert_eq!(got.env.as_deref(), Some("REDIS_VERSION"));
        assert_eq!(Installed::parse("package=x\nversion=1.2\n").unwrap().env, None);
        assert!(matches!(Installed::parse("package=x\n"), Err(VersionError::NoVersion)));
        assert!(matches!(Installed::parse("version=1\n"), Err(VersionError::NoPackage)));
    }

    #[test]
    fn promised_tags_must_be_a_prefix_of_what_was_installed() {
        let file = Path::new("playground/mirror/images/postgres/tags");
        assert!(check(&tags("latest 17"), &installed("17.12-0+deb13u1"), file).is_ok());
        assert!(check(&tags("latest 3 3.13 slim 3-slim 3.13-slim"), &installed("3.13.5"), file).is_ok());
        let err = check(&tags("latest 17.11"), &installed("17.12-0+deb13u1"), file)
            .unwrap_err()
            .to_string();
        assert!(err.contains("postgresql-17 17.12 was installed"), "{err}");
        assert!(
            err.contains("playground/mirror/images/postgres/tags promises 17.11"),
            "{err}"
        );
        assert!(check(&tags("1.26"), &installed("1.28.0-1"), file).is_err());
        // 1.2 is not a prefix of 1.26.
        assert!(check(&tags("1.2"), &installed("1.26.3-1"), file).is_err());
        assert!(check(&tags("18"), &installed("17.12"), file).is_err());
    }

    #[test]
    fn the_exact_version_is_added_with_each_variant_the_file_uses() {
        assert_eq!(all_tags(&tags("latest 17"), "17.12"), tags("latest 17 17.12"));
        assert_eq!(
            all_tags(&tags("latest 3 3.13 slim 3-slim 3.13-slim"), "3.13.5"),
            tags("latest 3 3.13 slim 3-slim 3.13-slim 3.13.5 3.13.5-slim")
        );
        assert_eq!(
            all_tags(&tags("latest 13 13-slim trixie trixie-slim"), "13.8"),
            tags("latest 13 13-slim trixie trixie-slim 13.8 13.8-slim")
        );
    }

    #[test]
    fn three_part_versions_are_too_exact_for_a_tags_file() {
        assert!(is_exact("17.11.1"));
        assert!(is_exact("3.13.5-slim"));
        assert!(!is_exact("17.11"));
        assert!(!is_exact("latest"));
        assert!(!is_exact("trixie-slim"));
    }
}
