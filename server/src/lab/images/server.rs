//! The Berth server's own image, for `compose.yaml`: this `berth` and its
//! guard, the site and the course on Berth's Debian base, so a Compose
//! deployment needs no registry. The Dockerfile is `deploy/Dockerfile`,
//! compiled in so a release binary can build it anywhere.

use anyhow::{Context, bail};
use bollard::query_parameters::TagImageOptionsBuilder;
use std::collections::HashMap;
use std::path::Path;

use super::{BASE_IMAGE, Build, guard_binary, with_dockerfile};
use crate::install::VERSION;

/// The image's default name.
pub const IMAGE: &str = "berth/server";
const DOCKERFILE: &str = include_str!("../../../../deploy/Dockerfile");
/// Which Berth an image holds (`berth --version`).
const VERSION_LABEL: &str = "org.opencontainers.image.version";

impl Build<'_> {
    /// Builds `NAME:latest` and `NAME:VERSION`; with `--missing`, only if
    /// `NAME:latest` holds another Berth than this one.
    pub(super) async fn server(&self) -> anyhow::Result<()> {
        let name = &self.args.server_image;
        let latest = format!("{name}:latest");
        if self.args.missing && built_from_this_berth(self.docker, &latest).await {
            println!("✓ {latest} is there ({VERSION})");
            return Ok(());
        }
        let context = context(&self.args.site_dir, &self.args.content, &self.args.playground)?;
        let args = HashMap::from([("BASE", BASE_IMAGE), ("BERTH_VERSION", VERSION)]);
        let what = format!("{latest} (berth {VERSION})");
        self.run(context, &latest, true, &args, &what).await?;
        let options = TagImageOptionsBuilder::new()
            .repo(name)
            .tag(env!("CARGO_PKG_VERSION"))
            .build();
        self.docker
            .tag_image(&latest, Some(options))
            .await
            .with_context(|| format!("tagging {latest} with its version"))?;
        Ok(())
    }
}

async fn built_from_this_berth(docker: &bollard::Docker, image: &str) -> bool {
    let labels = docker.inspect_image(image).await.ok().and_then(|i| i.config?.labels);
    labels.is_some_and(|l| l.get(VERSION_LABEL).map(String::as_str) == Some(VERSION))
}

/// Refuses at once, before any other image is built, a site or course
/// that is not there.
pub(super) fn check_inputs(site: &Path, content: &Path) -> anyhow::Result<()> {
    if !site.join("manifest.json").is_file() {
        bail!(
            "no built site in {}: build it with `cargo xtask build`, or point --site-dir (BERTH_SITE_DIR) at a release's site/",
            site.display()
        );
    }
    if !content.join("course.toml").is_file() {
        bail!(
            "no course in {} (no course.toml): point --content (BERTH_CONTENT) at one",
            content.display()
        );
    }
    guard_binary()?;
    Ok(())
}

/// The build context, laid out as the release tarball is: `bin/`, `site/`,
/// `content/`, `playground/`, and the Dockerfile.
fn context(site: &Path, content: &Path, playground: &Path) -> anyhow::Result<Vec<u8>> {
    check_inputs(site, content)?;
    let berth = std::env::current_exe().context("finding this berth")?;
    let guard = guard_binary()?;
    let mut tar = with_dockerfile(DOCKERFILE)?;
    for (path, name) in [(&berth, "bin/berth"), (&guard, "bin/berth-docker-guard")] {
        tar.append_path_with_name(path, name)
            .with_context(|| format!("reading {}", path.display()))?;
    }
    for (dir, name) in [(site, "site"), (content, "content"), (playground, "playground")] {
        tar.append_dir_all(name, dir)
            .with_context(|| format!("reading {}", dir.display()))?;
    }
    Ok(tar.into_inner()?)
}
