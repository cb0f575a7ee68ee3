"""Decoding of Kubernetes protobuf request bodies (``application/vnd.kubernetes.protobuf``).

kubectl's typed clients send created Pods and DeleteOptions as protobuf and do
not fall back to JSON, so the sandbox decodes them like an API server: a pure
Python wire reader driven by schema tables, no generated code.

>>> decode_object(body)  # doctest: +SKIP
{'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {...}, 'spec': {...}, 'status': {}}
"""

from __future__ import annotations

from .envelope import MAGIC, decode_object
from .errors import ProtobufError

__all__ = ["MAGIC", "ProtobufError", "decode_object"]
