"""Containers' holders come from the fork server (``kubelet/forkserver.py``).

The server is what makes a container start cost a fork instead of an
interpreter (``benchmarks/fleet.py``); these tests hold it to what starting
``ctrinit.py`` directly gave: the container's output, exit code and process
group, and a kubelet that still starts containers, and reports the ones it
had, when the server is killed.
"""

from __future__ import annotations

from typing import Any

import pytest
from kubelet_child import run_child

from kdebug_nb.sandbox.kubelet.namespaces import pid_namespace_reason, pid_namespaces

pytestmark = pytest.mark.skipif(not pid_namespaces(), reason=f"containers are not isolated here: {pid_namespace_reason()}")

FORKED = """
import psutil

async def main():
    cmd = ["sh", "-c", "echo out; echo err >&2; exit 7"]
    cluster, kubelet = start_pod(cmd, restart_policy="Never")
    runner = await started_runner(kubelet)
    holder = runner.process.pid
    parent = psutil.Process(holder).ppid() if psutil.pid_exists(holder) else None
    status = await wait_terminated(cluster, 1000)
    out = {"server": kubelet.runtime.forkserver.pid, "parent": parent,
           "state": status["state"], "log": runner.logs.current.text()}
    await kubelet.shutdown()
    out["server_alive"] = psutil.pid_exists(out["server"]) and psutil.Process(out["server"]).status() != "zombie"
    print(json.dumps(out))
"""


def test_a_container_is_forked_by_the_server() -> None:
    out: dict[str, Any] = run_child(FORKED)
    assert out["server"] is not None
    assert out["parent"] in (out["server"], None)  # None: it had already exited
    assert out["state"]["terminated"]["exitCode"] == 7
    assert sorted(out["log"].splitlines()) == ["err", "out"]
    assert out["server_alive"] is False  # stopped with the kubelet


SERVER_KILLED = """
import signal

async def main():
    cluster, kubelet = start_pod(["sleep", "1000"], restart_policy="Never")
    runner = await started_runner(kubelet)
    os.kill(kubelet.runtime.forkserver.pid, signal.SIGKILL)
    first = await wait_terminated(cluster, 1000)
    cluster.put({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "q", "namespace": "default"},
                 "spec": {"restartPolicy": "Never",
                          "containers": [{"name": "c", "image": "busybox", "command": ["echo", "still here"]}]}})
    for _ in range(1000):
        st = (cluster.get("Pod", "default", "q").get("status") or {}).get("containerStatuses") or [{}]
        if "terminated" in st[0].get("state", {}):
            break
        await asyncio.sleep(0.01)
    log = kubelet.worker("default", "q").runners["c"].logs.current.text()
    await kubelet.shutdown()
    print(json.dumps({"first": first["state"], "second": st[0]["state"], "log": log}))
"""


def test_a_killed_server_ends_its_containers_and_the_next_start_without_it() -> None:
    out: dict[str, Any] = run_child(SERVER_KILLED)
    assert out["first"]["terminated"]["exitCode"] == 137  # killed: no one can tell its exit any more
    assert out["second"]["terminated"]["exitCode"] == 0, out
    assert out["log"] == "still here\n"
