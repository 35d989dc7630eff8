grep 'Exited (' "$HOME/ps-a.txt" | awk '{print $NF}' > "$HOME/exited.txt"
grep 'Exited (' "$HOME/ps-a.txt" | grep -v 'Exited (0)' | awk '{print $NF}' > "$HOME/nonzero.txt"
