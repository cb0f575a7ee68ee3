"""Which kubeconfig files count, read the way kubectl reads them.

client-go's loading rules (``staging/src/k8s.io/client-go/tools/clientcmd/loader.go``,
``ClientConfigLoadingRules.Load``): an explicit ``--kubeconfig`` must exist;
in a ``$KUBECONFIG`` list, files that do not exist are skipped and an empty
file counts as an empty config, while a file that cannot be parsed fails the
load with ``error loading config file "PATH": ...``. When every listed file is
missing kubectl warns ``Config not found: PATH``; the engine's error then
names those paths.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from kdebug_nb.errors import ConfigError

DEFAULT_PATH = "~/.kube/config"


@dataclass(frozen=True)
class KubeconfigFile:
    """A kubeconfig file that exists and holds a mapping."""

    path: str
    doc: dict[str, Any]


def candidate_paths(explicit: str | None) -> tuple[list[str], str]:
    """The paths to read and where they came from (``--kubeconfig``, ``$KUBECONFIG``, default)."""
    if explicit:
        path = os.path.expanduser(explicit)
        if not os.path.exists(path):
            raise ConfigError(f"kubeconfig {explicit} does not exist", suggest_cluster=True)
        return [path], "--kubeconfig"
    env = os.environ.get("KUBECONFIG", "")
    if env:
        return [os.path.expanduser(p) for p in env.split(os.pathsep) if p], "$KUBECONFIG"
    return [os.path.expanduser(DEFAULT_PATH)], "default"


def read_kubeconfigs(explicit: str | None) -> tuple[list[KubeconfigFile], list[str]]:
    """The kubeconfig files to merge, in order, and the listed paths that do not exist.

    No file at all is not an error here: ``--server`` or the in-cluster
    service account may still name a cluster (the caller words the error,
    naming the missing paths).
    """
    paths, _origin = candidate_paths(explicit)
    files: list[KubeconfigFile] = []
    missing: list[str] = []
    empty: list[str] = []
    for path in paths:
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            missing.append(path)
            continue
        except OSError as exc:
            raise ConfigError(f'error loading config file "{path}": {exc.strerror or exc}') from exc
        doc = parse_kubeconfig(path, raw)
        if doc is None:
            empty.append(path)
        else:
            files.append(KubeconfigFile(path, doc))
    if not files and empty and explicit:
        raise ConfigError(f"kubeconfig {explicit} is empty or not a kubeconfig", suggest_cluster=True)
    return files, missing


def parse_kubeconfig(path: str, raw: bytes) -> dict[str, Any] | None:
    """The file's mapping, ``None`` for an empty file; a one-line error naming it otherwise."""
    import yaml

    def fail(why: str) -> ConfigError:
        return ConfigError(f'error loading config file "{path}": {why}')

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise fail(f"not valid YAML: {problem}{where}") from None
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise fail(f"not a kubeconfig (a YAML {type(doc).__name__}, not a mapping)")
    for key in ("clusters", "contexts", "users"):
        entries = doc.get(key)
        if entries is not None and not (
            isinstance(entries, list) and all(isinstance(e, dict) for e in entries)
        ):
            raise fail(f"{key} must be a list of named entries")
    return doc


__all__ = ["KubeconfigFile", "candidate_paths", "parse_kubeconfig", "read_kubeconfigs"]
