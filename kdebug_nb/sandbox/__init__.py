"""A local Kubernetes-API-compatible sandbox cluster for demos, tutorials and tests.

``Sandbox`` serves the Kubernetes REST and streaming APIs on 127.0.0.1 from its
own thread, with a simulated kubelet that runs containers as local processes;
``load_scenario`` reads what the cluster contains. Both are imported lazily so
``import kdebug_nb.sandbox`` does not pull in aiohttp or the kubelet.

The package is laid out as the server is built, each layer importing only
the ones below it:

* ``server``, ``cli``, ``kubeconfig``, ``scenario``: starting a sandbox and
  saying what it contains;
* ``apiserver/``: the HTTP face (app, middleware, one route module per
  resource, watch, discovery, tables);
* ``kubelet/``: the simulated kubelet and container runtime, and the pod
  streams (log, exec, attach) it serves;
* ``store/``: the objects and their semantics, the one place objects are
  created, updated and deleted (routes and scenarios alike);
* ``policy/``: RBAC, Pod Security admission, validation;
* ``protobuf/``: decoding kubectl's protobuf request bodies.
"""

from __future__ import annotations

from kdebug_nb._lazy import lazy_getattr

_LAZY = {
    "Sandbox": "kdebug_nb.sandbox.server",
    "SandboxError": "kdebug_nb.sandbox.server",
    "load_scenario": "kdebug_nb.sandbox.scenario",
    "Scenario": "kdebug_nb.sandbox.scenario",
    "ScenarioError": "kdebug_nb.sandbox.scenario",
}

__all__ = list(_LAZY)


__getattr__ = lazy_getattr(__name__, _LAZY, globals())
