"""nginx's /docker-entrypoint.sh: announce, then exec the command it was given."""

from __future__ import annotations

import os
import sys


def main() -> None:
    args = sys.argv[1:]
    if not args:
        return
    if args[0] == "nginx":
        print("/docker-entrypoint.sh: Configuration complete; ready for start up", flush=True)
    try:
        os.execvp(args[0], args)
    except FileNotFoundError:
        print(f"/docker-entrypoint.sh: exec: {args[0]}: not found", file=sys.stderr)
        sys.exit(127)


if __name__ == "__main__":
    main()
