"""Real kubectl (1.32 and 1.35) against the API endpoints beyond plain get/describe:
writes in every encoding kubectl uses, server-side validation via the OpenAPI
skeleton, selectors, watches, and error wording."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubectl_bin import KUBECTL_VERSIONS, kubectl_or_skip, run_kubectl

MANIFEST = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  nodeName: parked-node
  containers:
  - name: a
    image: busybox:1.36
"""


def clean(proc: Any) -> str:
    """stdout of a successful run that printed no warning or error."""
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr.lower() and "error" not in proc.stderr.lower(), proc.stderr
    out: str = proc.stdout
    return out


def test_create_apply_label_patch_delete(any_kubectl: Any, fresh_namespace: str, tmp_path: Path) -> None:
    ns = ["-n", fresh_namespace]
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(MANIFEST.format(name="fromfile"))
    assert "pod/fromfile created" in clean(any_kubectl("create", "-f", str(manifest), *ns))
    again = any_kubectl("create", "-f", str(manifest), *ns)
    assert again.returncode == 1
    assert 'Error from server (AlreadyExists): error when creating' in again.stderr
    assert 'pods "fromfile" already exists' in again.stderr
    assert "pod/fromfile labeled" in clean(any_kubectl("label", "pod", "fromfile", "tier=x", *ns))
    assert "patched" in clean(
        any_kubectl("patch", "pod", "fromfile", "--type=merge", "-p", '{"metadata":{"annotations":{"a":"b"}}}', *ns)
    )
    assert "patched" in clean(
        any_kubectl("patch", "pod", "fromfile", "--type=json", "-p",
                    '[{"op":"add","path":"/metadata/labels/j","value":"1"}]', *ns)
    )
    got = json.loads(clean(any_kubectl("get", "pod", "fromfile", "-o", "json", *ns)))
    assert got["metadata"]["labels"] == {"app": "fromfile", "tier": "x", "j": "1"}
    assert got["metadata"]["annotations"] == {"a": "b"}
    applied = tmp_path / "applied.yaml"
    applied.write_text(MANIFEST.format(name="applied"))
    assert "pod/applied created" in clean(any_kubectl("apply", "-f", str(applied), *ns))
    applied.write_text(MANIFEST.format(name="applied").replace("{app: applied}", "{app: applied, v: '2'}"))
    assert "pod/applied configured" in clean(any_kubectl("apply", "-f", str(applied), *ns))
    assert "deleted" in clean(any_kubectl("delete", "pod", "fromfile", "applied", "--now", *ns))
    missing = any_kubectl("get", "pod", "fromfile", *ns)
    assert 'Error from server (NotFound): pods "fromfile" not found' in missing.stderr


def test_invalid_pod_is_reported_like_a_cluster(any_kubectl: Any, fresh_namespace: str, tmp_path: Path) -> None:
    manifest = tmp_path / "bad.yaml"
    manifest.write_text(MANIFEST.format(name="bad").replace("image: busybox:1.36", "image: ''"))
    proc = any_kubectl("create", "-f", str(manifest), "-n", fresh_namespace)
    assert proc.returncode == 1
    assert 'The Pod "bad" is invalid: spec.containers[0].image: Required value' in proc.stderr


def test_selectors(any_kubectl: Any, fresh_namespace: str, tmp_path: Path) -> None:
    for name in ("sel-a", "sel-b"):
        manifest = tmp_path / f"{name}.yaml"
        manifest.write_text(MANIFEST.format(name=name))
        clean(any_kubectl("create", "-f", str(manifest), "-n", fresh_namespace))
    out = clean(any_kubectl("get", "pods", "-l", "app in (sel-b)", "-n", fresh_namespace, "-o", "name"))
    assert out.split() == ["pod/sel-b"]
    out = clean(any_kubectl("get", "pods", "--field-selector", "metadata.name!=sel-b", "-n", fresh_namespace, "-o", "name"))
    assert out.split() == ["pod/sel-a"]


def test_get_watch_prints_rows(kubectl: Any, fresh_namespace: str, tmp_path: Path) -> None:
    manifest = tmp_path / "w.yaml"
    manifest.write_text(MANIFEST.format(name="watched"))
    clean(kubectl("create", "-f", str(manifest), "-n", fresh_namespace))
    proc = kubectl("get", "pods", "-w", "-n", fresh_namespace, "--request-timeout=2s")
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert lines[1].split()[:3] == ["watched", "0/1", "Pending"]


@pytest.fixture(scope="module")
def tls_sandbox() -> Iterator[Any]:
    """A sandbox whose admin token is chosen by the caller (scenario tokens work beside it)."""
    from kdebug_nb.sandbox.server import Sandbox

    sb = Sandbox(token=f"t-{uuid.uuid4().hex}").start()
    try:
        yield sb
    finally:
        sb.stop()


@pytest.mark.parametrize("which", KUBECTL_VERSIONS)
def test_forbidden_wording_through_kubectl(tls_sandbox: Any, which: str, tmp_path: Path) -> None:
    binary = kubectl_or_skip(which)
    args = ["--token=viewer-token", "debug", "neato", "--image=busybox", "--profile=general", "--", "true"]
    proc = run_kubectl(binary, tls_sandbox.kubeconfig, args, env={"KUBECACHEDIR": str(tmp_path)})
    assert proc.returncode == 1
    assert (
        'Error from server (Forbidden): pods "neato" is forbidden: User "viewer" cannot patch '
        'resource "pods/ephemeralcontainers" in API group "" in the namespace "default"'
    ) in proc.stderr
    assert tls_sandbox.requests[-1].user == "viewer"


def test_debug_modes_resolve_without_noise(any_kubectl: Any, fresh_namespace: str, tmp_path: Path) -> None:
    name = f"dbg-{uuid.uuid4().hex[:5]}"
    manifest = tmp_path / "d.yaml"
    manifest.write_text(MANIFEST.format(name=name))
    clean(any_kubectl("create", "-f", str(manifest), "-n", fresh_namespace))
    ns = ["-n", fresh_namespace, "--profile=general", "--image=busybox"]
    out = clean(any_kubectl("debug", name, "-c", "dbg", *ns, "--", "true"))
    assert out == ""
    pod = json.loads(clean(any_kubectl("get", "pod", name, "-o", "json", "-n", fresh_namespace)))
    assert [c["name"] for c in pod["spec"]["ephemeralContainers"]] == ["dbg"]
    again = any_kubectl("debug", name, "-c", "dbg", *ns, "--", "true")
    assert again.returncode == 1
    assert "existing ephemeral containers" in again.stderr or 'Duplicate value: "dbg"' in again.stderr
    out = clean(any_kubectl("debug", name, f"--copy-to={name}-copy", "-c", "dbg", *ns, "--", "true"))
    assert out == ""
    copy = json.loads(clean(any_kubectl("get", "pod", f"{name}-copy", "-o", "json", "-n", fresh_namespace)))
    assert [c["name"] for c in copy["spec"]["containers"]] == ["a", "dbg"]


@pytest.mark.parametrize("target", ["pod/neato", "node/node-1"])
def test_get_kind_slash_name(any_kubectl: Any, target: str) -> None:
    out = clean(any_kubectl("get", target, "-o", "name"))
    assert out.strip() == target


def test_kubectl_create_reports_unknown_fields(any_kubectl: Any, fresh_namespace: str, tmp_path: Path) -> None:
    manifest = tmp_path / "typo.yaml"
    manifest.write_text(MANIFEST.format(name="typo").replace("    image: busybox:1.36", "    imagee: busybox:1.36\n    image: busybox:1.36"))
    proc = any_kubectl("create", "-f", str(manifest), "-n", fresh_namespace)
    assert proc.returncode == 1
    assert 'strict decoding error: unknown field "spec.containers[0].imagee"' in proc.stderr
