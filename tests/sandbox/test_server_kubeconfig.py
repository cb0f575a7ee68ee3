"""The kubeconfig a sandbox writes, and bearer-token auth through it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from kubectl_bin import http_json, kubectl_path, needs_openssl, run_kubectl
from kubernetes import client, config

from kdebug_nb.sandbox.kubeconfig import kubeconfig_dict, remove_kubeconfig, write_kubeconfig
from kdebug_nb.sandbox.scenario import Scenario
from kdebug_nb.sandbox.server import Sandbox, SandboxError


def test_session_kubeconfig_names_everything_kdebug_sandbox(sandbox: Sandbox) -> None:
    assert sandbox.kubeconfig is not None
    conf = yaml.safe_load(sandbox.kubeconfig.read_text())
    assert conf["current-context"] == "kdebug-sandbox" == sandbox.context
    [ctx] = conf["contexts"]
    assert ctx == {
        "name": "kdebug-sandbox",
        "context": {"cluster": "kdebug-sandbox", "user": "kdebug-sandbox", "namespace": "default"},
    }
    assert conf["clusters"] == [{"name": "kdebug-sandbox", "cluster": {"server": sandbox.url}}]
    # the default scenario does not require auth: no credential is written
    assert conf["users"] == [{"name": "kdebug-sandbox", "user": {}}]
    assert str(Path.home() / ".kube") not in str(sandbox.kubeconfig)


def test_kubeconfig_dict_loads_in_memory(sandbox: Sandbox) -> None:
    assert sandbox.kubeconfig is not None
    assert sandbox.kubeconfig_dict() == yaml.safe_load(sandbox.kubeconfig.read_text())
    api = config.new_client_from_config_dict(kubeconfig_dict(sandbox.url), context="kdebug-sandbox")
    try:
        version = client.VersionApi(api).get_code()
        assert version.git_version.startswith("v1.")
    finally:
        api.close()


def test_write_and_remove(tmp_path: Path) -> None:
    path = write_kubeconfig("http://127.0.0.1:1", tmp_path / "k", token="t0k")
    assert yaml.safe_load(path.read_text())["users"][0]["user"] == {"token": "t0k"}
    remove_kubeconfig(path)
    remove_kubeconfig(path)
    assert not path.exists()


@needs_openssl
def test_token_is_required_and_served_over_tls() -> None:
    with Sandbox(Scenario(name="empty", source="test"), token="s3cret") as sb:
        # kubectl sends credentials only over TLS, so a token means https
        assert sb.url.startswith("https://127.0.0.1:") and sb.ca_pem is not None
        assert sb.kubeconfig is not None
        conf = yaml.safe_load(sb.kubeconfig.read_text())
        assert conf["users"][0]["user"] == {"token": "s3cret"}
        assert "certificate-authority-data" in conf["clusters"][0]["cluster"]
        assert "s3cret" not in repr(sb)
        url = f"{sb.url}/api/v1/namespaces"
        code, body = http_json(url, ca=sb.ca_pem)
        assert code == 401
        assert (body["kind"], body["reason"]) == ("Status", "Unauthorized")
        assert http_json(url, token="wrong", ca=sb.ca_pem)[0] == 401
        assert http_json(url, token="s3cret", ca=sb.ca_pem)[0] == 200
        api = config.new_client_from_config(config_file=str(sb.kubeconfig), context=sb.context)
        try:
            names = [ns.metadata.name for ns in client.CoreV1Api(api).list_namespace().items]
        finally:
            api.close()
        assert "default" in names
        api = config.new_client_from_config_dict(sb.kubeconfig_dict(), context=sb.context)
        try:
            assert client.CoreV1Api(api).read_namespace("default").metadata.name == "default"
        finally:
            api.close()
        binary = kubectl_path()
        if binary is not None:
            ok = run_kubectl(binary, sb.kubeconfig, ["get", "namespaces"])
            assert ok.returncode == 0 and "kube-system" in ok.stdout, ok.stderr
            bad = run_kubectl(binary, sb.kubeconfig, ["--token=wrong", "get", "namespaces"])
            assert bad.returncode == 1
            assert "error: You must be logged in to the server (Unauthorized)" in bad.stderr


@needs_openssl
def test_tls_without_auth_still_gives_kubectl_a_credential() -> None:
    with Sandbox(Scenario(name="empty", source="test"), tls=True) as sb:
        assert sb.kubeconfig is not None
        user = yaml.safe_load(sb.kubeconfig.read_text())["users"][0]["user"]
        # without one, kubectl would prompt for a username over https
        assert set(user) == {"token"}
        assert http_json(f"{sb.url}/api/v1/namespaces", ca=sb.ca_pem)[0] == 200
        assert http_json(f"{sb.url}/api/v1/namespaces", token=user["token"], ca=sb.ca_pem)[0] == 200


@needs_openssl
def test_require_auth_scenario_puts_the_admin_token_in_the_kubeconfig(tmp_path: Path) -> None:
    path = tmp_path / "auth.yaml"
    path.write_text(
        "users:\n"
        "  - {name: admin, token: adm, allow: {'*': ['*']}}\n"
        "  - {name: ro, token: ro, allow: {pods: [get, list]}}\n"
        "policy: {requireAuth: true}\n"
    )
    with Sandbox(path) as sb:
        assert sb.kubeconfig is not None and sb.url.startswith("https://")
        assert yaml.safe_load(sb.kubeconfig.read_text())["users"][0]["user"] == {"token": "adm"}
        pods = f"{sb.url}/api/v1/namespaces/default/pods"
        assert http_json(pods, ca=sb.ca_pem)[0] == 401
        assert http_json(pods, token="ro", ca=sb.ca_pem)[0] == 200
        code, body = http_json(f"{sb.url}/api/v1/nodes", token="ro", ca=sb.ca_pem)
        assert code == 403 and body["reason"] == "Forbidden"
        assert 'User "ro" cannot list resource "nodes"' in body["message"]


@pytest.mark.parametrize("token", ["viewer-token", None])
def test_default_scenario_viewer_and_anonymous_read(sandbox: Sandbox, token: str | None) -> None:
    code, _ = http_json(f"{sandbox.url}/api/v1/namespaces/default/pods/neato", token=token)
    assert code == 200


def test_tls_without_openssl_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(SandboxError, match="TLS needs the openssl command"):
        Sandbox(Scenario(name="empty", source="test"), token="t").start()
