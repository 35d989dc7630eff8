//! The seccomp profile of docker labs, in the Engine's JSON format.
//!
//! A docker lab holds nearly every capability so that its own engine can
//! work, which means Docker's default profile (whose extra syscalls follow
//! the capabilities) would let almost everything through. This profile is
//! an allow-list of our own instead: what any program needs (the syscalls
//! Docker's default allows without a capability), plus what the lab's
//! engine needs to build containers (mounts, namespaces, `pivot_root`,
//! `bpf` for cgroup v2 device rules). Everything else fails with `EPERM`.
//!
//! The kernel keyring is answered `ENOSYS`: keys are shared by uid across
//! every lab on the host, so learner B could read a key learner A stored.
//! runc treats `ENOSYS` from `keyctl` as "no keyrings" and carries on.

use serde_json::{Value, json};

const EPERM: u32 = 1;
const ENOSYS: u32 = 38;

/// What any program needs: the syscalls Docker's default profile allows to
/// every container whatever its capabilities (names unknown to an
/// architecture or to the engine's libseccomp are skipped by the engine).
#[rustfmt::skip]
const COMMON: &[&str] = &[
    // Files and directories.
    "access", "chdir", "chmod", "chown", "chown32", "close", "close_range", "copy_file_range", "creat", "dup",
    "dup2", "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fchdir", "fchmod",
    "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr",
    "flistxattr", "flock", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64",
    "fsync", "ftruncate", "ftruncate64", "futimesat", "getcwd", "getdents", "getdents64", "getxattr", "lchown",
    "lchown32", "lgetxattr", "link", "linkat", "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek",
    "lsetxattr", "lstat", "lstat64", "mkdir", "mkdirat", "mknod", "mknodat", "name_to_handle_at", "newfstatat",
    "open", "openat", "openat2", "pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2", "read",
    "readahead", "readlink", "readlinkat", "readv", "removexattr", "rename", "renameat", "renameat2", "rmdir",
    "sendfile", "sendfile64", "setxattr", "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink",
    "symlinkat", "sync", "sync_file_range", "syncfs", "tee", "truncate", "truncate64", "umask", "unlink",
    "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vmsplice", "write", "writev",
    // Waiting on files, events and timers.
    "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
    "epoll_wait_old", "eventfd", "eventfd2", "fanotify_mark", "inotify_add_watch", "inotify_init",
    "inotify_init1", "inotify_rm_watch", "io_cancel", "io_destroy", "io_getevents", "io_pgetevents",
    "io_pgetevents_time64", "io_setup", "io_submit", "_newselect", "pause", "poll", "ppoll", "ppoll_time64",
    "pselect6", "pselect6_time64", "select", "signalfd", "signalfd4", "timerfd_create", "timerfd_gettime",
    "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
    // Memory.
    "brk", "cachestat", "madvise", "map_shadow_stack", "membarrier", "memfd_create", "memfd_secret", "mincore",
    "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mremap", "msync", "munlock", "munlockall",
    "munmap", "pkey_alloc", "pkey_free", "pkey_mprotect", "remap_file_pages",
    // Processes, threads, signals, credentials.
    "capget", "capset", "clone", "execve", "execveat", "exit", "exit_group", "fork", "futex", "futex_requeue",
    "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "get_robust_list", "get_thread_area", "getcpu",
    "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
    "getitimer", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getresgid", "getresgid32",
    "getresuid", "getresuid32", "getrlimit", "getrusage", "getsid", "gettid", "getuid", "getuid32",
    "ioprio_get", "ioprio_set", "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
    "pidfd_open", "pidfd_send_signal", "prctl", "prlimit64", "process_mrelease", "process_vm_readv",
    "process_vm_writev", "ptrace", "restart_syscall", "rseq", "rt_sigaction", "rt_sigpending",
    "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
    "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_get_priority_max", "sched_get_priority_min",
    "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
    "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
    "sched_setscheduler", "sched_yield", "seccomp", "set_robust_list", "set_thread_area", "set_tid_address",
    "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32",
    "setitimer", "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32", "setresuid",
    "setresuid32", "setreuid", "setreuid32", "setrlimit", "setsid", "setuid", "setuid32", "sigaltstack",
    "sigprocmask", "sigreturn", "tgkill", "tkill", "ugetrlimit", "vfork", "wait4", "waitid", "waitpid",
    // Time.
    "adjtimex", "alarm", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64",
    "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "gettimeofday",
    "nanosleep", "time", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
    "timer_gettime64", "timer_settime", "timer_settime64", "times",
    // Sockets (`socket` itself is below: no vsock).
    "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen", "recv",
    "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "send", "sendmmsg", "sendmsg", "sendto",
    "setsockopt", "shutdown", "socketcall", "socketpair",
    // System V and POSIX IPC (private to the lab's IPC namespace).
    "ipc", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
    "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd", "semctl",
    "semget", "semop", "semtimedop", "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
    // Everything else.
    "getrandom", "ioctl", "pipe", "pipe2", "sysinfo", "uname",
    // Architecture-specific.
    "arch_prctl", "modify_ldt", "arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint",
    "cacheflush", "set_tls", "riscv_flush_icache",
];

/// What the lab's own engine (dockerd, containerd, runc, BuildKit) needs
/// beyond that to make containers: root in the lab only, by capability.
#[rustfmt::skip]
const ENGINE: &[&str] = &[
    // Mounting each container's root, volumes and binds.
    "mount", "umount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount", "mount_setattr", "fsopen",
    "fsconfig", "fsmount", "fspick",
    // Namespaces of inner containers, including the remapped user namespace.
    "unshare", "setns", "clone3", "sethostname", "setdomainname",
    // Device rules of inner containers on cgroup v2.
    "bpf",
];

/// Answered `ENOSYS`, as on a kernel built without keyrings.
const KEYRING: &[&str] = &["add_key", "keyctl", "request_key"];

/// `personality` values Docker's default allows: Linux, with or without
/// randomisation off, and the query.
const PERSONALITIES: &[u64] = &[0x0, 0x0008, 0x20000, 0x20008, 0xffff_ffff];

const AF_VSOCK: u64 = 40;

/// The profile for `HostConfig.SecurityOpt` (`seccomp=<this JSON>`).
pub fn docker_lab_profile() -> Value {
    let mut syscalls = vec![
        json!({ "names": COMMON, "action": "SCMP_ACT_ALLOW" }),
        json!({ "names": ENGINE, "action": "SCMP_ACT_ALLOW" }),
        json!({ "names": KEYRING, "action": "SCMP_ACT_ERRNO", "errnoRet": ENOSYS }),
        // The host's vsock (hypervisor channels) is no business of a lab's.
        json!({
            "names": ["socket"],
            "action": "SCMP_ACT_ALLOW",
            "args": [{ "index": 0, "value": AF_VSOCK, "op": "SCMP_CMP_NE" }],
        }),
    ];
    syscalls.extend(PERSONALITIES.iter().map(|p| {
        json!({
            "names": ["personality"],
            "action": "SCMP_ACT_ALLOW",
            "args": [{ "index": 0, "value": p, "op": "SCMP_CMP_EQ" }],
        })
    }));
    json!({
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": EPERM,
        "archMap": [
            { "architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] },
            { "architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"] },
            { "architecture": "SCMP_ARCH_RISCV64", "subArchitectures": [] },
        ],
        "syscalls": syscalls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn names(profile: &Value, action: &str) -> HashSet<String> {
        profile["syscalls"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|rule| rule["action"] == action)
            .flat_map(|rule| rule["names"].as_array().unwrap().iter())
            .map(|n| n.as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn the_keyring_answers_enosys_and_escape_hatches_stay_shut() {
        let profile = docker_lab_profile();
        let allowed = names(&profile, "SCMP_ACT_ALLOW");
        for dangerous in [
            "open_by_handle_at",
            "init_module",
            "finit_module",
            "kexec_load",
            "kexec_file_load",
            "perf_event_open",
            "reboot",
            "swapon",
            "syslog",
            "userfaultfd",
            "iopl",
            "ioperm",
            "acct",
            "settimeofday",
            "clock_settime",
        ] {
            assert!(!allowed.contains(dangerous), "{dangerous} is allowed");
        }
        for key in KEYRING {
            assert!(!allowed.contains(*key));
        }
        assert_eq!(names(&profile, "SCMP_ACT_ERRNO").len(), KEYRING.len());
        assert_eq!(profile["defaultAction"], "SCMP_ACT_ERRNO");
    }

    #[test]
    fn no_syscall_is_listed_twice() {
        let all: Vec<&str> = COMMON.iter().chain(ENGINE).chain(KEYRING).copied().collect();
        let unique: HashSet<&str> = all.iter().copied().collect();
        assert_eq!(all.len(), unique.len());
    }
}
