"""The one error the protobuf decoder raises."""

from __future__ import annotations


class ProtobufError(ValueError):
    """A request body the sandbox cannot decode as Kubernetes protobuf.

    The message names what was wrong (unknown field number and message type,
    unsupported kind, truncated data); the API answers it with 415.
    """
