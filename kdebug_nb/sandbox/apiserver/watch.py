"""Watches: newline-delimited JSON events over one chunked response.

Semantics follow the API server's watch cache:

* no ``resourceVersion`` (or ``"0"``): synthetic ADDED events for what exists
  now, then live changes;
* ``resourceVersion=N``: every change after N, replayed from history, then
  live; an N older than the history answers 200 with one ERROR event whose
  Status is 410 Expired ("too old resource version"), as the real server does
  once a watch has been admitted — clients (client-go's reflector, the Python
  client's ``Watch``) re-list on it;
* selectors apply to watches, and an object that stops/starts matching is
  reported as DELETED/ADDED, as the cacher does;
* ``timeoutSeconds`` ends the stream cleanly; ``allowWatchBookmarks`` adds
  BOOKMARK events (and the ``k8s.io/initial-events-end`` one for
  ``sendInitialEvents``).

Each change is encoded once, by the store when it is written; watchers
without a Table transform or selectors frame those bytes as they are, so a
hundred watchers cost one serialisation per change.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from aiohttp import web

from kdebug_nb.sandbox.apiserver.common import JSON, encode, encoded, query_int
from kdebug_nb.sandbox.apiserver.request_info import is_true
from kdebug_nb.sandbox.apiserver.tables import to_table
from kdebug_nb.sandbox.store.cluster import Cluster, Obj, WatchEvent
from kdebug_nb.sandbox.store.status import bad_request, status_body

DEFAULT_TIMEOUT = 1800.0
#: how often an idle watch checks that its client is still there
IDLE_CHECK = 2.0
BOOKMARK_EVERY = 60.0

class WatchRequest:
    """One client's watch: filter, transform and frame events."""

    def __init__(
        self,
        kind: str,
        namespace: str | None,
        matches: Callable[[Obj], bool],
        *,
        filtered: bool,
        table_version: str | None,
        include: str,
        cluster: Cluster,
        only_name: str | None = None,
    ) -> None:
        self.cluster = cluster
        #: the selector is exactly ``metadata.name=X``: match without decoding the object
        self.only_name = only_name
        self.kind = kind
        self.namespace = namespace
        self.matches = matches
        self.filtered = filtered
        self.table_version = table_version
        self.include = include
        self.seen: set[tuple[str, str]] = set()
        self.first_table = True
        #: True when ``seen`` holds exactly what matched at the watch's start
        self.seen_complete = False

    def frame(self, type_: str, obj: Obj | None, event: WatchEvent | None = None) -> bytes:
        if self.table_version is None:
            if event is not None:
                data = event.data
            else:
                assert obj is not None
                data = encoded(self.cluster, obj)
            return b'{"type":"%s","object":%s}\n' % (type_.encode(), data)
        if obj is None:
            assert event is not None
            obj = event.obj
        table = to_table(
            self.kind,
            [obj],
            include=self.include,
            api_version=self.table_version,
            resource_version=obj["metadata"].get("resourceVersion", ""),
            headers=self.first_table,
        )
        self.first_table = False
        return encode({"type": type_, "object": table}) + b"\n"

    def translate(self, event: WatchEvent) -> bytes | None:
        if event.kind != self.kind:
            return None
        if self.namespace is not None and event.namespace != self.namespace:
            return None
        key = (event.namespace, event.name)
        if not self.filtered:
            return self.frame(event.type, None, event)
        obj = None if self.only_name is not None else event.obj
        ok = event.name == self.only_name if obj is None else self.matches(obj)
        if event.type == "DELETED":
            if ok or key in self.seen:
                self.seen.discard(key)
                return self.frame("DELETED", obj, event)
            return None
        if ok:
            if key in self.seen:
                type_ = event.type
            elif self.seen_complete:
                type_ = "ADDED"
            else:
                # resumed watch: what matched before it started is unknown
                type_ = event.type
            self.seen.add(key)
            return self.frame(type_, obj, event)
        if key in self.seen:
            self.seen.discard(key)
            return self.frame("DELETED", obj, event)
        return None


def _bookmark(kind: str, rv: int, *, initial_end: bool = False) -> bytes:
    meta: dict[str, Any] = {"resourceVersion": str(rv)}
    if initial_end:
        meta["annotations"] = {"k8s.io/initial-events-end": "true"}
    obj = {"kind": kind, "apiVersion": "v1", "metadata": meta}
    return encode({"type": "BOOKMARK", "object": obj}) + b"\n"


async def serve_watch(request: web.Request, w: WatchRequest) -> web.StreamResponse:
    """Stream ``w``'s events; the caller builds the WatchRequest, so what a
    watch selects is declared in one place."""
    cluster, kind, namespace, matches = w.cluster, w.kind, w.namespace, w.matches
    rv_text = request.query.get("resourceVersion", "")
    since: int | None = None
    if rv_text not in ("", "0"):
        try:
            since = int(rv_text)
        except ValueError:
            raise bad_request(f'invalid resource version "{rv_text}"') from None
    timeout = query_int(request, "timeoutSeconds")
    bookmarks = is_true(request.query.get("allowWatchBookmarks"))
    initial_events = is_true(request.query.get("sendInitialEvents"))

    queue = cluster.subscribe(kind, namespace, w.only_name)
    try:
        resp = web.StreamResponse(status=200, headers={"Content-Type": JSON})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        start_rv = cluster.rv
        chunks: list[bytes] = []
        if since is not None and since < cluster.oldest_rv() and not initial_events:
            err = status_body(
                410, "Expired", f"too old resource version: {since} ({cluster.oldest_rv()})"
            )
            await resp.write(encode({"type": "ERROR", "object": err}) + b"\n")
            await resp.write_eof()
            return resp
        if since is None or initial_events:
            objs = cluster.list(kind, namespace)
            objs.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
            for obj in objs:
                if matches(obj):
                    w.seen.add((obj["metadata"].get("namespace", ""), obj["metadata"]["name"]))
                    chunks.append(w.frame("ADDED", obj))
            w.seen_complete = True
            if initial_events and bookmarks:
                chunks.append(_bookmark(kind, start_rv, initial_end=True))
        else:
            for event in cluster.history.since(since, start_rv):
                data = w.translate(event)
                if data is not None:
                    chunks.append(data)
        if chunks:
            await resp.write(b"".join(chunks))
        await _pump(request, resp, queue, w, timeout, bookmarks, cluster, start_rv)
        with contextlib.suppress(ConnectionError, RuntimeError):
            await resp.write_eof()
        return resp
    except ConnectionError:
        return resp
    finally:
        cluster.unsubscribe(queue)


async def _pump(
    request: web.Request,
    resp: web.StreamResponse,
    queue: asyncio.Queue[WatchEvent | None],
    w: WatchRequest,
    timeout: int | None,
    bookmarks: bool,
    cluster: Cluster,
    start_rv: int,
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + (timeout if timeout is not None and timeout > 0 else DEFAULT_TIMEOUT)
    last_bookmark = loop.time()
    last_rv = start_rv
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            if bookmarks:
                await resp.write(_bookmark(w.kind, max(last_rv, cluster.rv)))
            return
        try:
            event = await asyncio.wait_for(queue.get(), min(remaining, IDLE_CHECK))
        except TimeoutError:
            transport = request.transport
            if transport is None or transport.is_closing():
                return
            if bookmarks and loop.time() - last_bookmark >= BOOKMARK_EVERY:
                last_bookmark = loop.time()
                await resp.write(_bookmark(w.kind, cluster.rv))
            continue
        if event is None:
            return
        last_rv = event.rv
        # Changes made while the response was being prepared are already in
        # the initial state (or the replayed history).
        data = w.translate(event) if event.rv > start_rv else None
        if data is None:
            continue
        # Drain what else is queued so a burst goes out in one write.
        parts = [data]
        while not queue.empty():
            nxt = queue.get_nowait()
            if nxt is None:
                await resp.write(b"".join(parts))
                return
            last_rv = nxt.rv
            more = w.translate(nxt) if nxt.rv > start_rv else None
            if more is not None:
                parts.append(more)
        await resp.write(b"".join(parts))


def end_all_watches(cluster: Cluster) -> None:
    """Wake every watcher with the end sentinel (server shutdown)."""
    for q in list(cluster.watchers):
        q.put_nowait(None)
