"""The sandbox's simulated kubelet, container runtime and streaming routes.

* ``Kubelet(cluster)`` schedules pods and runs their containers as local
  processes (``kubelet.py``, ``worker.py``, ``containers.py``, ``runtime.py``).
* ``ImageCatalogue`` says which images exist and what is in them (``images.py``).
* ``stream_routes(cluster)`` serves pods' ``log``, ``exec`` and ``attach``
  subresources (``streams.py``, ``logs.py``, ``remotecommand.py``).

Isolated where unprivileged Linux namespaces work (``namespaces.py``):
each container has its image's root, its pod's hostname and network, its
own processes and its security context's identity (``ctrinit.py``,
``podnet.py``, ``rootfs.py``, ``security.py``); elsewhere containers are
plain processes of this machine (``runtime.py``).
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
