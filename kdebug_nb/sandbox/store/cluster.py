"""The sandbox's in-memory cluster state: the hub every other module shares.

Everything runs on the sandbox's single event loop, so no locks: route
handlers, the simulated kubelet and watchers all touch this object from
coroutines on that loop.

Objects are stored as the API's own JSON dicts. Every write goes through
``put`` / ``remove``, which stamp ``resourceVersion``, keep a short history
for watches, wake watchers and tell the kubelet (``listeners``).
"""

from __future__ import annotations

import asyncio
import copy
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Obj = dict[str, Any]
#: (kind, namespace or "", name)
Key = tuple[str, str, str]

#: how many past changes a watch may resume from; older resourceVersions get 410
WATCH_HISTORY = 10_000


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class WatchEvent:
    type: str  # ADDED | MODIFIED | DELETED
    kind: str
    namespace: str
    rv: int
    obj: Obj


@dataclass
class User:
    """A bearer-token user and what it may do.

    ``allow`` maps a resource ("pods", "pods/ephemeralcontainers", "nodes",
    "pods/log", ...) or "*" to the set of verbs allowed ("get", "list",
    "watch", "create", "update", "patch", "delete", or "*").
    """

    name: str
    token: str
    allow: dict[str, set[str]] = field(default_factory=dict)

    def can(self, verb: str, resource: str) -> bool:
        for key in (resource, "*"):
            verbs = self.allow.get(key)
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
        self.objects: dict[str, dict[tuple[str, str], Obj]] = {
            "Namespace": {},
            "Node": {},
            "Pod": {},
            "Event": {},
        }
        self.users: dict[str, User] = {}  # by token
        self.policy = Policy()
        self.rv = 0
        self.history: deque[WatchEvent] = deque(maxlen=WATCH_HISTORY)
        self.watchers: set[asyncio.Queue[WatchEvent | None]] = set()
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

    # -- writes ------------------------------------------------------------

    def next_rv(self) -> int:
        self.rv += 1
        return self.rv

    def put(self, obj: Obj) -> Obj:
        """Create or replace an object; stamps metadata; notifies everyone."""
        kind = obj["kind"]
        meta = obj.setdefault("metadata", {})
        ns = meta.get("namespace", "") if kind not in ("Namespace", "Node") else ""
        key = (ns, meta["name"])
        store = self.objects[kind]
        existed = key in store
        if not existed:
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", now_rfc3339())
        rv = self.next_rv()
        meta["resourceVersion"] = str(rv)
        store[key] = obj
        self._emit(WatchEvent("MODIFIED" if existed else "ADDED", kind, ns, rv, obj))
        return obj

    def remove(self, kind: str, namespace: str, name: str) -> Obj | None:
        obj = self.objects[kind].pop((namespace, name), None)
        if obj is not None:
            rv = self.next_rv()
            obj["metadata"]["resourceVersion"] = str(rv)
            self._emit(WatchEvent("DELETED", kind, namespace, rv, obj))
        return obj

    def _emit(self, event: WatchEvent) -> None:
        # Watchers get a snapshot: later in-place edits must not rewrite history.
        event = WatchEvent(event.type, event.kind, event.namespace, event.rv, copy.deepcopy(event.obj))
        self.history.append(event)
        for q in list(self.watchers):
            q.put_nowait(event)
        for listener in list(self.listeners):
            listener(event)

    # -- watches -----------------------------------------------------------

    def oldest_rv(self) -> int:
        """The oldest resourceVersion a watch may still resume from."""
        return self.history[0].rv - 1 if self.history else self.rv

    def subscribe(self) -> asyncio.Queue[WatchEvent | None]:
        q: asyncio.Queue[WatchEvent | None] = asyncio.Queue()
        self.watchers.add(q)
        return q

    def unsubscribe(self, q: asyncio.Queue[WatchEvent | None]) -> None:
        self.watchers.discard(q)

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
