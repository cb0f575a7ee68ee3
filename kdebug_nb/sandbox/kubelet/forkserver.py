"""Fork container holders from one warm process (stdlib only, run as a script).

``python -I -S forkserver.py FD``: ``FD`` is a ``SOCK_SEQPACKET`` socket to
the kubelet (``forkclient.py``). Starting an interpreter and importing
``ctrinit.py`` (ctypes, json, socket) costs about 25 ms of CPU per
container, more than the rest of a container's start; a fork of this process,
which has done it once, costs about one. The same idea as CPython's
``Lib/multiprocessing/forkserver.py`` and Android's zygote.

Each request is one message, ``ID SPEC_JSON``, carrying stdin, stdout,
stderr and, for ``ctrinit.py``, its status socket. The server forks; the
child makes a session of its own, puts the descriptors on 0, 1 and 2 and
runs ``ctrinit.main(SPEC)`` (or ``podinit.main`` when ``SPEC["program"]`` is
``"podinit"``: a pod's pause), exactly what ``python ctrinit.py SPEC`` would
do. The server answers ``pid ID PID`` (or ``fail ID WHY``) and,
since the holders are its children, ``exit PID CODE`` when one ends (``CODE``
negative for a signal, as ``asyncio`` reports it). It exits when the kubelet
closes its end; holders still running are then the kubelet's to kill (it
knows their process groups, as it knows those it starts itself).
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctrinit  # noqa: E402  (loaded once here: what every fork saves)
import podinit  # noqa: E402

#: what a request's ``program`` may name: the script whose ``main(spec)`` the fork runs
PROGRAMS = {"ctrinit": ctrinit.main, "podinit": podinit.main}

#: a request's size at most: ``ctrinit.py``'s argv limit (MAX_ARG_STRLEN) and then some
MAX_REQUEST = 256 * 1024


def child(ctl: socket.socket, wake: tuple[int, int], cwd: str, spec: dict, fds: list[int]) -> None:
    """In the fork: become what ``python ctrinit.py SPEC`` would have been. Never returns."""
    code = 127
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        # as a fresh interpreter has it: the holder relays SIGINT to a terminal's command
        signal.signal(signal.SIGINT, signal.default_int_handler)
        ctl.close()
        for fd in wake:
            os.close(fd)
        os.setsid()
        stdin, stdout, stderr, *status = fds
        for fd, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
            os.dup2(fd, target)
        for fd in {stdin, stdout, stderr}:
            os.close(fd)
        os.chdir(cwd)
        if status:
            spec["status_fd"] = status[0]
        PROGRAMS[spec.pop("program", "ctrinit")](spec)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException as e:  # noqa: BLE001 - a holder must never return into the server's loop
        os.write(2, f"forkserver: {type(e).__name__}: {e}\n".encode(errors="replace"))
    finally:
        os._exit(code)


def reap(ctl: socket.socket) -> None:
    while True:
        try:
            pid, wstatus = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        ctl.send(f"exit {pid} {os.waitstatus_to_exitcode(wstatus)}".encode())


def serve(ctl: socket.socket) -> None:
    cwd = os.getcwd()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    # SIGCHLD wakes the poll below through the pipe (a handler must exist for
    # the signal to be delivered; the reaping is done in the loop)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    poller = select.poll()
    poller.register(ctl.fileno(), select.POLLIN)
    poller.register(wake_r, select.POLLIN)
    while True:
        for fd, _ in poller.poll():
            if fd == wake_r:
                while True:
                    try:
                        if not os.read(wake_r, 512):
                            break
                    except BlockingIOError:
                        break
                reap(ctl)
                continue
            try:
                msg, fds, _, _ = socket.recv_fds(ctl, MAX_REQUEST, 4)
            except OSError:
                return
            if not msg:
                return
            request, _, body = msg.partition(b" ")
            try:
                if len(fds) not in (3, 4):
                    raise ValueError(f"{len(fds)} descriptors, not 3 or 4")
                spec = json.loads(body)
                if spec.get("program", "ctrinit") not in PROGRAMS:
                    raise ValueError(f"no program {spec['program']!r}")
                pid = os.fork()
            except (OSError, ValueError) as e:
                for fd in fds:
                    os.close(fd)
                ctl.send(f"fail {request.decode()} {e}".encode(errors="replace"))
                continue
            if pid == 0:
                child(ctl, (wake_r, wake_w), cwd, spec, fds)
            for fd in fds:
                os.close(fd)
            ctl.send(f"pid {request.decode()} {pid}".encode())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: forkserver.py FD")
    sock = socket.socket(fileno=int(sys.argv[1]))
    try:
        serve(sock)
    except (BrokenPipeError, ConnectionError):
        pass  # the kubelet went away
