//! The warm pool: labs made ahead of any click, so a learner's start only
//! claims one and personalises it.
//!
//! A pool lab is an ordinary lab record with no owner: `starting` while it
//! is made (nodes created, the engine up, every exercise's shared setup run),
//! then `pooled` until a start claims it in one statement
//! ([`crate::store::Store::claim_pool_lab`]). Pool labs count against
//! `--max-labs` and their host like any other and are reconciled by the
//! same sweep; when a learner needs room (on the server, or on full lab
//! hosts), the oldest that makes it is given back. Only labs on a host that
//! takes labs are handed out; a draining host's are given back. How many
//! labs each module keeps warm is `--warm` (see [`WarmTarget`]).

use std::collections::BTreeMap;
use std::str::FromStr;

use berth_app::model::ModuleId;

/// One `--warm` value: `N` labs for every module with a lab, or
/// `MODULE=N` for one module (which wins over the plain number).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WarmTarget {
    Every(usize),
    Module(ModuleId, usize),
}

/// Why a `--warm` value was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BadWarmTarget {
    #[error("`{0}`: give a number of labs, e.g. 2 or docker=3")]
    NotANumber(String),
    #[error("`{0}`: name the module before `=`, e.g. docker=3")]
    NoModule(String),
}

impl FromStr for WarmTarget {
    type Err = BadWarmTarget;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let count = |n: &str| {
            n.trim()
                .parse::<usize>()
                .map_err(|_| BadWarmTarget::NotANumber(text.to_string()))
        };
        match text.split_once('=') {
            Some((module, n)) if !module.trim().is_empty() => {
                Ok(WarmTarget::Module(ModuleId::new(module.trim()), count(n)?))
            }
            Some(_) => Err(BadWarmTarget::NoModule(text.to_string())),
            None => Ok(WarmTarget::Every(count(text)?)),
        }
    }
}

/// How many warm labs each module keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WarmTargets {
    every: usize,
    modules: BTreeMap<ModuleId, usize>,
}

impl WarmTargets {
    pub fn new(targets: &[WarmTarget]) -> Self {
        let mut warm = Self::default();
        for t in targets {
            match t {
                WarmTarget::Every(n) => warm.every = *n,
                WarmTarget::Module(module, n) => {
                    warm.modules.insert(module.clone(), *n);
                }
            }
        }
        warm
    }

    /// The modules named one by one.
    pub fn named(&self) -> impl Iterator<Item = &ModuleId> {
        self.modules.keys()
    }

    pub fn of(&self, module: &ModuleId) -> usize {
        self.modules.get(module).copied().unwrap_or(self.every)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_named_wins_over_the_plain_number() {
        let parse = |t: &str| t.parse::<WarmTarget>();
        let warm = WarmTargets::new(&[
            parse("1").unwrap(),
            parse("docker=3").unwrap(),
            parse("shell = 0").unwrap(),
        ]);
        assert_eq!(warm.of(&ModuleId::new("docker")), 3);
        assert_eq!(warm.of(&ModuleId::new("shell")), 0);
        assert_eq!(warm.of(&ModuleId::new("images")), 1);
        assert_eq!(WarmTargets::default().of(&ModuleId::new("images")), 0, "off by default");
        assert!(parse("lots").unwrap_err().to_string().contains("give a number"));
        assert!(parse("=2").unwrap_err().to_string().contains("name the module"));
        assert!(parse("docker=-1").is_err());
    }
}
