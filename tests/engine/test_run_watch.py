"""The pod watch survives what real API servers do to long watches: expiry and 410 Gone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection
from kdebug_nb.engine.runs.waiting import PodWatch


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[Any]:
    """A sandbox of this module's own: the test floods its watch history."""
    from kdebug_nb.sandbox.server import Sandbox

    with Sandbox() as sb:
        yield sb


def test_watch_relists_after_its_resource_version_expired(own_sandbox: Any) -> None:
    from kdebug_nb.sandbox.store.cluster import WATCH_HISTORY

    cc = ClusterClient(Connection(str(own_sandbox.kubeconfig), own_sandbox.context))
    cc.create_pod("default", {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "slow", "namespace": "default"},
        "spec": {"restartPolicy": "Never", "containers": [{
            "name": "app", "image": "busybox", "command": ["sh", "-c", "sleep 2; exit 4"]}]},
    })
    watch = PodWatch(cc, "default", "slow")
    try:
        # a short start deadline: the server ends this watch after about a second
        pod = watch.until_started("app", time.monotonic() + 1.0, lambda *_: None)
        assert "running" in pod["status"]["containerStatuses"][0]["state"]

        def churn() -> None:
            cluster = own_sandbox.cluster
            for i in range(WATCH_HISTORY + 10):
                cluster.put({"apiVersion": "v1", "kind": "Namespace",
                             "metadata": {"name": "churn", "labels": {"n": str(i)}}})

        before = len(own_sandbox.requests)
        time.sleep(1.3)  # the first watch expires (its last bookmark is our resume point)...
        own_sandbox.call(churn, timeout=120)  # ...which then falls out of the history
        pod = watch.until_finished("app", grace=20)
    finally:
        watch.close()
    state = pod["status"]["containerStatuses"][0]["state"]
    assert state["terminated"]["exitCode"] == 4
    deadline = time.monotonic() + 3  # streamed requests are logged when they end
    while time.monotonic() < deadline and len(own_sandbox.requests) - before < 3:
        time.sleep(0.02)
    statuses = [(r.status, "watch=true" in r.query) for r in own_sandbox.requests[before:]]
    # the resume was refused as too old (410, as an HTTP status or a watch ERROR
    # event) and the watch started over with a fresh LIST
    assert (200, False) in statuses, statuses
