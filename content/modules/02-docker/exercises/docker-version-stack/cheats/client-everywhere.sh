# The client's version copied into every line: client and engine differ.
v=$(sed -n 's/^ *Version: *//p' ~/docker-version.txt | head -n 1)
printf 'client=%s\nengine=%s\napi=1.47\ncontainerd=%s\nrunc=%s\nendpoint=unix:///var/run/docker.sock\n' "$v" "$v" "$v" "$v" > ~/stack.txt
