# Two outputs a colleague sent from their laptop.
cat > "$HOME/docker-version.txt" <<'TXT'
$ docker version
Client: Docker Engine - Community
 Version:           28.0.1
 API version:       1.47 (downgraded from 1.48)
 Go version:        go1.23.6
 Git commit:        068a01e
 Built:             Wed Feb 26 10:41:12 2025
 OS/Arch:           linux/amd64
 Context:           build-server

Server: Docker Engine - Community
 Engine:
  Version:          27.5.1
  API version:      1.47 (minimum version 1.24)
  Go version:       go1.22.11
  Git commit:       4c9b3b0
  Built:            Wed Jan 22 13:41:48 2025
  OS/Arch:          linux/amd64
  Experimental:     false
 containerd:
  Version:          1.7.25
  GitCommit:        bcc810d6b9066471b0b6fa75f557a15a1cbf31bb
 runc:
  Version:          1.2.4
  GitCommit:        v1.2.4-0-g6c52b3f
 docker-init:
  Version:          0.19.0
  GitCommit:        de40ad0
TXT
cat > "$HOME/docker-context.txt" <<'TXT'
$ docker context ls
NAME             DESCRIPTION                               DOCKER ENDPOINT                      ERROR
build-server *   CI build machine                          ssh://deploy@build-01.example.net
default          Current DOCKER_HOST based configuration   unix:///var/run/docker.sock
TXT
