"""The protobuf envelope: ``k8s\\x00`` magic, then a ``runtime.Unknown``.

``Unknown`` is {typeMeta{apiVersion, kind}, raw, contentEncoding, contentType};
``raw`` is the encoded object itself.
"""

from __future__ import annotations

from typing import Any

from .convert import decode_message
from .errors import ProtobufError
from .wire import LENGTH_DELIMITED, iter_fields

MAGIC = b"k8s\x00"

# kind -> (accepted apiVersions or None for any, schema type). DeleteOptions is
# registered in every group version; clients send the one of the resource.
KINDS: dict[str, tuple[frozenset[str] | None, str]] = {
    "Pod": (frozenset({"v1"}), "Pod"),
    "Namespace": (frozenset({"v1"}), "Namespace"),
    "SelfSubjectAccessReview": (
        frozenset({"authorization.k8s.io/v1"}),
        "SelfSubjectAccessReview",
    ),
    "DeleteOptions": (None, "DeleteOptions"),
}


def decode_object(body: bytes) -> dict[str, Any]:
    """Decode a whole protobuf request body into the object's API JSON dict."""
    if not body.startswith(MAGIC):
        raise ProtobufError("body does not start with the Kubernetes protobuf magic 'k8s\\x00'")
    parts = _unknown(body[len(MAGIC) :])
    type_meta = decode_message("TypeMeta", parts.get(1, b""))
    encoding = parts.get(3, b"").decode("utf-8", "replace")
    if encoding:
        raise ProtobufError(f"unsupported protobuf contentEncoding {encoding!r}")
    api_version = type_meta.get("apiVersion", "")
    kind = type_meta.get("kind", "")
    entry = KINDS.get(kind)
    if entry is None:
        raise ProtobufError(
            f"protobuf decoding of kind {kind or '<empty>'!r} ({api_version}) is not supported"
        )
    versions, type_name = entry
    if versions is not None and api_version not in versions:
        raise ProtobufError(f"protobuf decoding of {kind} in {api_version!r} is not supported")
    obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind}
    obj.update(decode_message(type_name, parts.get(2, b"")))
    return obj


def _unknown(data: bytes) -> dict[int, bytes]:
    """The length-delimited fields of runtime.Unknown, by number."""
    parts: dict[int, bytes] = {}
    for wf in iter_fields(data):
        if wf.number not in (1, 2, 3, 4):
            raise ProtobufError(f"unknown field {wf.number} in runtime.Unknown")
        if wf.wire_type != LENGTH_DELIMITED or not isinstance(wf.value, bytes):
            raise ProtobufError(f"field {wf.number} of runtime.Unknown has wire type {wf.wire_type}")
        parts[wf.number] = wf.value
    return parts
