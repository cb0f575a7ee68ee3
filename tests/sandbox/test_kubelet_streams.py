"""exec and attach over the WebSocket remotecommand protocol, with the official
client's ``kubernetes.stream`` and with real kubectl."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from kubectl_bin import sandbox_json, sandbox_websocket
from kubernetes.client.exceptions import ApiException
from kubernetes.stream import stream
from test_kubelet_support import create, make_pod, pod_events, wait_pod, wait_state


@pytest.fixture(scope="module")
def shell_pod(core_v1: Any) -> Iterator[tuple[str, str]]:
    """A long-running busybox pod (and a distroless one) in a namespace of this module."""
    ns = f"kubelet-streams-{int(time.time() * 1000) % 100000}"
    core_v1.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    create(core_v1, ns, make_pod("shell", [{"name": "main", "image": "busybox", "command": ["sleep", "3600"]}]))
    create(core_v1, ns, make_pod("distroless", [{"name": "app", "image": "example.com/neato:1.0"}]))
    wait_state(core_v1, ns, "shell", "main", "running")
    wait_state(core_v1, ns, "distroless", "app", "running")
    yield ns, "shell"
    for name in ("shell", "distroless"):
        try:
            core_v1.delete_namespaced_pod(name, ns, grace_period_seconds=0)
        except ApiException:
            pass
    try:
        core_v1.delete_namespace(ns)
    except ApiException:
        pass


def _exec(core_v1: Any, ns: str, pod: str, command: list[str], *, stdin: str | None = None, container: str | None = None) -> Any:
    kwargs: dict[str, Any] = {"container": container} if container else {}
    ws = stream(
        core_v1.connect_get_namespaced_pod_exec, pod, ns, command=command,
        stdin=stdin is not None, stdout=True, stderr=True, tty=False, _preload_content=False, **kwargs,
    )
    if stdin is not None:
        ws.write_stdin(stdin)
        ws.close_channel(0)  # v5: end of stdin
    ws.run_forever(timeout=20)
    return ws


def test_exec_stdout_stderr_and_exit_code(core_v1: Any, shell_pod: tuple[str, str]) -> None:
    ns, pod = shell_pod
    ws = _exec(core_v1, ns, pod, ["sh", "-c", "echo out; echo err >&2; exit 3"])
    assert ws.subprotocol == "v5.channel.k8s.io"
    assert ws.read_stdout() == "out\n"
    assert ws.read_stderr() == "err\n"
    error = json.loads(ws.read_channel(3))
    assert error == {
        "metadata": {},
        "status": "Failure",
        "message": "command terminated with non-zero exit code: error executing command [sh -c echo out; echo err >&2; exit 3], exit code 3",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": "3"}]},
    }
    ok = _exec(core_v1, ns, pod, ["echo", "hi"])
    assert ok.read_stdout() == "hi\n"
    assert ok.returncode == 0


def test_exec_preloaded_output(core_v1: Any, shell_pod: tuple[str, str]) -> None:
    ns, pod = shell_pod
    out = stream(core_v1.connect_get_namespaced_pod_exec, pod, ns, command=["sh", "-c", "echo $HOSTNAME"],
                 stdout=True, stderr=True, stdin=False, tty=False)
    assert out == "shell\n"


def test_exec_stdin(core_v1: Any, shell_pod: tuple[str, str]) -> None:
    ns, pod = shell_pod
    ws = _exec(core_v1, ns, pod, ["sh", "-c", "cat; echo done"], stdin="line one\nline two\n")
    assert ws.read_stdout() == "line one\nline two\ndone\n"
    assert ws.returncode == 0


def test_exec_large_output(core_v1: Any, shell_pod: tuple[str, str]) -> None:
    ns, pod = shell_pod
    ws = stream(core_v1.connect_get_namespaced_pod_exec, pod, ns, command=["sh", "-c", "head -c 5000000 /dev/zero | tr '\\0' x"],
                stdout=True, stderr=True, stdin=False, tty=False, binary=True, _preload_content=False)
    ws.run_forever(timeout=30)
    assert ws.read_stdout() == b"x" * 5_000_000


def test_exec_missing_executable_fails_like_runc(core_v1: Any, shell_pod: tuple[str, str]) -> None:
    ns, _ = shell_pod
    ws = _exec(core_v1, ns, "distroless", ["echo", "hi"])
    error = json.loads(ws.read_channel(3))
    assert error["status"] == "Failure" and error["reason"] == "InternalError" and error["code"] == 500
    assert error["message"].startswith("Internal error occurred: error executing command in container:")
    assert error["message"].endswith(
        'OCI runtime exec failed: exec failed: unable to start container process: exec: "echo": executable file not found in $PATH: unknown'
    )
    assert ws.read_stdout() == ""


def test_exec_errors_before_upgrade(core_v1: Any, shell_pod: tuple[str, str], fresh_namespace: str) -> None:
    ns, pod = shell_pod
    # the client reports a refused handshake as status 0 with the response in the reason
    with pytest.raises(ApiException) as err:
        stream(core_v1.connect_get_namespaced_pod_exec, pod, ns, command=["true"], container="nope",
               stdout=True, stderr=True, stdin=False, tty=False)
    assert "Handshake status 400" in err.value.reason
    assert '"message":"container nope is not valid for pod shell"' in err.value.reason
    spec = make_pod("crashy", [{"name": "c", "image": "busybox", "command": ["false"]}], restartPolicy="Always")
    create(core_v1, fresh_namespace, spec)
    wait_pod(core_v1, fresh_namespace, "crashy",
             lambda p: "waiting" in p["status"]["containerStatuses"][0]["state"]
             and p["status"]["containerStatuses"][0]["restartCount"] >= 0
             and p["status"]["containerStatuses"][0]["lastState"] != {})
    with pytest.raises(ApiException) as err:
        stream(core_v1.connect_get_namespaced_pod_exec, "crashy", fresh_namespace, command=["true"],
               stdout=True, stderr=True, stdin=False, tty=False)
    # the kubelet's plain-text answer, passed through by the API server
    assert "Handshake status 500" in err.value.reason
    assert 'container not found ("c")' in err.value.reason
    create(core_v1, fresh_namespace, make_pod("gone", [{"name": "c", "image": "busybox", "command": ["true"]}]))
    wait_pod(core_v1, fresh_namespace, "gone", lambda p: p["status"].get("phase") == "Succeeded")
    with pytest.raises(ApiException) as err:
        stream(core_v1.connect_get_namespaced_pod_exec, "gone", fresh_namespace, command=["true"],
               stdout=True, stderr=True, stdin=False, tty=False)
    assert "cannot exec into a container in a completed pod; current phase is Succeeded" in err.value.reason


def test_kubectl_exec_into_a_stopped_container(kubectl: Any, core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    spec = make_pod("crashy", [{"name": "c", "image": "busybox", "command": ["false"]}], restartPolicy="Always")
    create(core_v1, ns, spec)
    wait_pod(core_v1, ns, "crashy", lambda p: p["status"]["containerStatuses"][0]["lastState"] != {})
    proc = kubectl("exec", "crashy", "-n", ns, "--", "true")
    assert proc.returncode == 1
    assert proc.stderr.strip().endswith('error: unable to upgrade connection: container not found ("c")')


def test_attach_to_main_process(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    cmd = ["sh", "-c", "while read l; do echo got $l; echo err $l >&2; done; echo bye"]
    create(core_v1, ns, make_pod("echoer", [{"name": "c", "image": "busybox", "command": cmd, "stdin": True, "stdinOnce": True}]))
    wait_state(core_v1, ns, "echoer", "c", "running")
    ws = stream(core_v1.connect_get_namespaced_pod_attach, "echoer", ns, container="c",
                stdin=True, stdout=True, stderr=True, tty=False, _preload_content=False)
    ws.write_stdin("one\n")
    out = ""
    deadline = time.monotonic() + 10
    while "got one" not in out and time.monotonic() < deadline:
        ws.update(0.2)
        out += ws.read_stdout(timeout=0.1)
    assert "got one" in out
    ws.write_stdin("two\n")
    ws.close_channel(0)  # stdinOnce: the container's stdin closes, the loop ends
    ws.run_forever(timeout=10)
    out += ws.read_stdout()
    assert out == "got one\ngot two\nbye\n"
    pod = wait_pod(core_v1, ns, "echoer", lambda p: p["status"].get("phase") == "Succeeded")
    assert pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 0
    # everything the session printed is in the container log too (stdout and
    # stderr are separate pipes, so their relative order may vary)
    log = core_v1.read_namespaced_pod_log("echoer", ns).splitlines()
    assert sorted(log) == sorted(["got one", "err one", "got two", "err two", "bye"])


# -- real kubectl ------------------------------------------------------------


def test_kubectl_exec(any_kubectl: Any, core_v1: Any, shell_pod: tuple[str, str]) -> None:
    kubectl = any_kubectl
    ns, pod = shell_pod
    proc = kubectl("exec", pod, "-n", ns, "--", "echo", "hi")
    assert (proc.returncode, proc.stdout) == (0, "hi\n"), proc.stderr
    proc = kubectl("exec", "-i", pod, "-n", ns, "--", "cat", input="from stdin\n")
    assert (proc.returncode, proc.stdout) == (0, "from stdin\n"), proc.stderr
    proc = kubectl("exec", pod, "-n", ns, "--", "sh", "-c", "exit 7")
    assert proc.returncode == 7 and "command terminated with exit code 7" in proc.stderr
    proc = kubectl("exec", "distroless", "-n", ns, "--", "sh")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: Internal error occurred: error executing command in container")
    assert 'exec: "sh": executable file not found in $PATH' in proc.stderr


def test_kubectl_run_attach_and_debug(kubectl: Any, core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    proc = kubectl("run", "talk", "-n", ns, "--image=busybox", "--restart=Never", "-i", "--",
                   "sh", "-c", "while read l; do echo got $l; done", input="a\nb\n")
    assert proc.returncode == 0, proc.stderr
    assert "got a\ngot b\n" in proc.stdout
    create(core_v1, ns, make_pod("target", [{"name": "app", "image": "example.com/neato:1.0"}]))
    wait_state(core_v1, ns, "target", "app", "running")
    proc = kubectl("debug", "target", "-n", ns, "-i", "--image=busybox", "--profile=general",
                   "--", "sh", "-c", "read x; echo debug saw $x", input="hello\n")
    assert proc.returncode == 0, proc.stderr
    assert "debug saw hello" in proc.stdout
    assert any(e["involvedObject"].get("fieldPath", "").startswith("spec.ephemeralContainers{")
               for e in pod_events(core_v1, ns, "target"))


def _raw_exec(sandbox: Any, ns: str, pod: str, protocol: str, command: list[str], tty: bool = False) -> tuple[str, dict[int, bytes]]:
    """Speak the protocol by hand (websocket-client), returning the agreed protocol and channels."""
    import websocket

    query = "&".join([f"command={c}" for c in command] + ["stdout=true", "stderr=true", f"tty={str(tty).lower()}"])
    ws = sandbox_websocket(
        sandbox, f"/api/v1/namespaces/{ns}/pods/{pod}/exec?{query}", subprotocols=[protocol]
    )
    channels: dict[int, bytes] = {}
    try:
        while True:
            opcode, data = ws.recv_data()
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                break
            channels[data[0]] = channels.get(data[0], b"") + data[1:]
    except websocket.WebSocketConnectionClosedException:
        pass
    return ws.subprotocol, channels


def test_protocol_versions_and_tty(sandbox: Any, shell_pod: tuple[str, str]) -> None:
    ns, pod = shell_pod
    script = ["sh", "-c", "echo%20out;echo%20err%3E%262;exit%202"]
    proto, ch = _raw_exec(sandbox, ns, pod, "v4.channel.k8s.io", script)
    assert proto == "v4.channel.k8s.io"
    assert ch[1] == b"out\n" and ch[2] == b"err\n"
    assert json.loads(ch[3])["details"]["causes"] == [{"reason": "ExitCode", "message": "2"}]
    # the original protocol: the error channel carries plain text
    proto, ch = _raw_exec(sandbox, ns, pod, "channel.k8s.io", script)
    assert proto == "channel.k8s.io"
    assert ch[3].decode().endswith("exit code 2")
    # a TTY has one output stream, and its line discipline ends lines with CR LF
    proto, ch = _raw_exec(sandbox, ns, pod, "v5.channel.k8s.io", script, tty=True)
    assert ch[1] == b"out\r\nerr\r\n" and 2 not in ch


def test_spdy_and_plain_requests_are_refused_cleanly(sandbox: Any, shell_pod: tuple[str, str]) -> None:
    ns, pod = shell_pod
    base = f"/api/v1/namespaces/{ns}/pods"
    code, body = sandbox_json(
        sandbox, f"{base}/{pod}/exec?command=true&stdout=true", method="POST",
        headers={"Connection": "Upgrade", "Upgrade": "SPDY/3.1", "X-Stream-Protocol-Version": "v4.channel.k8s.io"},
    )
    assert code == 400
    assert body["kind"] == "Status" and "SPDY" in body["message"]
    code, body = sandbox_json(sandbox, f"{base}/{pod}/attach?stdout=true")
    assert code == 400
    assert body["message"] == "Upgrade request required"
    code, body = sandbox_json(sandbox, f"{base}/{pod}/exec?stdout=true")
    assert code == 400
    assert body["message"] == "you must specify at least 1 command"
    code, body = sandbox_json(sandbox, f"{base}/no-such-pod/exec?command=true")
    assert code == 404
    assert body["message"] == 'pods "no-such-pod" not found'


def test_kubectl_attach(any_kubectl: Any, core_v1: Any, fresh_namespace: str) -> None:
    kubectl = any_kubectl
    ns = fresh_namespace
    cmd = ["sh", "-c", "while read l; do echo got $l; done; echo stdin closed"]
    spec = make_pod("listener", [{"name": "c", "image": "busybox", "command": cmd, "stdin": True, "stdinOnce": True}])
    create(core_v1, ns, spec)
    wait_state(core_v1, ns, "listener", "c", "running")
    proc = kubectl("attach", "-i", "listener", "-n", ns, input="ping\n", timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "got ping\nstdin closed\n"
    pod = wait_pod(core_v1, ns, "listener", lambda p: p["status"].get("phase") == "Succeeded")
    assert pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 0


def test_clients_that_vanish_leave_no_pending_task() -> None:
    """An attach or exec client gone without a close frame (a killed kubectl, a
    dropped network) cancels its handler; the session's helper tasks must end with
    it. Left pending they were collected later as garbage, and asyncio logged
    "Task was destroyed but it is pending!", which landed in a notebook cell."""
    import gc
    import socket

    from kdebug_nb.sandbox import Sandbox

    messages: list[str] = []
    with Sandbox() as sb:
        assert sb._loop is not None
        sb._loop.call_soon_threadsafe(
            sb._loop.set_exception_handler, lambda _loop, ctx: messages.append(str(ctx.get("message")))
        )
        from kubernetes import client, config

        api = client.CoreV1Api(config.new_client_from_config(str(sb.kubeconfig)))
        ns = "default"
        create(api, ns, make_pod("vanish", [{"name": "main", "image": "busybox", "command": ["sleep", "3600"],
                                             "stdin": True}]))
        wait_state(api, ns, "vanish", "main", "running")
        for kind in ("attach", "exec"):
            for _ in range(3):
                if kind == "attach":
                    ws = stream(api.connect_get_namespaced_pod_attach, "vanish", ns, container="main",
                                stdin=True, stdout=True, stderr=True, tty=False, _preload_content=False)
                else:
                    ws = stream(api.connect_get_namespaced_pod_exec, "vanish", ns, command=["cat"],
                                stdin=True, stdout=True, stderr=True, tty=False, _preload_content=False)
                ws.write_stdin("hello\n")
                ws.update(timeout=1)
                ws.sock.sock.shutdown(socket.SHUT_RDWR)  # gone, without a close frame
                ws.sock.sock.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not messages:
            gc.collect()
            time.sleep(0.2)
    assert messages == []
