"""registry.k8s.io/pause: sleep until told to stop."""

from __future__ import annotations

import signal
import sys


def main() -> None:
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    signal.signal(signal.SIGINT, lambda signum, frame: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
