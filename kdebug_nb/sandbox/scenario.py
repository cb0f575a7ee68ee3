"""Scenarios: what a sandbox cluster contains when it starts.

A scenario is a YAML file. Built-in ones live in ``kdebug_nb/sandbox/scenarios/``
(``default``, ``locked-down``); users pass a path to their own. The format is
documented on ``load_scenario`` and in ``scenarios/README.md``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kdebug_nb.sandbox.apiserver.throttle import (
    ThrottleError,
    apply_throttle,
    parse_throttle,
    throttle_of,
)
from kdebug_nb.sandbox.store.cluster import Cluster, Obj, User
from kdebug_nb.sandbox.store.namespaces import create_namespace
from kdebug_nb.sandbox.store.nodes import create_node
from kdebug_nb.sandbox.store.pods import create_pod
from kdebug_nb.sandbox.store.timing import TimingError, parse_timing, timing_of

__all__ = [
    "Scenario",
    "ScenarioError",
    "apply_scenario",
    "builtin_scenarios",
    "load_scenario",
]

#: namespaces every cluster has, created unless the scenario defines them itself
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
VERBS = {"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "*"}

_TOP_KEYS = {
    "name",
    "description",
    "extends",
    "namespaces",
    "nodes",
    "images",
    "users",
    "policy",
    "pods",
    "timing",
    "throttle",
}
_NAMESPACE_KEYS = {"name", "labels", "annotations"}
_NODE_KEYS = {
    "name",
    "labels",
    "annotations",
    "taints",
    "addresses",
    "conditions",
    "capacity",
    "allocatable",
    "unschedulable",
    "nodeInfo",
}
_USER_KEYS = {"name", "token", "allow", "namespaces"}
_POLICY_KEYS = {"ephemeralContainers": bool, "requireAuth": bool}


class ScenarioError(ValueError):
    """A scenario that cannot be loaded or applied; the message is one line."""


@dataclass
class Scenario:
    """A parsed, checked scenario (plain data: apply it with ``apply_scenario``)."""

    name: str
    source: str
    description: str = ""
    namespaces: list[dict[str, Any]] = field(default_factory=list)
    nodes: list[dict[str, Any]] = field(default_factory=list)
    #: images added to the kubelet's default catalogue; ``None`` leaves it as it is
    images: list[dict[str, Any]] | None = None
    users: list[dict[str, Any]] = field(default_factory=list)
    policy: dict[str, bool] = field(default_factory=dict)
    pods: list[dict[str, Any]] = field(default_factory=list)
    #: ``timing`` knobs (``kdebug_nb.sandbox.store.timing``), seconds by knob name
    timing: dict[str, float] = field(default_factory=dict)
    #: ``throttle`` settings (``kdebug_nb.sandbox.apiserver.throttle``)
    throttle: dict[str, int] = field(default_factory=dict)

    @property
    def require_auth(self) -> bool:
        return bool(self.policy.get("requireAuth", False))

    def admin_token(self) -> str | None:
        """The token of the first user allowed everything, if any (for kubeconfigs)."""
        for user in self.users:
            if "*" in user.get("allow", {}).get("*", []):
                return str(user["token"])
        return None


def builtin_scenarios() -> dict[str, str]:
    """Built-in scenario names mapped to their one-line descriptions."""
    out: dict[str, str] = {}
    for entry in sorted(_scenario_dir().iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            name = entry.name[: -len(".yaml")]
            try:
                data = yaml.safe_load(entry.read_text())
            except yaml.YAMLError:
                data = {}
            desc = data.get("description", "") if isinstance(data, dict) else ""
            out[name] = " ".join(str(desc).split())
    return out


def _scenario_dir() -> Any:
    return resources.files("kdebug_nb.sandbox") / "scenarios"


def load_scenario(name_or_path: str | Path | None = None, *, _depth: int = 0) -> Scenario:
    """Load a built-in scenario by name (``default`` when None) or a YAML file by path.

    The file is a mapping with these keys, all optional::

        name: my-story                 # defaults to the file name
        extends: default               # start from another scenario (built-in name or path);
                                       #   entries with the same name replace, policy merges
        description: one paragraph shown by `kdebug-sandbox scenarios`
        namespaces:                    # default, kube-system, kube-public and
          - name: secure               #   kube-node-lease always exist
            labels: {pod-security.kubernetes.io/enforce: restricted}
        nodes:                         # defaults: Ready, 4 cpu, 16Gi, 110 pods, linux/amd64
          - name: node-1
            labels: {topology.kubernetes.io/zone: zone-a}
            taints: [{key: dedicated, value: db, effect: NoSchedule}]
            addresses: [{type: InternalIP, address: 10.0.0.11}]
            conditions: [{type: Ready, status: "False", reason: KubeletNotReady}]
            capacity: {cpu: "8", memory: 32Gi}
        images:                        # added to the kubelet's default catalogue (a ref
          - ref: example.com/app:1.0   #   there is shadowed); fields: ImageCatalogue.from_spec
            entrypoint: [/app]
            binaries: ["@busybox"]     # @busybox, @debian: whole userlands; [] = distroless
        users:                         # bearer tokens and what they may do
          - name: viewer
            token: viewer-token
            allow: {pods: [get, list, watch], pods/log: [get]}
        policy:
          ephemeralContainers: true    # false: PATCH .../ephemeralcontainers is refused
          requireAuth: false           # (--insecure-http only) true: anonymous gets 401
        timing:                        # what takes time on a real node (all default to 0)
          imagePull: 300ms             #   also containerStart, apiLatency (sandbox/store/timing.py)
        throttle:                      # 429 + Retry-After past this many requests in flight
          maxInFlight: 4               #   (0: off); retryAfter: seconds (default 1)
        pods:                          # ordinary Pod manifests, created as the API would
          - apiVersion: v1             #   (defaulted, validated, Pod Security admission)
            kind: Pod
            metadata: {name: neato, namespace: default, labels: {app: neato}}
            spec: {containers: [{name: neato, image: example.com/neato:1.0}]}

    Raises ``ScenarioError`` with a one-line message naming the file and the
    offending entry (unknown key, missing name, YAML error with its line).
    """
    name_or_path = "default" if name_or_path is None else name_or_path
    text, source, default_name = _read_source(name_or_path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError(f"{source}:{where}: invalid YAML: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a scenario must be a mapping, not {type(data).__name__}")
    scenario = _parse(data, source, default_name)
    base = data.get("extends")
    if base is None:
        return scenario
    if not isinstance(base, str) or base == name_or_path or _depth > 4:
        raise ScenarioError(f"{source}: extends must name another scenario (no cycles)")
    if _looks_like_path(base) and not Path(base).is_absolute() and Path(source).is_file():
        # A user's file extends its neighbours, wherever the process runs from.
        base = str(Path(source).parent / base)
    return _merge(load_scenario(base, _depth=_depth + 1), scenario)


def _merge(base: Scenario, child: Scenario) -> Scenario:
    """``child`` on top of ``base``: entries with the same name (pods: namespace/name) replace."""

    def key(entry: dict[str, Any]) -> str:
        meta = entry.get("metadata")
        if isinstance(meta, dict):
            return f"{meta.get('namespace') or 'default'}/{meta.get('name')}"
        return str(entry.get("name") or entry.get("ref"))

    def merged(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = {key(e): e for e in old}
        out.update({key(e): e for e in new})
        return list(out.values())

    return Scenario(
        name=child.name,
        source=child.source,
        description=child.description or base.description,
        namespaces=merged(base.namespaces, child.namespaces),
        nodes=merged(base.nodes, child.nodes),
        images=merged(base.images or [], child.images or [])
        if base.images is not None or child.images is not None
        else None,
        users=merged(base.users, child.users),
        policy={**base.policy, **child.policy},
        pods=merged(base.pods, child.pods),
        timing={**base.timing, **child.timing},
        throttle={**base.throttle, **child.throttle},
    )


def _read_source(name_or_path: str | Path) -> tuple[str, str, str]:
    """Return (text, source shown in errors, default scenario name)."""
    text_name = str(name_or_path)
    if isinstance(name_or_path, Path) or _looks_like_path(text_name):
        path = Path(name_or_path).expanduser()
        try:
            return path.read_text(), str(path), path.stem
        except OSError as exc:
            raise ScenarioError(f"cannot read scenario {path}: {exc.strerror or exc}") from None
    entry = _scenario_dir() / f"{text_name}.yaml"
    if not entry.is_file():
        known = ", ".join(builtin_scenarios()) or "none"
        raise ScenarioError(
            f"unknown scenario {text_name!r} (built-in: {known}); pass a path to a YAML file"
        )
    return entry.read_text(), f"scenario {text_name!r}", text_name


def _looks_like_path(text: str) -> bool:
    # Not "is there such a file here": a stray file named "default" must not shadow a built-in.
    return "/" in text or text.endswith((".yaml", ".yml"))


def _parse(data: dict[str, Any], source: str, default_name: str) -> Scenario:
    _check_keys(data, _TOP_KEYS, source)
    sc = Scenario(
        name=str(data.get("name") or default_name),
        source=source,
        description=" ".join(str(data.get("description", "")).split()),
    )
    for i, ns in enumerate(_list(data, "namespaces", source)):
        where = _named(ns, f"namespaces[{i}]", source)
        _check_keys(ns, _NAMESPACE_KEYS, f"{source}: {where}")
        _check_str_map(ns, ("labels", "annotations"), f"{source}: {where}")
        sc.namespaces.append(ns)
    for i, node in enumerate(_list(data, "nodes", source)):
        where = _named(node, f"nodes[{i}]", source)
        _check_keys(node, _NODE_KEYS, f"{source}: {where}")
        _check_str_map(node, ("labels", "annotations"), f"{source}: {where}")
        for key in ("taints", "addresses", "conditions"):
            if not isinstance(node.get(key, []), list):
                raise ScenarioError(f"{source}: {where}: {key} must be a list")
        sc.nodes.append(node)
    if "images" in data:
        images = _list(data, "images", source)
        for i, image in enumerate(images):
            if not isinstance(image, dict) or not image.get("ref"):
                raise ScenarioError(f"{source}: images[{i}]: missing ref")
        sc.images = images
    for i, user in enumerate(_list(data, "users", source)):
        where = _named(user, f"users[{i}]", source)
        _check_keys(user, _USER_KEYS, f"{source}: {where}")
        if not user.get("token"):
            raise ScenarioError(f"{source}: {where}: missing token")
        _check_allow(user.get("allow", {}), f"{source}: {where}")
        scoped = user.get("namespaces", {})
        if not isinstance(scoped, dict):
            raise ScenarioError(f"{source}: {where}: namespaces must map namespaces to allow maps")
        for ns_name, ns_allow in scoped.items():
            _check_allow(ns_allow, f"{source}: {where}: namespaces.{ns_name}")
        sc.users.append(user)
    policy = data.get("policy") or {}
    if not isinstance(policy, dict):
        raise ScenarioError(f"{source}: policy must be a mapping")
    for key, value in policy.items():
        if key not in _POLICY_KEYS:
            raise ScenarioError(
                f"{source}: policy: unknown key {key!r} (known: {', '.join(_POLICY_KEYS)})"
            )
        if not isinstance(value, bool):
            raise ScenarioError(f"{source}: policy.{key} must be true or false")
    sc.policy = dict(policy)
    try:
        if "timing" in data:
            sc.timing = parse_timing(data["timing"], f"{source}: timing")
        if "throttle" in data:
            sc.throttle = parse_throttle(data["throttle"], f"{source}: throttle")
    except (TimingError, ThrottleError) as exc:
        raise ScenarioError(str(exc)) from None
    for i, pod in enumerate(_list(data, "pods", source)):
        if not isinstance(pod, dict):
            raise ScenarioError(f"{source}: pods[{i}] must be a Pod manifest (a mapping)")
        meta = pod.get("metadata")
        if not isinstance(meta, dict) or not meta.get("name"):
            raise ScenarioError(f"{source}: pods[{i}]: missing metadata.name")
        if pod.get("kind", "Pod") != "Pod":
            raise ScenarioError(f"{source}: pods[{i}]: kind must be Pod, not {pod['kind']!r}")
        sc.pods.append(pod)
    return sc


def _check_allow(allow: Any, where: str) -> None:
    """An ``allow`` map: resource → verbs (a single verb may be a string)."""
    if not isinstance(allow, dict):
        raise ScenarioError(f"{where}: allow must map resources to verb lists")
    for resource, verbs in allow.items():
        if isinstance(verbs, str):
            verbs = [verbs]
        bad = [v for v in verbs or [] if v not in VERBS]
        if bad:
            raise ScenarioError(
                f"{where}: unknown verb {bad[0]!r} for {resource!r} "
                f"(known: {', '.join(sorted(VERBS))})"
            )
        allow[resource] = list(verbs or [])


def _list(data: Mapping[str, Any], key: str, source: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise ScenarioError(f"{source}: {key} must be a list")
    return value


def _named(entry: Any, where: str, source: str) -> str:
    if not isinstance(entry, dict):
        raise ScenarioError(f"{source}: {where} must be a mapping")
    if not entry.get("name"):
        raise ScenarioError(f"{source}: {where}: missing name")
    return f"{where.split('[')[0].removesuffix('s')} {entry['name']!r}"


def _check_keys(entry: Mapping[str, Any], allowed: set[str], where: str) -> None:
    for key in entry:
        if key not in allowed:
            raise ScenarioError(f"{where}: unknown key {key!r} (known: {', '.join(sorted(allowed))})")


def _check_str_map(entry: Mapping[str, Any], keys: tuple[str, ...], where: str) -> None:
    for key in keys:
        value = entry.get(key, {})
        if not isinstance(value, dict):
            raise ScenarioError(f"{where}: {key} must be a mapping of strings")


# -- applying -------------------------------------------------------------------


def apply_scenario(cluster: Cluster, scenario: Scenario) -> None:
    """Fill ``cluster`` with the scenario's objects. Call on the sandbox loop.

    Every object goes through the store (``create_namespace``, ``create_node``,
    ``create_pod``) so it is defaulted, validated and admitted exactly like one
    created over the API; an object the API would refuse makes the scenario
    fail with that refusal's message.
    """
    defined = {ns["name"] for ns in scenario.namespaces}
    namespaces = [{"name": n} for n in SYSTEM_NAMESPACES if n not in defined] + scenario.namespaces
    for ns in namespaces:
        _create(scenario, f"namespace {ns['name']}", create_namespace, cluster, namespace_body(ns))
    for node in scenario.nodes:
        _create(scenario, f"node {node['name']}", create_node, cluster, node_body(node))
    if scenario.images is not None:
        from kdebug_nb.sandbox.kubelet.images import ImageCatalogue, ImageError

        try:
            cluster.extensions["images"] = ImageCatalogue.from_spec(
                copy.deepcopy(scenario.images), base=ImageCatalogue.default()
            )
        except (ImageError, ValueError, KeyError, TypeError) as exc:
            raise ScenarioError(f"{scenario.source}: images: {exc}") from None
    for user in scenario.users:
        allow = {res: set(verbs) for res, verbs in user.get("allow", {}).items()}
        scoped = {
            str(ns): {res: set(verbs) for res, verbs in rules.items()}
            for ns, rules in (user.get("namespaces") or {}).items()
        }
        cluster.users[str(user["token"])] = User(
            str(user["name"]), str(user["token"]), allow, scoped
        )
    cluster.policy.ephemeral_containers = scenario.policy.get("ephemeralContainers", True)
    cluster.policy.require_auth = scenario.policy.get("requireAuth", False)
    timing_of(cluster).update(scenario.timing)
    apply_throttle(throttle_of(cluster), scenario.throttle)
    for pod in scenario.pods:
        body = copy.deepcopy(pod)
        body.setdefault("apiVersion", "v1")
        body.setdefault("kind", "Pod")
        pod_ns = body["metadata"].get("namespace") or "default"
        where = f"pod {pod_ns}/{body['metadata']['name']}"
        _create(scenario, where, create_pod, cluster, pod_ns, body, allow_ephemeral=True)


def _create(scenario: Scenario, where: str, create: Callable[..., Obj], *args: Any, **kwargs: Any) -> None:
    """Create through the store, turning its refusal into a one-line ScenarioError."""
    from kdebug_nb.sandbox.store.status import StatusError

    try:
        create(*args, **kwargs)
    except StatusError as exc:
        raise ScenarioError(f"{scenario.source}: {where}: {exc.message}") from None


def namespace_body(spec: Mapping[str, Any]) -> Obj:
    """A scenario's namespace entry as the Namespace manifest it stands for."""
    meta: Obj = {"name": str(spec["name"]), "labels": _strs(spec.get("labels"))}
    if spec.get("annotations"):
        meta["annotations"] = _strs(spec["annotations"])
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def node_body(spec: Mapping[str, Any]) -> Obj:
    """A scenario's node entry as the Node manifest it stands for (``store.nodes`` defaults the rest)."""
    meta: Obj = {"name": str(spec["name"]), "labels": _strs(spec.get("labels"))}
    if spec.get("annotations"):
        meta["annotations"] = _strs(spec["annotations"])
    node_spec: Obj = {}
    if spec.get("taints"):
        node_spec["taints"] = copy.deepcopy(spec["taints"])
    if spec.get("unschedulable"):
        node_spec["unschedulable"] = True
    status: Obj = {
        "conditions": [_strs(c) for c in spec.get("conditions") or [] if isinstance(c, dict)],
        "capacity": _strs(spec.get("capacity")),
        "allocatable": _strs(spec.get("allocatable")),
        "nodeInfo": _strs(spec.get("nodeInfo")),
    }
    if spec.get("addresses"):
        status["addresses"] = copy.deepcopy(spec["addresses"])
    return {"apiVersion": "v1", "kind": "Node", "metadata": meta, "spec": node_spec, "status": status}


def _strs(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in (value or {}).items()}
