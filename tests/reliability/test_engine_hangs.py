"""A server that stops answering ends a run within ``--request-timeout``; one that goes away says so.

Before (issue 8): a server that accepted connections and never answered held
``kdebug`` 120 s whatever ``--timeout`` said; a server frozen during a
silent command held it forever (the log follow had no read timeout); a
killed one ended it with ``invalid literal for int() with base 16: b''``.
Each case here is a real server: a tarpit socket, or a ``kdebug-sandbox
serve`` process frozen with SIGSTOP, stopped with SIGTERM or killed.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hang_support import (
    LineReader,
    ServedSandbox,
    kdebug,
    served_sandbox,
    stop_process,
    target_pod,
    tarpit,
    tarpit_kubeconfig,
)

from kdebug_nb.engine import (
    Connection,
    ConnectionFailed,
    RunEvent,
    RunOutput,
    RunWaiting,
    Session,
)

#: --request-timeout of these runs, seconds
RT = 2.0
#: what a run may take beyond it: a loaded 2-core machine, thread wake-ups
MARGIN = 1.5

pytestmark = pytest.mark.timeout(90)


def core_v1(kubeconfig: Path) -> Any:
    from kubernetes import client, config

    return client.CoreV1Api(config.new_client_from_config(config_file=str(kubeconfig)))


def wait_running(api: Any, name: str, container: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pod = api.read_namespaced_pod(name, "default")
        statuses = [*(pod.status.init_container_statuses or []), *(pod.status.container_statuses or [])]
        if any(s.name == container and s.state.running for s in statuses):
            return
        time.sleep(0.1)
    raise AssertionError(f"{container} of pod/{name} did not run within {timeout}s")


def run_until_frozen(
    sb: ServedSandbox, line: str, freeze_when: Callable[[RunEvent], bool]
) -> tuple[BaseException | None, float]:
    """Run ``line`` in-process with --request-timeout RT; freeze the server at the event
    ``freeze_when`` picks. Return the run's error and seconds from the freeze to its end."""
    session = Session(Connection(str(sb.kubeconfig), request_timeout=RT))
    frozen_at: list[float] = []

    def observe(event: RunEvent) -> None:
        if not frozen_at and freeze_when(event):
            frozen_at.append(sb.freeze())

    session.subscribe(observe)
    error: BaseException | None = None
    try:
        session.run(line)
    except Exception as exc:  # the assertions say which error is right
        error = exc
    ended = time.monotonic()
    assert frozen_at, "the run ended before the server was frozen"
    return error, ended - frozen_at[0]


def assert_unresponsive(error: BaseException | None) -> None:
    assert isinstance(error, ConnectionFailed), repr(error)
    text = error.one_line()
    assert "\n" not in text
    assert "did not answer within 2s (--request-timeout)" in text, text


# -- a tarpit: connections accepted, nothing ever answered --------------------


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_tarpit_ends_a_run_within_the_request_timeout(tmp_path: Path, scheme: str) -> None:
    with tarpit() as port:
        kubeconfig = tarpit_kubeconfig(tmp_path / "kc", port, scheme)
        session = Session(Connection(str(kubeconfig), request_timeout=RT))
        t0 = time.monotonic()
        with pytest.raises(ConnectionFailed) as info:
            session.run("mypod --image=busybox -- true")
        took = time.monotonic() - t0
    assert took < RT + MARGIN, f"{took:.2f}s"
    assert info.value.one_line() == (
        f"the Kubernetes API server at {scheme}://127.0.0.1:{port} did not answer within 2s "
        "(--request-timeout) — is the cluster running? A busy one may need a longer "
        "--request-timeout"
    )


def test_tarpit_ends_the_kdebug_command_with_one_line(tmp_path: Path) -> None:
    with tarpit() as port:
        kubeconfig = tarpit_kubeconfig(tmp_path / "kc", port, "https")
        proc = kdebug(kubeconfig, "mypod", "--request-timeout=2s", "--image=busybox", "--", "true")
        try:
            _out, err = proc.communicate(timeout=30)
        finally:
            stop_process(proc)
    assert proc.returncode == 1
    assert err.count("\n") == 1, err
    assert err.startswith(f"error: the Kubernetes API server at https://127.0.0.1:{port} did not answer "
                          "within 2s (--request-timeout)"), err


# -- a sandbox frozen with SIGSTOP mid-run -------------------------------------


@pytest.fixture
def frozen_sandbox(tmp_path: Path) -> Iterator[ServedSandbox]:
    with served_sandbox(tmp_path) as sb:
        yield sb


def test_frozen_while_the_debug_container_waits_to_start(frozen_sandbox: ServedSandbox) -> None:
    sb = frozen_sandbox
    api = core_v1(sb.kubeconfig)
    name = f"slow-{uuid.uuid4().hex[:6]}"
    api.create_namespaced_pod("default", target_pod(name, init_sleep=600))
    # the copy keeps the init container, so its debug container waits behind it on a silent watch
    error, took = run_until_frozen(
        sb,
        f"{name} --copy-to={name}-copy -c dbg --image=busybox -- echo never",
        lambda e: isinstance(e, RunWaiting) and e.state == "waiting",
    )
    assert_unresponsive(error)
    assert took < RT + MARGIN, f"{took:.2f}s"


def test_frozen_while_a_silent_command_runs(frozen_sandbox: ServedSandbox) -> None:
    sb = frozen_sandbox
    api = core_v1(sb.kubeconfig)
    name = f"quiet-{uuid.uuid4().hex[:6]}"
    api.create_namespaced_pod("default", target_pod(name))
    wait_running(api, name, "app")
    error, took = run_until_frozen(
        sb,
        f"{name} -c dbg --image=busybox -- sh -c 'echo ready; exec sleep 600'",
        lambda e: isinstance(e, RunOutput) and "ready" in e.text,
    )
    assert_unresponsive(error)
    assert took < RT + MARGIN, f"{took:.2f}s"
    # the error says what the run left behind: the ephemeral container still runs
    assert f"(still there: pod/{name} ephemeral container dbg)" in error.one_line()  # type: ignore[union-attr]


def test_request_timeout_zero_means_no_limit(frozen_sandbox: ServedSandbox) -> None:
    """kubectl's ``--request-timeout=0``: a frozen server is waited for, as long as it takes."""
    sb = frozen_sandbox
    api = core_v1(sb.kubeconfig)
    name = f"patient-{uuid.uuid4().hex[:6]}"
    api.create_namespaced_pod("default", target_pod(name))
    wait_running(api, name, "app")
    proc = kdebug(sb.kubeconfig, name, "-c", "dbg", "--request-timeout=0", "--image=busybox",
                  "--", "sh", "-c", "echo ready; sleep 4; echo done")
    try:
        lines = LineReader(proc.stdout)
        lines.wait_for("ready", timeout=30)
        sb.freeze()
        time.sleep(RT + MARGIN + 1)  # longer than any default would allow... and then some
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        sb.signal(signal.SIGCONT)
        lines.wait_for("done", timeout=30)
        assert proc.wait(timeout=30) == 0
    finally:
        stop_process(proc)


# -- a sandbox that goes away mid-run ------------------------------------------


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["killed", "stopped"])
def test_a_server_that_goes_away_is_one_line(tmp_path: Path, how: signal.Signals) -> None:
    with served_sandbox(tmp_path) as sb:
        api = core_v1(sb.kubeconfig)
        name = f"gone-{uuid.uuid4().hex[:6]}"
        api.create_namespaced_pod("default", target_pod(name))
        wait_running(api, name, "app")
        proc = kdebug(sb.kubeconfig, name, "-c", "dbg", "--request-timeout=5s", "--image=busybox",
                      "--", "sh", "-c", "echo ready; exec sleep 600")
        try:
            LineReader(proc.stdout).wait_for("ready", timeout=30)
            gone_at = sb.signal(how)
            err = proc.stderr.read() if proc.stderr else ""
            code = proc.wait(timeout=30)
            took = time.monotonic() - gone_at
        finally:
            stop_process(proc)
    lost = f"lost the connection to the Kubernetes API server at {sb_url(sb)} ("
    if code == 137:
        # a stopping sandbox is also its node shutting down: it kills the containers
        # first, so the exit code is real; the line says why, as a kubelet would
        assert how == signal.SIGTERM
        shutdown = (f"Warning: pod {name}: Terminated: Pod was terminated in response to "
                    "imminent node shutdown.")
        after = " just after dbg exited with code 137 — is the cluster still running?"
        assert err, "exit 137 and nothing said"
        for line in err.splitlines():
            assert line == shutdown or (line.startswith(f"Warning: {lost}") and after in line), err
    else:
        assert code == 1, err
        assert err.count("\n") == 1, err
        assert err.startswith(f"error: {lost}"), err
    assert "invalid literal" not in err and "Traceback" not in err
    assert took < 5 + MARGIN, f"{took:.2f}s"


def test_a_server_killed_while_the_container_waits_is_one_line(tmp_path: Path) -> None:
    with served_sandbox(tmp_path) as sb:
        api = core_v1(sb.kubeconfig)
        name = f"gone-{uuid.uuid4().hex[:6]}"
        api.create_namespaced_pod("default", target_pod(name, init_sleep=600))
        session = Session(Connection(str(sb.kubeconfig), request_timeout=5))
        killed_at: list[float] = []

        def observe(event: RunEvent) -> None:
            if not killed_at and isinstance(event, RunWaiting) and event.state == "waiting":
                killed_at.append(sb.signal(signal.SIGKILL))

        session.subscribe(observe)
        with pytest.raises(ConnectionFailed) as info:
            session.run(f"{name} --copy-to={name}-copy -c dbg --rm --image=busybox -- echo never")
        took = time.monotonic() - killed_at[0]
    text = info.value.one_line()
    assert text.startswith(f"lost the connection to the Kubernetes API server at {sb_url(sb)} ("), text
    # --rm cannot delete on a server that is gone: the copy is named as left behind
    assert f"(still there: pod/{name}-copy)" in text
    assert took < 5 + MARGIN, f"{took:.2f}s"


def sb_url(sb: ServedSandbox) -> str:
    import yaml

    doc = yaml.safe_load(sb.kubeconfig.read_text())
    return str(doc["clusters"][0]["cluster"]["server"])


def test_stdin_attach_to_a_tarpit_ends_within_the_request_timeout(tmp_path: Path) -> None:
    """The official client opens the attach websocket with no timeout; ours gives up in time."""
    from kdebug_nb.engine.client import ClusterClient

    with tarpit() as port:
        kubeconfig = tarpit_kubeconfig(tmp_path / "kc", port, "https")
        client = ClusterClient(Connection(str(kubeconfig), request_timeout=RT))
        t0 = time.monotonic()
        with pytest.raises(ConnectionFailed) as info:
            client.send_stdin("default", "mypod", "dbg", "hello\n")
        took = time.monotonic() - t0
    assert took < RT + MARGIN, f"{took:.2f}s"
    assert info.value.timed_out
    assert "did not answer within 2s (--request-timeout)" in str(info.value)
