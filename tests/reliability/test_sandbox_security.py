"""The sandbox runs commands for whoever can drive it: only its kubeconfig's holder may.

Each case is an attack that worked before the sandbox served TLS with a
token and refused what web pages send (issue 8): an anonymous caller, a page
on another origin (REST and the websocket ``exec``), a DNS-rebinding page
(foreign ``Host``), an untyped write, a kubeconfig path that is someone's
file or a symlink, and ``serve --tls`` without ``--token``.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import queue
import re
import subprocess
import sys
import threading
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket
import yaml
from kubectl_bin import http_json, http_request, sandbox_json, sandbox_websocket

from kdebug_nb.sandbox.scenario import Scenario
from kdebug_nb.sandbox.server import Sandbox, SandboxError

EVIL = "http://evil.example.com"
UNAUTHORIZED = {
    "kind": "Status",
    "apiVersion": "v1",
    "metadata": {},
    "status": "Failure",
    "message": "Unauthorized",
    "reason": "Unauthorized",
    "code": 401,
}


def proof_volume(proof: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(volumes, volumeMounts) showing ``proof``'s directory to a container at
    the same path: containers see their image's files, not this machine's.
    The directory is opened to every uid: a container's root may be an
    unprivileged uid of this machine."""
    proof.parent.chmod(0o777)
    volumes = [{"name": "proof", "hostPath": {"path": str(proof.parent)}}]
    return volumes, [{"name": "proof", "mountPath": str(proof.parent)}]


def writer_pod(name: str, proof: Path) -> dict[str, Any]:
    """A pod whose only effect is to write ``proof``: if the file exists, it ran."""
    command = ["sh", "-c", f"id > {proof}; sleep 3600"]
    volumes, mounts = proof_volume(proof)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "volumes": volumes,
            "containers": [{"name": "c", "image": "busybox", "command": command, "volumeMounts": mounts}],
        },
    }


def pod_missing(sb: Sandbox, namespace: str, name: str) -> bool:
    return sandbox_json(sb, f"/api/v1/namespaces/{namespace}/pods/{name}")[0] == 404


# -- anonymous callers ---------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/namespaces", "/version", "/api", "/healthz"])
def test_anonymous_reads_get_401_as_from_an_api_server(sandbox: Sandbox, path: str) -> None:
    code, body = http_request(f"{sandbox.url}{path}", ca=sandbox.ca_pem)
    assert code == 401
    assert json.loads(body) == UNAUTHORIZED


def test_anonymous_pod_create_runs_nothing(
    sandbox: Sandbox, fresh_namespace: str, tmp_path: Path
) -> None:
    proof = tmp_path / "pwned"
    name = f"anon-{uuid.uuid4().hex[:6]}"
    code, body = http_json(
        f"{sandbox.url}/api/v1/namespaces/{fresh_namespace}/pods",
        ca=sandbox.ca_pem,
        method="POST",
        headers={"Content-Type": "application/json"},
        data=json.dumps(writer_pod(name, proof)).encode(),
    )
    assert (code, body) == (401, UNAUTHORIZED)
    assert pod_missing(sandbox, fresh_namespace, name)
    assert not proof.exists()


def test_a_token_of_another_sandbox_is_refused(sandbox: Sandbox) -> None:
    with Sandbox(Scenario(name="empty", source="test")) as other:
        stolen = other.kubeconfig_dict()["users"][0]["user"].get("token", "")
        assert stolen, "a sandbox's kubeconfig must hold a credential"
    assert sandbox_json(sandbox, "/api/v1/namespaces", token=stolen)[0] == 401


# -- web pages: foreign Origin, foreign Host ------------------------------------


def test_a_write_from_a_foreign_origin_is_refused(
    sandbox: Sandbox, fresh_namespace: str, tmp_path: Path
) -> None:
    proof = tmp_path / "pwned"
    name = f"origin-{uuid.uuid4().hex[:6]}"
    code, body = sandbox_json(
        sandbox,
        f"/api/v1/namespaces/{fresh_namespace}/pods",
        method="POST",
        headers={"Content-Type": "application/json", "Origin": EVIL},
        data=json.dumps(writer_pod(name, proof)).encode(),
    )
    assert code == 403 and body["reason"] == "Forbidden"
    assert f'Origin "{EVIL}"' in body["message"]
    assert pod_missing(sandbox, fresh_namespace, name)


@pytest.fixture
def shell_pod(
    sandbox: Sandbox, fresh_namespace: str, running_pod: Callable[..., str], tmp_path: Path
) -> Iterator[str]:
    volumes, mounts = proof_volume(tmp_path / "ran")
    body = {
        "metadata": {"name": "shell"},
        "spec": {
            "volumes": volumes,
            "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"], "volumeMounts": mounts}],
        },
    }
    yield running_pod(fresh_namespace, body)


def exec_path(namespace: str, pod: str, proof: Path) -> str:
    script = urllib.parse.quote(f"echo ran > {proof}", safe="")
    return (
        f"/api/v1/namespaces/{namespace}/pods/{pod}/exec"
        f"?command=sh&command=-c&command={script}&stdout=true&stderr=true"
    )


def test_websocket_exec_from_a_foreign_origin_is_refused(
    sandbox: Sandbox, fresh_namespace: str, shell_pod: str, tmp_path: Path
) -> None:
    proof = tmp_path / "ran"
    path = exec_path(fresh_namespace, shell_pod, proof)
    with pytest.raises(websocket.WebSocketBadStatusException) as err:
        sandbox_websocket(sandbox, path, origin=EVIL).close()
    assert err.value.status_code == 403
    assert not proof.exists()
    # The same exec without the page's Origin runs: the refusal was the Origin's.
    ws = sandbox_websocket(sandbox, path)
    try:
        while ws.recv_data()[0] != websocket.ABNF.OPCODE_CLOSE:
            pass
    except websocket.WebSocketConnectionClosedException:
        pass
    finally:
        ws.close()
    assert proof.read_text() == "ran\n"


@pytest.mark.parametrize(
    "host", ["evil.example.com", "evil.example.com:{port}", "127.0.0.2:{port}", "127.0.0.1:1"]
)
def test_a_foreign_host_is_refused(sandbox: Sandbox, host: str) -> None:
    host = host.format(port=sandbox.port)
    code, body = sandbox_json(sandbox, "/api/v1/namespaces", headers={"Host": host})
    assert code == 403 and body["reason"] == "Forbidden"
    assert f'Host "{host}" does not name this sandbox' in body["message"]



# -- untyped writes ---------------------------------------------------------------


def test_a_write_typed_as_raw_bytes_is_415(
    sandbox: Sandbox, fresh_namespace: str, tmp_path: Path
) -> None:
    # What a page's no-preflight upload of a Blob carries; the API decodes no such type.
    name = f"untyped-{uuid.uuid4().hex[:6]}"
    code, body = sandbox_json(
        sandbox,
        f"/api/v1/namespaces/{fresh_namespace}/pods",
        method="POST",
        headers={"Content-Type": "application/octet-stream"},
        data=json.dumps(writer_pod(name, tmp_path / "pwned")).encode(),
    )
    assert code == 415 and body["reason"] == "UnsupportedMediaType"
    assert body["message"] == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml, application/vnd.kubernetes.protobuf"
    )
    assert pod_missing(sandbox, fresh_namespace, name)


def test_an_anonymous_write_without_content_type_is_415_even_over_plain_http(
    tmp_path: Path,
) -> None:
    """The one mode with anonymous callers still refuses an untyped body (a page's form)."""
    with pytest.warns(UserWarning, match="plain http"):
        sb = Sandbox(Scenario(name="empty", source="test"), insecure_http=True).start()
    try:
        # http.client, not urllib: urllib would type the body as a form
        conn = http.client.HTTPConnection(sb.host, sb.port, timeout=10)
        try:
            conn.request("POST", "/api/v1/namespaces", body=b'{"metadata": {"name": "from-a-page"}}')
            resp = conn.getresponse()
            code, body = resp.status, json.loads(resp.read())
        finally:
            conn.close()
        assert code == 415 and body["reason"] == "UnsupportedMediaType"
        assert http_json(f"{sb.url}/api/v1/namespaces/from-a-page")[0] == 404
    finally:
        sb.stop()


# -- the kubeconfig file ------------------------------------------------------------


def test_an_existing_file_is_not_truncated(tmp_path: Path) -> None:
    precious = tmp_path / "config"
    precious.write_text("apiVersion: v1\nkind: Config\n# the user's own clusters\n")
    precious.chmod(0o644)
    with pytest.raises(SandboxError, match="not written by a kdebug sandbox"):
        Sandbox(Scenario(name="empty", source="test"), kubeconfig_path=precious).start()
    assert precious.read_text() == "apiVersion: v1\nkind: Config\n# the user's own clusters\n"
    assert precious.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
def test_a_symlink_is_not_followed(tmp_path: Path, dangling: bool) -> None:
    victim = tmp_path / "victim"
    if not dangling:
        victim.write_text("someone else's\n")
    link = tmp_path / "sandbox.kubeconfig"
    link.symlink_to(victim)
    with pytest.raises(SandboxError, match="is a symbolic link"):
        Sandbox(Scenario(name="empty", source="test"), kubeconfig_path=link).start()
    assert link.is_symlink()
    if dangling:
        assert not victim.exists()
    else:
        assert victim.read_text() == "someone else's\n"


# -- serve --tls without --token ------------------------------------------------------


def serve(*args: str) -> tuple[subprocess.Popen[str], str]:
    """Start ``kdebug-sandbox serve ARGS``; return the process and the URL it prints."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kdebug_nb.sandbox", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    while line := lines.get(timeout=60):
        if m := re.search(r"serving at (\S+)", line):
            return proc, m.group(1)
    proc.kill()
    raise AssertionError(f"serve exited: {proc.wait(10)}")


def test_serve_tls_without_token_is_not_admin_to_anonymous(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kc.yaml"
    proc, url = serve("--scenario", "locked-down", "--tls", "--kubeconfig", str(kubeconfig))
    try:
        code, body = http_request(f"{url}/api/v1/namespaces/default/pods", ca=ca_of(kubeconfig))
        assert (code, json.loads(body)) == (401, UNAUTHORIZED)
    finally:
        proc.terminate()
        assert proc.wait(30) == 0
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert kubeconfig.stat().st_mode & 0o777 == 0o600
    assert not os.path.islink(kubeconfig)


def ca_of(kubeconfig: Path) -> bytes | None:
    cluster = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]
    data = cluster.get("certificate-authority-data")
    return base64.b64decode(data) if data else None
