"""Turning ``POD``, ``TYPE/NAME`` and ``-f`` manifests into target values: the one target parser.

A name is read from the server later; an object from a ``-f`` file is used as
decoded, without a GET, as kubectl's resource builder does
(``staging/src/k8s.io/cli-runtime/pkg/resource/builder.go``, ``ResourceTypeOrNameArgs``
and ``FilenameParam``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kdebug_nb.engine.builders import unsupported_kind_message
from kdebug_nb.errors import UsageError


@dataclass(frozen=True)
class TargetRef:
    """One target: a pod or node by name, or an object decoded from a file."""

    kind: str  # "Pod" | "Node"
    name: str
    namespace: str = ""
    obj: dict[str, Any] | None = None  # set for -f targets

    @property
    def label(self) -> str:
        return f"{self.kind.lower()}/{self.name}"


_POD_TYPES = frozenset({"pod", "pods", "po"})
_NODE_TYPES = frozenset({"node", "nodes", "no"})


def target_kind(word: str) -> str:
    """``Pod``, ``Node``, or ``""`` for a word naming any other resource type."""
    resource, slash, _name = word.partition("/")
    if not slash:
        return "Pod"
    base = resource.split(".", 1)[0].lower()
    return "Pod" if base in _POD_TYPES else "Node" if base in _NODE_TYPES else ""


def parse_target(word: str) -> TargetRef:
    """``x``, ``pod/x``, ``node/x`` (``TYPE[[.VERSION].GROUP]/NAME``); other types are refused."""
    resource, slash, name = word.partition("/")
    if slash and not name:
        raise UsageError(
            f"arguments in resource/name form must have a single resource and name: {word}"
        )
    kind = target_kind(word)
    if kind:
        return TargetRef(kind, name if slash else word)
    raise UsageError(f'"{resource}" not supported by debug')


def file_targets(filenames: tuple[str, ...], namespace: str, explicit_ns: bool) -> list[TargetRef]:
    """Objects from ``-f`` paths (files, directories, ``-``, http(s) URLs)."""
    refs: list[TargetRef] = []
    for source in filenames:
        for text, where in _read_sources(source):
            for obj in _documents(text, where):
                refs.append(_ref_from_object(obj, where, namespace, explicit_ns))
    if not refs:
        raise UsageError(f"no objects passed to debug (from {', '.join(filenames)})")
    return refs


def _read_sources(source: str) -> Iterator[tuple[str, str]]:
    if source == "-":
        yield sys.stdin.read(), "stdin"
        return
    if source.startswith(("http://", "https://")):
        from urllib.request import urlopen

        try:
            with urlopen(source, timeout=30) as resp:  # noqa: S310 - user-given manifest URL
                yield resp.read().decode("utf-8", "replace"), source
        except OSError as exc:
            raise UsageError(f"unable to read URL {source}: {exc}") from exc
        return
    if os.path.isdir(source):
        names = sorted(
            n for n in os.listdir(source) if n.endswith((".json", ".yaml", ".yml"))
        )
        for name in names:
            yield from _read_sources(os.path.join(source, name))
        return
    try:
        with open(source, encoding="utf-8") as f:
            yield f.read(), source
    except OSError as exc:
        raise UsageError(f'the path "{source}" does not exist') from exc


def _documents(text: str, where: str) -> Iterator[dict[str, Any]]:
    import yaml

    try:
        docs: list[Any] = [json.loads(text)]
    except ValueError:
        try:
            docs = list(yaml.safe_load_all(text))
        except yaml.YAMLError as exc:
            first = str(exc).splitlines()[0]
            raise UsageError(f"error parsing {where}: {first}") from exc
    for doc in docs:
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise UsageError(f"error parsing {where}: not a Kubernetes object")
        if str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list):
            yield from (d for d in doc["items"] if isinstance(d, dict))
        else:
            yield doc


def _ref_from_object(
    obj: dict[str, Any], where: str, namespace: str, explicit_ns: bool
) -> TargetRef:
    kind = str(obj.get("kind", ""))
    meta = obj.get("metadata") or {}
    name = str(meta.get("name", ""))
    if not kind or not name:
        raise UsageError(f"error parsing {where}: object has no kind or metadata.name")
    if kind not in ("Pod", "Node"):
        raise UsageError(unsupported_kind_message(str(obj.get("apiVersion", "v1")), kind))
    obj = json.loads(json.dumps(obj))  # the builders may keep references; give them our own
    if kind == "Pod":
        file_ns = str(meta.get("namespace") or "")
        if file_ns and explicit_ns and file_ns != namespace:
            raise UsageError(
                f'the namespace from the provided object "{file_ns}" does not match the namespace '
                f'"{namespace}". You must pass \'--namespace={file_ns}\' to perform this operation.'
            )
        ns = file_ns or namespace
        obj["metadata"]["namespace"] = ns
        obj.setdefault("apiVersion", "v1")
        return TargetRef("Pod", name, ns, obj)
    return TargetRef("Node", name, "", obj)

