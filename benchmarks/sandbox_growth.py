"""How the sandbox holds up as it is used: memory and run latency over many runs.

The sandbox runs in a child process (``Sandbox().start()``), so its RSS is
its own, not the benchmark client's; runs go through the engine over HTTP as
a notebook's would. Figures are printed next to their in-run baseline:

1. **300 one-shots on one pod.** RSS after the pod starts (baseline) and
   after the 300th run; the latency of a run (``echo``) on a fresh pod and
   on the pod carrying 300 ephemeral containers, run in turn so both see the
   same machine load (medians of 10), as a ratio (target: within 3x).
2. **5 runs printing 50 MB each.** RSS after each (target: under 300 MB):
   logs rotate at containerLogMaxSize, so each run leaves at most 10 MiB.

    .venv/bin/python benchmarks/sandbox.py --growth-only [--oneshots 300] [--big-runs 5]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import uuid

import psutil
from kubernetes import client, config

from kdebug_nb.engine import Connection, Session

CHILD = (
    "import sys\n"
    "from kdebug_nb.sandbox import Sandbox\n"
    "sb = Sandbox().start()\n"
    "print(sb.kubeconfig, sb.context, flush=True)\n"
    "sys.stdin.read()\n"
    "sb.stop()\n"
)
MB = 1024 * 1024


def mb(n: int) -> str:
    return f"{n / MB:7.1f} MB"


def _wait_running(core: client.CoreV1Api, name: str) -> None:
    deadline = time.monotonic() + 60
    while core.read_namespaced_pod(name, "default").status.phase != "Running":
        if time.monotonic() > deadline:
            raise SystemExit(f"pod {name} did not start")
        time.sleep(0.1)


def _target(core: client.CoreV1Api) -> str:
    name = f"growth-{uuid.uuid4().hex[:6]}"
    core.create_namespaced_pod("default", {
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "app", "image": "busybox",
                                 "command": ["sh", "-c", "while true; do sleep 1; done"]}]},
    })
    _wait_running(core, name)
    return name


def bench_growth(oneshots: int, big_runs: int) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        kubeconfig, context = child.stdout.readline().split()
        proc = psutil.Process(child.pid)
        # no history: the runs of a benchmark are not the user's
        session = Session(Connection(kubeconfig, context), record=False)
        api = config.new_client_from_config(config_file=kubeconfig, context=context)
        core = client.CoreV1Api(api)

        def run(target: str, i: int) -> float:
            t0 = time.perf_counter()
            r = session.debug(target, image="busybox", command=["echo", f"run-{i}"], namespace="default",
                              timeout=120)
            if r.output != f"run-{i}\n":
                raise SystemExit(f"run {i} on {target} printed {r.output!r}")
            return time.perf_counter() - t0

        pod = _target(core)
        base = proc.memory_info().rss
        took = [run(pod, i) for i in range(oneshots)]
        after = proc.memory_info().rss
        # Against a fresh pod, run by run in turn, so both see the same machine load.
        fresh = _target(core)
        pairs = [(run(fresh, 1000 + i), run(pod, 2000 + i)) for i in range(10)]
        first = statistics.median(p[0] for p in pairs)
        last = statistics.median(p[1] for p in pairs)
        print(f"\n== {oneshots} one-shots (`echo`) on one pod, sandbox process RSS ==")
        print(f"RSS with the pod running  {mb(base)}")
        print(f"RSS after {oneshots} runs        {mb(after)}   ({after / base:5.2f}x; target < 300 MB)")
        print(f"run latency, runs 2-6     {statistics.median(took[1:6]) * 1000:8.1f} ms   "
              f"last 5: {statistics.median(took[-5:]) * 1000:8.1f} ms")
        print(f"run latency, fresh pod    {first * 1000:8.1f} ms  (median of 10, alternating with the next)")
        print(f"run latency, {oneshots}+ containers {last * 1000:8.1f} ms  ({last / first:5.2f}x the fresh pod's; target within 3x)")

        big = _target(core)
        size = 50 * 1000 * 1000
        print(f"\n== {big_runs} runs printing {size // 1000000} MB each, sandbox process RSS ==")
        before = proc.memory_info().rss
        print(f"RSS before                {mb(before)}")
        peak = before
        for i in range(big_runs):
            r = session.debug(big, image="busybox", command=["sh", "-c", f"yes 0123456789abcdef | head -c {size}"],
                              namespace="default", timeout=600)
            if len(r.output) != size:
                raise SystemExit(f"big run {i} printed {len(r.output)} characters, not {size}")
            del r
            now = proc.memory_info().rss
            peak = max(peak, now)
            print(f"RSS after run {i + 1}           {mb(now)}   ({now / before:5.2f}x before)")
        print(f"highest                   {mb(peak)}   (target < 300 MB)")
        api.close()
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
