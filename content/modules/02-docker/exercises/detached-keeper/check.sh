# Reads keeper's real state from the lab's engine.
require_container keeper "start it with docker run -d --name keeper ..."
expect_is "it was made from the image busybox:1.37" busybox:1.37 "$(inspect '{{.Config.Image}}' keeper)"
expect_is "its restart policy is unless-stopped" unless-stopped "$(inspect '{{.HostConfig.RestartPolicy.Name}}' keeper)" \
  "a restart policy is set with --restart when the container is created (or later with docker update --restart)"
expect_is "it has the label tier=practice" practice "$(inspect '{{index .Config.Labels "tier"}}' keeper)" \
  "labels are set at creation with --label key=value; they cannot be changed afterwards"
case "$(inspect '{{.State.StartedAt}}' keeper)" in
  0001-*|'') fail "it was started" "a container that ran" "it was created but never started" ;;
  *) pass "it was started" ;;
esac
state=$(inspect '{{.State.Status}}' keeper)
if [ "$state" = "exited" ]; then
  pass "it is stopped now (exited)"
  code=$(inspect '{{.State.ExitCode}}' keeper)
  case "$code" in
    137|143) pass "it was stopped by a signal (exit code $code), not by finishing on its own" ;;
    *)
      fail "it was stopped by docker stop" "exit code 143 (SIGTERM) or 137 (SIGKILL)" "exit code $code"
      hint "the main process should keep running (sleep 3600) until you stop it" ;;
  esac
else
  fail "it is stopped now" "exited" "$state"
  [ "$state" = "running" ] && hint "docker stop keeper; with unless-stopped, a container you stop by hand stays stopped"
fi
verdict
