#!/usr/bin/env python3
"""The warm pool against cold starts, on the bundled course, side by side
in one run.

Two release servers run at once on the bundled course: one makes every lab
when a learner asks (`--warm 0`, the default), the other keeps labs of
each measured module waiting (`--warm containers=2,docker=2`). Rounds
alternate between them, and in each round, for module 1 (`containers`, a
shell lab) and module 2's `run-and-exec` lesson (`docker`, a lab with its
own Docker engine):

1. click to prompt, in Chromium: a signed-in learner's lesson page,
   hydrated; from the click on "Start the lab" until the prompt shows in
   the page's terminal (timed inside the page);
2. start to first prompt byte: a learner's start-lab request until the
   first prompt byte arrives on the terminal WebSocket, and until the lab
   panel says the lab's setups are done (a lab made on a click gives its
   prompt first and sets up behind it; checks wait for that);
3. in the docker lab, `docker pull nginx:1.26` typed into that terminal,
   until the engine's answer: whether the image was already present
   ("Image is up to date") and how long the answer took.

Before each warm start the script waits until the pool has a waiting lab
(read from the server's own SQLite database) and checks afterwards that
the learner got one of those, so every warm figure is a claim; a start
that found the pool empty is reported as a miss.

Run from the repository root after `cargo build --release -p berth-server`,
`cargo xtask build` and `berth images build`, with Debian's `chromium` and
`chromium-driver`. Needs the Python packages pinned in
bench/requirements.txt (installed into target/bench-venv if missing, as
bench/labs.py does).
"""

import asyncio
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labs import Tab, ms, serve, summary  # noqa: E402
from selenium import webdriver  # noqa: E402

ROUNDS = int(os.environ.get("BERTH_BENCH_ROUNDS", "10"))
MODULES = [("containers", "a-process-with-walls"), ("docker", "run-and-exec")]
MODES = ["cold", "warm"]
PULL = "nginx:1.26"
WARM = 2

# In the page: presses "Start the lab", then watches xterm.js's buffer (it
# does not draw what is off screen) until the prompt shows; answers the
# milliseconds in between and the terminal's WebSocket path.
CLICK_TO_PROMPT = """
const done = arguments[arguments.length - 1];
// A signed-in lesson is a shared page: the learner's lab panel (and its
// Start button) arrives with the page's one call after hydration.
const start = () => {
  const button = document.querySelector('.lab-panel .lab-action button');
  if (!button) return setTimeout(start, 5);
  t0 = performance.now();
  button.click();
  poll();
};
let t0 = 0;
const poll = () => {
  const el = document.querySelector('berth-terminal');
  const t = el && el.term;
  let s = '';
  for (let i = 0; t && i < t.buffer.active.length; i++) s += t.buffer.active.getLine(i).translateToString(true);
  if (s.includes('learner@')) done([performance.now() - t0, el.dataset.socket]);
  else setTimeout(poll, 5);
};
start();
"""
HYDRATED = "return !document.querySelector('.theme-toggle').disabled"


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
        if kind == "network":
            # The registry mirror is attached to every docker lab's network.
            for network in ids:
                subprocess.run(["docker", "network", "disconnect", "-f", network, "berth-mirror"],
                               capture_output=True, check=False)
        if ids:
            remove = ["rm", "-f"] if kind == "container" else ["rm"]
            subprocess.run(["docker", kind] + remove + ids, capture_output=True, check=False)


async def pull(ws):
    """Types `docker pull` into the terminal: seconds until the engine
    answers, and whether the image was already present."""
    t0 = time.perf_counter()
    await ws.send(f"docker pull {PULL}\n".encode())
    seen = b""
    # The pull's last status, then the next prompt (tmux may follow it with
    # escape sequences, so the output need not end with it).
    while not re.search(rb"Status: .*learner@[^\n]*\$", seen, re.S):
        frame = await ws.recv()
        if isinstance(frame, bytes):
            seen += frame
    return time.perf_counter() - t0, b"Image is up to date" in seen


async def prompt_then(ws, t0, tab, module, lesson):
    """Seconds from `t0` to the prompt, then until the lab's setups are
    done, then the pull's figures (None for a shell lab)."""
    prompt_at = time.perf_counter() - t0
    set_up_at = tab.set_up(module, lesson, t0)
    took, was_present = await pull(ws) if module == "docker" else (None, None)
    return prompt_at, set_up_at, took, was_present


def browser():
    """Headless Chromium through Debian's chromedriver."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--no-first-run", "--window-size=1280,900"):
        options.add_argument(arg)
    service = webdriver.ChromeService(executable_path="/usr/bin/chromedriver")
    b = webdriver.Chrome(options=options, service=service)
    b.set_script_timeout(120)
    return b


def click_to_prompt(b, base, tab, module, lesson):
    """Opens the lesson as `tab`'s learner, waits for hydration, presses
    Start: (seconds to the prompt in the page, the lab's id)."""
    b.delete_all_cookies()
    b.get(base + "/healthz")
    name, value = tab.cookie.split("=", 1)
    b.add_cookie({"name": name, "value": value, "path": "/"})
    b.get(f"{base}/modules/{module}/{lesson}")
    t0 = time.perf_counter()
    while not b.execute_script(HYDRATED):
        if time.perf_counter() - t0 > 60:
            raise RuntimeError("the lesson page never hydrated")
        time.sleep(0.05)
    took_ms, socket = b.execute_async_script(CLICK_TO_PROMPT)
    return took_ms / 1000, socket.split("/")[2]


def main():
    dbs = {m: os.path.join(tempfile.mkdtemp(prefix="berth-bench-"), "berth.db") for m in MODES}
    flags = {"cold": [], "warm": ["--warm", ",".join(f"{m}={WARM}" for m, _ in MODULES)]}
    servers = {m: serve("runc", course="content", labs=12, db=f"sqlite://{dbs[m]}", extra=flags[m]) for m in MODES}
    click = {(m, mod): [] for m in MODES for mod, _ in MODULES}
    start = {(m, mod): [] for m in MODES for mod, _ in MODULES}
    ready = {(m, mod): [] for m in MODES for mod, _ in MODULES}
    pulls = {m: [] for m in MODES}
    present = {m: 0 for m in MODES}
    claims = misses = 0
    b = browser()
    try:
        for i in range(ROUNDS):
            for module, lesson in MODULES:
                for mode in MODES:
                    _, base = servers[mode]
                    # 1. In the browser.
                    tab = Tab(base, f"{mode}-{module}-{i}-browser@example.org")
                    waiting = wait_for_pool(dbs[mode], module) if mode == "warm" else set()
                    took, lab = click_to_prompt(b, base, tab, module, lesson)
                    click[(mode, module)].append(took)
                    tab.stop(module)
                    # 2. and 3. Over HTTP and the terminal's WebSocket.
                    tab = Tab(base, f"{mode}-{module}-{i}@example.org")
                    if mode == "warm":
                        claims += 1
                        misses += lab not in waiting
                        waiting = wait_for_pool(dbs[mode], module)
                    t0 = time.perf_counter()
                    terminal = tab.start(module, lesson)
                    # The terminal's path is /labs/ID/terminal.
                    if mode == "warm":
                        claims += 1
                        misses += terminal.split("/")[2] not in waiting
                    prompt_at, set_up_at, took, was_present = asyncio.run(tab.first_prompt(
                        terminal, then=lambda ws: prompt_then(ws, t0, tab, module, lesson)))
                    start[(mode, module)].append(prompt_at)
                    ready[(mode, module)].append(set_up_at)
                    if module == "docker":
                        pulls[mode].append(took)
                        present[mode] += int(was_present)
                    tab.stop(module)
            print(f"round {i + 1}/{ROUNDS} done", file=sys.stderr)
    finally:
        b.quit()
        for server, _ in servers.values():
            server.terminate()
            server.wait()
        for db in dbs.values():
            remove_labs(db)

    print("| measure | cold p50 | cold p95 | warm p50 | warm p95 | warm / cold (p50) |")
    print("|---|---:|---:|---:|---:|---:|")

    def row(label, cold, warm):
        (c50, c95), (w50, w95) = summary(cold), summary(warm)
        print(f"| {label} | {ms(c50)} | {ms(c95)} | {ms(w50)} | {ms(w95)} | {w50 / c50:.2f} |")

    for module, lesson in MODULES:
        what = f"`{module}` (`{lesson}`), {ROUNDS} labs"
        row(f"click → prompt in Chromium, {what}", click[("cold", module)], click[("warm", module)])
        row(f"start → first prompt byte, {what}", start[("cold", module)], start[("warm", module)])
        row(f"start → setups done, {what}", ready[("cold", module)], ready[("warm", module)])
    row(f"`docker pull {PULL}` in the new lab", pulls["cold"], pulls["warm"])
    print()
    for mode in MODES:
        print(f"{mode}: {PULL} already present in {present[mode]} of {ROUNDS} docker labs")
    print(f"warm starts that claimed a waiting lab: {claims - misses} of {claims}")
    for module, _ in MODULES:
        w50 = summary(click[("warm", module)])[0]
        print(f"goal: with the pool, click → prompt p50 ≤ 0.5 s for {module}: {'met' if w50 <= 0.5 else 'missed'} ({ms(w50)})")
    c50 = summary(click[("cold", "docker")])[0]
    print(f"goal: without the pool, click → prompt p50 ≤ 2 s for docker: {'met' if c50 <= 2 else 'missed'} ({ms(c50)})")


if __name__ == "__main__":
    main()
