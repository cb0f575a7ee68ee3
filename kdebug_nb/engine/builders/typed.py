"""Go's typed round trip of a ``Container``: decode JSON into the struct, encode again.

kubectl reads a ``--custom`` spec into a typed ``Container`` before using it,
so what reaches the merge is the spec as Go re-encodes it: unknown fields
vanish, keys match case-insensitively, plain booleans that are ``false``
(and empty strings, empty lists) are dropped while pointer fields
(``securityContext.privileged: false``) are kept, quantities become
canonical, and a few fields without ``omitempty`` appear with zero values.

Files that are not valid JSON for the type go through the YAML decoder
(``sigs.k8s.io/yaml``), which is *lenient*: a YAML scalar in a string field
becomes its string form (``value: 1`` -> ``"1"``, ``name: Y`` -> ``"true"``,
since YAML 1.1 reads ``y``/``n``/``yes``/``on``... as booleans).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kdebug_nb.engine.builders.quantity import canonical_quantity
from kdebug_nb.errors import UsageError


@dataclass(frozen=True)
class Struct:
    """A Go struct: its JSON fields; ``pointer`` structs are omitted when absent."""

    go_name: str
    fields: dict[str, Any]
    pointer: bool = True


@dataclass(frozen=True)
class ListOf:
    item: Any
    merge_key: str = ""


_STR, _STR_REQ, _BOOL, _PBOOL = "string", "string!", "bool", "*bool"
_INT, _INT_REQ, _PINT, _PSTR = "int", "int!", "*int", "*string"
_INTSTR, _QUANTITY, _QUANTITY_REQ, _ANY = "intstr", "quantity", "quantity!", "any"
_STRINGS = ListOf(_STR_REQ)

_LOCAL_REF = {"name": _STR, "optional": _PBOOL}
_KEY_REF = {"name": _STR, "key": _STR_REQ, "optional": _PBOOL}
_PROBE = Struct("Probe", {
    "exec": Struct("ExecAction", {"command": _STRINGS}),
    "httpGet": Struct("HTTPGetAction", {
        "path": _STR, "port": _INTSTR, "host": _STR, "scheme": _STR,
        "httpHeaders": ListOf(Struct("HTTPHeader", {"name": _STR_REQ, "value": _STR_REQ}, False)),
    }),
    "tcpSocket": Struct("TCPSocketAction", {"port": _INTSTR, "host": _STR}),
    "grpc": Struct("GRPCAction", {"port": _INT_REQ, "service": _PSTR}),
    "initialDelaySeconds": _INT, "timeoutSeconds": _INT, "periodSeconds": _INT,
    "successThreshold": _INT, "failureThreshold": _INT, "terminationGracePeriodSeconds": _PINT,
})
_SECURITY_CONTEXT = Struct("SecurityContext", {
    "capabilities": Struct("Capabilities", {"add": _STRINGS, "drop": _STRINGS}),
    "privileged": _PBOOL,
    "seLinuxOptions": Struct("SELinuxOptions",
                             {"user": _STR, "role": _STR, "type": _STR, "level": _STR}),
    "windowsOptions": Struct("WindowsSecurityContextOptions", {
        "gmsaCredentialSpecName": _PSTR, "gmsaCredentialSpec": _PSTR,
        "runAsUserName": _PSTR, "hostProcess": _PBOOL,
    }),
    "runAsUser": _PINT, "runAsGroup": _PINT, "runAsNonRoot": _PBOOL,
    "readOnlyRootFilesystem": _PBOOL, "allowPrivilegeEscalation": _PBOOL, "procMount": _PSTR,
    "seccompProfile": Struct("SeccompProfile", {"type": _STR_REQ, "localhostProfile": _PSTR}),
    "appArmorProfile": Struct("AppArmorProfile", {"type": _STR_REQ, "localhostProfile": _PSTR}),
})
CONTAINER = Struct("Container", {
    "name": _STR_REQ,
    "image": _STR,
    "command": _STRINGS,
    "args": _STRINGS,
    "workingDir": _STR,
    "ports": ListOf(Struct("ContainerPort", {
        "name": _STR, "hostPort": _INT, "containerPort": _INT_REQ, "protocol": _STR,
        "hostIP": _STR,
    }, False), "containerPort"),
    "envFrom": ListOf(Struct("EnvFromSource", {
        "prefix": _STR,
        "configMapRef": Struct("ConfigMapEnvSource", _LOCAL_REF),
        "secretRef": Struct("SecretEnvSource", _LOCAL_REF),
    }, False)),
    "env": ListOf(Struct("EnvVar", {
        "name": _STR_REQ,
        "value": _STR,
        "valueFrom": Struct("EnvVarSource", {
            "fieldRef": Struct("ObjectFieldSelector", {"apiVersion": _STR, "fieldPath": _STR_REQ}),
            "resourceFieldRef": Struct("ResourceFieldSelector", {
                "containerName": _STR, "resource": _STR_REQ, "divisor": _QUANTITY_REQ,
            }),
            "configMapKeyRef": Struct("ConfigMapKeySelector", _KEY_REF),
            "secretKeyRef": Struct("SecretKeySelector", _KEY_REF),
            "fileKeyRef": Struct("FileKeySelector", {
                "volumeName": _STR_REQ, "path": _STR_REQ, "key": _STR_REQ, "optional": _PBOOL,
            }),
        }),
    }, False), "name"),
    "resources": Struct("ResourceRequirements", {
        "limits": {_QUANTITY}, "requests": {_QUANTITY},
        "claims": ListOf(Struct("ResourceClaim", {"name": _STR_REQ, "request": _STR}, False)),
    }, pointer=False),
    "resizePolicy": ListOf(Struct("ContainerResizePolicy",
                                  {"resourceName": _STR_REQ, "restartPolicy": _STR_REQ}, False)),
    "restartPolicy": _PSTR,
    "restartPolicyRules": ListOf(Struct("ContainerRestartRule", {
        "action": _STR_REQ,
        "exitCodes": Struct("ContainerRestartRuleOnExitCodes",
                            {"operator": _STR_REQ, "values": ListOf(_INT_REQ)}),
    }, False)),
    "volumeMounts": ListOf(Struct("VolumeMount", {
        "name": _STR_REQ, "readOnly": _BOOL, "recursiveReadOnly": _PSTR, "mountPath": _STR_REQ,
        "subPath": _STR, "mountPropagation": _PSTR, "subPathExpr": _STR,
    }, False), "mountPath"),
    "volumeDevices": ListOf(Struct("VolumeDevice", {"name": _STR_REQ, "devicePath": _STR_REQ},
                                   False), "devicePath"),
    "livenessProbe": _PROBE,
    "readinessProbe": _PROBE,
    "startupProbe": _PROBE,
    "lifecycle": _ANY,
    "terminationMessagePath": _STR,
    "terminationMessagePolicy": _STR,
    "imagePullPolicy": _STR,
    "securityContext": _SECURITY_CONTEXT,
    "stdin": _BOOL,
    "stdinOnce": _BOOL,
    "tty": _BOOL,
})

_OMIT = object()


class DecodeError(Exception):
    """A value Go's decoder refuses; the message is Go's."""


def json_type(value: Any) -> str:
    """The JSON type name Go's errors use for ``value``."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def decode_container(value: dict[str, Any], *, lenient: bool = False) -> dict[str, Any]:
    """``value`` after Go's decode into a ``Container`` and encode back (raises DecodeError)."""
    return _decode_struct(value, CONTAINER, lenient)


def _decode(value: Any, spec: Any, where: str, lenient: bool) -> Any:
    """Go's decode-then-encode of ``value`` as ``spec``; ``_OMIT`` when omitempty drops it."""
    if value is None:
        return _zero_value(spec)
    if isinstance(spec, Struct):
        if not isinstance(value, dict):
            raise _mismatch(value, where, spec.go_name)
        return _decode_struct(value, spec, lenient)
    if isinstance(spec, ListOf):
        if not isinstance(value, list):
            raise _mismatch(value, where, "[]" + _go_type(spec.item))
        items = [_decode(v, spec.item, where, lenient) for v in value]
        return [_zero_value(spec.item) if v is _OMIT else v for v in items] or _OMIT
    if isinstance(spec, set):  # map[string]Quantity
        if not isinstance(value, dict):
            raise _mismatch(value, where, "v1.ResourceList")
        out = {str(k): _decode(v, _QUANTITY, f"{where}[{k}]", lenient) for k, v in value.items()}
        return out or _OMIT
    return _decode_scalar(value, spec, where, lenient)


def _decode_scalar(value: Any, spec: str, where: str, lenient: bool) -> Any:
    if spec == _ANY:
        return value
    if spec in (_STR, _STR_REQ, _PSTR):
        if lenient and isinstance(value, bool | int | float):
            value = _yaml_scalar_string(value)
        if not isinstance(value, str):
            raise _mismatch(value, where, "string")
        return _OMIT if spec == _STR and value == "" else value
    if spec in (_BOOL, _PBOOL):
        if not isinstance(value, bool):
            raise _mismatch(value, where, "bool")
        return _OMIT if spec == _BOOL and not value else value
    if spec in (_INT, _INT_REQ, _PINT):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _mismatch(value, where, "int32")
        return _OMIT if spec == _INT and value == 0 else value
    if spec == _INTSTR:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _mismatch(value, where, "intstr.IntOrString")
        return value
    if spec in (_QUANTITY, _QUANTITY_REQ):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _mismatch(value, where, "resource.Quantity")
        try:
            return canonical_quantity(value if isinstance(value, str) else repr(value))
        except UsageError as exc:
            raise DecodeError(str(exc)) from None
    raise AssertionError(spec)


def _yaml_scalar_string(value: bool | int | float) -> str:
    """How sigs.k8s.io/yaml writes a YAML scalar into a string field."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _format_float32_g(value)


def _format_float32_g(value: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'g', -1, 32)``: shortest float32 digits,
    exponent form when the decimal exponent is below -4 or at least 6."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    as32 = struct.unpack("f", struct.pack("f", value))[0]
    text = repr(as32)
    for digits in range(10):
        text = f"{as32:.{digits}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == as32:
            break
    mantissa, exp_text = text.split("e")
    exponent = int(exp_text)
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    if exponent < -4 or exponent >= 6:
        return f"{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    plain = format(Decimal(f"{mantissa}e{exponent}"), "f")
    return plain.rstrip("0").rstrip(".") if "." in plain else plain


def _decode_struct(value: dict[str, Any], spec: Struct, lenient: bool) -> dict[str, Any]:
    lowered = {name.lower(): name for name in spec.fields}
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = key if key in spec.fields else lowered.get(str(key).lower())
        if name is None:
            continue  # unknown fields vanish, as in Go's decoder
        decoded = _decode(item, spec.fields[name], f"{spec.go_name}.{name}", lenient)
        if decoded is _OMIT:
            out.pop(name, None)
        else:
            out[name] = decoded
    for name, field_spec in spec.fields.items():
        if name not in out:
            zero = _zero_value(field_spec)
            if zero is not _OMIT:
                out[name] = zero
    return {name: out[name] for name in spec.fields if name in out}


def _zero_value(spec: Any) -> Any:
    """The encoding of a Go zero value: fields without omitempty still appear."""
    if isinstance(spec, Struct):
        return _decode_struct({}, spec, False) if not spec.pointer else _OMIT
    if spec == _STR_REQ:
        return ""
    if spec in (_INT_REQ, _INTSTR):
        return 0
    if spec == _QUANTITY_REQ:
        return "0"  # a Quantity is a struct: omitempty never drops it
    return _OMIT


def _go_type(spec: Any) -> str:
    if isinstance(spec, Struct):
        return "v1." + spec.go_name
    return {"string!": "string", "int!": "int32"}.get(str(spec), str(spec))


def _mismatch(value: Any, where: str, go_type: str) -> DecodeError:
    return DecodeError(
        f"json: cannot unmarshal {json_type(value)} into Go struct field {where} of type {go_type}"
    )
