"""The plain-process fallback (``KDEBUG_SANDBOX_PIDNS=0``): said once, every feature still answers.

A ``kdebug-sandbox serve`` child with namespaces turned off, driven by real
kubectl. Where a machine forbids unprivileged user namespaces this is what
runs; here the switch forces it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubectl_bin import kubectl_path, run_kubectl

KUBECTL = kubectl_path()
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")


class Fallback:
    def __init__(self, proc: subprocess.Popen[str], kubeconfig: Path, banner: str) -> None:
        self.proc, self.kubeconfig, self.banner = proc, kubeconfig, banner

    def kubectl(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        assert KUBECTL is not None
        return run_kubectl(KUBECTL, self.kubeconfig, args, timeout=timeout,
                           env={"KUBECACHEDIR": str(self.kubeconfig.parent / "cache")})

    def wait_running(self, pod: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            out = self.kubectl("get", "pod", pod, "-o", "jsonpath={.status.phase}").stdout
            if out == "Running":
                return
            time.sleep(0.2)
        raise AssertionError(f"{pod} not Running")


@pytest.fixture(scope="module")
def fallback() -> Iterator[Fallback]:
    tmp = Path(tempfile.mkdtemp(prefix="kdebug-fallback-"))
    kubeconfig = tmp / "kubeconfig"
    env = dict(os.environ, KDEBUG_SANDBOX_PIDNS="0")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kdebug_nb.sandbox", "serve", "--kubeconfig", str(kubeconfig)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("Containers run as processes"):
            break
    try:
        yield Fallback(proc, kubeconfig, "".join(lines))
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_banner_says_containers_are_not_isolated(fallback: Fallback) -> None:
    assert "Containers: NOT isolated (KDEBUG_SANDBOX_PIDNS=0): containers are plain processes" in fallback.banner
    assert fallback.banner.count("NOT isolated") == 1


def test_a_pod_runs_and_execs_answer(fallback: Fallback) -> None:
    made = fallback.kubectl("run", "plain", "--image=busybox", "--", "sleep", "3600")
    assert made.returncode == 0, made.stderr
    fallback.wait_running("plain")
    out = fallback.kubectl("exec", "plain", "--", "sh", "-c", "echo hi; hostname; id")
    assert out.returncode == 0 and out.stdout.startswith("hi\n"), out.stdout + out.stderr
    if os.geteuid() == 0:
        assert "uid=65534" in out.stdout  # root's fallback runs containers as nobody


def test_processes_cannot_read_other_users_environments(fallback: Fallback) -> None:
    made = fallback.kubectl("run", "lister", "--image=debian", "--", "sleep", "3600")
    assert made.returncode == 0, made.stderr
    fallback.wait_running("lister")
    server = fallback.proc.pid
    out = fallback.kubectl("exec", "lister", "--", "ps", "axe", "-o", "pid,user,args")
    assert out.returncode == 0, out.stderr
    lines = {int(line.split()[0]): line for line in out.stdout.splitlines()[1:] if line.split()[0].isdigit()}
    if os.geteuid() == 0:
        # the sandbox is root; its containers are not: its environment stays hidden
        assert server in lines and "PATH=" not in lines[server]
    # whoever the sandbox is, its containers are not root: root's processes keep their environments
    root_owned = [line for line in lines.values() if line.split()[1] == "root"]
    assert root_owned and not any("PATH=" in line for line in root_owned)
    denied = fallback.kubectl("exec", "lister", "--", "cat", f"/proc/{server}/environ")
    if os.geteuid() == 0:
        assert denied.returncode != 0 and "Permission denied" in denied.stderr + denied.stdout


def test_run_as_non_root_is_still_refused(fallback: Fallback) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "rooty"}, "spec": {
        "securityContext": {"runAsNonRoot": True},
        "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "60"]}]}}
    path = fallback.kubeconfig.parent / "rooty.json"
    path.write_text(json.dumps(pod))
    assert fallback.kubectl("create", "-f", str(path)).returncode == 0
    deadline = time.monotonic() + 20
    reason = ""
    while time.monotonic() < deadline and reason != "CreateContainerConfigError":
        reason = fallback.kubectl(
            "get", "pod", "rooty", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.reason}").stdout
        time.sleep(0.2)
    assert reason == "CreateContainerConfigError"


def test_a_tty_is_a_terminal(fallback: Fallback) -> None:
    pexpect: Any = pytest.importorskip("pexpect")
    made = fallback.kubectl("run", "term", "--image=busybox", "--", "sleep", "3600")
    assert made.returncode == 0, made.stderr
    fallback.wait_running("term")
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    assert KUBECTL is not None
    child = pexpect.spawn(KUBECTL, ["--kubeconfig", str(fallback.kubeconfig), "exec", "-it", "term", "--", "sh"],
                          env=env, encoding="utf-8", timeout=30)
    try:
        child.expect(r"[#$] ")
        child.sendline("tty")
        child.expect(r"/dev/pts/\d+")
        child.sendline("exit 4")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 4
