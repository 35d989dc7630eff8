#!/usr/bin/env python3
"""The warm pool against cold starts, on the bundled course, side by side
in one run.

Two release servers run at once on the bundled course: one makes every lab
when a learner asks (`--warm 0`, the default), the other keeps one lab of
each measured module waiting (`--warm containers=1,docker=1`). Rounds
alternate between them, and in each round, for module 1 (`containers`, a
shell lab) and module 2's `run-and-exec` lesson (`docker`, a lab with its
own Docker engine):

1. start to first prompt byte: a learner's start-lab request until the
   first prompt byte arrives on the terminal WebSocket;
2. in the docker lab, `docker pull nginx:1.26` typed into that terminal,
   until the engine's answer: whether the image was already present
   ("Image is up to date") and how long the answer took.

Before each warm start the script waits until the pool has refilled (read
from the server's own SQLite database), so every warm start is a claim;
a start that found the pool empty would be reported as a miss.

Run from the repository root after `cargo build --release -p berth-server`
and `berth images build`. Needs Python 3 with `websockets` (installed into
target/bench-venv if missing, as bench/labs.py does).
"""

import asyncio
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labs import Tab, ms, serve, summary, websockets  # noqa: E402

ROUNDS = int(os.environ.get("BERTH_BENCH_ROUNDS", "10"))
MODULES = [("containers", "a-process-with-walls"), ("docker", "run-and-exec")]
MODES = ["cold", "warm"]
PULL = "nginx:1.26"


def waiting_labs(db, module):
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id FROM labs WHERE status = 'pooled' AND module = ?", (module,))
        return {row[0] for row in rows}


def wait_for_pool(db, module, timeout=300):
    """The module's waiting labs, once there is one."""
    t0 = time.perf_counter()
    while not (ids := waiting_labs(db, module)):
        if time.perf_counter() - t0 > timeout:
            raise RuntimeError(f"the pool never refilled for {module}")
        time.sleep(0.2)
    return ids


def remove_labs(db):
    """Removes what a stopped server left: its waiting labs stay in the
    engine (a restarted server would take them back)."""
    with sqlite3.connect(db) as conn:
        (instance,) = conn.execute("SELECT value FROM instance WHERE key = 'instance_id'").fetchone()
    label = f"label=org.berth.instance={instance}"
    for kind in ("container", "network"):
        ids = subprocess.run(["docker", kind, "ls", "-q", "--filter", label] + (["-a"] if kind == "container" else []),
                             capture_output=True, text=True, check=True).stdout.split()
        if ids:
            remove = ["rm", "-f"] if kind == "container" else ["rm"]
            subprocess.run(["docker", kind] + remove + ids, capture_output=True, check=False)


async def pull(ws):
    """Types `docker pull` into the terminal: seconds until the engine
    answers, and whether the image was already present."""
    t0 = time.perf_counter()
    await ws.send(f"docker pull {PULL}\n".encode())
    seen = b""
    while b"Status: " not in seen or not seen.rstrip().endswith(b"$"):
        frame = await ws.recv()
        if isinstance(frame, bytes):
            seen += frame
    return time.perf_counter() - t0, b"Image is up to date" in seen


async def prompt_then(ws, t0):
    """Seconds from `t0` to the prompt, then the pull's figures."""
    prompt_at = time.perf_counter() - t0
    took, was_present = await pull(ws)
    return prompt_at, took, was_present


def main():
    dbs = {m: os.path.join(tempfile.mkdtemp(prefix="berth-bench-"), "berth.db") for m in MODES}
    flags = {"cold": [], "warm": ["--warm", ",".join(f"{m}=1" for m, _ in MODULES)]}
    servers = {m: serve("runc", course="content", labs=10, db=f"sqlite://{dbs[m]}", extra=flags[m]) for m in MODES}
    start = {(m, mod): [] for m in MODES for mod, _ in MODULES}
    pulls = {m: [] for m in MODES}
    present = {m: 0 for m in MODES}
    misses = 0
    try:
        for i in range(ROUNDS):
            for module, lesson in MODULES:
                for mode in MODES:
                    _, base = servers[mode]
                    tab = Tab(base, f"{mode}-{module}-{i}@example.org")
                    waiting = wait_for_pool(dbs[mode], module) if mode == "warm" else set()
                    t0 = time.perf_counter()
                    terminal = tab.start(module, lesson)
                    # The terminal's path is /labs/ID/terminal.
                    if mode == "warm" and terminal.split("/")[2] not in waiting:
                        misses += 1
                    pulled = asyncio.run(tab.first_prompt(
                        terminal, then=(lambda ws: prompt_then(ws, t0)) if module == "docker" else None))
                    if pulled is None:
                        start[(mode, module)].append(time.perf_counter() - t0)
                    else:
                        prompt_at, took, was_present = pulled
                        start[(mode, module)].append(prompt_at)
                        pulls[mode].append(took)
                        present[mode] += int(was_present)
                    tab.stop(module)
            print(f"round {i + 1}/{ROUNDS} done", file=sys.stderr)
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait()
        for db in dbs.values():
            remove_labs(db)

    print("| measure | cold p50 | cold p95 | warm p50 | warm p95 | warm / cold (p50) |")
    print("|---|---:|---:|---:|---:|---:|")
    for module, lesson in MODULES:
        (c50, c95), (w50, w95) = summary(start[("cold", module)]), summary(start[("warm", module)])
        print(f"| start → first prompt byte, `{module}` (`{lesson}`), {ROUNDS} labs | "
              f"{ms(c50)} | {ms(c95)} | {ms(w50)} | {ms(w95)} | {w50 / c50:.2f} |")
    (c50, c95), (w50, w95) = summary(pulls["cold"]), summary(pulls["warm"])
    print(f"| `docker pull {PULL}` in the new lab | {ms(c50)} | {ms(c95)} | {ms(w50)} | {ms(w95)} | "
          f"{w50 / c50:.2f} |")
    print()
    for mode in MODES:
        print(f"{mode}: {PULL} already present in {present[mode]} of {ROUNDS} docker labs")
    print(f"warm starts that claimed a waiting lab: {ROUNDS * len(MODULES) - misses} of {ROUNDS * len(MODULES)}")
    for module, _ in MODULES:
        w50 = summary(start[("warm", module)])[0]
        print(f"goal: warm p50 ≤ 0.5 s for {module}: {'met' if w50 <= 0.5 else 'missed'} ({ms(w50)})")


if __name__ == "__main__":
    main()
