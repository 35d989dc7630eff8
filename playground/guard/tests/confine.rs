//! `berth-docker-guard confine`: the command it runs cannot create user
//! namespaces, however it asks, and everything else still works.

use std::process::Command;

fn confined(script: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_berth-docker-guard"))
        .args(["confine", "--", "sh", "-c", script])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn a_confined_command_gets_no_user_namespace() {
    // Unconfined, the same command works here (the tests run as root).
    let free = Command::new("unshare").args(["-U", "true"]).status().unwrap();
    assert!(free.success(), "unshare -U works outside");
    for attempt in ["unshare -U true", "unshare -r id", "unshare -Urm true"] {
        let (ok, out) = confined(attempt);
        assert!(!ok, "{attempt} worked confined: {out}");
        assert!(out.contains("Operation not permitted"), "{attempt}: {out}");
    }
    // Threads (clone3, refused, falls back to clone), pipes, children, and
    // the other namespaces root may still ask for are unaffected.
    let (ok, out) = confined(
        "python3 -c 'import threading; t = threading.Thread(target=print, args=(\"thread\",)); t.start(); t.join()' | cat && \
         (echo child) && unshare -n true && echo netns",
    );
    assert!(ok, "{out}");
    assert_eq!(out, "thread\nchild\nnetns\n");
}

#[test]
fn confine_needs_a_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_berth-docker-guard"))
        .arg("confine")
        .output()
        .unwrap();
    assert!(!out.status.success());
}
