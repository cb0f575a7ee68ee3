"""The runtime without a local busybox: image tools fall back to host binaries.

Runs a Cluster + Kubelet in a child interpreter (the busybox choice is made
once per process), with no HTTP server: this is about the runtime only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from typing import Any

import psutil

SCRIPT = textwrap.dedent(
    """
    import asyncio, json
    from kdebug_nb.sandbox.cluster import Cluster
    from kdebug_nb.sandbox.kubelet import Kubelet
    from kdebug_nb.sandbox.kubelet.images import busybox_path

    async def main():
        cluster = Cluster()
        cluster.put({"kind": "Node", "apiVersion": "v1", "metadata": {"name": "n"}})
        kubelet = Kubelet(cluster)
        kubelet.start()
        cmd = ["sh", "-c", "echo hi from $0; ls / > /dev/null && echo ls ok; wget --help >/dev/null 2>&1 || echo no wget"]
        cluster.put({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p", "namespace": "default"},
                     "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox", "command": cmd}]}})
        for _ in range(500):
            pod = cluster.get("Pod", "default", "p")
            st = (pod.get("status") or {}).get("containerStatuses") or [{}]
            if "terminated" in st[0].get("state", {}):
                break
            await asyncio.sleep(0.01)
        runner = kubelet.worker("default", "p").runners["c"]
        out = {"busybox": busybox_path(), "state": st[0]["state"], "log": runner.logs.current.text()}
        await kubelet.shutdown()
        print(json.dumps(out))

    asyncio.run(main())
    """
)


def test_host_binaries_when_there_is_no_busybox() -> None:
    env = dict(os.environ, KDEBUG_SANDBOX_BUSYBOX="none")
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["busybox"] is None
    assert out["state"]["terminated"]["exitCode"] == 0, out
    assert out["log"].startswith("hi from sh\nls ok\n")


ORPHAN = textwrap.dedent(
    """
    import asyncio, os, sys
    from kdebug_nb.sandbox.cluster import Cluster
    from kdebug_nb.sandbox.kubelet import Kubelet

    async def main():
        cluster = Cluster()
        cluster.put({"kind": "Node", "apiVersion": "v1", "metadata": {"name": "n"}})
        kubelet = Kubelet(cluster)
        kubelet.start()
        cluster.put({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p", "namespace": "default"},
                     "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sleep", "1000"]}]}})
        for _ in range(500):
            runner = kubelet.worker("default", "p").runners["c"]
            if runner.process is not None:
                break
            await asyncio.sleep(0.01)
        print(runner.process.pid, kubelet.runtime.root, flush=True)
        await asyncio.sleep(1000)

    asyncio.run(main())
    """
)


def test_processes_die_with_a_killed_sandbox(wait_gone: Any) -> None:
    """SIGKILL skips atexit: the watchdog still stops the containers and cleans up."""
    proc = subprocess.Popen([sys.executable, "-c", ORPHAN], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        pid_text, root = proc.stdout.readline().split()
        pid = int(pid_text)
        assert psutil.pid_exists(pid)
    finally:
        proc.kill()
        proc.wait()
    assert wait_gone([pid]) == []
    deadline = time.monotonic() + 5
    while os.path.exists(root) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(root)
