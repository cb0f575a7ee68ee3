"""Configuration and connection errors: one line, a hint, no traceback needed.

These need no sandbox: they point the engine at files and ports that are
wrong on purpose.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection, clear_cache
from kdebug_nb.errors import ConfigError, ConnectionFailed
from kdebug_nb.sandbox.kubeconfig import write_kubeconfig


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_missing_kubeconfig(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as info:
        Connection(str(missing)).resolve()
    msg = str(info.value)
    assert f"kubeconfig {missing} does not exist" in msg
    assert "\n" not in msg
    # engine messages name no adapter: each adapter adds its own way to get a cluster
    assert "sandbox" not in msg and info.value.suggest_cluster


def test_broken_kubeconfig(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("clusters: [this is: not: yaml\n")
    with pytest.raises(ConfigError) as info:
        Connection(str(broken)).resolve()
    assert str(info.value).startswith(f'error loading config file "{broken}": not valid YAML')
    assert "\n" not in str(info.value)


def test_kubeconfig_that_is_not_a_mapping(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(ConfigError, match="empty or not a kubeconfig"):
        Connection(str(empty)).resolve()


def test_unknown_context(tmp_path: Path) -> None:
    path = write_kubeconfig("http://127.0.0.1:1", tmp_path / "kc.yaml")
    with pytest.raises(ConfigError) as info:
        Connection(str(path), "nope").resolve()
    msg = str(info.value)
    assert f'context "nope" not found in kubeconfig {path}' in msg
    assert "kdebug-sandbox" in msg  # lists the contexts there are


def test_no_configuration_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    clear_cache()
    with pytest.raises(ConfigError) as info:
        Connection().resolve()
    msg = str(info.value)
    assert msg.startswith("no Kubernetes configuration found")
    assert "sandbox" not in msg and info.value.suggest_cluster


def test_kubeconfig_env_and_context_namespace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_kubeconfig("http://127.0.0.1:1", tmp_path / "kc.yaml", namespace="team-a")
    monkeypatch.setenv("KUBECONFIG", str(path))
    clear_cache()
    resolved = Connection().resolve()
    assert resolved.namespace == "team-a"
    assert resolved.context == "kdebug-sandbox"
    assert resolved.server == "http://127.0.0.1:1"
    assert Connection(namespace="other").resolve().namespace == "other"
    clear_cache()


def test_unreachable_api_server_names_the_url(tmp_path: Path) -> None:
    port = _closed_port()
    path = write_kubeconfig(f"http://127.0.0.1:{port}", tmp_path / "kc.yaml")
    client = ClusterClient(Connection(str(path)))
    with pytest.raises(ConnectionFailed) as info:
        client.read_pod("default", "x")
    msg = str(info.value)
    assert msg == (
        f"cannot reach the Kubernetes API server at http://127.0.0.1:{port}: connection refused"
        " — is the cluster running?"
    )
    assert info.value.suggest_cluster
    assert info.value.__cause__ is not None


def test_credentials_never_appear_in_errors(tmp_path: Path) -> None:
    port = _closed_port()
    path = write_kubeconfig(f"http://127.0.0.1:{port}", tmp_path / "kc.yaml", token="s3cret-tok")
    client = ClusterClient(Connection(str(path)))
    with pytest.raises(ConnectionFailed) as info:
        client.list_pods("default")
    assert "s3cret-tok" not in str(info.value)
    assert "s3cret-tok" not in repr(client.connection)
