# A file that parses because the broken service is gone.
cat > ~/guestbook/compose.yaml <<'YAML'
services:
  web:
    build: .
    ports:
      - "8080:5000"
YAML
