# The distribution's version taken for the kernel's, and the lab's start
# for the kernel's boot.
. /etc/os-release
printf 'kernel=%s\nbooted=%s\ndistribution=%s\n' "$VERSION_ID" "$(date +%s)" "$VERSION_CODENAME" > ~/kernel.txt
