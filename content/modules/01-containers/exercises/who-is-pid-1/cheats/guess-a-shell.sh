# The usual guess for "the first process": a shell.
echo bash > ~/pid1.txt
