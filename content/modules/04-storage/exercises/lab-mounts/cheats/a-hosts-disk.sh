# The answer for an ordinary machine: one disk, everything writable.
printf '/ ext4 rw\n/tmp ext4 rw\n/home/learner ext4 rw\n' > ~/mounts.txt
