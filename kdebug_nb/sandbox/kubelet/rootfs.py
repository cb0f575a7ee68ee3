"""Image root filesystems, assembled from this machine and cached (nothing is downloaded).

An image of the catalogue (``images.py``) becomes a directory tree that a
container overlays as its ``/`` (``ctrinit.py``):

* busybox-based images (``busybox``, ``alpine``, ...): Debian's static
  ``/bin/busybox`` and a link per applet where ``busybox --list-full``
  puts it (``/bin/ls``, ``/usr/bin/wget``, ``/sbin/ip``);
* images the catalogue backs with this machine's userland (``debian``,
  ``nicolaka/netshoot``, ...): only the executables the image lists, copied
  with the shared libraries ``ldd`` names, in a merged-``/usr`` layout
  (listed names this machine lacks are simply absent, as in an image without
  them);
* distroless images: their application and nothing else.

Every root gets ``/etc/os-release`` and ``/etc/passwd`` naming the image,
``/tmp``, and mount points for ``/proc``, ``/dev``, ``/sys`` and the files
the kubelet mounts (``/etc/hosts``, ``/etc/hostname``, ``/etc/resolv.conf``).
The sandbox's own programs (``kubelet/apps``: neato, nginx, pause) appear as
small marker files at their paths; ``ctrinit.py`` runs the program itself.

Roots are cached under ``$XDG_CACHE_HOME/kdebug_nb/images``
(``/var/cache/kdebug_nb/images`` for root; ``KDEBUG_SANDBOX_IMAGE_CACHE``
overrides), keyed by the image, the owner and the host
files they came from, so a changed host binary makes a new root. Each is
built in a temporary directory and renamed into place, so concurrent
sandboxes never see half a root. When the sandbox runs as root, a root is
owned by the host uid that is root in the containers (``userns.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from .images import DEFAULT_PATH, Image, busybox_path

FORMAT = 4
CACHE_ENV = "KDEBUG_SANDBOX_IMAGE_CACHE"
APP_MARKER = "#!/kdebug-sandbox/app\n# {name}: the sandbox runs kdebug_nb/sandbox/kubelet/apps/{app}.py here\n"
#: binaries that need more than ldd tells: their own library trees
EXTRA_TREES = {"python3": "/usr/lib/python3*", "python": "/usr/lib/python3*", "perl": "/usr/share/perl*"}


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    if os.geteuid() == 0:
        # root's home is closed to the unprivileged uid that is root in containers
        return Path("/var/cache/kdebug_nb/images")
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kdebug_nb" / "images"


def kind(image: Image) -> str:
    """"busybox", "host" or "distroless": how the image's root is assembled."""
    if not image.binaries:
        return "distroless"
    if "busybox" in image.binaries or image.binaries <= busybox_list().keys() | {"apk", "curl"}:
        return "busybox" if busybox_path() else "host"
    return "host"


@cache
def busybox_list() -> dict[str, str]:
    """applet -> where the image puts it (``busybox --list-full``)."""
    path = busybox_path()
    if not path:
        return {}
    try:
        out = subprocess.run([path, "--list-full"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    return {line.rsplit("/", 1)[-1]: "/" + line for line in out.split() if line}


def _host_which(name: str) -> str | None:
    return shutil.which(name, path=DEFAULT_PATH)


@cache
def _libraries(path: str) -> tuple[str, ...]:
    try:
        out = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    found = []
    for line in out.splitlines():
        m = re.search(r"(/\S+) \(0x", line)
        if m:
            found.append(m.group(1))
    return tuple(found)


def _sources(image: Image) -> list[str]:
    """The host files a root is built from (for the cache key)."""
    found = []
    if kind(image) == "busybox":
        found.append(str(busybox_path()))
    applets = busybox_list() if kind(image) == "busybox" else {}
    for name in sorted(image.binaries):
        if name in applets or name == "busybox":
            continue
        host = _host_which(name)
        if host:
            found.append(host)
    return found


def cache_key(image: Image, owner: int) -> str:
    parts = [str(FORMAT), image.name, image.digest, kind(image), str(owner), json.dumps(sorted(image.apps.items()))]
    for source in _sources(image):
        with contextlib.suppress(OSError):
            st = os.stat(source)
            parts.append(f"{source}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def image_root(image: Image, owner: int = -1) -> Path:
    """The image's root directory (built on first use); ``owner``: the host
    uid/gid to own it (-1: whoever runs the sandbox)."""
    if owner < 0:
        owner = os.geteuid()
    target = cache_dir() / f"{image.name.replace('/', '_')}-{cache_key(image, owner)}"
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # the path must be searchable by a container's root when that is not us
    with contextlib.suppress(OSError):
        for p in (target.parent, target.parent.parent):
            if p.stat().st_uid == os.geteuid():
                p.chmod(p.stat().st_mode | 0o711)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        _build(image, work)
        if owner != os.geteuid():
            _chown_tree(work, owner)
        work.chmod(0o755)
        try:
            work.rename(target)
        except OSError:
            if not target.is_dir():  # not a lost race: a real failure
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _chown_tree(root: Path, owner: int) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            os.lchown(os.path.join(dirpath, name), owner, owner)
    os.lchown(root, owner, owner)


def _build(image: Image, root: Path) -> None:
    how = kind(image)
    for d, mode in (("etc", 0o755), ("tmp", 0o1777), ("proc", 0o555), ("dev", 0o755), ("sys", 0o555)):
        (root / d).mkdir(mode=mode)
        (root / d).chmod(mode)
    if how != "distroless":
        for d in ("root", "home", "var", "var/tmp", "run", "usr", "usr/bin", "usr/sbin", "usr/local/bin"):
            (root / d).mkdir(parents=True, exist_ok=True)
        (root / "root").chmod(0o700)
        (root / "var/tmp").chmod(0o1777)
    if how == "host":
        # merged /usr, as Debian lays it out
        for top in ("bin", "sbin", "lib", "lib32", "lib64"):
            top_dir = Path("/" + top)
            if top_dir.is_symlink():
                (root / "usr" / top).mkdir(parents=True, exist_ok=True)
                (root / top).symlink_to(os.readlink(top_dir))
            elif top in ("bin", "sbin"):
                (root / top).mkdir(exist_ok=True)
    elif how == "busybox":
        for top in ("bin", "sbin"):
            (root / top).mkdir(exist_ok=True)
    applets = busybox_list() if how == "busybox" else {}
    if how == "busybox":
        _copy(str(busybox_path()), root, at="/bin/busybox")
        for name in image.binaries:
            where = applets.get(name)
            if where and where not in ("/bin/busybox", "/linuxrc"):
                _link(root, where, "/bin/busybox")
    for name in sorted(image.binaries):
        if name in applets or name == "busybox" or "/" in name:
            continue
        host = _host_which(name)
        if host is None:
            continue
        _copy_program(host, root)
        pattern = EXTRA_TREES.get(name)
        if pattern:
            for tree in sorted(Path("/").glob(pattern.lstrip("/"))):
                if tree.is_dir() and not (root / str(tree).lstrip("/")).exists():
                    shutil.copytree(tree, root / str(tree).lstrip("/"), symlinks=True, ignore_dangling_symlinks=True)
    for name, app in image.apps.items():
        _app_marker(image, root, name, app)
    _etc(image, root, how)


def _inside(root: Path, path: str) -> Path:
    return root / path.lstrip("/")


def _copy(source: str, root: Path, *, at: str | None = None) -> None:
    dest = _inside(root, at or source)
    if os.path.lexists(dest):
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, dest)


def _link(root: Path, where: str, target: str) -> None:
    dest = _inside(root, where)
    if os.path.lexists(dest):
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.symlink_to(target)


def _copy_program(host: str, root: Path) -> None:
    """A host executable at the path it has here, its real file and the
    libraries it loads."""
    real = os.path.realpath(host)
    _copy(real, root)
    if real != host:
        _link(root, host, real)
    for lib in _libraries(real):
        lib_real = os.path.realpath(lib)
        _copy(lib_real, root)
        if lib_real != lib:
            _link(root, lib, lib_real)


def _app_marker(image: Image, root: Path, name: str, app: str) -> None:
    where = next((p for p in (*image.entrypoint, *image.cmd) if p.startswith("/") and p.rsplit("/", 1)[-1] == name), None)
    dest = _inside(root, where or f"/usr/sbin/{name}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(APP_MARKER.format(name=name, app=app))
    dest.chmod(0o755)


def _user_of(image: Image) -> tuple[str, int]:
    user = image.user.split(":", 1)[0]
    if user.isdigit() and int(user) not in (0,):
        names = {65532: "nonroot", 65534: "nobody", 65535: "pause", 100: "curl_user"}
        return names.get(int(user), f"user{user}"), int(user)
    return "root", 0


def _etc(image: Image, root: Path, how: str) -> None:
    etc = root / "etc"
    shell = "/bin/sh" if how != "distroless" else "/sbin/nologin"
    users = [("root", 0, "/root", shell), ("nobody", 65534, "/nonexistent", "/sbin/nologin")]
    name, uid = _user_of(image)
    if uid not in (0, 65534):
        users.append((name, uid, f"/home/{name}", shell))
    (etc / "passwd").write_text("".join(f"{n}:x:{u}:{u}:{n}:{h}:{s}\n" for n, u, h, s in users))
    (etc / "group").write_text("".join(f"{n}:x:{u}:\n" for n, u, _, _ in users))
    tag = image.tags[0] if image.tags else "latest"
    short = image.name.removeprefix("docker.io/").removeprefix("library/")
    (etc / "os-release").write_text(
        f'NAME="{short}"\n'
        f'ID="{short.rsplit("/", 1)[-1]}"\n'
        f'VERSION_ID="{tag}"\n'
        f'PRETTY_NAME="{short}:{tag} (kdebug sandbox image: {_describe(how)})"\n'
        f'IMAGE="{image.ref}@{image.digest}"\n'
    )
    (etc / "nsswitch.conf").write_text("passwd: files\ngroup: files\nhosts: files dns\n")
    for mount_point in ("hosts", "hostname", "resolv.conf"):
        (etc / mount_point).touch()


def _describe(how: str) -> str:
    return {
        "busybox": "busybox applets",
        "host": "listed executables from this machine",
        "distroless": "its application only",
    }[how]
