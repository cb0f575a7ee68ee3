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
