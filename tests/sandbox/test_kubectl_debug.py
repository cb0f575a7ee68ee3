"""``kubectl debug`` end to end against the sandbox, as the KEP's stories run it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kubectl_bin import KUBECTL_VERSIONS, kubectl_or_skip, run_kubectl, wait_until

from kdebug_nb.sandbox.scenario import load_scenario
from kdebug_nb.sandbox.server import Sandbox

Kubectl = Callable[..., Any]

NEATO = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "neato", "labels": {"app": "neato"}},
    "spec": {"containers": [{"name": "neato", "image": "example.com/neato:1.0"}]},
}


def pod_json(kubectl: Kubectl, *args: str) -> dict[str, Any]:
    proc = kubectl("get", "pod", *args, "-o", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_debug_ephemeral_then_logs(
    any_kubectl: Kubectl, running_pod: Callable[..., str], fresh_namespace: str
) -> None:
    ns = fresh_namespace
    pod = running_pod(ns, NEATO)
    proc = any_kubectl(
        "debug", "-n", ns, pod, "--image=busybox", "-c", "dbg", "--profile=general",
        "--", "echo", "hi",
    )
    assert proc.returncode == 0, proc.stderr

    def terminated() -> dict[str, Any] | None:
        for status in pod_json(any_kubectl, "-n", ns, pod)["status"].get(
            "ephemeralContainerStatuses", []
        ):
            if status["name"] == "dbg":
                return status["state"].get("terminated")  # type: ignore[no-any-return]
        return None

    assert wait_until(terminated, what="dbg to terminate")["exitCode"] == 0
    logs = any_kubectl("logs", "-n", ns, pod, "-c", "dbg")
    assert logs.returncode == 0, logs.stderr
    assert logs.stdout == "hi\n"
    spec = pod_json(any_kubectl, "-n", ns, pod)["spec"]["ephemeralContainers"]
    assert [(c["name"], c["image"], c["command"]) for c in spec] == [
        ("dbg", "busybox", ["echo", "hi"])
    ]


def test_debug_copy_to(
    any_kubectl: Kubectl, running_pod: Callable[..., str], fresh_namespace: str
) -> None:
    ns = fresh_namespace
    pod = running_pod(ns, NEATO)
    proc = any_kubectl(
        "debug", "-n", ns, pod, "--copy-to=neato-copy", "--image=busybox",
        "--profile=general", "--", "true",
    )
    assert proc.returncode == 0, proc.stderr
    copy = pod_json(any_kubectl, "-n", ns, "neato-copy")
    containers = copy["spec"]["containers"]
    assert containers[0]["name"] == "neato"
    assert containers[1]["image"] == "busybox" and containers[1]["command"] == ["true"]
    # the general profile shares the process namespace and drops labels (no --keep-labels)
    assert copy["spec"]["shareProcessNamespace"] is True
    assert "app" not in copy["metadata"].get("labels", {})

    def debugger_exited() -> bool:
        statuses = pod_json(any_kubectl, "-n", ns, "neato-copy")["status"].get(
            "containerStatuses", []
        )
        debugger = [s for s in statuses if s["name"] == containers[1]["name"]]
        # the copy keeps restartPolicy Always, so `true` is restarted as on a real cluster
        return bool(debugger) and debugger[0]["lastState"].get("terminated", {}).get("exitCode") == 0

    wait_until(debugger_exited, what="the copy's debug container to run `true`")


def test_debug_node(any_kubectl: Kubectl, fresh_namespace: str) -> None:
    ns = fresh_namespace
    proc = any_kubectl(
        "debug", "-n", ns, "node/node-1", "--image=busybox", "--profile=general", "--", "true"
    )
    assert proc.returncode == 0, proc.stderr
    assert "Creating debugging pod node-debugger-node-1-" in proc.stdout
    name = proc.stdout.split("Creating debugging pod ")[1].split()[0]

    def finished() -> dict[str, Any] | None:
        pod = pod_json(any_kubectl, "-n", ns, name)
        return pod if pod["status"].get("phase") == "Succeeded" else None

    pod = wait_until(finished, what=f"{name} Succeeded")
    assert pod["spec"]["nodeName"] == "node-1"
    assert pod["spec"]["hostPID"] is True and pod["spec"]["hostNetwork"] is True
    assert pod["spec"]["restartPolicy"] == "Never"


@pytest.fixture(scope="module")
def tls_sandbox() -> Iterator[Sandbox]:
    """The default scenario's users and neato alone (a sandbox serves https, so kubectl sends tokens)."""
    scenario = load_scenario("default")
    scenario.pods = [p for p in scenario.pods if p["metadata"]["name"] == "neato"]
    with Sandbox(scenario) as sb:
        yield sb


@pytest.mark.parametrize("which", KUBECTL_VERSIONS)
def test_viewer_may_not_debug(
    which: str, tls_sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> None:
    binary = kubectl_or_skip(which)
    assert tls_sandbox.kubeconfig is not None
    cache = {"KUBECACHEDIR": str(tmp_path_factory.mktemp("cache"))}

    def viewer(*args: str) -> Any:
        return run_kubectl(
            binary, tls_sandbox.kubeconfig, ["--token=viewer-token", *args], env=cache
        )

    proc = viewer("debug", "neato", "--image=busybox", "--profile=general", "--", "true")
    assert proc.returncode == 1
    assert "Error from server (Forbidden)" in proc.stderr
    assert (
        'User "viewer" cannot patch resource "pods/ephemeralcontainers" in API group "" '
        'in the namespace "default"'
    ) in proc.stderr
    # ...while reading is fine
    assert viewer("get", "pod", "neato").returncode == 0


@pytest.fixture(scope="module")
def locked_down() -> Iterator[Sandbox]:
    with Sandbox("locked-down") as sb:
        yield sb


@pytest.mark.parametrize("which", KUBECTL_VERSIONS)
def test_locked_down_refuses_ephemeral_containers(
    which: str, locked_down: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> None:
    binary = kubectl_or_skip(which)
    assert locked_down.kubeconfig is not None
    cache = {"KUBECACHEDIR": str(tmp_path_factory.mktemp("cache"))}

    def debug(*args: str) -> Any:
        return run_kubectl(
            binary,
            locked_down.kubeconfig,
            ["debug", "neato", "--image=busybox", "--profile=general", *args, "--", "true"],
            env=cache,
        )

    proc = debug("-c", f"dbg-{uuid.uuid4().hex[:4]}")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ephemeral containers are disabled for this cluster")
    # copy mode does not need them
    proc = debug(f"--copy-to=neato-copy-{which.replace('.', '')}")
    assert proc.returncode == 0, proc.stderr


def test_logs_follow_ends_with_the_debug_container(
    kubectl: Kubectl, running_pod: Callable[..., str], fresh_namespace: str
) -> None:
    ns = fresh_namespace
    pod = running_pod(ns, NEATO)
    proc = kubectl(
        "debug", "-n", ns, pod, "--image=busybox", "-c", "slow", "--profile=general",
        "--", "sh", "-c", "echo one; sleep 1; echo two",
    )
    assert proc.returncode == 0, proc.stderr

    def started() -> bool:
        statuses = pod_json(kubectl, "-n", ns, pod)["status"].get("ephemeralContainerStatuses", [])
        return any(s["name"] == "slow" and "waiting" not in s["state"] for s in statuses)

    wait_until(started, what="slow to start")
    followed = kubectl("logs", "-f", "-n", ns, pod, "-c", "slow", timeout=30)
    assert followed.returncode == 0, followed.stderr
    assert followed.stdout == "one\ntwo\n"
