"""``KDEBUG_SANDBOX_PIDNS``: the host fallback, and namespaces on when forced.

Each case runs a Cluster + Kubelet in a child interpreter (the mode is
decided once per interpreter), with no HTTP server: this is the runtime only.
"""

from __future__ import annotations

import pytest
from kubelet_child import run_child

from kdebug_nb.sandbox.kubelet.namespaces import pid_namespace_reason, pid_namespaces

SCRIPT = """
from kdebug_nb.sandbox.kubelet.namespaces import pid_namespace_reason, pid_namespaces

async def main():
    cluster, kubelet = start_pod(["ps", "x", "-o", "pid,args"], restart_policy="Never")
    status = await wait_terminated(cluster, 1000)
    runner = kubelet.worker("default", "p").runners["c"]
    pids = [line.split()[0] for line in runner.logs.current.text().splitlines()[1:]]
    out = {"mode": pid_namespaces(), "reason": pid_namespace_reason(), "state": status["state"],
           "sees_me": str(os.getpid()) in pids}
    await kubelet.shutdown()
    print(json.dumps(out))
"""


def run(setting: str) -> dict[str, object]:
    return run_child(SCRIPT, KDEBUG_SANDBOX_PIDNS=setting)


def test_off_runs_in_the_hosts_namespace() -> None:
    out = run("0")
    assert out["mode"] is False and out["reason"] == "KDEBUG_SANDBOX_PIDNS=0"
    assert out["state"]["terminated"]["exitCode"] == 0, out  # type: ignore[index]
    assert out["sees_me"] is True, "without namespaces ps shows the whole machine"


def test_on_isolates() -> None:
    if not pid_namespaces():
        pytest.skip(f"no PID namespaces on this machine ({pid_namespace_reason()})")
    out = run("1")
    assert out["mode"] is True
    assert out["state"]["terminated"]["exitCode"] == 0, out  # type: ignore[index]
    assert out["sees_me"] is False
