"""A burst of docker labs across two lab hosts from two replicas
(bench/replicas.py runs it beside its other figures).

Two extra Docker engines stand in for two lab hosts, started as
server/tests/hosts.rs starts them: each `dockerd` in a network namespace of
its own (`unshare --net`) with its own data root, exec root, socket and
address pool. In the machine's namespace a second dockerd deletes the
machine's `docker0`, cutting every other container off: never start one
there. Berth reaches each engine through its socket alone.

The operator's steps, timed apart from the burst: `berth hosts add` for
each engine, room for BURST // 2 labs of the docker module's memory each,
then `berth images build --missing --host ...` (lab images and the
mirror's course images copied there, the host's mirror started).

Then, on the same hosts, one burst for each kind of lab of the bundled
course: a docker lab (module 2, `run-and-exec`, the lab the class of 60
uses) and a shell lab (module 1, `a-process-with-walls`). Learners signed
up ahead, half through each replica, press Start at the same moment. A lab
counts as working once its terminal gives a prompt, a command typed there
answers (for a docker lab, `docker version` from the lab's own engine) and
the lab panel says the lesson's setups are done; anything less is a
failure.
"""

import asyncio
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from docker_labs import timed_prompt_then
from labs import ROOT, Tab, ms, serve, summary

# Labs started at once (even: half through each replica, half on each host).
BURST = int(os.environ.get("BERTH_BENCH_BURST", "40"))
# The memory a host is given room for: BURST // 2 labs of the largest kind
# (the docker module's exercises ask for 1 GiB a lab, `memory_mb`).
LAB_MEMORY_MB = 1024


class Kind:
    """A kind of lab the burst starts: its lesson, and a command typed into
    its terminal with what the answer must hold."""

    def __init__(self, name, module, lesson, command, answer):
        self.name, self.module, self.lesson = name, module, lesson
        self.command, self.answer = command, answer


KINDS = [
    Kind("shell", "containers", "a-process-with-walls", 'echo "who=$(id -un)"', r"who=learner"),
    Kind("docker", "docker", "run-and-exec",
         "docker version --format 'server={{.Server.Version}}'", r"server=\d"),
]
# How often a waiting learner asks whether the lab's setups are done.
POLL = 0.25


class Engine:
    """A Docker engine of the benchmark's own, removed with everything in
    it (data root included) by `remove`."""

    def __init__(self, name, pool):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"berth-bench-{name}-")
        self.url = f"unix://{self.dir}/docker.sock"
        with open(os.path.join(self.dir, "daemon.json"), "w") as f:
            f.write("{}")
        self.log = open(os.path.join(self.dir, "dockerd.log"), "ab")
        path = lambda name: os.path.join(self.dir, name)  # noqa: E731
        self.daemon = subprocess.Popen(
            ["unshare", "--net", "--", "dockerd", "--config-file", path("daemon.json"),
             "--data-root", path("data"), "--exec-root", path("exec"), "--pidfile", path("docker.pid"),
             "-H", self.url, "--bridge", "none", "--iptables=false", "--ip-masq=false",
             "--shutdown-timeout", "2", "--default-address-pool", f"base=10.{pool}.0.0/16,size=24"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
        )
        started = time.perf_counter()
        while self.docker("version", check=False).returncode != 0:
            if self.daemon.poll() is not None or time.perf_counter() - started > 60:
                raise RuntimeError(f"the engine in {self.dir} did not answer (see dockerd.log there)")
            time.sleep(0.2)

    def docker(self, *args, check=True):
        return subprocess.run(["docker", "-H", self.url, *args], capture_output=True, text=True, check=check)

    def labs(self):
        """Its lab containers, running or not (the mirror is not one)."""
        return self.docker("ps", "-aq", "--filter", "label=org.berth.lab").stdout.split()

    def remove(self):
        """Every container, the daemon, and its folders."""
        ids = self.docker("ps", "-aq", check=False).stdout.split()
        if ids:
            self.docker("rm", "-f", *ids, check=False)
        if self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.daemon.wait(60)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        self.log.close()
        # Whatever a stopped daemon left mounted under its data root.
        mounts = [line.split()[1] for line in open("/proc/mounts") if line.split()[1].startswith(self.dir)]
        for mount in sorted(mounts, reverse=True):
            subprocess.run(["umount", "-l", mount], check=False)
        subprocess.run(["rm", "-rf", "--one-file-system", self.dir], check=False)


def berth(binary, db, *args):
    """A `berth` command against the replicas' database: its output."""
    out = subprocess.run([binary, *args, "--database-url", db], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"berth {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def hosts_list(binary, db):
    """{host: (labs, max labs)} from `berth hosts list`."""
    listed = {}
    for line in berth(binary, db, "hosts", "list").splitlines():
        if m := re.match(r"(\S+)\s+\S+\s+labs (\d+)/(\d+)", line):
            listed[m[1]] = (int(m[2]), int(m[3]))
    return listed


def set_up_hosts(binary, db, engines):
    """`berth hosts add` for each engine, then the images copied there:
    seconds the copy took."""
    for e in engines:
        berth(binary, db, "hosts", "add", e.name, e.url,
              "--labs", str(BURST // 2), "--memory-mb", str(BURST // 2 * LAB_MEMORY_MB))
    t0 = time.perf_counter()
    hosts = [arg for e in engines for arg in ("--host", e.name)]
    berth(binary, db, "images", "build", "--missing", "--playground", os.path.join(ROOT, "playground"), *hosts)
    return time.perf_counter() - t0


def start_and_use(kind, tab, gate):
    """Waits at the gate with the others, presses Start, then waits for the
    prompt, the command's answer and the setups: (seconds to each, failure)."""
    gate.wait()
    t0 = time.perf_counter()
    try:
        terminal = tab.start(kind.module, kind.lesson)
        started = time.perf_counter() - t0
        prompted, out = asyncio.run(timed_prompt_then(tab, terminal, kind.command))
        answered = time.perf_counter() - t0
        # The terminal echoes the command too: the answer is matched apart.
        if not re.search(kind.answer, out):
            return None, f"{tab.email}: `{kind.command}` did not answer: {out[-200:]!r}"
        set_up = tab.set_up(kind.module, kind.lesson, t0, every=POLL)
        return (started, prompted - t0, answered, set_up), None
    except Exception as e:  # noqa: BLE001 - reported with the figures
        return None, f"{tab.email}: {e}"


def burst(binary, db, engines, replicas, kind):
    """BURST learners of `kind` at once; their labs are stopped after."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        tabs = list(pool.map(lambda i: Tab(replicas[i % 2][1], f"{kind.name}{i:02}@example.org"), range(BURST)))
    try:
        gate = threading.Barrier(BURST)
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=BURST) as pool:
            results = list(pool.map(lambda tab: start_and_use(kind, tab, gate), tabs))
        every_lab = time.perf_counter() - t0
        return {
            "kind": kind,
            "every_lab": every_lab,
            "timings": [r for r, _ in results if r],
            "failures": [f for _, f in results if f],
            "split": hosts_list(binary, db),
            "on_engines": {e.name: len(e.labs()) for e in engines},
            "load": os.getloadavg(),
        }
    finally:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda tab: stop(tab, kind.module), tabs))


def stop(tab, module):
    try:
        tab.stop(module)
    except OSError:
        pass  # its replica is gone; the engine goes with its labs below


def run(binary, db):
    """Every burst on the same hosts; every lab, engine and folder made is
    gone when it returns. The figures: images, then one dict per kind."""
    if os.geteuid() != 0:
        raise SystemExit("the burst starts its own Docker engines: run it as root")
    engines = []
    replicas = []
    try:
        for i, name in enumerate(("h1", "h2")):
            engines.append(Engine(name, 241 + i))
        images = set_up_hosts(binary, db, engines)
        # Every learner comes from 127.0.0.1 and starts once: no per-address
        # or per-minute limit may turn one away.
        for _ in range(2):
            replicas.append(serve("runc", course="content", labs=BURST, db=db,
                                  extra=["--lab-starts-per-minute", "0"]))
        return images, [burst(binary, db, engines, replicas, kind) for kind in KINDS]
    finally:
        for server, _ in replicas:
            server.terminate()
            server.wait()
        for e in engines:
            e.remove()


def report(images, bursts):
    """Prints the figures as bench/README.md records them."""
    print(f"{BURST} labs at once, {BURST // 2} through each replica, on two lab hosts listed with "
          f"--labs {BURST // 2} --memory-mb {BURST // 2 * LAB_MEMORY_MB}")
    print(f"set-up, before the bursts: `berth images build --missing --host h1 --host h2` took {images:.1f} s")
    for b in bursts:
        kind, timings = b["kind"], b["timings"]
        print()
        print(f"{kind.name} labs (`{kind.module}`, `{kind.lesson}`); load average after: "
              + " ".join(f"{x:.1f}" for x in b["load"]))
        print(f"| start → ... ({len(timings)} labs that worked) | p50 | p95 | max |")
        print("|---|---:|---:|---:|")
        for i, label in enumerate(["the start request answered", "first prompt on the terminal",
                                   f"`{kind.command}` answered", "the lesson's setups done"]):
            if timings:
                column = [t[i] for t in timings]
                p50, p95 = summary(column)
                print(f"| {label} | {ms(p50)} | {ms(p95)} | {ms(max(column))} |")
        split = ", ".join(f"{name} {labs}/{most}" for name, (labs, most) in sorted(b["split"].items()))
        engines = ", ".join(f"{name} {n}" for name, n in sorted(b["on_engines"].items()))
        print(f"labs per host (`berth hosts list`): {split}; lab containers on each engine: {engines}")
        failures = b["failures"]
        print(f"every lab done {b['every_lab']:.1f} s after the burst; {len(failures)} failures "
              f"(goal 0: {'met' if not failures else 'NOT met'})")
        for f in failures[:5]:
            print("  failure:", f)
