"""A busy API server: 429 + Retry-After waited out, the client-side rate limit, paged lists."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

import pytest
from fleet_support import make_pods

from kdebug_nb import errors
from kdebug_nb.engine import Session
from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection
from kdebug_nb.engine.grammar import parse_args
from kdebug_nb.engine.paging import iter_items, iter_pages
from kdebug_nb.engine.ratelimit import DEFAULT_BURST, DEFAULT_QPS, RequestGate, TokenBucket

if TYPE_CHECKING:
    from kdebug_nb.sandbox.server import Sandbox


def test_throttling_is_answered_with_backoff_not_failed_pods(
    sandbox: Sandbox, conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    names = make_pods(cc, fresh_namespace, [f"t-{i}" for i in range(12)], {"busy": "yes"})
    mark = time.monotonic()
    # a remote server's latency keeps requests in flight long enough to meet the cap
    sandbox.timing.api_latency = 0.05
    sandbox.throttle.max_in_flight = 2
    try:
        fr = Session(record=False).fleet(parse_args(["-l", "busy=yes", "-n", fresh_namespace, "--image=busybox",
                                   "--max-concurrency=12", "-q", "--", "echo", "ok"]),
                       connection=conn)
    finally:
        sandbox.throttle.max_in_flight = 0
        sandbox.timing.api_latency = 0.0
    refused = [r for r in sandbox.requests_since(mark) if r.status == 429]
    assert refused, "the throttle never refused a request: the test proves nothing"
    assert fr.ok, fr.frame[["pod", "reason", "error"]]
    assert sorted(fr.frame.pod) == sorted(names) and set(fr.frame.output) == {"ok\n"}
    assert fr.throttled >= len(refused) - 1  # a watch's last 429 may land after the run
    assert "throttled requests retried" in fr.summary()


def test_a_429_carries_retry_after_and_a_status(sandbox: Sandbox, cc: ClusterClient) -> None:
    sandbox.throttle.max_in_flight = 1
    sandbox.timing.api_latency = 1.0
    try:
        import threading

        slow = threading.Thread(target=cc.read_namespace, args=("default",))
        slow.start()
        deadline = time.monotonic() + 5
        while sandbox.throttle.in_flight < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        gate = RequestGate(max_retries=0)  # give up at once, to see the refusal itself
        direct = ClusterClient(cc.connection)
        direct.gate = gate
        with pytest.raises(errors.ApiError) as info:
            direct.read_namespace("default")
        slow.join()
    finally:
        sandbox.throttle.max_in_flight = 0
        sandbox.timing.api_latency = 0.0
    assert info.value.status == 429
    assert info.value.body["reason"] == "TooManyRequests"
    assert info.value.body["details"] == {"retryAfterSeconds": 1}


def test_token_bucket_allows_a_burst_then_spaces_requests_at_qps() -> None:
    bucket = TokenBucket(qps=10, burst=3)
    waits = [bucket.reserve() for _ in range(5)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    # each caller past the burst is given its own slot, 1/qps after the previous one
    assert 0.05 < waits[3] <= 0.1 and 0.15 < waits[4] <= 0.2
    unlimited = TokenBucket(qps=0, burst=1)
    assert [unlimited.reserve() for _ in range(100)] == [0.0] * 100


def test_retry_delay_honours_retry_after_then_backs_off_and_gives_up() -> None:
    gate = RequestGate(max_retries=4)
    first = gate.retry_delay(0, "2")
    assert first is not None and 2.0 <= first <= 3.0
    later = gate.retry_delay(3, "1")
    assert later is not None and 2.0 <= later <= 3.0
    assert gate.retry_delay(4, "1") is None
    assert gate.stats.throttled == 3


def test_the_client_side_limit_spaces_a_fleets_requests(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    make_pods(cc, fresh_namespace, ["q-1", "q-2", "q-3"], {"qps": "low"})
    t0 = time.monotonic()
    fr = Session(record=False).fleet(parse_args(["-l", "qps=low", "-n", fresh_namespace, "--image=busybox",
                               "--qps=10", "--burst=1", "-q", "--", "true"]), connection=conn)
    took = time.monotonic() - t0
    # a list, then per pod a PATCH, a LIST, a log and (if it still ran) a WATCH
    assert fr.ok and fr.requests >= 10
    # N requests at 10 per second after a burst of 1 cannot take less than (N - 1) / 10 s
    assert took >= (fr.requests - 1) / 10 - 0.05
    # the run's limit was the run's: the connection's own is back
    assert (cc.gate.bucket.qps, cc.gate.bucket.burst) == (DEFAULT_QPS, DEFAULT_BURST)


def test_lists_are_read_in_pages(sandbox: Sandbox, cc: ClusterClient, fresh_namespace: str) -> None:
    tag = uuid.uuid4().hex[:6]
    names = make_pods(cc, fresh_namespace, [f"page-{i:02d}" for i in range(17)], {"pg": tag},
                      wait=False)
    mark = time.monotonic()

    def fetch(limit: int, token: str) -> dict[str, object]:
        return cc.list_pods(fresh_namespace, selector=f"pg={tag}", limit=limit, continue_token=token)

    pages = [len(p) for p in iter_pages(fetch, limit=5)]
    assert pages == [5, 5, 5, 2]
    assert sorted(p["metadata"]["name"] for p in iter_items(fetch, limit=5)) == names
    asked = [r.query for r in sandbox.requests_since(mark) if r.path.endswith("/pods")][:4]
    assert all("limit=5" in q for q in asked) and all("continue=" in q for q in asked[1:])
