"""The sandbox's Kubernetes-API-compatible HTTP server (an aiohttp application).

What is real: the REST surface kdebug_nb and kubectl use, spoken over HTTP
exactly as an API server speaks it — discovery (legacy, not aggregated),
``/version``, namespaces, nodes, pods (get/list/create/update/patch/delete/
watch, Tables for kubectl's printing, label and field selectors, paging),
``pods/status``, ``pods/ephemeralcontainers`` with the API server's add-only
rules, and events. Errors are ``Status`` objects with the real codes, reasons
and wording; bearer-token users get RBAC-worded 403s; namespaces labelled
``pod-security.kubernetes.io/enforce`` (or ``warn``) get Pod Security
admission; request bodies may be JSON, YAML or protobuf (kubectl's Pods and
DeleteOptions); ``fieldValidation`` drops, warns about or refuses unknown pod
fields.

What is simulated or left out: there is no etcd, no controllers and no
scheduler of its own (the simulated kubelet places and runs pods, see
``kubelet/``); only the core/v1 kinds above exist, plus
SelfSubjectAccessReview for ``kubectl auth can-i``; discovery is the legacy (unaggregated) form; ``/openapi/v3`` is a
skeleton without schemas (enough for kubectl create/apply/edit, not
``kubectl explain``) and ``/openapi/v2`` is absent; server-side apply, field
managers (``managedFields``), admission webhooks, quotas, leases, service
accounts and their token volumes are absent; validation covers the rules a
debugging session meets, not the whole Pod schema; responses are always
JSON (clients asking for protobuf accept JSON); a watch replays at most
the last 10,000 changes or 32 MiB of them (``store/history.py``) before
answering 410 Expired; request bodies over 3 MiB get 413. TLS and the
admin's token are the ``Sandbox``'s (``server.py``), not the app's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiohttp import web

from kdebug_nb.sandbox.apiserver import discovery
from kdebug_nb.sandbox.apiserver.common import CLUSTER_KEY
from kdebug_nb.sandbox.apiserver.middleware import MAX_REQUEST_BYTES, RequestRecord, make_middleware
from kdebug_nb.sandbox.apiserver.routes import api_routes
from kdebug_nb.sandbox.apiserver.throttle import make_throttle_middleware
from kdebug_nb.sandbox.apiserver.watch import end_all_watches
from kdebug_nb.sandbox.store.cluster import Cluster

__all__ = ["RequestRecord", "create_app", "CLUSTER_KEY"]

log = logging.getLogger(__name__)


def _kubelet_routes(cluster: Cluster) -> list[web.RouteDef]:
    """log/exec/attach from the simulated kubelet, when it is installed."""
    try:
        from kdebug_nb.sandbox.kubelet.streams import stream_routes
    except ImportError as exc:
        log.debug("sandbox: no kubelet stream routes (%s)", exc)
        return []
    return list(stream_routes(cluster))


def create_app(
    cluster: Cluster,
    *,
    request_log: list[RequestRecord] | None = None,
    extra_routes: Sequence[web.RouteDef] = (),
) -> web.Application:
    """Build the API server application over ``cluster``.

    ``request_log`` (if given) receives one ``RequestRecord`` per request;
    ``extra_routes`` are added after the built-in ones.
    """
    app = web.Application(
        middlewares=[make_middleware(cluster, request_log), make_throttle_middleware(cluster)],
        client_max_size=MAX_REQUEST_BYTES,
    )
    app[CLUSTER_KEY] = cluster
    app.add_routes(discovery.routes())
    app.add_routes(api_routes())
    app.add_routes(_kubelet_routes(cluster))
    app.add_routes(list(extra_routes))

    async def on_shutdown(_: web.Application) -> None:
        end_all_watches(cluster)

    app.on_shutdown.append(on_shutdown)
    return app
