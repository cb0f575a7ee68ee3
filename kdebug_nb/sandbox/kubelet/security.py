"""A container's identity from its security context, as the kubelet and runc decide it.

``identity`` merges the pod's and the container's ``securityContext``
(``DetermineEffectiveSecurityContext`` in kubernetes
``pkg/securitycontext/util.go``), refuses a container that would run as
root under ``runAsNonRoot`` with the kubelet's words (``verifyRunAsNonRoot``
in ``pkg/kubelet/kuberuntime/security_context_others.go``), and returns what
``ctrinit.py`` applies: user and group ids, supplementary groups, the
capabilities kept (containerd's default set, ``add``ed and ``drop``ped;
all of them when ``privileged``), no_new_privs for
``allowPrivilegeEscalation: false``, and a read-only root.

Ids are those inside the pod's user namespace (``userns.py`` says what
they are on the host).
"""

from __future__ import annotations

import os
from typing import Any

from .images import Image

Obj = dict[str, Any]

CAPABILITIES = (
    "CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE "
    "NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO "
    "SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME "
    "SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG "
    "WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE"
).split()
#: containerd's default capabilities (``oci.defaultUnixCaps`` in containerd's ``pkg/oci/spec.go``)
DEFAULT_CAPS = frozenset(
    "CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP "
    "NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE".split()
)


class RunAsNonRootError(Exception):
    """CreateContainerConfigError: the container would run as root."""


def effective(pod_spec: Obj, container: Obj) -> Obj:
    """The container's security context with the pod's filled in."""
    pod_sc = pod_spec.get("securityContext") or {}
    merged = {k: pod_sc[k] for k in ("runAsUser", "runAsGroup", "runAsNonRoot") if k in pod_sc}
    merged.update(container.get("securityContext") or {})
    return merged


def image_user(image: Image) -> tuple[int | None, str, int | None]:
    """(uid, user name when not numeric, gid) of the image's ``USER``."""
    user, _, group = image.user.partition(":")
    gid = int(group) if group.isdigit() else None
    if not user:
        return 0, "", gid
    if user.isdigit():
        return int(user), "", gid
    return None, user, gid


def cap_name(name: str) -> str:
    return name.upper().removeprefix("CAP_")


def identity(pod: Obj, container: Obj, image: Image) -> Obj:
    """What ``ctrinit.py`` applies; raises RunAsNonRootError."""
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    sc = effective(spec, container)
    uid, username, image_gid = image_user(image)
    where = f'(pod: "{meta.get("name", "")}_{meta.get("namespace", "default")}({meta.get("uid", "")})", container: {container.get("name", "")})'
    if sc.get("runAsNonRoot"):
        if sc.get("runAsUser") is not None:
            if int(sc["runAsUser"]) == 0:
                raise RunAsNonRootError(f"container's runAsUser breaks non-root policy {where}")
        elif uid == 0:
            raise RunAsNonRootError(f"container has runAsNonRoot and image will run as root {where}")
        elif uid is None:
            raise RunAsNonRootError(
                f"container has runAsNonRoot and image has non-numeric user ({username}), "
                f"cannot verify user is non-root {where}"
            )
    if sc.get("runAsUser") is not None:
        uid = int(sc["runAsUser"])
    gid = int(sc["runAsGroup"]) if sc.get("runAsGroup") is not None else (image_gid if image_gid is not None else 0)
    pod_sc = spec.get("securityContext") or {}
    # containerd lists the primary group among the supplementary ones
    # (``WithAdditionalGIDs`` in containerd's ``pkg/oci/spec_opts.go``)
    groups = sorted({gid} | {int(g) for g in pod_sc.get("supplementalGroups") or ()} | (
        {int(pod_sc["fsGroup"])} if pod_sc.get("fsGroup") is not None else set()))
    privileged = bool(sc.get("privileged"))
    caps = sc.get("capabilities") or {}
    if privileged:
        keep = None
    else:
        dropped = {cap_name(c) for c in caps.get("drop") or ()}
        kept = set() if "ALL" in dropped else set(DEFAULT_CAPS) - dropped
        added = {cap_name(c) for c in caps.get("add") or ()}
        kept |= set(CAPABILITIES) if "ALL" in added else added
        keep = sorted(CAPABILITIES.index(c) for c in kept if c in CAPABILITIES)
    return {
        "uid": uid if uid is not None else 0,
        "gid": gid,
        "groups": groups,
        "caps": keep,
        "nnp": sc.get("allowPrivilegeEscalation") is False and not privileged,
        "readonly": bool(sc.get("readOnlyRootFilesystem")),
        # without privilege one id is mapped: another uid needs a namespace of its own
        "nested": os.geteuid() != 0 and (uid or 0, gid) != (0, 0),
    }
