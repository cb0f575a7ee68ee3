"""Being a polite client of a busy API server: a request rate limit, and 429s waited out.

Two things client-go does for every program built on it, and so for kubectl:

* a client-side token bucket (``rest.Config``'s ``QPS`` and ``Burst``,
  ``staging/src/k8s.io/client-go/util/flowcontrol/throttle.go``,
  ``NewTokenBucketRateLimiter``): a request may start once a token is free;
  tokens refill at ``qps`` per second up to ``burst``;
* a ``429 Too Many Requests`` (API Priority and Fairness, or the
  ``--max-requests-inflight`` filter) carrying ``Retry-After`` is retried
  after that many seconds, up to 10 times
  (``staging/src/k8s.io/client-go/rest/request.go``, ``checkWait`` and
  ``maxRetries``), instead of failing the caller.

One ``RequestGate`` is shared by every client of a connection, in every
thread, as client-go shares one limiter per ``rest.Config``. A fleet run sets
its ``--qps``/``--burst`` on it. Waits after a 429 grow and are jittered, so
that fifty workers refused together do not come back together.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

#: kubectl's discovery limits (``staging/src/k8s.io/kubectl/pkg/cmd/cmd.go``:
#: ``WithDiscoveryQPS(50)``, ``WithDiscoveryBurst(300)``); client-go's default
#: 5/10 would make a 500-pod fleet run take minutes on any cluster
DEFAULT_QPS = 50.0
DEFAULT_BURST = 300
#: client-go's ``maxRetries`` for answers carrying ``Retry-After``
MAX_RETRIES = 10
#: no single wait after a 429 is longer than this, whatever the server says
MAX_RETRY_WAIT = 30.0


class TokenBucket:
    """Thread-safe token bucket; ``qps <= 0`` means no limit."""

    def __init__(self, qps: float = DEFAULT_QPS, burst: int = DEFAULT_BURST) -> None:
        self._lock = threading.Lock()
        self.configure(qps, burst)

    def configure(self, qps: float, burst: int) -> None:
        with self._lock:
            self.qps = float(qps)
            self.burst = max(1, int(burst))
            self._tokens = float(self.burst)
            self._stamp = time.monotonic()

    def reserve(self) -> float:
        """Take a token; return how long the caller must wait before using it.

        Tokens go negative under load: each caller reserves its own slot in
        the future, so waiting callers are served in order without polling.
        """
        with self._lock:
            if self.qps <= 0:
                return 0.0
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.qps)
            self._stamp = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.qps

    def acquire(self) -> float:
        """Wait for a token; return the seconds waited."""
        wait = self.reserve()
        if wait > 0:
            time.sleep(wait)
        return wait


@dataclass
class GateStats:
    """What a gate did, for benchmarks and fleet summaries."""

    requests: int = 0
    throttled: int = 0
    waited: float = 0.0


class RequestGate:
    """The rate limit and the 429 policy of one connection."""

    def __init__(
        self,
        qps: float = DEFAULT_QPS,
        burst: int = DEFAULT_BURST,
        max_retries: int = MAX_RETRIES,
    ) -> None:
        self.bucket = TokenBucket(qps, burst)
        self.max_retries = max_retries
        self.stats = GateStats()
        self._lock = threading.Lock()

    def configure(self, qps: float, burst: int) -> None:
        self.bucket.configure(qps, burst)

    def before_request(self) -> None:
        waited = self.bucket.acquire()
        with self._lock:
            self.stats.requests += 1
            self.stats.waited += waited

    def retry_delay(self, attempt: int, retry_after: str | None) -> float | None:
        """Seconds to wait before retrying a 429, or None to give up.

        ``attempt`` counts the retries already made. The server's
        ``Retry-After`` (whole seconds, as the API server sends it) is the
        floor; later attempts back off exponentially, with jitter.
        """
        with self._lock:
            self.stats.throttled += 1
        if attempt >= self.max_retries:
            return None
        try:
            base = max(float(retry_after or "1"), 0.0)
        except ValueError:
            base = 1.0  # an HTTP-date: the API server never sends one; wait the minimum
        base = max(base, 0.05)
        backoff = base * (2 ** max(0, attempt - 2))
        return min(backoff * (1.0 + random.random() * 0.5), MAX_RETRY_WAIT)  # noqa: S311


__all__ = [
    "DEFAULT_BURST",
    "DEFAULT_QPS",
    "MAX_RETRIES",
    "GateStats",
    "RequestGate",
    "TokenBucket",
]
