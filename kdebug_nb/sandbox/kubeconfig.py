"""The kubeconfig that points clients (kubectl, the official client, the engine) at a sandbox.

Cluster, user and context are all named ``kdebug-sandbox`` so the file can be
merged into someone's own config without clashing. The file is written only
where the caller says, or to a fresh private temp file; ``~/.kube/config`` is
never read or written.

The file holds the sandbox's credential, so it is created new: ``O_EXCL``
(never an existing file, never through a symlink) and mode 0600 from the
first byte. An existing file at the path is replaced only when a sandbox
wrote it (its first line, owner, a single link and its contexts say so);
anything else, say the user's own ``~/.kube/config`` passed by mistake, is
refused, not truncated.
"""

from __future__ import annotations

import base64
import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

import yaml

CONTEXT = "kdebug-sandbox"


def kubeconfig_dict(
    server: str,
    *,
    token: str | None = None,
    namespace: str = "default",
    name: str = CONTEXT,
    ca_pem: bytes | None = None,
) -> dict[str, Any]:
    """The kubeconfig as a dict, e.g. for ``kubernetes.config.new_client_from_config_dict``.

    ``ca_pem`` is the certificate an https ``server`` must present.
    """
    user: dict[str, Any] = {"token": token} if token else {}
    cluster: dict[str, Any] = {"server": server}
    if ca_pem is not None:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": name, "cluster": cluster}],
        "users": [{"name": name, "user": user}],
        "contexts": [
            {"name": name, "context": {"cluster": name, "user": name, "namespace": namespace}}
        ],
        "current-context": name,
    }


#: the first line of every kubeconfig a sandbox writes; how a later sandbox knows it may replace one
MARKER = "# kdebug-sandbox kubeconfig: a sandbox started with this path replaces it"


class KubeconfigRefused(RuntimeError):
    """The kubeconfig path holds something a sandbox did not write; one-line message."""


def write_kubeconfig(
    server: str,
    path: str | Path | None = None,
    *,
    token: str | None = None,
    namespace: str = "default",
    ca_pem: bytes | None = None,
) -> Path:
    """Write the kubeconfig (new, mode 0600: it may hold a token) and return its path.

    Without ``path`` a new temp file is created; the caller removes it with
    ``remove_kubeconfig`` when done. With ``path``, an existing file is
    replaced only if a sandbox wrote it (``KubeconfigRefused`` otherwise).
    """
    conf = kubeconfig_dict(server, token=token, namespace=namespace, ca_pem=ca_pem)
    text = MARKER + "\n" + yaml.safe_dump(conf, sort_keys=False)
    if path is None:
        fd, name = tempfile.mkstemp(prefix="kdebug-sandbox-", suffix=".kubeconfig")
        _write_all(fd, text)
        return Path(name)
    target = Path(path).expanduser()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        _write_all(_create_new(target), text)
    except FileExistsError:
        _replace_own(target, text)
    return target


def _create_new(target: Path) -> int:
    # O_EXCL refuses any existing entry, a dangling symlink included; O_NOFOLLOW says so twice.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    return os.open(target, flags, 0o600)


def _write_all(fd: int, text: str) -> None:
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def check_kubeconfig_path(path: str | Path) -> None:
    """Raise ``KubeconfigRefused`` now if ``write_kubeconfig`` would refuse ``path``
    (so a sandbox says so before it starts anything); writing checks again."""
    target = Path(path).expanduser()
    if os.path.lexists(target):
        _refuse_unless_ours(target)


def _refuse_unless_ours(target: Path) -> None:
    why = _not_ours(target)
    if why:
        raise KubeconfigRefused(
            f"{target} exists and {why}, so it was not written by a kdebug sandbox; "
            "it is left as it is: choose another kubeconfig path or remove that file"
        )


def _replace_own(target: Path, text: str) -> None:
    """Replace ``target`` if a sandbox wrote it: a new file renamed over it, so
    no one else's file is ever opened for writing (a rename replaces the entry,
    it does not follow it)."""
    _refuse_unless_ours(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        _write_all(fd, text)
        os.replace(name, target)
    except BaseException:
        remove_kubeconfig(name)
        raise


def _not_ours(target: Path) -> str:
    """Why ``target`` is not a kubeconfig a sandbox wrote ("" when it is)."""
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link"
        return f"cannot be read ({exc.strerror})"
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            return "is not a regular file"
        if st.st_uid != os.geteuid():
            return "belongs to another user"
        if st.st_nlink != 1:
            return "has other hard links"
        head = f.read(64 * 1024)
    try:
        lines = head.decode("utf-8").splitlines()
        conf = yaml.safe_load(head) if lines and lines[0] == MARKER else None
    except (UnicodeDecodeError, yaml.YAMLError):
        conf = None
    if not isinstance(conf, dict) or conf.get("current-context") != CONTEXT:
        return "does not start as a sandbox's kubeconfig does"
    return ""


def remove_kubeconfig(path: str | Path) -> None:
    """Delete a kubeconfig written by ``write_kubeconfig``; missing is fine."""
    try:
        Path(path).unlink()
    except FileNotFoundError:
        pass
