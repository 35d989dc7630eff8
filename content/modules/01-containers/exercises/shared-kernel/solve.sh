printf 'kernel=%s\nbooted=%s\ndistribution=%s\n' "$(uname -r)" "$(awk '/^btime/ {print $2}' /proc/stat)" \
  "$(. /etc/os-release; echo "$VERSION_CODENAME")" > ~/kernel.txt
