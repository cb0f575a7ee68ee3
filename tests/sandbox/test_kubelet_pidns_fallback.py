"""``KDEBUG_SANDBOX_PIDNS``: the host fallback, and namespaces on when forced.

Each case runs a Cluster + Kubelet in a child interpreter (the mode is
decided once per interpreter), with no HTTP server: this is the runtime only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from kdebug_nb.sandbox.kubelet.namespaces import pid_namespace_reason, pid_namespaces

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, os
    from kdebug_nb.sandbox.cluster import Cluster
    from kdebug_nb.sandbox.kubelet import Kubelet
    from kdebug_nb.sandbox.kubelet.namespaces import init_command, pid_namespace_reason, pid_namespaces

    async def main():
        cluster = Cluster()
        cluster.put({"kind": "Node", "apiVersion": "v1", "metadata": {"name": "n"}})
        kubelet = Kubelet(cluster)
        kubelet.start()
        cmd = ["ps", "x", "-o", "pid,args"]
        cluster.put({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p", "namespace": "default"},
                     "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox", "command": cmd}]}})
        for _ in range(1000):
            pod = cluster.get("Pod", "default", "p")
            st = (pod.get("status") or {}).get("containerStatuses") or [{}]
            if "terminated" in st[0].get("state", {}):
                break
            await asyncio.sleep(0.01)
        runner = kubelet.worker("default", "p").runners["c"]
        pids = [line.split()[0] for line in runner.logs.current.text().splitlines()[1:]]
        out = {"mode": pid_namespaces(), "init": init_command()[-1], "reason": pid_namespace_reason(), "state": st[0]["state"],
               "sees_me": str(os.getpid()) in pids}
        await kubelet.shutdown()
        print(json.dumps(out))

    asyncio.run(main())
    """
)


def run(setting: str, init: str = "") -> dict[str, object]:
    env = dict(os.environ, KDEBUG_SANDBOX_PIDNS=setting, KDEBUG_SANDBOX_INIT=init)
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def test_off_runs_in_the_hosts_namespace() -> None:
    out = run("0")
    assert out["mode"] is False and out["reason"] == "KDEBUG_SANDBOX_PIDNS=0"
    assert out["state"]["terminated"]["exitCode"] == 0, out  # type: ignore[index]
    assert out["sees_me"] is True, "without namespaces ps shows the whole machine"


@pytest.mark.parametrize("init", ["perl", "python"])
def test_on_isolates(init: str) -> None:
    """Both inits: pidinit.pl (used when perl is installed) and pidinit.py."""
    if not pid_namespaces():
        pytest.skip(f"no PID namespaces on this machine ({pid_namespace_reason()})")
    if init == "perl" and shutil.which("perl") is None:
        pytest.skip("perl not installed")
    out = run("1", init)
    assert str(out["init"]).endswith({"perl": "pidinit.pl", "python": "pidinit.py"}[init]), out
    assert out["mode"] is True
    assert out["state"]["terminated"]["exitCode"] == 0, out  # type: ignore[index]
    assert out["sees_me"] is False
