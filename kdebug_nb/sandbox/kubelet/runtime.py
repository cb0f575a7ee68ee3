"""The simulated container runtime: containers are local processes.

Every container (and every ``kubectl exec``) is a process on this machine,
running the command the pod asks for, with the container's environment, in
its own session and process group, its stdout/stderr captured (or a pty with
``tty``: ``terminal.py``).

Isolated (where unprivileged namespaces work, ``namespaces.py``): a
container is started by ``ctrinit.py`` in its pod's namespaces
(``podnet.py``), with its image's root (``rootfs.py``) and the identity its
security context gives it (``security.py``); ``launch.py`` writes what
``ctrinit.py`` is told. ``exec`` enters the container's namespaces and root.
``ctrinit.py`` runs in a fork of ``forkserver.py`` (an interpreter already
started, ``forkclient.py``), or as an interpreter of its own if the fork
server cannot run.

The fallback (no namespaces): a plain process. An image's executables are a
directory of links (its ``PATH``) to a local busybox applet, a host binary,
or a small Python program from ``kubelet/apps``, so a command the image does
not contain fails as runc fails; ``HOME`` and the working directory are in
a scratch directory per pod (``workingDir: /app`` becomes
``<scratch>/app``); ``ls /`` shows this machine's root. A sandbox running as
root runs these processes as nobody (through ``ctrinit.py``), so they
cannot read other users' processes. A local busybox is preferred
(``/bin/busybox`` from Debian's busybox-static, or
``KDEBUG_SANDBOX_BUSYBOX=/path``; ``=none`` to use host binaries only).
Probes are not run: a running container counts as ready.

No process may outlive the sandbox: every process group started here is
recorded and killed on ``Runtime.close``, at interpreter exit (atexit), and
by a small watchdog process that kills what is left if this interpreter
dies any other way (SIGTERM, SIGKILL, a crashed kernel). Killing a
container's holder kills everything in its namespaces.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path

from . import forkclient, launch, namespaces, podnet, rootfs
from .images import Image, busybox_applets, busybox_path
from .launch import Isolation
from .terminal import Pty

APPS_DIR = Path(__file__).parent / "apps"
CTRINIT = str(Path(__file__).with_name("ctrinit.py"))
PODINIT = str(Path(__file__).with_name("podinit.py"))
#: who containers run as in the fallback when the sandbox is root (nobody)
PLAIN_IDS = (65534, 65534)


def describe_mode() -> str:
    """Whether containers are isolated here, and why not when they are not."""
    if namespaces.pid_namespaces():
        return ("isolated: each container has its image's root, the pod's hostname and network, "
                "its own processes and users (Linux namespaces)")
    who = "as nobody" if os.geteuid() == 0 else "as this user"
    return (f"NOT isolated ({namespaces.pid_namespace_reason()}): containers are plain processes "
            f"{who}, seeing this machine's files, network and processes")
#: the title setter, inlined into image programs' wrappers (ps shows "neato", not python)
_PROCTITLE = (Path(__file__).parent / "proctitle.py").read_text()
READ_CHUNK = 64 * 1024

log = logging.getLogger(__name__)

#: receives (stream, data); may return an awaitable to apply back-pressure
OutputSink = Callable[[int, bytes], Awaitable[None] | None]

#: process groups alive anywhere in this interpreter (the atexit safety net)
_LIVE_GROUPS: set[int] = set()


def _kill_all_groups() -> None:
    for pgid in list(_LIVE_GROUPS):
        with contextlib.suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)
    _LIVE_GROUPS.clear()


atexit.register(_kill_all_groups)


def remove_tree(path: Path) -> None:
    """Remove a tree holding container layers: overlayfs leaves each layer's
    ``work/work`` mode 000, which an unprivileged owner must open to remove.
    Only directories strictly inside ``path`` are ever opened up."""
    top = str(path).rstrip("/") + "/"

    def on_error(func: object, name: str, exc: object) -> None:
        error = exc[1] if isinstance(exc, tuple) else exc
        if not isinstance(error, PermissionError) or not name.startswith(top) or not os.path.isdir(name):
            return
        with contextlib.suppress(OSError):
            os.chmod(name, 0o700)
            shutil.rmtree(name, ignore_errors=True)

    shutil.rmtree(path, onerror=on_error)


class ConfigError(Exception):
    """The container's configuration cannot be built (CreateContainerConfigError)."""


# A watchdog process per runtime: it learns every process group we start and,
# when its stdin reaches EOF (we closed it, or this interpreter died in any way,
# SIGKILL included), kills whatever is left and removes the scratch tree.
_REAPER = """
import os, shutil, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
groups = set()
for line in sys.stdin:
    line = line.strip()
    if line.startswith("-"):
        groups.discard(int(line[1:]))
    elif line:
        groups.add(int(line))
for group in groups:
    try:
        os.killpg(group, signal.SIGKILL)
    except OSError:
        pass
shutil.rmtree(sys.argv[1], ignore_errors=True)
"""


class ExecNotFound(Exception):
    """The executable is not in the image (runc's ``exec: "x": executable file not found``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f'exec: "{name}": executable file not found in $PATH')


def start_error_message(name: str) -> str:
    return (
        "failed to create containerd task: failed to create shim task: OCI runtime create failed: "
        f'runc create failed: unable to start container process: exec: "{name}": '
        "executable file not found in $PATH: unknown"
    )


def go_quote(text: str) -> str:
    """Go's ``strconv.Quote`` for the names in runc's messages (NUL shows as ``\\x00``)."""
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def nul_error(argv: Sequence[str], env: Mapping[str, str], cwd: str = "") -> str | None:
    """runc's error when a string it hands to execve holds a NUL byte, or None.

    Go refuses such strings with EINVAL: in ``exec.LookPath`` for the
    program (``exec: "x\\x00": invalid argument``), else in the ``execve``
    of runc's container init (libcontainer/system ``Exec``:
    ``exec /bin/x: invalid argument``), or in its ``chdir`` for a working
    directory.
    """
    if argv and "\0" in argv[0]:
        return f"exec: {go_quote(argv[0])}: invalid argument"
    if "\0" in cwd:
        return f"error during container init: chdir to cwd ({go_quote(cwd)}) set in config.json failed: invalid argument"
    if any("\0" in a for a in argv[1:]) or any("\0" in k or "\0" in v for k, v in env.items()):
        return f"error during container init: exec {argv[0]}: invalid argument"
    return None


def create_error_message(detail: str) -> str:
    return (
        "failed to create containerd task: failed to create shim task: OCI runtime create failed: "
        f"runc create failed: unable to start container process: {detail}: unknown"
    )


def exec_error_message(name: str) -> str:
    return (
        "OCI runtime exec failed: exec failed: unable to start container process: "
        f'exec: "{name}": executable file not found in $PATH: unknown'
    )


class Process:
    """One running process group whose output goes to ``on_output``."""

    def __init__(
        self,
        proc: asyncio.subprocess.Process | forkclient.ForkedProcess,
        on_output: OutputSink,
        argv: Sequence[str],
        *,
        holder: int | None = None,
        pty: Pty | None = None,
    ) -> None:
        self.proc = proc
        self.pid = proc.pid
        self.argv = list(argv)
        #: the process holding this container's namespaces (``ctrinit.py``'s
        #: holder, a pod's pause); None for a plain process
        self.holder = holder
        self._on_output = on_output
        #: the container's first process (its root and mount namespace), isolated mode
        self.root_pid: int | None = None
        #: the container's layer directory, removed with it
        self.layer: Path | None = None
        #: the terminal, with ``tty``
        self.pty: Pty | None = pty
        self._readers = [
            asyncio.ensure_future(self._pump(stream, n))
            for n, stream in ((1, proc.stdout), (2, proc.stderr))
            if stream is not None
        ]
        if pty is not None:
            self._readers.append(asyncio.ensure_future(self._pump_pty(pty)))
        self.exit_code: int | None = None
        self.signalled: int | None = None
        #: set once the process has exited and its output is all read
        self.finished = asyncio.Event()

    async def _pump(self, stream: asyncio.StreamReader, n: int) -> None:
        while True:
            data = await stream.read(READ_CHUNK)
            if not data:
                return
            pending = self._on_output(n, data)
            if pending is not None:
                await pending  # the consumer is full: stop reading, the writer blocks

    async def _pump_pty(self, pty: Pty) -> None:
        while True:
            data = await pty.read()
            if not data:
                return
            pending = self._on_output(1, data)
            if pending is not None:
                await pending

    def resize(self, width: int, height: int) -> None:
        if self.pty is not None:
            self.pty.resize(width, height)

    async def wait(self) -> int:
        """Wait for exit and for all output; returns a shell-style exit code."""
        code = await self.proc.wait()
        # The main process is gone: like a container's init exiting, that ends
        # every process it left behind (they would otherwise hold our pipes).
        self._kill_group(signal.SIGKILL)
        _LIVE_GROUPS.discard(self.pid)
        if self._readers:
            _, pending = await asyncio.wait(self._readers, timeout=2)
            for task in pending:
                task.cancel()
        if self.pty is not None:
            self.pty.close()
        if code < 0:
            self.signalled = -code
            code = 128 - code
        self.exit_code = code
        self.finished.set()
        return code

    def _kill_group(self, sig: int) -> None:
        with contextlib.suppress(OSError):
            os.killpg(self.pid, sig)

    def signal(self, sig: int) -> None:
        if self.exit_code is None:
            self._kill_group(sig)

    def write_stdin(self, data: bytes) -> None:
        if self.pty is not None:
            self.pty.write(data)
            return
        stdin = self.proc.stdin
        if stdin is not None and not stdin.is_closing():
            with contextlib.suppress(OSError, RuntimeError):
                stdin.write(data)

    async def drain_stdin(self) -> None:
        stdin = self.proc.stdin
        if stdin is not None and not stdin.is_closing():
            with contextlib.suppress(OSError, RuntimeError, ConnectionError):
                await stdin.drain()

    def close_stdin(self) -> None:
        if self.pty is not None:
            self.pty.write(b"\x04")  # end-of-file, as a terminal says it
            return
        stdin = self.proc.stdin
        if stdin is not None and not stdin.is_closing():
            with contextlib.suppress(OSError, RuntimeError):
                stdin.close()

    @property
    def running(self) -> bool:
        return self.exit_code is None and self.proc.returncode is None



def _scratch_base() -> str | None:
    """Where a runtime keeps its layers and pod files. As root, containers
    run as other uids that must reach them, so not under /tmp (whose mode
    is not ours to rely on): a directory of our own that others may cross."""
    if os.geteuid() != 0:
        return None  # the temp directory; containers are this user
    base = Path("/var/lib/kdebug_nb/sandboxes")
    base.mkdir(parents=True, exist_ok=True)
    for path in (base, base.parent):
        path.chmod(0o711)
    return str(base)


class Runtime:
    """Builds images' executable directories and starts processes."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="kdebug-sandbox-", dir=_scratch_base()))
        self._bindirs: dict[str, Path] = {}
        #: image -> its root, looked up in the cache once per runtime
        self._image_roots: dict[str, Path] = {}
        self.processes: set[Process] = set()
        self._reaper: asyncio.subprocess.Process | None = None
        self._reaper_start: asyncio.Future[asyncio.subprocess.Process] | None = None
        # probed here, once, so the first container does not pay for the probe
        self.pid_namespaces = namespaces.pid_namespaces()
        #: containers get image roots, pod networks, identities (else: plain processes)
        self.isolated = self.pid_namespaces
        #: fallback as root: containers run as nobody, so that they cannot read
        #: other users' processes (their environments, their roots)
        self.plain_identity = (
            {"uid": PLAIN_IDS[0], "gid": PLAIN_IDS[1], "groups": [], "caps": [], "nnp": True}
            if not self.isolated and os.geteuid() == 0 else None
        )
        # a container's root (an unprivileged uid when we are root) must reach its layers
        self.root.chmod(0o711)
        self.network = podnet.SandboxNetwork(self.launch_holder)
        #: forks the holders of containers and pods' pauses (``forkserver.py``); an interpreter each is the fallback
        self.forkserver = forkclient.ForkServer(self._start_forkserver)
        log.info(
            "sandbox runtime: PID namespaces %s (%s)",
            "on" if self.pid_namespaces else "off",
            namespaces.pid_namespace_reason(),
        )

    # -- images ------------------------------------------------------------

    def bindir(self, image: Image) -> Path:
        """The directory standing for the image's PATH (made on first use)."""
        key = f"{image.name}@{image.digest}"
        found = self._bindirs.get(key)
        if found is not None:
            return found
        path = self.root / "images" / image.digest.removeprefix("sha256:")[:16] / "bin"
        path.mkdir(parents=True, exist_ok=True)
        bb = busybox_path()
        applets = busybox_applets() if bb else frozenset()
        for name in image.binaries:
            if "/" in name or name in (".", ".."):
                continue
            target = bb if (bb and (name in applets or name == "busybox")) else shutil.which(name)
            if target:
                with contextlib.suppress(FileExistsError):
                    (path / name).symlink_to(target)
        for name, app in image.apps.items():
            script = APPS_DIR / f"{app}.py"
            wrapper = path / name
            wrapper.write_text(
                f"#!{sys.executable} -IS\n"
                f"{_PROCTITLE}\n"
                "import runpy, sys\n"
                f"sys.argv[0] = {name!r}\n"
                "set_title(sys.argv)\n"
                f"runpy.run_path({str(script)!r}, run_name='__main__')\n"
            )
            wrapper.chmod(0o755)
        self._bindirs[key] = path
        return path

    def lookup(self, image: Image, argv0: str) -> str:
        """Resolve a command's first word inside the image; raises ExecNotFound."""
        name = argv0.rsplit("/", 1)[-1]
        if name and name not in (".", ".."):
            candidate = self.bindir(image) / name
            if os.access(candidate, os.X_OK):
                return str(candidate)
        raise ExecNotFound(argv0)

    def pod_dir(self, uid: str) -> Path:
        path = self.root / "pods" / uid
        if not path.is_dir():
            path.mkdir(parents=True, exist_ok=True)
            if self.plain_identity is not None:
                os.chown(path, *PLAIN_IDS)
        return path

    def describe(self) -> str:
        """What containers are, in one line (the serve banner, ``%ksandbox status``)."""
        return describe_mode()

    # -- processes ---------------------------------------------------------

    async def spawn(
        self,
        image: Image,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        stdin: bool,
        tty: bool,
        on_output: OutputSink,
        join: Process | None = None,
        isolation: Isolation | None = None,
        exec_into: bool = False,
    ) -> Process:
        """Start ``argv`` as the image would run it; raises ExecNotFound.

        Isolated (``isolation`` given, namespaces available): in the image's
        root and the pod's namespaces; ``exec_into``: inside the running
        container ``join``; else ``join`` is whose PID namespace to share
        (a targeted ephemeral container, a shared-namespace pod's pause).
        Otherwise a plain process (``cwd`` is then its working directory).
        """
        if isolation is not None and self.isolated:
            return await self._spawn_isolated(
                image, argv, env=env, stdin=stdin, tty=tty, on_output=on_output,
                isolation=isolation, join=join, exec_into=exec_into,
            )
        program = self.lookup(image, argv[0])
        if isolation is not None and (tty or self.plain_identity is not None):
            # fallback: a plain process, on a pty, or (when we are root) as nobody
            if self.plain_identity is not None:
                with contextlib.suppress(OSError):
                    os.chown(cwd, *PLAIN_IDS)
            return await self._spawn_isolated(
                image, argv, env=env, stdin=stdin, tty=tty, on_output=on_output,
                isolation=isolation, join=None, exec_into=False, plain=str(cwd),
            )
        # argv[0] stays as the pod spelled it ("sh", "/bin/sh"): busybox picks
        # its applet from it, and `ps` in the sandbox shows the pod's command line
        proc = await self._launch(
            list(argv),
            executable=program,
            stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.STDOUT if tty else asyncio.subprocess.PIPE,
            env=dict(env),
            cwd=cwd,
        )
        process = Process(proc, on_output, argv)
        self.processes.add(process)
        return process

    async def _spawn_isolated(
        self,
        image: Image,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        stdin: bool,
        tty: bool,
        on_output: OutputSink,
        isolation: Isolation,
        join: Process | None,
        exec_into: bool,
        plain: str | None = None,
    ) -> Process:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        layer = None
        try:
            if plain is not None:
                # fallback mode with a terminal: a plain process on a pty
                spec: dict[str, object] = {
                    "mode": "plain", "argv": list(argv), "env": dict(env), "cwd": plain, "tty": tty,
                    "identity": self.plain_identity or {},
                    "apps": isolation.apps if argv[0].rsplit("/", 1)[-1] in isolation.apps else {},
                }
            elif exec_into:
                if join is None or join.root_pid is None or not join.running:
                    raise OSError("container not running")
                spec = launch.exec_spec(isolation, target=join.root_pid, argv=list(argv), env=dict(env),
                                        cwd=isolation.cwd, tty=tty)
            else:
                join_pid = join.holder if join is not None else None
                owner = podnet.container_root_uid()
                lower = self._image_roots.get(image.image_id)
                if lower is None or not lower.is_dir():
                    lower = await asyncio.to_thread(rootfs.image_root, image, owner)
                    self._image_roots[image.image_id] = lower
                layer = self.root / "layers" / secrets.token_hex(6)
                spec = launch.create_spec(isolation, lower=lower, layer=layer, argv=list(argv), env=dict(env),
                                          cwd=isolation.cwd, tty=tty, join_pid=join_pid)
                if owner != os.geteuid() and isolation.pod_pid is not None:
                    for d in ("upper", "work"):
                        os.chown(layer / d, owner, owner)
            proc = await self._start_holder(
                spec, program="ctrinit", stdin=stdin and not tty, merge_stderr=tty, status=theirs
            )
        except BaseException:
            ours.close()
            if layer is not None:
                shutil.rmtree(layer, ignore_errors=True)
            raise
        finally:
            theirs.close()
        try:
            status = await asyncio.to_thread(launch.read_status, ours)
        finally:
            ours.close()
        pty = Pty(status.pty_fd) if status.pty_fd is not None else None
        process = Process(proc, on_output, argv, holder=proc.pid, pty=pty)
        process.root_pid = status.init_pid
        process.layer = layer
        self.processes.add(process)
        if status.missing or status.error:
            await process.wait()
            self.forget(process)
            if status.missing:
                raise ExecNotFound(status.missing)
            raise OSError(status.error)
        return process

    async def _start_holder(
        self, spec: dict[str, object], *, program: str, stdin: bool, merge_stderr: bool,
        status: socket.socket | None,
    ) -> asyncio.subprocess.Process | forkclient.ForkedProcess:
        """A holder running ``program`` (``ctrinit``, or ``podinit`` for a pause):
        forked by the fork server, or (if that cannot run) started as an
        interpreter of its own, as it always could be."""
        if not self.forkserver.gone:
            try:
                forked = await self.forkserver.spawn(
                    {**spec, "program": program}, stdin=stdin, merge_stderr=merge_stderr,
                    status_fd=None if status is None else status.fileno(),
                )
            except forkclient.ForkServerGone as e:
                log.info("sandbox: %s starts without the fork server: %s", program, e)
            else:
                self._register(forked.pid)
                return forked
        script = CTRINIT if program == "ctrinit" else PODINIT
        if status is not None:
            spec = {**spec, "status_fd": status.fileno()}
        return await self._launch(
            [sys.executable, "-I", "-S", script, json.dumps(spec)],
            executable=None,
            stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.STDOUT if merge_stderr else asyncio.subprocess.PIPE,
            env={"PATH": os.defpath},
            cwd=self.root,
            pass_fds=() if status is None else (status.fileno(),),
        )

    async def _start_forkserver(self, argv: list[str], pass_fds: tuple[int, ...]) -> asyncio.subprocess.Process:
        return await self._launch(
            argv, executable=None, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL, env={"PATH": os.defpath}, cwd=self.root, pass_fds=pass_fds,
        )

    async def launch_holder(self, spec: dict[str, object], on_output: OutputSink) -> Process:
        """Start a namespace holder (``podinit.py``): the sandbox network, a pod's pause."""
        proc = await self._start_holder(spec, program="podinit", stdin=False, merge_stderr=True, status=None)
        process = Process(proc, on_output, ["pause"], holder=proc.pid)
        self.processes.add(process)
        return process

    async def _launch(
        self,
        cmd: Sequence[str],
        *,
        executable: str | None,
        stdin: int,
        stderr: int,
        env: dict[str, str],
        cwd: Path,
        pass_fds: tuple[int, ...] = (),
        stdout: int = asyncio.subprocess.PIPE,
    ) -> asyncio.subprocess.Process:
        await self._ensure_reaper()
        proc = await asyncio.create_subprocess_exec(
            *cmd,
            executable=executable,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            env=env,
            cwd=str(cwd),
            start_new_session=True,
            pass_fds=pass_fds,
        )
        self._register(proc.pid)
        return proc

    async def _ensure_reaper(self) -> None:
        if self._reaper_start is None:
            # one watchdog, however many containers start concurrently
            self._reaper_start = asyncio.ensure_future(
                asyncio.create_subprocess_exec(
                    sys.executable, "-I", "-c", _REAPER, str(self.root),
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        if self._reaper is None:
            self._reaper = await asyncio.shield(self._reaper_start)

    def _register(self, pgid: int) -> None:
        """A new process group: killed at exit, or by the reaper if we die first."""
        _LIVE_GROUPS.add(pgid)
        self._tell_reaper(f"{pgid}\n")

    def _tell_reaper(self, line: str) -> None:
        stdin = self._reaper.stdin if self._reaper is not None else None
        if stdin is not None and not stdin.is_closing():
            with contextlib.suppress(OSError, RuntimeError):
                stdin.write(line.encode())

    def forget(self, process: Process) -> None:
        self.processes.discard(process)
        self._tell_reaper(f"-{process.pid}\n")
        if process.layer is not None and not process.running:
            remove_tree(process.layer)
            process.layer = None

    async def close(self) -> None:
        """Kill every process still running and remove the scratch tree."""
        for process in list(self.processes):
            process.signal(signal.SIGKILL)
        waits = [p.wait() for p in self.processes if p.exit_code is None]
        if waits:
            await asyncio.wait_for(asyncio.gather(*waits, return_exceptions=True), 5)
        self.processes.clear()
        await self.forkserver.close()
        if self.forkserver.pid is not None:
            _LIVE_GROUPS.discard(self.forkserver.pid)  # gone: its pid may be reused
            self._tell_reaper(f"-{self.forkserver.pid}\n")
        reaper, self._reaper = self._reaper, None
        if reaper is None and self._reaper_start is not None and self._reaper_start.done():
            reaper = self._reaper_start.result()
        if reaper is not None and reaper.stdin is not None:
            reaper.stdin.close()
            try:
                await asyncio.wait_for(reaper.wait(), 5)
            except TimeoutError:
                reaper.kill()
                await reaper.wait()
        remove_tree(self.root)
