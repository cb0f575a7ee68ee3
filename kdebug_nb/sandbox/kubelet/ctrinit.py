"""Start one isolated sandbox container process (stdlib only, run as a script).

``python -I -S ctrinit.py SPEC`` where ``SPEC`` is JSON written by
``launch.py``, or ``main(SPEC)`` in a fork of ``forkserver.py``. What a container runtime's shim + runc do, with unprivileged
namespaces (user_namespaces(7), mount_namespaces(7), pid_namespaces(7)):

``create``: enter the pod's user, network, UTS and IPC namespaces (held by
the pod's sandbox process, ``podinit.py``) or make a user namespace of its
own (node debugging), unshare a mount namespace (and a PID namespace unless
the pod's, a target's or the host's is joined), fork, and in the child
build the container's root: an overlay of the cached image root
(``rootfs.py``) with a writable layer of its own, a fresh ``/proc``, a
minimal ``/dev``, the kubelet's ``/etc/hosts``/``hostname``/``resolv.conf``
and the pod's volumes bind-mounted. With a PID namespace of its own the
child is PID 1, an init (like tini) whose child is the command;
otherwise the child becomes the command. Both chroot into the root, so
``/proc/PID/root`` of any of its processes shows the container's files.

``exec``: enter every namespace of a running container (its root by
``/proc/INIT/root``) and run a command there, as ``runc exec`` does.

The command runs with the container's identity (``runAsUser``/``Group``,
capability bounding set, no_new_privs; ``security.py`` computes them).
Programs of the sandbox's own images (``kubelet/apps``) are Python: they are
loaded before the chroot and run in the container afterwards, as a static
binary in a distroless image would (the interpreter is not in the image).

The parent (the holder) stays outside, waits for the child and exits with
its code; the kubelet signals the holder's process group. Progress goes to
the kubelet over the status socket (``status_fd``): ``init PID`` (the
container's first process, host PID), a pty master fd when ``tty``, ``err
WHAT MESSAGE`` on failure, and end-of-file once the command has exec'd.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import signal
import socket
import struct
import sys
import types

if __package__:
    from .proctitle import set_title
else:  # run as a script (or imported by podinit.py, itself a script)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from proctitle import set_title  # type: ignore[no-redef]

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
ST_FLAGS = {os.ST_NOSUID: MS_NOSUID, os.ST_NODEV: MS_NODEV, os.ST_NOEXEC: MS_NOEXEC}
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
TIOCSCTTY, TIOCGPTN, TIOCSPTLCK = 0x540E, 0x80045430, 0x40045431
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH)

libc = ctypes.CDLL(None, use_errno=True)
status: socket.socket | None = None
#: the volumes' sources, opened in the container's mount namespace before
#: taking its root's ids: as that root we might not be allowed to look them
#: up (a hostPath under a directory closed to it), as the kubelet mounting
#: them is
bind_sources: list = []
#: the image's own programs, loaded before any namespace is entered
loaded_apps: dict = {}


class Failure(Exception):
    """A setup step failed; ``what`` tells the kubelet which kind."""

    def __init__(self, what: str, message: str) -> None:
        super().__init__(message)
        self.what = what


def check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise Failure("setup", f"{what}: {os.strerror(err)}")


def report(line: str, fds: list[int] | None = None) -> None:
    if status is None:
        return
    try:
        if fds:
            socket.send_fds(status, [line.encode()], fds)
        else:
            status.send(line.encode())
    except OSError:
        pass


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    check(
        libc.mount(
            source.encode() if source else None, target.encode(), fstype.encode() if fstype else None,
            flags, data.encode() if data else None,
        ),
        f"mount {target}",
    )


def bind(source: str, target: str, readonly: bool) -> None:
    if not os.path.lexists(target):
        if os.path.isdir(source):
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            open(target, "a").close()
    mount(source, target, None, MS_BIND | MS_REC)
    if readonly:
        # a remount inside a user namespace must keep the flags it inherited locked
        locked = sum(v for k, v in ST_FLAGS.items() if os.statvfs(target).f_flag & k)
        mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | locked)


def _open_path(source: str) -> int | None:
    try:
        return os.open(source, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return None  # mounting it will say why


def write_map(pid: int | str, uid_map: str, gid_map: str) -> None:
    with open(f"/proc/{pid}/setgroups", "w") as f:
        f.write("deny")
    with open(f"/proc/{pid}/uid_map", "w") as f:
        f.write(uid_map)
    with open(f"/proc/{pid}/gid_map", "w") as f:
        f.write(gid_map)


def new_user_namespace(uid_map: str, gid_map: str) -> None:
    """unshare(CLONE_NEWUSER) with a map written by a helper left outside
    (a process cannot map ids of the namespace it has just left)."""
    r, w = os.pipe()
    parent = os.getpid()
    helper = os.fork()
    if helper == 0:
        os.close(w)
        os.read(r, 1)
        try:
            write_map(parent, uid_map, gid_map)
        except OSError as e:
            os.write(2, f"user namespace map: {e}\n".encode())
            os._exit(1)
        os._exit(0)
    os.close(r)
    check(libc.unshare(CLONE_NEWUSER), "unshare user namespace")
    os.write(w, b"x")
    os.close(w)
    _, code = os.waitpid(helper, 0)
    if code != 0:
        raise Failure("setup", "cannot write the user namespace's id map")
    os.setresgid(0, 0, 0)
    os.setresuid(0, 0, 0)


def enter(namespaces: list[list], *, become_root: bool = True) -> bool:
    """setns into each; True if a user namespace was among them."""
    fds = [(os.open(path, os.O_RDONLY | os.O_CLOEXEC), flag) for path, flag in namespaces]
    entered_user = False
    for fd, flag in fds:
        check(libc.setns(fd, flag), f"setns {flag:#x}")
        os.close(fd)
        if flag == CLONE_NEWUSER:
            entered_user = True
            if become_root:
                be_root()
    return entered_user


def be_root() -> None:
    """Be the user namespace's root, as nsenter does."""
    os.setresgid(0, 0, 0)
    os.setresuid(0, 0, 0)
    # changing ids made /proc/self root's (not dumpable): a helper with our
    # new ids must still write our id maps, the kubelet read our root
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)


def make_dev(root: str) -> None:
    dev = os.path.join(root, "dev")
    mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=65536k")
    for name in ("null", "zero", "full", "random", "urandom", "tty"):
        bind("/dev/" + name, os.path.join(dev, name), False)
    os.mkdir(os.path.join(dev, "pts"))
    mount("devpts", os.path.join(dev, "pts"), "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620")
    os.symlink("pts/ptmx", os.path.join(dev, "ptmx"))
    os.mkdir(os.path.join(dev, "shm"))
    mount("shm", os.path.join(dev, "shm"), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k")
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, os.path.join(dev, name))


def build_root(spec: dict) -> str:
    root = spec["root"]
    target = root["dir"]
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    os.makedirs(target, exist_ok=True)
    options = f"lowerdir={root['lower']},upperdir={root['upper']},workdir={root['work']}"
    mount("overlay", target, "overlay", 0, options)
    proc = os.path.join(target, "proc")
    os.makedirs(proc, exist_ok=True)
    if spec.get("proc") == "host":
        bind("/proc", proc, False)
    else:
        mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    make_dev(target)
    for (source, dst, readonly), fd in zip(spec.get("binds", ()), bind_sources, strict=True):
        try:
            bind(source if fd is None else f"/proc/self/fd/{fd}", os.path.join(target, dst.lstrip("/")), readonly)
        except (OSError, Failure) as e:
            raise Failure("mount", f"mount {source} at {dst}: {e}") from None
    if root.get("readonly"):
        mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY)
    return target


def open_pty(root: str) -> tuple[int, str]:
    """A pseudo-terminal of the container's own devpts: its slave is
    ``/dev/pts/N`` inside, so ``tty`` names it."""
    master = os.open(os.path.join(root, "dev/pts/ptmx"), os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC)
    fcntl.ioctl(master, TIOCSPTLCK, struct.pack("i", 0))
    number = struct.unpack("i", fcntl.ioctl(master, TIOCGPTN, struct.pack("i", 0)))[0]
    return master, f"/dev/pts/{number}"


def capset(keep: int) -> None:
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    low, high = keep & 0xFFFFFFFF, keep >> 32
    data = (ctypes.c_uint32 * 6)(low, low, low, high, high, high)
    check(libc.capset(header, data), "capset")


def become(identity: dict, last_cap: int) -> None:
    """Take the container's identity: ids, capabilities, no_new_privs."""
    if not identity:
        return  # a plain process of the sandbox's own user
    keep = identity.get("caps")
    if keep is not None:
        mask = 0
        for cap in range(last_cap + 1):
            if cap in keep:
                mask |= 1 << cap
            else:
                check(libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), f"drop capability {cap}")
        libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    uid, gid = int(identity.get("uid", 0)), int(identity.get("gid", 0))
    try:
        os.setgroups([int(g) for g in identity.get("groups", ())])
    except OSError:
        pass  # setgroups is denied in a user namespace mapped without privilege
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    # what exec does for an ordinary program; lets ps and the kubelet read /proc/self
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    if keep is not None and uid == 0:
        capset(mask)
    if identity.get("nnp"):
        check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def nested_identity(identity: dict) -> None:
    """Without privilege the pod's user namespace maps one id (root), so a
    ``runAsUser`` of N is a child namespace mapping N onto that root."""
    uid, gid = int(identity.get("uid", 0)), int(identity.get("gid", 0))
    if uid == 0 and gid == 0:
        return
    check(libc.unshare(CLONE_NEWUSER), "unshare user namespace")
    write_map("self", f"{uid} 0 1\n", f"{gid} 0 1\n")
    identity["uid"], identity["gid"], identity["groups"] = uid, gid, []


def load_apps(spec: dict) -> dict:
    """The image's own programs, loaded now: after the chroot the
    interpreter's library is out of reach."""
    import runpy

    loaded = {name: runpy.run_path(path, run_name="kdebug_app") for name, path in spec.get("apps", {}).items()}
    module = types.ModuleType("kdebug_apps")
    module.has = loaded.__contains__  # type: ignore[attr-defined]
    module.run = lambda argv: run_app(loaded, argv)  # type: ignore[attr-defined]
    sys.modules["kdebug_apps"] = module
    return loaded


def run_app(loaded: dict, argv: list[str]) -> None:
    sys.argv = list(argv)
    set_title(argv)
    for sig in (signal.SIGINT,):
        signal.signal(sig, signal.SIG_DFL)
    loaded[argv[0].rsplit("/", 1)[-1]]["main"]()
    sys.stdout.flush()
    os._exit(0)


def command(spec: dict, root_fd: int | None, root: str | None, mask: set) -> None:
    """In the child that becomes the container's command: never returns."""
    try:
        last_cap = int(open("/proc/sys/kernel/cap_last_cap").read())
        identity = dict(spec.get("identity") or {})
        apps = loaded_apps
        if identity.get("nested"):
            nested_identity(identity)
        pty = None
        if root_fd is not None:
            os.fchdir(root_fd)
            os.chroot(".")
        elif root is not None:
            if spec.get("tty"):
                pty = open_pty(root)
            os.chroot(root)
        if spec.get("tty") and pty is None:
            pty = open_pty("/")
        cwd = spec.get("cwd") or "/"
        try:
            os.chdir(cwd)
        except FileNotFoundError:
            os.makedirs(cwd, exist_ok=True)
            os.chdir(cwd)
        if pty is not None:
            master, slave_path = pty
            report("pty", [master])
            os.close(master)
            os.setsid()
            slave = os.open(slave_path, os.O_RDWR)
            fcntl.ioctl(slave, TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            if slave > 2:
                os.close(slave)
        become(identity, last_cap)
        # a change of credentials clears the parent-death signal: set it again
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        env = spec.get("env") or {}
        argv = spec["argv"]
        name = argv[0].rsplit("/", 1)[-1]
        for sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if name in apps:
            set_title(argv)  # before the kubelet hears it started: ps must show the program
            if status is not None:
                status.close()
            os.environ.clear()
            os.environ.update(env)
            run_app(apps, argv)
        program = argv[0]
        try:
            execute(program, argv, env)
        except FileNotFoundError:
            report(f"err notfound {program}")
        except OSError as e:
            report(f"err exec {program}: {e.strerror}")
    except Failure as e:
        report(f"err {e.what} {e}")
    except OSError as e:
        report(f"err setup {e}")
    os._exit(127)


def execute(program: str, argv: list[str], env: dict) -> None:
    """execvpe's PATH search (``os.execvpe`` imports modules lazily, which
    are out of reach inside the container's root)."""
    if "/" in program:
        os.execve(program, argv, env)
    denied: OSError | None = None
    for directory in (env.get("PATH") or "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").split(":"):
        try:
            os.execve(os.path.join(directory or ".", program), argv, env)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except PermissionError as e:
            denied = e
    if denied is not None:
        raise denied
    raise FileNotFoundError(program)


def init_loop(child: int, tty: bool) -> None:
    """PID 1: reap, forward signals sent from inside (the kubelet signals the
    command's group itself; with a tty the command has a session of its own,
    so every signal is forwarded), exit with the command's code."""
    watched = {signal.SIGCHLD, *FORWARDED}
    while True:
        info = signal.sigwaitinfo(watched)
        if info.si_signo != signal.SIGCHLD:
            if info.si_pid != 0 or tty:
                try:
                    os.kill(-child if tty else child, info.si_signo)
                except OSError:
                    pass
            continue
        while True:
            try:
                pid, code = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                os._exit(0)
            if pid == 0:
                break
            if pid == child:
                exit_code = os.waitstatus_to_exitcode(code)
                os._exit(128 - exit_code if exit_code < 0 else exit_code)


def container(spec: dict, mask: set) -> None:
    """The forked child: build the root, then be init or the command."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    try:
        root = build_root(spec) if spec["mode"] == "create" else None
    except (Failure, OSError) as e:
        what = e.what if isinstance(e, Failure) else "setup"
        report(f"err {what} {e}")
        os._exit(127)
    if not spec.get("init"):
        command(spec, None, root, mask)
    set_title(["/init", "--", *spec["argv"]])
    child = os.fork()
    if child == 0:
        command(spec, None, root, mask)
    if status is not None:
        status.close()
    if root is not None:
        os.chroot(root)
        os.chdir("/")
    # the init has the container's identity too, as tini would: a debugging
    # container with the default capabilities may then read /proc/1/root
    identity = dict(spec.get("identity") or {})
    if identity.get("nested"):
        identity.update(uid=0, gid=0, groups=[])
    try:
        become(identity, int(open("/proc/sys/kernel/cap_last_cap").read()))
    except (Failure, OSError):
        pass
    init_loop(child, bool(spec.get("tty")))


def main(spec: dict) -> None:
    """Start the container ``spec`` describes; this process becomes its holder."""
    global status, loaded_apps, bind_sources
    if spec.get("status_fd") is not None:
        status = socket.socket(fileno=int(spec["status_fd"]))
        os.set_inheritable(status.fileno(), False)
    watched = {signal.SIGCHLD, *FORWARDED}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, watched)
    try:
        if spec.get("apps"):
            loaded_apps = load_apps(spec)
        root_fd = None
        if spec["mode"] == "exec":
            root_fd = os.open(f"/proc/{spec['target']}/root", os.O_RDONLY | os.O_DIRECTORY)
        if spec.get("new_user"):
            new_user_namespace(*spec["new_user"])
        # with our own ids still (the pod's root may be an unprivileged uid
        # here): the volumes' sources are looked up as the kubelet would
        entered_user = enter(spec.get("enter", ()), become_root=False)
        if spec.get("unshare"):
            check(libc.unshare(int(spec["unshare"])), "unshare")
        bind_sources = [_open_path(source) for source, _, _ in spec.get("binds", ())]
        if entered_user:
            be_root()
    except (Failure, OSError) as e:
        report(f"err setup {e}")
        sys.exit(127)
    except Exception as e:  # an app that does not load
        report(f"err setup {type(e).__name__}: {e}")
        sys.exit(127)
    child = os.fork()
    if child == 0:
        if spec["mode"] == "exec":
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            command(spec, root_fd, None, mask)
        container(spec, mask)
    report(f"init {child}\n")
    if status is not None:
        status.close()
    # the holder: what unshare --fork --kill-child does. The kubelet signals
    # the process group, which the child shares; a terminal's command has a
    # session of its own, so then signals are relayed to it.
    tty = bool(spec.get("tty"))
    while True:
        info = signal.sigwaitinfo(watched)
        if info.si_signo != signal.SIGCHLD:
            if tty:
                try:
                    # the command leads its own session; an init relays on its own
                    os.kill(child if spec.get("init") else -child, info.si_signo)
                except OSError:
                    pass
            continue
        pid, code = os.waitpid(child, os.WNOHANG)
        if pid == child:
            exit_code = os.waitstatus_to_exitcode(code)
            os._exit(128 - exit_code if exit_code < 0 else exit_code)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: ctrinit.py SPEC_JSON")
    try:
        main(json.loads(sys.argv[1]))
    except KeyboardInterrupt:
        sys.exit(130)
