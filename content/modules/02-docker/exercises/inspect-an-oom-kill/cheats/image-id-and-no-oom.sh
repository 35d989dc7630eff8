# The top-level image id instead of its name, and the usual guess that an
# exit code means a crash, not the out-of-memory killer.
f=~/inspect.json
{
  echo "status=$(jq -r '.[0].State.Status' "$f")"
  echo "exit_code=$(jq -r '.[0].State.ExitCode' "$f")"
  echo "oom_killed=false"
  echo "restarts=$(jq -r '.[0].RestartCount' "$f")"
  echo "image=$(jq -r '.[0].Image' "$f")"
  echo "memory_mib=$(jq -r '.[0].HostConfig.Memory / 1048576' "$f")"
  echo "cache_mb=$(jq -r '.[0].Config.Env[] | select(startswith("CACHE_SIZE_MB=")) | ltrimstr("CACHE_SIZE_MB=")' "$f")"
  echo "host_port=$(jq -r '.[0].HostConfig.PortBindings["8080/tcp"][0].HostPort' "$f")"
} > ~/facts.txt
