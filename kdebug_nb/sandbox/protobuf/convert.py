"""Schema-driven conversion of one encoded message into its API JSON form.

Mirrors what an API server does with a protobuf body (unmarshal into the Go
struct, marshal that as JSON): pointer fields keep zero values, value fields
follow their ``omitempty`` tag, value structs always appear (``{}`` when
empty), and the special apimachinery types take their JSON shapes.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from . import authorization, container, meta, namespace, podspec, status, volumes
from .errors import ProtobufError
from .schema import (
    BOOL,
    BYTES,
    DOUBLE,
    FIELDS_V1,
    INLINE,
    INT32,
    INT64,
    INT_OR_STRING,
    KEEP,
    LIST,
    MAP,
    MICRO_TIME,
    PTR,
    QUANTITY,
    SCALARS,
    SPECIALS,
    STRING,
    TIME,
    F,
)
from .wire import (
    FIXED64,
    LENGTH_DELIMITED,
    VARINT,
    WireField,
    double,
    iter_fields,
    read_varint,
    signed32,
    signed64,
)

REGISTRY: dict[str, dict[int, F]] = {
    **meta.MESSAGES,
    **meta.ENVELOPE,
    **container.MESSAGES,
    **volumes.MESSAGES,
    **podspec.MESSAGES,
    **status.MESSAGES,
    **namespace.MESSAGES,
    **authorization.MESSAGES,
}

_VARINT_TYPES = frozenset({BOOL, INT32, INT64})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def display_name(type_name: str) -> str:
    """The Go-style name used in error messages (``v1.PodSpec``)."""
    if type_name in ("Unknown", "TypeMeta"):
        return f"runtime.{type_name}"
    return type_name if "." in type_name else f"v1.{type_name}"  # core, meta, authorization


class Where(NamedTuple):
    """Names a field in error messages; formatted only when an error is raised."""

    type_name: str
    number: int
    field: F

    def __str__(self) -> str:
        label = self.field.json or self.field.type
        return f"field {self.number} ({label}) of {display_name(self.type_name)}"


def decode_message(type_name: str, data: bytes) -> dict[str, Any]:
    """Decode one message of a table type into its JSON object."""
    schema = REGISTRY[type_name]
    values: dict[int, Any] = {}
    # A singular message field seen twice is merged, as Go's Unmarshal does:
    # concatenated encodings decode to the merge, so collect bytes first.
    pending: dict[int, bytes] = {}
    for wf in iter_fields(data):
        field = schema.get(wf.number)
        if field is None:
            raise ProtobufError(
                f"unknown field {wf.number} (wire type {wf.wire_type}) in {display_name(type_name)}"
            )
        where = Where(type_name, wf.number, field)
        if field.mode == LIST:
            values.setdefault(wf.number, []).extend(_list_items(field, wf, where))
        elif field.mode == MAP:
            key, value = _map_entry(field, _bytes(wf, where), where)
            values.setdefault(wf.number, {})[key] = value
        elif field.type in SCALARS:
            values[wf.number] = _value(field.type, wf, where)
        else:
            pending[wf.number] = pending.get(wf.number, b"") + _bytes(wf, where)
    for number, raw in pending.items():
        field = schema[number]
        where = Where(type_name, number, field)
        values[number] = _message(field.type, raw, where)
    return _to_json(schema, values)


def _to_json(schema: dict[int, F], values: dict[int, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for number, field in schema.items():
        present = number in values
        value = values.get(number)
        if field.mode == INLINE:
            if isinstance(value, dict):
                out.update(value)
            continue
        if field.mode == PTR:
            if present and value is not None:
                out[field.json] = value
            continue
        if field.mode in (LIST, MAP):
            if value:
                out[field.json] = value
            continue
        if not present:
            value = _zero(field)
        if value is None:
            continue  # a zero Time marshals as null; leave it out
        if field.mode != KEEP and field.type in (STRING, BOOL, INT32, INT64, DOUBLE, BYTES):
            if not value:
                continue
        out[field.json] = value
    return out


def _zero(field: F) -> Any:
    """JSON of a Go value field the wire did not carry (gogo always writes them)."""
    if field.type in (STRING, BYTES):
        return ""
    if field.type == BOOL:
        return False
    if field.type in (INT32, INT64, DOUBLE, INT_OR_STRING):
        return 0
    if field.type == QUANTITY:
        return "0"
    if field.type in SPECIALS:
        return None
    return {}  # encoding/json never omits a struct value, omitempty or not


def _value(type_name: str, wf: WireField, where: Where) -> Any:
    if type_name in _VARINT_TYPES:
        raw = _varint(wf, where)
        if type_name == BOOL:
            return raw != 0
        return signed32(raw) if type_name == INT32 else signed64(raw)
    if type_name == DOUBLE:
        if wf.wire_type != FIXED64 or not isinstance(wf.value, int):
            raise ProtobufError(f"{where}: expected a 64-bit value, got wire type {wf.wire_type}")
        return double(wf.value)
    data = _bytes(wf, where)
    if type_name in SCALARS:
        return _bytes_scalar(type_name, data, where)
    return _message(type_name, data, where)


def _bytes_scalar(type_name: str, data: bytes, where: Where) -> Any:
    if type_name == STRING:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtobufError(f"{where}: invalid UTF-8 in string") from exc
    return base64.b64encode(data).decode("ascii")


def _message(type_name: str, data: bytes, where: Where) -> Any:
    if type_name in SPECIALS:
        return _special(type_name, data, where)
    return decode_message(type_name, data)


def _list_items(field: F, wf: WireField, where: Where) -> list[Any]:
    if field.type in _VARINT_TYPES and wf.wire_type == LENGTH_DELIMITED:
        # Packed repeated scalars (proto3 style); Kubernetes writes unpacked,
        # but a decoder must accept both.
        data = _bytes(wf, where)
        items: list[Any] = []
        pos = 0
        while pos < len(data):
            raw, pos = read_varint(data, pos)
            items.append(_value(field.type, WireField(wf.number, VARINT, raw), where))
        return items
    return [_value(field.type, wf, where)]


def _map_entry(field: F, data: bytes, where: Where) -> tuple[str, Any]:
    key = ""
    value: Any = _zero(F("", field.type))
    for wf in iter_fields(data):
        if wf.number == 1:
            key = _value(STRING, wf, where)
        elif wf.number == 2:
            value = _value(field.type, wf, where)
        else:
            raise ProtobufError(f"{where}: unknown field {wf.number} in map entry")
    return key, value


def _special(type_name: str, data: bytes, where: Where) -> Any:
    fields: dict[int, WireField] = {}
    for wf in iter_fields(data):
        fields[wf.number] = wf
    allowed = {QUANTITY: {1}, INT_OR_STRING: {1, 2, 3}, TIME: {1, 2}, MICRO_TIME: {1, 2}}.get(
        type_name, {1}
    )
    for number in fields:
        if number not in allowed:
            raise ProtobufError(f"{where}: unknown field {number} in {type_name}")
    if type_name == QUANTITY:
        return _value(STRING, fields[1], where) if 1 in fields else "0"
    if type_name == INT_OR_STRING:
        kind = signed64(_varint(fields[1], where)) if 1 in fields else 0
        if kind == 1:
            return _value(STRING, fields[3], where) if 3 in fields else ""
        return signed32(_varint(fields[2], where)) if 2 in fields else 0
    if type_name in (TIME, MICRO_TIME):
        if not data:
            return None  # metav1.Time marshals its zero value as an empty message
        seconds = signed64(_varint(fields[1], where)) if 1 in fields else 0
        nanos = signed32(_varint(fields[2], where)) if 2 in fields else 0
        return format_time(seconds, nanos, micro=type_name == MICRO_TIME)
    # FieldsV1 and RawExtension carry JSON bytes in field 1.
    raw = _bytes(fields[1], where) if 1 in fields else b""
    if not raw:
        return {} if type_name == FIELDS_V1 else None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ProtobufError(f"{where}: {type_name} raw bytes are not JSON") from exc


def format_time(seconds: int, nanos: int, *, micro: bool) -> str:
    """RFC 3339 in UTC the way metav1.Time (seconds) / MicroTime (micros) marshal."""
    try:
        moment = _EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000)
    except OverflowError as exc:
        raise ProtobufError(f"timestamp {seconds}s out of range") from exc
    # strftime does not zero-pad years below 1000 everywhere; Go does.
    text = f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}"
    return f"{text}.{moment.microsecond:06d}Z" if micro else f"{text}Z"


def _varint(wf: WireField, where: Where) -> int:
    if wf.wire_type != VARINT or not isinstance(wf.value, int):
        raise ProtobufError(f"{where}: expected a varint, got wire type {wf.wire_type}")
    return wf.value


def _bytes(wf: WireField, where: Where) -> bytes:
    if wf.wire_type != LENGTH_DELIMITED or not isinstance(wf.value, bytes):
        raise ProtobufError(
            f"{where}: expected a length-delimited value, got wire type {wf.wire_type}"
        )
    return wf.value
