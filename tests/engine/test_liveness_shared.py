"""Runs following on one server share one health check (``engine/runs/liveness.py``).

Each run used to ask ``/version`` every few seconds on its own: fifty runs of
a fleet sent fifty times the checks a busy API server's priority and fairness
would count. Counted here through the sandbox's request log.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from fleet_support import make_pods

from kdebug_nb.engine import Session
from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection

if TYPE_CHECKING:
    from kdebug_nb.sandbox.server import Sandbox


def test_concurrent_runs_share_one_health_check(
    sandbox: Sandbox, cc: ClusterClient, conn: Connection, fresh_namespace: str
) -> None:
    names = make_pods(cc, fresh_namespace, [f"h-{i:02d}" for i in range(12)], {"app": "shared-check"})
    mark = time.monotonic()
    # a 2 s request timeout checks every 0.5 s: 12 runs of 3 s would send ~70 checks on their own
    fr = Session(conn, record=False).debug(
        selector="app=shared-check", namespace=fresh_namespace, image="busybox", command="sleep 3",
        max_concurrency=12, quiet=True, request_timeout=2,
    )
    elapsed = time.monotonic() - mark
    assert sorted(e.result.pod for e in fr.entries) == names
    assert not fr.failed, [(e.target, e.error) for e in fr.failed]
    checks = [r for r in sandbox.requests_since(mark) if r.path == "/version"]
    # one check every 0.5 s while any run follows, give or take the first and the last
    assert len(checks) <= elapsed / 0.5 + 2, (len(checks), elapsed)
    assert checks, "no health check at all while the runs followed"
