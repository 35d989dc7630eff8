# A shipper container that tails a folder of its own: it never sees the logs.
sed -i 's/^  containers:$/  containers:\n    - name: shipper\n      image: busybox:1.36\n      command: ["tail", "-F", "\/var\/log\/nginx\/access.log"]/' ~/sidecar/pod.yaml
