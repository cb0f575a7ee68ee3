"""Run a Cluster + Kubelet in a child interpreter (no tests here).

Some runtime choices (busybox or host binaries, PID namespaces) are made once
per interpreter, so the tests that flip them run their scenario in a fresh
``python -c``. The scenario's body is a ``main()`` coroutine written against
the helpers in ``PRELUDE``; it prints its findings as JSON on its last line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

PRELUDE = textwrap.dedent(
    """
    import asyncio, json, os, sys
    from kdebug_nb.sandbox.store.cluster import Cluster
    from kdebug_nb.sandbox.kubelet import Kubelet

    def start_pod(command, *, restart_policy=None):
        # One node, its kubelet, and pod default/p whose container c runs command.
        cluster = Cluster()
        cluster.put({"kind": "Node", "apiVersion": "v1", "metadata": {"name": "n"}})
        kubelet = Kubelet(cluster)
        kubelet.start()
        spec = {"restartPolicy": restart_policy} if restart_policy else {}
        spec["containers"] = [{"name": "c", "image": "busybox", "command": command}]
        cluster.put({"kind": "Pod", "apiVersion": "v1",
                     "metadata": {"name": "p", "namespace": "default"}, "spec": spec})
        return cluster, kubelet

    async def started_runner(kubelet):
        # pod p's container c once its process exists (polls of 10 ms, 5 s at most)
        for _ in range(500):
            runner = kubelet.worker("default", "p").runners["c"]
            if runner.process is not None:
                return runner
            await asyncio.sleep(0.01)
        raise AssertionError("container c of pod p did not start within 5 s")

    async def wait_terminated(cluster, polls):
        # polls of 10 ms; the container's last status either way
        for _ in range(polls):
            pod = cluster.get("Pod", "default", "p")
            st = (pod.get("status") or {}).get("containerStatuses") or [{}]
            if "terminated" in st[0].get("state", {}):
                break
            await asyncio.sleep(0.01)
        return st[0]
    """
)


def child_script(main: str) -> str:
    """``PRELUDE``, the scenario's ``main()`` and the line that runs it."""
    return PRELUDE + textwrap.dedent(main) + "\nasyncio.run(main())\n"


def run_child(main: str, **env: str) -> dict[str, object]:
    """Run the scenario to its end with ``env`` added; its JSON findings."""
    proc = subprocess.run(
        [sys.executable, "-c", child_script(main)],
        capture_output=True,
        text=True,
        env=dict(os.environ, **env),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out
