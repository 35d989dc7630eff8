rm -f "$HOME/kernel.txt"
