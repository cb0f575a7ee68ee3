"""The watch history is bounded by bytes as well as count; what fell out of it is 410 Gone.

Like the API server's watch cache (k8s.io/apiserver/pkg/storage/cacher/watch_cache.go),
a watch from a resourceVersion the window no longer covers gets one ERROR
event with a 410 Expired Status, and so does one older than the server's
start: a resourceVersion kept from another sandbox names nothing here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client, config


def _watch(core_v1: Any, rv: str) -> list[dict[str, Any]]:
    resp = core_v1.list_namespace(watch=True, resource_version=rv, timeout_seconds=1,
                                  _preload_content=False)
    return [json.loads(line) for line in resp.data.splitlines() if line.strip()]


def test_a_resource_version_older_than_the_servers_start_is_410(core_v1: Any) -> None:
    events = _watch(core_v1, "1")
    assert [e["type"] for e in events] == ["ERROR"]
    status = events[0]["object"]
    assert (status["code"], status["reason"]) == (410, "Expired")
    assert status["message"].startswith("too old resource version: 1 (")


@pytest.fixture(scope="module")
def small_history() -> Iterator[tuple[Any, Any]]:
    """A sandbox of this module's own whose watch history holds at most 1 MiB."""
    from kdebug_nb.sandbox.server import Sandbox

    with Sandbox() as sb:
        sb.call(lambda: setattr(sb.cluster.history, "max_bytes", 1024 * 1024))
        api = config.new_client_from_config(config_file=str(sb.kubeconfig), context=sb.context)
        try:
            yield sb, client.CoreV1Api(api)
        finally:
            api.close()


def test_the_history_is_bounded_by_bytes(small_history: tuple[Any, Any]) -> None:
    sb, core_v1 = small_history
    first = core_v1.list_namespace().metadata.resource_version
    for i in range(12):
        core_v1.create_namespace({"metadata": {"name": f"big-{i}", "annotations": {"blob": "x" * 200_000}}})
    history = sb.cluster.history
    assert history.size_bytes <= 1024 * 1024
    # the default scenario's pods write small events alongside: count the big ones
    kept = [e.name for e in history if e.kind == "Namespace" and e.name.startswith("big-")]
    assert 0 < len(kept) < 12 and kept[-1] == "big-11"
    gone = _watch(core_v1, first)
    assert [e["type"] for e in gone] == ["ERROR"] and gone[0]["object"]["code"] == 410
    # what is still in the window replays
    recent = str(history.oldest_rv())
    names = [e["object"]["metadata"]["name"] for e in _watch(core_v1, recent) if e["type"] == "ADDED"]
    assert names and names[-1] == "big-11"
