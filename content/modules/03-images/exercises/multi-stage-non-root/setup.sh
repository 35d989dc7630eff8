# A Go web service packaged in one fat, root-running stage.
set -e
d="$HOME/greeter"
rm -rf "$d"
mkdir -p "$d"
printf 'module example.com/greeter\n\ngo 1.24\n' > "$d/go.mod"
cat > "$d/main.go" <<'GO'
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	name := os.Getenv("GREETING_NAME")
	if name == "" {
		name = "world"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s (uid %d)\n", name, os.Getuid())
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
GO
cat > "$d/Dockerfile" <<'DOCKER'
FROM golang:1.24
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/greeter .
EXPOSE 8080
CMD ["greeter"]
DOCKER
