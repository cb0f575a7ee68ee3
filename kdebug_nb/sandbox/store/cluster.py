"""The sandbox's in-memory cluster state: the hub every other module shares.

Everything runs on the sandbox's single event loop, so no locks: route
handlers, the simulated kubelet and watchers all touch this object from
coroutines on that loop, and a read-modify-write with no ``await`` in it is
atomic.

Objects are stored as the API's own JSON dicts. Every write goes through
``create`` / ``update`` / ``put`` / ``remove``, which stamp
``resourceVersion``, encode the object once (for lists, watches and the
history), wake watchers and tell the kubelet (``listeners``). ``update`` and
``remove`` take the resourceVersion the caller read, as etcd's
compare-and-swap does for the API server
(``k8s.io/apiserver/pkg/storage/etcd3/store.go``, ``GuaranteedUpdate``).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kdebug_nb.sandbox.store.history import WATCH_HISTORY, WatchEvent, WatchHistory
from kdebug_nb.sandbox.store.status import already_exists, conflict, not_found

__all__ = ["WATCH_HISTORY", "Cluster", "Obj", "Policy", "User", "WatchEvent", "now_rfc3339"]

Obj = dict[str, Any]
#: (kind, namespace or "", name)
Key = tuple[str, str, str]
#: what a watch can ever be told of: (kind, namespace or None, name or None)
WatchScope = tuple[str, str | None, str | None]

RESOURCES = {"Namespace": "namespaces", "Node": "nodes", "Pod": "pods", "Event": "events"}
#: the API server's wording for a write based on a stale read
MODIFIED = "the object has been modified; please apply your changes to the latest version and try again"


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


#: a lone surrogate: what Python's json gives for a "\\ud800" escape without its pair
SURROGATE = re.compile("[\ud800-\udfff]")


_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


def encode(obj: Any) -> bytes:
    """Compact JSON, as the API server writes it; never fails on a lone surrogate."""
    text = _encoder.encode(obj)
    try:
        return text.encode()
    except UnicodeEncodeError:
        return SURROGATE.sub("\ufffd", text).encode()


@dataclass
class User:
    """A bearer-token user and what it may do.

    ``allow`` maps a resource ("pods", "pods/ephemeralcontainers", "nodes",
    "pods/log", ...) or "*" to the set of verbs allowed ("get", "list",
    "watch", "create", "update", "patch", "delete", or "*") everywhere (a
    ClusterRoleBinding's rules); ``namespaced`` holds the same kind of map
    per namespace (RoleBindings' rules).
    """

    name: str
    token: str
    allow: dict[str, set[str]] = field(default_factory=dict)
    #: rules that hold in one namespace only (a RoleBinding's), by namespace
    namespaced: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def can(self, verb: str, resource: str, namespace: str = "") -> bool:
        rules = [self.allow]
        if namespace and namespace in self.namespaced:
            rules.append(self.namespaced[namespace])
        for allow in rules:
            for key in (resource, "*"):
                verbs = allow.get(key)
                if verbs and (verb in verbs or "*" in verbs):
                    return True
        return False


@dataclass
class Policy:
    """Cluster-wide switches a scenario sets."""

    ephemeral_containers: bool = True
    #: when False, requests without a token are allowed as cluster-admin (only a
    #: Sandbox with insecure_http, for a scenario without requireAuth, turns it off)
    require_auth: bool = True


Listener = Callable[[WatchEvent], None]


class Cluster:
    """Namespaces, nodes, pods and events, with watch fan-out."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[tuple[str, str], Obj]] = {kind: {} for kind in RESOURCES}
        self.users: dict[str, User] = {}  # by token
        self.policy = Policy()
        # resourceVersions start from the clock, so one a client kept from an
        # earlier sandbox is older than this one's start (410 Gone), not a
        # different point of this one's history.
        self.rv = time.time_ns() // 1000
        self.history = WatchHistory(self.rv)
        #: each stored object's encoding, for the resourceVersion it was written with
        self._encodings: dict[Key, tuple[str, bytes]] = {}
        #: each open watch's queue, with what it can ever be told of:
        #: (kind, namespace or None for all, name or None for any)
        self.watchers: dict[asyncio.Queue[WatchEvent | None], WatchScope] = {}
        #: synchronous callbacks run on every change (the kubelet's hook)
        self.listeners: list[Listener] = []
        #: arbitrary per-module state (kubelet, image catalogue, ...)
        self.extensions: dict[str, Any] = {}

    # -- reads -------------------------------------------------------------

    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        return self.objects[kind].get((namespace, name))

    def list(self, kind: str, namespace: str | None = None) -> list[Obj]:
        store = self.objects[kind]
        if namespace is None:
            return list(store.values())
        return [o for (ns, _), o in store.items() if ns == namespace]

    def encoded(self, obj: Obj) -> bytes:
        """``obj`` as JSON: the encoding made when it was written, if it is still that version."""
        meta = obj["metadata"]
        key = (obj.get("kind", ""), meta.get("namespace", ""), meta["name"])
        hit = self._encodings.get(key)
        if hit is not None and hit[0] == meta.get("resourceVersion") and self.objects[key[0]].get(key[1:]) is obj:
            return hit[1]
        return encode(obj)

    def copy(self, obj: Obj) -> Obj:
        """A deep copy of a stored object, decoded from its cached encoding
        (several times faster than ``copy.deepcopy`` for a pod with many containers)."""
        fresh: Obj = json.loads(self.encoded(obj))
        return fresh

    # -- writes ------------------------------------------------------------

    def next_rv(self) -> int:
        self.rv += 1
        return self.rv

    @staticmethod
    def _key(obj: Obj) -> tuple[str, str, str]:
        kind = obj["kind"]
        meta = obj["metadata"]
        ns = meta.get("namespace", "") if kind not in ("Namespace", "Node") else ""
        return kind, ns, meta["name"]

    def create(self, obj: Obj) -> Obj:
        """Store a new object; 409 AlreadyExists if its name is taken."""
        kind, ns, name = self._key(obj)
        if (ns, name) in self.objects[kind]:
            raise already_exists(RESOURCES[kind], name)
        return self.put(obj)

    def update(self, obj: Obj, expected_rv: str | None) -> Obj:
        """Replace the stored object if it is still at ``expected_rv`` (None: whatever it is).

        404 if it is gone, 409 Conflict if it changed since the caller read
        it, as etcd's compare-and-swap makes the API server answer.
        """
        kind, ns, name = self._key(obj)
        current = self.objects[kind].get((ns, name))
        if current is None:
            raise not_found(RESOURCES[kind], name)
        if expected_rv is not None and expected_rv != current["metadata"].get("resourceVersion"):
            raise conflict(RESOURCES[kind], name, MODIFIED)
        return self.put(obj)

    def put(self, obj: Obj) -> Obj:
        """Create or replace an object; stamps metadata; notifies everyone.

        For writers that read the current object and write it back without
        awaiting in between (the kubelet, the store's own updates), which is
        atomic on the sandbox's loop.
        """
        kind, ns, name = self._key(obj)
        meta = obj.setdefault("metadata", {})
        store = self.objects[kind]
        existed = (ns, name) in store
        if not existed:
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", now_rfc3339())
        rv = self.next_rv()
        meta["resourceVersion"] = str(rv)
        store[(ns, name)] = obj
        self._emit("MODIFIED" if existed else "ADDED", kind, ns, name, rv, obj)
        return obj

    def remove(self, kind: str, namespace: str, name: str, expected_rv: str | None = None) -> Obj | None:
        """Delete an object (if still at ``expected_rv``, when given); None if it was not there."""
        obj = self.objects[kind].get((namespace, name))
        if obj is None:
            return None
        if expected_rv is not None and expected_rv != obj["metadata"].get("resourceVersion"):
            raise conflict(RESOURCES[kind], name, MODIFIED)
        del self.objects[kind][(namespace, name)]
        rv = self.next_rv()
        obj["metadata"]["resourceVersion"] = str(rv)
        self._emit("DELETED", kind, namespace, name, rv, obj)
        return obj

    def _emit(self, type_: str, kind: str, ns: str, name: str, rv: int, obj: Obj) -> None:
        # Encoded now: later in-place edits of the stored dict must not rewrite history.
        data = encode(obj)
        if type_ == "DELETED":
            self._encodings.pop((kind, ns, name), None)
        else:
            self._encodings[(kind, ns, name)] = (str(rv), data)
        event = WatchEvent(type_, kind, ns, name, rv, data)
        self.history.append(event)
        # Only watches that could want the event are woken: a kind, a
        # namespace and a name never change, so this coarse filter drops
        # nothing a watch's own selectors would keep (fifty one-pod watches
        # of a fleet run are not each woken by every other pod's change).
        for q, (w_kind, w_ns, w_name) in list(self.watchers.items()):
            if w_kind == kind and (w_ns is None or w_ns == ns) and (w_name is None or w_name == name):
                q.put_nowait(event)
        for listener in list(self.listeners):
            listener(event)

    # -- watches -----------------------------------------------------------

    def oldest_rv(self) -> int:
        """The oldest resourceVersion a watch may still resume from."""
        return self.history.oldest_rv()

    def subscribe(
        self, kind: str, namespace: str | None = None, name: str | None = None
    ) -> asyncio.Queue[WatchEvent | None]:
        """A queue of the changes to ``kind`` objects (in ``namespace``, named ``name``: None for any)."""
        q: asyncio.Queue[WatchEvent | None] = asyncio.Queue()
        self.watchers[q] = (kind, namespace, name)
        return q

    def unsubscribe(self, q: asyncio.Queue[WatchEvent | None]) -> None:
        self.watchers.pop(q, None)

    # -- events ------------------------------------------------------------

    def record_event(
        self,
        involved: Obj,
        reason: str,
        message: str,
        *,
        type_: str = "Normal",
        field_path: str = "",
        component: str = "kubelet",
    ) -> Obj:
        """Write a core/v1 Event about ``involved``, as the kubelet would."""
        meta = involved["metadata"]
        ns = meta.get("namespace") or "default"
        ts = now_rfc3339()
        name = f"{meta['name']}.{uuid.uuid4().hex[:16]}"
        ref: Obj = {
            "kind": involved["kind"],
            "namespace": ns,
            "name": meta["name"],
            "uid": meta.get("uid", ""),
            "apiVersion": "v1",
            "resourceVersion": meta.get("resourceVersion", ""),
        }
        if field_path:
            ref["fieldPath"] = field_path
        event: Obj = {
            "kind": "Event",
            "apiVersion": "v1",
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": ref,
            "reason": reason,
            "message": message,
            "source": {"component": component, "host": involved.get("spec", {}).get("nodeName", "")},
            "firstTimestamp": ts,
            "lastTimestamp": ts,
            "count": 1,
            "type": type_,
            "reportingComponent": component,
            "reportingInstance": "",
        }
        return self.put(event)
