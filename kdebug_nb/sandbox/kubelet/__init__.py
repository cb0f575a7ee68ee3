"""The sandbox's simulated kubelet, container runtime and streaming routes.

* ``Kubelet(cluster)`` schedules pods and runs their containers as local
  processes (``kubelet.py``, ``worker.py``, ``containers.py``, ``runtime.py``).
* ``ImageCatalogue`` says which images exist and what is in them (``images.py``).
* ``stream_routes(cluster)`` serves pods' ``log``, ``exec`` and ``attach``
  subresources (``streams.py``, ``logs.py``, ``remotecommand.py``).

Simulated, barely isolated: processes run on this machine as the sandbox's
user, with no filesystem or network isolation. Where unprivileged user
namespaces work, containers get Kubernetes' PID-namespace semantics (own,
pod-shared, host, or their target's; ``namespaces.py``) and node debug
pods see the host at ``/host``; elsewhere they see every process of the
machine and no ``/host`` (``namespaces.pid_namespaces()`` says which).
"""

from __future__ import annotations

from .images import Image, ImageCatalogue, ImageError, ImageNotFound, InvalidImageName
from .kubelet import Kubelet
from .streams import stream_routes

__all__ = [
    "Image",
    "ImageCatalogue",
    "ImageError",
    "ImageNotFound",
    "InvalidImageName",
    "Kubelet",
    "stream_routes",
]
