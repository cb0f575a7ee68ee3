"""``--custom``: a partial container spec merged into the debug container (§7).

kubectl decodes the file into a typed ``Container`` and re-encodes it before
merging, so the spec is first *normalised* here the way Go's JSON codec would
do it: unknown fields vanish, keys match case-insensitively, plain booleans
that are ``false`` (and empty strings, empty lists) are dropped while pointer
fields (``securityContext.privileged: false``) are kept. The normalised spec
is then applied as a strategic merge patch with the Container schema: objects
merge, ``env`` merges by ``name``, ``volumeMounts`` by ``mountPath``,
``ports`` by ``containerPort``, every other list replaces.

Element order after a keyed merge follows the strategic-merge library: items
named in the patch keep the patch's order and are interleaved with the
container's other items by their original positions; an item new to the
container is placed before the existing items that follow it in the patch
(so a patch with only new ``env`` entries puts them first). Finally the
result is decoded back onto the old container the way Go's JSON decoder does
it (:func:`go_decode_onto`), quirks included.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from kdebug_nb.engine.options import DebugOptions
from kdebug_nb.errors import UsageError

FORBIDDEN_MESSAGE = (
    "name, command, image, lifecycle and volume devices are not modifiable via custom profile"
)


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
_INTSTR, _QUANTITY, _ANY = "intstr", "quantity", "any"
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
                "containerName": _STR, "resource": _STR_REQ, "divisor": _QUANTITY,
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


class _DecodeError(Exception):
    pass


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _decode(value: Any, spec: Any, where: str) -> Any:
    """Go's decode-then-encode of ``value`` as ``spec``; ``_OMIT`` when omitempty drops it."""
    if value is None:
        return _zero(spec)
    if isinstance(spec, Struct):
        if not isinstance(value, dict):
            raise _mismatch(value, where, spec.go_name)
        return _decode_struct(value, spec)
    if isinstance(spec, ListOf):
        if not isinstance(value, list):
            raise _mismatch(value, where, "[]" + _go_type(spec.item))
        items = [_decode(v, spec.item, where) for v in value]
        return [_zero_value(spec.item) if v is _OMIT else v for v in items] or _OMIT
    if isinstance(spec, set):  # map[string]Quantity
        if not isinstance(value, dict):
            raise _mismatch(value, where, "v1.ResourceList")
        out = {str(k): _decode(v, _QUANTITY, f"{where}[{k}]") for k, v in value.items()}
        return out or _OMIT
    return _decode_scalar(value, spec, where)


def _decode_scalar(value: Any, spec: str, where: str) -> Any:
    if spec == _ANY:
        return value
    if spec in (_STR, _STR_REQ, _PSTR):
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
    if spec == _QUANTITY:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _mismatch(value, where, "resource.Quantity")
        return value if isinstance(value, str) else format(value, "g")
    raise AssertionError(spec)


def _decode_struct(value: dict[str, Any], spec: Struct) -> dict[str, Any]:
    lowered = {name.lower(): name for name in spec.fields}
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = key if key in spec.fields else lowered.get(str(key).lower())
        if name is None:
            continue  # unknown fields vanish, as in Go's decoder
        decoded = _decode(item, spec.fields[name], f"{spec.go_name}.{name}")
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


def _zero(spec: Any) -> Any:
    """What a JSON ``null`` becomes once encoded again."""
    return _zero_value(spec)


def _zero_value(spec: Any) -> Any:
    """The encoding of a Go zero value: fields without omitempty still appear."""
    if isinstance(spec, Struct):
        return _decode_struct({}, spec) if not spec.pointer else _OMIT
    if spec == _STR_REQ:
        return ""
    if spec in (_INT_REQ, _INTSTR):
        return 0
    return _OMIT


def _go_type(spec: Any) -> str:
    if isinstance(spec, Struct):
        return "v1." + spec.go_name
    return {"string!": "string", "int!": "int32"}.get(str(spec), str(spec))


def _mismatch(value: Any, where: str, go_type: str) -> _DecodeError:
    return _DecodeError(
        f"json: cannot unmarshal {_json_type(value)} into Go struct field {where} of type {go_type}"
    )


# ----------------------------------------------------------------- loading and checks


def normalize_container_spec(spec: Any, source: str = "custom_spec") -> dict[str, Any] | None:
    """The spec as kubectl sees it after decoding into a typed Container (None = no spec)."""
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise UsageError(f"{source} does not contain a valid container spec: json: cannot "
                         f"unmarshal {_json_type(spec)} into Go value of type v1.Container")
    try:
        return _decode_struct(spec, CONTAINER)
    except _DecodeError as exc:
        raise UsageError(f"{source} does not contain a valid container spec: {exc}") from None


def load_custom_file(path: str) -> dict[str, Any] | None:
    """Read a ``--custom`` file: JSON first, YAML when JSON fails (§1.4).

    Error texts follow kubectl's: when both decoders fail, the YAML
    decoder's error is the one reported.
    """
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        reason = (exc.strerror or str(exc))
        reason = reason[:1].lower() + reason[1:]  # Go's syscall errors are lower case
        raise UsageError(
            f"must pass a container spec json file for custom profile: open {path}: {reason}"
        ) from None
    try:
        data = json.loads(raw)
    except ValueError:
        import yaml  # only files that are not JSON pay for it

        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}: " if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise UsageError(f"{path} does not contain a valid container spec: error converting "
                             f"YAML to JSON: yaml: {where}{problem}") from None
    try:
        return normalize_container_spec(data, path)
    except UsageError as exc:
        # kubectl reports the YAML decoder's wrapping of the same type error
        head = f"{path} does not contain a valid container spec: "
        raise UsageError(head + "error unmarshaling JSON: while decoding JSON: "
                         + str(exc)[len(head):]) from None


def resolve_custom_spec(opts: DebugOptions) -> dict[str, Any] | None:
    """The normalised custom spec of a run: ``opts.custom_spec`` or the ``--custom`` file."""
    if opts.custom_spec is not None:
        if opts.custom:
            raise UsageError("give either --custom (a file) or custom_spec, not both")
        return normalize_container_spec(opts.custom_spec)
    if opts.custom:
        return load_custom_file(opts.custom)
    return None


def has_forbidden_fields(spec: dict[str, Any]) -> bool:
    """§1.5 #9: name, a non-empty command, image, any lifecycle, non-empty volumeDevices."""
    return bool(
        spec.get("name") or spec.get("command") or spec.get("image")
        or spec.get("lifecycle") is not None or spec.get("volumeDevices")
    )


# ----------------------------------------------------------------- strategic merge


def apply_custom(container: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """The container after merging ``spec`` (normalised) into it, kubectl-style.

    As kubectl does, the patch carries the container's own name (so the name
    cannot change) and the always-encoded ``resources: {}``.
    """
    patch = copy.deepcopy(spec)
    patch["name"] = container.get("name", "")
    patch.setdefault("resources", {})
    merged = _merge_struct(copy.deepcopy(container), patch, CONTAINER)
    return go_decode_onto(container, merged)


def go_decode_onto(old: Any, new: Any) -> Any:
    """What Go's ``json.Unmarshal(new, &old)`` leaves in ``old``.

    kubectl decodes the merged container back into the container it came
    from. Go's decoder reuses a slice's existing elements and only sets the
    fields present in the JSON, so when a keyed merge shifts list elements,
    fields of the old element at that index survive (a new port at index 0
    inherits the old port's ``name``). Observed with kubectl 1.35.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        out = copy.deepcopy(old)
        for key, value in new.items():
            out[key] = go_decode_onto(old.get(key), value)
        return out
    if isinstance(old, list) and isinstance(new, list):
        return [go_decode_onto(old[i], item) if i < len(old) else copy.deepcopy(item)
                for i, item in enumerate(new)]
    return copy.deepcopy(new)


def _merge_struct(original: dict[str, Any], patch: dict[str, Any], spec: Struct | None) -> dict[str, Any]:
    for key, value in patch.items():
        field_spec = spec.fields.get(key) if spec is not None else None
        current = original.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            sub = field_spec if isinstance(field_spec, Struct) else None
            original[key] = _merge_struct(current, value, sub)
        elif (isinstance(field_spec, ListOf) and field_spec.merge_key
              and isinstance(value, list) and isinstance(current, list)):
            original[key] = merge_keyed_list(current, value, field_spec.merge_key, field_spec.item)
        else:
            original[key] = copy.deepcopy(value)
    return original


def merge_keyed_list(original: list[Any], patch: list[Any], key: str, item_spec: Any = None) -> list[Any]:
    """Strategic merge of a list of objects keyed by ``key`` (order as the library makes it)."""
    merged = [copy.deepcopy(item) for item in original]
    for item in patch:
        index = next((i for i, o in enumerate(merged) if o.get(key) == item.get(key)), None)
        if index is None:
            merged.append(copy.deepcopy(item))
        else:
            sub = item_spec if isinstance(item_spec, Struct) else None
            merged[index] = _merge_struct(merged[index], item, sub)
    patch_keys = [item.get(key) for item in patch]
    server_keys = [item.get(key) for item in original]
    in_patch = [m for m in merged if m.get(key) in patch_keys]
    server_only = [m for m in merged if m.get(key) not in patch_keys]
    in_patch.sort(key=lambda m: patch_keys.index(m.get(key)))
    return _merge_sorted(server_only, in_patch, server_keys, key)


def _merge_sorted(left: list[Any], right: list[Any], server_keys: list[Any], key: str) -> list[Any]:
    """Interleave server-only items (left) with patch items (right) like the Go library:
    a left item goes first only when both are known to the server and it came earlier."""
    out: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        if j >= len(right):
            out.append(left[i])
            i += 1
        elif i >= len(left):
            out.append(right[j])
            j += 1
        else:
            lk, rk = left[i].get(key), right[j].get(key)
            if lk in server_keys and rk in server_keys and server_keys.index(lk) < server_keys.index(rk):
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out
