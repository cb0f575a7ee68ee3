"""Deleting pods stops their processes; stopping the sandbox leaves nothing behind."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import psutil
import pytest
from kubernetes.client.exceptions import ApiException
from kubernetes.stream import stream
from test_kubelet_support import create, kubelet_pid, make_pod, pod_events, wait_state

from kdebug_nb.sandbox.kubelet.namespaces import pid_namespaces


def _wait_gone(core_v1: Any, ns: str, name: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            core_v1.read_namespaced_pod(name, ns, _preload_content=False)
        except ApiException as e:
            if e.status == 404:
                return
            raise
        time.sleep(0.02)
    raise AssertionError(f"{ns}/{name} still exists")


def _group(pid: int) -> list[int]:
    proc = psutil.Process(pid)
    return [pid, *(c.pid for c in proc.children(recursive=True))]


def test_delete_stops_every_process_of_the_pod(
    core_v1: Any, sandbox: Any, fresh_namespace: str, wait_gone: Callable[..., list[int]]
) -> None:
    ns = fresh_namespace
    cmd = ["sh", "-c", "sleep 1000 & sleep 1000 & wait"]
    spec = make_pod("busy", [{"name": "main", "image": "busybox", "command": cmd}], restartPolicy="Always")
    create(core_v1, ns, spec)
    wait_state(core_v1, ns, "busy", "main", "running")
    pid = kubelet_pid(sandbox, ns, "busy", "main")
    # sh and two sleeps, behind the holder and the namespace's init when there
    # are namespaces; behind the holder that makes them nobody in a root's fallback
    expected = 5 if pid_namespaces() else 4 if os.geteuid() == 0 else 3
    deadline = time.monotonic() + 5
    while len(_group(pid)) < expected and time.monotonic() < deadline:
        time.sleep(0.02)
    pids = _group(pid)
    assert len(pids) == expected
    # an exec session's process goes with the pod too
    ws = stream(core_v1.connect_get_namespaced_pod_exec, "busy", ns, command=["sleep", "1000"],
                stdout=True, stderr=True, stdin=False, tty=False, _preload_content=False)
    ws.update(0.2)
    core_v1.delete_namespaced_pod("busy", ns, grace_period_seconds=5)
    _wait_gone(core_v1, ns, "busy")
    assert wait_gone(pids) == []
    ws.run_forever(timeout=5)
    assert not ws.is_open()
    killing = [e for e in pod_events(core_v1, ns, "busy") if e["reason"] == "Killing"]
    assert killing and killing[0]["message"] == "Stopping container main"
    assert killing[0]["involvedObject"]["fieldPath"] == "spec.containers{main}"


def _running_stubborn_pod(core_v1: Any, sandbox: Any, ns: str, name: str) -> int:
    """Pod ``name`` whose container c ignores SIGTERM, running; its process's PID."""
    cmd = ["sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"]
    create(core_v1, ns, make_pod(name, [{"name": "c", "image": "busybox", "command": cmd}]))
    wait_state(core_v1, ns, name, "c", "running")
    return kubelet_pid(sandbox, ns, name, "c")


def test_grace_period_then_kill(
    core_v1: Any, sandbox: Any, fresh_namespace: str, wait_gone: Callable[..., list[int]]
) -> None:
    ns = fresh_namespace
    pid = _running_stubborn_pod(core_v1, sandbox, ns, "stubborn")
    t0 = time.monotonic()
    core_v1.delete_namespaced_pod("stubborn", ns, grace_period_seconds=1)
    _wait_gone(core_v1, ns, "stubborn")
    elapsed = time.monotonic() - t0
    assert 0.8 < elapsed < 5
    assert wait_gone([pid]) == []


def test_forced_delete_kills_at_once(
    core_v1: Any, sandbox: Any, fresh_namespace: str, wait_gone: Callable[..., list[int]]
) -> None:
    ns = fresh_namespace
    create(core_v1, ns, make_pod("quick", [{"name": "c", "image": "busybox", "command": ["sleep", "1000"]}]))
    wait_state(core_v1, ns, "quick", "c", "running")
    pid = kubelet_pid(sandbox, ns, "quick", "c")
    core_v1.delete_namespaced_pod("quick", ns, grace_period_seconds=0)
    _wait_gone(core_v1, ns, "quick", timeout=5)
    assert wait_gone([pid], timeout=3) == []


def test_stopping_the_sandbox_kills_everything(wait_gone: Callable[..., list[int]]) -> None:
    from kubernetes import config
    from kubernetes.client import CoreV1Api

    from kdebug_nb.sandbox.server import Sandbox

    sb = Sandbox().start()
    try:
        api = CoreV1Api(config.new_client_from_config(config_file=str(sb.kubeconfig), context=sb.context))
        create(api, "default", make_pod("lingering", [{"name": "c", "image": "busybox", "command": ["sleep", "1000"]}]))
        wait_state(api, "default", "lingering", "c", "running")
        wait_state(api, "default", "neato", "neato", "running")
        pids = [kubelet_pid(sb, "default", "lingering", "c"), kubelet_pid(sb, "default", "neato", "neato")]
        assert all(psutil.pid_exists(p) for p in pids)
    finally:
        t0 = time.monotonic()
        sb.stop()
    assert time.monotonic() - t0 < 10
    assert wait_gone(pids) == []


@pytest.mark.parametrize("grace", [3])
def test_a_server_exits_cleanly_on_term(
    core_v1: Any, sandbox: Any, fresh_namespace: str, grace: int
) -> None:
    ns = fresh_namespace
    create(core_v1, ns, make_pod("srv", [{"name": "app", "image": "example.com/neato:1.0"}]))
    wait_state(core_v1, ns, "srv", "app", "running")
    t0 = time.monotonic()
    core_v1.delete_namespaced_pod("srv", ns, grace_period_seconds=grace)
    _wait_gone(core_v1, ns, "srv")
    assert time.monotonic() - t0 < grace  # neato handles SIGTERM: no wait for the KILL


def test_forced_delete_overtakes_a_graceful_one(
    core_v1: Any, sandbox: Any, fresh_namespace: str, wait_gone: Callable[..., list[int]]
) -> None:
    ns = fresh_namespace
    pid = _running_stubborn_pod(core_v1, sandbox, ns, "slowpoke")
    core_v1.delete_namespaced_pod("slowpoke", ns, grace_period_seconds=60)
    t0 = time.monotonic()
    core_v1.delete_namespaced_pod("slowpoke", ns, grace_period_seconds=0)
    _wait_gone(core_v1, ns, "slowpoke", timeout=5)
    assert wait_gone([pid], timeout=3) == []
    assert time.monotonic() - t0 < 5
