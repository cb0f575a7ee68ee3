"""Fixtures for the engine-runtime tests: the session sandbox as the engine sees it.

Defined here rather than imported into each test module, so every test under
tests/engine/ gets ``conn`` and ``cc`` from one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection

if TYPE_CHECKING:
    from kdebug_nb.sandbox.server import Sandbox


@pytest.fixture(scope="session")
def conn(sandbox: Sandbox) -> Connection:
    """The session sandbox as an engine Connection (explicit kubeconfig + context)."""
    return Connection(str(sandbox.kubeconfig), sandbox.context)


@pytest.fixture(scope="session")
def cc(conn: Connection) -> ClusterClient:
    return ClusterClient(conn)
