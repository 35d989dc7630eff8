//! `berth images build --host NAME` / `--all-hosts`: what was built on
//! this machine's engine reaches each lab host, built once. The lab images
//! and the registry image are saved here and loaded there through the
//! Docker API, streamed; the mirror's volume, which holds the course
//! images as the registry stores them, is copied the same way into the
//! host's own volume, and the host's own mirror is started on it, so a
//! docker lab's pulls never leave its host. An image the host already has
//! (the same image id) and a mirror that already serves every tag with the
//! same digest are left as they are.

use anyhow::{Context, bail};
use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, DownloadFromContainerOptionsBuilder, ImportImageOptions,
    UploadToContainerOptionsBuilder,
};
use futures_util::StreamExt;
use indicatif::ProgressBar;
use std::time::{Duration, Instant};

use berth_app::model::HostName;

use super::{done, helper_labels, helper_name, remove_helper, remove_stale_helpers, spinner};
use crate::lab::hosts::{endpoint, usable_images};
use crate::lab::mirror::{self, RegistryMirror};
use crate::store::{HostRow, Store};

/// How long one copy may take: a lab image is a gigabyte, and a host may
/// be at the end of a slow link.
const COPY_TIMEOUT: Duration = Duration::from_secs(3600);
/// The containers that mount the mirror's volume to copy it, never
/// started, are named `berth-mirror-copy-RANDOM`: each copy's own.
const HELPER: &str = "berth-mirror-copy";

/// The hosts `--host` or `--all-hosts` name, checked before anything is
/// built: an unknown name is an error, not a host skipped.
pub async fn targets(store: &Store, named: &[HostName], all: bool) -> anyhow::Result<Vec<HostRow>> {
    let listed: Vec<HostRow> = store.host_loads().await?.into_iter().map(|l| l.host).collect();
    if all {
        if listed.is_empty() {
            bail!("--all-hosts: no lab host is listed (`berth hosts add`)");
        }
        return Ok(listed);
    }
    let unknown: Vec<&str> = named
        .iter()
        .filter(|n| !listed.iter().any(|h| &h.name == *n))
        .map(HostName::as_str)
        .collect();
    if !unknown.is_empty() {
        bail!(
            "no lab host named {} (`berth hosts list` shows them)",
            unknown.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(listed.into_iter().filter(|h| named.contains(&h.name)).collect())
}

/// Copies `images` (the lab images, then the registry's) and the mirror's
/// course images from `local` to the host, starts the host's mirror and
/// records what the host can now run labs of.
pub async fn copy_to(local: &Docker, store: &Store, host: &HostRow, images: &[String]) -> anyhow::Result<()> {
    let started = Instant::now();
    let (remote, version) = endpoint(host)?
        .open()
        .await
        .with_context(|| format!("the engine at {} does not answer", host.url))?;
    println!("• {}: Docker {version} at {}", host.name, host.url);
    let remote = remote.with_timeout(COPY_TIMEOUT);
    let local = local.clone().with_timeout(COPY_TIMEOUT);
    for image in images.iter().map(String::as_str).chain([mirror::IMAGE]) {
        copy_image(&local, &remote, &host.name, image)
            .await
            .with_context(|| format!("copying {image}"))?;
    }
    copy_mirror(&local, &remote, &host.name)
        .await
        .context("copying the mirror's course images")?;
    RegistryMirror::default()
        .ensure(&remote)
        .await
        .context("starting the host's registry mirror")?;
    let usable = usable_images(&remote).await?;
    store.set_host_images(&host.name, &usable).await?;
    println!(
        "✓ {}: labs of {} can run there ({:.0?})",
        host.name,
        usable.join(", "),
        started.elapsed()
    );
    Ok(())
}

/// Loads `image` into the host unless it has the very same one.
async fn copy_image(local: &Docker, remote: &Docker, host: &HostName, image: &str) -> anyhow::Result<()> {
    let id = local
        .inspect_image(image)
        .await
        .with_context(|| format!("{image} is not built on this machine"))?
        .id;
    if remote.inspect_image(image).await.ok().and_then(|i| i.id) == id {
        println!("✓ {host}: {image} is there");
        return Ok(());
    }
    let started = Instant::now();
    let bar = spinner(format!("{host}: copying {image}"));
    let saved = local
        .export_image(image)
        .map(|chunk| chunk.map_err(std::io::Error::other));
    let body = counted(saved, bar.clone());
    let options = ImportImageOptions {
        quiet: true,
        ..Default::default()
    };
    let mut load = remote.import_image_stream(options, body, None);
    while let Some(step) = load.next().await {
        if let Some(message) = step?.error_detail.and_then(|d| d.message) {
            bar.abandon();
            bail!("{message}");
        }
    }
    if remote.inspect_image(image).await.ok().and_then(|i| i.id) != id {
        bar.abandon();
        bail!("the host's engine loaded it, but under another id");
    }
    done(bar, &format!("{host}: {image} copied"), started);
    Ok(())
}

/// Copies the mirror's volume into the host's unless the host's mirror
/// already serves every tag published here, with the same digest.
async fn copy_mirror(local: &Docker, remote: &Docker, host: &HostName) -> anyhow::Result<()> {
    let helper_name = &helper_name(HELPER);
    helper(local, helper_name).await.context("on this machine")?;
    if let Err(e) = helper(remote, helper_name).await {
        remove_helper(local, helper_name).await;
        return Err(e.context("on the host"));
    }
    let copied = async {
        let here = mirror::published(local, helper_name).await?;
        if here.is_empty() {
            bail!("the mirror on this machine serves no course image: `berth images build` publishes them");
        }
        let serves_all = |there: &[(String, String)]| here.iter().all(|tag| there.contains(tag));
        if serves_all(&mirror::published(remote, helper_name).await?) {
            println!("✓ {host}: its mirror serves the {} course image tags", here.len());
            return Ok(());
        }
        let started = Instant::now();
        let bar = spinner(format!("{host}: copying the mirror's course images"));
        let options = DownloadFromContainerOptionsBuilder::new().path(mirror::DATA).build();
        let archive = local
            .download_from_container(helper_name, Some(options))
            .map(|chunk| chunk.map_err(std::io::Error::other));
        let parent = std::path::Path::new(mirror::DATA)
            .parent()
            .expect("an absolute path")
            .to_string_lossy()
            .into_owned();
        let options = UploadToContainerOptionsBuilder::new().path(&parent).build();
        remote
            .upload_to_container(
                helper_name,
                Some(options),
                bollard::body_try_stream(counted(archive, bar.clone())),
            )
            .await
            .inspect_err(|_| bar.abandon())?;
        if !serves_all(&mirror::published(remote, helper_name).await?) {
            bar.abandon();
            bail!("copied, but the host's volume does not hold every tag");
        }
        done(
            bar,
            &format!("{host}: {} course image tags copied to its mirror", here.len()),
            started,
        );
        Ok(())
    }
    .await;
    remove_helper(local, helper_name).await;
    remove_helper(remote, helper_name).await;
    copied
}

/// Makes the helper `name` on an engine: the registry image, the
/// mirror's volume, no network, never started. Helpers a copy that died
/// left on the engine go first.
async fn helper(docker: &Docker, name: &str) -> anyhow::Result<()> {
    remove_stale_helpers(docker).await?;
    let body = ContainerCreateBody {
        image: Some(mirror::IMAGE.into()),
        cmd: Some(vec!["true".into()]),
        labels: Some(helper_labels()),
        network_disabled: Some(true),
        host_config: Some(HostConfig {
            binds: Some(vec![mirror::data_mount()]),
            network_mode: Some("none".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let options = CreateContainerOptionsBuilder::new().name(name).build();
    docker.create_container(Some(options), body).await?;
    Ok(())
}

/// Forwards a stream of bytes from a task of its own (the engine's body
/// must own what it reads), showing how much went through on `bar`.
fn counted<S>(stream: S, bar: ProgressBar) -> impl futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel(8);
    tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        let mut sent = 0u64;
        while let Some(chunk) = stream.next().await {
            if let Ok(bytes) = &chunk {
                sent += bytes.len() as u64;
                bar.set_message(format!("{} MiB", sent / (1024 * 1024)));
            }
            if sender.send(chunk).await.is_err() {
                return;
            }
        }
    });
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    })
}
