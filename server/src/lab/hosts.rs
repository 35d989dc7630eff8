//! Labs over several Docker engines. [`Hosts`] is the one [`Runtime`] the
//! lab manager sees: it sends each call to the engine of the lab's host,
//! which the lab's record names (placement chose it when the lab was
//! recorded, see [`crate::store::Store::insert_lab`]). With no host listed
//! every lab runs on the engine `DOCKER_HOST` names, as on one machine.
//!
//! Engines are connected on first use, from the hosts' listing, so a host
//! added with `berth hosts add` while replicas run is used at its first
//! lab without a restart.

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use clap::{Args, Subcommand};

use berth_app::model::{HostName, HostState, LabId, NodeNumber};

use super::docker::{Access, BadEndpoint, DockerRuntime, Endpoint, PROFILE_LABEL, Runtimes, answered, engine};
use super::mirror::{self, RegistryMirror};
use super::runtime::*;
use crate::store::{HostRow, Store};

pub struct Hosts {
    store: Store,
    /// The engine `DOCKER_HOST` names.
    default: Arc<DockerRuntime>,
    /// How labs run on every host (the OCI runtimes by name, the mirror).
    runtimes: Runtimes,
    mirror: RegistryMirror,
    /// Each listed host's engine once used, with the URL it was reached at.
    engines: Mutex<HashMap<HostName, (String, Arc<DockerRuntime>)>>,
    /// Each lab's host as its record says (`None`: the default engine);
    /// a lab never moves, so it is read once.
    placed: Mutex<HashMap<LabId, Option<HostName>>>,
    /// The id of each host's registry mirror container last found serving
    /// course images. A mirror is filled before it serves and keeps what
    /// it serves while its container lives, so a sweep need not download
    /// its tag tree again (1.5 MB for the bundled course) until the
    /// container changes.
    serving: Mutex<HashMap<HostName, String>>,
}

impl Hosts {
    pub fn new(default: DockerRuntime, runtimes: Runtimes, mirror: RegistryMirror, store: Store) -> Self {
        Self {
            store,
            default: Arc::new(default),
            runtimes,
            mirror,
            engines: Mutex::default(),
            placed: Mutex::default(),
            serving: Mutex::default(),
        }
    }

    /// The engine of `host`, connecting from its listing on first use.
    async fn engine(&self, host: Option<&HostName>) -> Result<Arc<DockerRuntime>, RuntimeError> {
        let Some(host) = host else {
            return Ok(self.default.clone());
        };
        if let Some((_, engine)) = self.engines.lock().expect("engines lock").get(host) {
            return Ok(engine.clone());
        }
        let row = self
            .store
            .host(host)
            .await
            .map_err(|e| RuntimeError::Host(e.to_string()))?
            .ok_or_else(|| RuntimeError::Host(format!("`{host}` is not listed (`berth hosts list`)")))?;
        let endpoint = endpoint(&row).map_err(|e| RuntimeError::Host(e.to_string()))?;
        let engine =
            Arc::new(DockerRuntime::connect_to(Some(endpoint), self.runtimes.clone(), self.mirror.clone()).await);
        let mut engines = self.engines.lock().expect("engines lock");
        Ok(engines.entry(host.clone()).or_insert((row.url, engine)).1.clone())
    }

    /// Records what images `host` can run labs of, as `engine` shows now.
    /// Every sweep asks, and the answer rarely changes: only a change is
    /// written, so sweeps do not take the database's write lock for nothing.
    async fn refresh_images(&self, host: &HostName, engine: &DockerRuntime) -> Result<(), RuntimeError> {
        let store = |e: crate::store::StoreError| RuntimeError::Host(e.to_string());
        let docker = engine.client().await?;
        let mirror = match docker.inspect_container(mirror::CONTAINER, None).await {
            Ok(container) => container.id,
            Err(_) => None,
        };
        let known = mirror.is_some() && self.serving.lock().expect("serving lock").get(host) == mirror.as_ref();
        let (images, serves) = usable_images_knowing(&docker, known.then_some(true)).await?;
        {
            let mut serving = self.serving.lock().expect("serving lock");
            match (serves, mirror) {
                (Some(true), Some(id)) => serving.insert(host.clone(), id),
                _ => serving.remove(host),
            };
        }
        if self.store.host_images(host).await.map_err(store)? == images {
            return Ok(());
        }
        self.store.set_host_images(host, &images).await.map_err(store)
    }

    /// One host's labs, and the images it holds recorded on the way.
    async fn list_host(&self, host: &HostName, instance: &str) -> Result<Listing, RuntimeError> {
        // Connecting asks the engine too (its runtimes, its mirror).
        let engine = answered(host.as_str(), self.engine(Some(host))).await?;
        let labs = answered(host.as_str(), engine.list(instance)).await?;
        if let Err(e) = answered(host.as_str(), self.refresh_images(host, &engine)).await {
            tracing::warn!(host = %host, error = %e, "reading a lab host's images failed; placement keeps what it knew");
        }
        Ok(labs)
    }

    /// The engine the lab runs on.
    async fn engine_of(&self, lab: &LabId) -> Result<Arc<DockerRuntime>, RuntimeError> {
        let known = self.placed.lock().expect("placed lock").get(lab).cloned();
        let host = match known {
            Some(host) => host,
            None => {
                let host = self
                    .store
                    .lab_host(lab)
                    .await
                    .map_err(|e| RuntimeError::Host(e.to_string()))?;
                self.placed
                    .lock()
                    .expect("placed lock")
                    .insert(lab.clone(), host.clone());
                host
            }
        };
        self.engine(host.as_ref()).await
    }
}

#[async_trait::async_trait]
impl Runtime for Hosts {
    async fn create(&self, spec: &LabSpec) -> Result<(), RuntimeError> {
        self.placed
            .lock()
            .expect("placed lock")
            .insert(spec.lab.clone(), spec.host.clone());
        self.engine(spec.host.as_ref()).await?.create(spec).await
    }

    async fn remove(&self, lab: &LabId) -> Result<(), RuntimeError> {
        self.engine_of(lab).await?.remove(lab).await?;
        self.placed.lock().expect("placed lock").remove(lab);
        Ok(())
    }

    fn forget(&self, lab: &LabId) {
        self.placed.lock().expect("placed lock").remove(lab);
    }

    /// Every host's labs: the default engine's when no host is listed or
    /// a lab still runs there, then each listed host's. The images each
    /// host that answers holds are recorded on the way, for placement.
    async fn list(&self, instance: &str) -> Result<Listing, RuntimeError> {
        let lookup = |e: crate::store::StoreError| RuntimeError::Host(e.to_string());
        let listed = self.store.host_loads().await.map_err(lookup)?;
        let mut all = Listing::default();
        if listed.is_empty() || self.store.default_engine_in_use().await.map_err(lookup)? {
            all = self.default.list(instance).await?;
        }
        // A host removed and listed again under its name may have moved.
        self.engines
            .lock()
            .expect("engines lock")
            .retain(|name, (url, _)| listed.iter().any(|l| &l.host.name == name && &l.host.url == url));
        // All at once, each within `ANSWER_WITHIN`: one silent host delays
        // the sweep by that much at most, not by one timeout per host.
        let listings = futures_util::future::join_all(listed.into_iter().map(|l| async move {
            let listing = self.list_host(&l.host.name, instance).await;
            (l.host.name, listing)
        }))
        .await;
        for (host, labs) in listings {
            match labs {
                Ok(listing) => {
                    let mut placed = self.placed.lock().expect("placed lock");
                    for lab in &listing.labs {
                        placed.insert(lab.lab.clone(), Some(host.clone()));
                    }
                    all.labs.extend(listing.labs);
                }
                Err(e) => {
                    tracing::debug!(host = %host, error = %e, "a lab host did not answer");
                    all.unreachable.push(host);
                }
            }
        }
        Ok(all)
    }

    async fn run_script(
        &self,
        lab: &LabId,
        node: NodeNumber,
        script: Script<'_>,
    ) -> Result<ScriptOutput, RuntimeError> {
        self.engine_of(lab).await?.run_script(lab, node, script).await
    }

    async fn shell(&self, lab: &LabId, node: NodeNumber, size: TermSize, seat: Seat) -> Result<Shell, RuntimeError> {
        self.engine_of(lab).await?.shell(lab, node, size, seat).await
    }

    async fn open_shell(&self, lab: &LabId, node: NodeNumber) -> Result<(), RuntimeError> {
        self.engine_of(lab).await?.open_shell(lab, node).await
    }

    async fn keeps_shells(&self, lab: &LabId, node: NodeNumber) -> Result<bool, RuntimeError> {
        self.engine_of(lab).await?.keeps_shells(lab, node).await
    }

    async fn leave(&self, lab: &LabId, node: NodeNumber, client: &str) -> Result<(), RuntimeError> {
        self.engine_of(lab).await?.leave(lab, node, client).await
    }

    async fn resize(&self, lab: &LabId, exec: &str, size: TermSize) -> Result<(), RuntimeError> {
        self.engine_of(lab).await?.resize(lab, exec, size).await
    }

    fn out_of_memory(&self, lab: &LabId, node: NodeNumber) -> BoxStream<'static, OutOfMemory> {
        // Asked for once a terminal is attached, so the lab's host is known
        // and its engine connected.
        let known = self.placed.lock().expect("placed lock").get(lab).cloned();
        let engine = match known {
            Some(None) => Some(self.default.clone()),
            Some(Some(host)) => self
                .engines
                .lock()
                .expect("engines lock")
                .get(&host)
                .map(|(_, engine)| engine.clone()),
            None => None,
        };
        match engine {
            Some(engine) => engine.out_of_memory(lab, node),
            None => futures_util::stream::pending().boxed(),
        }
    }
}

/// How a listed host's engine is reached.
pub fn endpoint(host: &HostRow) -> Result<Endpoint, BadEndpoint> {
    let access = Access {
        tls_dir: host.tls_dir.as_deref(),
        ssh_key: host.ssh_key.as_deref(),
        known_hosts: host.known_hosts.as_deref(),
    };
    Endpoint::parse(&host.url, &access)
}

/// The lab images an engine can run labs of: each `berth/lab-*:latest` it
/// holds. A docker lab's image counts only where the engine's registry
/// mirror serves course images, so that lab's pulls stay on its host.
pub async fn usable_images(docker: &bollard::Docker) -> Result<Vec<String>, RuntimeError> {
    Ok(usable_images_knowing(docker, None).await?.0)
}

/// [`usable_images`], told whether the mirror serves course images if
/// that is known; with whether it does, if that was needed.
async fn usable_images_knowing(
    docker: &bollard::Docker,
    mut mirror_serves: Option<bool>,
) -> Result<(Vec<String>, Option<bool>), RuntimeError> {
    let images = docker
        .list_images(None::<bollard::query_parameters::ListImagesOptions>)
        .await
        .map_err(engine)?;
    let mut usable = Vec::new();
    for image in images {
        let docker_lab = image.labels.get(PROFILE_LABEL).is_some_and(|p| p == "docker");
        for tag in &image.repo_tags {
            let Some(name) = tag.strip_suffix(":latest").filter(|n| n.starts_with("berth/lab-")) else {
                continue;
            };
            if docker_lab {
                let serves = match mirror_serves {
                    Some(serves) => serves,
                    None => !mirror::published(docker, mirror::CONTAINER).await?.is_empty(),
                };
                mirror_serves = Some(serves);
                if !serves {
                    continue;
                }
            }
            usable.push(name.to_string());
        }
    }
    usable.sort();
    Ok((usable, mirror_serves))
}

#[derive(Debug, Subcommand)]
pub enum HostsAction {
    /// List a Docker engine as a lab host (it must answer); it takes new labs at once, on every replica.
    Add(AddHost),
    /// Every lab host with its state and the labs and memory it holds.
    List,
    /// Take no new labs on this host; the ones it runs run on until they end.
    Drain { name: HostName },
    /// Take new labs on this host again (after `drain`, or once a lost host answers again).
    Activate { name: HostName },
    /// Stop listing a host that runs no lab.
    Remove { name: HostName },
}

#[derive(Debug, Args)]
pub struct AddHost {
    /// The host's name, as labs and `berth hosts` name it.
    pub name: HostName,
    /// unix:///path/to/docker.sock, tcp://HOST:PORT with --tls-dir, or ssh://USER@HOST[:PORT].
    pub url: String,
    /// For tcp://: the folder of ca.pem, cert.pem and key.pem (a client certificate the engine trusts).
    #[arg(long)]
    pub tls_dir: Option<std::path::PathBuf>,
    /// For ssh://: the private key to log in with (else ssh's own configuration and agent choose).
    #[arg(long)]
    pub ssh_key: Option<std::path::PathBuf>,
    /// For ssh://: the known_hosts file the host's key must be in (else ~/.ssh/known_hosts of the user Berth runs as).
    #[arg(long)]
    pub known_hosts: Option<std::path::PathBuf>,
    /// Labs it may run at once.
    #[arg(long, default_value_t = 20)]
    pub labs: usize,
    /// Memory its labs may be given together, in MiB (each lab counts its nodes' memory_mb).
    #[arg(long, default_value_t = 16 * 1024)]
    pub memory_mb: u64,
}

/// `berth hosts`: the listing every replica places labs by.
pub async fn run_command(store: &Store, action: HostsAction) -> anyhow::Result<()> {
    use anyhow::{Context, bail};

    match action {
        HostsAction::Add(add) => {
            // Every replica reads these paths on its own machine.
            let absolute = |path: Option<std::path::PathBuf>| -> anyhow::Result<Option<String>> {
                let Some(path) = path else { return Ok(None) };
                let path = std::path::absolute(&path).with_context(|| format!("{}", path.display()))?;
                Ok(Some(path.to_string_lossy().into_owned()))
            };
            if let Some(key) = &add.ssh_key {
                std::fs::File::open(key).with_context(|| format!("--ssh-key {}", key.display()))?;
            }
            let host = HostRow {
                name: add.name,
                url: add.url,
                tls_dir: absolute(add.tls_dir)?,
                ssh_key: absolute(add.ssh_key)?,
                known_hosts: absolute(add.known_hosts)?,
                max_labs: add.labs,
                memory_mb: add.memory_mb,
                state: HostState::Active,
            };
            let (docker, version) = endpoint(&host)?
                .open()
                .await
                .with_context(|| format!("the engine at {} does not answer", host.url))?;
            let images = answered(&host.url, usable_images(&docker)).await?;
            if !store.add_host(&host).await? {
                bail!("a lab host named `{}` is listed already", host.name);
            }
            store.set_host_images(&host.name, &images).await?;
            println!(
                "{}: Docker {version}, up to {} labs and {} MiB; it takes new labs now",
                host.name, host.max_labs, host.memory_mb
            );
            match images.is_empty() {
                true => println!(
                    "it has no lab image yet: `berth images build --host {}` copies them there",
                    host.name
                ),
                false => println!("lab images there: {}", images.join(", ")),
            }
            Ok(())
        }
        HostsAction::List => {
            let loads = store.host_loads().await?;
            if loads.is_empty() {
                eprintln!("no lab host listed: labs run on the engine DOCKER_HOST names");
            }
            for l in &loads {
                println!(
                    "{}  {}  labs {}/{}  memory {}/{} MiB  {}",
                    l.host.name, l.host.state, l.labs, l.host.max_labs, l.memory_mb, l.host.memory_mb, l.host.url
                );
            }
            Ok(())
        }
        HostsAction::Drain { name } => set_state(store, &name, HostState::Draining).await,
        HostsAction::Activate { name } => set_state(store, &name, HostState::Active).await,
        HostsAction::Remove { name } => {
            store.remove_host(&name).await?;
            println!("{name} is no longer a lab host");
            Ok(())
        }
    }
}

async fn set_state(store: &Store, name: &HostName, state: HostState) -> anyhow::Result<()> {
    if !store.set_host_state(name, state).await? {
        anyhow::bail!("there is no lab host named `{name}` (`berth hosts list`)");
    }
    println!("{name} is {state}");
    Ok(())
}
