"""The kubeconfig that points clients (kubectl, the official client, the engine) at a sandbox.

Cluster, user and context are all named ``kdebug-sandbox`` so the file can be
merged into someone's own config without clashing. The file is written only
where the caller says, or to a fresh private temp file; ``~/.kube/config`` is
never read or written.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

CONTEXT = "kdebug-sandbox"


def kubeconfig_dict(
    server: str, *, token: str | None = None, namespace: str = "default", name: str = CONTEXT
) -> dict[str, Any]:
    """The kubeconfig as a dict, e.g. for ``kubernetes.config.new_client_from_config_dict``."""
    user: dict[str, Any] = {"token": token} if token else {}
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": name, "cluster": {"server": server}}],
        "users": [{"name": name, "user": user}],
        "contexts": [
            {"name": name, "context": {"cluster": name, "user": name, "namespace": namespace}}
        ],
        "current-context": name,
    }


def write_kubeconfig(
    server: str,
    path: str | Path | None = None,
    *,
    token: str | None = None,
    namespace: str = "default",
) -> Path:
    """Write the kubeconfig (mode 0600: it may hold a token) and return its path.

    Without ``path`` a new temp file is created; the caller removes it with
    ``remove_kubeconfig`` when done.
    """
    text = yaml.safe_dump(kubeconfig_dict(server, token=token, namespace=namespace), sort_keys=False)
    if path is None:
        fd, name = tempfile.mkstemp(prefix="kdebug-sandbox-", suffix=".kubeconfig")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return Path(name)
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Create with 0600 from the start rather than chmod after: no window where a token is readable.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return target


def remove_kubeconfig(path: str | Path) -> None:
    """Delete a kubeconfig written by ``write_kubeconfig``; missing is fine."""
    try:
        Path(path).unlink()
    except FileNotFoundError:
        pass
