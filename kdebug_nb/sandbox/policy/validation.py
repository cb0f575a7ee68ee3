"""Pod validation with the API server's field paths and messages.

Each check returns causes ``(reason, field, message)``; ``status.invalid``
turns them into the 422 ``Pod "x" is invalid: ...`` Status. Only the rules
kdebug_nb's users can meet are implemented: names, images, container name
uniqueness, restart policy, volumes and mounts, ports, ephemeral container
restrictions, and which parts of a pod may change after creation.
"""

from __future__ import annotations

import json
import re
from typing import Any

from kdebug_nb.sandbox.store.cluster import Obj

Cause = tuple[str, str, str]

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)

RESTART_POLICIES = ("Always", "OnFailure", "Never")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")

#: fields an ephemeral container may carry (everything else is refused)
EPHEMERAL_ALLOWED = frozenset(
    {
        "name", "image", "command", "args", "workingDir", "env", "envFrom", "volumeMounts",
        "volumeDevices", "terminationMessagePath", "terminationMessagePolicy",
        "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty", "targetContainerName",
    }
)
_EPHEMERAL_FIELD_ORDER = (
    "ports", "resources", "resizePolicy", "restartPolicy", "livenessProbe", "readinessProbe",
    "startupProbe", "lifecycle",
)


def quote(value: Any) -> str:
    """Go's %q for the values that appear in messages."""
    return json.dumps(value if isinstance(value, str) else str(value), ensure_ascii=False)


def required(field: str, detail: str = "") -> Cause:
    return ("FieldValueRequired", field, "Required value" + (f": {detail}" if detail else ""))


def invalid_value(field: str, value: Any, detail: str) -> Cause:
    shown = quote(value) if isinstance(value, str) else json.dumps(value)
    return ("FieldValueInvalid", field, f"Invalid value: {shown}: {detail}")


def duplicate(field: str, value: Any) -> Cause:
    return ("FieldValueDuplicate", field, f"Duplicate value: {quote(value)}")


def not_supported(field: str, value: Any, supported: tuple[str, ...]) -> Cause:
    opts = ", ".join(quote(s) for s in supported)
    return ("FieldValueNotSupported", field, f"Unsupported value: {quote(value)}: supported values: {opts}")


def not_found_cause(field: str, value: Any) -> Cause:
    return ("FieldValueNotFound", field, f"Not found: {quote(value)}")


def forbidden_cause(field: str, detail: str) -> Cause:
    return ("FieldValueForbidden", field, f"Forbidden: {detail}")


def _is_empty(value: Any) -> bool:
    return value is None or value == {} or value == [] or value == "" or value is False


def validate_name(name: Any, field: str = "metadata.name") -> list[Cause]:
    if not name:
        return [required(field, "name or generateName is required")]
    if not isinstance(name, str) or len(name) > 253 or not DNS1123_SUBDOMAIN.match(name):
        return [invalid_value(field, name, SUBDOMAIN_MSG)]
    return []


#: apimachinery's TotalAnnotationSizeLimitB (k8s.io/apimachinery/pkg/api/validation/objectmeta.go)
TOTAL_ANNOTATION_SIZE = 256 * 1024


def validate_metadata(meta: Any) -> list[Cause]:
    """What ``ValidateObjectMeta`` checks for every kind that a sandbox meets:
    the total size of the annotations (``ValidateAnnotations``)."""
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(annotations, dict):
        return []
    total = sum(len(str(k).encode()) + len(str(v).encode()) for k, v in annotations.items())
    if total > TOTAL_ANNOTATION_SIZE:
        return [("FieldValueTooLong", "metadata.annotations",
                 f"Too long: must have at most {TOTAL_ANNOTATION_SIZE} bytes")]
    return []


def _container_causes(c: Obj, path: str, volumes: set[str]) -> list[Cause]:
    causes: list[Cause] = []
    name = c.get("name")
    if not name:
        causes.append(required(f"{path}.name"))
    elif not isinstance(name, str) or len(name) > 63 or not DNS1123_LABEL.match(name):
        causes.append(invalid_value(f"{path}.name", name, LABEL_MSG))
    image = c.get("image")
    if not image or not str(image).strip():
        causes.append(required(f"{path}.image"))
    elif str(image) != str(image).strip():
        causes.append(invalid_value(f"{path}.image", image, "must not have leading or trailing whitespace"))
    pull = c.get("imagePullPolicy")
    if pull and pull not in PULL_POLICIES:
        causes.append(not_supported(f"{path}.imagePullPolicy", pull, PULL_POLICIES))
    policy = c.get("terminationMessagePolicy")
    if policy and policy not in ("File", "FallbackToLogsOnError"):
        causes.append(
            not_supported(f"{path}.terminationMessagePolicy", policy, ("File", "FallbackToLogsOnError"))
        )
    for i, port in enumerate(c.get("ports") or []):
        cp = port.get("containerPort")
        if not isinstance(cp, int) or not 1 <= cp <= 65535:
            causes.append(
                invalid_value(f"{path}.ports[{i}].containerPort", cp, "must be between 1 and 65535, inclusive")
            )
    for i, env in enumerate(c.get("env") or []):
        if not env.get("name"):
            causes.append(required(f"{path}.env[{i}].name"))
    mounts: set[str] = set()
    for i, vm in enumerate(c.get("volumeMounts") or []):
        vname = vm.get("name")
        if not vname:
            causes.append(required(f"{path}.volumeMounts[{i}].name"))
        elif vname not in volumes:
            causes.append(not_found_cause(f"{path}.volumeMounts[{i}].name", vname))
        mp = vm.get("mountPath")
        if not mp:
            causes.append(required(f"{path}.volumeMounts[{i}].mountPath"))
        elif mp in mounts:
            causes.append(invalid_value(f"{path}.volumeMounts[{i}].mountPath", mp, "must be unique"))
        else:
            mounts.add(mp)
    return causes


def validate_ephemeral_fields(ec: Obj, path: str) -> list[Cause]:
    causes = []
    for key in _EPHEMERAL_FIELD_ORDER:
        if key in ec and not _is_empty(ec[key]):
            causes.append(forbidden_cause(f"{path}.{key}", "cannot be set for an Ephemeral Container"))
    for i, vm in enumerate(ec.get("volumeMounts") or []):
        for key in ("subPath", "subPathExpr"):
            if vm.get(key):
                causes.append(
                    forbidden_cause(f"{path}.volumeMounts[{i}].{key}", "cannot be set for an Ephemeral Container")
                )
    return causes


def validate_pod_spec(pod: Obj) -> list[Cause]:
    """Rules common to create and to every update of a pod."""
    spec = pod.get("spec")
    if not isinstance(spec, dict):
        return [required("spec.containers")]
    causes: list[Cause] = []
    volumes: set[str] = set()
    for i, vol in enumerate(spec.get("volumes") or []):
        vname = vol.get("name")
        if not vname:
            causes.append(required(f"spec.volumes[{i}].name"))
        elif not DNS1123_LABEL.match(str(vname)):
            causes.append(invalid_value(f"spec.volumes[{i}].name", vname, LABEL_MSG))
        elif vname in volumes:
            causes.append(duplicate(f"spec.volumes[{i}].name", vname))
        volumes.add(str(vname))
    seen: set[str] = set()
    groups = (("initContainers", spec.get("initContainers")), ("containers", spec.get("containers")))
    if not spec.get("containers"):
        causes.append(required("spec.containers"))
    for field, containers in groups:
        for i, c in enumerate(containers or []):
            path = f"spec.{field}[{i}]"
            causes.extend(_container_causes(c, path, volumes))
            name = c.get("name")
            if name:
                if name in seen:
                    causes.append(duplicate(f"{path}.name", name))
                seen.add(name)
    regular = set(seen)
    for i, ec in enumerate(spec.get("ephemeralContainers") or []):
        path = f"spec.ephemeralContainers[{i}]"
        causes.extend(_container_causes(ec, path, volumes))
        causes.extend(validate_ephemeral_fields(ec, path))
        name = ec.get("name")
        if name:
            if name in seen:
                causes.append(duplicate(f"{path}.name", name))
            seen.add(name)
        target = ec.get("targetContainerName")
        if target and target not in regular:
            causes.append(not_found_cause(f"{path}.targetContainerName", target))
    policy = spec.get("restartPolicy")
    if policy not in RESTART_POLICIES:
        causes.append(not_supported("spec.restartPolicy", policy, RESTART_POLICIES))
    dns = spec.get("dnsPolicy")
    dns_ok = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
    if dns not in dns_ok:
        causes.append(not_supported("spec.dnsPolicy", dns, dns_ok))
    grace = spec.get("terminationGracePeriodSeconds")
    if grace is not None and (not isinstance(grace, int) or grace < 0):
        causes.append(invalid_value("spec.terminationGracePeriodSeconds", grace, "must be greater than or equal to 0"))
    return causes


def validate_pod_create(pod: Obj) -> list[Cause]:
    meta = pod.get("metadata") or {}
    causes = validate_name(meta.get("name"))
    causes.extend(validate_metadata(meta))
    causes.extend(validate_pod_spec(pod))
    return causes


_MUTABLE_PATHS = ("activeDeadlineSeconds",)


def _munged_spec(spec: Obj) -> Obj:
    """The spec minus what a pod update may change."""
    out = dict(spec)
    for key in (*_MUTABLE_PATHS, "ephemeralContainers", "tolerations"):
        out.pop(key, None)
    for key in ("containers", "initContainers"):
        out[key] = [{k: v for k, v in c.items() if k != "image"} for c in spec.get(key) or []]
    return out


def validate_pod_update(old: Obj, new: Obj) -> list[Cause]:
    causes = validate_metadata(new.get("metadata")) + validate_pod_spec(new)
    if causes:
        return causes
    old_meta, new_meta = old["metadata"], new["metadata"]
    for key in ("name", "namespace", "uid", "creationTimestamp"):
        if new_meta.get(key) != old_meta.get(key):
            causes.append(invalid_value(f"metadata.{key}", new_meta.get(key), "field is immutable"))
    if _munged_spec(old["spec"]) != _munged_spec(new["spec"]):
        causes.append(
            forbidden_cause(
                "spec",
                "pod updates may not change fields other than `spec.containers[*].image`,"
                "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
                "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
                "(allow it to be set to 1 if it was previously negative)",
            )
        )
    old_tols = old["spec"].get("tolerations") or []
    new_tols = new["spec"].get("tolerations") or []
    if any(t not in new_tols for t in old_tols):
        causes.append(forbidden_cause("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"))
    return causes


def _diff(old: Obj, new: Obj) -> str:
    lines = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            lines.append(f"  {key}: {json.dumps(old.get(key))} -> {json.dumps(new.get(key))}")
    return "\n".join(lines)


def validate_ephemeral_update(old: Obj, new: Obj) -> list[Cause]:
    """The ephemeralcontainers subresource: add only, never change or remove."""
    if "kubernetes.io/config.mirror" in (old["metadata"].get("annotations") or {}):
        return [forbidden_cause("", "static pods do not support ephemeral containers")]
    causes = validate_pod_spec(new)
    new_by_name = {c.get("name"): c for c in new["spec"].get("ephemeralContainers") or []}
    for prev in old["spec"].get("ephemeralContainers") or []:
        cur = new_by_name.get(prev.get("name"))
        if cur is None:
            causes.append(
                forbidden_cause(
                    "spec.ephemeralContainers",
                    f"existing ephemeral containers {quote(prev.get('name'))} may not be removed\n",
                )
            )
        elif cur != prev:
            causes.append(
                forbidden_cause(
                    "spec.ephemeralContainers",
                    f"existing ephemeral containers {quote(prev.get('name'))} may not be changed\n"
                    + _diff(prev, cur),
                )
            )
    return causes


# -- unknown fields (fieldValidation) --------------------------------------

#: core/v1 Pod field names up to Kubernetes 1.35 (what kubectl 1.35 may send),
#: as a tree: a dict is an object, ``[dict]`` a list of objects, None a value
#: not looked into (scalars, maps, rarely used types)
_PROBE = dict.fromkeys(
    ("exec", "httpGet", "tcpSocket", "grpc", "initialDelaySeconds", "timeoutSeconds",
     "periodSeconds", "successThreshold", "failureThreshold", "terminationGracePeriodSeconds")
)
_PROFILE = dict.fromkeys(("type", "localhostProfile"))
_SECURITY = {
    **dict.fromkeys(
        ("privileged", "seLinuxOptions", "windowsOptions", "runAsUser", "runAsGroup",
         "runAsNonRoot", "readOnlyRootFilesystem", "allowPrivilegeEscalation", "procMount")
    ),
    "capabilities": dict.fromkeys(("add", "drop")),
    "seccompProfile": _PROFILE,
    "appArmorProfile": _PROFILE,
}
_CONTAINER: dict[str, Any] = {
    **dict.fromkeys(
        ("name", "image", "command", "args", "workingDir", "envFrom", "resizePolicy",
         "restartPolicy", "restartPolicyRules", "volumeDevices", "lifecycle", "terminationMessagePath",
         "terminationMessagePolicy", "imagePullPolicy", "stdin", "stdinOnce", "tty")
    ),
    "ports": [dict.fromkeys(("name", "hostPort", "containerPort", "protocol", "hostIP"))],
    "env": [dict.fromkeys(("name", "value", "valueFrom"))],
    "resources": dict.fromkeys(("limits", "requests", "claims")),
    "volumeMounts": [
        dict.fromkeys(
            ("name", "readOnly", "recursiveReadOnly", "mountPath", "subPath", "mountPropagation",
             "subPathExpr")
        )
    ],
    "livenessProbe": _PROBE,
    "readinessProbe": _PROBE,
    "startupProbe": _PROBE,
    "securityContext": _SECURITY,
}
_VOLUME_SOURCES = (
    "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret",
    "nfs", "iscsi", "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs",
    "flocker", "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume", "quobyte",
    "azureDisk", "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos",
    "csi", "ephemeral", "image",
)
POD_FIELDS: dict[str, Any] = {
    "apiVersion": None,
    "kind": None,
    "metadata": dict.fromkeys(
        ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
         "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
         "annotations", "ownerReferences", "finalizers", "managedFields")
    ),
    "spec": {
        **dict.fromkeys(
            ("restartPolicy", "terminationGracePeriodSeconds", "activeDeadlineSeconds",
             "dnsPolicy", "nodeSelector", "serviceAccountName", "serviceAccount",
             "automountServiceAccountToken", "nodeName", "hostNetwork", "hostPID", "hostIPC",
             "shareProcessNamespace", "imagePullSecrets", "hostname", "subdomain", "affinity",
             "schedulerName", "tolerations", "hostAliases", "priorityClassName", "priority",
             "dnsConfig", "readinessGates", "runtimeClassName", "enableServiceLinks",
             "preemptionPolicy", "overhead", "topologySpreadConstraints", "setHostnameAsFQDN",
             "os", "hostUsers", "schedulingGates", "resourceClaims", "resources",
             "hostnameOverride", "workloadRef")
        ),
        "volumes": [dict.fromkeys(("name", *_VOLUME_SOURCES))],
        "initContainers": [_CONTAINER],
        "containers": [_CONTAINER],
        "ephemeralContainers": [{**_CONTAINER, "targetContainerName": None}],
        "securityContext": {
            **dict.fromkeys(
                ("seLinuxOptions", "windowsOptions", "runAsUser", "runAsGroup", "runAsNonRoot",
                 "supplementalGroups", "supplementalGroupsPolicy", "fsGroup", "sysctls",
                 "fsGroupChangePolicy", "seLinuxChangePolicy")
            ),
            "seccompProfile": _PROFILE,
            "appArmorProfile": _PROFILE,
        },
    },
    "status": None,
}


def prune_unknown_fields(obj: Any, schema: Any = POD_FIELDS, path: str = "") -> list[str]:
    """Drop fields the schema does not know (the API server cannot store them);
    return their paths (``spec.containers[0].imagee``) in document order."""
    found: list[str] = []
    if isinstance(schema, list) and isinstance(obj, list):
        for i, item in enumerate(obj):
            found.extend(prune_unknown_fields(item, schema[0], f"{path}[{i}]"))
    elif isinstance(schema, dict) and isinstance(obj, dict):
        for key in list(obj):
            where = f"{path}.{key}" if path else key
            if key not in schema:
                del obj[key]
                found.append(where)
            elif schema[key] is not None:
                found.extend(prune_unknown_fields(obj[key], schema[key], where))
    return found


def field_validation_error(kind: str, unknown: list[str]) -> str:
    """The strict decoding message: ``Pod in version "v1" cannot be handled as a Pod: ...``."""
    fields = ", ".join(f"unknown field {quote(f)}" for f in unknown)
    return f'{kind} in version "v1" cannot be handled as a {kind}: strict decoding error: {fields}'
