"""The default scenario's stories, told with real kubectl: crashloops, distroless
logs, an interactive debug shell, and Pod Security in a restricted namespace."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from kubectl_bin import wait_until

Kubectl = Callable[..., Any]

RESTRICTED_POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "audited"},
    "spec": {
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": 1000,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [
            {
                "name": "app",
                "image": "busybox:1.36",
                "command": ["sh", "-c", "while true; do sleep 60; done"],
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "capabilities": {"drop": ["ALL"]},
                },
            }
        ],
    },
}


def one_container_pod(name: str, image: str, *, container: str = "") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [{"name": container or name, "image": image}]},
    }


def test_crasher_crashloops_and_keeps_its_previous_log(kubectl: Kubectl) -> None:
    def backing_off() -> bool:
        line = kubectl("get", "pod", "crasher", "--no-headers").stdout.split()
        return line[2] == "CrashLoopBackOff" and int(line[3]) >= 1

    wait_until(backing_off, what="crasher in CrashLoopBackOff")
    previous = kubectl("logs", "crasher", "--previous")
    assert previous.returncode == 0, previous.stderr
    assert previous.stdout == "starting\nfatal: /etc/crasher/config.yaml not found\n"
    state = json.loads(kubectl("get", "pod", "crasher", "-o", "json").stdout)["status"]
    last = state["containerStatuses"][0]["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (1, "Error")


def test_neato_logs_without_a_shell(kubectl: Kubectl) -> None:
    def logged() -> str:
        out: str = kubectl("logs", "neato").stdout
        return out

    assert wait_until(logged, what="neato's log").startswith("neato 1.0 listening on :8080")


def test_interactive_debug_shell(
    any_kubectl: Kubectl, running_pod: Callable[..., str], fresh_namespace: str
) -> None:
    """Alice's session: a shell in a debug container next to a distroless app."""
    ns = fresh_namespace
    running_pod(ns, one_container_pod("neato", "example.com/neato:1.0"))
    proc = any_kubectl(
        "debug", "-i", "-n", ns, "neato", "--image=busybox", "-c", "shell", "--profile=general",
        "--", "sh",
        input="echo hello from the debug container\nexit 0\n",
    )
    assert proc.returncode == 0, proc.stderr
    assert "hello from the debug container" in proc.stdout


def test_secure_namespace_refuses_a_root_pod(kubectl: Kubectl) -> None:
    name = f"root-{uuid.uuid4().hex[:5]}"
    proc = kubectl("run", name, "-n", "secure", "--image=busybox", "--", "sleep", "10")
    assert proc.returncode == 1
    assert f'pods "{name}" is forbidden: violates PodSecurity "restricted:latest"' in proc.stderr
    assert kubectl("get", "pod", "audited", "-n", "secure").returncode == 0


def test_restricted_namespace_needs_the_restricted_profile(
    kubectl: Kubectl, core_v1: Any, running_pod: Callable[..., str], fresh_namespace: str
) -> None:
    ns = fresh_namespace
    core_v1.patch_namespace(
        ns, {"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}
    )
    running_pod(ns, RESTRICTED_POD)
    refused = kubectl(
        "debug", "-n", ns, "audited", "--image=busybox", "-c", "gen", "--profile=general",
        "--", "true",
    )
    assert refused.returncode == 1
    assert 'violates PodSecurity "restricted:latest"' in refused.stderr
    allowed = kubectl(
        "debug", "-n", ns, "audited", "--image=busybox", "-c", "res", "--profile=restricted",
        "--", "true",
    )
    assert allowed.returncode == 0, allowed.stderr

    def finished() -> dict[str, Any] | None:
        pod = json.loads(kubectl("get", "pod", "-n", ns, "audited", "-o", "json").stdout)
        for status in pod["status"].get("ephemeralContainerStatuses", []):
            if status["name"] == "res":
                return status["state"].get("terminated")  # type: ignore[no-any-return]
        return None

    assert wait_until(finished, what="res to finish")["exitCode"] == 0


def test_dan_runs_autodiagnose(
    kubectl: Kubectl, running_pod: Callable[..., str], fresh_namespace: str
) -> None:
    """Technical support: the team's image, run with its own default command."""
    ns = fresh_namespace
    running_pod(ns, one_container_pod("web", "nginx:1.27", container="nginx"))
    proc = kubectl(
        "debug", "-n", ns, "web", "--image=k8s.gcr.io/autodiagnose", "-c", "diag",
        "--profile=general",
    )
    assert proc.returncode == 0, proc.stderr

    def diagnosis() -> str | None:
        out = kubectl("logs", "-n", ns, "web", "-c", "diag")
        return out.stdout if out.returncode == 0 and "problems found" in out.stdout else None

    out = wait_until(diagnosis, what="the diagnosis")
    assert out.startswith("autodiagnose 1.2: pod web\n")
    assert out.endswith("0 problems found\n")
