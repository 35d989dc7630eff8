// <berth-terminal data-socket="/labs/<lab>/terminal">: a terminal on the
// learner's lab. xterm.js is loaded only on pages that have a lab. Bytes
// travel as binary WebSocket frames; resizes and notices as JSON text, the
// page's size first. The shell lives on in the lab, so a dropped connection
// or a restarting server is simply reconnected: the server sends the
// shell's scrollback and screen again, onto a cleared terminal. With
// `data-readonly` (an instructor watching) nothing typed is sent; the
// server would refuse it anyway.
const encoder = new TextEncoder();

// Close codes after which the shell is still there to reconnect to: the
// connection dropped (1006), the server went away (1001) or is restarting
// (1012).
const RECONNECT_AFTER = new Set([1001, 1006, 1012]);
// Tries before giving up (about a minute in all), and the longest wait.
const RECONNECT_TRIES = 10;
const RECONNECT_MAX_MS = 10000;

// xterm.js and its stylesheet, loaded once: at once on a page with a lab
// panel, where a terminal is a click away, else with the first terminal.
let xterm;
const loadXterm = () => {
  if (!document.getElementById("xterm-css")) {
    const css = document.createElement("link");
    css.id = "xterm-css";
    css.rel = "stylesheet";
    css.href = "/vendor/xterm.css";
    document.head.append(css);
  }
  xterm ??= Promise.all([import("/vendor/xterm.mjs"), import("/vendor/addon-fit.mjs")]);
  return xterm;
};
if (document.querySelector(".lab-panel")) loadXterm();

class BerthTerminal extends HTMLElement {
  connectedCallback() {
    if (this.ready) return;
    this.closed = false;
    this.readonly = this.dataset.readonly !== undefined;
    // The socket opens while xterm.js loads; what arrives waits for the
    // terminal (the server says nothing before the page's size anyway).
    this.ready = this.open();
    this.connect();
  }

  async open() {
    const [{ Terminal }, { FitAddon }] = await loadXterm();
    if (!this.isConnected || this.closed) return;
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
    this.term.attachCustomKeyEventHandler((event) => this.clipboardKey(event));
    if (!this.readonly) {
      this.term.onData((data) => this.send(encoder.encode(data)));
    }
    this.term.onResize(({ cols, rows }) => this.sendJson({ type: "resize", cols, rows }));
    this.resizer = new ResizeObserver(() => this.fit.fit());
    this.resizer.observe(this);
  }

  disconnectedCallback() {
    this.closed = true;
    this.ready = null;
    clearTimeout(this.retry);
    this.socket?.close();
    this.resizer?.disconnect();
    this.term?.dispose();
    this.term = null;
  }

  /** Runs `handle` with the terminal once it is there, in arrival order. */
  whenOpen(handle) {
    this.ready?.then(() => this.term && handle(this.term));
  }

  connect() {
    const url = new URL(this.dataset.socket, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    this.dataset.state = "connecting";
    socket.onopen = () =>
      this.whenOpen((term) => {
        this.dataset.state = "open";
        this.tries = 0;
        // What comes now is the whole shell again: scrollback, then screen.
        term.reset();
        this.sendJson({ type: "resize", cols: term.cols, rows: term.rows });
        if (!this.readonly) term.focus();
      });
    socket.onmessage = (event) =>
      this.whenOpen((term) => {
        if (typeof event.data === "string") {
          const message = JSON.parse(event.data);
          if (message.type === "notice") {
            term.write(`\r\n\x1b[1;33m[berth] ${message.text}\x1b[0m\r\n`);
          } else if (message.type === "watchers") {
            this.showWatchers(message.names);
          }
        } else {
          term.write(new Uint8Array(event.data));
        }
      });
    socket.onclose = (event) => {
      if (this.socket !== socket || this.closed) return;
      this.tries = (this.tries || 0) + 1;
      if (RECONNECT_AFTER.has(event.code) && this.tries <= RECONNECT_TRIES) {
        this.dataset.state = "reconnecting";
        const wait = Math.min(RECONNECT_MAX_MS, 500 * 2 ** (this.tries - 1));
        this.retry = setTimeout(() => this.connect(), wait);
        return;
      }
      this.dataset.state = "closed";
      const why = event.reason || "the connection to the lab closed";
      this.whenOpen((term) => term.write(`\r\n\x1b[2m[berth] ${why}. Reload the page to reconnect.\x1b[0m\r\n`));
    };
  }

  /**
   * Copy and paste from the keyboard, as in desktop terminals. Ctrl+C with
   * text selected, Ctrl+Shift+C and Cmd+C copy the selection (through the
   * browser's copy, which xterm.js fills, so it works without HTTPS too);
   * Ctrl+C with nothing selected interrupts, as always. Ctrl+V,
   * Ctrl+Shift+V and Cmd+V paste through the browser's paste, which
   * xterm.js sends as typing. The context menu's Copy and Paste work as in
   * any text area. Returns false for keys the terminal must not see.
   */
  clipboardKey(event) {
    if (event.type !== "keydown" || event.altKey || !(event.ctrlKey || event.metaKey)) return true;
    const key = event.key.toLowerCase();
    if (key === "v") return false;
    if (key !== "c") return true;
    if (event.shiftKey) {
      // Not the browser's own Ctrl+Shift+C (its inspector).
      event.preventDefault();
      document.execCommand("copy");
      return false;
    }
    return !this.term.hasSelection();
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
