"""Protobuf wire-format reader: just enough to walk one message's fields.

A message is a sequence of (tag, value) pairs; the tag's low three bits give
the wire type, which alone says how many bytes the value takes. The reader
yields raw values and leaves their meaning (int vs bool vs nested message) to
the schema-driven converter.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import NamedTuple

from .errors import ProtobufError

VARINT = 0
FIXED64 = 1
LENGTH_DELIMITED = 2
START_GROUP = 3
END_GROUP = 4
FIXED32 = 5


class WireField(NamedTuple):
    number: int
    wire_type: int
    value: int | bytes


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """Return (value, new position) of the base-128 varint at ``pos``."""
    result = 0
    shift = 0
    end = len(data)
    while True:
        if pos >= end:
            raise ProtobufError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise ProtobufError("varint longer than 10 bytes")


def iter_fields(data: bytes) -> Iterator[WireField]:
    """Yield every field of one encoded message in wire order."""
    pos = 0
    end = len(data)
    while pos < end:
        tag, pos = read_varint(data, pos)
        number, wire_type = tag >> 3, tag & 7
        if number == 0:
            raise ProtobufError("invalid field number 0")
        value: int | bytes
        if wire_type == VARINT:
            value, pos = read_varint(data, pos)
        elif wire_type == FIXED64:
            if pos + 8 > end:
                raise ProtobufError(f"truncated 64-bit value of field {number}")
            value = int.from_bytes(data[pos : pos + 8], "little")
            pos += 8
        elif wire_type == LENGTH_DELIMITED:
            length, pos = read_varint(data, pos)
            if pos + length > end:
                raise ProtobufError(f"truncated length-delimited field {number}")
            value = data[pos : pos + length]
            pos += length
        elif wire_type == FIXED32:
            if pos + 4 > end:
                raise ProtobufError(f"truncated 32-bit value of field {number}")
            value = int.from_bytes(data[pos : pos + 4], "little")
            pos += 4
        else:
            # Groups are proto1-era; no Kubernetes type uses them.
            raise ProtobufError(f"unsupported wire type {wire_type} for field {number}")
        yield WireField(number, wire_type, value)


def signed64(value: int) -> int:
    """Reinterpret a varint as a two's-complement int64 (negative int32 too)."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def signed32(value: int) -> int:
    value &= (1 << 32) - 1
    return value - (1 << 32) if value >= 1 << 31 else value


def double(value: int) -> float:
    result: float = struct.unpack("<d", value.to_bytes(8, "little"))[0]
    return result
