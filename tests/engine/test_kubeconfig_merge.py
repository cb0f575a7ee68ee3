"""$KUBECONFIG lists read like kubectl: empty and missing files skipped, corrupt ones named.

Each case is checked against the session sandbox over HTTP, and against real
kubectl reading the same $KUBECONFIG where kubectl has an answer.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubectl_bin import kubectl_path

from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection, clear_cache
from kdebug_nb.errors import ConfigError


@pytest.fixture
def kubeconfig_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """``use(*paths)`` sets $KUBECONFIG to those paths (HOME is empty), clients reloaded."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    def use(*paths: Path) -> str:
        value = os.pathsep.join(str(p) for p in paths)
        monkeypatch.setenv("KUBECONFIG", value)
        clear_cache()
        return value

    yield use
    clear_cache()


def _kubectl(env_value: str, *args: str) -> subprocess.CompletedProcess[str] | None:
    binary = kubectl_path()
    if binary is None:
        return None
    env = {**os.environ, "KUBECONFIG": env_value}
    return subprocess.run([binary, *args], capture_output=True, text=True, env=env, timeout=60)


def _good(sandbox: Any, tmp_path: Path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(Path(sandbox.kubeconfig).read_text())
    return path


def test_empty_and_missing_files_are_skipped(sandbox: Any, tmp_path: Path, kubeconfig_env: Any) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    blank = tmp_path / "blank.yaml"
    blank.write_text("# nothing here yet\n\n")
    value = kubeconfig_env(empty, tmp_path / "missing.yaml", blank, _good(sandbox, tmp_path))
    client = ClusterClient(Connection())
    assert client.context == sandbox.context
    names = {p["metadata"]["name"] for p in client.list_pods("default")["items"]}
    assert "neato" in names
    oracle = _kubectl(value, "get", "pod", "neato", "-o", "name")
    if oracle is not None:
        assert oracle.returncode == 0 and oracle.stdout.strip() == "pod/neato", oracle.stderr


def test_only_missing_files_name_the_paths(tmp_path: Path, kubeconfig_env: Any) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "nested" / "b.yaml"
    kubeconfig_env(a, b)
    with pytest.raises(ConfigError) as info:
        Connection().resolve()
    assert str(info.value).startswith(
        f"no Kubernetes configuration found: $KUBECONFIG names no file that exists (missing: {a}, {b})"
    )
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"apiVersion: v1\nkind: Config\n\xff\xfe\x00garbage\n", "not UTF-8 text (byte 0xff at offset 28)"),
        (b"clusters: [this is: not: yaml\n", "not valid YAML: expected ',' or ']', but got ':'"),
        (b"- just\n- a list\n", "not a kubeconfig (a YAML list, not a mapping)"),
        (b"contexts: nope\n", "contexts must be a list of named entries"),
    ],
    ids=["bad-bytes", "bad-yaml", "a-list", "bad-contexts"],
)
def test_a_corrupt_file_is_named_in_one_line(
    sandbox: Any, tmp_path: Path, kubeconfig_env: Any, content: bytes, why: str
) -> None:
    corrupt = tmp_path / "corrupt.yaml"
    corrupt.write_bytes(content)
    value = kubeconfig_env(_good(sandbox, tmp_path), corrupt)
    with pytest.raises(ConfigError) as info:
        Connection().resolve()
    message = str(info.value)
    assert message.startswith(f'error loading config file "{corrupt}": {why}'), message
    assert "\n" not in message
    oracle = _kubectl(value, "get", "pods")
    if oracle is not None:  # kubectl refuses it too, naming the same file
        assert oracle.returncode != 0 and f'error loading config file "{corrupt}"' in oracle.stderr


def test_first_file_wins_like_kubectl(sandbox: Any, tmp_path: Path, kubeconfig_env: Any) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: elsewhere\n"
        "contexts: [{name: elsewhere, context: {cluster: nowhere, user: nobody}}]\n"
        "clusters: [{name: nowhere, cluster: {server: 'http://127.0.0.1:1'}}]\n"
        "users: [{name: nobody, user: {}}]\n"
    )
    kubeconfig_env(_good(sandbox, tmp_path), other)
    assert Connection().resolve().context == sandbox.context
    kubeconfig_env(other, _good(sandbox, tmp_path))
    assert Connection().resolve().context == "elsewhere"
    assert Connection(context=sandbox.context).resolve().server == sandbox.url


def test_the_kdebug_command_reads_kubeconfig_lists_the_same_way(
    sandbox: Any, tmp_path: Path, cc: ClusterClient, fresh_namespace: str
) -> None:
    from runtime_support import make_pod

    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    empty, corrupt = tmp_path / "empty.yaml", tmp_path / "corrupt.yaml"
    empty.write_text("")
    corrupt.write_bytes(b"\xff\xfe not a kubeconfig")
    env = {**os.environ, "HOME": str(tmp_path)}

    def kdebug(kubeconfig: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kdebug_nb.cli", pod, "-n", fresh_namespace, "-q",
             "--image=busybox", "--", "echo", "merged"],
            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
            env={**env, "KUBECONFIG": kubeconfig},
        )

    good = _good(sandbox, tmp_path)
    done = kdebug(os.pathsep.join([str(empty), str(tmp_path / "missing.yaml"), str(good)]))
    assert done.returncode == 0 and done.stdout == "merged\n", done.stderr
    refused = kdebug(os.pathsep.join([str(good), str(corrupt)]))
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == (
        f'error: error loading config file "{corrupt}": not UTF-8 text (byte 0xff at offset 0)\n'
    )
