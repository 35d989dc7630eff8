# The usual assumption: everything is an ordinary writable disk.
printf '/ overlay rw\n/tmp tmpfs rw\n/home/learner tmpfs rw\n' > ~/mounts.txt
