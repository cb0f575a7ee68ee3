"""Connections the way users have them: exec credential plugins, default connection switching."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
import yaml

from kdebug_nb import engine as api
from kdebug_nb import errors
from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection

TOKEN = "plugin-issued-token"


@pytest.fixture(scope="module")
def secured() -> object:
    """A sandbox that requires a bearer token (nothing else works against it)."""
    from kdebug_nb.sandbox.server import Sandbox

    with Sandbox(token=TOKEN) as sb:
        yield sb


def _variant(sb: object, user: dict[str, object]) -> dict[str, object]:
    """The sandbox's own kubeconfig (server, TLS settings) with another user."""
    doc = yaml.safe_load(Path(sb.kubeconfig).read_text())  # type: ignore[attr-defined]
    doc["users"][0]["user"] = user
    return doc  # type: ignore[no-any-return]


def _exec_kubeconfig(tmp_path: Path, sb: object) -> Path:
    plugin = tmp_path / "credential-plugin"
    plugin.write_text(
        f"#!{sys.executable}\n"
        "import json\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1',"
        f" 'kind': 'ExecCredential', 'status': {{'token': '{TOKEN}'}}}}))\n"
    )
    plugin.chmod(plugin.stat().st_mode | stat.S_IXUSR)
    doc = _variant(sb, {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": str(plugin),
            "interactiveMode": "Never",
        }
    })
    path = tmp_path / "exec.kubeconfig"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_exec_credential_plugin_authenticates(secured: object, tmp_path: Path) -> None:
    client = ClusterClient(Connection(str(_exec_kubeconfig(tmp_path, secured))))
    pod = client.read_pod("default", "neato")
    assert pod["metadata"]["name"] == "neato"


def test_without_credentials_the_server_says_unauthorized(secured: object, tmp_path: Path) -> None:
    path = tmp_path / "anon.kubeconfig"
    path.write_text(yaml.safe_dump(_variant(secured, {})))
    with pytest.raises(errors.ApiError) as info:
        ClusterClient(Connection(str(path))).read_pod("default", "neato")
    assert info.value.status == 401
    assert "Unauthorized" in str(info.value)


def test_default_connection_switches_the_whole_api(sandbox: object) -> None:
    session = api.default_session()
    previous = session.connection
    conn = Connection(str(sandbox.kubeconfig), sandbox.context)  # type: ignore[attr-defined]
    session.connection = conn
    try:
        frame = api.pods(namespace="default")
        assert "neato" in set(frame["name"])
    finally:
        session.connection = previous


def test_one_shot_with_stdin_over_tls(secured: object) -> None:
    """https + bearer token: REST, watch, log and the WebSocket attach all verify the CA."""
    conn = Connection(str(secured.kubeconfig), secured.context)  # type: ignore[attr-defined]
    r = api.debug("neato", image="busybox", command=["sh", "-c", "echo in:; cat"], i=True,
                  stdin_data="over tls\n", quiet=True, connection=conn)
    assert r.exit_code == 0
    assert r.output == "in:\nover tls\n"


def test_in_cluster_service_account(
    secured: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No kubeconfig anywhere, but a pod's service account: JupyterHub on Kubernetes."""
    from kdebug_nb.engine.client import connection

    sa = tmp_path / "serviceaccount"
    sa.mkdir()
    (sa / "token").write_text(TOKEN)
    (sa / "ca.crt").write_bytes(secured.ca_pem)  # type: ignore[attr-defined]
    (sa / "namespace").write_text("secure\n")
    monkeypatch.setattr(connection, "_SA_DIR", str(sa))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", str(secured.port))  # type: ignore[attr-defined]
    connection.clear_cache()
    try:
        resolved = Connection().resolve()
        assert resolved.context == "in-cluster" and resolved.namespace == "secure"
        assert resolved.server == f"https://127.0.0.1:{secured.port}"  # type: ignore[attr-defined]
        frame = api.pods()
        assert set(frame["name"]) == {"audited"}
    finally:
        connection.clear_cache()


def test_run_timeout_ends_a_tls_log_follow(secured: object) -> None:
    """A cancel shuts the TLS socket down too: the blocked log read returns at once."""
    import time

    conn = Connection(str(secured.kubeconfig), secured.context)  # type: ignore[attr-defined]
    t0 = time.monotonic()
    r = api.debug("neato", image="busybox", command="sh -c 'echo tls; sleep 30'", quiet=True,
                  run_timeout=1, connection=conn)
    assert time.monotonic() - t0 < 8
    assert r.reason == "RunTimeout" and r.output == "tls\n" and r.still_running
