"""An nginx look-alike: prints nginx's start-up notices, then idles."""

from __future__ import annotations

import os
import signal
import sys
import time


def main() -> None:
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    signal.signal(signal.SIGQUIT, lambda signum, frame: sys.exit(0))
    if "-v" in sys.argv[1:] or "-V" in sys.argv[1:]:
        print("nginx version: nginx/1.27.3", file=sys.stderr)
        return
    stamp = time.strftime("%Y/%m/%d %H:%M:%S")
    pid = os.getpid()
    for line in (
        "using the \"epoll\" event method",
        "nginx/1.27.3",
        "start worker processes",
        f"start worker process {pid + 1}",
    ):
        print(f"{stamp} [notice] {pid}#{pid}: {line}", file=sys.stderr, flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
