"""The sandbox's image catalogue: which images "exist" and what is in them.

No image is ever downloaded. An image here is a record: its canonical
name and tags, a stable digest, the Docker config a runtime needs
(entrypoint, cmd, env, working directory, user) and the set of executable
names the image contains. The runtime maps those names to programs on the
local machine (a local busybox applet, a host binary, or one of the small
Python programs in ``kubelet/apps``), so a distroless image really has no
``sh`` and ``kubectl exec`` into it fails as on a real cluster.

References are matched the way a registry resolves them: ``busybox``,
``library/busybox:latest`` and ``docker.io/library/busybox`` are one image;
``name@sha256:<hex>`` matches the image whose digest is that.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

DEFAULT_DOMAIN = "docker.io"
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# distribution/reference grammar (the same one kubelet and containerd use)
_ALNUM = r"[a-z0-9]+"
_SEP = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEP}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_NAME = rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_REFERENCE = re.compile(rf"({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?")


class ImageError(Exception):
    """Base for pull failures; ``reason`` is the kubelet's waiting reason."""

    reason = "ErrImagePull"


class InvalidImageName(ImageError):
    reason = "InvalidImageName"

    def __init__(self, ref: str, detail: str = "invalid reference format") -> None:
        self.ref = ref
        self.detail = detail
        super().__init__(
            f'Failed to apply default image tag "{ref}": couldn\'t parse image name "{ref}": {detail}'
        )


class ImageNotFound(ImageError):
    reason = "ErrImagePull"

    def __init__(self, ref: str, canonical: str) -> None:
        self.ref = ref
        self.canonical = canonical
        super().__init__(
            f'rpc error: code = NotFound desc = failed to pull and unpack image "{canonical}": '
            f'failed to resolve reference "{canonical}": {canonical}: not found'
        )


@dataclass(frozen=True)
class Reference:
    """A parsed, normalised image reference."""

    name: str  # docker.io/library/busybox
    tag: str | None
    digest: str | None

    def __str__(self) -> str:
        out = self.name
        if self.tag:
            out += f":{self.tag}"
        if self.digest:
            out += f"@{self.digest}"
        return out


def parse_reference(ref: str) -> Reference:
    """Normalise ``ref`` like containerd; raises InvalidImageName."""
    m = _REFERENCE.fullmatch(ref)
    if m is None:
        low = _REFERENCE.fullmatch(ref.lower())
        if low is not None and ref:
            repo = _normalise_name(low.group(1))
            # report the user's spelling, as docker/reference does
            original = ref[: len(low.group(1))]
            shown = repo.removeprefix(DEFAULT_DOMAIN + "/")
            if original.lower() != shown:
                shown = original if "/" in original else f"library/{original}"
            raise InvalidImageName(
                ref, f"invalid reference format: repository name ({shown}) must be lowercase"
            )
        raise InvalidImageName(ref)
    name, tag, digest = m.group(1), m.group(2), m.group(3)
    if len(name) > 255:
        raise InvalidImageName(ref, "invalid reference format: repository name must not be more than 255 characters")
    name = _normalise_name(name)
    if tag is None and digest is None:
        tag = "latest"
    return Reference(name, tag, digest)


def _normalise_name(name: str) -> str:
    i = name.find("/")
    head = name[:i]
    if i == -1 or (not any(c in head for c in ".:") and head != "localhost" and head.lower() == head):
        domain, rest = DEFAULT_DOMAIN, name
    else:
        domain, rest = head, name[i + 1 :]
    if domain == "index.docker.io":
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in rest:
        rest = f"library/{rest}"
    return f"{domain}/{rest}"


def stable_digest(seed: str) -> str:
    return "sha256:" + hashlib.sha256(f"kdebug-sandbox-image:{seed}".encode()).hexdigest()


@dataclass(frozen=True)
class Image:
    """One image (all the tags naming it share this record)."""

    name: str  # canonical repository, docker.io/library/busybox
    tags: tuple[str, ...]
    digest: str
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = (("PATH", DEFAULT_PATH),)
    working_dir: str = ""
    user: str = ""
    #: executable names present in the image ("sh", "ls", ...)
    binaries: frozenset[str] = frozenset()
    #: executables implemented by a program shipped in ``kubelet/apps`` (name -> app module)
    apps: Mapping[str, str] = field(default_factory=dict)
    size: int = 4_000_000

    @property
    def ref(self) -> str:
        return f"{self.name}:{self.tags[0]}" if self.tags else f"{self.name}@{self.digest}"

    @property
    def image_id(self) -> str:
        return f"{self.name}@{self.digest}"

    def has(self, executable: str) -> bool:
        return executable in self.binaries or executable in self.apps

    def argv(self, command: Sequence[str] | None, args: Sequence[str] | None) -> list[str]:
        """Docker rules: ``command`` replaces ENTRYPOINT and drops CMD;
        ``args`` alone replace CMD."""
        if command:
            return [*command, *(args or ())]
        return [*self.entrypoint, *(args if args else self.cmd)]


@cache
def busybox_path() -> str | None:
    """A local busybox binary, if any (Debian's busybox-static gives /bin/busybox).

    ``KDEBUG_SANDBOX_BUSYBOX`` overrides the search: a path, or ``none`` to
    use host binaries only (what a machine without busybox gets).
    """
    override = os.environ.get("KDEBUG_SANDBOX_BUSYBOX")
    if override:
        if override.lower() == "none":
            return None
        return override if os.access(override, os.X_OK) else None
    for path in ("/bin/busybox", "/usr/bin/busybox"):
        if os.access(path, os.X_OK):
            return path
    return shutil.which("busybox")


@cache
def busybox_applets() -> frozenset[str]:
    """What ``busybox --list`` says, or a common set when there is no busybox."""
    path = busybox_path()
    if path:
        try:
            out = subprocess.run([path, "--list"], capture_output=True, text=True, timeout=5).stdout
            names = frozenset(out.split())
            if names:
                return names
        except (OSError, subprocess.SubprocessError):
            pass
    return _COMMON_APPLETS


_COMMON_APPLETS = frozenset(
    """
    [ ash awk base64 basename cat chmod chown cp cut date dd df diff dirname dmesg du echo
    egrep env expr false fgrep find free grep gunzip gzip head hexdump hostname id ip
    ifconfig kill killall less ln ls md5sum mkdir mktemp more mount mv nc netstat nproc
    nslookup od pidof ping printenv printf ps pwd readlink realpath rm rmdir sed seq sh
    sha256sum sleep sort stat strings tac tail tar tee test time timeout top touch tr
    traceroute true tty uname uniq uptime vi watch wc wget which whoami xargs yes zcat
    busybox
    """.split()
)

_DEBIAN_TOOLS = frozenset(
    """
    bash sh dash [ cat chmod chown cp cut date dd df dirname du echo env expr false find
    grep egrep fgrep gzip head hostname id kill ln ls mkdir mktemp mount mv nproc printenv
    printf pwd readlink realpath rm rmdir sed seq sleep sort stat tac tail tar tee test
    timeout touch tr true tty uname uniq wc whoami xargs yes awk mawk basename getent
    sha256sum md5sum base64 od nice nohup sync umount which
    """.split()
)

_NET_TOOLS = frozenset(
    """
    ps top free uptime pgrep pkill watch curl wget dig nslookup host ip ss netstat ping nc
    ncat socat tcpdump traceroute mtr iperf3 nmap jq strace ltrace vim vi less file lsof
    ethtool iptables conntrack openssl tshark grpcurl httpie fortio zsh
    """.split()
)


def _image(
    name: str,
    tags: Iterable[str],
    *,
    entrypoint: Sequence[str] = (),
    cmd: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    binaries: Iterable[str] = (),
    apps: Mapping[str, str] | None = None,
    working_dir: str = "",
    user: str = "",
    size: int = 4_000_000,
    digest: str | None = None,
) -> Image:
    full = _normalise_name(name)
    tags = tuple(tags) or ("latest",)
    return Image(
        name=full,
        tags=tags,
        digest=digest or stable_digest(f"{full}:{tags[0]}"),
        entrypoint=tuple(entrypoint),
        cmd=tuple(cmd),
        env=tuple((env if env is not None else {"PATH": DEFAULT_PATH}).items()),
        working_dir=working_dir,
        user=user,
        binaries=frozenset(binaries),
        apps=dict(apps or {}),
        size=size,
    )


def default_images() -> list[Image]:
    applets = busybox_applets()
    debian = _DEBIAN_TOOLS | {"ps", "top", "free", "uptime", "pgrep", "pkill", "watch"}
    distroless_env = {"PATH": DEFAULT_PATH, "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt"}
    return [
        _image("busybox", ["latest", "1.37", "1.36", "1.36.1", "stable", "musl", "glibc"],
               cmd=["sh"], binaries=applets | {"busybox"}, size=2_160_000),
        _image("alpine", ["latest", "3.21", "3.20", "3.19"], cmd=["/bin/sh"],
               binaries=applets | {"apk"}, size=3_640_000),
        _image("debian", ["latest", "bookworm", "bookworm-slim", "12", "12-slim", "trixie"],
               cmd=["bash"], binaries=debian, size=49_000_000),
        _image("ubuntu", ["latest", "24.04", "22.04", "noble", "jammy"], cmd=["/bin/bash"],
               binaries=debian, size=29_000_000),
        # netshoot's real CMD is zsh; bash keeps it usable on hosts without zsh
        _image("nicolaka/netshoot", ["latest", "v0.13"], cmd=["bash"],
               binaries=debian | _NET_TOOLS, size=200_000_000),
        _image("python", ["latest", "3", "3-slim", "3.13", "3.13-slim", "3.12", "3.12-slim", "slim"],
               cmd=["python3"], binaries=debian | {"python", "python3", "pip", "pip3"},
               env={"PATH": DEFAULT_PATH, "LANG": "C.UTF-8"}, size=45_000_000),
        _image("curlimages/curl", ["latest", "8.11.1"], entrypoint=["curl"], cmd=["--help"],
               binaries=applets | {"curl"}, user="100", size=12_000_000),
        _image("gcr.io/distroless/static", ["latest", "nonroot", "debug"],
               env=distroless_env, user="0", size=2_000_000),
        _image("gcr.io/distroless/static-debian12", ["latest", "nonroot"],
               env=distroless_env, user="65532", size=2_000_000),
        _image("gcr.io/distroless/base-debian12", ["latest", "nonroot"],
               env=distroless_env, user="65532", size=20_000_000),
        _image("example.com/neato", ["1.0", "latest"], entrypoint=["/neato"],
               apps={"neato": "neato"}, env=distroless_env, working_dir="/", user="65532",
               size=8_000_000),
        _image("registry.k8s.io/pause", ["3.10", "3.9", "latest"], entrypoint=["/pause"],
               apps={"pause": "pause"}, env={}, user="65535", size=320_000),
        _image("nginx", ["latest", "1.27", "stable", "alpine"],
               entrypoint=["/docker-entrypoint.sh"], cmd=["nginx", "-g", "daemon off;"],
               binaries=debian, apps={"nginx": "nginx", "docker-entrypoint.sh": "entrypoint"},
               env={"PATH": DEFAULT_PATH, "NGINX_VERSION": "1.27.3"}, size=72_000_000),
    ]


class ImageCatalogue:
    """Images by canonical name; ``resolve`` answers like a registry."""

    def __init__(self, images: Iterable[Image] = ()) -> None:
        self._by_name: dict[str, list[Image]] = {}
        for image in images:
            self.add(image)

    def add(self, image: Image) -> None:
        # later entries shadow earlier tags (a scenario may redefine busybox)
        self._by_name.setdefault(image.name, []).insert(0, image)

    def __iter__(self) -> Iterator[Image]:
        for images in self._by_name.values():
            yield from images

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_name.values())

    @classmethod
    def default(cls) -> ImageCatalogue:
        return cls(default_images())

    @classmethod
    def from_spec(cls, spec: Iterable[Mapping[str, Any]], *, base: ImageCatalogue | None = None) -> ImageCatalogue:
        """Build from scenario YAML entries::

            {ref: "example.com/app:1.0", entrypoint: [...], cmd: [...], env: {K: V} | ["K=V"],
             binaries: ["sh", "ls", "@busybox", "@debian"], apps: {exe: "neato"},
             tags: ["1.1"], digest: "sha256:...", workingDir: "/", user: "65532", size: 123}

        ``@busybox`` expands to every busybox applet, ``@debian`` to a Debian
        userland. Unknown keys are ignored. With ``base`` the entries are added
        on top of a copy of that catalogue.
        """
        cat = cls(list(base) if base is not None else ())
        for entry in spec:
            cat.add(image_from_spec(entry))
        return cat

    def resolve(self, ref: str) -> Image:
        """The image ``ref`` names; raises InvalidImageName or ImageNotFound."""
        parsed = parse_reference(ref)
        for image in self._by_name.get(parsed.name, ()):
            if parsed.digest is not None:
                if image.digest == parsed.digest:
                    return image
            elif parsed.tag in image.tags:
                return image
        raise ImageNotFound(ref, str(parsed))


def image_from_spec(entry: Mapping[str, Any]) -> Image:
    ref = str(entry["ref"])
    parsed = parse_reference(ref)
    tags = [parsed.tag] if parsed.tag else []
    tags += [str(t) for t in entry.get("tags", ()) if str(t) not in tags]
    binaries: set[str] = set()
    for name in entry.get("binaries", ()):
        if name == "@busybox":
            binaries |= busybox_applets() | {"busybox"}
        elif name == "@debian":
            binaries |= _DEBIAN_TOOLS
        elif name == "@netshoot":
            binaries |= _DEBIAN_TOOLS | _NET_TOOLS
        else:
            binaries.add(str(name))
    raw_env = entry.get("env")
    env: dict[str, str] = {"PATH": DEFAULT_PATH}
    if isinstance(raw_env, Mapping):
        env.update({str(k): str(v) for k, v in raw_env.items()})
    elif raw_env:
        for item in raw_env:
            key, _, value = str(item).partition("=")
            env[key] = value
    digest = entry.get("digest") or parsed.digest
    return Image(
        name=parsed.name,
        tags=tuple(tags),
        digest=str(digest) if digest else stable_digest(str(parsed)),
        entrypoint=tuple(str(x) for x in entry.get("entrypoint") or ()),
        cmd=tuple(str(x) for x in entry.get("cmd") or ()),
        env=tuple(env.items()),
        working_dir=str(entry.get("workingDir", entry.get("working_dir", "")) or ""),
        user=str(entry.get("user", "") or ""),
        binaries=frozenset(binaries),
        apps={str(k): str(v) for k, v in (entry.get("apps") or {}).items()},
        size=int(entry.get("size", 4_000_000)),
    )
