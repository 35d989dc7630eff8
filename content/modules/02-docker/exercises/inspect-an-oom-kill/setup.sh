# docker inspect shop-api, saved by the on-call engineer.
cat > "$HOME/inspect.json" <<'JSON'
[
    {
        "Id": "7a8b9c0d1e2f4a5b8c6d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d",
        "Created": "2025-03-14T08:02:11.418273645Z",
        "Path": "/app/api",
        "Args": [
            "--listen",
            ":8080"
        ],
        "State": {
            "Status": "exited",
            "Running": false,
            "Paused": false,
            "Restarting": false,
            "OOMKilled": true,
            "Dead": false,
            "Pid": 0,
            "ExitCode": 137,
            "Error": "",
            "StartedAt": "2025-03-14T09:41:07.902115311Z",
            "FinishedAt": "2025-03-14T09:41:52.330871902Z"
        },
        "Image": "sha256:5d3f9a1be2c74e08a6b1d7c3f0e9a8b27c4d6e5f1a2b3c4d5e6f708192a3b4c5",
        "ResolvConfPath": "/var/lib/docker/containers/7a8b9c0d1e2f4a5b8c6d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d/resolv.conf",
        "HostnamePath": "/var/lib/docker/containers/7a8b9c0d1e2f4a5b8c6d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d/hostname",
        "HostsPath": "/var/lib/docker/containers/7a8b9c0d1e2f4a5b8c6d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d/hosts",
        "LogPath": "/var/lib/docker/containers/7a8b9c0d1e2f4a5b8c6d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d/7a8b9c0d1e2f4a5b8c6d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d-json.log",
        "Name": "/shop-api",
        "RestartCount": 3,
        "Driver": "overlay2",
        "Platform": "linux",
        "MountLabel": "",
        "ProcessLabel": "",
        "AppArmorProfile": "docker-default",
        "ExecIDs": null,
        "HostConfig": {
            "Binds": null,
            "ContainerIDFile": "",
            "LogConfig": {
                "Type": "json-file",
                "Config": {
                    "max-file": "3",
                    "max-size": "10m"
                }
            },
            "NetworkMode": "shop",
            "PortBindings": {
                "8080/tcp": [
                    {
                        "HostIp": "",
                        "HostPort": "9090"
                    }
                ]
            },
            "RestartPolicy": {
                "Name": "on-failure",
                "MaximumRetryCount": 3
            },
            "AutoRemove": false,
            "VolumeDriver": "",
            "VolumesFrom": null,
            "CapAdd": null,
            "CapDrop": [
                "ALL"
            ],
            "Dns": [],
            "DnsOptions": [],
            "DnsSearch": [],
            "ExtraHosts": null,
            "IpcMode": "private",
            "OomScoreAdj": 0,
            "PidMode": "",
            "Privileged": false,
            "PublishAllPorts": false,
            "ReadonlyRootfs": true,
            "SecurityOpt": [
                "no-new-privileges:true"
            ],
            "UTSMode": "",
            "UsernsMode": "",
            "ShmSize": 67108864,
            "Runtime": "runc",
            "Isolation": "",
            "CpuShares": 0,
            "Memory": 268435456,
            "NanoCpus": 1500000000,
            "CgroupParent": "",
            "BlkioWeight": 0,
            "CpuPeriod": 0,
            "CpuQuota": 0,
            "CpusetCpus": "",
            "CpusetMems": "",
            "Devices": [],
            "MemoryReservation": 134217728,
            "MemorySwap": 536870912,
            "MemorySwappiness": null,
            "OomKillDisable": null,
            "PidsLimit": 200,
            "Ulimits": [],
            "MaskedPaths": [
                "/proc/asound",
                "/proc/acpi",
                "/proc/kcore",
                "/proc/keys",
                "/proc/timer_list",
                "/sys/firmware"
            ],
            "ReadonlyPaths": [
                "/proc/bus",
                "/proc/fs",
                "/proc/irq",
                "/proc/sys",
                "/proc/sysrq-trigger"
            ]
        },
        "GraphDriver": {
            "Data": {
                "LowerDir": "/var/lib/docker/overlay2/3c1f7e0b9a2d-init/diff:/var/lib/docker/overlay2/9b8a7c6d5e4f/diff",
                "MergedDir": "/var/lib/docker/overlay2/3c1f7e0b9a2d/merged",
                "UpperDir": "/var/lib/docker/overlay2/3c1f7e0b9a2d/diff",
                "WorkDir": "/var/lib/docker/overlay2/3c1f7e0b9a2d/work"
            },
            "Name": "overlay2"
        },
        "Mounts": [],
        "Config": {
            "Hostname": "7a8b9c0d1e2f",
            "Domainname": "",
            "User": "10001",
            "AttachStdin": false,
            "AttachStdout": false,
            "AttachStderr": false,
            "ExposedPorts": {
                "8080/tcp": {}
            },
            "Tty": false,
            "OpenStdin": false,
            "StdinOnce": false,
            "Env": [
                "APP_ENV=production",
                "PORT=8080",
                "CACHE_SIZE_MB=512",
                "DATABASE_URL=postgres://shop@shop-db:5432/shop",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
            ],
            "Cmd": [
                "--listen",
                ":8080"
            ],
            "Image": "registry.example.com/shop/api:2.3.1",
            "Volumes": null,
            "WorkingDir": "/app",
            "Entrypoint": [
                "/app/api"
            ],
            "OnBuild": null,
            "Labels": {
                "com.example.team": "checkout",
                "org.opencontainers.image.source": "https://git.example.com/shop/api",
                "org.opencontainers.image.version": "2.3.1"
            },
            "StopSignal": "SIGTERM"
        },
        "NetworkSettings": {
            "Bridge": "",
            "SandboxID": "",
            "SandboxKey": "",
            "Ports": {},
            "HairpinMode": false,
            "LinkLocalIPv6Address": "",
            "LinkLocalIPv6PrefixLen": 0,
            "SecondaryIPAddresses": null,
            "SecondaryIPv6Addresses": null,
            "EndpointID": "",
            "Gateway": "",
            "GlobalIPv6Address": "",
            "GlobalIPv6PrefixLen": 0,
            "IPAddress": "",
            "IPPrefixLen": 0,
            "IPv6Gateway": "",
            "MacAddress": "",
            "Networks": {
                "shop": {
                    "IPAMConfig": null,
                    "Links": null,
                    "Aliases": null,
                    "MacAddress": "",
                    "DriverOpts": null,
                    "NetworkID": "e4d1c2b3a4958677f8e9d0c1b2a3948576a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2",
                    "EndpointID": "",
                    "Gateway": "",
                    "IPAddress": "",
                    "IPPrefixLen": 0,
                    "IPv6Gateway": "",
                    "GlobalIPv6Address": "",
                    "GlobalIPv6PrefixLen": 0,
                    "DNSNames": null
                }
            }
        }
    }
]
JSON
