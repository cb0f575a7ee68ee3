"""kubectl's connection flags on the ``kdebug`` command and on ``Connection``.

``--server``/``--token``/``--certificate-authority`` reach a sandbox with no
kubeconfig at all; ``--as`` impersonates (the sandbox checks it like the API
server); ``--insecure-skip-tls-verify`` and ``--request-timeout`` behave as
in kubectl. Real kubectl is the oracle for the impersonation refusal.
"""

from __future__ import annotations

import base64
import math
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from runtime_support import make_pod

from kdebug_nb.engine import parse_args
from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection, overrides_of
from kdebug_nb.errors import ConfigError, ConnectionFailed, UsageError


def _flags_for(sandbox: Any, tmp_path: Path) -> list[str]:
    """kubectl flags that reach ``sandbox`` without its kubeconfig (https or not)."""
    doc = sandbox.kubeconfig_dict()
    cluster = doc["clusters"][0]["cluster"]
    user = doc["users"][0]["user"]
    flags = [f"--server={cluster['server']}"]
    if user.get("token"):
        flags.append(f"--token={user['token']}")
    if cluster.get("certificate-authority-data"):
        ca = tmp_path / "ca.crt"
        ca.write_bytes(base64.b64decode(cluster["certificate-authority-data"]))
        flags.append(f"--certificate-authority={ca}")
    return flags


def _kdebug(tmp_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env["HOME"] = str(tmp_path)  # no ~/.kube/config to fall back on
    env["KUBECONFIG"] = str(tmp_path / "no-such-kubeconfig")  # skipped, as kubectl skips it
    return subprocess.run(
        [sys.executable, "-m", "kdebug_nb.cli", *args],
        capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL,
    )


def test_server_and_token_flags_need_no_kubeconfig(
    sandbox: Any, cc: ClusterClient, fresh_namespace: str, tmp_path: Path
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    done = _kdebug(tmp_path, *_flags_for(sandbox, tmp_path), pod, "-n", fresh_namespace, "-q",
                   "--image=busybox", "--", "echo", "reached")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "reached\n"


def test_history_never_holds_the_token_flag(
    sandbox: Any, cc: ClusterClient, fresh_namespace: str, tmp_path: Path
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    flags = _flags_for(sandbox, tmp_path)
    token = next(f.split("=", 1)[1] for f in flags if f.startswith("--token="))
    history = tmp_path / "history.jsonl"
    done = _kdebug(tmp_path, "--history", str(history), *flags, pod, "-n", fresh_namespace,
                   "-q", "--image=busybox", "--", "echo", "recorded")
    assert done.returncode == 0 and done.stdout == "recorded\n", done.stderr
    text = history.read_text()
    assert "recorded" in text and "--token" in text
    assert token not in text


def test_token_flag_replaces_the_kubeconfig_credential(
    sandbox: Any, cc: ClusterClient, fresh_namespace: str, tmp_path: Path
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    flags = [f for f in _flags_for(sandbox, tmp_path) if not f.startswith("--token=")]
    done = _kdebug(tmp_path, *flags, "--token", "viewer-token", pod, "-n", fresh_namespace,
                   "--image=busybox", "--", "true")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert 'User "viewer" cannot patch resource "pods/ephemeralcontainers"' in lines[0]
    assert "viewer-token" not in done.stderr


def test_as_impersonates_and_kubectl_agrees(
    sandbox: Any, cc: ClusterClient, fresh_namespace: str, tmp_path: Path, kubectl: Any
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    done = _kdebug(tmp_path, *_flags_for(sandbox, tmp_path), "--as=viewer", pod, "-n",
                   fresh_namespace, "--image=busybox", "--", "true")
    assert done.returncode == 1
    why = 'User "viewer" cannot patch resource "pods/ephemeralcontainers"'
    assert why in done.stderr and len(done.stderr.splitlines()) == 1
    oracle = kubectl("--as=viewer", "debug", pod, "-n", fresh_namespace, "--image=busybox")
    assert oracle.returncode == 1 and why in oracle.stderr
    # a viewer may not impersonate anyone
    flags = [f for f in _flags_for(sandbox, tmp_path) if not f.startswith("--token=")]
    denied = _kdebug(tmp_path, *flags, "--token=viewer-token", "--as=admin", pod, "-n",
                     fresh_namespace, "--image=busybox", "--", "true")
    assert denied.returncode == 1
    assert 'User "viewer" cannot impersonate resource "users"' in denied.stderr


@pytest.fixture
def silent_server() -> Iterator[str]:
    """An address that accepts connections and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield f"http://127.0.0.1:{s.getsockname()[1]}"


def test_request_timeout_bounds_a_silent_server(silent_server: str, tmp_path: Path) -> None:
    started = time.monotonic()
    done = _kdebug(tmp_path, f"--server={silent_server}", "--request-timeout=1s", "neato",
                   "--image=busybox", "--", "true", timeout=60)
    elapsed = time.monotonic() - started
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and silent_server in lines[0], done.stderr
    # one retry of a 1 s request, plus interpreter start-up; the default would be 60 s a try
    assert elapsed < 30


def test_request_timeout_values() -> None:
    def seconds(value: str) -> float | None:
        return overrides_of(parse_args(["neato", f"--request-timeout={value}"])).get("request_timeout")

    assert seconds("0") == math.inf and seconds("5") == 5
    assert seconds("1m30s") == 90 and seconds("250ms") == 0.25
    assert "request_timeout" not in overrides_of(parse_args(["neato"]))
    with pytest.raises(UsageError, match='invalid argument "soon" for "--request-timeout" flag'):
        parse_args(["neato", "--request-timeout=soon"])
    with pytest.raises(UsageError, match="must not be negative"):
        seconds("-1s")


def test_flags_parse_and_the_token_stays_out_of_reprs() -> None:
    opts = parse_args(
        "neato --image=busybox -s https://k:6443 --token=s3cret --as=alice "
        "--certificate-authority=/ca.crt --insecure-skip-tls-verify --request-timeout=30s"
    )
    assert (opts.server, opts.token, opts.impersonate) == ("https://k:6443", "s3cret", "alice")
    assert opts.certificate_authority == "/ca.crt" and opts.insecure_skip_tls_verify
    assert opts.request_timeout == 30
    assert "s3cret" not in repr(opts)
    assert "s3cret" not in repr(Connection(server="https://k:6443", token="s3cret"))


def test_request_timeout_reaches_the_client(sandbox: Any) -> None:
    base = Connection(str(sandbox.kubeconfig), sandbox.context)
    assert ClusterClient(base)._timeout == (10.0, 60.0)
    assert ClusterClient(base.with_overrides({"request_timeout": 2.5}))._timeout == (2.5, 2.5)
    unlimited = ClusterClient(base.with_overrides({"request_timeout": math.inf}))
    assert unlimited._timeout == (10.0, None)
    assert unlimited.read_pod("default", "neato")["metadata"]["name"] == "neato"


@pytest.fixture(scope="module")
def tls_sandbox() -> Iterator[Any]:
    from kdebug_nb.sandbox.scenario import Scenario
    from kdebug_nb.sandbox.server import Sandbox

    with Sandbox(Scenario(name="empty", source="test"), tls=True) as sb:
        yield sb


def test_tls_flags(tls_sandbox: Any, tmp_path: Path) -> None:
    doc = tls_sandbox.kubeconfig_dict()
    token = doc["users"][0]["user"].get("token")
    ca = tmp_path / "ca.crt"
    ca.write_bytes(tls_sandbox.ca_pem)
    base = Connection(server=tls_sandbox.url, token=token)

    def namespaces(conn: Connection) -> set[str]:
        return {n["metadata"]["name"] for n in ClusterClient(conn).list_namespaces()["items"]}

    with pytest.raises(ConnectionFailed) as info:
        namespaces(base)
    assert tls_sandbox.url in str(info.value) and "\n" not in str(info.value)
    assert "default" in namespaces(Connection(server=tls_sandbox.url, token=token,
                                              certificate_authority=str(ca)))
    assert "default" in namespaces(Connection(server=tls_sandbox.url, token=token,
                                              insecure_skip_tls_verify=True))
    with pytest.raises(UsageError, match="not both"):
        Connection(server=tls_sandbox.url, certificate_authority=str(ca),
                   insecure_skip_tls_verify=True).resolve()
    with pytest.raises(ConfigError, match="--certificate-authority /no/such.crt does not exist"):
        Connection(server=tls_sandbox.url, certificate_authority="/no/such.crt").resolve()
