"""Containers isolated like a kubelet's: image roots, pod hostname and network, security contexts.

All through real kubectl against the session sandbox, in fresh namespaces
with copies of the scenario's pods. Skipped (saying why) where the machine
forbids unprivileged namespaces; ``test_isolation_fallback.py`` covers that mode.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from kdebug_nb.sandbox.kubelet.namespaces import pid_namespace_reason, pid_namespaces

pytestmark = pytest.mark.skipif(not pid_namespaces(), reason=f"no namespaces here ({pid_namespace_reason()})")

Kubectl = Callable[..., Any]

WEB = {
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
    "spec": {"containers": [
        {"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80}]},
        {"name": "log-shipper", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 3600"]},
    ]},
}
NEATO = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "neato"},
         "spec": {"containers": [{"name": "neato", "image": "example.com/neato:1.0"}]}}
AUDITED = {
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "audited"},
    "spec": {
        "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{
            "name": "app", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 3600"],
            "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
        }],
    },
}


class Output:
    def __init__(self, stdout: str, code: int) -> None:
        self.stdout, self.stderr, self.code = stdout, "", code


def debug(kubectl: Kubectl, ns: str, pod: str, *args: str) -> Output:
    """``kubectl debug POD --image=busybox ARGS``, then its log once it ended
    (an attach can miss the output of a command that ends at once)."""
    name = f"dbg-{uuid.uuid4().hex[:6]}"
    made = kubectl("debug", "-n", ns, pod, "-c", name, "--image=busybox", *args)
    assert made.returncode == 0, made.stderr
    state: dict[str, Any] = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pod_json = json.loads(kubectl("get", "pod", "-n", ns, pod, "-o", "json").stdout)
        for status in pod_json["status"].get("ephemeralContainerStatuses") or ():
            if status["name"] == name:
                state = status["state"]
        if "terminated" in state:
            break
        time.sleep(0.2)
    assert "terminated" in state, state
    log = kubectl("logs", "-n", ns, pod, "-c", name).stdout
    return Output(log, state["terminated"]["exitCode"])


def run_in(kubectl: Kubectl, ns: str, pod: str, *command: str, container: str | None = None) -> Any:
    where = ["-c", container] if container else []
    return kubectl("exec", "-n", ns, pod, *where, "--", *command)


def test_busybox_root_holds_the_image_not_the_host(kubectl: Kubectl, running_pod: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    running_pod(ns, WEB)
    listing = run_in(kubectl, ns, "web", "ls", "/", container="log-shipper").stdout.split()
    assert "bin" in listing and "etc" in listing
    host_only = {n for n in os.listdir("/") if not n.startswith(".")} - {
        "bin", "dev", "etc", "home", "proc", "root", "run", "sbin", "sys", "tmp", "usr", "var", "lib", "lib64"}
    assert not host_only & set(listing), listing
    os_release = run_in(kubectl, ns, "web", "cat", "/etc/os-release", container="log-shipper").stdout
    assert 'NAME="busybox"' in os_release
    passwd = run_in(kubectl, ns, "web", "cat", "/etc/passwd", container="log-shipper").stdout
    assert passwd.startswith("root:x:0:0:")
    resolv = run_in(kubectl, ns, "web", "cat", "/etc/resolv.conf", container="log-shipper").stdout
    assert f"search {ns}.svc.cluster.local svc.cluster.local cluster.local" in resolv
    assert "options ndots:5" in resolv
    # the nginx image has the executables it lists, not busybox's
    assert run_in(kubectl, ns, "web", "ls", "/bin/busybox", container="nginx").returncode != 0


def test_hostname_is_the_pod_name(kubectl: Kubectl, running_pod: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    running_pod(ns, NEATO)
    out = debug(kubectl, ns, "neato", "--profile=general", "--", "hostname")
    assert out.stdout.strip().splitlines()[-1] == "neato", out.stdout + out.stderr


def test_debug_container_reaches_nginx_on_localhost_and_other_pods_by_ip(
    kubectl: Kubectl, running_pod: Any, fresh_namespace: str, core_v1: Any
) -> None:
    ns = fresh_namespace
    running_pod(ns, WEB)
    running_pod(ns, NEATO)
    page = debug(kubectl, ns, "web", "--profile=general", "--", "wget", "-qO-", "localhost:80")
    assert "<title>Welcome to nginx!</title>" in page.stdout, page.stdout + page.stderr
    ip = core_v1.read_namespaced_pod("web", ns).status.pod_ip
    seen = debug(kubectl, ns, "neato", "--profile=general", "--", "sh", "-c", f"ip -4 addr show eth0; wget -qO- {ip}:80")
    assert "<title>Welcome to nginx!</title>" in seen.stdout, seen.stdout + seen.stderr
    own_ip = core_v1.read_namespaced_pod("neato", ns).status.pod_ip
    assert f"inet {own_ip}/" in seen.stdout  # status.podIP is the address the pod has
    log = kubectl("logs", "-n", ns, "web", "-c", "nginx").stdout
    assert '"GET / HTTP/1.1" 200' in log


def test_target_proc_root_shows_the_targets_files(kubectl: Kubectl, running_pod: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    running_pod(ns, NEATO)
    out = debug(kubectl, ns, "neato", "--target=neato", "--profile=general", "--",
                "sh", "-c", "ps -o pid,args; cat /proc/1/root/etc/os-release; ls /proc/1/root")
    assert "/neato" in out.stdout
    assert 'NAME="example.com/neato"' in out.stdout, out.stdout + out.stderr
    assert "neato" in out.stdout.split()  # the distroless root holds its app
    assert "bin" not in out.stdout.split("PRETTY_NAME", 1)[-1].split()


def test_emptydir_is_shared_by_the_pods_containers(kubectl: Kubectl, running_pod: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    mount = [{"name": "shared", "mountPath": "/shared"}]
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "two"}, "spec": {
        "volumes": [{"name": "shared", "emptyDir": {}}],
        "containers": [
            {"name": "writer", "image": "busybox", "command": ["sh", "-c", "echo from-writer > /shared/note; sleep 3600"],
             "volumeMounts": mount},
            {"name": "reader", "image": "busybox", "command": ["sleep", "3600"], "volumeMounts": mount},
        ]}}
    running_pod(ns, pod)
    deadline = time.monotonic() + 10
    while (out := run_in(kubectl, ns, "two", "cat", "/shared/note", container="reader")).returncode and time.monotonic() < deadline:
        time.sleep(0.2)
    assert out.stdout.strip() == "from-writer"
    # each container's own layer is its own
    run_in(kubectl, ns, "two", "touch", "/mine", container="writer")
    assert run_in(kubectl, ns, "two", "ls", "/mine", container="reader").returncode != 0


def test_restricted_profile_runs_as_the_pods_user(kubectl: Kubectl, running_pod: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    running_pod(ns, AUDITED)
    out = debug(kubectl, ns, "audited", "--profile=restricted", "--", "sh", "-c", "id; ping -c1 -W1 127.0.0.1; echo ping=$?")
    assert "uid=1000" in out.stdout, out.stdout + out.stderr
    assert "ping=0" not in out.stdout  # no NET_RAW under drop: [ALL]
    assert "uid=1000" in run_in(kubectl, ns, "audited", "id").stdout


def test_netadmin_may_change_the_pods_routes(kubectl: Kubectl, running_pod: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    running_pod(ns, NEATO)
    script = "ip route add 192.0.2.0/24 dev lo && ip route show 192.0.2.0/24"
    general = debug(kubectl, ns, "neato", "--profile=general", "--", "sh", "-c", script)
    assert "192.0.2.0/24" not in general.stdout
    netadmin = debug(kubectl, ns, "neato", "--profile=netadmin", "--", "sh", "-c", script)
    assert "192.0.2.0/24 dev lo" in netadmin.stdout, netadmin.stdout + netadmin.stderr


def test_run_as_non_root_refuses_a_root_image(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "rooty"}, "spec": {
        "securityContext": {"runAsNonRoot": True},
        "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "60"]}]}}
    core_v1.create_namespaced_pod(ns, pod)
    deadline = time.monotonic() + 20
    waiting: dict[str, Any] = {}
    while time.monotonic() < deadline:
        raw = core_v1.read_namespaced_pod("rooty", ns, _preload_content=False)
        statuses = json.loads(raw.data).get("status", {}).get("containerStatuses") or [{}]
        waiting = statuses[0].get("state", {}).get("waiting") or {}
        if waiting.get("reason") == "CreateContainerConfigError":
            break
        time.sleep(0.1)
    uid = core_v1.read_namespaced_pod("rooty", ns).metadata.uid
    assert waiting == {
        "reason": "CreateContainerConfigError",
        "message": f'container has runAsNonRoot and image will run as root (pod: "rooty_{ns}({uid})", container: c)',
    }


def test_read_only_root_and_no_new_privs(kubectl: Kubectl, running_pod: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "ro"}, "spec": {"containers": [{
        "name": "c", "image": "busybox", "command": ["sleep", "3600"],
        "securityContext": {"readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False},
    }]}}
    running_pod(ns, pod)
    out = run_in(kubectl, ns, "ro", "sh", "-c", "touch /x; echo touch=$?; grep NoNewPrivs /proc/self/status")
    assert "touch=1" in out.stdout and "Read-only file system" in out.stdout + out.stderr
    assert "NoNewPrivs:\t1" in out.stdout
