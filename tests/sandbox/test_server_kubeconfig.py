"""The kubeconfig a sandbox writes, and bearer-token auth over TLS through it."""

from __future__ import annotations

import base64
import os
import socket
import ssl
from pathlib import Path

import pytest
import yaml
from kubectl_bin import http_json, kubectl_path, run_kubectl, sandbox_json, sandbox_token
from kubernetes import client, config

from kdebug_nb.sandbox.kubeconfig import (
    KubeconfigRefused,
    kubeconfig_dict,
    remove_kubeconfig,
    write_kubeconfig,
)
from kdebug_nb.sandbox.scenario import Scenario
from kdebug_nb.sandbox.server import InsecureSandboxWarning, Sandbox, SandboxError


def test_session_kubeconfig_names_everything_kdebug_sandbox(sandbox: Sandbox) -> None:
    assert sandbox.kubeconfig is not None
    conf = yaml.safe_load(sandbox.kubeconfig.read_text())
    assert conf["current-context"] == "kdebug-sandbox" == sandbox.context
    [ctx] = conf["contexts"]
    assert ctx == {
        "name": "kdebug-sandbox",
        "context": {"cluster": "kdebug-sandbox", "user": "kdebug-sandbox", "namespace": "default"},
    }
    [cluster] = conf["clusters"]
    assert sandbox.url.startswith("https://127.0.0.1:") and sandbox.ca_pem is not None
    assert cluster == {
        "name": "kdebug-sandbox",
        "cluster": {
            "server": sandbox.url,
            "certificate-authority-data": base64.b64encode(sandbox.ca_pem).decode(),
        },
    }
    # the admin's credential: random, and written nowhere else
    [user] = conf["users"]
    assert set(user["user"]) == {"token"} and len(user["user"]["token"]) >= 40
    assert str(Path.home() / ".kube") not in str(sandbox.kubeconfig)


def test_kubeconfig_dict_loads_in_memory(sandbox: Sandbox) -> None:
    assert sandbox.kubeconfig is not None
    assert sandbox.kubeconfig_dict() == yaml.safe_load(sandbox.kubeconfig.read_text())
    conf = kubeconfig_dict(sandbox.url, token=sandbox_token(sandbox), ca_pem=sandbox.ca_pem)
    api = config.new_client_from_config_dict(conf, context="kdebug-sandbox")
    try:
        version = client.VersionApi(api).get_code()
        assert version.git_version.startswith("v1.")
    finally:
        api.close()


def test_a_sandbox_replaces_the_kubeconfig_a_sandbox_wrote(tmp_path: Path) -> None:
    target = tmp_path / "sb.kubeconfig"
    first = write_kubeconfig("https://127.0.0.1:1", target, token="one")
    inode = first.stat().st_ino
    again = write_kubeconfig("https://127.0.0.1:2", target, token="two")
    assert again == target and target.stat().st_mode & 0o777 == 0o600
    assert target.stat().st_ino != inode  # a new file renamed over it, not a rewrite
    conf = yaml.safe_load(target.read_text())
    assert conf["clusters"][0]["cluster"]["server"] == "https://127.0.0.1:2"
    assert [p.name for p in tmp_path.iterdir()] == ["sb.kubeconfig"]


def test_someone_elses_copy_of_a_sandbox_kubeconfig_is_refused(tmp_path: Path) -> None:
    target = write_kubeconfig("https://127.0.0.1:1", tmp_path / "sb.kubeconfig", token="t")
    os.link(target, tmp_path / "hard-link")
    with pytest.raises(KubeconfigRefused, match="has other hard links"):
        write_kubeconfig("https://127.0.0.1:2", target, token="t")


def test_write_and_remove(tmp_path: Path) -> None:
    path = write_kubeconfig("http://127.0.0.1:1", tmp_path / "k", token="t0k")
    assert yaml.safe_load(path.read_text())["users"][0]["user"] == {"token": "t0k"}
    remove_kubeconfig(path)
    remove_kubeconfig(path)
    assert not path.exists()


def test_a_given_token_is_required_and_served_over_tls() -> None:
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


def test_each_sandbox_has_its_own_random_token() -> None:
    with Sandbox(Scenario(name="empty", source="test")) as one, Sandbox(
        Scenario(name="empty", source="test")
    ) as two:
        assert sandbox_token(one) != sandbox_token(two)
        assert one.ca_pem != two.ca_pem
        assert sandbox_json(one, "/api/v1/namespaces")[0] == 200
        assert sandbox_json(one, "/api/v1/namespaces", token=sandbox_token(two))[0] == 401


def test_scenario_users_authenticate_beside_the_admin(tmp_path: Path) -> None:
    path = tmp_path / "auth.yaml"
    path.write_text(
        "users:\n"
        "  - {name: admin, token: adm, allow: {'*': ['*']}}\n"
        "  - {name: ro, token: ro, allow: {pods: [get, list]}}\n"
    )
    with Sandbox(path) as sb:
        assert sb.kubeconfig is not None and sb.url.startswith("https://")
        # the kubeconfig holds the sandbox's own admin token, not a scenario's
        assert sandbox_token(sb) not in ("adm", "ro")
        assert sandbox_json(sb, "/api/v1/nodes", token="adm")[0] == 200
        pods = f"{sb.url}/api/v1/namespaces/default/pods"
        assert http_json(pods, ca=sb.ca_pem)[0] == 401
        assert http_json(pods, token="ro", ca=sb.ca_pem)[0] == 200
        code, body = http_json(f"{sb.url}/api/v1/nodes", token="ro", ca=sb.ca_pem)
        assert code == 403 and body["reason"] == "Forbidden"
        assert 'User "ro" cannot list resource "nodes"' in body["message"]


def test_default_scenario_viewer_reads_and_anonymous_does_not(sandbox: Sandbox) -> None:
    neato = "/api/v1/namespaces/default/pods/neato"
    assert sandbox_json(sandbox, neato, token="viewer-token")[0] == 200
    code, body = http_json(f"{sandbox.url}{neato}", ca=sandbox.ca_pem)
    assert code == 401 and body["reason"] == "Unauthorized"


def test_the_certificate_needs_no_openssl_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with Sandbox(Scenario(name="empty", source="test"), token="t") as sb:
        assert sandbox_json(sb, "/version")[0] == 200


def test_insecure_http_is_anonymous_admin_and_warns() -> None:
    with pytest.warns(InsecureSandboxWarning, match="anonymous requests as its admin"):
        sb = Sandbox(Scenario(name="empty", source="test"), insecure_http=True).start()
    try:
        assert sb.url.startswith("http://127.0.0.1:") and sb.ca_pem is None
        assert sb.kubeconfig is not None
        assert yaml.safe_load(sb.kubeconfig.read_text())["users"][0]["user"] == {}
        assert http_json(f"{sb.url}/api/v1/namespaces")[0] == 200
    finally:
        sb.stop()


def test_insecure_http_with_a_token_is_refused() -> None:
    with pytest.raises(SandboxError, match="a token needs TLS"):
        Sandbox(Scenario(name="empty", source="test"), token="t", insecure_http=True)


def test_the_certificate_passes_strict_verification(sandbox: Sandbox) -> None:
    """OpenSSL's X509_STRICT (Python 3.13's default) and the IP in the SAN, as clients check."""
    assert sandbox.ca_pem is not None
    context = ssl.create_default_context(cadata=sandbox.ca_pem.decode())
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    with socket.create_connection((sandbox.host, sandbox.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=sandbox.host) as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
    context.check_hostname = True
    with socket.create_connection((sandbox.host, sandbox.port), timeout=10) as raw:
        with pytest.raises(ssl.SSLCertVerificationError, match="mismatch"):
            context.wrap_socket(raw, server_hostname="example.com")


def test_a_refused_kubeconfig_path_stops_the_start_before_anything_runs(tmp_path: Path) -> None:
    precious = tmp_path / "config"
    precious.write_text("kind: Config\n")
    sb = Sandbox("default", kubeconfig_path=precious)
    with pytest.raises(SandboxError, match=r"^cannot write the kubeconfig: .* not written by"):
        sb.start()
    assert sb.port == 0 and not sb.running and sb.cluster.list("Pod") == []


def test_the_old_tls_switch() -> None:
    with Sandbox(Scenario(name="empty", source="test"), tls=True) as sb:
        assert sb.url.startswith("https://")
    with pytest.raises(SandboxError, match="insecure_http=True"):
        Sandbox(Scenario(name="empty", source="test"), tls=False)
