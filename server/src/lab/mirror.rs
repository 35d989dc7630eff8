//! The registry mirror docker labs pull through: Debian's docker-registry
//! in a container of its own, so `docker pull nginx` works in a lab with
//! no internet. Offline it serves, read-only, what `berth images build`
//! published into its volume; with `--mirror-upstream` it is a
//! pull-through cache of that registry instead.
//!
//! Each docker lab's private network gets the mirror as a second endpoint
//! named `mirror`, so a lab reaches the mirror and nothing else. The
//! mirror does not forward packets, so it joins no two labs.

use bollard::Docker;
use bollard::errors::Error as DockerError;
use bollard::models::{
    ContainerCreateBody, EndpointSettings, HostConfig, HostConfigLogConfig, NetworkConnectRequest,
    NetworkCreateRequest, NetworkDisconnectRequest, RestartPolicy, RestartPolicyNameEnum,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, DownloadFromContainerOptionsBuilder, RemoveContainerOptionsBuilder,
};
use futures_util::TryStreamExt;
use std::collections::HashMap;

use super::docker::{engine, has_status};
use super::runtime::RuntimeError;

/// The registry image (`playground/mirror/registry`).
pub const IMAGE: &str = "berth/registry";
/// The mirror's container, and the network it lives on when no lab uses it.
pub const CONTAINER: &str = "berth-mirror";
/// The name a lab's engine knows the mirror by.
pub const ALIAS: &str = "mirror";
/// Where the mirror keeps its images, across restarts and upgrades.
const VOLUME: &str = "berth-mirror-data";
pub const DATA: &str = "/var/lib/docker-registry";
/// Where the registry keeps each repository's tags, under [`DATA`].
const REPOSITORIES: &str = "docker/registry/v2/repositories";

/// The volume mount every registry on the mirror's data uses.
pub fn data_mount() -> String {
    format!("{VOLUME}:{DATA}")
}
/// Records how the running mirror was configured, to notice a change.
const LABEL_MODE: &str = "org.berth.mirror";

/// How the mirror gets its images.
#[derive(Clone, Debug, Default)]
pub struct RegistryMirror {
    /// A registry to cache (e.g. `https://registry-1.docker.io`); `None`:
    /// serve only what `berth images build` published.
    pub upstream: Option<String>,
}

impl RegistryMirror {
    fn mode(&self) -> String {
        self.upstream.clone().unwrap_or_else(|| "offline".into())
    }

    /// Starts the mirror unless it already runs as configured. `Ok(false)`:
    /// the registry image is not built yet, so there is nothing to run.
    pub async fn ensure(&self, docker: &Docker) -> Result<bool, RuntimeError> {
        match docker.inspect_container(CONTAINER, None).await {
            Ok(c) => {
                let mode = c.config.and_then(|c| c.labels).and_then(|mut l| l.remove(LABEL_MODE));
                if mode.as_deref() == Some(self.mode().as_str()) {
                    if !c.state.and_then(|s| s.running).unwrap_or(false) {
                        docker.start_container(CONTAINER, None).await.map_err(engine)?;
                    }
                    return Ok(true);
                }
                // Configured differently: replace it (the volume stays).
                let options = RemoveContainerOptionsBuilder::new().force(true).build();
                docker
                    .remove_container(CONTAINER, Some(options))
                    .await
                    .map_err(engine)?;
            }
            Err(e) if has_status(&e, &[404]) => {}
            Err(e) => return Err(engine(e)),
        }
        match docker.inspect_image(IMAGE).await {
            Ok(_) => {}
            Err(e) if has_status(&e, &[404]) => return Ok(false),
            Err(e) => return Err(engine(e)),
        }
        let network = self.network(docker).await?;
        let body = ContainerCreateBody {
            image: Some(IMAGE.into()),
            labels: Some(HashMap::from([(LABEL_MODE.to_string(), self.mode())])),
            env: self
                .upstream
                .as_ref()
                .map(|url| vec![format!("REGISTRY_PROXY_REMOTEURL={url}")]),
            host_config: Some(HostConfig {
                binds: Some(vec![data_mount()]),
                cap_drop: Some(vec!["ALL".into()]),
                security_opt: Some(vec!["no-new-privileges:true".into()]),
                readonly_rootfs: Some(true),
                memory: Some(256 * 1024 * 1024),
                pids_limit: Some(256),
                network_mode: Some(network),
                // On every lab's network at once: it must never route
                // between them.
                sysctls: Some(HashMap::from([("net.ipv4.ip_forward".to_string(), "0".to_string())])),
                restart_policy: Some(RestartPolicy {
                    name: Some(RestartPolicyNameEnum::UNLESS_STOPPED),
                    maximum_retry_count: None,
                }),
                log_config: Some(HostConfigLogConfig {
                    typ: Some("json-file".into()),
                    config: Some(HashMap::from([
                        ("max-size".to_string(), "5m".to_string()),
                        ("max-file".to_string(), "2".to_string()),
                    ])),
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let options = CreateContainerOptionsBuilder::new().name(CONTAINER).build();
        match docker.create_container(Some(options), body).await {
            Ok(_) => {}
            // Another request created it meanwhile.
            Err(e) if has_status(&e, &[409]) => {}
            Err(e) => return Err(engine(e)),
        }
        match docker.start_container(CONTAINER, None).await {
            Ok(()) => {}
            Err(e) if has_status(&e, &[304]) => {}
            Err(e) => return Err(engine(e)),
        }
        tracing::info!(mode = %self.mode(), "registry mirror started");
        Ok(true)
    }

    /// The mirror's home network: internal (no way out) when offline.
    async fn network(&self, docker: &Docker) -> Result<String, RuntimeError> {
        let (name, internal) = match self.upstream {
            None => (CONTAINER.to_string(), true),
            Some(_) => (format!("{CONTAINER}-upstream"), false),
        };
        let request = NetworkCreateRequest {
            name: name.clone(),
            driver: Some("bridge".into()),
            internal: Some(internal),
            ..Default::default()
        };
        match docker.create_network(request).await {
            Ok(_) => Ok(name),
            Err(e) if has_status(&e, &[409]) => Ok(name),
            Err(e) => Err(engine(e)),
        }
    }

    /// Puts the mirror on a lab's network as `mirror`. A missing registry
    /// image is logged, not fatal: the lab works, but cannot pull.
    pub async fn attach(&self, docker: &Docker, network: &str) -> Result<(), RuntimeError> {
        if !self.ensure(docker).await? {
            tracing::warn!("docker labs cannot pull images until `berth images build` makes the registry mirror");
            return Ok(());
        }
        let request = NetworkConnectRequest {
            container: CONTAINER.into(),
            endpoint_config: Some(EndpointSettings {
                aliases: Some(vec![ALIAS.into()]),
                ..Default::default()
            }),
        };
        match docker.connect_network(network, request).await {
            Ok(()) => Ok(()),
            // Already connected.
            Err(e) if has_status(&e, &[403, 409]) => Ok(()),
            Err(e) => Err(engine(e)),
        }
    }

    /// Takes the mirror off a lab's network, so the network can go.
    pub async fn detach(docker: &Docker, network: &str) -> Result<(), RuntimeError> {
        let request = NetworkDisconnectRequest {
            container: CONTAINER.into(),
            force: Some(true),
        };
        match docker.disconnect_network(network, request).await {
            Ok(()) => Ok(()),
            // Not connected, or no such network or mirror.
            Err(e) if has_status(&e, &[403, 404, 409]) => Ok(()),
            Err(DockerError::DockerResponseServerError {
                status_code: 500,
                message,
            }) if message.contains("not connected") => Ok(()),
            Err(e) => Err(engine(e)),
        }
    }
}

/// What a registry volume publishes: each `repository:tag` with the digest
/// of the manifest it names, sorted. Read through `container` (running or
/// not), which mounts the volume; nothing when it holds no registry data
/// or there is no such container.
pub async fn published(docker: &Docker, container: &str) -> Result<Vec<(String, String)>, RuntimeError> {
    let options = DownloadFromContainerOptionsBuilder::new()
        .path(&format!("{DATA}/{REPOSITORIES}"))
        .build();
    let archive: Vec<bytes::Bytes> = match docker
        .download_from_container(container, Some(options))
        .try_collect()
        .await
    {
        Ok(archive) => archive,
        Err(e) if has_status(&e, &[404]) => return Ok(Vec::new()),
        Err(e) => return Err(engine(e)),
    };
    tags_in(&archive.concat()).map_err(|e| RuntimeError::Engine(format!("reading the mirror's tags: {e}")))
}

/// The tags in a tar of the registry's `repositories` folder: each
/// `NAME/_manifests/tags/TAG/current/link` names its manifest's digest.
fn tags_in(archive: &[u8]) -> std::io::Result<Vec<(String, String)>> {
    let mut tags = Vec::new();
    for entry in tar::Archive::new(archive).entries()? {
        let mut entry = entry?;
        let path = entry.path()?.to_string_lossy().into_owned();
        let Some(rest) = path.strip_prefix("repositories/") else {
            continue;
        };
        let Some((repository, tag)) = rest.split_once("/_manifests/tags/") else {
            continue;
        };
        let Some(tag) = tag.strip_suffix("/current/link") else {
            continue;
        };
        let mut digest = String::new();
        std::io::Read::read_to_string(&mut entry, &mut digest)?;
        tags.push((format!("{repository}:{tag}"), digest.trim().to_string()));
    }
    tags.sort();
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_tags_are_read_from_the_registrys_links() {
        let mut archive = tar::Builder::new(Vec::new());
        let mut add = |path: &str, text: &str| {
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            archive.append_data(&mut header, path, text.as_bytes()).unwrap();
        };
        add(
            "repositories/library/busybox/_manifests/tags/latest/current/link",
            "sha256:bb\n",
        );
        add(
            "repositories/library/busybox/_manifests/tags/latest/index/sha256/bb/link",
            "sha256:bb",
        );
        add(
            "repositories/library/alpine/_manifests/tags/3.22/current/link",
            "sha256:aa",
        );
        add("repositories/library/alpine/_layers/sha256/cc/link", "sha256:cc");
        let tags = tags_in(&archive.into_inner().unwrap()).unwrap();
        assert_eq!(
            tags,
            [
                ("library/alpine:3.22".to_string(), "sha256:aa".to_string()),
                ("library/busybox:latest".to_string(), "sha256:bb".to_string()),
            ]
        );
    }
}
