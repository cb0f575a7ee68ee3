"""The credentials a kubeconfig gives the context a run uses, so the history can mask them.

A command may print them (``cat ~/.kube/config``, ``env``, a token passed on
to a script): knowing the values lets the redactor mask them wherever they
appear. The files are found and merged the way kubectl does
(``staging/src/k8s.io/client-go/tools/clientcmd/loader.go``,
``ClientConfigLoadingRules.Load``: ``--kubeconfig``, else every file in
``$KUBECONFIG``, else ``~/.kube/config``; for a name defined twice the first
file wins). Credentials an exec plugin returns at run time are not in any
file and are not known here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: credential fields of a kubeconfig user (client-go's ``AuthInfo``)
_USER_FIELDS = ("token", "password", "client-key-data")
_USER_FILES = ("tokenFile", "client-key")
#: auth-provider (OIDC and the like) config entries that are credentials
_PROVIDER_FIELDS = ("id-token", "refresh-token", "access-token", "client-secret")


def kubeconfig_paths(explicit: str | None = None) -> list[Path]:
    """The kubeconfig files kubectl would read, in order (missing ones left out)."""
    if explicit:
        names = [explicit]
    elif os.environ.get("KUBECONFIG"):
        names = [p for p in os.environ["KUBECONFIG"].split(os.pathsep) if p]
    else:
        names = ["~/.kube/config"]
    paths = [Path(n).expanduser() for n in names]
    return [p for p in paths if p.is_file()]


def kubeconfig_credentials(explicit: str | None = None, context: str | None = None) -> list[str]:
    """Token, password and client key of ``context``'s user (default: the current context).

    Unreadable or malformed files give no credentials rather than an error: the
    run itself reports a broken kubeconfig, in its own words.
    """
    docs = list(_documents(kubeconfig_paths(explicit)))
    name = context or next((d["current-context"] for d in docs if d.get("current-context")), "")
    ctx = _first_named(docs, "contexts", name).get("context") or {}
    user_name = ctx.get("user") if isinstance(ctx, dict) else None
    if not user_name:
        return []
    user = _first_named(docs, "users", str(user_name)).get("user") or {}
    if not isinstance(user, dict):
        return []
    found = [str(user[k]) for k in _USER_FIELDS if user.get(k)]
    if user.get("client-key-data"):
        found.extend(_pem_lines(_decoded(str(user["client-key-data"]))))
    for key in _USER_FILES:
        if user.get(key):
            found.extend(_file_text(str(user[key])))
    provider = user.get("auth-provider")
    config = provider.get("config") if isinstance(provider, dict) else None
    if isinstance(config, dict):
        found.extend(str(config[k]) for k in _PROVIDER_FIELDS if config.get(k))
    return found


def _documents(paths: list[Path]) -> Iterator[dict[str, Any]]:
    import yaml

    for path in paths:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(doc, dict):
            yield doc


def _first_named(docs: list[dict[str, Any]], section: str, name: str) -> dict[str, Any]:
    for doc in docs:
        for entry in doc.get(section) or []:
            if isinstance(entry, dict) and entry.get("name") == name:
                return entry
    return {}


def _file_text(path: str) -> list[str]:
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return []
    return [text, *_pem_lines(text)]


def _decoded(data: str) -> str:
    import base64
    import binascii

    try:
        return base64.b64decode(data, validate=False).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


def _pem_lines(text: str) -> list[str]:
    """A key's body lines: what shows when only a slice of it is printed."""
    return [line.strip() for line in text.splitlines() if line.strip() and "-----" not in line]
