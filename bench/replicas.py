#!/usr/bin/env python3
"""Two `berth serve` replicas on one PostgreSQL, side by side in one run:

- a burst of 40 labs across two lab hosts (two extra Docker engines listed
  with `berth hosts`): 20 learners through each replica press Start at the
  same moment, once for docker labs and once for shell labs; failures, time
  until every lab works, per-lab p50/p95/max and how the labs split between
  the hosts (bench/hosts_burst.py);
- submission -> instructor's grid event: 30 learners submit quiz attempts
  through replica A while the instructor's grid is open twice, on A (the
  replica that took the submission) and on B (the change reaches it through
  PostgreSQL NOTIFY); p50, p95 and max for each;
- lesson-page throughput of the bundled course (a visitor's page, as
  bench/pages.sh measures it): wrk against one replica alone, then against
  two replicas at once (one wrk each, rates summed).

Run from the repository root, as root (the burst starts Docker engines),
after `cargo build --release -p berth-server`, `cargo xtask build` and
`berth images build`; needs Debian's `wrk` and PostgreSQL: an
administrator URL in BERTH_BENCH_POSTGRES_URL, or Debian's postgresql
server programs, from which a throwaway cluster is started. Name measures
(`grid`, `pages`, `burst`) to run only those.
"""

import argparse
import glob
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labs import PASSWORD, Tab, release_binary, serve, summary  # noqa: E402
from classroom import Grid, choice_key  # noqa: E402
import hosts_burst  # noqa: E402

LEARNERS = 30
QUIZZES = 5  # per learner
INSTRUCTOR = "teacher@example.org"
LESSON = "/modules/docker/container-lifecycle"
WRK_SECONDS = 10


def ms(x):
    return f"{x * 1000:.0f} ms"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """BERTH_BENCH_POSTGRES_URL, or a throwaway cluster."""

    def __init__(self):
        self.dir = None
        self.admin = os.environ.get("BERTH_BENCH_POSTGRES_URL")
        if self.admin:
            return
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            sys.exit("PostgreSQL is needed: apt-get install postgresql, or set BERTH_BENCH_POSTGRES_URL")
        self.bin = bins[-1]
        self.dir = tempfile.mkdtemp(prefix="berth-bench-pg-")
        self.root = os.geteuid() == 0
        if self.root:
            shutil.chown(self.dir, "postgres", "postgres")
        port = free_port()
        data = os.path.join(self.dir, "data")
        self.run("initdb", "--auth=trust", "--username=berth", "--encoding=UTF8", "--no-instructions", "-D", data)
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} -c max_connections=200"
        self.run("pg_ctl", "start", "--wait", "--silent", "-D", data, "-l", os.path.join(self.dir, "log"), "-o", options)
        self.admin = f"postgres://berth@127.0.0.1:{port}/postgres"

    def run(self, program, *args):
        command = [os.path.join(self.bin, program), *args]
        if self.root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    def database(self, name):
        """A fresh database's URL."""
        psql = os.path.join(self.bin, "psql") if self.dir else "psql"
        quiet = dict(os.environ, PGOPTIONS="--client-min-messages=warning")
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run([psql, self.admin, "-qc", sql], check=True, env=quiet)
        return self.admin.rsplit("/", 1)[0] + "/" + name

    def drop(self, name):
        """Drops a database made by `database`."""
        psql = os.path.join(self.bin, "psql") if self.dir else "psql"
        subprocess.run([psql, self.admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True)

    def stop(self):
        if self.dir:
            self.run("pg_ctl", "stop", "--silent", "-m", "fast", "-D", os.path.join(self.dir, "data"))
            shutil.rmtree(self.dir, ignore_errors=True)


def grid_latency(binary, db):
    """Quiz attempts through A; the same grid open on A and on B."""
    subprocess.run(
        [binary, "user", "add", INSTRUCTOR, "--role", "instructor", "--password-stdin", "--database-url", db],
        input=PASSWORD.encode(), check=True, stdout=subprocess.DEVNULL,
    )
    a, a_base = serve("runc", db=db, extra=["--lab-starts-per-minute", "0"])
    b, b_base = serve("runc", db=db)
    try:
        teacher = Tab(b_base, INSTRUCTOR, sign_up=False)
        teacher.post("/classrooms", {"name": "Two replicas", "join_limit": str(LEARNERS)})
        classroom = json.loads(teacher.get("/api/classrooms")[1])[0]["id"]
        code = json.loads(teacher.get(f"/api/classroom?id={classroom}")[1])["join_code"]
        with ThreadPoolExecutor(max_workers=8) as pool:
            tabs = list(pool.map(lambda i: Tab(a_base, f"learner{i:02}@example.org"), range(LEARNERS)))
        for tab in tabs:
            tab.post(f"/join/{code}", {})
        grids = {"same replica (A)": Grid(a_base, teacher.cookie, classroom),
                 "other replica (B)": Grid(b_base, teacher.cookie, classroom)}
        for grid in grids.values():
            assert grid.ready.wait(10), "the grid stream did not open"
        delays = {name: [] for name in grids}

        def learner(tab):
            rng = random.Random(tab.email)
            home = choice_key(tab.get("/modules/basics/quiz")[1], "In the home folder")
            for _ in range(QUIZZES):
                time.sleep(rng.uniform(0.2, 1.0))
                t0 = time.perf_counter()
                res = tab.post("/modules/basics/quiz", {"q.home": home, "q.word": rng.choice(["hello", "bye"])})
                assert res[0] == 303, res
                for name, grid in grids.items():
                    delays[name].append(grid.wait_after(tab.email, t0) - t0)

        with ThreadPoolExecutor(max_workers=LEARNERS) as pool:
            list(pool.map(learner, tabs))
        return delays
    finally:
        for server in (a, b):
            server.terminate()
            server.wait()


def wrk(base):
    """(requests/s, p99) of the lesson page for WRK_SECONDS."""
    out = subprocess.run(
        ["wrk", "-t1", "-c32", f"-d{WRK_SECONDS}s", "--latency", base + LESSON],
        check=True, capture_output=True, text=True,
    ).stdout
    if re.search(r"Non-2xx|Socket errors", out):
        sys.exit(f"errors while measuring {base}: {out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    return rps, p99


def throughput(db):
    """The lesson page from one replica, then from two at once."""
    a, a_base = serve("runc", course="content", db=db)
    b, b_base = serve("runc", course="content", db=db)
    try:
        for base in (a_base, b_base):
            urllib.request.urlopen(base + LESSON, timeout=10).read()
        one = wrk(a_base)
        with ThreadPoolExecutor(max_workers=2) as pool:
            two = list(pool.map(wrk, [a_base, b_base]))
        return one, two
    finally:
        for server in (a, b):
            server.terminate()
            server.wait()


def main():
    measures = ["grid", "pages", "burst"]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("measures", nargs="*", help=f"only these of {', '.join(measures)} (default: all)")
    run = parser.parse_args().measures or measures
    if unknown := set(run) - set(measures):
        parser.error(f"no measure named {', '.join(sorted(unknown))}")
    if "pages" in run and not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    binary = release_binary()
    pg = Postgres()
    try:
        if "burst" in run:
            images, bursts = hosts_burst.run(binary, pg.database("berth_bench_burst"))
            pg.drop("berth_bench_burst")
        if "grid" in run:
            delays = grid_latency(binary, pg.database("berth_bench_grid"))
            pg.drop("berth_bench_grid")
        if "pages" in run:
            one, two = throughput(pg.database("berth_bench_pages"))
            pg.drop("berth_bench_pages")
    finally:
        pg.stop()
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, {os.path.basename(binary)} at {binary}; "
          f"load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    if "burst" in run:
        print()
        hosts_burst.report(images, bursts)
    if "grid" in run:
        print()
        print(f"{LEARNERS} learners x {QUIZZES} quiz attempts through replica A")
        print("| submission -> instructor's grid event | count | p50 | p95 | max |")
        print("|---|---:|---:|---:|---:|")
        for name, samples in delays.items():
            p50, p95 = summary(samples)
            print(f"| grid on the {name} | {len(samples)} | {ms(p50)} | {ms(p95)} | {ms(max(samples))} |")
        p95 = summary(delays["other replica (B)"])[1]
        print(f"goal: p95 across replicas under 1 s: {'met' if p95 < 1 else 'NOT met'} ({ms(p95)})")
    if "pages" in run:
        print()
        print(f"lesson page {LESSON}, wrk -t1 -c32 -d{WRK_SECONDS}s per replica")
        print("| replicas | requests/s | p99 |")
        print("|---|---:|---:|")
        print(f"| one | {one[0]:,.0f} | {one[1]} |")
        print(f"| two at once (A + B) | {two[0][0] + two[1][0]:,.0f} ({two[0][0]:,.0f} + {two[1][0]:,.0f}) "
              f"| {two[0][1]} / {two[1][1]} |")
        print(f"two against one: {(two[0][0] + two[1][0]) / one[0]:.2f}")


if __name__ == "__main__":
    main()
