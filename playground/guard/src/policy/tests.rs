//! Policy tests on JSON values, with a temp dir standing in for the home.

use super::*;
use serde_json::json;
use std::os::unix::fs::symlink;

struct Lab {
    dir: tempfile::TempDir,
    policy: Policy,
}

impl Lab {
    fn new() -> Lab {
        crate::binds::private_mounts_for_this_thread().expect("policy tests pin binds, as root");
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("site")).unwrap();
        std::fs::create_dir_all(dir.path().join("shop/html")).unwrap();
        symlink("/", dir.path().join("root")).unwrap();
        let policy = Policy::new(Home::new(dir.path(), false).unwrap());
        Lab { dir, policy }
    }

    /// The home as given (messages show it) and canonical (rewrites use it).
    fn home(&self) -> String {
        self.dir.path().display().to_string()
    }
    fn real(&self) -> String {
        self.dir.path().canonicalize().unwrap().display().to_string()
    }

    fn check(&self, ep: Endpoint, mut body: Value) -> Result<Value, Refusal> {
        let mut pins = InFlight::new(&self.policy.home);
        self.policy.check_body(&ep, &mut body, &mut pins).map(|()| body)
    }

    fn refused(&self, ep: Endpoint, body: Value) -> String {
        match self.check(ep, body.clone()) {
            Err(Refusal::Forbidden(what)) => what,
            other => panic!("expected a refusal for {body}, got {other:?}"),
        }
    }
}

fn create_with(host_config: Value) -> Value {
    json!({"Image": "alpine", "HostConfig": host_config})
}

#[test]
fn each_host_config_refusal_names_its_flag() {
    let lab = Lab::new();
    let cases = [
        (json!({"Privileged": true}), "--privileged"),
        (json!({"CapAdd": ["SYS_ADMIN"]}), "--cap-add"),
        (json!({"Capabilities": ["CAP_SYS_ADMIN"]}), "--cap-add"),
        (
            json!({"Devices": [{"PathOnHost": "/dev/sda", "PathInContainer": "/dev/sda", "CgroupPermissions": "rwm"}]}),
            "--device",
        ),
        (json!({"DeviceRequests": [{"Count": -1}]}), "--gpus"),
        (json!({"DeviceCgroupRules": ["b 8:* rmw"]}), "--device-cgroup-rule"),
        (json!({"PidMode": "host"}), "--pid host"),
        (json!({"IpcMode": "host"}), "--ipc host"),
        (json!({"UTSMode": "host"}), "--uts host"),
        (json!({"UsernsMode": "host"}), "--userns host"),
        (json!({"CgroupnsMode": "host"}), "--cgroupns host"),
        (json!({"NetworkMode": "host"}), "--network host"),
        (json!({"SecurityOpt": ["apparmor=unconfined"]}), "--security-opt"),
        (
            json!({"SecurityOpt": ["no-new-privileges", "seccomp=unconfined"]}),
            "--security-opt",
        ),
        (json!({"SecurityOpt": ["no-new-privilegesx"]}), "--security-opt"),
        (json!({"MaskedPaths": []}), "--security-opt systempaths=unconfined"),
        (json!({"ReadonlyPaths": []}), "--security-opt systempaths=unconfined"),
        (json!({"Sysctls": {"kernel.core_pattern": "|/x"}}), "--sysctl"),
        (json!({"CgroupParent": "/"}), "--cgroup-parent"),
        (json!({"Runtime": "io.containerd.runsc.v1"}), "--runtime"),
        (json!({"OomKillDisable": true}), "--oom-kill-disable"),
        (json!({"VolumeDriver": "sshfs"}), "--volume-driver"),
        (json!({"Binds": ["/:/host"]}), ""),
        (
            json!({"Mounts": [{"Type": "volume", "Target": "/x", "VolumeOptions": {"DriverConfig": {"Name": "local", "Options": {"type": "none", "o": "bind", "device": "/"}}}}]}),
            "volume options that bind host paths",
        ),
        (
            json!({"Mounts": [{"Type": "volume", "Target": "/x", "VolumeOptions": {"DriverConfig": {"Name": "rexray"}}}]}),
            "volume drivers other than local",
        ),
        (
            json!({"Mounts": [{"Type": "npipe", "Source": "x", "Target": "/x"}]}),
            "--mount type=npipe",
        ),
    ];
    for (hc, flag) in cases {
        let what = lab.refused(Endpoint::ContainerCreate, create_with(hc.clone()));
        if flag.is_empty() {
            assert!(what.starts_with("-v /:/host"), "{what}");
        } else {
            assert_eq!(what, flag, "{hc}");
        }
        // The same fields may not be changed later by `docker update`.
        assert_eq!(lab.refused(Endpoint::ContainerUpdate, hc.clone()), what, "update {hc}");
        // Old API versions read HostConfig fields from the top level.
        let mut legacy = hc.as_object().unwrap().clone();
        legacy.insert("Image".into(), json!("alpine"));
        assert_eq!(lab.refused(Endpoint::ContainerCreate, Value::Object(legacy)), what);
    }
}

#[test]
fn case_variants_are_caught_like_go_decodes_them() {
    let lab = Lab::new();
    let body = json!({"Image": "alpine", "hostconfig": {"privileged": true}});
    assert_eq!(lab.refused(Endpoint::ContainerCreate, body), "--privileged");
    let body = json!({"Image": "alpine", "HostConfig": {"Privileged": false, "PRIVILEGED": true}});
    assert!(matches!(
        lab.check(Endpoint::ContainerCreate, body),
        Err(Refusal::Malformed(_))
    ));
}

#[test]
fn bind_messages_read_like_the_flag() {
    let lab = Lab::new();
    let home = lab.home();
    let what = lab.refused(Endpoint::ContainerCreate, create_with(json!({"Binds": ["/:/host"]})));
    assert_eq!(what, format!("-v /:/host (the bind source must be inside {home})"));
    let via_link = format!("{home}/root/etc:/x");
    let what = lab.refused(Endpoint::ContainerCreate, create_with(json!({"Binds": [via_link]})));
    assert!(
        what.ends_with("(the bind source may not go through a symlink)"),
        "{what}"
    );
    let dotdot = format!("{home}/site/../../..:/x:ro");
    lab.refused(Endpoint::ContainerCreate, create_with(json!({"Binds": [dotdot]})));
    let mount = json!({"Mounts": [{"Type": "bind", "Source": "/etc", "Target": "/etc"}]});
    let what = lab.refused(Endpoint::ContainerCreate, create_with(mount));
    assert_eq!(
        what,
        format!("--mount type=bind,source=/etc (the bind source must be inside {home})")
    );
}

#[test]
fn exec_and_plugin_like_bodies() {
    let lab = Lab::new();
    let exec = json!({"Cmd": ["sh"], "Privileged": true, "User": "root"});
    assert_eq!(lab.refused(Endpoint::ExecCreate, exec), "--privileged");
    let exec = json!({"AttachStdin": true, "Tty": true, "Cmd": ["sh"], "User": "root"});
    assert!(lab.check(Endpoint::ExecCreate, exec).is_ok());
    assert!(
        lab.check(Endpoint::ExecStart, json!({"Detach": false, "Tty": true}))
            .is_ok()
    );
}

#[test]
fn volume_creates_that_bind_host_paths_are_refused() {
    let lab = Lab::new();
    let binds = "volume options that bind host paths";
    for opts in [
        json!({"type": "none", "o": "bind", "device": "/"}),
        json!({"o": "rbind"}),
        json!({"device": "/dev/sda1"}),
        json!({"type": "nfs", "o": "addr=10.0.0.1", "device": ":/export"}),
        json!({"Type": "none"}),
    ] {
        let body = json!({"Name": "v", "Driver": "local", "DriverOpts": opts});
        assert_eq!(lab.refused(Endpoint::VolumeCreate, body), binds);
    }
    let body = json!({"Name": "v", "Driver": "sshfs"});
    assert_eq!(
        lab.refused(Endpoint::VolumeCreate, body),
        "volume drivers other than local"
    );
    let ok = json!({"Name": "data", "Driver": "local", "DriverOpts": {}, "Labels": {}});
    assert!(lab.check(Endpoint::VolumeCreate, ok).is_ok());
    assert!(lab.check(Endpoint::VolumeCreate, json!({})).is_ok());
}

#[test]
fn network_creates_allow_builtin_drivers_only() {
    let lab = Lab::new();
    let ok = json!({"Name": "shop_default", "CheckDuplicate": true, "Driver": "bridge",
        "Internal": false, "Attachable": false, "Labels": {"com.docker.compose.network": "default"}});
    assert!(lab.check(Endpoint::NetworkCreate, ok).is_ok());
    let plugin = json!({"Name": "n", "Driver": "weaveworks/net-plugin"});
    assert_eq!(lab.refused(Endpoint::NetworkCreate, plugin), "plugins");
    let ipam = json!({"Name": "n", "IPAM": {"Driver": "infoblox"}});
    assert_eq!(lab.refused(Endpoint::NetworkCreate, ipam), "plugins");
}

#[test]
fn service_specs_get_the_container_rules() {
    let lab = Lab::new();
    let home = lab.home();
    let spec = |cs: Value| json!({"Name": "web", "TaskTemplate": {"ContainerSpec": cs}});
    let cases = [
        (
            json!({"Image": "nginx", "CapabilityAdd": ["CAP_SYS_ADMIN"]}),
            "--cap-add".to_string(),
        ),
        (
            json!({"Image": "nginx", "Sysctls": {"net.ipv4.ip_forward": "1"}}),
            "--sysctl".into(),
        ),
        (
            json!({"Image": "nginx", "Privileges": {"Seccomp": {"Mode": "unconfined"}}}),
            "--security-opt".into(),
        ),
        (
            json!({"Image": "nginx", "Privileges": {"AppArmor": {"Mode": "disabled"}}}),
            "--security-opt".into(),
        ),
        (
            json!({"Image": "nginx", "Privileges": {"SELinuxContext": {"Disable": true}}}),
            "--security-opt".into(),
        ),
        (
            json!({"Image": "nginx", "Mounts": [{"Type": "bind", "Source": "/", "Target": "/host"}]}),
            "bind mounts in services (use a volume)".into(),
        ),
        (
            json!({"Image": "nginx", "Mounts": [{"Type": "bind", "Source": format!("{home}/site"), "Target": "/x"}]}),
            "bind mounts in services (use a volume)".into(),
        ),
    ];
    for (cs, what) in cases {
        assert_eq!(lab.refused(Endpoint::ServiceCreate, spec(cs.clone())), what);
        assert_eq!(lab.refused(Endpoint::ServiceUpdate, spec(cs)), what);
    }
    let plugin = json!({"Name": "p", "TaskTemplate": {"Runtime": "plugin", "PluginSpec": {"Name": "x"}}});
    assert_eq!(lab.refused(Endpoint::ServiceCreate, plugin), "plugins");
    let host =
        json!({"Name": "h", "TaskTemplate": {"ContainerSpec": {"Image": "nginx"}, "Networks": [{"Target": "host"}]}});
    assert_eq!(lab.refused(Endpoint::ServiceCreate, host), "--network host");
}

#[test]
fn docker_run_with_ports_volume_and_home_bind_passes_and_is_rewritten() {
    let lab = Lab::new();
    // What `docker run -d -p 8080:80 -v data:/data -v ~/site:/usr/share/nginx/html:ro nginx`
    // sends (Docker CLI 20.10), with the home at the test's temp dir.
    let body = json!({
        "Hostname": "", "Domainname": "", "User": "", "AttachStdin": false,
        "AttachStdout": false, "AttachStderr": false, "ExposedPorts": {"80/tcp": {}},
        "Tty": false, "OpenStdin": false, "StdinOnce": false, "Env": [], "Cmd": null,
        "Image": "nginx", "Volumes": {}, "WorkingDir": "", "Entrypoint": null,
        "OnBuild": null, "Labels": {},
        "HostConfig": {
            "Binds": ["data:/data", format!("{}/./site:/usr/share/nginx/html:ro", lab.home())],
            "ContainerIDFile": "", "LogConfig": {"Type": "", "Config": {}},
            "NetworkMode": "default",
            "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]},
            "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0}, "AutoRemove": false,
            "VolumeDriver": "", "VolumesFrom": null, "CapAdd": null, "CapDrop": null,
            "CgroupnsMode": "", "Dns": [], "DnsOptions": [], "DnsSearch": [],
            "ExtraHosts": null, "GroupAdd": null, "IpcMode": "", "Cgroup": "", "Links": null,
            "OomScoreAdj": 0, "PidMode": "", "Privileged": false, "PublishAllPorts": false,
            "ReadonlyRootfs": false, "SecurityOpt": null, "UTSMode": "", "UsernsMode": "",
            "ShmSize": 0, "ConsoleSize": [0, 0], "Isolation": "", "CpuShares": 0,
            "Memory": 0, "NanoCpus": 0, "CgroupParent": "", "BlkioWeight": 0,
            "BlkioWeightDevice": [], "CpuPeriod": 0, "CpuQuota": 0, "CpusetCpus": "",
            "CpusetMems": "", "Devices": [], "DeviceCgroupRules": null,
            "DeviceRequests": null, "KernelMemory": 0, "MemoryReservation": 0,
            "MemorySwap": 0, "MemorySwappiness": null, "OomKillDisable": false,
            "PidsLimit": null, "Ulimits": null, "MaskedPaths": null, "ReadonlyPaths": null
        },
        "NetworkingConfig": {"EndpointsConfig": {}}
    });
    let out = lab.check(Endpoint::ContainerCreate, body.clone()).unwrap();
    let site = format!("{}/site:/usr/share/nginx/html:ro", lab.real());
    assert_eq!(out["HostConfig"]["Binds"], json!(["data:/data", site]));
    // Nothing but the bind source changed.
    let mut expected = body;
    expected["HostConfig"]["Binds"][1] = json!(site);
    assert_eq!(out, expected);
}

#[test]
fn a_hardened_run_passes() {
    // `docker run --cap-drop ALL --security-opt no-new-privileges --read-only …`:
    // options that only take privileges away.
    let lab = Lab::new();
    for opt in ["no-new-privileges", "no-new-privileges:true", "no-new-privileges=false"] {
        let body = json!({"Image": "nginx", "HostConfig": {
            "CapDrop": ["ALL"], "SecurityOpt": [opt], "ReadonlyRootfs": true,
            "Memory": 268435456, "PidsLimit": 100, "NanoCpus": 500000000
        }});
        assert_eq!(lab.check(Endpoint::ContainerCreate, body.clone()).unwrap(), body);
    }
}

#[test]
fn a_compose_create_body_passes() {
    let lab = Lab::new();
    let body = json!({
        "Hostname": "", "User": "", "AttachStdout": true, "AttachStderr": true,
        "ExposedPorts": {"80/tcp": {}}, "Env": ["TZ=UTC"], "Image": "nginx:alpine",
        "Labels": {
            "com.docker.compose.project": "shop", "com.docker.compose.service": "web",
            "com.docker.compose.container-number": "1", "com.docker.compose.oneoff": "False",
            "com.docker.compose.version": "2.20.2"
        },
        "HostConfig": {
            "Binds": null, "LogConfig": {"Type": "", "Config": null},
            "NetworkMode": "shop_default",
            "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]},
            "RestartPolicy": {"Name": "", "MaximumRetryCount": 0}, "VolumeDriver": "",
            "CapAdd": null, "CapDrop": null, "CgroupnsMode": "", "ExtraHosts": [],
            "IpcMode": "", "PidMode": "", "Privileged": false, "SecurityOpt": null,
            "UTSMode": "", "UsernsMode": "", "Devices": null, "DeviceRequests": null,
            "OomKillDisable": null, "Init": null,
            "Mounts": [
                {"Type": "volume", "Source": "shop_db", "Target": "/var/lib/data",
                 "VolumeOptions": {}},
                {"Type": "bind", "Source": format!("{}/shop/html", lab.home()),
                 "Target": "/usr/share/nginx/html", "ReadOnly": true,
                 "BindOptions": {"CreateMountpoint": true}},
                {"Type": "tmpfs", "Target": "/run"}
            ]
        },
        "NetworkingConfig": {"EndpointsConfig": {"shop_default": {
            "Aliases": ["shop-web-1", "web"], "IPAMConfig": null, "Links": null}}}
    });
    let out = lab.check(Endpoint::ContainerCreate, body).unwrap();
    assert_eq!(
        out["HostConfig"]["Mounts"][1]["Source"],
        json!(format!("{}/shop/html", lab.real()))
    );
}

#[test]
fn a_replicated_service_passes() {
    let lab = Lab::new();
    let body = json!({
        "Name": "web", "Labels": {},
        "TaskTemplate": {
            "ContainerSpec": {
                "Image": "nginx:alpine", "Init": false, "StopGracePeriod": 10000000000u64,
                "DNSConfig": {}, "Isolation": "default",
                "Mounts": [{"Type": "volume", "Source": "web-data", "Target": "/data"}]
            },
            "Resources": {"Limits": {}, "Reservations": {}},
            "RestartPolicy": {"Condition": "any", "Delay": 5000000000u64, "MaxAttempts": 0},
            "Placement": {}, "ForceUpdate": 0, "Runtime": "container"
        },
        "Mode": {"Replicated": {"Replicas": 3}},
        "EndpointSpec": {"Mode": "vip", "Ports": [
            {"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "ingress"}]}
    });
    assert_eq!(lab.check(Endpoint::ServiceCreate, body.clone()).unwrap(), body);
}

#[test]
fn wrong_types_are_malformed() {
    let lab = Lab::new();
    for body in [
        json!({"Image": "a", "HostConfig": "privileged"}),
        json!({"Image": "a", "HostConfig": {"Binds": "/:/host"}}),
        json!({"Image": "a", "HostConfig": {"Binds": [1]}}),
        json!({"Image": "a", "HostConfig": {"Privileged": "true"}}),
        json!({"Image": "a", "HostConfig": {"CapAdd": "ALL"}}),
        json!({"Image": "a", "HostConfig": {"Mounts": {"Type": "bind"}}}),
        json!({"Image": "a", "HostConfig": {"Sysctls": ["a=b"]}}),
        json!({"Image": "a", "HostConfig": {"Mounts": [{"Source": "/"}]}}),
    ] {
        assert!(
            matches!(
                lab.check(Endpoint::ContainerCreate, body.clone()),
                Err(Refusal::Malformed(_))
            ),
            "{body}"
        );
    }
    assert!(matches!(
        lab.check(Endpoint::ExecStart, json!([1])),
        Err(Refusal::Malformed(_))
    ));
}

#[test]
fn existing_binds_are_pinned_before_a_start() {
    let lab = Lab::new();
    let (site, shop) = (format!("{}/site", lab.real()), format!("{}/shop", lab.real()));
    let inspect = |src: &str| {
        json!({"Id": "abc", "Mounts": [
            {"Type": "volume", "Name": "data", "Source": "/var/lib/docker/volumes/data/_data"},
            {"Type": "bind", "Source": src, "Destination": "/x"}]})
    };
    let mut pins = InFlight::new(&lab.policy.home);
    assert!(lab.policy.pin_existing_binds(&inspect(&site), &mut pins).is_ok());
    // Pinned: the learner can no longer swap the folder for a symlink to /.
    assert!(std::fs::remove_dir(&site).is_err());
    // A container made by a setup script, whose source the learner already
    // swapped, does not start.
    std::fs::remove_dir_all(&shop).unwrap();
    symlink("/", &shop).unwrap();
    assert!(matches!(
        lab.policy.pin_existing_binds(&inspect(&shop), &mut pins),
        Err(Refusal::Forbidden(_))
    ));
    assert!(matches!(
        lab.policy.pin_existing_binds(&inspect("/etc"), &mut pins),
        Err(Refusal::Forbidden(_))
    ));
}
