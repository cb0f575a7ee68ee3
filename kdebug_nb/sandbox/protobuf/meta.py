"""Schema of the apimachinery meta/v1 messages a Pod or DeleteOptions carries.

Also the envelope types: ``runtime.Unknown`` and its ``TypeMeta``.
"""

from __future__ import annotations

from .schema import BOOL, BYTES, FIELDS_V1, INT64, KEEP, LIST, MAP, PTR, STRING, TIME, F

MESSAGES: dict[str, dict[int, F]] = {
    "DeleteOptions": {
        1: F("gracePeriodSeconds", INT64, PTR),
        2: F("preconditions", "Preconditions", PTR),
        3: F("orphanDependents", BOOL, PTR),
        4: F("propagationPolicy", STRING, PTR),
        5: F("dryRun", STRING, LIST),
        6: F("ignoreStoreReadErrorWithClusterBreakingPotential", BOOL, PTR),
    },
    "LabelSelector": {
        1: F("matchLabels", STRING, MAP),
        2: F("matchExpressions", "LabelSelectorRequirement", LIST),
    },
    "LabelSelectorRequirement": {
        1: F("key", STRING, KEEP),
        2: F("operator", STRING, KEEP),
        3: F("values", STRING, LIST),
    },
    "ManagedFieldsEntry": {
        1: F("manager", STRING),
        2: F("operation", STRING),
        3: F("apiVersion", STRING),
        4: F("time", TIME, PTR),
        6: F("fieldsType", STRING),
        7: F("fieldsV1", FIELDS_V1, PTR),
        8: F("subresource", STRING),
    },
    "ObjectMeta": {
        1: F("name", STRING),
        2: F("generateName", STRING),
        3: F("namespace", STRING),
        4: F("selfLink", STRING),
        5: F("uid", STRING),
        6: F("resourceVersion", STRING),
        7: F("generation", INT64),
        8: F("creationTimestamp", TIME),
        9: F("deletionTimestamp", TIME, PTR),
        10: F("deletionGracePeriodSeconds", INT64, PTR),
        11: F("labels", STRING, MAP),
        12: F("annotations", STRING, MAP),
        13: F("ownerReferences", "OwnerReference", LIST),
        14: F("finalizers", STRING, LIST),
        17: F("managedFields", "ManagedFieldsEntry", LIST),
    },
    "OwnerReference": {
        1: F("kind", STRING, KEEP),
        3: F("name", STRING, KEEP),
        4: F("uid", STRING, KEEP),
        5: F("apiVersion", STRING, KEEP),
        6: F("controller", BOOL, PTR),
        7: F("blockOwnerDeletion", BOOL, PTR),
    },
    "Preconditions": {
        1: F("uid", STRING, PTR),
        2: F("resourceVersion", STRING, PTR),
    },
}

# Not Kubernetes API types but the protobuf envelope (k8s.io/apimachinery
# pkg/runtime/generated.proto): the object travels as Unknown.raw.
ENVELOPE: dict[str, dict[int, F]] = {
    "TypeMeta": {
        1: F("apiVersion", STRING),
        2: F("kind", STRING),
    },
    "Unknown": {
        1: F("typeMeta", "TypeMeta", KEEP),
        2: F("raw", BYTES),
        3: F("contentEncoding", STRING),
        4: F("contentType", STRING),
    },
}
