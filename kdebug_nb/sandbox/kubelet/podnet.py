"""Pod sandboxes: a pod's user, network, UTS and IPC namespaces, wired to one sandbox network.

What a CRI runtime's ``RunPodSandbox`` and a bridge CNI plugin do, without
root. The runtime starts one *network holder* (``podinit.py`` in a user
namespace of its own with a network namespace holding a bridge,
``sandbox0``, at ``GATEWAY``). Each pod gets a pause process made inside
that user namespace, so the holder's user owns the pod's namespaces too: a
user namespace of the pod, a network namespace with loopback up and, when
``ip`` (iproute2) is installed, an ``eth0`` at the pod's IP whose veth peer
is on the bridge (so pods reach each other by IP), the pod's hostname in a
UTS namespace, and an IPC namespace. Containers of the pod enter these
(``ctrinit.py``); with ``shareProcessNamespace`` the pause also holds the
pod's PID namespace.

Ids: without privilege a user namespace can map only the sandbox's own uid,
so root in a container is the sandbox's user. When the sandbox runs as
root, the network holder maps container ids 0-65535 to the host's
``HOST_BASE``+ range (as user-namespaced pods do), so root in a container
is an unprivileged uid on the machine.

Files: the kubelet's ``/etc/hosts`` (``managedHostsFileContent`` in
kubernetes ``pkg/kubelet/kubelet_pods.go``), ``/etc/resolv.conf`` for
``dnsPolicy: ClusterFirst`` and ``/etc/hostname`` are written per pod and
bind-mounted into each container.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from .ctrinit import CLONE_NEWPID, CLONE_NEWUSER

log = logging.getLogger(__name__)

CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWNET = 0x04000000, 0x08000000, 0x40000000
HOST_BASE = 100000
ID_RANGE = 65536
GATEWAY = "10.244.255.254"
PREFIX = 16
CLUSTER_DNS = "10.96.0.10"
CLUSTER_DOMAIN = "cluster.local"


def container_root_uid() -> int:
    """The host uid that is root in containers (owner of their files)."""
    return HOST_BASE if os.geteuid() == 0 else os.geteuid()


def node_maps() -> list[str]:
    if os.geteuid() == 0:
        return [f"0 {HOST_BASE} {ID_RANGE}\n", f"0 {HOST_BASE} {ID_RANGE}\n"]
    return [f"0 {os.geteuid()} 1\n", f"0 {os.getegid()} 1\n"]


def pod_maps() -> list[str]:
    count = ID_RANGE if os.geteuid() == 0 else 1
    return [f"0 0 {count}\n", f"0 0 {count}\n"]


@dataclass
class PodSandbox:
    """A running pod sandbox: ``pid`` holds its namespaces."""

    pid: int
    ip: str
    #: ``eth0`` is on the sandbox network (False: loopback only)
    wired: bool


#: starts ``podinit.py`` with a spec (the runtime's ``launch_holder``); output goes to the callback
Launcher = Callable[[dict[str, object], Callable[[int, bytes], None]], Awaitable[object]]


class SandboxNetwork:
    """The network holder and its bridge; makes pod sandboxes."""

    def __init__(self, launch: Launcher) -> None:
        self._launch = launch
        self.pid: int | None = None
        self.process: object | None = None
        self.bridged = False
        self.reason = ""
        self._started: asyncio.Future[None] | None = None

    async def start(self) -> None:
        if self._started is None:
            self._started = asyncio.ensure_future(self._start())
            # shielded: a pod start cancelled by a stopping sandbox leaves the
            # failure with no awaiter; it is the pod's to report, not asyncio's
            self._started.add_done_callback(_retrieve)
        await asyncio.shield(self._started)

    async def _start(self) -> None:
        spec = {"map": node_maps(), "unshare": CLONE_NEWNET}
        self.process, self.pid = await self._run_holder(spec)
        ip = shutil.which("ip")
        if ip is None:
            self.reason = "ip (iproute2) not installed: pods have loopback only"
            return
        ok, detail = await ip_batch(self.pid, [
            "link add sandbox0 type bridge",
            f"addr add {GATEWAY}/{PREFIX} dev sandbox0",
            "link set sandbox0 up",
        ])
        self.bridged = ok
        self.reason = "bridge sandbox0 up" if ok else f"no bridge: {detail}"
        if not ok:
            log.info("sandbox network: %s", self.reason)

    async def _run_holder(self, spec: dict[str, object]) -> tuple[object, int]:
        ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        text = bytearray()

        def on_output(stream: int, data: bytes) -> None:
            text.extend(data)
            if not ready.done() and b"\n" in text:
                line = text.split(b"\n", 1)[0].decode(errors="replace")
                if line.startswith("ready "):
                    ready.set_result(int(line.split()[1]))
                else:
                    ready.set_exception(OSError(f"pod sandbox: {line}"))

        process = await self._launch(spec, on_output)
        waiter = asyncio.ensure_future(process.wait())  # type: ignore[attr-defined]
        try:
            done, _ = await asyncio.wait([ready, waiter], timeout=10, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not waiter.done():
                waiter.cancel()
        if not ready.done():
            ready.cancel()
            raise OSError(f"pod sandbox did not start: {text.decode(errors='replace').strip()[-300:]}")
        return process, ready.result()

    async def pod(self, hostname: str, ip: str, *, share_pid: bool) -> tuple[object, PodSandbox]:
        """Start a pod's pause; returns (its process, the sandbox)."""
        await self.start()
        assert self.pid is not None
        flags = CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | (CLONE_NEWPID if share_pid else 0)
        spec = {
            "enter": [[f"/proc/{self.pid}/ns/user", CLONE_NEWUSER]],
            "map": pod_maps(),
            "unshare": flags,
            "hostname": hostname[:64],
        }
        process, pid = await self._run_holder(spec)
        wired = False
        if self.bridged:
            veth = f"veth{pid:x}"[:15]
            ok, detail = await ip_batch(self.pid, [
                f"link add {veth} type veth peer name eth0 netns {pid}",
                f"link set {veth} master sandbox0",
                f"link set {veth} up",
            ])
            if ok:
                ok, detail = await ip_batch(pid, [
                    f"addr add {ip}/{PREFIX} dev eth0",
                    "link set eth0 up",
                    f"route add default via {GATEWAY}",
                ])
            wired = ok
            if not ok:
                log.info("sandbox network: pod %s not wired: %s", hostname, detail)
        return process, PodSandbox(pid, ip, wired)


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.debug("sandbox network: %s", future.exception())


async def ip_batch(pid: int, commands: list[str]) -> tuple[bool, str]:
    """Run ``ip -batch`` in the user and network namespaces of ``pid``."""
    nsenter, ip = shutil.which("nsenter"), shutil.which("ip")
    if nsenter is None or ip is None:
        return False, "nsenter or ip missing"
    proc = await asyncio.create_subprocess_exec(
        nsenter, f"--user=/proc/{pid}/ns/user", f"--net=/proc/{pid}/ns/net", *_credentials(),
        "--", ip, "-batch", "-",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    try:
        out, _ = await asyncio.wait_for(
            proc.communicate("\n".join(commands).encode() + b"\n"), IP_BATCH_TIMEOUT
        )
    except BaseException:
        # a sandbox stopping mid-wiring cancels this: the child must not outlive it
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        raise
    return proc.returncode == 0, out.decode(errors="replace").strip()


#: seconds one ``ip -batch`` may take (it configures a few links; more means stuck)
IP_BATCH_TIMEOUT = 30.0


def _credentials() -> list[str]:
    """nsenter's ids in the sandbox network: as root, become its root (uid
    0 is not mapped there, and ``ip`` would lose its capabilities at exec);
    without privilege keep ours (it is that root, and nsenter's setgroups
    would be refused)."""
    return [] if os.geteuid() == 0 else ["--preserve-credentials"]


def write_pod_files(directory: Path, *, name: str, namespace: str, ip: str, hostname: str, subdomain: str,
                    host_network: bool, owner: int) -> dict[str, str]:
    """The kubelet's per-pod ``/etc`` files; returns mount path -> file."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    if host_network:
        hosts = Path("/etc/hosts").read_text() if Path("/etc/hosts").is_file() else ""
        resolv = Path("/etc/resolv.conf").read_text() if Path("/etc/resolv.conf").is_file() else ""
        node_name = socket.gethostname()
    else:
        fqdn = f"{hostname}.{subdomain}.{namespace}.svc.{CLUSTER_DOMAIN}" if subdomain else ""
        line = f"{ip}\t{fqdn}\t{hostname}" if fqdn else f"{ip}\t{hostname}"
        hosts = (
            "# Kubernetes-managed hosts file.\n"
            "127.0.0.1\tlocalhost\n"
            "::1\tlocalhost ip6-localhost ip6-loopback\n"
            "fe00::0\tip6-localnet\n"
            "fe00::0\tip6-mcastprefix\n"
            "fe00::1\tip6-allnodes\n"
            "fe00::2\tip6-allrouters\n"
            f"{line}\n"
        )
        resolv = (
            f"search {namespace}.svc.{CLUSTER_DOMAIN} svc.{CLUSTER_DOMAIN} {CLUSTER_DOMAIN}\n"
            f"nameserver {CLUSTER_DNS}\n"
            "options ndots:5\n"
        )
        node_name = hostname
    for mount_path, text in (("/etc/hosts", hosts), ("/etc/resolv.conf", resolv), ("/etc/hostname", node_name + "\n")):
        path = directory / mount_path.rsplit("/", 1)[-1]
        path.write_text(text)
        with contextlib.suppress(OSError):
            if owner != os.geteuid():
                os.chown(path, owner, owner)
        files[mount_path] = str(path)
    return files
