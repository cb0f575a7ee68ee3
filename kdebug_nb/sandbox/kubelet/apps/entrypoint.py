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
        import kdebug_apps  # the sandbox's programs of this image (ctrinit.load_apps)
    except ImportError:
        kdebug_apps = None
    if kdebug_apps is not None and kdebug_apps.has(args[0]):
        kdebug_apps.run(args)  # what exec would do: the program replaces this one
    try:
        os.execvp(args[0], args)
    except FileNotFoundError:
        print(f"/docker-entrypoint.sh: exec: {args[0]}: not found", file=sys.stderr)
        sys.exit(127)


if __name__ == "__main__":
    main()
