printf '%s\n' '.git' '**/node_modules' '.env' '*.log' > "$HOME/webshop/.dockerignore"
