# The note written by the main command, not by hand into a running one.
docker run --name scratchpad busybox:1.37 sh -c 'echo draft 1 > /notes.txt'
