"""One-shot debug: the engine versus ``kubectl debug`` + ``kubectl logs``.

Runs ``debug POD --image=busybox -- true`` N times through the engine (read,
patch, watch from the patch's resourceVersion, follow log: 4 requests) and the same with real kubectl the way a user
would get the output without ``-i``: ``kubectl debug ... -- true``, then
``kubectl get`` until the container has terminated, then ``kubectl logs``.
Prints median wall times, their ratio and the API requests each made (from
the sandbox's request log).

    python benchmarks/oneshot.py [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def _requests(records: list[Any]) -> list[str]:
    out = []
    for r in records:
        what = r.path.rsplit("/", 1)[-1]
        if "watch=true" in r.query:
            what += "?watch"
        out.append(f"{r.method} {what}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    from kubectl_bin import newest_kubectl_path, run_kubectl

    from kdebug_nb.engine import Session
    from kdebug_nb.engine.client import ClusterClient
    from kdebug_nb.engine.client.connection import Connection
    from kdebug_nb.engine.grammar import parse_args
    from kdebug_nb.sandbox.server import Sandbox

    with Sandbox() as sb:
        conn = Connection(str(sb.kubeconfig), sb.context)
        cc = ClusterClient(conn)
        run = Session(conn, record=False).run
        pod = "bench-target"
        cc.create_pod("default", {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": pod, "namespace": "default"},
            "spec": {"containers": [{"name": "app", "image": "busybox",
                                     "command": ["sh", "-c", "while true; do sleep 1; done"]}]},
        })
        for _kind, obj in cc.watch_pod("default", pod, deadline=time.monotonic() + 30):
            if (obj.get("status") or {}).get("phase") == "Running":
                break

        # warm-up: client load, connection pool, kubelet caches
        run(parse_args([pod, "--image=busybox", "-q", "--", "true"]))

        engine_times: list[float] = []
        engine_reqs: list[list[str]] = []
        for _ in range(args.runs):
            mark = time.monotonic()
            t0 = time.perf_counter()
            r = run(parse_args([pod, "--image=busybox", "-q", "--", "true"]))
            engine_times.append(time.perf_counter() - t0)
            assert r.exit_code == 0, r
            time.sleep(0.2)  # let streaming requests land in the log
            engine_reqs.append(_requests(sb.requests_since(mark)))

        kubectl = newest_kubectl_path()
        kubectl_times: list[float] = []
        kubectl_reqs: list[list[str]] = []
        if kubectl:
            # a fresh discovery cache, and only the sandbox's kubeconfig (run_kubectl)
            cache = {"KUBECACHEDIR": tempfile.mkdtemp(prefix="kdebug-bench-cache-")}

            def k(*a: str) -> subprocess.CompletedProcess[str]:
                return run_kubectl(kubectl, sb.kubeconfig, a, env=cache)

            k("get", "pods")  # warm the discovery cache
            for i in range(args.runs):
                name = f"kb{i}"
                mark = time.monotonic()
                t0 = time.perf_counter()
                done = k("debug", pod, "--image=busybox", "--profile=general", "-c", name, "-q",
                         "--", "true")
                assert done.returncode == 0, done.stderr
                jsonpath = (
                    '{.status.ephemeralContainerStatuses[?(@.name=="' + name + '")]'
                    ".state.terminated.exitCode}"
                )
                while not k("get", "pod", pod, "-o", f"jsonpath={jsonpath}").stdout.strip():
                    time.sleep(0.1)
                k("logs", pod, "-c", name)
                kubectl_times.append(time.perf_counter() - t0)
                time.sleep(0.2)
                kubectl_reqs.append(_requests(sb.requests_since(mark)))

    eng = statistics.median(engine_times)
    print(f"engine one-shot `true`:        median {eng * 1000:7.1f} ms over {args.runs} runs")
    print(f"  requests per run: {len(engine_reqs[-1])}  {json.dumps(Counter(engine_reqs[-1]))}")
    if kubectl_times:
        kub = statistics.median(kubectl_times)
        print(f"kubectl debug + get + logs:    median {kub * 1000:7.1f} ms ({kubectl})")
        print(f"  requests per run: {len(kubectl_reqs[-1])}  {json.dumps(Counter(kubectl_reqs[-1]))}")
        print(f"ratio engine / kubectl: {eng / kub:.2f} (time), "
              f"{len(engine_reqs[-1])} / {len(kubectl_reqs[-1])} (API requests)")
    else:
        print("kubectl not found: no comparison")
    return 0


if __name__ == "__main__":
    sys.exit(main())
