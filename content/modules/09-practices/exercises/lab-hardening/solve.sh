{
  echo "uid=$(id -u)"
  awk '$1 == "CapEff:" { print "cap_eff=" $2 } $1 == "CapBnd:" { print "cap_bnd=" $2 } $1 == "NoNewPrivs:" { print "no_new_privs=" $2 } $1 == "Seccomp:" { print "seccomp=" $2 }' /proc/self/status
  awk '$2 == "/" { split($4, o, ","); r = o[1] } END { print "root=" r }' /proc/mounts
} > "$HOME/lab-hardening.txt"
