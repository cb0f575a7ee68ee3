"""Whether containers are isolated here: the probe for unprivileged Linux namespaces.

The sandbox isolates containers with user, mount, PID, network, UTS and IPC
namespaces that an unprivileged user may make (user_namespaces(7)): see
``ctrinit.py`` (a container), ``podinit.py`` and ``podnet.py`` (a pod's
namespaces and network) and ``rootfs.py`` (image roots). Some hosts forbid
unprivileged user namespaces (a sysctl, a seccomp profile, not Linux); then
every container is a plain process of this machine (``runtime.py``).

Support is probed once per interpreter (an ``unshare`` of ``true``). The
``KDEBUG_SANDBOX_PIDNS`` environment variable overrides the probe: ``0``
turns namespaces off (the fallback), ``1`` uses them without probing.
``pid_namespaces()`` says which mode is in force and
``pid_namespace_reason()`` why.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys

ENV = "KDEBUG_SANDBOX_PIDNS"
UNSHARE_FLAGS = (
    "--user", "--map-root-user", "--pid", "--mount", "--mount-proc", "--net", "--uts", "--ipc", "--fork", "--kill-child",
)


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
    """Whether containers are isolated with namespaces (probed once per interpreter)."""
    return _probe()[0]


def pid_namespace_reason() -> str:
    """Why ``pid_namespaces()`` says what it says (for skip messages and logs)."""
    return _probe()[1]
