// <berth-terminal data-socket="/labs/<lab>/terminal">: a terminal on the
// learner's lab. xterm.js is loaded only when one is on the page. Bytes
// travel as binary WebSocket frames; resizes and notices as JSON text.
// With `data-readonly` (an instructor watching) nothing typed is sent; the
// server would refuse it anyway.
const encoder = new TextEncoder();

class BerthTerminal extends HTMLElement {
  async connectedCallback() {
    if (this.term) return;
    const [{ Terminal }, { FitAddon }] = await Promise.all([
      import("/vendor/xterm.mjs"),
      import("/vendor/addon-fit.mjs"),
    ]);
    if (!this.isConnected || this.term) return;
    if (!document.getElementById("xterm-css")) {
      const css = document.createElement("link");
      css.id = "xterm-css";
      css.rel = "stylesheet";
      css.href = "/vendor/xterm.css";
      document.head.append(css);
    }
    this.readonly = this.dataset.readonly !== undefined;
    this.term = new Terminal({
      cursorBlink: !this.readonly,
      disableStdin: this.readonly,
      fontFamily: getComputedStyle(document.documentElement).getPropertyValue("--font-code") || "monospace",
      fontSize: 14,
      scrollback: 5000,
    });
    this.fit = new FitAddon();
    this.term.loadAddon(this.fit);
    const screen = document.createElement("div");
    screen.className = "terminal-screen";
    this.append(screen);
    this.term.open(screen);
    this.fit.fit();
    if (!this.readonly) {
      this.term.onData((data) => this.send(encoder.encode(data)));
      this.term.onResize(({ cols, rows }) => this.sendJson({ type: "resize", cols, rows }));
    }
    this.resizer = new ResizeObserver(() => this.fit.fit());
    this.resizer.observe(this);
    this.connect();
  }

  disconnectedCallback() {
    this.closed = true;
    this.socket?.close();
    this.resizer?.disconnect();
    this.term?.dispose();
    this.term = null;
  }

  connect() {
    const url = new URL(this.dataset.socket, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    this.dataset.state = "connecting";
    socket.onopen = () => {
      this.dataset.state = "open";
      if (this.readonly) return;
      this.sendJson({ type: "resize", cols: this.term.cols, rows: this.term.rows });
      this.term.focus();
    };
    socket.onmessage = (event) => {
      if (typeof event.data === "string") {
        const message = JSON.parse(event.data);
        if (message.type === "notice") {
          this.term.write(`\r\n\x1b[1;33m[berth] ${message.text}\x1b[0m\r\n`);
        } else if (message.type === "watchers") {
          this.showWatchers(message.names);
        }
      } else {
        this.term.write(new Uint8Array(event.data));
      }
    };
    socket.onclose = (event) => {
      this.dataset.state = "closed";
      if (this.closed) return;
      const why = event.reason || "the connection to the lab closed";
      this.term.write(`\r\n\x1b[2m[berth] ${why}. Reload the page to reconnect.\x1b[0m\r\n`);
    };
  }

  /** Tells the learner who is watching their terminal, if anyone. */
  showWatchers(names) {
    let banner = this.querySelector(".watching");
    if (!names.length) {
      banner?.remove();
      return;
    }
    if (!banner) {
      banner = document.createElement("p");
      banner.className = "watching";
      banner.setAttribute("role", "status");
      this.prepend(banner);
    }
    const who = [...new Set(names)].join(", ");
    banner.textContent = `${who} ${names.length > 1 ? "are" : "is"} watching your terminal (they can see it, not type in it).`;
  }

  send(bytes) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(bytes);
  }

  sendJson(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Types a command into the shell, as if the learner had. */
  run(command) {
    this.send(encoder.encode(command.replace(/\n+$/, "") + "\r"));
    this.term?.focus();
  }
}

customElements.define("berth-terminal", BerthTerminal);
