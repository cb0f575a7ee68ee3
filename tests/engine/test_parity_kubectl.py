"""Parity: ``kdebug --detach`` sends what real ``kubectl debug`` sends.

For each argument set, kubectl (1.35 preferred; always with an explicit
``--profile``, since 1.36 changed the default) and kdebug run against twin
target pods in one namespace of the session sandbox. The objects the sandbox
stored — the new ephemeral container entry, the copy pod, the node pod — are
compared after masking random suffixes, names and server-assigned fields, with
``env`` compared as a set (kubectl's order is Go map order). The API calls
each side made (kubectl's discovery aside) must match too, in order.

Known kubectl-version differences are masked and named in the test ids:
``managed-by`` on node pods is kubectl 1.34+ (only masked for 1.32).
"""

from __future__ import annotations

import copy
import io
import json
import re
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from kubectl_bin import in_ci, kubectl135_path, kubectl_missing, kubectl_path, run_kubectl
from runtime_support import pod_names

from kdebug_nb.cli import main as kdebug_main
from kdebug_nb.engine.client import ClusterClient

SFX = re.compile(r"debugger-[bcdfghjklmnpqrstvwxz2456789]{5}")
MANAGED_BY = "app.kubernetes.io/managed-by"

CUSTOM_ENV = {
    "env": [{"name": "TRACE", "value": "1"}],
    "securityContext": {"runAsUser": 0, "capabilities": {"add": ["NET_ADMIN"]}},
}
CUSTOM_MOUNT = {"volumeMounts": [{"name": "host-root", "mountPath": "/host", "readOnly": True}]}

# (id, mode, args) — "{copy}" is replaced by a per-side copy name, "{custom}"/"{custom_mount}"
# by the path of a custom profile file.
CASES: list[tuple[str, str, list[str]]] = [
    ("E-general", "E", ["--image=busybox", "--profile=general"]),
    ("E-legacy", "E", ["--image=busybox", "--profile=legacy"]),
    ("E-baseline", "E", ["--image=busybox", "--profile=baseline"]),
    ("E-restricted", "E", ["--image=busybox", "--profile=restricted", "--image-pull-policy=IfNotPresent"]),
    ("E-netadmin", "E", ["--image=busybox", "--profile=netadmin"]),
    ("E-sysadmin", "E", ["--image=busybox", "--profile=sysadmin"]),
    ("E-named-cmd", "E", ["--image=busybox", "--profile=general", "-c", "dbg", "--", "sleep", "30"]),
    ("E-target", "E", ["--image=busybox", "--profile=general", "--target=app", "--", "sleep", "30"]),
    ("E-env", "E", ["--image=busybox", "--profile=general", "--env=A=1", "--env=B=2,C=3", "--env=D=x,y"]),
    ("E-stdin-tty", "E", ["--image=busybox", "--profile=general", "-it", "--attach=false"]),
    ("E-args-only", "E", ["--image=busybox", "--profile=baseline", "--arguments-only", "--", "echo", "hi"]),
    ("E-custom", "E", ["--image=busybox", "--profile=general", "--custom={custom}"]),
    ("E-netadmin-custom", "E", ["--image=busybox", "--profile=netadmin", "--custom={custom}", "-c", "nd"]),
    ("C-general", "C", ["--copy-to={copy}", "--image=busybox", "--profile=general"]),
    ("C-legacy", "C", ["--copy-to={copy}", "--image=busybox", "--profile=legacy", "--keep-labels"]),
    ("C-baseline", "C", ["--copy-to={copy}", "--image=busybox", "--profile=baseline"]),
    ("C-restricted", "C", ["--copy-to={copy}", "--image=busybox", "--profile=restricted"]),
    ("C-netadmin", "C", ["--copy-to={copy}", "--image=busybox", "--profile=netadmin"]),
    ("C-sysadmin", "C", ["--copy-to={copy}", "--image=busybox", "--profile=sysadmin"]),
    ("C-set-image-star", "C", ["--copy-to={copy}", "--set-image=*=busybox", "--profile=general"]),
    ("C-set-image-named", "C", ["--copy-to={copy}", "--set-image=app=busybox:1.36,side=alpine", "--profile=general"]),
    ("C-existing-container-cmd", "C", ["--copy-to={copy}", "-c", "app", "--profile=general", "--", "sleep", "1d"]),
    ("C-keep-all", "C", ["--copy-to={copy}", "--image=busybox", "--profile=general", "--keep-labels",
                         "--keep-annotations", "--keep-liveness", "--keep-readiness", "--keep-startup"]),
    ("C-no-init", "C", ["--copy-to={copy}", "--image=busybox", "--profile=general", "--keep-init-containers=false"]),
    ("C-share-processes-false", "C", ["--copy-to={copy}", "--image=busybox", "--profile=general", "--share-processes=false"]),
    ("C-same-node", "C", ["--copy-to={copy}", "--image=busybox", "--profile=general", "--same-node"]),
    ("C-replace", "C", ["--copy-to={copy}", "--image=busybox", "--profile=general", "--replace"]),
    ("C-env-named", "C", ["--copy-to={copy}", "--image=busybox", "--profile=general", "-c", "dbg",
                          "--env=A=1,B=2", "--", "sh", "-c", "sleep 1"]),
    ("C-existing-restricted-env", "C", ["--copy-to={copy}", "-c", "app", "--image=busybox",
                                        "--profile=restricted", "--env=X=y"]),
    ("C-custom", "C", ["--copy-to={copy}", "--image=busybox", "--profile=general", "--custom={custom}"]),
    ("C-args-only-pull", "C", ["--copy-to={copy}", "--image=busybox", "--profile=sysadmin",
                               "--arguments-only", "--image-pull-policy=Never", "--", "x"]),
    ("N-general", "N", ["--image=busybox", "--profile=general"]),
    ("N-legacy", "N", ["--image=busybox", "--profile=legacy"]),
    ("N-baseline", "N", ["--image=busybox", "--profile=baseline"]),
    ("N-restricted", "N", ["--image=busybox", "--profile=restricted"]),
    ("N-netadmin", "N", ["--image=busybox", "--profile=netadmin"]),
    ("N-sysadmin", "N", ["--image=busybox", "--profile=sysadmin"]),
    ("N-named-env-cmd", "N", ["--image=busybox", "--profile=general", "-c", "dbg", "--env=A=1",
                              "--", "ls", "/host"]),
    ("N-custom-mount", "N", ["--image=busybox", "--profile=general", "--custom={custom_mount}"]),
]


def _target_manifest(name: str, namespace: str) -> dict[str, Any]:
    probe = {"exec": {"command": ["true"]}, "periodSeconds": 30}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app": "twin", "tier": "backend"},
            "annotations": {"team": "payments"},
        },
        "spec": {
            "initContainers": [{"name": "init", "image": "busybox", "command": ["true"]}],
            "containers": [
                {
                    "name": "app",
                    "image": "busybox:1.36",
                    "command": ["sh", "-c", "while true; do sleep 1; done"],
                    "args": ["ignored"],
                    "env": [{"name": "ORIG", "value": "1"}],
                    "livenessProbe": probe,
                    "readinessProbe": probe,
                    "startupProbe": probe,
                    "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"]}},
                },
                {"name": "side", "image": "busybox", "command": ["sleep", "3600"]},
            ],
        },
    }


@pytest.fixture(scope="module")
def oracle(sandbox: Any, kubectl_cache: Path) -> tuple[str, str]:
    """(binary, version label): kubectl 1.35 when present, else 1.32 (never under CI=true)."""
    newest = kubectl135_path()
    if newest:
        return newest, "1.35"
    older = kubectl_path()
    if older and not in_ci():
        return older, "1.32"
    kubectl_missing("1.35")


def _kubectl(sandbox: Any, cache: Path, binary: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    return run_kubectl(binary, sandbox.kubeconfig, args, timeout=60,
                       env={"KUBECACHEDIR": str(cache)})


def _kdebug(sandbox: Any, args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = kdebug_main(["--kubeconfig", str(sandbox.kubeconfig), "--detach", *args])
    return code, out.getvalue(), err.getvalue()


def _sorted_env(c: dict[str, Any]) -> dict[str, Any]:
    if "env" in c:
        c["env"] = sorted(c["env"], key=lambda e: json.dumps(e, sort_keys=True))
    return c


def _mask_pod(pod: dict[str, Any], *, keep_node: bool, copy_name: str = "") -> dict[str, Any]:
    pod = copy.deepcopy(pod)
    meta = pod.get("metadata") or {}
    kept = {k: meta[k] for k in ("labels", "annotations", "namespace") if k in meta}
    pod = {"metadata": kept, "spec": pod.get("spec") or {}}
    spec = pod["spec"]
    if not keep_node:
        spec.pop("nodeName", None)
    for key in ("containers", "initContainers", "ephemeralContainers"):
        spec[key] = [_sorted_env(c) for c in spec.get(key) or []]
        if not spec[key]:
            spec.pop(key)
    text = json.dumps(pod, sort_keys=True)
    if copy_name:
        text = text.replace(copy_name, "<copy>")
    return json.loads(SFX.sub("debugger-<sfx>", text))


def _ephemeral(cc: ClusterClient, ns: str, pod: str) -> list[dict[str, Any]]:
    return list((cc.read_pod(ns, pod).get("spec") or {}).get("ephemeralContainers") or [])


def _expand(args: list[str], copy_name: str, files: dict[str, str]) -> list[str]:
    return [a.format(copy=copy_name, **files) for a in args]


@pytest.mark.parametrize(("case", "mode", "args"), CASES, ids=[c[0] for c in CASES])
def test_parity(
    case: str,
    mode: str,
    args: list[str],
    sandbox: Any,
    cc: ClusterClient,
    fresh_namespace: str,
    kubectl_cache: Path,
    oracle: tuple[str, str],
    tmp_path: Path,
) -> None:
    binary, version = oracle
    ns = fresh_namespace
    files = {"custom": str(tmp_path / "custom.json"), "custom_mount": str(tmp_path / "mount.yaml")}
    Path(files["custom"]).write_text(json.dumps(CUSTOM_ENV))
    Path(files["custom_mount"]).write_text(
        "volumeMounts:\n- {name: host-root, mountPath: /host, readOnly: true}\n"
    )
    twins = {side: f"twin-{side}" for side in ("k", "e")}
    if mode in ("E", "C"):
        # labels, annotations, init containers, probes, two containers: all profiles bite
        for name in twins.values():
            cc.create_pod(ns, _target_manifest(name, ns))

    results: dict[str, Any] = {}
    calls: dict[str, list[tuple[str, str]]] = {}
    for side in ("k", "e"):
        copy_name = f"cp-{side}"
        target = twins[side] if mode in ("E", "C") else "node/node-1"
        argv = [target, "-n", ns, *_expand(args, copy_name, files)]
        before_pods = pod_names(cc, ns)
        before_eph = len(_ephemeral(cc, ns, twins[side])) if mode == "E" else 0
        first_request = len(sandbox.requests)
        if side == "k":
            done = _kubectl(sandbox, kubectl_cache, binary, ["debug", *argv])
            assert done.returncode == 0, done.stderr
        else:
            code, _out, err = _kdebug(sandbox, argv)
            assert code == 0, err
        calls[side] = _calls(sandbox.requests[first_request:], ns, twins[side], copy_name)
        if mode == "E":
            entries = _ephemeral(cc, ns, twins[side])
            assert len(entries) == before_eph + 1
            results[side] = json.loads(SFX.sub("debugger-<sfx>", json.dumps(_sorted_env(entries[-1]))))
        elif mode == "C":
            results[side] = _mask_pod(
                cc.read_pod(ns, copy_name), keep_node="--same-node" in args, copy_name=copy_name
            )
            if "--replace" in args:
                gone = cc.read_pod(ns, twins[side]).get("metadata", {}).get("deletionTimestamp") \
                    if twins[side] in pod_names(cc, ns) else "gone"
                assert gone, f"{side}: --replace did not delete the original"
        else:
            new = sorted(pod_names(cc, ns) - before_pods)
            assert len(new) == 1 and new[0].startswith("node-debugger-node-1-"), new
            pod = _mask_pod(cc.read_pod(ns, new[0]), keep_node=True)
            if version == "1.32":  # the managed-by label is kubectl 1.34+
                labels = pod["metadata"].pop("labels", {})
                labels.pop(MANAGED_BY, None)
                if labels:
                    pod["metadata"]["labels"] = labels
            results[side] = pod
    assert results["e"] == results["k"]
    # and the same API calls, in the same order (kubectl's discovery aside)
    assert calls["e"] == calls["k"], calls


def _calls(records: list[Any], ns: str, twin: str, copy_name: str) -> list[tuple[str, str]]:
    out = []
    for r in records:
        if not r.path.startswith(("/api/v1/namespaces/", "/api/v1/nodes")):
            continue
        path = r.path.replace(f"/{ns}/", "/NS/").replace(f"/{twin}", "/TWIN")
        path = path.replace(f"/{copy_name}", "/COPY")
        out.append((r.method, re.sub(r"node-debugger-node-1-\w{5}", "NODEPOD", path)))
    return out

