#!/usr/bin/env python3
"""Labs, measured side by side in one run against the raw engine.

1. Time to prompt: from the start-lab request to the first prompt byte on
   the terminal WebSocket, for 20 labs one after another, against
   `docker run --rm IMAGE true` run 20 times.
2. Check round trip: the Check request on a running lab, against
   `docker exec CONTAINER true`, 20 times each.
3. Burst: 20 learners start their labs at the same moment.

Run from the repository root after `cargo build --release` and
`berth images build`; it starts its own server on a free port with a
throwaway database. Needs Python 3 with the `websockets` package (the
script installs it into target/bench-venv if missing).
"""

import asyncio
import json
import os
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
        import websockets  # noqa: F401
    except ImportError:
        if not os.path.exists(os.path.join(VENV, "bin", "python")):
            subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
            subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", "websockets==15.0.1"], check=True)
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
        status, body = self.post("/api/lab/act", {"module": module, "action": "Start"})
        if status != 200:
            raise RuntimeError(body)
        status, body = self.get(f"/api/lab?module={module}&lesson={lesson}")
        return json.loads(body)["lab"]["terminal"]

    def stop(self, module="basics"):
        self.post("/api/lab/act", {"module": module, "action": "Stop"})

    async def first_prompt(self, terminal):
        url = self.base.replace("http://", "ws://") + terminal
        headers = {"origin": self.base, "cookie": self.cookie}
        async with websockets.connect(url, additional_headers=headers) as ws:
            seen = b""
            while b"$ " not in seen:
                frame = await ws.recv()
                if isinstance(frame, bytes):
                    seen += frame


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


def main():
    binary = os.path.join(ROOT, "target", "release", "berth")
    if not os.path.exists(binary):
        sys.exit("build the server first: cargo build --release -p berth-server")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data = tempfile.mkdtemp(prefix="berth-bench-")
    server = subprocess.Popen(
        [
            binary, "serve", "--listen", f"127.0.0.1:{port}",
            "--database-url", f"sqlite://{data}/berth.db",
            "--content", os.path.join(ROOT, "server/tests/fixtures/lab-course"),
            "--playground", os.path.join(ROOT, "playground"),
            "--site-dir", os.path.join(ROOT, "target/site"),
            "--max-labs", str(N + 5),
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        tabs = [Tab(base, f"bench{i}@example.org") for i in range(N)]

        # 1. Time to prompt, one lab at a time, interleaved with raw runs.
        prompt, raw_run = [], []
        for tab in tabs:
            t0 = time.perf_counter()
            terminal = tab.start()
            asyncio.run(tab.first_prompt(terminal))
            prompt.append(time.perf_counter() - t0)
            tab.stop()
            raw_run.append(timed(lambda: subprocess.run(
                ["docker", "run", "--rm", "--network", "none", IMAGE, "true"], check=True)))

        # 2. Check round trip against a raw exec, on one running lab.
        tab = tabs[0]
        terminal = tab.start()
        container = "berth-lab-" + terminal.split("/")[2]
        check, raw_exec = [], []
        for _ in range(N):
            check.append(timed(lambda: tab.post(
                "/api/lab/check", {"module": "basics", "exercise": "greeting", "live": "false"})))
            raw_exec.append(timed(lambda: subprocess.run(
                ["docker", "exec", container, "true"], check=True)))
        tab.stop()

        # 3. Burst: everyone starts at once.
        def start_and_prompt(tab):
            try:
                asyncio.run(tab.first_prompt(tab.start()))
                return None
            except Exception as e:  # noqa: BLE001 - reported below
                return str(e)

        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=N) as pool:
            failures = [f for f in pool.map(start_and_prompt, tabs) if f]
        burst = time.perf_counter() - t0
        with ThreadPoolExecutor(max_workers=N) as pool:
            list(pool.map(lambda t: t.stop(), tabs))
    finally:
        server.terminate()
        server.wait()

    p50, p95 = summary(prompt)
    r50, r95 = summary(raw_run)
    c50, c95 = summary(check)
    e50, e95 = summary(raw_exec)
    print(f"| measure | p50 | p95 |")
    print(f"|---|---:|---:|")
    print(f"| start lab → first prompt byte ({N} labs) | {ms(p50)} | {ms(p95)} |")
    print(f"| raw `docker run --rm {IMAGE} true` | {ms(r50)} | {ms(r95)} |")
    print(f"| Check round trip | {ms(c50)} | {ms(c95)} |")
    print(f"| raw `docker exec CONTAINER true` | {ms(e50)} | {ms(e95)} |")
    print()
    print(f"time to prompt / raw run (p50): {p50 / r50:.2f} (goal ≤ 2)")
    print(f"check / raw exec (p50): {c50 / e50:.2f} (goal ≤ 1.5)")
    print(f"burst: {N} labs started at once, all with a prompt after {burst:.1f} s, {len(failures)} failures")
    for f in failures[:5]:
        print("  failure:", f)


if __name__ == "__main__":
    main()
