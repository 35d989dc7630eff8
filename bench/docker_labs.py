#!/usr/bin/env python3
"""Docker labs: time to prompt, pulling from the mirror, and ten at once.

1. Time to prompt: from the start-lab request to the first prompt byte on
   the terminal WebSocket for a docker lab (container, inner engine and
   guard up), 10 labs one after another, beside the same for a shell lab
   and for a three-node docker lab (every node's prompt).
2. In each of those docker labs, `docker pull nginx` from Berth's registry
   mirror into the lab's fresh engine, timed inside the lab.
3. Ten docker labs started at the same moment: every one must reach a
   prompt and answer `docker version` through its guard.

Run from the repository root after `cargo build --release` and
`berth images build`; it starts its own servers on free ports with
throwaway databases. Needs Python 3 with `websockets` (see bench/labs.py).
"""

import asyncio
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labs import ROOT, Tab, summary, terminal_socket  # noqa: E402  (re-execs into the venv if needed)
from labs import serve as labs_serve  # noqa: E402

N = 10


def ms(x):
    return f"{x * 1000:.0f} ms"


def serve(course):
    return labs_serve("runc", os.path.join("server/tests/fixtures", course), N + 2)


async def prompt_then(tab, terminal, command=None):
    """Waits for the prompt; with a command, types it and returns its output."""
    _, out = await timed_prompt_then(tab, terminal, command)
    return out


async def timed_prompt_then(tab, terminal, command=None):
    """Like `prompt_then`, also answering when the prompt came."""
    async with await terminal_socket(tab, terminal) as ws:
        seen = b""
        while b"$ " not in seen:
            frame = await ws.recv()
            if isinstance(frame, bytes):
                seen += frame
        prompted = time.perf_counter()
        if command is None:
            return prompted, ""
        await ws.send(f"{command}; echo END-$((40+2))\r".encode())
        seen = b""
        while b"END-42" not in seen:
            frame = await ws.recv()
            if isinstance(frame, bytes):
                seen += frame
        return prompted, seen.decode(errors="replace")


PULL = "s=$(date +%s%N); docker pull -q nginx >/dev/null; e=$(date +%s%N); echo PULL=$(( (e - s) / 1000000 ))ms"


def time_to_prompt(course, label, module="basics", lesson="first-steps", nodes=1, pull=False):
    """Seconds to the first prompt (on every node), and pull times if asked."""
    server, base = serve(course)
    try:
        samples, pulls = [], []
        for i in range(N):
            tab = Tab(base, f"{label}{i}@example.org")
            t0 = time.perf_counter()
            terminal = tab.start(module, lesson)

            async def prompts():
                paths = [terminal] if nodes == 1 else [f"{terminal}?node={n}" for n in range(1, nodes + 1)]
                command = PULL if pull else None
                return await asyncio.gather(*(timed_prompt_then(tab, p, command) for p in paths))

            answers = asyncio.run(prompts())
            samples.append(max(at for at, _ in answers) - t0)
            if pull:
                out = answers[0][1]
                pulls.append(int(out.rsplit("PULL=", 1)[1].split("ms")[0]) / 1000)
            tab.stop(module)
        return samples, pulls
    finally:
        server.terminate()
        server.wait()


def main():
    if not os.path.exists(os.path.join(ROOT, "target", "release", "berth")):
        sys.exit("build first: cargo build --release")
    docker, pulls = time_to_prompt("docker-course", "docker", pull=True)
    shell, _ = time_to_prompt("lab-course", "shell")
    cluster, _ = time_to_prompt("docker-course", "cluster", "cluster", "swarm", nodes=3)

    server, base = serve("docker-course")
    try:
        tabs = [Tab(base, f"burst{i}@example.org") for i in range(N)]

        def start(tab):
            try:
                out = asyncio.run(prompt_then(tab, tab.start(), "docker version --format 'server={{.Server.Version}}'"))
                return None if "server=" in out else f"no engine answer: {out[-200:]!r}"
            except Exception as e:  # noqa: BLE001 - reported below
                return str(e)

        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=N) as pool:
            failures = [f for f in pool.map(start, tabs) if f]
        burst = time.perf_counter() - t0
        with ThreadPoolExecutor(max_workers=N) as pool:
            list(pool.map(lambda t: t.stop(), tabs))
    finally:
        server.terminate()
        server.wait()

    d50, d95 = summary(docker)
    s50, s95 = summary(shell)
    c50, c95 = summary(cluster)
    p50, p95 = summary(pulls)
    print("| start lab → first prompt byte | p50 | p95 |")
    print("|---|---:|---:|")
    print(f"| docker lab ({N}) | {ms(d50)} | {ms(d95)} |")
    print(f"| shell lab ({N}) | {ms(s50)} | {ms(s95)} |")
    print(f"| three-node docker lab, every node's prompt ({N}) | {ms(c50)} | {ms(c95)} |")
    print(f"| `docker pull nginx` from the mirror, inside a fresh docker lab ({N}) | {ms(p50)} | {ms(p95)} |")
    print()
    print(f"docker lab / shell lab (p50): {d50 / s50:.2f}; goal: docker lab ready in at most 3 s p50: "
          f"{'met' if d50 <= 3 else 'NOT met'}")
    print(f"burst: {N} docker labs started at once, all answering `docker version` after {burst:.1f} s, "
          f"{len(failures)} failures")
    for f in failures[:5]:
        print("  failure:", f)


if __name__ == "__main__":
    main()
