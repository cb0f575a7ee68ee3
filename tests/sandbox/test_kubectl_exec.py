"""kubectl exec, delete, and image pull failures, as on a real cluster."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import psutil
import pytest
from kubectl_bin import wait_until

Kubectl = Callable[..., Any]


def wait_running(kubectl: Kubectl, name: str, *ns: str) -> None:
    def running() -> bool:
        proc = kubectl("get", "pod", name, *ns, "-o", "jsonpath={.status.phase}")
        return proc.stdout == "Running"

    wait_until(running, what=f"{name} Running")


def test_exec_echo_in_a_pod_with_a_shell(any_kubectl: Kubectl) -> None:
    wait_running(any_kubectl, "web")
    proc = any_kubectl("exec", "web", "-c", "log-shipper", "--", "echo", "hi")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "hi\n"


def test_exec_defaults_to_the_first_container(kubectl: Kubectl) -> None:
    wait_running(kubectl, "web")
    proc = kubectl("exec", "web", "--", "echo", "hi")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "hi\n"
    assert 'Defaulted container "nginx" out of: nginx, log-shipper' in proc.stderr


def test_exec_exit_code_is_kubectls(kubectl: Kubectl) -> None:
    wait_running(kubectl, "web")
    proc = kubectl("exec", "web", "-c", "log-shipper", "--", "sh", "-c", "exit 3")
    assert proc.returncode == 3
    assert "command terminated with exit code 3" in proc.stderr


def test_exec_sh_in_distroless_fails(any_kubectl: Kubectl) -> None:
    wait_running(any_kubectl, "neato")
    proc = any_kubectl("exec", "neato", "--", "sh")
    assert proc.returncode != 0
    assert 'exec: "sh": executable file not found in $PATH' in proc.stderr


def marked_processes(marker: str) -> list[int]:
    found = []
    for p in psutil.Process().children(recursive=True):
        try:
            if marker in " ".join(p.cmdline()):
                found.append(p.pid)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue  # it ended (or awaits its reaping) between the listing and the read
    return found


@pytest.mark.parametrize("force", [False, True], ids=["graceful", "force"])
def test_delete_pod_stops_its_processes(
    any_kubectl: Kubectl, fresh_namespace: str, force: bool
) -> None:
    ns = ("-n", fresh_namespace)
    marker = f"marker-{uuid.uuid4().hex[:8]}"
    script = f"trap 'exit 0' TERM; while true; do sleep 1; done # {marker}"
    created = any_kubectl("run", "doomed", *ns, "--image=busybox", "--", "sh", "-c", script)
    assert created.returncode == 0, created.stderr
    wait_running(any_kubectl, "doomed", *ns)
    assert marked_processes(marker), "the pod's shell should be running here"
    flags = ["--grace-period=0", "--force"] if force else []
    proc = any_kubectl("delete", "pod", "doomed", *ns, *flags, timeout=90)
    assert proc.returncode == 0, proc.stderr
    assert 'pod "doomed"' in proc.stdout and "deleted" in proc.stdout
    gone = any_kubectl("get", "pod", "doomed", *ns)
    assert gone.returncode == 1 and 'pods "doomed" not found' in gone.stderr
    wait_until(lambda: not marked_processes(marker), what="the pod's processes to end")


def test_unknown_image_never_runs(kubectl: Kubectl, fresh_namespace: str) -> None:
    ns = ("-n", fresh_namespace)
    ref = "registry.example.com/team/does-not-exist:1.0"
    proc = kubectl("run", "ghost", *ns, f"--image={ref}", "--restart=Never")
    assert proc.returncode == 0, proc.stderr
    seen: set[str] = set()

    def backing_off() -> bool:
        pod = json.loads(kubectl("get", "pod", "ghost", *ns, "-o", "json").stdout)
        assert pod["status"]["phase"] == "Pending"
        for status in pod["status"].get("containerStatuses", []):
            reason = status["state"].get("waiting", {}).get("reason")
            if reason:
                seen.add(reason)
        return "ImagePullBackOff" in seen

    wait_until(backing_off, what="ImagePullBackOff")
    assert seen <= {"ContainerCreating", "ErrImagePull", "ImagePullBackOff"}
    table = kubectl("get", "pod", "ghost", *ns).stdout
    assert "ErrImagePull" in table or "ImagePullBackOff" in table
    described = kubectl("describe", "pod", "ghost", *ns).stdout
    assert f'Failed to pull image "{ref}"' in described
    assert "Back-off pulling image" in described
