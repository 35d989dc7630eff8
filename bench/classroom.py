#!/usr/bin/env python3
"""A class of 30 learners and an instructor watching the live grid.

Every learner has a running lab with its terminal open over a WebSocket,
and submits checks and quiz attempts over HTTP, each after waiting a
moment; the instructor's browser is stood in for by one server-sent event
stream on the classroom's grid. Measured in one run:

- the delay from a submission being sent to the grid event for that
  learner arriving at the instructor (p50, p95, max), for checks and quizzes
  (a check's includes running it in the lab), and the part of it after the
  learner's own answer came back;
- the server's CPU time and memory (resident set, peak) over the run.

Run from the repository root after `cargo build --release -p berth-server`
and `berth images build`; it starts its own server on a free port with a
throwaway database. Needs Python 3 with `websockets` (installed into
target/bench-venv if missing, as bench/labs.py does).
"""

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labs import PASSWORD, Tab, release_binary, serve, summary, terminal_socket  # noqa: E402  (re-execs into the venv if needed)

LEARNERS = 30
CHECKS = 5  # per learner; the third one passes
QUIZZES = 2  # per learner
INSTRUCTOR = "teacher@example.org"


def ms(x):
    return f"{x * 1000:.0f} ms"


class Grid:
    """The instructor's live grid: when each learner's row last arrived."""

    def __init__(self, base, cookie, classroom):
        req = urllib.request.Request(f"{base}/classrooms/{classroom}/events")
        req.add_header("cookie", cookie)
        self.stream = urllib.request.urlopen(req, timeout=300)
        self.seen = {}  # email -> list of arrival times
        self.cond = threading.Condition()
        self.ready = threading.Event()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        event = ""
        for raw in self.stream:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "ready":
                self.ready.set()
            elif line.startswith("data: ") and event == "learner":
                email = json.loads(line[6:])["email"]
                with self.cond:
                    self.seen.setdefault(email, []).append(time.perf_counter())
                    self.cond.notify_all()

    def wait_after(self, email, t0, timeout=30):
        """The arrival time of the first row for `email` after `t0`."""
        deadline = time.perf_counter() + timeout
        with self.cond:
            while True:
                later = [t for t in self.seen.get(email, []) if t >= t0]
                if later:
                    return later[0]
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError(f"no grid event for {email}")
                self.cond.wait(left)


class Terminals:
    """Every learner's terminal WebSocket, open for the whole run."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.sockets = {}

    def open(self, tab, terminal):
        async def connect():
            ws = await terminal_socket(tab, terminal)
            self.sockets[tab] = ws

            async def drain():
                async for _ in ws:
                    pass

            self.loop.create_task(drain())

        asyncio.run_coroutine_threadsafe(connect(), self.loop).result(60)

    def type(self, tab, text):
        asyncio.run_coroutine_threadsafe(self.sockets[tab].send(text.encode()), self.loop).result(10)


def main():
    binary = release_binary()
    data = tempfile.mkdtemp(prefix="berth-bench-")
    db = f"sqlite://{data}/berth.db"
    subprocess.run(
        [binary, "user", "add", INSTRUCTOR, "--role", "instructor", "--password-stdin", "--database-url", db],
        input=PASSWORD.encode(), check=True, stdout=subprocess.DEVNULL,
    )
    server, base = serve("runc", labs=LEARNERS + 5, db=db)
    tabs = []
    try:
        teacher = Tab(base, INSTRUCTOR, sign_up=False)
        teacher.post("/classrooms", {"name": "Benchmark class", "join_limit": str(LEARNERS)})
        classroom = json.loads(teacher.get("/api/classrooms")[1])[0]["id"]
        code = json.loads(teacher.get(f"/api/classroom?id={classroom}")[1])["join_code"]

        with ThreadPoolExecutor(max_workers=8) as pool:
            tabs = list(pool.map(lambda i: Tab(base, f"learner{i:02}@example.org"), range(LEARNERS)))
        for tab in tabs:
            tab.post(f"/join/{code}", {})
        terminals = Terminals()
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=LEARNERS) as pool:
            list(pool.map(lambda tab: terminals.open(tab, tab.start()), tabs))
        labs_ready = time.perf_counter() - t0

        grid = Grid(base, teacher.cookie, classroom)
        assert grid.ready.wait(10), "the grid stream opens"
        pid = server.pid
        cpu0 = cpu_seconds(pid)
        peak = [rss_kib(pid)]
        sampling = threading.Event()

        def sample():
            while not sampling.is_set():
                peak.append(rss_kib(pid))
                time.sleep(0.2)

        threading.Thread(target=sample, daemon=True).start()
        delays = {"check": [], "quiz": []}
        after_ack = []
        lock = threading.Lock()

        def learner(tab):
            email = tab.email
            rng = random.Random(email)
            quiz = tab.get("/modules/basics/quiz")[1]
            home = choice_key(quiz, "In the home folder")
            steps = ["check"] * CHECKS + ["quiz"] * QUIZZES
            rng.shuffle(steps)
            checks = 0
            for step in steps:
                time.sleep(rng.uniform(0.2, 1.5))  # reading, typing
                if step == "check":
                    checks += 1
                    if checks == 3:
                        terminals.type(tab, "echo hello > ~/greeting.txt\r")
                        time.sleep(0.3)
                    sent = time.perf_counter()
                    tab.post("/api/lab/check", {"module": "basics", "exercise": "greeting", "live": "false"})
                else:
                    sent = time.perf_counter()
                    tab.post("/modules/basics/quiz", {"q.home": home, "q.word": rng.choice(["hello", "bye"])})
                acked = time.perf_counter()
                arrived = grid.wait_after(email, sent)
                with lock:
                    delays[step].append(arrived - sent)
                    after_ack.append(max(0.0, arrived - acked))

        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=LEARNERS) as pool:
            list(pool.map(learner, tabs))
        run = time.perf_counter() - t0
        sampling.set()
        cpu = cpu_seconds(pid) - cpu0
        hwm = vm_hwm_kib(pid)
        final_rss = rss_kib(pid)
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda t: t.stop(), tabs))
    finally:
        server.terminate()
        server.wait()

    every = delays["check"] + delays["quiz"]
    print(f"{LEARNERS} learners, {len(every)} submissions in {run:.1f} s; "
          f"all {LEARNERS} labs running with terminals open ({labs_ready:.1f} s to start)")
    print()
    print("| submission → instructor's grid event | count | p50 | p95 | max |")
    print("|---|---:|---:|---:|---:|")
    for name, samples in [("check", delays["check"]), ("quiz", delays["quiz"]), ("all", every)]:
        p50, p95 = summary(samples)
        print(f"| {name} | {len(samples)} | {ms(p50)} | {ms(p95)} | {ms(max(samples))} |")
    p50, p95 = summary(after_ack)
    print(f"| of which after the submission was answered | {len(after_ack)} | {ms(p50)} | {ms(p95)} "
          f"| {ms(max(after_ack))} |")
    print()
    print(f"server CPU: {cpu:.1f} s over {run:.1f} s ({100 * cpu / run:.0f}% of one core)")
    print(f"server memory: {max(peak) / 1024:.0f} MiB peak resident (VmHWM {hwm / 1024:.0f} MiB), "
          f"{final_rss / 1024:.0f} MiB at the end")
    p95 = summary(every)[1]
    print(f"goal: p95 under 1 s: {'met' if p95 < 1 else 'NOT met'} ({ms(p95)})")


def choice_key(page, text):
    at = page.index(f"<span>{text}</span>")
    before = page[:at]
    start = before.rindex('value="') + 7
    return before[start:before.index('"', start)]


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_kib(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def rss_kib(pid):
    return status_kib(pid, "VmRSS")


def vm_hwm_kib(pid):
    return status_kib(pid, "VmHWM")


if __name__ == "__main__":
    main()
