"""The Go types behind the JSON fields the sandbox reads, checked as the API server decodes.

The API server unmarshals every body into Go structs before anything else
looks at it, so a field of the wrong JSON type is a 400 naming the field,
worded by ``encoding/json``'s ``UnmarshalTypeError``
(``json: cannot unmarshal string into Go struct field Container.spec.containers.command of type []string``),
and ``null`` leaves a field unset. ``decode`` does the same for the fields
listed here (what defaulting, validation, admission and the kubelet read), so
later code may trust their types; fields not listed pass through unchecked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kdebug_nb.sandbox.store.status import bad_request

QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
_INT_RANGE = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


@dataclass(frozen=True)
class Struct:
    go: str
    fields: dict[str, Any]

    @property
    def short(self) -> str:
        """The type's name without its package, as UnmarshalTypeError names it."""
        return self.go.rpartition(".")[2]


@dataclass(frozen=True)
class Slice:
    of: Any


@dataclass(frozen=True)
class Map:
    of: Any


S, I32, I64, B = "string", "int32", "int64", "bool"
QTY, INTSTR, TIME, OBJ = "quantity", "intstr", "time", "object"


def _go_name(t: Any) -> str:
    if isinstance(t, Struct):
        return t.go
    if isinstance(t, Slice):
        return "[]" + _go_name(t.of)
    if isinstance(t, Map):
        return "map[string]" + _go_name(t.of)
    return {QTY: "resource.Quantity", INTSTR: "intstr.IntOrString", TIME: "v1.Time", OBJ: "map[string]interface {}"}.get(t, t)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


META = Struct("v1.ObjectMeta", {
    **dict.fromkeys(("name", "generateName", "namespace", "uid", "resourceVersion", "selfLink"), S),
    "generation": I64, "deletionGracePeriodSeconds": I64,
    "creationTimestamp": TIME, "deletionTimestamp": TIME,
    "labels": Map(S), "annotations": Map(S), "finalizers": Slice(S),
    "ownerReferences": Slice(OBJ), "managedFields": Slice(OBJ),
})
_PROFILE = Struct("v1.SeccompProfile", {"type": S, "localhostProfile": S})
_SELINUX = Struct("v1.SELinuxOptions", dict.fromkeys(("user", "role", "type", "level"), S))
_SECURITY = Struct("v1.SecurityContext", {
    **dict.fromkeys(("privileged", "allowPrivilegeEscalation", "readOnlyRootFilesystem", "runAsNonRoot"), B),
    "runAsUser": I64, "runAsGroup": I64, "procMount": S,
    "capabilities": Struct("v1.Capabilities", {"add": Slice(S), "drop": Slice(S)}),
    "seccompProfile": _PROFILE, "appArmorProfile": _PROFILE, "seLinuxOptions": _SELINUX,
    "windowsOptions": OBJ,
})
_PROBE = Struct("v1.Probe", {
    "exec": Struct("v1.ExecAction", {"command": Slice(S)}),
    "httpGet": Struct("v1.HTTPGetAction", {"path": S, "port": INTSTR, "host": S, "scheme": S,
                                            "httpHeaders": Slice(Struct("v1.HTTPHeader", {"name": S, "value": S}))}),
    "tcpSocket": Struct("v1.TCPSocketAction", {"port": INTSTR, "host": S}),
    "grpc": Struct("v1.GRPCAction", {"port": I32, "service": S}),
    **dict.fromkeys(("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                     "failureThreshold"), I32),
    "terminationGracePeriodSeconds": I64,
})
_KEY_REF = Struct("v1.KeySelector", {"name": S, "key": S, "optional": B})
_ENV = Struct("v1.EnvVar", {
    "name": S, "value": S,
    "valueFrom": Struct("v1.EnvVarSource", {
        "fieldRef": Struct("v1.ObjectFieldSelector", {"apiVersion": S, "fieldPath": S}),
        "resourceFieldRef": Struct("v1.ResourceFieldSelector", {"containerName": S, "resource": S, "divisor": QTY}),
        "configMapKeyRef": _KEY_REF, "secretKeyRef": _KEY_REF,
    }),
})
_CONTAINER_FIELDS: dict[str, Any] = {
    **dict.fromkeys(("name", "image", "imagePullPolicy", "workingDir", "terminationMessagePath",
                     "terminationMessagePolicy", "restartPolicy"), S),
    "command": Slice(S), "args": Slice(S), "env": Slice(_ENV), "envFrom": Slice(OBJ),
    "ports": Slice(Struct("v1.ContainerPort", {"name": S, "containerPort": I32, "hostPort": I32,
                                               "protocol": S, "hostIP": S})),
    "resources": Struct("v1.ResourceRequirements", {"limits": Map(QTY), "requests": Map(QTY),
                                                     "claims": Slice(OBJ)}),
    "volumeMounts": Slice(Struct("v1.VolumeMount", {"name": S, "mountPath": S, "subPath": S,
                                                     "subPathExpr": S, "mountPropagation": S,
                                                     "readOnly": B, "recursiveReadOnly": S})),
    "volumeDevices": Slice(OBJ), "resizePolicy": Slice(OBJ), "restartPolicyRules": Slice(OBJ),
    "securityContext": _SECURITY,
    "livenessProbe": _PROBE, "readinessProbe": _PROBE, "startupProbe": _PROBE,
    "lifecycle": OBJ, "stdin": B, "stdinOnce": B, "tty": B,
}
_CONTAINER = Struct("v1.Container", _CONTAINER_FIELDS)
_EPHEMERAL = Struct("v1.EphemeralContainer", {**_CONTAINER_FIELDS, "targetContainerName": S})
_VOLUME = Struct("v1.Volume", {
    "name": S,
    "hostPath": Struct("v1.HostPathVolumeSource", {"path": S, "type": S}),
    "configMap": Struct("v1.ConfigMapVolumeSource", {"name": S, "defaultMode": I32, "optional": B,
                                                      "items": Slice(OBJ)}),
    "secret": Struct("v1.SecretVolumeSource", {"secretName": S, "defaultMode": I32, "optional": B,
                                                "items": Slice(OBJ)}),
    "emptyDir": OBJ, "projected": OBJ, "persistentVolumeClaim": OBJ, "downwardAPI": OBJ,
    "ephemeral": OBJ, "image": OBJ, "csi": OBJ, "nfs": OBJ,
})
_POD_SPEC = Struct("v1.PodSpec", {
    "volumes": Slice(_VOLUME), "initContainers": Slice(_CONTAINER), "containers": Slice(_CONTAINER),
    "ephemeralContainers": Slice(_EPHEMERAL),
    **dict.fromkeys(("restartPolicy", "dnsPolicy", "serviceAccountName", "serviceAccount", "nodeName",
                     "hostname", "subdomain", "schedulerName", "priorityClassName", "preemptionPolicy",
                     "runtimeClassName"), S),
    "terminationGracePeriodSeconds": I64, "activeDeadlineSeconds": I64, "priority": I32,
    "nodeSelector": Map(S), "overhead": Map(QTY),
    **dict.fromkeys(("hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace", "enableServiceLinks",
                     "automountServiceAccountToken", "hostUsers", "setHostnameAsFQDN"), B),
    "securityContext": Struct("v1.PodSecurityContext", {
        "runAsUser": I64, "runAsGroup": I64, "fsGroup": I64, "runAsNonRoot": B,
        "supplementalGroups": Slice(I64),
        "sysctls": Slice(Struct("v1.Sysctl", {"name": S, "value": S})),
        "seccompProfile": _PROFILE, "appArmorProfile": _PROFILE, "seLinuxOptions": _SELINUX,
        "fsGroupChangePolicy": S, "windowsOptions": OBJ,
    }),
    "tolerations": Slice(Struct("v1.Toleration", {"key": S, "operator": S, "value": S, "effect": S,
                                                  "tolerationSeconds": I64})),
    "hostAliases": Slice(Struct("v1.HostAlias", {"ip": S, "hostnames": Slice(S)})),
    "affinity": OBJ, "dnsConfig": OBJ, "os": Struct("v1.PodOS", {"name": S}),
    "imagePullSecrets": Slice(OBJ), "readinessGates": Slice(OBJ), "topologySpreadConstraints": Slice(OBJ),
    "schedulingGates": Slice(OBJ), "resourceClaims": Slice(OBJ), "resources": OBJ,
})
_POD_STATUS = Struct("v1.PodStatus", {
    **dict.fromkeys(("phase", "message", "reason", "hostIP", "podIP", "qosClass", "nominatedNodeName"), S),
    "startTime": TIME,
    "conditions": Slice(Struct("v1.PodCondition", dict.fromkeys(("type", "status", "reason", "message"), S))),
    "containerStatuses": Slice(OBJ), "initContainerStatuses": Slice(OBJ),
    "ephemeralContainerStatuses": Slice(OBJ),
    "podIPs": Slice(Struct("v1.PodIP", {"ip": S})), "hostIPs": Slice(Struct("v1.HostIP", {"ip": S})),
})
_TYPE_META = {"kind": S, "apiVersion": S}
KINDS: dict[str, Struct] = {
    "Pod": Struct("v1.Pod", {**_TYPE_META, "metadata": META, "spec": _POD_SPEC, "status": _POD_STATUS}),
    "Namespace": Struct("v1.Namespace", {
        **_TYPE_META, "metadata": META,
        "spec": Struct("v1.NamespaceSpec", {"finalizers": Slice(S)}),
        "status": Struct("v1.NamespaceStatus", {"phase": S, "conditions": Slice(OBJ)}),
    }),
    "Node": Struct("v1.Node", {
        **_TYPE_META, "metadata": META,
        "spec": Struct("v1.NodeSpec", {
            "unschedulable": B, "podCIDR": S, "podCIDRs": Slice(S), "providerID": S,
            "taints": Slice(Struct("v1.Taint", {"key": S, "value": S, "effect": S, "timeAdded": TIME})),
        }),
        "status": Struct("v1.NodeStatus", {
            "addresses": Slice(Struct("v1.NodeAddress", {"type": S, "address": S})),
            "conditions": Slice(Struct("v1.NodeCondition", {
                **dict.fromkeys(("type", "status", "reason", "message"), S),
                "lastHeartbeatTime": TIME, "lastTransitionTime": TIME})),
            "capacity": Map(QTY), "allocatable": Map(QTY), "nodeInfo": Map(S), "images": Slice(OBJ),
            "daemonEndpoints": OBJ,
        }),
    }),
    "Event": Struct("v1.Event", {
        **_TYPE_META, "metadata": META,
        "involvedObject": Struct("v1.ObjectReference", dict.fromkeys(
            ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"), S)),
        "reason": S, "message": S, "type": S, "action": S, "reportingComponent": S,
        "reportingInstance": S, "count": I32,
        "source": Struct("v1.EventSource", {"component": S, "host": S}),
        "firstTimestamp": TIME, "lastTimestamp": TIME, "eventTime": TIME,
    }),
}


class _TypeError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _mismatch(value: Any, t: Any, struct: str, path: str, shown: str | None = None) -> _TypeError:
    return _TypeError(
        f"json: cannot unmarshal {shown or _kind(value)} into Go struct field "
        f"{struct}.{path} of type {_go_name(t)}"
    )


def _check(value: Any, t: Any, struct: str, path: str) -> Any:
    # most fields are strings: answer those first
    if t is S or t is TIME:
        if value.__class__ is str:
            return value
        raise _mismatch(value, t, struct, path)
    if t.__class__ is Struct:
        if value.__class__ is not dict:
            raise _mismatch(value, t, struct, path)
        fields, name = t.fields, t.short
        out = {}
        for key, item in value.items():
            if item is None:
                continue  # null leaves a Go field at its zero value: omitted
            sub = fields.get(key)
            out[key] = item if sub is None else _check(item, sub, name, f"{path}.{key}" if path else key)
        return out
    if t.__class__ is Slice:
        if value.__class__ is not list:
            raise _mismatch(value, t, struct, path)
        return [_check(v, t.of, struct, path) if v is not None else _zero(t.of) for v in value]
    if t.__class__ is Map:
        if value.__class__ is not dict:
            raise _mismatch(value, t, struct, path)
        return {k: _check(v, t.of, struct, path) if v is not None else _zero(t.of) for k, v in value.items()}
    if t == B:
        if not isinstance(value, bool):
            raise _mismatch(value, t, struct, path)
        return value
    if t in _INT_RANGE:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _mismatch(value, t, struct, path)
        low, high = _INT_RANGE[t]
        if isinstance(value, float) and not value.is_integer() or not low <= value <= high:
            raise _mismatch(value, t, struct, path, f"number {value}")
        return int(value)
    if t == INTSTR:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise _mismatch(value, t, struct, path)
        return value
    if t == QTY:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise _TypeError(QUANTITY_ERROR)
        return value
    if t == OBJ and not isinstance(value, dict):
        raise _mismatch(value, t, struct, path)
    return value


def _zero(t: Any) -> Any:
    if t in (S, TIME):
        return ""
    if t in _INT_RANGE:
        return 0
    if t == B:
        return False
    return {} if isinstance(t, (Struct, Map)) or t == OBJ else None


def decode(kind: str, body: Any) -> dict[str, Any]:
    """``body`` as the API server's decoder would leave it, or its 400."""
    try:
        decoded: dict[str, Any] = _check(body, KINDS[kind], KINDS[kind].short, "")
        return decoded
    except _TypeError as exc:
        raise bad_request(f'{kind} in version "v1" cannot be handled as a {kind}: {exc.message}') from None
