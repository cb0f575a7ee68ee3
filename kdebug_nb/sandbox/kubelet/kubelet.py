"""The simulated kubelet (and scheduler) for every node of the sandbox.

``Kubelet(cluster)`` registers itself as ``cluster.extensions["kubelet"]``.
``start()`` hooks a listener into the cluster: every pod added gets a
``PodWorker`` that schedules it (writing ``spec.nodeName``, the
``PodScheduled`` condition and a ``Scheduled`` event from
default-scheduler) and runs its containers as local processes (see
``runtime``). Pod changes bring new ephemeral containers to life.
``kill_pod`` is how the API's DELETE stops a pod; ``shutdown`` kills
everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from typing import Any

from ..store.cluster import Cluster, WatchEvent
from .images import ImageCatalogue
from .runtime import Runtime
from .worker import PodWorker

Obj = dict[str, Any]
log = logging.getLogger(__name__)


class Kubelet:
    """All nodes' kubelets in one object, living on the sandbox loop."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.runtime = Runtime()
        self.workers: dict[tuple[str, str], PodWorker] = {}
        self._default_images: ImageCatalogue | None = None
        self._node_images: dict[str, set[str]] = {}
        self._next_ip: dict[str, int] = {}
        self._publishing = False
        self._started = False
        self._background: set[asyncio.Future[Any]] = set()
        cluster.extensions["kubelet"] = self

    # -- life cycle --------------------------------------------------------

    def start(self) -> None:
        """Hook into the cluster and pick up pods already there (call on the loop)."""
        if self._started:
            return
        self._started = True
        self.cluster.listeners.append(self._on_event)
        for pod in list(self.cluster.list("Pod")):
            self._ensure_worker(pod)

    async def shutdown(self) -> None:
        """Kill every process at once and wait for every task."""
        if self._on_event in self.cluster.listeners:
            self.cluster.listeners.remove(self._on_event)
        workers = list(self.workers.values())
        self.workers.clear()
        for w in workers:
            # clients watching the pod learn why its containers are about to die
            w.node_shutdown = True
            with contextlib.suppress(Exception):  # stopping must go on whatever the store says
                w.publish()
        await asyncio.gather(*(w.terminate(0) for w in workers), return_exceptions=True)
        for task in list(self._background):
            task.cancel()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        for w in workers:
            w.cleanup()
        await self.runtime.close()

    async def kill_pod(self, namespace: str, name: str, grace_seconds: int | float | None = None) -> None:
        """Stop the pod's processes (TERM, KILL after the grace period), then remove it."""
        key = (namespace, name)
        worker = self.workers.get(key)
        if worker is None:
            if self.cluster.get("Pod", namespace, name) is not None:
                self.cluster.remove("Pod", namespace, name)
            return
        if grace_seconds is None:
            grace_seconds = worker.spec.get("terminationGracePeriodSeconds", 30)
        await worker.terminate(float(grace_seconds or 0))
        if self.workers.get(key) is worker:
            del self.workers[key]
        pod = self.cluster.get("Pod", namespace, name)
        if pod is not None and pod["metadata"].get("uid", "") == worker.uid:
            self.cluster.remove("Pod", namespace, name)
        worker.cleanup()

    # -- cluster hook ------------------------------------------------------

    def put(self, obj: Obj) -> None:
        """Write our own change without reacting to it."""
        self._publishing = True
        try:
            self.cluster.put(obj)
        finally:
            self._publishing = False

    def _on_event(self, event: WatchEvent) -> None:
        if event.kind != "Pod" or self._publishing:
            return
        # runs inside cluster.put: a kubelet bug must not fail the API request
        try:
            self._on_pod_event(event)
        except Exception:
            log.exception("sandbox kubelet: failed to handle %s of pod %s/%s", event.type, event.namespace, event.name)

    def _on_pod_event(self, event: WatchEvent) -> None:
        name = event.name
        key = (event.namespace, name)
        if event.type == "DELETED":
            worker = self.workers.get(key)
            if worker is not None and worker.uid == event.obj["metadata"].get("uid", ""):
                del self.workers[key]
                self._spawn(self._reap(worker))
            return
        pod = self.cluster.get("Pod", event.namespace, name)
        if pod is not None:
            self._ensure_worker(pod)

    def _ensure_worker(self, pod: Obj) -> None:
        meta = pod["metadata"]
        key = (meta.get("namespace") or "default", meta["name"])
        worker = self.workers.get(key)
        if worker is not None and worker.uid != meta.get("uid", ""):
            del self.workers[key]
            self._spawn(self._reap(worker))
            worker = None
        if worker is None:
            worker = PodWorker(self, pod)
            self.workers[key] = worker
            worker.start()
        else:
            worker.on_update(pod)

    async def _reap(self, worker: PodWorker) -> None:
        """A pod vanished without kill_pod (forced delete): kill its processes now."""
        await worker.terminate(0)
        worker.cleanup()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- lookups for workers and streams -----------------------------------

    @property
    def images(self) -> ImageCatalogue:
        cat = self.cluster.extensions.get("images")
        if isinstance(cat, ImageCatalogue):
            return cat
        if self._default_images is None:
            self._default_images = ImageCatalogue.default()
        return self._default_images

    def worker(self, namespace: str, name: str) -> PodWorker | None:
        return self.workers.get((namespace, name))

    def node_images(self, node: str) -> set[str]:
        return self._node_images.setdefault(node, set())

    def node_ip(self, node: Obj) -> str:
        for addr in (node.get("status") or {}).get("addresses") or ():
            if addr.get("type") == "InternalIP" and addr.get("address"):
                return str(addr["address"])
        names = sorted(n["metadata"]["name"] for n in self.cluster.list("Node"))
        name = (node.get("metadata") or {}).get("name", "")
        index = names.index(name) if name in names else 0
        return f"172.18.0.{2 + index}"

    def allocate_pod_ip(self, node: str) -> str:
        names = sorted(n["metadata"]["name"] for n in self.cluster.list("Node"))
        subnet = names.index(node) if node in names else 0
        n = self._next_ip.get(node, 1) + 1
        self._next_ip[node] = n
        return str(ipaddress.ip_address("10.244.0.0") + subnet * 256 + (n % 254) + 1)

    # -- scheduling --------------------------------------------------------

    def pick_node(self, pod: Obj) -> tuple[Obj | None, str]:
        """A default-scheduler stand-in: node selector, taints, readiness, least pods."""
        spec = pod.get("spec") or {}
        nodes = sorted(self.cluster.list("Node"), key=lambda n: n["metadata"]["name"])
        if not nodes:
            return None, "no nodes available to schedule pods"
        selector = spec.get("nodeSelector") or {}
        tolerations = spec.get("tolerations") or []
        reasons: dict[str, int] = {}
        fits = []
        for node in nodes:
            why = _unfit(node, selector, tolerations)
            if why:
                reasons[why] = reasons.get(why, 0) + 1
            else:
                fits.append(node)
        if not fits:
            n = len(nodes)
            detail = ", ".join(f"{k} {r}" for r, k in sorted(reasons.items()))
            return None, (
                f"0/{n} nodes are available: {detail}. preemption: 0/{n} nodes are available: "
                f"{n} Preemption is not helpful for scheduling."
            )
        load: dict[str, int] = {}
        for other in self.cluster.list("Pod"):
            node_name = (other.get("spec") or {}).get("nodeName")
            if node_name:
                load[node_name] = load.get(node_name, 0) + 1
        return min(fits, key=lambda n: load.get(n["metadata"]["name"], 0)), ""


def _unfit(node: Obj, selector: dict[str, str], tolerations: list[Obj]) -> str:
    labels = node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in selector.items()):
        return "node(s) didn't match Pod's node affinity/selector"
    if (node.get("spec") or {}).get("unschedulable"):
        return "node(s) were unschedulable"
    for taint in (node.get("spec") or {}).get("taints") or ():
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not any(
            _tolerates(t, taint) for t in tolerations
        ):
            shown = f"{taint.get('key')}: {taint['value']}" if taint.get("value") else taint.get("key")
            return f"node(s) had untolerated taint {{{shown}}}"
    for cond in (node.get("status") or {}).get("conditions") or ():
        if cond.get("type") == "Ready" and cond.get("status") != "True":
            return "node(s) were not ready"
    return ""


def _tolerates(tol: Obj, taint: Obj) -> bool:
    if tol.get("effect") and tol.get("effect") != taint.get("effect"):
        return False
    if tol.get("operator") == "Exists":
        return not tol.get("key") or tol.get("key") == taint.get("key")
    return bool(tol.get("key") == taint.get("key") and (tol.get("value") or "") == (taint.get("value") or ""))

