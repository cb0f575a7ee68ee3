"""A tiny test-only protobuf encoder, and checks that it agrees with the reader.

Two levels: byte builders (``varint``, ``vfield``, ``bfield``, ``envelope``)
for hand-assembled messages whose field numbers are written out literally in
the tests, and ``encode`` which turns API JSON back into protobuf through the
decoder's own schema tables (every field the JSON has, nothing else), for
whole-object round trips.
"""

from __future__ import annotations

import base64
import json
import struct
from datetime import datetime
from typing import Any

from kdebug_nb.sandbox.protobuf import MAGIC
from kdebug_nb.sandbox.protobuf.convert import REGISTRY
from kdebug_nb.sandbox.protobuf.schema import (
    BOOL,
    BYTES,
    DOUBLE,
    FIELDS_V1,
    INLINE,
    INT32,
    INT64,
    INT_OR_STRING,
    LIST,
    MAP,
    MICRO_TIME,
    PTR,
    QUANTITY,
    RAW_EXTENSION,
    STRING,
    TIME,
)
from kdebug_nb.sandbox.protobuf.wire import iter_fields, read_varint


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative ints are ten-byte two's complement, like Go
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def vfield(number: int, value: int | bool) -> bytes:
    return varint(number << 3) + varint(int(value))


def bfield(number: int, data: bytes | str) -> bytes:
    raw = data.encode() if isinstance(data, str) else data
    return varint(number << 3 | 2) + varint(len(raw)) + raw


def f64field(number: int, value: float) -> bytes:
    return varint(number << 3 | 1) + struct.pack("<d", value)


def f32field(number: int, value: int) -> bytes:
    return varint(number << 3 | 5) + struct.pack("<I", value)


def envelope(kind: str, raw: bytes, *, api_version: str = "v1", encoding: str = "") -> bytes:
    type_meta = bfield(1, api_version) + bfield(2, kind)
    unknown = bfield(1, type_meta) + bfield(2, raw)
    if encoding:
        unknown += bfield(3, encoding)
    return MAGIC + unknown + bfield(4, "")


def encode(type_name: str, obj: dict[str, Any]) -> bytes:
    """Encode API JSON as message ``type_name`` (inverse of decode_message)."""
    out = bytearray()
    for number, field in sorted(REGISTRY[type_name].items()):
        if field.mode == INLINE:
            out += bfield(number, encode(field.type, obj))
            continue
        if field.json not in obj:
            continue
        value = obj[field.json]
        if field.mode == LIST:
            for item in value:
                out += _encode_value(number, field.type, item)
        elif field.mode == MAP:
            for key, item in value.items():
                out += bfield(number, bfield(1, key) + _encode_value(2, field.type, item))
        else:
            out += _encode_value(number, field.type, value)
    return bytes(out)


def _encode_value(number: int, type_name: str, value: Any) -> bytes:
    if type_name in (BOOL, INT32, INT64):
        return vfield(number, value)
    if type_name == DOUBLE:
        return f64field(number, value)
    if type_name == STRING:
        return bfield(number, value)
    if type_name == BYTES:
        return bfield(number, base64.b64decode(value))
    if type_name == QUANTITY:
        return bfield(number, bfield(1, value))
    if type_name == INT_OR_STRING:
        if isinstance(value, int):
            return bfield(number, vfield(1, 0) + vfield(2, value))
        return bfield(number, vfield(1, 1) + bfield(3, value))
    if type_name in (TIME, MICRO_TIME):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        seconds = int(moment.timestamp())
        return bfield(number, vfield(1, seconds) + vfield(2, moment.microsecond * 1000))
    if type_name in (FIELDS_V1, RAW_EXTENSION):
        return bfield(number, bfield(1, json.dumps(value)))
    return bfield(number, encode(type_name, value))


def test_varint_round_trips_through_the_reader() -> None:
    for value in (0, 1, 127, 128, 300, 2**31 - 1, 2**63 - 1):
        assert read_varint(varint(value), 0) == (value, len(varint(value)))
    assert len(varint(-1)) == 10


def test_fields_come_back_in_order() -> None:
    data = vfield(1, 5) + bfield(2, "x") + f64field(3, 1.5) + f32field(4, 7)
    assert [(f.number, f.wire_type) for f in iter_fields(data)] == [(1, 0), (2, 2), (3, 1), (4, 5)]


def test_pointer_fields_are_encoded_only_when_present() -> None:
    assert PTR == "ptr"  # the encoder relies on absence for pointers, like gogo
    assert encode("DeleteOptions", {}) == b""
    assert encode("DeleteOptions", {"gracePeriodSeconds": 0}) == vfield(1, 0)
