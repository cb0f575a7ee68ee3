"""The narrow interfaces between the kubelet's layers, so each imports only downward.

``Kubelet`` (kubelet.py) creates a ``PodWorker`` (worker.py) per pod, which
creates a ``ContainerRunner`` (containers.py) per container. Each only needs a
few things from the one above it; naming them here keeps worker.py from
importing kubelet.py and containers.py from importing worker.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from ..store.cluster import Cluster
from .images import Image, ImageCatalogue
from .launch import Isolation
from .runtime import Process, Runtime

Obj = dict[str, Any]


class NodeAgent(Protocol):
    """What a pod worker and its containers use of the kubelet."""

    cluster: Cluster
    runtime: Runtime

    @property
    def images(self) -> ImageCatalogue: ...

    def put(self, obj: Obj) -> None:
        """Write the kubelet's own change to a pod without reacting to it."""

    def node_images(self, node: str) -> set[str]: ...

    def node_ip(self, node: Obj) -> str: ...

    def allocate_pod_ip(self, node: str) -> str: ...

    def pick_node(self, pod: Obj) -> tuple[Obj | None, str]: ...


class ContainerRef(Protocol):
    """What a pod worker reads of one of its containers."""

    kind: str
    spec: Obj
    field_path: str


class PodHost(Protocol):
    """What a container runner uses of its pod's worker."""

    kubelet: NodeAgent
    namespace: str
    name: str
    uid: str
    node_name: str
    spec: Obj

    def event(
        self,
        runner: ContainerRef | None,
        reason: str,
        message: str,
        *,
        type_: str = "Normal",
        component: str = "kubelet",
    ) -> None: ...

    def publish(self) -> None: ...

    def container_env(self, spec: Obj, image: Image) -> dict[str, str]: ...

    def container_setup(self, spec: Obj, image: Image) -> Isolation: ...

    def pid_namespace_for(self, runner: ContainerRef) -> Process | None: ...

    def working_dir(self, spec: Obj, image: Image) -> Path: ...
