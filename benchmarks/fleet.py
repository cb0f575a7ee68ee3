"""Fleet runs: 500 pods running ``true``, at concurrency 1, 10 and 50.

For each concurrency a sandbox (its own process, as a cluster would be) is
started with N fresh pods labelled ``app=bench``, and
``kdebug -l app=bench --image=busybox -- true`` runs over them as one fleet:
first with the sandbox's ``imagePull=300ms`` (a pull per debug container, as
``busybox`` without a tag is pulled ``Always`` on a real node), then once
more with no timing at all. Fresh pods per level, because an ephemeral
container stays in its pod once added: a pod's tenth debug run is not its
first. Each line gives the wall time, the speed-up over concurrency 1, the
API requests per pod (counted by the client, retries included) and the peak
growth of this process's resident memory during the run. A last pair of
runs at the highest concurrency, over a fifth of the pods and over the other
four fifths, shows whether memory grows with the number of pods.

The client-side rate limit is off (``--qps=0``): the benchmark measures
concurrency, not the limiter (at the default 50 QPS, 500 pods' ~1,500
requests alone take 30 s).

Target: at least 20x at concurrency 50 with the pull time.

    python benchmarks/fleet.py [--pods 500] [--concurrency 1,10,50] [--pull 300ms]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kdebug_nb.engine import ClusterClient, Connection, Session, parse_args

NS = "bench"
LABEL = "app=bench"


class PeakRSS:
    """Samples this process's resident memory; ``peak`` is the highest seen (bytes)."""

    def __init__(self, every: float = 0.02) -> None:
        self.every = every
        self.base = self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, _rss())

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.base) / 2**20


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def start_sandbox(timing: str, kubeconfig: Path) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "kdebug_nb.sandbox", "serve", "--kubeconfig", str(kubeconfig)]
    if timing:
        argv += ["--timing", timing]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("kubeconfig:"):
            return proc
    raise RuntimeError(f"the sandbox did not start (exit {proc.wait()})")


def create_pods(client: Any, n: int) -> None:
    client._json("POST", "/api/v1/namespaces", body={
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    for i in range(n):
        client.create_pod(NS, {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"bench-{i:04d}", "namespace": NS, "labels": {"app": "bench"}},
            "spec": {"containers": [{"name": "app", "image": "busybox:1.36",
                                     "command": ["sleep", "36000"]}]},
        })
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        pods = client.list_pods(NS, selector=LABEL)["items"]
        if sum((p.get("status") or {}).get("phase") == "Running" for p in pods) == n:
            return
        time.sleep(1)
    raise RuntimeError("the benchmark's pods did not all start")


def fleet_run(conn: Any, concurrency: int, extra: list[str]) -> tuple[float, float, float]:
    opts = parse_args(["-l", LABEL, "-n", NS, "--image=busybox", "-q", "--qps=0",
                       f"--max-concurrency={concurrency}", *extra, "--", "true"])
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        result = Session(conn, record=False).fleet(opts)
        wall = time.perf_counter() - t0
    bad = result.failed
    if bad:
        raise RuntimeError(f"{len(bad)} pods failed, e.g. {bad[0].target}: "
                           f"{bad[0].error or bad[0].result.reason}")
    return wall, result.requests / len(result), mem.growth_mib


def bench(timing: str, pods: int, levels: list[int], memory_check: bool) -> None:
    print(f"\n{pods} pods, `true`, timing: {timing or 'none'}")
    print(f"{'concurrency':>11} {'wall s':>8} {'speed-up':>9} {'req/pod':>8} {'peak MiB':>9}")
    base = None
    for level in levels:
        # fresh pods for every level: ephemeral containers stay in their pod once
        # added (on a cluster too), and a pod's later runs must not be compared
        # with its first
        with served(timing, pods) as conn:
            wall, per_pod, mib = fleet_run(conn, level, [])
        base = base or wall
        print(f"{level:>11} {wall:>8.2f} {base / wall:>8.1f}x {per_pod:>8.2f} {mib:>9.1f}",
              flush=True)
    if memory_check:
        top = max(levels)
        fifth = max(1, pods // 5)
        with served(timing, pods) as conn:
            _label_subset(ClusterClient(conn), fifth)
            small = fleet_run(conn, top, ["-l", "subset=yes"])
            large = fleet_run(conn, top, ["-l", "subset!=yes"])
        print(f"memory at concurrency {top}: {fifth} pods +{small[2]:.1f} MiB, "
              f"{pods - fifth} pods +{large[2]:.1f} MiB (peak resident growth of this process)")


@contextlib.contextmanager
def served(timing: str, pods: int) -> Iterator[Any]:
    """A sandbox process holding ``pods`` running pods; yields its Connection."""
    with tempfile.TemporaryDirectory(prefix="kdebug-bench-") as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        proc = start_sandbox(timing, kubeconfig)
        try:
            conn = Connection(str(kubeconfig))
            create_pods(ClusterClient(conn), pods)
            # warm-up: the client's connections, the kubelet's image catalogue
            fleet_run(conn, 1, ["--field-selector=metadata.name=bench-0000"])
            yield conn
        finally:
            proc.terminate()
            proc.wait(timeout=120)


def _label_subset(client: Any, n: int) -> None:
    for i in range(n):
        client._json("PATCH", f"/api/v1/namespaces/{NS}/pods/bench-{i:04d}",
                     body={"metadata": {"labels": {"subset": "yes"}}},
                     content_type="application/strategic-merge-patch+json")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=500)
    parser.add_argument("--concurrency", default="1,10,50")
    parser.add_argument("--pull", default="300ms", help="the sandbox's imagePull time")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run without timing")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    bench(f"imagePull={args.pull}", args.pods, levels, memory_check=True)
    if not args.no_baseline:
        bench("", args.pods, levels, memory_check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
