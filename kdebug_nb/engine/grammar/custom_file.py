"""Reading a ``--custom`` file the way kubectl does, once, during validation.

kubectl: ``staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go``,
``(*DebugOptions).Complete`` reads the file (JSON first, then YAML). The
decoded spec travels on as ``DebugOptions.custom_spec``; the builders never
open a file.
"""

from __future__ import annotations

import json
import re
from typing import Any

from kdebug_nb.engine.builders.custom import normalize_container_spec
from kdebug_nb.engine.debug_options import DebugOptions
from kdebug_nb.errors import UsageError


def load_custom_file(path: str) -> dict[str, Any] | None:
    """Read a ``--custom`` file like kubectl: strict JSON first, then the YAML decoder.

    A file that fails as JSON, for its syntax *or* for a type mismatch, is read
    again as YAML (JSON is YAML), whose decoder is lenient about scalars in
    string fields. Error texts are kubectl's: the YAML decoder's error is the
    one reported.
    """
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        reason = (exc.strerror or str(exc))
        reason = reason[:1].lower() + reason[1:]  # Go's syscall errors are lower case
        raise UsageError(
            f"must pass a container spec json file for custom profile: open {path}: {reason}"
        ) from None
    try:
        return normalize_container_spec(json.loads(raw), path)
    except (ValueError, UsageError):
        pass
    data = _load_yaml(raw, path)
    try:
        return normalize_container_spec(data, path, lenient=True)
    except UsageError as exc:
        head = f"{path} does not contain a valid container spec: "
        raise UsageError(head + "error unmarshaling JSON: while decoding JSON: "
                         + str(exc)[len(head):]) from None


def _load_yaml(raw: bytes, path: str) -> Any:
    import yaml  # only files that are not JSON pay for it

    class Loader(yaml.SafeLoader):
        """YAML 1.1 as Go's yaml.v2 reads it: ``y``/``n`` are booleans too, and
        ``1e3`` is a float (PyYAML wants a dot in floats)."""

    def construct_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
        text = str(loader.construct_scalar(node)).lower()
        return text in ("y", "yes", "true", "on")

    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))
    Loader.add_constructor("tag:yaml.org,2002:bool", construct_bool)
    Loader.add_implicit_resolver(  # after the int resolver, so 123 stays an int
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
        list("-+.0123456789"))
    try:
        return yaml.load(raw, Loader=Loader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise UsageError(f"{path} does not contain a valid container spec: error converting "
                         f"YAML to JSON: yaml: {where}{problem}") from None


def resolve_custom_spec(opts: DebugOptions) -> dict[str, Any] | None:
    """The normalised custom spec of a run: ``opts.custom_spec`` or the ``--custom`` file."""
    if opts.custom_spec is not None:
        if opts.custom:
            raise UsageError("give either --custom (a file) or custom_spec, not both")
        return normalize_container_spec(opts.custom_spec)
    if opts.custom:
        return load_custom_file(opts.custom)
    return None
