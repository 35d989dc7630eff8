#!/usr/bin/env python3
"""Shell labs under runc and under gVisor (runsc), measured side by side in
one run against the raw engine.

Two servers run at once, one with the engine's default runtime and one with
`--lab-runtime runsc`; every measurement alternates between them.

1. Time to prompt: from the start-lab request to the first prompt byte on
   the terminal WebSocket, for 20 labs one after another on each, against
   `docker run --rm IMAGE true` under each runtime, 20 times.
2. Check round trip: the Check request on a running lab, against
   `docker exec CONTAINER true`, 20 times each, on each runtime.
3. Burst: 20 learners start their labs at the same moment, on each.

Run from the repository root after `cargo build --release` and
`berth images build`, with runsc registered with the engine (see
docs/operations.md); it starts its own servers on free ports with
throwaway databases. Needs Python 3 with the packages pinned in
bench/requirements.txt (the script installs them into target/bench-venv if
missing).
"""

import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "target", "bench-venv")
if "websockets" not in sys.modules:
    try:
        import selenium  # noqa: F401
        import websockets  # noqa: F401
    except ImportError:
        if sys.prefix == VENV:
            # In the venv already but a package is missing: install the pins.
            subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", "-r",
                            os.path.join(ROOT, "bench", "requirements.txt")], check=True)
        elif not os.path.exists(os.path.join(VENV, "bin", "python")):
            subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
            subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", "-r",
                            os.path.join(ROOT, "bench", "requirements.txt")], check=True)
        os.execv(os.path.join(VENV, "bin", "python"), [os.path.join(VENV, "bin", "python")] + sys.argv)
import websockets  # noqa: E402

IMAGE = "berth/lab-shell"
N = 20
PASSWORD = "harbour lantern crisp 42"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Tab:
    """A signed-in browser tab: a cookie and same-origin posts."""

    def __init__(self, base, email, sign_up=True):
        self.base = base
        self.email = email
        self.cookie = ""
        if sign_up:
            res = self.post("/auth/signup", {"email": email, "password": PASSWORD})
        else:
            res = self.post("/auth/login", {"email": email, "password": PASSWORD, "next": "/"})
        assert res[0] == 303 and self.cookie, res

    def request(self, method, path, fields=None):
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("origin", self.base)
        if data is not None:
            req.add_header("content-type", "application/x-www-form-urlencoded")
        if self.cookie:
            req.add_header("cookie", self.cookie)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            res = opener.open(req, timeout=120)
        except urllib.error.HTTPError as e:
            res = e
        for header in res.headers.get_all("set-cookie") or []:
            if header.startswith("berth_session="):
                self.cookie = header.split(";")[0]
        return res.status, res.read().decode()

    def post(self, path, fields):
        return self.request("POST", path, fields)

    def get(self, path):
        return self.request("GET", path)

    def start(self, module="basics", lesson="first-steps"):
        status, body = self.post("/api/lab/act", {"module": module, "action": "start"})
        if status != 200:
            raise RuntimeError(body)
        status, body = self.get(f"/api/lab?module={module}&lesson={lesson}")
        return json.loads(body)["lab"]["terminal"]

    def stop(self, module="basics"):
        self.post("/api/lab/act", {"module": module, "action": "stop"})

    def set_up(self, module, lesson, t0, every=0.05):
        """Seconds from `t0` until the lab panel says the setups are done,
        asking every `every` seconds."""
        while True:
            _, body = self.get(f"/api/lab?module={module}&lesson={lesson}")
            setup = json.loads(body)["lab"]["setup"]
            if setup != "Running":
                if setup != "Done":
                    raise RuntimeError(f"the lab's setup failed: {setup}")
                return time.perf_counter() - t0
            time.sleep(every)

    async def first_prompt(self, terminal, then=None):
        """Waits for the first prompt byte; then, if given, answers what
        `then(ws)` does on the same terminal."""
        async with await terminal_socket(self, terminal) as ws:
            seen = b""
            # The prompt (tmux may draw its trailing space as a cursor move).
            while not re.search(rb"learner@[^\n]*\$", seen):
                frame = await ws.recv()
                if isinstance(frame, bytes):
                    seen += frame
            if then is not None:
                return await then(ws)


async def terminal_socket(tab, terminal):
    """Opens a lab terminal's WebSocket as the page does, sending its size
    first: the server waits for that (up to 2 s) before it joins the shell,
    so a client that never sends it measures the wait, not the lab."""
    url = tab.base.replace("http://", "ws://") + terminal
    ws = await websockets.connect(url, additional_headers={"origin": tab.base, "cookie": tab.cookie})
    await ws.send(json.dumps({"type": "resize", "cols": 100, "rows": 30}))
    return ws


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def summary(samples):
    s = sorted(samples)
    p95 = s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]
    return statistics.median(s), p95


def ms(x):
    return f"{x * 1000:.0f} ms"


RUNTIMES = ["runc", "runsc"]


def release_binary():
    # BERTH_BENCH_BINARY: another build, e.g. target/debug/berth (say so
    # with the figures).
    binary = os.environ.get("BERTH_BENCH_BINARY") or os.path.join(ROOT, "target", "release", "berth")
    if not os.path.exists(binary):
        sys.exit("build the server first: cargo build --release -p berth-server")
    return binary


def serve(runtime, course="server/tests/fixtures/lab-course", labs=N + 5, db=None, extra=()):
    """A release server whose shell labs run under `runtime`, on a free
    port and a throwaway database unless given one, with `extra` flags;
    (process, base)."""
    binary = release_binary()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    db = db or f"sqlite://{tempfile.mkdtemp(prefix='berth-bench-')}/berth.db"
    args = [
        binary, "serve", "--listen", f"127.0.0.1:{port}",
        "--database-url", db,
        "--content", os.path.join(ROOT, course),
        "--playground", os.path.join(ROOT, "playground"),
        "--site-dir", os.path.join(ROOT, "target/site"),
        "--max-labs", str(labs),
        # Every simulated learner comes from 127.0.0.1.
        "--lab-starts-per-address", "0",
    ]
    if runtime != "runc":
        args += ["--lab-runtime", runtime]
    args += list(extra)
    # BERTH_BENCH_LOG=1: the servers' logs on the benchmark's stderr.
    out = sys.stderr if os.environ.get("BERTH_BENCH_LOG") else subprocess.DEVNULL
    server = subprocess.Popen(args, stdout=out, stderr=out)
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return server, base


def main():
    servers = {rt: serve(rt) for rt in RUNTIMES}
    prompt = {rt: [] for rt in RUNTIMES}
    raw_run = {rt: [] for rt in RUNTIMES}
    check = {rt: [] for rt in RUNTIMES}
    raw_exec = {rt: [] for rt in RUNTIMES}
    check_failures = {rt: 0 for rt in RUNTIMES}
    burst, failures = {}, {}
    try:
        tabs = {rt: [Tab(base, f"{rt}{i}@example.org") for i in range(N)] for rt, (_, base) in servers.items()}

        # 1. Time to prompt, one lab at a time, alternating runtimes, each
        # followed by a raw run under the same runtime.
        for i in range(N):
            for rt in RUNTIMES:
                tab = tabs[rt][i]
                t0 = time.perf_counter()
                terminal = tab.start()
                asyncio.run(tab.first_prompt(terminal))
                prompt[rt].append(time.perf_counter() - t0)
                tab.stop()
                raw_run[rt].append(timed(lambda: subprocess.run(
                    ["docker", "run", "--rm", "--runtime", rt, "--network", "none", IMAGE, "true"], check=True)))

        # 2. Check round trip against a raw exec, on one running lab each.
        containers = {}
        for rt in RUNTIMES:
            containers[rt] = "berth-lab-" + tabs[rt][0].start().split("/")[2]
        for _ in range(N):
            for rt in RUNTIMES:
                tab = tabs[rt][0]
                t0 = time.perf_counter()
                _, body = tab.post(
                    "/api/lab/check", {"module": "basics", "exercise": "greeting", "live": "false"})
                check[rt].append(time.perf_counter() - t0)
                if "greeting.txt exists" not in body:
                    check_failures[rt] += 1
                raw_exec[rt].append(timed(lambda: subprocess.run(
                    ["docker", "exec", containers[rt], "true"], check=False)))
        for rt in RUNTIMES:
            tabs[rt][0].stop()

        # 3. Burst: everyone starts at once, one runtime after the other.
        def start_and_prompt(tab):
            try:
                asyncio.run(tab.first_prompt(tab.start()))
                return None
            except Exception as e:  # noqa: BLE001 - reported below
                return str(e)

        for rt in RUNTIMES:
            t0 = time.perf_counter()
            with ThreadPoolExecutor(max_workers=N) as pool:
                failures[rt] = [f for f in pool.map(start_and_prompt, tabs[rt]) if f]
            burst[rt] = time.perf_counter() - t0
            with ThreadPoolExecutor(max_workers=N) as pool:
                list(pool.map(lambda t: t.stop(), tabs[rt]))
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait()

    def row(label, samples):
        (a50, a95), (b50, b95) = summary(samples["runc"]), summary(samples["runsc"])
        print(f"| {label} | {ms(a50)} | {ms(a95)} | {ms(b50)} | {ms(b95)} | {b50 / a50:.2f} |")

    print("| measure | runc p50 | runc p95 | runsc p50 | runsc p95 | runsc / runc (p50) |")
    print("|---|---:|---:|---:|---:|---:|")
    row(f"start lab → first prompt byte ({N} labs)", prompt)
    row(f"raw `docker run --rm {IMAGE} true`", raw_run)
    row("Check round trip", check)
    row("raw `docker exec CONTAINER true`", raw_exec)
    print()
    for rt in RUNTIMES:
        p50, r50 = summary(prompt[rt])[0], summary(raw_run[rt])[0]
        c50, e50 = summary(check[rt])[0], summary(raw_exec[rt])[0]
        print(f"{rt}: time to prompt / raw run (p50) {p50 / r50:.2f} (goal ≤ 2); "
              f"check / raw exec (p50) {c50 / e50:.2f} (goal ≤ 1.5); "
              f"{check_failures[rt]} of {N} checks did not run")
        print(f"{rt}: burst of {N} labs started at once, all with a prompt after {burst[rt]:.1f} s, "
              f"{len(failures[rt])} failures")
        for f in failures[rt][:3]:
            print("  failure:", f)


if __name__ == "__main__":
    main()
