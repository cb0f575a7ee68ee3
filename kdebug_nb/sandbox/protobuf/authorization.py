"""Schema of authorization.k8s.io/v1 SelfSubjectAccessReview, the body of
``kubectl auth can-i``, which kubectl sends as protobuf."""

from __future__ import annotations

from .schema import BOOL, KEEP, LIST, PTR, STRING, F

MESSAGES: dict[str, dict[int, F]] = {
    "SelfSubjectAccessReview": {
        1: F("metadata", "ObjectMeta"),
        2: F("spec", "SelfSubjectAccessReviewSpec", KEEP),
        3: F("status", "SubjectAccessReviewStatus"),
    },
    "SelfSubjectAccessReviewSpec": {
        1: F("resourceAttributes", "ResourceAttributes", PTR),
        2: F("nonResourceAttributes", "NonResourceAttributes", PTR),
    },
    "ResourceAttributes": {
        1: F("namespace", STRING),
        2: F("verb", STRING),
        3: F("group", STRING),
        4: F("version", STRING),
        5: F("resource", STRING),
        6: F("subresource", STRING),
        7: F("name", STRING),
        8: F("fieldSelector", "FieldSelectorAttributes", PTR),
        9: F("labelSelector", "LabelSelectorAttributes", PTR),
    },
    "FieldSelectorAttributes": {
        1: F("rawSelector", STRING),
        2: F("requirements", "FieldSelectorRequirement", LIST),
    },
    "FieldSelectorRequirement": {
        1: F("key", STRING, KEEP),
        2: F("operator", STRING, KEEP),
        3: F("values", STRING, LIST),
    },
    "LabelSelectorAttributes": {
        1: F("rawSelector", STRING),
        2: F("requirements", "LabelSelectorRequirement", LIST),
    },
    "NonResourceAttributes": {
        1: F("path", STRING),
        2: F("verb", STRING),
    },
    "SubjectAccessReviewStatus": {
        1: F("allowed", BOOL, KEEP),
        4: F("denied", BOOL),
        2: F("reason", STRING),
        3: F("evaluationError", STRING),
    },
}
