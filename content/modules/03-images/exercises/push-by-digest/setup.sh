# A tiny image to publish.
set -e
d="$HOME/motd"
rm -rf "$d"
mkdir -p "$d"
printf 'Deploys freeze at 16:00 on Fridays.\n' > "$d/motd.txt"
printf 'FROM busybox:1.37\nCOPY motd.txt /etc/motd\nCMD ["cat", "/etc/motd"]\n' > "$d/Dockerfile"
