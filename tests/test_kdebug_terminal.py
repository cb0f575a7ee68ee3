"""``kdebug POD -it`` at a real terminal, driven through a pseudo-terminal (pexpect).

The client side on its own (``kdebug_nb.terminal.RawTerminal``: raw mode, keys
passed through, the window size on SIGWINCH, the terminal restored on every way
out), then the whole command against the sandbox: keys in, output out, the
container's exit code as kdebug's, the terminal as it was.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

pexpect = pytest.importorskip("pexpect")

#: a stand-in for the engine's loop: report the size, echo keys as hex, end on "q"
PROBE = r"""
import sys, time
from kdebug_nb.terminal import RawTerminal
mode = sys.argv[1]
with RawTerminal() as term:
    print("size", term.size(), end="\r\n", flush=True)
    seen = None
    while True:
        size = term.size()
        if size != seen:
            print("size", size, end="\r\n", flush=True)
            seen = size
        keys = term.read_keys(0.05)
        if keys:
            print("keys", keys.hex(), end="\r\n", flush=True)
            if b"q" in keys:
                if mode == "raise":
                    raise RuntimeError("boom")
                break
print("done", flush=True)
"""


def _spawn_probe(mode: str) -> Any:
    # the shell reports the terminal's settings after the probe, whichever way it ended
    script = (
        f"{shlex.quote(sys.executable)} -c {shlex.quote(PROBE)} {mode}; "
        "echo rc=$?; stty -a"
    )
    return pexpect.spawn("sh", ["-c", script], dimensions=(24, 80), encoding="utf-8", timeout=20)


def _restored(child: Any) -> None:
    child.expect(pexpect.EOF)
    settings = child.before
    # a cooked terminal again: line editing, echo, signals from keys, output processing
    for flag in ("icanon", "echo", "isig", "opost", "icrnl"):
        assert re.search(rf"(?<![-\w]){flag}\b", settings), (flag, settings)


def test_raw_mode_passes_keys_and_follows_the_window_size() -> None:
    child = _spawn_probe("normal")
    child.expect(r"size \(80, 24\)")
    child.send("a\x03")  # Ctrl-C is a key for the container, not a signal for us
    child.expect("keys 6103")
    child.setwinsize(40, 100)  # SIGWINCH
    child.expect(r"size \(100, 40\)")
    child.send("q")
    child.expect("keys 71")
    child.expect("done")
    child.expect("rc=0")
    _restored(child)


def test_the_terminal_is_restored_after_an_error() -> None:
    child = _spawn_probe("raise")
    child.expect(r"size \(80, 24\)")
    child.send("q")
    child.expect("RuntimeError: boom")
    child.expect("rc=1")
    _restored(child)


def test_the_terminal_is_restored_after_sigterm() -> None:
    child = _spawn_probe("normal")
    child.expect(r"size \(80, 24\)")
    child.sendline("")  # it is raw now
    child.expect("keys 0a")
    probe = _probe_pid(child.pid)
    os.kill(probe, 15)
    child.expect(r"rc=130")  # an interrupt, so that a run winds down (next test)
    _restored(child)


def _probe_pid(shell_pid: int) -> int:
    children = Path(f"/proc/{shell_pid}/task/{shell_pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


# ---- the whole command, against the sandbox ---------------------------------


def _kdebug() -> str:
    found = shutil.which("kdebug", path=str(Path(sys.executable).parent))
    assert found, "the kdebug console script is not installed next to this interpreter"
    return found


def test_kdebug_it_is_an_interactive_session(sandbox: Any, tmp_path: Path) -> None:
    env = dict(os.environ, KUBECONFIG=str(sandbox.kubeconfig), KDEBUG_HISTORY=str(tmp_path / "h.jsonl"))
    script = f"{shlex.quote(_kdebug())} neato -it --image=busybox -- sh; echo rc=$?; stty -a"
    child = pexpect.spawn("sh", ["-c", script], dimensions=(24, 80), env=env, encoding="utf-8",
                          timeout=60)
    child.expect("Defaulting debug container name to debugger-")
    child.expect("If you don't see a command prompt, try pressing enter.")
    child.sendline("echo answer=$((6 * 7))")
    child.expect("answer=42")
    child.sendline("exit 3")
    child.expect("rc=3")  # the container's exit code is kdebug's
    _restored(child)
    history = (tmp_path / "h.jsonl").read_text()
    assert "answer=42" in history  # the session's output is recorded like any run's


def test_kdebug_it_sends_the_window_size_and_its_changes(sandbox: Any) -> None:
    """Inside the container, ``stty size`` sees the terminal's size, and a new one
    after the window changes (the resize channel). Needs a sandbox that gives a
    ``tty: true`` container a terminal of its own."""
    env = dict(os.environ, KUBECONFIG=str(sandbox.kubeconfig))
    child = pexpect.spawn(_kdebug(), ["neato", "-it", "--image=busybox", "--", "sh"],
                          dimensions=(24, 80), env=env, encoding="utf-8", timeout=60)
    child.expect("try pressing enter")
    child.sendline("tty")
    if child.expect([r"/dev/pts/\d+", "not a tty"]) == 1:
        child.sendline("exit 0")
        child.expect(pexpect.EOF)
        pytest.skip("this sandbox gives a tty: true container no terminal (plain pipes)")
    child.sendline("stty size")
    child.expect(r"(\d+) (\d+)\r\n")
    assert child.match.groups() == ("24", "80")
    child.setwinsize(40, 100)
    child.sendline("stty size")
    child.expect(r"(\d+) (\d+)\r\n")
    assert child.match.groups() == ("40", "100")
    child.sendline("exit 4")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 4


def test_sigterm_to_kdebug_it_deletes_its_rm_copy(sandbox: Any, core_v1: Any) -> None:
    """SIGTERM (a closed terminal window's SIGHUP alike) ends ``kdebug -it`` as an
    interrupt: the terminal is restored and ``--rm`` deletes the copy, where
    dying on the spot would leave it running."""
    from kubernetes.client.exceptions import ApiException

    env = dict(os.environ, KUBECONFIG=str(sandbox.kubeconfig))
    cmd = [_kdebug(), "neato", "-it", "--copy-to=neato-sigterm", "--rm", "--image=busybox", "--", "sh"]
    script = f"{shlex.join(cmd)}; echo rc=$?; stty -a"
    child = pexpect.spawn("sh", ["-c", script], dimensions=(24, 80), env=env, encoding="utf-8", timeout=60)
    child.expect("try pressing enter")
    child.sendline("echo up=$((40 + 2))")
    child.expect("up=42")
    os.kill(_probe_pid(child.pid), 15)
    child.expect(r"rc=130")
    _restored(child)
    try:
        pod = core_v1.read_namespaced_pod("neato-sigterm", "default")
    except ApiException as e:
        assert e.status == 404
    else:  # deleted, within its grace period
        assert pod.metadata.deletion_timestamp is not None
