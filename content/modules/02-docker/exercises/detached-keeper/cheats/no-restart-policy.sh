# Right name, label and state, but created without a restart policy.
docker run -d --name keeper --label tier=practice busybox:1.37 sleep 3600
docker stop -t 2 keeper
