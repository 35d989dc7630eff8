# The first process of a whole machine, not of this container.
echo systemd > ~/pid1.txt
