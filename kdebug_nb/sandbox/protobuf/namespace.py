"""Schema of Namespace: ``kubectl create namespace`` sends it as protobuf too."""

from __future__ import annotations

from .schema import KEEP, LIST, STRING, TIME, F

MESSAGES: dict[str, dict[int, F]] = {
    "Namespace": {
        1: F("metadata", "ObjectMeta"),
        2: F("spec", "NamespaceSpec"),
        3: F("status", "NamespaceStatus"),
    },
    "NamespaceSpec": {
        1: F("finalizers", STRING, LIST),
    },
    "NamespaceStatus": {
        1: F("phase", STRING),
        2: F("conditions", "NamespaceCondition", LIST),
    },
    "NamespaceCondition": {
        1: F("type", STRING, KEEP),
        2: F("status", STRING, KEEP),
        4: F("lastTransitionTime", TIME),
        5: F("reason", STRING),
        6: F("message", STRING),
    },
}
