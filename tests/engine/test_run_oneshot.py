"""One-shot runs through the engine against the sandbox over HTTP."""

from __future__ import annotations

import time
from typing import Any

from runtime_support import (
    ephemeral_names,
    make_pod,
    mutating_requests,
    on_output,
    pod_names,
    uid,
    wait_gone,
)

from kdebug_nb.engine import RunEvent, RunWaiting, Session, debug, run
from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection
from kdebug_nb.engine.grammar import parse_args


def test_echo_exit_zero_in_four_requests(
    sandbox: Any, conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    mark = time.monotonic()
    r = debug(pod, image="busybox", command=["echo", "hello"], namespace=fresh_namespace,
              connection=conn)
    assert r.exit_code == 0 and r.reason == "Completed"
    assert r.output == "hello\n"
    assert r.mode == "ephemeral" and r.container and r.container.startswith("debugger-")
    assert r.created == (f"pod/{pod} ephemeral container {r.container}",)
    assert r.started_at and r.finished_at and r.node
    # streamed requests are logged by the server when their response ends
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and len(sandbox.requests_since(mark)) < 4:
        time.sleep(0.02)
    calls = [(x.method, x.path.rsplit("/", 1)[-1], "watch=true" in x.query)
             for x in sandbox.requests_since(mark)]
    # read, patch, one watch from the PATCH's resourceVersion (kept open
    # across the run), log: nothing more
    assert sorted(calls) == sorted([
        ("GET", pod, False),
        ("PATCH", "ephemeralcontainers", False),
        ("GET", "pods", True),
        ("GET", "log", False),
    ]), calls
    watch = next(x for x in sandbox.requests_since(mark) if "watch=true" in x.query)
    assert "resourceVersion=" in watch.query
    assert calls[:2] == [("GET", pod, False), ("PATCH", "ephemeralcontainers", False)]


def test_exit_code_non_zero_and_stderr(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    r = debug(pod, image="busybox", command="sh -c 'echo out; echo oops >&2; exit 3'",
              namespace=fresh_namespace, connection=conn)
    assert r.exit_code == 3
    assert "out\n" in r.output and "oops\n" in r.output
    assert not r.ok
    assert r.events and all(e["involvedObject"]["name"] == pod for e in r.events)


def test_ten_megabytes_of_output(conn: Connection, cc: ClusterClient, fresh_namespace: str) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    chunks: list[str] = []
    r = debug(pod, image="busybox", command=["sh", "-c", "yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456 | head -c 10000000"],
              namespace=fresh_namespace, connection=conn, observer=on_output(chunks.append),
              timeout=60)
    assert r.exit_code == 0
    assert len(r.output) == 10_000_000
    assert "".join(chunks) == r.output
    assert len(chunks) > 1


def test_chunks_arrive_while_the_command_runs(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    arrivals: list[tuple[float, str]] = []
    t0 = time.monotonic()
    r = debug(pod, image="busybox", command=["sh", "-c", "echo first; sleep 3; echo last"],
              namespace=fresh_namespace, connection=conn,
              observer=on_output(lambda c: arrivals.append((time.monotonic() - t0, c))))
    total = time.monotonic() - t0
    assert r.output == "first\nlast\n" and r.exit_code == 0
    assert arrivals[0][1].startswith("first")
    assert total >= 3.0
    assert arrivals[0][0] < total - 2.0, arrivals  # the first line came well before the end


def test_stdin_is_sent_and_closed(conn: Connection, cc: ClusterClient, fresh_namespace: str) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    opts = parse_args([pod, "-n", fresh_namespace, "-i", "--image=busybox", "--", "sh", "-c",
                       "echo before; wc -l"])
    r = run(opts, connection=conn, stdin_data="one\ntwo\nthree\n")
    assert r.exit_code == 0
    assert r.output.split() == ["before", "3"]


def test_no_command_creates_and_returns(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    events: list[RunEvent] = []
    opts = parse_args([pod, "-n", fresh_namespace, "--image=busybox", "-c", "idle"])
    r = run(opts, connection=conn, observer=events.append)
    states = [e for e in events if isinstance(e, RunWaiting)]
    assert r.container == "idle"
    assert r.reason in ("Running", "Completed")
    assert "idle" in ephemeral_names(cc, fresh_namespace, pod)
    assert any(p.state in ("running", "terminated") for p in states)


def test_copy_mode_with_rm_leaves_nothing(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    copy = uid("copy")
    opts = parse_args([pod, "-n", fresh_namespace, f"--copy-to={copy}", "--image=busybox",
                       "--rm", "--", "echo", "from the copy"])
    r = run(opts, connection=conn)
    assert r.output == "from the copy\n" and r.exit_code == 0
    assert r.mode == "copy" and r.pod == copy
    assert r.deleted == (f"pod/{copy}",) and r.created == ()
    wait_gone(cc, fresh_namespace, copy)
    assert pod_names(cc, fresh_namespace) == {pod}


def test_node_mode_one_shot(conn: Connection, cc: ClusterClient, fresh_namespace: str) -> None:
    opts = parse_args(["node/node-1", "-n", fresh_namespace, "--image=busybox", "--rm",
                       "--profile=general", "--", "sh", "-c", "echo on $(hostname) ok"])
    r = run(opts, connection=conn)
    assert r.exit_code == 0 and r.output.endswith("ok\n")
    assert r.mode == "node" and r.node == "node-1"
    assert r.pod.startswith("node-debugger-node-1-")
    wait_gone(cc, fresh_namespace, r.pod)


def test_detach_sends_only_what_kubectl_sends(
    sandbox: Any, conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    mark = time.monotonic()
    opts = parse_args([pod, "-n", fresh_namespace, "--image=busybox", "--detach", "--",
                       "sleep", "5"])
    r = run(opts, connection=conn)
    assert r.still_running and r.exit_code is None
    calls = [(x.method, x.path) for x in sandbox.requests_since(mark)]
    base = f"/api/v1/namespaces/{fresh_namespace}/pods/{pod}"
    assert calls == [("GET", base), ("PATCH", base + "/ephemeralcontainers")]


def test_dry_run_sends_nothing(
    sandbox: Any, conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    before = len(sandbox.requests)
    opts = parse_args([pod, "-n", fresh_namespace, "--image=busybox", "--dry-run", "--",
                       "true"])
    body = Session(conn).dry_run(opts)[0]
    r = run(opts, connection=conn)
    assert r.reason == "DryRun" and r.sent is not None
    assert body["spec"]["ephemeralContainers"][0]["image"] == "busybox"
    assert mutating_requests(sandbox.requests[before:]) == []
    assert ephemeral_names(cc, fresh_namespace, pod) == []


def test_command_outliving_the_start_timeout_still_reports_its_exit(
    sandbox: Any, conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    # --timeout bounds the start only; the server ends the first watch at that
    # deadline and the engine resumes it to read the terminated state
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    mark = time.monotonic()
    r = debug(pod, image="busybox", command=["sh", "-c", "sleep 2.5; echo done; exit 5"],
              timeout=1, namespace=fresh_namespace, connection=conn)
    assert r.output == "done\n" and r.exit_code == 5 and r.reason == "Error"
    # the server logs a request when its response ends: for the resumed watch,
    # once it has seen the engine close the connection (just after debug returns)
    deadline = time.monotonic() + 2
    while True:
        watches = [x for x in sandbox.requests_since(mark) if "watch=true" in x.query]
        if len(watches) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert len(watches) >= 2, watches  # the one the server ended at the deadline, the resumed one


def test_stdin_data_without_dash_i(conn: Connection, cc: ClusterClient, fresh_namespace: str) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    r = debug(pod, image="busybox", command="sort", stdin_data="b\na\n", quiet=True,
              namespace=fresh_namespace, connection=conn)
    assert r.output == "a\nb\n" and r.exit_code == 0


def test_copy_of_a_restart_always_pod_reports_the_first_run(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]  # restartPolicy Always
    copy = uid("copy")
    opts = parse_args([pod, "-n", fresh_namespace, f"--copy-to={copy}", "--image=busybox",
                       "-q", "--rm", "--", "sh", "-c", "echo once; exit 2"])
    r = run(opts, connection=conn)
    assert r.exit_code == 2 and r.output == "once\n"
    assert r.deleted == (f"pod/{copy}",)
    wait_gone(cc, fresh_namespace, copy)
