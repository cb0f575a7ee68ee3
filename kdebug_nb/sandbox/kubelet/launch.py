"""What an isolated container process is started with: the ``ctrinit.py`` spec.

``Isolation`` is the container's part (its pod sandbox, mounts, identity),
computed by the pod worker; ``create_spec`` and ``exec_spec`` turn it into
the JSON ``ctrinit.py`` reads; ``read_status`` collects what ``ctrinit.py``
reports on the status socket (the container's first process, a pty master,
or why it could not start).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .ctrinit import CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER
from .podnet import CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWUTS

Obj = dict[str, Any]
NAMESPACES = (("user", CLONE_NEWUSER), ("net", CLONE_NEWNET), ("uts", CLONE_NEWUTS), ("ipc", CLONE_NEWIPC))


@dataclass
class Isolation:
    """One container's isolation, as the pod worker decides it."""

    #: the pid holding the pod's namespaces (pause); None: the host's (node debugging)
    pod_pid: int | None
    #: (source on this machine, path in the container, read-only)
    binds: list[tuple[str, str, bool]] = field(default_factory=list)
    identity: Obj = field(default_factory=dict)
    host_pid: bool = False
    #: executable name -> script of the image's own programs (``kubelet/apps``)
    apps: dict[str, str] = field(default_factory=dict)
    #: the working directory inside the container
    cwd: str = "/"


def _differs(pid: int, name: str) -> bool:
    try:
        return os.readlink(f"/proc/{pid}/ns/{name}") != os.readlink(f"/proc/self/ns/{name}")
    except OSError:
        return True


def create_spec(
    iso: Isolation, *, lower: Path, layer: Path, argv: list[str], env: dict[str, str], cwd: str,
    tty: bool, join_pid: int | None,
) -> Obj:
    """A new container: the pod's namespaces, a PID namespace of its own
    unless ``join_pid`` (its holder's) or the host's, a root of its own."""
    enter: list[list[Any]] = []
    spec: Obj = {"mode": "create"}
    if iso.pod_pid is not None:
        enter = [[f"/proc/{iso.pod_pid}/ns/{name}", flag] for name, flag in NAMESPACES]
    else:
        # host namespaces (node debugging): a user namespace of its own in
        # which the sandbox's user is root, as today (no id range is given away)
        spec["new_user"] = [f"0 {os.geteuid()} 1\n", f"0 {os.getegid()} 1\n"]
    own_pid = join_pid is None and not iso.host_pid
    if join_pid is not None:
        enter.append([f"/proc/{join_pid}/ns/pid_for_children", CLONE_NEWPID])
    for d in ("upper", "work", "root"):
        (layer / d).mkdir(parents=True, exist_ok=True)
    spec.update(
        enter=enter,
        unshare=CLONE_NEWNS | (CLONE_NEWPID if own_pid else 0),
        init=own_pid,
        root={
            "lower": str(lower), "upper": str(layer / "upper"), "work": str(layer / "work"),
            "dir": str(layer / "root"), "readonly": bool(iso.identity.get("readonly")),
        },
        proc="host" if iso.host_pid else "new",
        binds=[list(b) for b in iso.binds],
        argv=argv, env=env, cwd=cwd, tty=tty, identity=iso.identity,
        apps=iso.apps if argv[0].rsplit("/", 1)[-1] in iso.apps else {},
    )
    return spec


def exec_spec(iso: Isolation, *, target: int, argv: list[str], env: dict[str, str], cwd: str, tty: bool) -> Obj:
    """A process in a running container whose first process is ``target``."""
    enter = [[f"/proc/{target}/ns/{name}", flag] for name, flag in NAMESPACES if _differs(target, name)]
    if _differs(target, "pid"):
        enter.append([f"/proc/{target}/ns/pid", CLONE_NEWPID])
    enter.append([f"/proc/{target}/ns/mnt", CLONE_NEWNS])
    return {
        "mode": "exec", "target": target, "enter": enter, "argv": argv, "env": env, "cwd": cwd, "tty": tty,
        "identity": iso.identity,
        "apps": iso.apps if argv[0].rsplit("/", 1)[-1] in iso.apps else {},
    }


@dataclass
class Status:
    init_pid: int | None = None
    pty_fd: int | None = None
    error: str = ""
    missing: str = ""


def read_status(sock: socket.socket, timeout: float = 20.0) -> Status:
    """Read until end-of-file (the command exec'd) or an error (blocking)."""
    sock.settimeout(timeout)
    status = Status()
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(sock, 4096, 4)
        except TimeoutError:
            status.error = status.error or "the container did not start in time"
            return status
        except OSError as e:
            status.error = status.error or str(e)
            return status
        if not data and not fds:
            return status
        line = data.decode(errors="replace").strip()
        if line.startswith("init "):
            status.init_pid = int(line.split()[1])
        elif line == "pty" and fds:
            status.pty_fd = fds.pop(0)
        elif line.startswith("err notfound "):
            status.missing = line.removeprefix("err notfound ")
        elif line.startswith("err "):
            status.error = line.split(" ", 2)[-1]
        for fd in fds:
            os.close(fd)
