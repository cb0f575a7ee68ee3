"""PID 1 of a sandbox container's own PID namespace (a tiny init, like tini).

Run as a script, standard library only: ``python -I -S pidinit.py PROGRAM
ARGV0 [ARGS...]`` starts ``PROGRAM`` with ``argv = [ARGV0, ARGS...]`` as its
child and exits with the child's exit code (128+n when signal n ended it).
With no arguments it is a pod's shared-namespace holder (the pause
container): it only reaps.

Why an init at all: the kernel drops signals without a handler that are
sent to a namespace's PID 1, so a container command running as PID 1 would
ignore the SIGTERM of a delete and every delete would wait out its grace
period. Here the command is PID 2 and keeps default signal semantics.

The kubelet signals a container's whole process group, which reaches the
command directly; signals arriving from outside the namespace (``si_pid``
0) are therefore not forwarded, so the command sees each signal once.
Signals sent from inside (``kill 1``) are forwarded to the command. Orphans
re-parented to PID 1 are reaped. When the command exits, init exits, and
the kernel kills whatever is left in the namespace.
"""

from __future__ import annotations

import os
import signal
import sys

FORWARDED = (
    signal.SIGTERM,
    signal.SIGINT,
    signal.SIGHUP,
    signal.SIGQUIT,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGWINCH,
)


def start(program: str, argv: list[str], mask: set[int | signal.Signals]) -> int:
    pid = os.fork()
    if pid:
        return pid
    try:
        # what Python changed at start-up must not leak into the container
        for sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.execv(program, argv)
    except OSError as e:
        os.write(2, f"{argv[0]}: {e.strerror}\n".encode())
    os._exit(127)


def main() -> None:
    watched = {signal.SIGCHLD, *FORWARDED}
    # blocked signals are queued even for PID 1, and sigwaitinfo tells who sent them
    old = signal.pthread_sigmask(signal.SIG_BLOCK, watched)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from proctitle import set_title

    # what ps in the container shows: like tini, or the pause container
    # (before the fork, so the command never sees the python command line)
    set_title(["/init", "--", *sys.argv[2:]] if len(sys.argv) > 2 else ["/pause"])
    child = start(sys.argv[1], sys.argv[2:], old) if len(sys.argv) > 2 else 0
    while True:
        info = signal.sigwaitinfo(watched)
        if info.si_signo != signal.SIGCHLD:
            if child and info.si_pid != 0:
                try:
                    os.kill(child, info.si_signo)
                except OSError:
                    pass
            continue
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            if pid == child:
                code = os.waitstatus_to_exitcode(status)
                os._exit(128 - code if code < 0 else code)


if __name__ == "__main__":
    main()
