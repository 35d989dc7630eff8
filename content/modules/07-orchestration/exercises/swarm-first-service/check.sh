# Reads the lab engine's real state: the swarm, the service web and its tasks.
expect_is "the lab's engine is in swarm mode" active "$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" \
  "docker swarm init --advertise-addr eth0" || exit 1
require_service web
expect_is "web asks for 3 replicas" 3 "$(service_field web replicas)"
expect_busybox web
args=$(service_field web command)
case " $args " in
  " httpd"*" -f "*) pass "web runs httpd in the foreground ($(clean "$args"))" ;;
  *) fail "web runs httpd in the foreground" "httpd -f -p 80 -h /" "${args:-no command}"
     hint "without -f, httpd goes to the background, the task's main process exits and Swarm keeps restarting it" ;;
esac
# Tasks take a moment to start: look again for up to about 5 seconds.
retry 5 tasks_running web 3
expect_is "3 tasks of web are running" 3 "$(running_tasks web)" \
  "docker service ps web --no-trunc shows why a task is not running"
verdict
