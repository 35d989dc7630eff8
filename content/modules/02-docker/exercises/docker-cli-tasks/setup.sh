cat > "$HOME/tasks.txt" <<'TXT'
run:
shell:
logs:
all:
TXT
