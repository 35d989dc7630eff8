//! `berth-docker-guard confine -- CMD…`: runs the learner's commands in a
//! docker lab without the power to create user namespaces.
//!
//! The lab's seccomp profile must let its engine create user namespaces
//! (inner containers run in remapped ones), so it cannot refuse them to the
//! learner. In a namespace of their own the learner is root over nothing
//! the lab holds, but reaches kernel code (netfilter, mounts of many file
//! systems) that is otherwise root's alone, where kernel exploits are often
//! found. Berth starts every learner shell and script through this command
//! (the image's `org.berth.learner-entry` label), which adds a filter of its
//! own before it runs the command: `unshare` and `clone` asking for a new
//! user namespace fail with `EPERM`, and `clone3`, whose flags a filter
//! cannot read, answers `ENOSYS` so the C library falls back to `clone`.
//! Filters only ever add up and are inherited, so nothing the learner runs
//! afterwards can shed it.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::process::CommandExt;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter, SeccompRule, TargetArch,
};

/// Installs the filters on this thread and replaces the process with
/// `command`; returns only on failure.
pub fn exec(command: &[OsString]) -> Box<dyn std::error::Error> {
    let Some((program, args)) = command.split_first() else {
        return "confine: no command given".into();
    };
    if let Err(e) = install() {
        return e;
    }
    Box::new(std::process::Command::new(program).args(args).exec())
}

/// The two filters: user namespaces refused, `clone3` unknown.
pub fn install() -> Result<(), Box<dyn std::error::Error>> {
    let arch = TargetArch::try_from(std::env::consts::ARCH)?;
    let newuser = libc::CLONE_NEWUSER as u64;
    let asks_for_userns = || -> Result<Vec<SeccompRule>, seccompiler::BackendError> {
        let flags = SeccompCondition::new(0, SeccompCmpArgLen::Qword, SeccompCmpOp::MaskedEq(newuser), newuser)?;
        Ok(vec![SeccompRule::new(vec![flags])?])
    };
    let userns: BpfProgram = SeccompFilter::new(
        BTreeMap::from([
            (libc::SYS_unshare, asks_for_userns()?),
            (libc::SYS_clone, asks_for_userns()?),
        ]),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )?
    .try_into()?;
    let clone3: BpfProgram = SeccompFilter::new(
        BTreeMap::from([(libc::SYS_clone3, Vec::new())]),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::ENOSYS as u32),
        arch,
    )?
    .try_into()?;
    // Also what lets an unprivileged process install a filter at all.
    // SAFETY: prctl with constant arguments.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    seccompiler::apply_filter(&userns)?;
    seccompiler::apply_filter(&clone3)?;
    Ok(())
}
