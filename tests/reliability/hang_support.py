"""Servers that misbehave on purpose, and the ``kdebug`` command run against them.

A *tarpit* accepts connections and never answers. A *served sandbox* is a
``kdebug-sandbox serve`` process of the test's own, which a test may freeze
(SIGSTOP), stop (SIGTERM) or kill (SIGKILL) mid-run. Every one of them is
bound to 127.0.0.1 port 0 and torn down however the test ends.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml


@contextlib.contextmanager
def tarpit() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts every connection and never sends a byte."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not done.is_set():
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            held.append(conn)  # read nothing, answer nothing, close nothing

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        done.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        server.close()


def tarpit_kubeconfig(path: Path, port: int, scheme: str) -> Path:
    """A kubeconfig naming the tarpit (https without verification: there is no certificate)."""
    cluster: dict[str, object] = {"server": f"{scheme}://127.0.0.1:{port}"}
    if scheme == "https":
        cluster["insecure-skip-tls-verify"] = True
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "tarpit", "cluster": cluster}],
        "users": [{"name": "u", "user": {"token": "not-a-secret"}}],
        "contexts": [{"name": "tarpit", "context": {"cluster": "tarpit", "user": "u"}}],
        "current-context": "tarpit",
    }
    path.write_text(yaml.safe_dump(doc))
    return path


@dataclass
class ServedSandbox:
    """A ``kdebug-sandbox serve`` process and the kubeconfig it wrote."""

    proc: subprocess.Popen[str]
    kubeconfig: Path
    frozen: bool = field(default=False)

    def freeze(self) -> float:
        """SIGSTOP the server (its containers keep running); return when it happened."""
        os.kill(self.proc.pid, signal.SIGSTOP)
        self.frozen = True
        return time.monotonic()

    def signal(self, signum: int) -> float:
        os.kill(self.proc.pid, signum)
        return time.monotonic()


@contextlib.contextmanager
def served_sandbox(tmp_path: Path) -> Iterator[ServedSandbox]:
    """Run ``kdebug-sandbox serve`` until it prints its kubeconfig; stop it (thawed) after."""
    kubeconfig = tmp_path / "sandbox-kubeconfig"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kdebug_nb.sandbox", "serve", "--kubeconfig", str(kubeconfig)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    served = ServedSandbox(proc, kubeconfig)
    try:
        lines = LineReader(proc.stdout)
        lines.wait_for("kubeconfig:", timeout=60)
        yield served
    finally:
        stop_process(proc)


def stop_process(proc: subprocess.Popen[str]) -> None:
    """Thaw, SIGTERM, and after 15 s SIGKILL ``proc``; reap it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGCONT)
            proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


class LineReader:
    """The lines of a pipe, read by a thread, so a test can wait for one with a bound."""

    def __init__(self, stream: object) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []

        def pump() -> None:
            for line in stream:  # type: ignore[attr-defined]
                self.lines.put(line)
            self.lines.put(None)

        threading.Thread(target=pump, daemon=True).start()

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no line with {text!r} within {timeout}s; saw {self.seen!r}")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"stream ended before a line with {text!r}; saw {self.seen!r}")
            self.seen.append(line)
            if text in line:
                return line


def kdebug(kubeconfig: Path, *args: str) -> subprocess.Popen[str]:
    """Start ``kdebug --kubeconfig KUBECONFIG ARGS...`` with pipes (no $KUBECONFIG)."""
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    return subprocess.Popen(
        [sys.executable, "-m", "kdebug_nb.cli", "--kubeconfig", str(kubeconfig), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def target_pod(name: str, *, init_sleep: int = 0) -> dict[str, object]:
    """A running busybox pod; with ``init_sleep`` it (and any copy) waits in an init container."""
    spec: dict[str, object] = {
        "containers": [{"name": "app", "image": "busybox", "command": ["sleep", "3600"]}],
    }
    if init_sleep:
        spec["initContainers"] = [
            {"name": "slow-init", "image": "busybox", "command": ["sleep", str(init_sleep)]}
        ]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}
