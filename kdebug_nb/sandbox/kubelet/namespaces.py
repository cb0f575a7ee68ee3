"""Process namespaces for sandbox containers (Linux user + PID + mount namespaces).

Kubernetes gives every container its own PID namespace unless the pod sets
``shareProcessNamespace: true`` (one pod-wide namespace, the pause container
as PID 1) or ``hostPID: true`` (the node's). An ephemeral container with
``targetContainerName`` joins its target's namespace, which is what makes
``kubectl debug --target`` useful against distroless images.

The sandbox does the same with unprivileged namespaces, so it needs no root:

* a namespace of its own: ``unshare --user --map-root-user --pid --mount
  --mount-proc --fork --kill-child`` around a tiny init that runs the
  container command as its child (``pidinit.pl`` when perl is installed,
  else ``pidinit.py``; see there why), so ``ps`` in the container shows the
  container's processes only, from its own ``/proc``;
* joining one: ``nsenter`` into the user, mount and PID namespace of the
  ``unshare`` process holding it (``/proc/PID/ns/pid_for_children``): the
  owner of a user namespace may enter it without privileges;
* a pod's shared namespace is held by an init with no command (``/pause``);
* a ``hostPID`` container with hostPath volume mounts (``kubectl debug
  node/...``: ``/`` at ``/host``) keeps the host's PID namespace but gets
  user + mount namespaces and a chroot into this machine's ``/`` rebuilt
  from bind mounts with the volumes added (``hostroot.py``); the real ``/``
  is never written to. hostPath volumes of other pods are not mounted.

Known differences from a real runtime: PID 1 of a container's own
namespace is the init (``/init -- CMD``, like tini) and the command is PID
2; a joined process runs under an ``nsenter`` that dies of the kubelet's
SIGTERM at once, so a joined process that handles TERM gracefully (an
ephemeral container targeting another one, an exec) is reported as 143 and
killed with its group rather than waited for. A container in a namespace
of its own is reported started only once its init is "ready" (handlers
installed, command exec'd; ``Runtime.spawn`` waits for it), so a TERM at
any moment after Running reaches the command.

Support is probed once per interpreter (an ``unshare`` of ``true``). The
``KDEBUG_SANDBOX_PIDNS`` environment variable overrides the probe: ``0``
turns namespaces off, ``1`` uses them without probing. Without support
(not Linux, no util-linux, user namespaces disabled by sysctl or a seccomp
profile, ...) every process runs in the host's namespaces as before, and
``ps`` shows every process of the machine; ``pid_namespaces()`` says which
mode is in force and ``pid_namespace_reason()`` why.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ENV = "KDEBUG_SANDBOX_PIDNS"
INIT_ENV = "KDEBUG_SANDBOX_INIT"
PIDINIT = str(Path(__file__).with_name("pidinit.py"))
PIDINIT_PL = str(Path(__file__).with_name("pidinit.pl"))
HOSTROOT = str(Path(__file__).with_name("hostroot.py"))
UNSHARE_FLAGS = ("--user", "--map-root-user", "--pid", "--mount", "--mount-proc", "--fork", "--kill-child")


@functools.cache
def _probe() -> tuple[bool, str]:
    setting = os.environ.get(ENV, "").strip()
    if setting == "0":
        return False, f"{ENV}=0"
    unshare, nsenter = shutil.which("unshare"), shutil.which("nsenter")
    if not sys.platform.startswith("linux") or unshare is None or nsenter is None:
        return False, "unshare/nsenter (util-linux) not available"
    if setting == "1":
        return True, f"{ENV}=1"
    try:
        proc = subprocess.run(
            [unshare, *UNSHARE_FLAGS, "true"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError) as e:
        return False, f"unshare probe failed: {e}"
    if proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()
        return False, "unshare probe failed: " + (detail[-1] if detail else f"exit code {proc.returncode}")
    return True, "unshare probe succeeded"


def pid_namespaces() -> bool:
    """Whether containers get PID namespaces (probed once per interpreter)."""
    return _probe()[0]


def pid_namespace_reason() -> str:
    """Why ``pid_namespaces()`` says what it says (for skip messages and logs)."""
    return _probe()[1]


@functools.cache
def init_command() -> tuple[str, ...]:
    """The init: ``pidinit.pl`` when perl is installed (it starts in a few ms,
    Python in 10-20), else ``pidinit.py``; ``KDEBUG_SANDBOX_INIT=python|perl``
    chooses."""
    wanted = os.environ.get(INIT_ENV, "").strip()
    perl = shutil.which("perl")
    # (a wheel without package data for *.pl falls back to Python)
    if perl is not None and wanted != "python" and Path(PIDINIT_PL).is_file():
        return (perl, PIDINIT_PL)
    return (sys.executable, "-I", "-S", PIDINIT)


def own_namespace_argv(program: str, argv: Sequence[str]) -> list[str]:
    """Run ``program`` (with ``argv``, argv[0] as the pod spelled it) as PID 2
    of a new namespace; with no ``argv``, just hold the namespace."""
    unshare = shutil.which("unshare") or "unshare"
    tail = [program, *argv] if argv else []
    return [unshare, *UNSHARE_FLAGS, "--", *init_command(), *tail]


def host_root_argv(root: Path, cwd: Path, binds: Sequence[tuple[str, str]], program: str, argv: Sequence[str]) -> list[str]:
    """Run ``program`` chrooted into ``root``, a copy of this machine's ``/``
    made of bind mounts plus the hostPath volumes ``binds`` (source, mount
    path), in new user and mount namespaces (PID stays the host's: hostPID)."""
    unshare = shutil.which("unshare") or "unshare"
    pairs = [part for bind in binds for part in bind]
    return [
        unshare, "--user", "--map-root-user", "--mount", "--",
        sys.executable, "-I", "-S", HOSTROOT, str(root), str(cwd), *pairs, "--", program, *argv,
    ]


def chrooted(holder: int) -> bool:
    """Whether the ``host_root_argv`` process has made its root yet."""
    try:
        return os.readlink(f"/proc/{holder}/root") != "/"
    except OSError:
        return False


def join_namespace_argv(
    holder: int, program: str, argv: Sequence[str], *, cwd: Path, path: str | None, kind: str = "pid"
) -> list[str]:
    """Run ``program`` in the namespaces of the ``unshare`` process ``holder``.

    nsenter execs with execvp and cannot set argv[0] apart from the program,
    so the name the pod used is kept when the image's directory is the PATH
    that resolves it (``sh``, ``ps``); otherwise the resolved path is run."""
    nsenter = shutil.which("nsenter") or "nsenter"
    name = argv[0].rsplit("/", 1)[-1]
    first = name if path == str(Path(program).parent) and name == Path(program).name else program
    joined = [f"--user=/proc/{holder}/ns/user", f"--mount=/proc/{holder}/ns/mnt"]
    if kind == "root":  # a host_root_argv process: the host's PID namespace, its root
        joined.append(f"--root=/proc/{holder}/root")
    else:
        joined.append(f"--pid=/proc/{holder}/ns/pid_for_children")
    return [nsenter, *joined, "--preserve-credentials", f"--wd={cwd}", "--", first, *argv[1:]]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return _children_by_scan(pid)
    return [int(p) for p in text.split()]


#: how long one scan of /proc answers every waiter (seconds)
_SCAN_TTL = 0.05
#: PIDs after a process's own where its children are looked for first
_NEAR = 64
#: (when, lowest PID asked about, children by parent among the PIDs above it)
_scan: tuple[float, int, dict[int, list[int]]] = (-1.0, 0, {})


def _children_by_scan(pid: int) -> list[int]:
    """Children, where the kernel has no ``children`` file, from their ``stat``'s parent.

    Linux hands out PIDs in increasing order, so a process just forked by
    ``pid`` (an init by its ``unshare``, a command by its init) almost always
    has one of the next few PIDs: those are read first, each checked by its
    parent field. Otherwise ``/proc`` is scanned, reading only processes
    newer than ``pid`` (a fleet run's hundreds of older pods are skipped), and
    that scan is shared by every poll within ``_SCAN_TTL``: a child forked
    since shows up on a later poll, which ``wait_init`` makes.
    """
    near = [child for child in range(pid + 1, pid + 1 + _NEAR) if _parent_of(child) == pid]
    if near:
        return near
    global _scan
    now = time.monotonic()
    stamp, floor, _ = _scan
    if now - stamp > _SCAN_TTL or pid < floor:
        floor = pid if now - stamp > _SCAN_TTL else min(floor, pid)
        _scan = (now, floor, _parents(above=floor))
    return list(_scan[2].get(pid, ()))


def _parent_of(pid: int) -> int | None:
    try:
        fd = os.open(f"/proc/{pid}/stat", os.O_RDONLY)
    except OSError:
        return None
    try:
        stat = os.read(fd, 4096)
        # the command name (field 2) may hold spaces and parentheses
        return int(stat.rsplit(b")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None
    finally:
        os.close(fd)


def _parents(above: int = 0) -> dict[int, list[int]]:
    by_parent: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and int(entry.name) > above:
            parent = _parent_of(int(entry.name))
            if parent is not None:
                by_parent.setdefault(parent, []).append(int(entry.name))
    return by_parent


def init_state(holder: int) -> str:
    """How far the holder's init got: "" (unshare has not forked or exec'd
    yet), "exec" (the init runs; unshare mounted /proc before that exec, so
    joiners see the right one), "forked" (it also has its command as a
    child: both inits install their signal handling before that fork, so a
    TERM now reaches the command) or "ready" (the init also named itself and
    its command has exec'd: ``ps`` by a joiner shows ``/init``/``/pause`` and
    the command, never the fork in between)."""
    for child in _children(holder):
        try:
            comm = Path(f"/proc/{child}/comm").read_text().strip()
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if comm == "pause":
            return "ready"
        if comm == "unshare":
            return ""
        commands = _children(child)
        for command in commands:
            try:
                if comm == "init" and Path(f"/proc/{command}/cmdline").read_bytes() != cmdline:
                    return "ready"
            except OSError:
                continue
        return "forked" if commands else "exec"
    return ""


async def wait_chroot(holder: int, running: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Wait until a ``host_root_argv`` process has chrooted (tens of ms)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if chrooted(holder):
            return True
        if not running():
            return False
        await asyncio.sleep(0.005)
    return False


async def wait_init(holder: int, running: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Wait (polling; a few ms in practice) until the holder's init is
    "ready". The title is best effort, so after 0.2 s "forked" will do (the
    command is signalable), and after 1 s "exec" (a pause that could not
    name itself; a slow start must not be taken for that)."""
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    delay = 0.001
    while loop.time() < t0 + timeout:
        state = init_state(holder)
        waited = loop.time() - t0
        if state == "ready" or (state == "forked" and waited > 0.2) or (state == "exec" and waited > 1.0):
            return True
        if not running():
            return False
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.02)
    return False
