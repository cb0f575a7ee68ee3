"""History redaction on hostile output versus ordinary output of the same size.

Container output is untrusted and is redacted before the history keeps it.
Every pattern must cost linear time: a 64,000-character output built to make
a backtracking regex go quadratic ("keykey...", "a.a.a...", "password" runs)
must cost about what ordinary output costs. Prints each case's median and its
ratio to the ordinary output's median (target: every ratio under 5), and the
cost of a full history ceiling of remembered values.

    python benchmarks/redact.py [--runs 5]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import time
from collections.abc import Callable
from functools import partial

from kdebug_nb.runbook.record import OUTPUT_LIMIT
from kdebug_nb.runbook.redact import MAX_REMEMBERED, Redactor

N = OUTPUT_LIMIT


def _fill(unit: str) -> str:
    return (unit * (N // len(unit) + 1))[:N]


ORDINARY = _fill("  PID USER     TIME  COMMAND\n    1 root      0:00 /pause\nHOME=/root PATH=/bin\n")
HOSTILE = {
    "keykey...": _fill("key"),
    "password runs": _fill("password"),
    "a.a.a...": _fill("a.b"),
    "token: token: ...": _fill("token: "),
    "k=k=k=...": _fill("k="),
    "x:x:x:...": _fill("x:"),
    "http://a:http://a:...": _fill("http://a:"),
    'password="password="...': _fill('password="'),
    "mysql -p mysql -p ...": _fill("mysql -p"),
    "BEGIN without END": _fill("-----BEGIN X-----\n"),
}


def _median(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    base = _median(lambda: Redactor().text(ORDINARY), args.runs)
    print(f"ordinary output, {N:,} characters: {base * 1000:.1f} ms (baseline)")
    worst = 0.0
    for label, text in HOSTILE.items():
        took = _median(partial(Redactor().text, text), args.runs)
        worst = max(worst, took / base)
        print(f"{label:28} {took * 1000:8.1f} ms  {took / base:5.1f}x")
    full = Redactor([secrets.token_hex(8) for _ in range(MAX_REMEMBERED)])
    took = _median(lambda: full.text(ORDINARY), args.runs)
    print(f"{'ordinary, ' + str(MAX_REMEMBERED) + ' remembered':28} {took * 1000:8.1f} ms  {took / base:5.1f}x")
    print(f"worst hostile ratio: {worst:.1f}x (target < 5)")


if __name__ == "__main__":
    main()
