"""A container root with hostPath volumes at their mount paths (stdlib only).

Run as a script inside a new user + mount namespace (``unshare --user
--map-root-user --mount``): ``python -I -S hostroot.py ROOT CWD SRC DST
[SRC DST ...] -- PROGRAM ARGV0 [ARGS...]``. It makes ``ROOT`` look like this
machine's ``/`` (each top-level directory and file bind-mounted, each
top-level symlink copied), binds every hostPath ``SRC`` at ``ROOT/DST``, chroots into
``ROOT``, changes to ``CWD`` and execs ``PROGRAM``. The mounts exist only in
the container's mount namespace and vanish with it; the machine's own root
is never written to. A ``DST`` whose first component already exists at the
top of ``/`` (``/var/log``) would need a write inside a host directory and
is skipped with a warning on stderr.
"""

from __future__ import annotations

import ctypes
import os
import sys

MS_BIND = 4096
MS_REC = 16384


def bind(libc: ctypes.CDLL, source: str, target: str) -> None:
    if libc.mount(source.encode(), target.encode(), None, MS_BIND | MS_REC, None) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"bind {source} at {target}: {os.strerror(err)}")


def main() -> None:
    sep = sys.argv.index("--")
    root, cwd, pairs = sys.argv[1], sys.argv[2], sys.argv[3:sep]
    program, argv = sys.argv[sep + 1], sys.argv[sep + 2 :]
    libc = ctypes.CDLL(None, use_errno=True)
    os.makedirs(root, exist_ok=True)
    top = set(os.listdir("/"))
    for name in sorted(top):
        source, target = "/" + name, os.path.join(root, name)
        if os.path.islink(source):
            os.symlink(os.readlink(source), target)
        elif os.path.isdir(source):
            os.mkdir(target)
            bind(libc, source, target)
        elif os.path.isfile(source):
            open(target, "x").close()
            bind(libc, source, target)
    for source, dst in zip(pairs[::2], pairs[1::2], strict=True):
        first = dst.strip("/").split("/", 1)[0]
        if not first or first in top:
            print(f"sandbox: hostPath {source} at {dst} not mounted: {dst} is inside a host directory",
                  file=sys.stderr)
            continue
        target = os.path.join(root, dst.strip("/"))
        os.makedirs(target, exist_ok=True)
        bind(libc, source, target)
    os.chroot(root)
    os.chdir(cwd)
    os.execv(program, argv)


if __name__ == "__main__":
    main()
