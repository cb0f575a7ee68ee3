"""Interrupts, manifests from files, several targets, cleanup() and progress events."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from runtime_support import make_pod, on_output, pod_names, uid, wait_gone

from kdebug_nb import engine as api
from kdebug_nb import errors
from kdebug_nb.engine import RunEvent, RunNotice, RunWaiting, Session, run
from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection
from kdebug_nb.engine.grammar import parse_args


def test_keyboard_interrupt_stops_streaming_and_says_what_runs(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    seen: list[str] = []

    def interrupt_after_first_chunk(chunk: str) -> None:
        seen.append(chunk)
        if len(seen) == 1:
            # what Ctrl-C in a terminal or a kernel interrupt does to the main thread
            threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()

    t0 = time.monotonic()
    r = api.debug(pod, image="busybox", command="sh -c 'echo started; sleep 30'", c="long",
                  namespace=fresh_namespace, connection=conn,
                  observer=on_output(interrupt_after_first_chunk))
    assert time.monotonic() - t0 < 10
    assert r.interrupted and r.still_running and r.output == "started\n"
    line = r.status_line()
    assert "interrupted" in line
    assert f"kubectl logs {pod} -c long -n {fresh_namespace}" in line


def test_target_from_a_manifest_file(
    conn: Connection, cc: ClusterClient, fresh_namespace: str, tmp_path: Path, sandbox: object
) -> None:
    pod = make_pod(cc, fresh_namespace)
    manifest = tmp_path / "pod.json"
    manifest.write_text(json.dumps(pod))
    mark = time.monotonic()
    r = run(parse_args(["-f", str(manifest), "--image=busybox", "-q", "--", "echo", "from file"]),
            connection=conn)
    assert r.output == "from file\n" and r.pod == pod["metadata"]["name"]
    # the object from the file is the target: no GET of the pod before the PATCH
    first = sandbox.requests_since(mark)[0]
    assert (first.method, first.path.rsplit("/", 1)[-1]) == ("PATCH", "ephemeralcontainers")


def test_manifest_namespace_mismatch(conn: Connection, tmp_path: Path) -> None:
    manifest = tmp_path / "pod.yaml"
    manifest.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: prod}\n"
                        "spec: {containers: [{name: a, image: busybox}]}\n")
    with pytest.raises(errors.UsageError, match="does not match the namespace"):
        run(parse_args(["-f", str(manifest), "-n", "dev", "--image=busybox"]), connection=conn)


def test_unsupported_kind(conn: Connection) -> None:
    with pytest.raises(errors.UsageError, match="not supported by debug"):
        run(parse_args(["deployment/web", "--image=busybox"]), connection=conn)


def test_several_targets_in_turn(conn: Connection, cc: ClusterClient, fresh_namespace: str) -> None:
    a = make_pod(cc, fresh_namespace)["metadata"]["name"]
    b = make_pod(cc, fresh_namespace)["metadata"]["name"]
    results = Session(conn).run_all(parse_args([a, b, "-n", fresh_namespace, "-q",
                                                "--image=busybox", "--", "hostname"]))
    assert [r.pod for r in results] == [a, b]
    assert all(r.exit_code == 0 for r in results)
    with pytest.raises(errors.UsageError, match="2 targets given"):
        run(parse_args([a, b, "-n", fresh_namespace, "--image=busybox"]), connection=conn)


def test_cleanup_deletes_copies_this_process_made(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    copy = uid("copy")
    r = run(parse_args([pod, "-n", fresh_namespace, f"--copy-to={copy}", "--image=busybox",
                        "--detach", "--", "sleep", "60"]), connection=conn)
    assert r.created == (f"pod/{copy}",) and r.still_running
    deleted = api.cleanup(connection=conn)
    assert f"pod/{copy} -n {fresh_namespace}" in deleted
    wait_gone(cc, fresh_namespace, copy)
    assert pod_names(cc, fresh_namespace) == {pod}
    assert api.cleanup(connection=conn) == []


def test_progress_reports_each_step(conn: Connection, cc: ClusterClient, fresh_namespace: str) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    events: list[RunEvent] = []
    api.debug(pod, image="busybox", command=["true"], namespace=fresh_namespace,
              connection=conn, observer=events.append)
    steps = [e for e in events if isinstance(e, RunWaiting | RunNotice)]
    states = [e.state if isinstance(e, RunWaiting) else e.level for e in steps]
    # kubectl's order: read the target, say the generated name, then patch
    assert states[:3] == ["reading", "notice", "creating"], states
    assert isinstance(steps[1], RunNotice)
    assert steps[1].text.startswith("Defaulting debug container name to debugger-")
    for expected in ("reading", "creating", "running", "terminated"):
        assert expected in states, states
    assert type(events[0]).__name__ == "RunStarted" and type(events[-1]).__name__ == "RunFinished"
    assert len({e.run_id for e in events}) == 1
    waits = [e for e in steps if isinstance(e, RunWaiting)]
    assert all(b.elapsed >= a.elapsed for a, b in zip(waits, waits[1:], strict=False))


def test_python_keywords_mirror_the_flags(conn: Connection, cc: ClusterClient,
                                          fresh_namespace: str) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    copy = uid("copy")
    r = api.debug(pod, image="busybox", command="sh -c 'echo $A$B'", copy_to=copy,
                  env={"A": "x", "B": "y"}, profile="baseline", rm=True, quiet=True,
                  namespace=fresh_namespace, connection=conn)
    assert r.output == "xy\n" and r.mode == "copy"
    wait_gone(cc, fresh_namespace, copy)
    with pytest.raises(errors.UsageError, match="unknown flag"):
        api.debug(pod, image="busybox", no_such_flag=True, connection=conn)


def test_run_takes_a_command_line_and_refuses_other_things(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    r = run(f"{pod} -n {fresh_namespace} --image=busybox -q -- echo from a string", connection=conn)
    assert r.output == "from a string\n" and r.exit_code == 0
    with pytest.raises(TypeError, match=r"run\(\) takes DebugOptions or a kubectl-style string"):
        run(["neato", "--image=busybox"], connection=conn)  # type: ignore[arg-type]


def test_stop_event_ends_the_run_like_an_interrupt_and_rm_cleans_up(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    copy = uid("copy")
    stop = threading.Event()
    events: list[RunEvent] = []

    def observe(event: RunEvent) -> None:
        events.append(event)
        if type(event).__name__ == "RunOutput":
            stop.set()

    t0 = time.monotonic()
    r = Session(conn, record=False).run(
        f"{pod} -n {fresh_namespace} --copy-to={copy} --image=busybox --rm -q -- "
        "sh -c 'echo up; sleep 30'",
        stop=stop,
        observer=observe,
    )
    assert time.monotonic() - t0 < 10
    assert r.interrupted and r.output == "up\n" and r.deleted == (f"pod/{copy}",)
    assert type(events[-1]).__name__ == "RunInterrupted"
    wait_gone(cc, fresh_namespace, copy)


def test_run_timeout_from_python_keeps_an_ephemeral_container_running(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    t0 = time.monotonic()
    r = api.debug(pod, image="busybox", command="sh -c 'echo a; sleep 30'", c="bounded",
                  run_timeout=1.5, quiet=True, namespace=fresh_namespace, connection=conn)
    assert 1.5 <= time.monotonic() - t0 < 8
    assert r.reason == "RunTimeout" and r.still_running and not r.ok and r.output == "a\n"
    assert "--run-timeout 1.5s" in r.status_line()
    assert f"kubectl logs {pod} -c bounded -n {fresh_namespace}" in r.status_line()


def test_failures_are_events_too(conn: Connection) -> None:
    events: list[RunEvent] = []
    with pytest.raises(errors.UsageError):
        Session(conn, record=False).run("neato --image=busybox --rm", observer=events.append)
    assert [type(e).__name__ for e in events] == ["RunStarted", "RunFailed"]
