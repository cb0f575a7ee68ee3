"""The scenario's distroless app: serves nothing, logs a line periodically.

``NEATO_INTERVAL`` (seconds, default 5) sets the period. SIGTERM ends it
cleanly with exit code 0, as a well-behaved server would.
"""

from __future__ import annotations

import os
import signal
import sys
import time


class _Stop(Exception):
    pass


def _on_term(signum: int, frame: object) -> None:
    # raising interrupts time.sleep (a handler that returns would not: PEP 475)
    raise _Stop


def main() -> None:
    interval = float(os.environ.get("NEATO_INTERVAL", "5") or 5)
    signal.signal(signal.SIGTERM, _on_term)
    print(f"neato 1.0 listening on :8080 (pid {os.getpid()})", flush=True)
    n = 0
    try:
        while True:
            time.sleep(interval)
            n += 1
            print(f"neato: handled request #{n}: GET /healthz 200", flush=True)
    except _Stop:
        pass
    print("neato: received SIGTERM, shutting down", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
