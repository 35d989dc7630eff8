# The output of docker ps -a on a busy test server.
cat > "$HOME/ps-a.txt" <<'TXT'
CONTAINER ID   IMAGE                    COMMAND                  CREATED          STATUS                         PORTS                                     NAMES
3f6e1d2c9b8a   busybox:1.37             "sleep 3600"             12 minutes ago   Up 12 minutes (Paused)                                                   debug-box
8c4b7a9e2f10   shop/web:2.3.1           "/docker-entrypoint.…"   2 hours ago      Up 2 hours                     0.0.0.0:8080->80/tcp, [::]:8080->80/tcp   shop-web
a91d0e7c5b24   postgres:16.6            "docker-entrypoint.s…"   2 hours ago      Up 2 hours (healthy)           5432/tcp                                  shop-db
5e2f8b1a7c39   shop/worker:2.3.1        "python -m worker"       2 hours ago      Exited (1) 2 hours ago                                                   shop-worker
0b7c3d9e1f42   grafana/grafana:11.4.0   "/run.sh"                3 hours ago      Restarting (1) 8 seconds ago                                             dashboards
6d1e5c2b8a47   shop/exit-monitor:1.0    "/usr/bin/watch-exits"   4 hours ago      Up 4 hours                                                               exit-monitor
d2e4f6a8b0c1   shop/report:2.3.1        "/app/report --on-ex…"   5 hours ago      Exited (0) 4 hours ago                                                   nightly-report
7a8b9c0d1e2f   shop/api:2.3.1           "/app/api --listen :…"   5 hours ago      Exited (137) 3 hours ago                                                 shop-api-old
c9d8e7f6a5b4   shop/migrate:2.3.1       "/app/migrate up"        5 hours ago      Created                                                                  shop-migrate
f0e1d2c3b4a5   redis:7.4                "docker-entrypoint.s…"   26 hours ago     Exited (143) 22 hours ago                                                cache-old
9e8d7c6b5a43   alpine:3.21              "sh -c 'tail -F /var…"   2 days ago       Up 2 days                                                                sidecar-tail
TXT
