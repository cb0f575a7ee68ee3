"""Label and field selectors, with the API server's grammar and errors.

Both compile once per request into a predicate over the stored JSON dict, so
filtering thousands of pods is a tight loop without parsing per object.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kdebug_nb.sandbox.store.cluster import Obj
from kdebug_nb.sandbox.store.status import bad_request

Predicate = Callable[[Obj], bool]


def _always(_: Obj) -> bool:
    return True


# -- label selectors -------------------------------------------------------

_LABEL_KEY = re.compile(r"^([a-z0-9A-Z.\-]+/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_REQ = re.compile(
    r"""^\s*(?P<neg>!)?\s*(?P<key>[^\s!=<>(),]+)\s*
    (?:(?P<op>==|=|!=|<|>|\s+in\s+|\s+notin\s+)\s*(?P<val>\([^)]*\)|[^\s,()]*))?\s*$""",
    re.VERBOSE,
)


def _split_top(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _labels(obj: Obj) -> dict[str, str]:
    labels: dict[str, str] | None = obj["metadata"].get("labels")
    return labels or {}


def _label_requirement(part: str) -> Predicate:
    m = _REQ.match(part)
    if not m or (m.group("neg") and m.group("op")):
        raise bad_request(f"unable to parse requirement: found '{part.strip()}', expected: identifier")
    key = m.group("key")
    if not _LABEL_KEY.match(key):
        raise bad_request(
            f'unable to parse requirement: values[0][{key}]: Invalid value: "{key}": '
            "name part must consist of alphanumeric characters, '-', '_' or '.'"
        )
    op = (m.group("op") or "").strip()
    raw = m.group("val") or ""
    if m.group("neg"):
        return lambda o: key not in _labels(o)
    if not op:
        return lambda o: key in _labels(o)
    if op in ("in", "notin"):
        if not (raw.startswith("(") and raw.endswith(")")):
            raise bad_request(f"unable to parse requirement: found '{raw}', expected: '('")
        values = frozenset(v.strip() for v in raw[1:-1].split(",") if v.strip())
        if op == "in":
            return lambda o: _labels(o).get(key) in values
        return lambda o: _labels(o).get(key) not in values
    if op in ("=", "=="):
        return lambda o: _labels(o).get(key) == raw
    if op == "!=":
        return lambda o: _labels(o).get(key) != raw
    try:
        bound = int(raw)
    except ValueError:
        raise bad_request(
            f"unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer: {raw}"
        ) from None

    def compare(o: Obj) -> bool:
        v = _labels(o).get(key)
        try:
            n = int(v) if v is not None else None
        except ValueError:
            return False
        return n is not None and (n > bound if op == ">" else n < bound)

    return compare


def label_selector(text: str | None) -> Predicate:
    if not text or not text.strip():
        return _always
    reqs = [_label_requirement(p) for p in _split_top(text)]
    if len(reqs) == 1:
        return reqs[0]
    return lambda o: all(r(o) for r in reqs)


# -- field selectors -------------------------------------------------------


def _path(*keys: str) -> Callable[[Obj], str]:
    def get(obj: Obj) -> str:
        cur: Any = obj
        for k in keys:
            if not isinstance(cur, dict):
                return ""
            cur = cur.get(k)
        if cur is None:
            return ""
        if isinstance(cur, bool):
            return "true" if cur else "false"
        return str(cur)

    return get


_COMMON = {
    "metadata.name": _path("metadata", "name"),
    "metadata.namespace": _path("metadata", "namespace"),
}

FIELDS: dict[str, dict[str, Callable[[Obj], str]]] = {
    "Pod": {
        **_COMMON,
        "spec.nodeName": _path("spec", "nodeName"),
        "spec.restartPolicy": _path("spec", "restartPolicy"),
        "spec.schedulerName": _path("spec", "schedulerName"),
        "spec.serviceAccountName": _path("spec", "serviceAccountName"),
        "spec.hostNetwork": lambda o: "true" if o.get("spec", {}).get("hostNetwork") else "false",
        "status.phase": _path("status", "phase"),
        "status.podIP": _path("status", "podIP"),
        "status.nominatedNodeName": _path("status", "nominatedNodeName"),
    },
    "Event": {
        **_COMMON,
        "involvedObject.kind": _path("involvedObject", "kind"),
        "involvedObject.namespace": _path("involvedObject", "namespace"),
        "involvedObject.name": _path("involvedObject", "name"),
        "involvedObject.uid": _path("involvedObject", "uid"),
        "involvedObject.apiVersion": _path("involvedObject", "apiVersion"),
        "involvedObject.resourceVersion": _path("involvedObject", "resourceVersion"),
        "involvedObject.fieldPath": _path("involvedObject", "fieldPath"),
        "reason": _path("reason"),
        "reportingComponent": _path("reportingComponent"),
        "source": _path("source", "component"),
        "type": _path("type"),
    },
    "Node": {
        "metadata.name": _path("metadata", "name"),
        "spec.unschedulable": lambda o: "true" if o.get("spec", {}).get("unschedulable") else "false",
    },
    "Namespace": {
        "metadata.name": _path("metadata", "name"),
        "status.phase": _path("status", "phase"),
    },
}


def _split_escaped(text: str, sep: str) -> list[str]:
    out, cur, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i : i + 2])
            i += 2
            continue
        if ch == sep:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def field_selector(kind: str, text: str | None) -> Predicate:
    if not text or not text.strip():
        return _always
    fields = FIELDS[kind]
    reqs: list[tuple[Callable[[Obj], str], bool, str]] = []
    for part in _split_escaped(text, ","):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^((?:\\.|[^!=\\])+?)\s*(==|!=|=)(.*)$", part)
        if not m:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        label, op, value = _unescape(m.group(1).strip()), m.group(2), _unescape(m.group(3))
        getter = fields.get(label)
        if getter is None:
            raise bad_request(f'field label not supported: {label}')
        reqs.append((getter, op == "!=", value))
    if not reqs:
        return _always

    def match(obj: Obj) -> bool:
        for getter, negate, value in reqs:
            if (getter(obj) == value) == negate:
                return False
        return True

    return match


def exact_name(text: str | None) -> str | None:
    """``metadata.name=X`` alone (what kubectl's waits send), for a fast lookup."""
    if text and text.startswith("metadata.name=") and "," not in text and "!" not in text:
        value = text[len("metadata.name=") :]
        return value[1:] if value.startswith("=") else value
    return None
