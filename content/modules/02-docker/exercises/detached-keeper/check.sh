# Reads keeper's real state from the lab's engine.
info=$(docker inspect --format '{{.Config.Image}}|{{.HostConfig.RestartPolicy.Name}}|{{index .Config.Labels "tier"}}|{{.State.Status}}|{{.State.ExitCode}}|{{.State.StartedAt}}' keeper 2>/dev/null | head -c 1024)
if [ -z "$info" ]; then
  echo "FAIL: a container named keeper exists | expected: a container | actual: none (docker ps -a shows no keeper)"
  echo "HINT: start it with docker run -d --name keeper ..."
  exit 1
fi
echo "PASS: a container named keeper exists"
IFS='|' read -r image policy tier state code started <<EOT
$info
EOT
status=0
if [ "$image" = "busybox:1.37" ]; then
  echo "PASS: it was made from the image busybox:1.37"
else
  echo "FAIL: it was made from the image busybox:1.37 | expected: busybox:1.37 | actual: $image"
  status=1
fi
if [ "$policy" = "unless-stopped" ]; then
  echo "PASS: its restart policy is unless-stopped"
else
  echo "FAIL: its restart policy is unless-stopped | expected: unless-stopped | actual: ${policy:-no}"
  echo "HINT: a restart policy is set with --restart when the container is created (or later with docker update --restart)"
  status=1
fi
if [ "$tier" = "practice" ]; then
  echo "PASS: it has the label tier=practice"
else
  echo "FAIL: it has the label tier=practice | expected: tier=practice | actual: ${tier:-no tier label}"
  echo "HINT: labels are set at creation with --label key=value; they cannot be changed afterwards"
  status=1
fi
case "$started" in
  0001-*|'')
    echo "FAIL: it was started | expected: a container that ran | actual: it was created but never started"
    status=1 ;;
  *) echo "PASS: it was started" ;;
esac
if [ "$state" = "exited" ]; then
  echo "PASS: it is stopped now (exited)"
else
  echo "FAIL: it is stopped now | expected: exited | actual: $state"
  [ "$state" = "running" ] && echo "HINT: docker stop keeper; with unless-stopped, a container you stop by hand stays stopped"
  status=1
fi
if [ "$state" = "exited" ]; then
  case "$code" in
    137|143) echo "PASS: it was stopped by a signal (exit code $code), not by finishing on its own" ;;
    *)
      echo "FAIL: it was stopped by docker stop | expected: exit code 143 (SIGTERM) or 137 (SIGKILL) | actual: exit code $code"
      echo "HINT: the main process should keep running (sleep 3600) until you stop it"
      status=1 ;;
  esac
fi
exit "$status"
