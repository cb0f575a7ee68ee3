"""Hold a sandbox network or a pod's namespaces: the pause container (stdlib only).

``python -I -S podinit.py SPEC`` (JSON from ``podnet.py``), or ``main(SPEC)``
in a fork of ``forkserver.py``: enter the
namespaces listed under ``enter`` (a pod enters the sandbox network's user
namespace, so the network holder can wire the pod's veth), make a user
namespace with the id map ``map`` (written by a helper left outside, see
``ctrinit.new_user_namespace``), unshare ``unshare`` (network, UTS, IPC,
and the pod's PID namespace with ``shareProcessNamespace``), set the
hostname, bring loopback up, and then only reap, titled ``/pause`` like
Kubernetes' pause container. With a PID namespace the reaper is its PID 1
and this process stays outside as its holder. It ends on SIGKILL or, being
PID 1, when its holder dies.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ctrinit import CLONE_NEWPID, PR_SET_PDEATHSIG, check, enter, libc, new_user_namespace  # noqa: E402
from proctitle import set_title  # noqa: E402

SIOCGIFFLAGS, SIOCSIFFLAGS = 0x8913, 0x8914
IFF_UP = 0x1


def loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack("16sH", fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sH", b"lo", 0)))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))


def pause() -> None:
    set_title(["/pause"])
    watched = {signal.SIGCHLD, signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, watched)
    sys.stdout.flush()
    while True:
        info = signal.sigwaitinfo(watched)
        if info.si_signo != signal.SIGCHLD:
            os._exit(0)
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break


def main(spec: dict) -> None:
    """Hold the namespaces ``spec`` describes; this process becomes the pod's pause."""
    enter(spec.get("enter", ()))
    if spec.get("map"):
        new_user_namespace(*spec["map"])
    flags = int(spec.get("unshare", 0))
    check(libc.unshare(flags), "unshare")
    if spec.get("hostname"):
        socket.sethostname(spec["hostname"])
    loopback_up()
    if flags & CLONE_NEWPID:
        child = os.fork()
        if child == 0:
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            pause()
        print(f"ready {os.getpid()}", flush=True)
        _, code = os.waitpid(child, 0)
        os._exit(1)
    print(f"ready {os.getpid()}", flush=True)
    pause()


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
