"""The runtime without a local busybox: image tools fall back to host binaries.

Runs a Cluster + Kubelet in a child interpreter (the busybox choice is made
once per process), with no HTTP server: this is about the runtime only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import psutil
from kubelet_child import child_script, run_child

SCRIPT = """
from kdebug_nb.sandbox.kubelet.images import busybox_path

async def main():
    cmd = ["sh", "-c", "echo hi from $0; ls / > /dev/null && echo ls ok; wget --help >/dev/null 2>&1 || echo no wget"]
    cluster, kubelet = start_pod(cmd, restart_policy="Never")
    status = await wait_terminated(cluster, 500)
    runner = kubelet.worker("default", "p").runners["c"]
    out = {"busybox": busybox_path(), "state": status["state"], "log": runner.logs.current.text()}
    await kubelet.shutdown()
    print(json.dumps(out))
"""


def test_host_binaries_when_there_is_no_busybox() -> None:
    out: dict[str, Any] = run_child(SCRIPT, KDEBUG_SANDBOX_BUSYBOX="none")
    assert out["busybox"] is None
    assert out["state"]["terminated"]["exitCode"] == 0, out
    assert out["log"].startswith("hi from sh\nls ok\n")


ORPHAN = """
async def main():
    cluster, kubelet = start_pod(["sleep", "1000"])
    runner = await started_runner(kubelet)
    print(runner.process.pid, kubelet.runtime.root, flush=True)
    await asyncio.sleep(1000)
"""


def test_processes_die_with_a_killed_sandbox(wait_gone: Any) -> None:
    """SIGKILL skips atexit: the watchdog still stops the containers and cleans up."""
    proc = subprocess.Popen([sys.executable, "-c", child_script(ORPHAN)], stdout=subprocess.PIPE, text=True)
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
