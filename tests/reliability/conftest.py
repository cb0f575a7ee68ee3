"""Fixtures for the reliability suite: the session sandbox, raw requests to it, pods in it.

Raw requests go through the official client's own connection pool and
credentials (``ApiClient.param_serialize`` and its urllib3 pool), so they
reach the sandbox however its kubeconfig says to (plain or TLS, with or
without a token) with the body bytes exactly as given.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from reliability_helpers import Raw, busybox_pod, raw_call, wait_for

from kdebug_nb.engine import Connection, Session


@pytest.fixture(scope="session")
def conn(sandbox: Any) -> Connection:
    """The session sandbox as an engine Connection."""
    return Connection(str(sandbox.kubeconfig), sandbox.context)


@pytest.fixture(scope="session")
def engine(conn: Connection) -> Session:
    """An engine session on the sandbox that records no history: these tests are the sandbox's."""
    return Session(conn, record=False)


@pytest.fixture(scope="session")
def raw(api_client: Any) -> Raw:
    """``raw(method, path, body=b"...", content_type=...)`` -> (status, JSON)."""

    def call(method: str, path: str, body: bytes | None = None, **kw: Any) -> tuple[int, Any]:
        return raw_call(api_client, method, path, body, **kw)

    return call


@pytest.fixture
def running_target(core_v1: Any, fresh_namespace: str) -> Iterator[str]:
    """A running busybox pod in a fresh namespace; yields its name."""
    name = f"target-{uuid.uuid4().hex[:6]}"
    core_v1.create_namespaced_pod(fresh_namespace, busybox_pod(name))
    wait_for(lambda: core_v1.read_namespaced_pod(name, fresh_namespace).status.phase == "Running",
             30, f"{name} Running")
    yield name
