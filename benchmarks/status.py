"""Status frames for 5,000 pods versus ``kubectl get pods -o wide``.

Loads 5,000 pods (with container statuses) into a sandbox, then times
listing them and building both DataFrames (``status_frame``: one row per
container; ``pods_frame``: one row per pod) against real kubectl listing
the same pods as a wide table. Prints medians and the ratio.

    python benchmarks/status.py [--pods 5000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

NS = "bench"


def _pod(i: int) -> dict[str, Any]:
    started = "2026-01-01T00:00:00Z"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"pod-{i:05d}", "namespace": NS, "labels": {"app": f"a{i % 20}"}},
        "spec": {
            "nodeName": "node-1" if i % 2 else "node-2",
            "containers": [
                {"name": "app", "image": "registry.k8s.io/pause:3.10"},
                {"name": "side", "image": "registry.k8s.io/pause:3.10"},
            ],
            "ephemeralContainers": [{"name": "debugger-x", "image": "busybox"}] if i % 7 == 0 else [],
        },
        "status": {
            "phase": "Running",
            "podIP": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
            "containerStatuses": [
                {"name": n, "ready": True, "restartCount": i % 3, "image": "pause",
                 "state": {"running": {"startedAt": started}}}
                for n in ("app", "side")
            ],
        },
    }


def _load(sb: Any, n: int) -> None:
    def put_all() -> None:
        cluster = sb.cluster
        # Detach the simulated kubelet: this benchmark measures listing and
        # framing, not 5,000 simulated container starts.
        cluster.listeners.clear()
        cluster.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
        for i in range(n):
            cluster.put(_pod(i))

    sb.call(put_all, timeout=300)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from kubectl_bin import newest_kubectl_path, run_kubectl

    from kdebug_nb.engine.client import ClusterClient
    from kdebug_nb.engine.client.connection import Connection
    from kdebug_nb.engine.frames.status import pods_frame, status_frame
    from kdebug_nb.sandbox.server import Sandbox

    with Sandbox() as sb:
        _load(sb, args.pods)
        cc = ClusterClient(Connection(str(sb.kubeconfig), sb.context))
        cc.list_pods(NS)  # warm-up
        status_frame([])

        full, frames_only = [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            items = cc.list_pods(NS)["items"]
            t1 = time.perf_counter()
            sf = status_frame(items)
            pf = pods_frame(items)
            t2 = time.perf_counter()
            full.append(t2 - t0)
            frames_only.append(t2 - t1)
        assert len(pf) == args.pods and len(sf) >= 2 * args.pods

        kubectl = newest_kubectl_path()
        ktimes: list[float] = []
        if kubectl:
            # a fresh discovery cache, and only the sandbox's kubeconfig (run_kubectl)
            cache = {"KUBECACHEDIR": tempfile.mkdtemp(prefix="kdebug-bench-cache-")}
            get = ["get", "pods", "-n", NS, "-o", "wide"]
            run_kubectl(kubectl, sb.kubeconfig, get, timeout=300, env=cache)  # warm discovery
            for _ in range(args.runs):
                t0 = time.perf_counter()
                done = run_kubectl(kubectl, sb.kubeconfig, get, timeout=300, env=cache)
                ktimes.append(time.perf_counter() - t0)
                assert done.returncode == 0, done.stderr
                assert done.stdout.count("\n") == args.pods + 1

    med_full, med_frames = statistics.median(full), statistics.median(frames_only)
    print(f"{args.pods} pods ({len(sf)} containers), median of {args.runs} runs")
    print(f"engine list + both frames:  {med_full * 1000:8.1f} ms")
    print(f"  of which frames only:      {med_frames * 1000:8.1f} ms")
    if ktimes:
        med_k = statistics.median(ktimes)
        print(f"kubectl get pods -o wide:   {med_k * 1000:8.1f} ms ({kubectl})")
        print(f"ratio engine / kubectl: {med_full / med_k:.2f}")
    else:
        print("kubectl not found: no comparison")
    return 0


if __name__ == "__main__":
    sys.exit(main())
