"""Vocabulary of the schema tables: one ``F`` per protobuf field number.

The tables (``meta``, ``container``, ``volumes``, ``podspec``, ``status``,
``namespace``, ``authorization``) map a message name to ``{field number: F}``. Field numbers are
those of the Kubernetes ``generated.proto`` files (k8s.io/api 1.35, which
only adds fields to 1.32's); the JSON name and the ``mode`` come from the Go
struct and its tags in ``types.go``, because JSON omission follows the Go
field, not the wire: gogo-protobuf writes non-pointer scalars even when zero,
and encoding/json then drops them only if the tag says ``omitempty``.
"""

from __future__ import annotations

from dataclasses import dataclass

# Scalar wire types.
STRING = "string"
BOOL = "bool"
INT32 = "int32"
INT64 = "int64"
DOUBLE = "double"
BYTES = "bytes"
SCALARS = frozenset({STRING, BOOL, INT32, INT64, DOUBLE, BYTES})

# Message types whose JSON form is not an object (see ``convert``).
QUANTITY = "resource.Quantity"
INT_OR_STRING = "intstr.IntOrString"
TIME = "v1.Time"
MICRO_TIME = "v1.MicroTime"
FIELDS_V1 = "v1.FieldsV1"
RAW_EXTENSION = "runtime.RawExtension"
SPECIALS = frozenset({QUANTITY, INT_OR_STRING, TIME, MICRO_TIME, FIELDS_V1, RAW_EXTENSION})

# Modes: how a field maps to JSON.
OMIT = "omit"  # Go value field with omitempty: zero scalar dropped
KEEP = "keep"  # Go value field without omitempty: zero scalar kept (zero when absent)
PTR = "ptr"  # Go pointer: present on the wire <=> present in JSON, zero included
LIST = "list"  # Go slice: repeated field, dropped when empty
MAP = "map"  # Go map[string]T: repeated key(1)/value(2) entries, dropped when empty
INLINE = "inline"  # embedded struct (json:",inline"): its fields merge into the parent


@dataclass(frozen=True, slots=True)
class F:
    """One field: JSON name, value type (scalar, special or message name), mode."""

    json: str
    type: str
    mode: str = OMIT
