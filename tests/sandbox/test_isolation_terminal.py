"""Interactive terminals: real ``kubectl exec -it`` and ``kubectl debug -it`` driven through a pty.

The sandbox gives a ``tty: true`` process a pseudo-terminal of the
container's own (``kubelet/terminal.py``): a prompt, echo, Ctrl-C to the
foreground process, resizes, and ``exit N`` ending the session with N.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

import pytest

from kdebug_nb.sandbox.kubelet.namespaces import pid_namespace_reason, pid_namespaces

pexpect = pytest.importorskip("pexpect")

Kubectl = Callable[..., Any]
PROMPT = r"[#$] "
NEATO = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "neato"},
         "spec": {"containers": [{"name": "neato", "image": "example.com/neato:1.0"}]}}
SHELL = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
         "spec": {"containers": [{"name": "log-shipper", "image": "busybox:1.36", "command": ["sleep", "3600"]}]}}


def spawn(kubectl: Kubectl, sandbox: Any, *args: str) -> Any:
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    child = pexpect.spawn(
        kubectl.binary, ["--kubeconfig", str(sandbox.kubeconfig), *args],
        env=env, encoding="utf-8", timeout=30, dimensions=(24, 80),
    )
    return child


def test_exec_it_is_a_terminal(kubectl: Kubectl, sandbox: Any, running_pod: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    running_pod(ns, SHELL)
    child = spawn(kubectl, sandbox, "exec", "-it", "-n", ns, "web", "-c", "log-shipper", "--", "sh")
    try:
        child.expect(PROMPT)
        child.sendline("tty")
        child.expect(r"/dev/pts/\d+")
        child.expect(PROMPT)
        child.setwinsize(30, 100)
        time.sleep(0.3)  # kubectl forwards SIGWINCH's size on the resize channel
        child.sendline("stty size")
        child.expect("30 100")
        child.expect(PROMPT)
        child.sendline("sleep 100")
        time.sleep(0.5)
        t0 = time.monotonic()
        child.sendcontrol("c")
        child.expect(PROMPT)
        assert time.monotonic() - t0 < 5  # Ctrl-C ended the foreground sleep, not the shell
        child.sendline("exit 3")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 3


@pytest.mark.skipif(not pid_namespaces(), reason=f"no namespaces here ({pid_namespace_reason()})")
def test_debug_it_target_shows_the_targets_root(
    kubectl: Kubectl, sandbox: Any, running_pod: Any, fresh_namespace: str, core_v1: Any
) -> None:
    ns = fresh_namespace
    running_pod(ns, NEATO)
    child = spawn(kubectl, sandbox, "debug", "-n", ns, "neato", "-it", "--image=busybox", "--target=neato",
                  "--profile=general", "-c", "dbg")
    try:
        child.expect(PROMPT)
        child.sendline("ps")
        child.expect("/neato")
        child.expect(PROMPT)
        child.sendline("cat /proc/1/root/etc/os-release")
        child.expect('NAME="example.com/neato"')
        child.expect(PROMPT)
        child.sendline("hostname")
        child.expect("neato")
        child.expect(PROMPT)
        child.sendline("exit 3")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    deadline = time.monotonic() + 20
    state: dict[str, Any] = {}
    while time.monotonic() < deadline and "terminated" not in state:
        raw = json.loads(core_v1.read_namespaced_pod("neato", ns, _preload_content=False).data)
        state = next((s["state"] for s in raw["status"].get("ephemeralContainerStatuses") or () if s["name"] == "dbg"), {})
        time.sleep(0.1)
    assert state["terminated"]["exitCode"] == 3
