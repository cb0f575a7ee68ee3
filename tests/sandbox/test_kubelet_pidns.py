"""Process namespaces: what ``ps`` shows in a container, and PID 1's manners.

Kubernetes' rules: a container has a PID namespace of its own, unless the pod
shares one (``shareProcessNamespace``) or uses the host's (``hostPID``); an
ephemeral container with ``targetContainerName`` joins its target's. All of
it goes through the official client (and real kubectl for the KEP story).
Where the machine has no unprivileged user namespaces the sandbox falls back
to the host's namespace and these tests skip, saying why.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest
from kubectl_bin import wait_until
from kubernetes.stream import stream
from test_kubelet_support import create, make_pod, state_of, wait_pod, wait_state

from kdebug_nb.sandbox.kubelet.namespaces import pid_namespace_reason, pid_namespaces

pytestmark = pytest.mark.skipif(
    not pid_namespaces(), reason=f"no PID namespaces on this machine ({pid_namespace_reason()})"
)

PS = ["ps", "x", "-o", "pid,args"]


def sleeper(name: str, seconds: int) -> dict[str, Any]:
    return {"name": name, "image": "busybox", "command": ["sleep", str(seconds)]}


def run_exec(core_v1: Any, ns: str, pod: str, command: list[str], container: str | None = None) -> str:
    kw = {"container": container} if container else {}
    out: str = stream(
        core_v1.connect_get_namespaced_pod_exec, pod, ns, command=command,
        stdout=True, stderr=True, stdin=False, tty=False, **kw,
    )
    return out


def processes(ps_output: str) -> dict[int, str]:
    """pid -> command line, from ``ps -o pid,args``."""
    table = {}
    for line in ps_output.splitlines()[1:]:
        pid, _, args = line.strip().partition(" ")
        if pid.isdigit():
            table[int(pid)] = args.strip()
    return table


def add_ephemeral(core_v1: Any, ns: str, pod: str, container: dict[str, Any]) -> None:
    body = {"spec": {"ephemeralContainers": [container]}}
    core_v1.patch_namespaced_pod_ephemeralcontainers(pod, ns, body)


def ephemeral_log(core_v1: Any, ns: str, pod: str, name: str) -> str:
    def done(p: dict[str, Any]) -> bool:
        for s in p.get("status", {}).get("ephemeralContainerStatuses") or ():
            if s["name"] == name and "terminated" in s.get("state", {}):
                return True
        return False

    wait_pod(core_v1, ns, pod, done, what=f"{name} terminated")
    log: str = core_v1.read_namespaced_pod_log(pod, ns, container=name)
    return log


def test_a_pod_sees_only_its_own_processes(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    create(core_v1, ns, make_pod("one", [sleeper("c", 3601)]))
    create(core_v1, ns, make_pod("two", [sleeper("c", 3602)]))
    wait_state(core_v1, ns, "one", "c", "running")
    wait_state(core_v1, ns, "two", "c", "running")
    table = processes(run_exec(core_v1, ns, "one", PS))
    commands = " | ".join(table.values())
    assert "sleep 3601" in commands
    assert "sleep 3602" not in commands
    assert "pytest" not in commands and str(os.getpid()) not in map(str, table)
    # PID 1 is the container's init; the command is its child, with pids counted from 1
    assert 1 in table and max(table) < 50, table


def test_ephemeral_container_with_target_sees_the_targets_processes(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    create(core_v1, ns, make_pod("app", [sleeper("app", 3603)]))
    wait_state(core_v1, ns, "app", "app", "running")
    add_ephemeral(core_v1, ns, "app", {"name": "dbg", "image": "busybox", "command": PS, "targetContainerName": "app"})
    targeted = " | ".join(processes(ephemeral_log(core_v1, ns, "app", "dbg")).values())
    assert "sleep 3603" in targeted and "ps x" in targeted
    add_ephemeral(core_v1, ns, "app", {"name": "alone", "image": "busybox", "command": PS})
    alone = " | ".join(processes(ephemeral_log(core_v1, ns, "app", "alone")).values())
    assert "ps x" in alone and "sleep 3603" not in alone


def test_shared_process_namespace_pod(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    pod = make_pod("shared", [sleeper("a", 3604), sleeper("b", 3605)], shareProcessNamespace=True)
    create(core_v1, ns, pod)
    create(core_v1, ns, make_pod("other", [sleeper("c", 3606)]))
    wait_state(core_v1, ns, "shared", "a", "running")
    wait_state(core_v1, ns, "shared", "b", "running")
    wait_state(core_v1, ns, "other", "c", "running")
    for container in ("a", "b"):
        commands = " | ".join(processes(run_exec(core_v1, ns, "shared", PS, container)).values())
        assert "sleep 3604" in commands and "sleep 3605" in commands
        assert "sleep 3606" not in commands
    # an ephemeral container without a target sees the pod's shared namespace too
    add_ephemeral(core_v1, ns, "shared", {"name": "dbg", "image": "busybox", "command": PS})
    commands = " | ".join(processes(ephemeral_log(core_v1, ns, "shared", "dbg")).values())
    assert "sleep 3604" in commands and "sleep 3605" in commands


def test_host_pid_pod_sees_the_host(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    create(core_v1, ns, make_pod("node-debug", [sleeper("c", 3607)], hostPID=True))
    wait_state(core_v1, ns, "node-debug", "c", "running")
    table = processes(run_exec(core_v1, ns, "node-debug", PS))
    assert os.getpid() in table, "this test's own process is a host process"


def test_delete_does_not_wait_for_the_grace_period(core_v1: Any, fresh_namespace: str) -> None:
    """``sleep`` installs no SIGTERM handler: as PID 1 it would ignore TERM."""
    ns = fresh_namespace
    create(core_v1, ns, make_pod("quick", [sleeper("c", 3608)], terminationGracePeriodSeconds=30))
    wait_state(core_v1, ns, "quick", "c", "running")
    t0 = time.monotonic()
    core_v1.delete_namespaced_pod("quick", ns)
    deadline = t0 + 10
    while time.monotonic() < deadline:
        names = [p.metadata.name for p in core_v1.list_namespaced_pod(ns).items]
        if "quick" not in names:
            break
        time.sleep(0.02)
    assert time.monotonic() - t0 < 5


@pytest.mark.parametrize(
    ("script", "code"),
    # $$$$ is the pod spec spelling of the shell's $$ ($$ escapes $ in Kubernetes)
    [("true", 0), ("exit 3", 3), ("kill -KILL $$$$", 137), ("kill -TERM $$$$", 143)],
)
def test_exit_codes_are_preserved(core_v1: Any, fresh_namespace: str, script: str, code: int) -> None:
    ns = fresh_namespace
    create(core_v1, ns, make_pod("exits", [{"name": "c", "image": "busybox", "command": ["sh", "-c", script]}]))
    pod = wait_state(core_v1, ns, "exits", "c", "terminated")
    assert state_of(pod, "c")[1]["exitCode"] == code


def test_kill_1_from_inside_is_forwarded_to_the_command(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    create(core_v1, ns, make_pod("self", [sleeper("c", 3609)]))
    wait_state(core_v1, ns, "self", "c", "running")
    run_exec(core_v1, ns, "self", ["kill", "1"])
    pod = wait_state(core_v1, ns, "self", "c", "terminated")
    assert state_of(pod, "c")[1]["exitCode"] == 143


def test_kubectl_debug_target_story(kubectl: Any, core_v1: Any, fresh_namespace: str) -> None:
    """The KEP's headline: a debug container sharing a distroless app's processes."""
    ns = fresh_namespace
    create(core_v1, ns, make_pod("neato", [{"name": "neato", "image": "example.com/neato:1.0"}]))
    wait_state(core_v1, ns, "neato", "neato", "running")
    result = kubectl(
        "debug", "neato", "-n", ns, "--image=busybox", "--target=neato", "--profile=general",
        "-i", "--", "ps", "x", "-o", "pid,args",
    )
    assert "neato" in result.stdout.split("PID", 1)[-1], result.stdout + result.stderr
    pod = json.loads(kubectl("get", "pod", "neato", "-n", ns, "-o", "json").stdout)
    statuses = pod["status"]["ephemeralContainerStatuses"]
    assert statuses[0]["state"]["terminated"]["exitCode"] == 0


def test_host_path_at_host_in_a_host_pid_pod(core_v1: Any, fresh_namespace: str) -> None:
    """Node debugging: hostPath / at /host, in the image's root (bind mounts
    in the container's mount namespace; the machine's / is left alone)."""
    ns = fresh_namespace
    had_host = os.path.exists("/host")
    container = sleeper("c", 3610)
    container["volumeMounts"] = [{"name": "host-root", "mountPath": "/host"}]
    pod = make_pod("node-like", [container], hostPID=True, volumes=[{"name": "host-root", "hostPath": {"path": "/"}}])
    create(core_v1, ns, pod)
    wait_state(core_v1, ns, "node-like", "c", "running")
    listing = run_exec(core_v1, ns, "node-like", ["ls", "/host"]).split()
    assert {n for n in os.listdir("/") if not n.startswith(".")} <= set(listing)
    # the container's own / is its image's (plus /host), as on a node
    own = run_exec(core_v1, ns, "node-like", ["ls", "/"]).split()
    assert "host" in own and "bin" in own
    host_only = {n for n in os.listdir("/") if not n.startswith(".")} - set(own)
    assert host_only, f"the machine's own top-level directories should not show: {own}"
    # still the host's PID namespace
    assert os.getpid() in processes(run_exec(core_v1, ns, "node-like", PS))
    assert os.path.exists("/host") == had_host


def test_kubectl_debug_node_sees_host(kubectl: Any) -> None:
    before = {p["metadata"]["name"] for p in json.loads(kubectl("get", "pods", "-o", "json").stdout)["items"]}
    result = kubectl(
        "debug", "node/node-1", "--image=busybox", "--profile=general", "-i", "--",
        "sh", "-c", "ls /host; exit 5",
    )
    assert "node-debugger-node-1-" in result.stdout + result.stderr

    def failed_debuggers() -> list[dict[str, Any]]:
        # kubectl returns when the attach ends; the kubelet may not have
        # recorded the exit yet, so the phase is waited for, not read once
        pods = json.loads(kubectl("get", "pods", "-o", "json").stdout)["items"]
        return [p for p in pods if p["metadata"]["name"].startswith("node-debugger-node-1-")
                and p["metadata"]["name"] not in before and p["status"].get("phase") == "Failed"]

    mine = wait_until(failed_debuggers, what="the node debugger pod Failed")
    assert any(s["state"]["terminated"]["exitCode"] == 5 for p in mine for s in p["status"]["containerStatuses"])
    # what it listed, from its log: an attach made after a command this quick
    # has already printed sees nothing, here as on a cluster
    listed = kubectl("logs", mine[0]["metadata"]["name"]).stdout.split()
    assert "usr" in listed and "etc" in listed, listed
    for p in mine:
        kubectl("delete", "pod", p["metadata"]["name"], "--wait=false")
