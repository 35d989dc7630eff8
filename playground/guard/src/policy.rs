//! What a learner may ask the lab's engine for.
//!
//! The engine runs as root in a container with nearly every capability, so
//! anything that widens a container (privileges, host namespaces, devices,
//! host paths, other runtimes, plugins) would be root in the lab. Each rule
//! answers with the `docker` flag the learner typed, so the CLI's plain
//! "Error response from daemon: ..." reads naturally.

use http::StatusCode;
use serde_json::{Map, Value};

use crate::binds::{Home, InFlight};
use crate::json::{
    array_field, bool_field, get, object_field, object_field_mut, objects_mut, same_name, str_array, str_field,
    string_map,
};
use crate::route::Endpoint;

/// Why a request was not forwarded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Well-formed but not allowed here (403, like the engine's own denials).
    #[error("this lab does not allow {0}")]
    Forbidden(String),
    /// Not something we can check (400).
    #[error("{0}")]
    Malformed(String),
    /// Not there to be had, e.g. an image the mirror lacks (404).
    #[error("{0}")]
    NotFound(String),
}

impl Refusal {
    pub fn forbid(what: impl Into<String>) -> Refusal {
        Refusal::Forbidden(what.into())
    }
    pub fn malformed(msg: impl Into<String>) -> Refusal {
        Refusal::Malformed(msg.into())
    }
    pub fn not_found(msg: impl Into<String>) -> Refusal {
        Refusal::NotFound(msg.into())
    }
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::Forbidden(_) => StatusCode::FORBIDDEN,
            Refusal::Malformed(_) => StatusCode::BAD_REQUEST,
            Refusal::NotFound(_) => StatusCode::NOT_FOUND,
        }
    }
}

type Obj = Map<String, Value>;

const VOLUME_BINDS: &str = "volume options that bind host paths";
const VOLUME_DRIVER: &str = "volume drivers other than local";

/// The policy, bound to the learner's home.
#[derive(Debug)]
pub struct Policy {
    pub home: Home,
}

impl Policy {
    pub fn new(home: Home) -> Policy {
        Policy { home }
    }

    /// Checks the JSON body of `endpoint`, pinning its bind sources (listed
    /// in `pins`, see `binds`) and rewriting them to their clean paths.
    pub fn check_body(&self, endpoint: &Endpoint, body: &mut Value, pins: &mut InFlight<'_>) -> Result<(), Refusal> {
        let obj = body
            .as_object_mut()
            .ok_or_else(|| Refusal::malformed("the request body must be a JSON object"))?;
        match endpoint {
            Endpoint::ContainerCreate => self.container_create(obj, pins),
            Endpoint::ContainerUpdate => self.host_config(obj, pins),
            Endpoint::ExecCreate => forbid_if(bool_field(obj, "Privileged")?, "--privileged"),
            Endpoint::ServiceCreate | Endpoint::ServiceUpdate => self.service_spec(obj),
            Endpoint::VolumeCreate => volume_create(obj),
            Endpoint::NetworkCreate => network_create(obj),
            _ => Ok(()),
        }
    }

    fn container_create(&self, obj: &mut Obj, pins: &mut InFlight<'_>) -> Result<(), Refusal> {
        // Older API versions read HostConfig fields from the top level when
        // `HostConfig` is absent; check both places.
        self.host_config(obj, pins)?;
        if let Some(hc) = object_field_mut(obj, "HostConfig")? {
            self.host_config(hc, pins)?;
        }
        Ok(())
    }

    /// A container's `HostConfig` (also the body of a container update).
    fn host_config(&self, hc: &mut Obj, pins: &mut InFlight<'_>) -> Result<(), Refusal> {
        forbid_if(bool_field(hc, "Privileged")?, "--privileged")?;
        forbid_if(!str_array(hc, "CapAdd")?.is_empty(), "--cap-add")?;
        forbid_if(!str_array(hc, "Capabilities")?.is_empty(), "--cap-add")?;
        forbid_if(!array_field(hc, "Devices")?.is_empty(), "--device")?;
        forbid_if(!array_field(hc, "DeviceRequests")?.is_empty(), "--gpus")?;
        forbid_if(!str_array(hc, "DeviceCgroupRules")?.is_empty(), "--device-cgroup-rule")?;
        for (field, flag) in [
            ("PidMode", "--pid host"),
            ("IpcMode", "--ipc host"),
            ("UTSMode", "--uts host"),
            ("UsernsMode", "--userns host"),
            ("CgroupnsMode", "--cgroupns host"),
            ("NetworkMode", "--network host"),
        ] {
            forbid_if(is_host(str_field(hc, field)?), flag)?;
        }
        forbid_if(
            !str_array(hc, "SecurityOpt")?.into_iter().all(no_new_privileges),
            "--security-opt",
        )?;
        // Setting these replaces Docker's defaults (`systempaths=unconfined`).
        for field in ["MaskedPaths", "ReadonlyPaths"] {
            str_array(hc, field)?;
            forbid_if(get(hc, field)?.is_some(), "--security-opt systempaths=unconfined")?;
        }
        forbid_if(!string_map(hc, "Sysctls")?.is_empty(), "--sysctl")?;
        forbid_if(!str_field(hc, "CgroupParent")?.is_empty(), "--cgroup-parent")?;
        forbid_if(!matches!(str_field(hc, "Runtime")?, "" | "runc"), "--runtime")?;
        forbid_if(bool_field(hc, "OomKillDisable")?, "--oom-kill-disable")?;
        forbid_if(!str_field(hc, "VolumeDriver")?.is_empty(), "--volume-driver")?;
        self.binds(hc, pins)?;
        for mount in objects_mut(hc, "Mounts")? {
            self.mount(mount, Some(&mut *pins))?;
        }
        Ok(())
    }

    /// `-v SRC:DST[:OPTS]`: an absolute SRC is a bind, anything else a volume.
    fn binds(&self, hc: &mut Obj, pins: &mut InFlight<'_>) -> Result<(), Refusal> {
        let binds = str_array(hc, "Binds")?;
        let mut rewritten = Vec::with_capacity(binds.len());
        for bind in binds {
            let mut parts: Vec<String> = bind.splitn(4, ':').map(str::to_string).collect();
            if parts.len() >= 2 && parts[0].starts_with('/') {
                let real = self
                    .home
                    .pin(&parts[0], pins)
                    .map_err(|e| Refusal::forbid(format!("-v {}:{} ({e})", parts[0], parts[1])))?;
                parts[0] = real.display().to_string();
            }
            rewritten.push(Value::String(parts.join(":")));
        }
        if let Some(v) = crate::json::get_mut(hc, "Binds")? {
            *v = Value::Array(rewritten);
        }
        Ok(())
    }

    /// One `--mount`: a container's (`pins` given) or a service's. Swarm
    /// starts a service's tasks itself, on any node, where no path can be
    /// pinned: services get no bind mounts.
    fn mount(&self, m: &mut Obj, pins: Option<&mut InFlight<'_>>) -> Result<(), Refusal> {
        match str_field(m, "Type")? {
            "bind" => {
                let Some(pins) = pins else {
                    return Err(Refusal::forbid("bind mounts in services (use a volume)"));
                };
                let source = str_field(m, "Source")?.to_string();
                let real = self
                    .home
                    .pin(&source, pins)
                    .map_err(|e| Refusal::forbid(format!("--mount type=bind,source={source} ({e})")))?;
                if let Some(v) = crate::json::get_mut(m, "Source")? {
                    *v = Value::String(real.display().to_string());
                }
                Ok(())
            }
            "volume" => {
                let Some(opts) = object_field(m, "VolumeOptions")? else {
                    return Ok(());
                };
                let Some(driver) = object_field(opts, "DriverConfig")? else {
                    return Ok(());
                };
                check_volume_driver(str_field(driver, "Name")?, &string_map(driver, "Options")?)
            }
            "tmpfs" => Ok(()),
            "" => Err(Refusal::malformed("each mount needs a Type")),
            other => Err(Refusal::forbid(format!("--mount type={other}"))),
        }
    }

    /// A swarm service spec: the task's container spec gets the same rules.
    fn service_spec(&self, spec: &mut Obj) -> Result<(), Refusal> {
        forbid_host_network(spec)?;
        let Some(task) = object_field_mut(spec, "TaskTemplate")? else {
            return Ok(());
        };
        forbid_if(get(task, "PluginSpec")?.is_some(), "plugins")?;
        forbid_if(!matches!(str_field(task, "Runtime")?, "" | "container"), "plugins")?;
        forbid_host_network(task)?;
        let Some(cs) = object_field_mut(task, "ContainerSpec")? else {
            return Ok(());
        };
        if let Some(privileges) = object_field(cs, "Privileges")? {
            check_privileges(privileges)?;
        }
        forbid_if(!str_array(cs, "CapabilityAdd")?.is_empty(), "--cap-add")?;
        forbid_if(!string_map(cs, "Sysctls")?.is_empty(), "--sysctl")?;
        for mount in objects_mut(cs, "Mounts")? {
            self.mount(mount, None)?;
        }
        Ok(())
    }

    /// Pins the bind sources of an existing container (from its inspect
    /// JSON) before it starts: one made by a setup script as root, or whose
    /// pin was lost, is secured like a new one.
    pub fn pin_existing_binds(&self, inspect: &Value, pins: &mut InFlight<'_>) -> Result<(), Refusal> {
        let obj = inspect
            .as_object()
            .ok_or_else(|| Refusal::malformed("container inspect is not a JSON object"))?;
        for m in array_field(obj, "Mounts")? {
            let m = m
                .as_object()
                .ok_or_else(|| Refusal::malformed("container mounts are not objects"))?;
            if str_field(m, "Type")? != "bind" {
                continue;
            }
            let source = str_field(m, "Source")?;
            self.home
                .pin(source, pins)
                .map_err(|e| Refusal::forbid(format!("-v {source} ({e})")))?;
        }
        Ok(())
    }
}

fn forbid_if(cond: bool, what: &str) -> Result<(), Refusal> {
    if cond { Err(Refusal::forbid(what)) } else { Ok(()) }
}

fn is_host(mode: &str) -> bool {
    mode.trim().eq_ignore_ascii_case("host")
}

/// Service `Privileges`: only the defaults and no-new-privileges pass.
fn check_privileges(p: &Obj) -> Result<(), Refusal> {
    if let Some(selinux) = object_field(p, "SELinuxContext")? {
        let relabels = ["User", "Role", "Type", "Level"]
            .iter()
            .map(|f| str_field(selinux, f))
            .collect::<Result<Vec<_>, _>>()?;
        forbid_if(
            bool_field(selinux, "Disable")? || relabels.iter().any(|s| !s.is_empty()),
            "--security-opt",
        )?;
    }
    for field in ["Seccomp", "AppArmor"] {
        if let Some(profile) = object_field(p, field)? {
            forbid_if(!matches!(str_field(profile, "Mode")?, "" | "default"), "--security-opt")?;
        }
    }
    Ok(())
}

/// `Networks: [{"Target": "host"}]` in a service or its task template.
fn forbid_host_network(obj: &Obj) -> Result<(), Refusal> {
    for net in array_field(obj, "Networks")? {
        let net = net
            .as_object()
            .ok_or_else(|| Refusal::malformed("field Networks must be an array of objects"))?;
        forbid_if(is_host(str_field(net, "Target")?), "--network host")?;
    }
    Ok(())
}

/// The `local` driver mounts whatever its options say, host paths included.
fn check_volume_driver(driver: &str, opts: &[(&str, &str)]) -> Result<(), Refusal> {
    forbid_if(!matches!(driver, "" | "local"), VOLUME_DRIVER)?;
    for (key, value) in opts {
        let value = value.to_ascii_lowercase();
        let binds = (same_name(key, "o") && value.contains("bind"))
            || same_name(key, "device")
            || (same_name(key, "type") && matches!(value.trim(), "none" | "bind" | "rbind"));
        forbid_if(binds, VOLUME_BINDS)?;
    }
    Ok(())
}

fn volume_create(obj: &Obj) -> Result<(), Refusal> {
    check_volume_driver(str_field(obj, "Driver")?, &string_map(obj, "DriverOpts")?)?;
    forbid_if(get(obj, "ClusterVolumeSpec")?.is_some(), "plugins")
}

/// Built-in network drivers only: any other name is a plugin.
fn network_create(obj: &Obj) -> Result<(), Refusal> {
    let driver = str_field(obj, "Driver")?;
    forbid_if(
        !matches!(driver, "" | "bridge" | "overlay" | "macvlan" | "ipvlan"),
        "plugins",
    )?;
    if let Some(ipam) = object_field(obj, "IPAM")? {
        forbid_if(!matches!(str_field(ipam, "Driver")?, "" | "default"), "plugins")?;
    }
    string_map(obj, "Options")?;
    Ok(())
}

/// `--security-opt no-new-privileges` (also `:true`, `=false` …) only takes
/// privileges away, so learners may set it; every other option is refused.
fn no_new_privileges(opt: &str) -> bool {
    let value = opt
        .strip_prefix("no-new-privileges")
        .map(|rest| rest.strip_prefix([':', '=']).unwrap_or(rest));
    matches!(
        value,
        Some("" | "true" | "false" | "1" | "0" | "t" | "f" | "TRUE" | "FALSE" | "True" | "False" | "T" | "F")
    )
}

#[cfg(test)]
mod tests;
