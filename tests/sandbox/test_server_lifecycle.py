"""Sandbox start/stop: port 0, idempotent stop, call(), failed starts, no processes left."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from kubectl_bin import sandbox_json

from kdebug_nb.sandbox.scenario import Scenario, ScenarioError
from kdebug_nb.sandbox.server import Sandbox, SandboxError


def empty() -> Scenario:
    return Scenario(name="empty", source="test")


def test_port_zero_serves_version_and_stop_is_idempotent() -> None:
    sb = Sandbox(empty()).start()
    try:
        assert sb.port > 0
        assert sb.url == f"https://127.0.0.1:{sb.port}"
        assert sb.running
        assert "gitVersion" in sandbox_json(sb, "/version")[1]
    finally:
        sb.stop()
    sb.stop()
    assert not sb.running
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", sb.port), timeout=2).close()


def test_context_manager_removes_its_temp_kubeconfig() -> None:
    with Sandbox(empty()) as sb:
        path = sb.kubeconfig
        assert path is not None and path.is_file()
        assert path.stat().st_mode & 0o077 == 0
    assert not path.exists()


def test_explicit_kubeconfig_path_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "conf" / "sandbox.yaml"
    with Sandbox(empty(), kubeconfig_path=target) as sb:
        assert sb.kubeconfig == target
    assert target.is_file()
    assert target.stat().st_mode & 0o777 == 0o600


def test_a_sandbox_starts_once() -> None:
    with Sandbox(empty()) as sb, pytest.raises(SandboxError, match="already started"):
        sb.start()


def test_call_runs_on_the_sandbox_thread(sandbox: Sandbox) -> None:
    name = sandbox.call(lambda: threading.current_thread().name)
    assert name.startswith("kdebug-sandbox-") and name != threading.current_thread().name

    async def count_nodes() -> int:
        return len(sandbox.cluster.list("Node"))

    assert sandbox.call(count_nodes) == 2


def test_call_on_a_stopped_sandbox_says_so() -> None:
    sb = Sandbox(empty())
    with pytest.raises(SandboxError, match="not running"):
        sb.call(lambda: None)


def test_port_in_use_is_a_one_line_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        sb = Sandbox(empty(), port=port)
        with pytest.raises(SandboxError, match=f"cannot listen on 127.0.0.1:{port}"):
            sb.start()
        sb.stop()


def test_a_pod_the_api_refuses_fails_start(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "pods:\n  - metadata: {name: noimage}\n    spec: {containers: [{name: c}]}\n"
    )
    sb = Sandbox(path)
    with pytest.raises(ScenarioError, match=r"pod default/noimage: .*image"):
        sb.start()
    sb.stop()


def test_repr_shows_scenario_and_url(sandbox: Sandbox) -> None:
    assert repr(sandbox) == f"<Sandbox scenario='default' {sandbox.url}>"


def test_default_scenario_objects_are_served(sandbox: Sandbox) -> None:
    nodes = sandbox_json(sandbox, "/api/v1/nodes")[1]
    assert [n["metadata"]["name"] for n in nodes["items"]] == ["node-1", "node-2"]
    pods = sandbox_json(sandbox, "/api/v1/namespaces/default/pods")[1]
    names = {p["metadata"]["name"] for p in pods["items"]}
    assert {"neato", "web", "api", "crasher"} <= names
    neato = next(p for p in pods["items"] if p["metadata"]["name"] == "neato")
    # defaulted exactly like an API create
    assert neato["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    assert neato["spec"]["restartPolicy"] == "Always"


def test_request_log_records_each_request(sandbox: Sandbox, core_v1: object) -> None:
    before = len(sandbox.requests)
    for _ in range(3):
        core_v1.list_namespaced_pod("kube-public")  # type: ignore[attr-defined]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        mine = [
            r
            for r in sandbox.requests[before:]
            if r.path == "/api/v1/namespaces/kube-public/pods" and r.method == "GET"
        ]
        if len(mine) == 3:
            break
        time.sleep(0.01)
    assert len(mine) == 3
    assert all(r.status == 200 and r.duration >= 0 for r in mine)
    assert {r.user for r in mine} == {"kubernetes-admin"}


# -- processes ----------------------------------------------------------------------

# Run in a fresh interpreter so the session sandbox's processes cannot be confused
# with these; the script reports the PIDs its sandbox started.
SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    import psutil
    from kdebug_nb.sandbox.server import Sandbox

    sb = Sandbox().start()

    def running():
        pod = sb.cluster.get("Pod", "default", "neato")
        return pod is not None and pod.get("status", {}).get("phase") == "Running"

    deadline = time.monotonic() + 30
    while not sb.call(running):
        assert time.monotonic() < deadline, "neato never ran"
        time.sleep(0.05)
    pids = [p.pid for p in psutil.Process().children(recursive=True)]
    print(json.dumps(pids), flush=True)
    if sys.argv[1] == "stop":
        sb.stop()
        left = [" ".join(p.cmdline())[:120] for p in psutil.Process().children(recursive=True)]
        print(json.dumps(left), flush=True)
    # "forget": leave it to atexit
    """
)


@pytest.mark.parametrize("how", ["stop", "forget"])
def test_no_process_outlives_the_sandbox(how: str, wait_gone: Callable[..., list[int]]) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, how], capture_output=True, text=True, timeout=90
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    started = json.loads(lines[0])
    assert started, "the default scenario should have started processes"
    if how == "stop":
        assert json.loads(lines[1]) == [], "processes left running after stop()"
    assert wait_gone(started) == []


def test_stop_from_the_sandbox_loop_is_refused(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError, match="own loop"):
        sandbox.call(sandbox.stop)
    assert sandbox.running


def test_works_from_inside_a_running_event_loop() -> None:
    """As in a Jupyter kernel: the caller's loop is running and must not be used."""
    import asyncio

    async def kernel_cell() -> str:
        caller = asyncio.get_running_loop()
        with Sandbox(empty()) as sb:
            assert sb.call(asyncio.get_running_loop) is not caller
            return str(sandbox_json(sb, "/version")[1]["gitVersion"])

    assert asyncio.run(kernel_cell()).startswith("v1.")


def test_stop_right_after_start_stops() -> None:
    for _ in range(5):
        sb = Sandbox(empty()).start()
        sb.stop()
        assert sb._thread is not None and not sb._thread.is_alive()


def test_requests_since_counts_arrival_not_completion(sandbox: Sandbox) -> None:
    from kubernetes import client, config, watch

    api = client.CoreV1Api(config.new_client_from_config(str(sandbox.kubeconfig),
                                                         context="kdebug-sandbox"))
    w = watch.Watch()
    stream = w.stream(api.list_namespaced_pod, "default", timeout_seconds=1,
                      _request_timeout=10)
    next(stream)  # the watch is open (its first ADDED arrived)
    mark = time.monotonic()
    api.read_namespace("default")
    for _ in stream:  # let the watch end: it is logged now, after the mark
        pass
    arrived = [(r.method, r.path) for r in sandbox.requests_since(mark)]
    assert arrived == [("GET", "/api/v1/namespaces/default")]
