"""SIGTERM and SIGHUP end ``kdebug`` the way Ctrl-C does: ``--rm`` still deletes the copy.

Before (issue 8): either signal killed ``kdebug`` on the spot and the
``--copy-to`` copy kept running.
"""

from __future__ import annotations

import signal
import time
import uuid
from typing import Any

import pytest
from hang_support import LineReader, kdebug, stop_process

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT],
                         ids=["SIGTERM", "SIGHUP", "SIGINT"])
def test_signal_deletes_the_copy_with_rm(
    sandbox: Any, core_v1: Any, fresh_namespace: str, running_pod: Any, signum: int
) -> None:
    name = f"sig-{uuid.uuid4().hex[:6]}"
    running_pod(fresh_namespace, {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "app", "image": "busybox", "command": ["sleep", "3600"]}]},
    })
    copy = f"{name}-copy"
    proc = kdebug(sandbox.kubeconfig, name, "-n", fresh_namespace, f"--copy-to={copy}", "--rm",
                  "-c", "dbg", "--image=busybox", "--", "sh", "-c", "echo ready; exec sleep 600")
    try:
        LineReader(proc.stdout).wait_for("ready", timeout=60)
        proc.send_signal(signum)
        code = proc.wait(timeout=30)
        err = proc.stderr.read() if proc.stderr else ""
    finally:
        stop_process(proc)
    assert code == 130, err
    assert err == f"interrupted; pod/{copy} deleted (--rm)\n"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        names = [p.metadata.name for p in core_v1.list_namespaced_pod(fresh_namespace).items]
        if copy not in names:
            break
        time.sleep(0.1)
    assert copy not in names
