//! `berth images build` on the real engine: one image failing takes no
//! other with it. Uses the base image `cargo xtask test` builds first, and
//! image names of its own (removed afterwards).

mod common;

use std::path::Path;
use std::process::Command;

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn docker(args: &[&str]) -> std::process::Output {
    Command::new("docker").args(args).output().expect("the docker CLI")
}

/// Removes this test's images, whatever happened.
struct Images(Vec<String>);

impl Drop for Images {
    fn drop(&mut self) {
        for image in &self.0 {
            let _ = docker(&["image", "rm", "-f", image]);
        }
    }
}

#[test]
fn a_failing_image_is_reported_with_its_cause_and_the_others_still_build() {
    let id = format!("t{:08x}", rand_id());
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let (broken, good) = (format!("{id}-broken"), format!("{id}-good"));
    // Sorted first, so the good one comes after the failure.
    write(
        p,
        &format!("{broken}/Dockerfile"),
        "ARG BASE\nFROM ${BASE}\nRUN echo 'E: Unable to locate package nosuchthing' >&2 && exit 100\n",
    );
    write(
        p,
        &format!("{good}/Dockerfile"),
        "ARG BASE\nFROM ${BASE}\nRUN echo ok > /ok\n",
    );
    // A course image whose tags promise a version Debian no longer has.
    write(
        p,
        &format!("mirror/images/{id}/Dockerfile"),
        "ARG BASE\nFROM ${BASE}\nARG BERTH_REFRESH\n\
         RUN mkdir -p /etc/berth && printf 'package=demo\\nversion=1:2.4.1-3\\n' > /etc/berth/version\n",
    );
    write(p, &format!("mirror/images/{id}/tags"), "latest 2.3\n");
    let _cleanup = Images(vec![
        format!("berth/lab-{broken}"),
        format!("berth/lab-{good}"),
        format!("berth/course-{id}"),
    ]);

    let out = Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(["images", "build", "--missing", "--playground"])
        .arg(p)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("✗ 2 of 4 images failed"), "{stderr}");
    // Each failure with its cause: the failing step's output, and the
    // version found against the tags file's promise.
    assert!(stderr.contains(&format!("✗ berth/lab-{broken}")), "{stderr}");
    assert!(stderr.contains("E: Unable to locate package nosuchthing"), "{stderr}");
    assert!(stderr.contains(&format!("✗ berth/course-{id}")), "{stderr}");
    let tags = p.join(format!("mirror/images/{id}/tags"));
    assert!(
        stderr.contains(&format!(
            "demo 2.4.1 was installed (Debian's 1:2.4.1-3), but {} promises 2.3",
            tags.display()
        )),
        "{stderr}"
    );
    // The log's tail, not all of it.
    assert!(stderr.lines().count() < 60, "{stderr}");
    // The image after the failure was built all the same.
    let inspect = docker(&["image", "inspect", "--format", "ok", &format!("berth/lab-{good}")]);
    assert!(inspect.status.success(), "{stdout}");
    assert!(stdout.contains(&format!("berth/lab-{good} from")), "{stdout}");
}

fn rand_id() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
        ^ std::process::id()
}
