"""Session.run(stdin_stream=StdinPipe): stdin written while the run goes (a shell widget's lines).

Against the sandbox over HTTP: the run attaches to the debug container's stdin and
forwards each write as it comes; the answers stream back from the container's log.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import pytest

from kdebug_nb import engine

if TYPE_CHECKING:
    from kdebug_nb.sandbox.server import Sandbox


@pytest.fixture
def session(sandbox: Sandbox) -> engine.Session:
    return engine.Session(engine.Connection(str(sandbox.kubeconfig), sandbox.context))


def _wait_for(pred, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_pipe_hands_out_writes_in_order_until_closed() -> None:
    pipe = engine.StdinPipe()
    pipe.write("a\n")
    pipe.write(b"b\n")
    pipe.write("")
    pipe.close()
    assert list(pipe.chunks(lambda: False)) == [b"a\n", b"b\n"]
    with pytest.raises(ValueError, match="closed"):
        pipe.write("late")


def test_pipe_reader_stops_when_told() -> None:
    pipe = engine.StdinPipe()
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    assert list(pipe.chunks(stop.is_set)) == []


def test_lines_written_during_the_run_are_answered_one_by_one(session: engine.Session) -> None:
    pipe = engine.StdinPipe()
    out: list[str] = []
    box: dict[str, engine.DebugResult] = {}
    observer = lambda e: out.append(e.text) if isinstance(e, engine.RunOutput) else None  # noqa: E731
    worker = threading.Thread(target=lambda: box.setdefault("r", session.run(
        "neato --image=busybox -i -- sh", stdin_stream=pipe, observer=observer)))
    worker.start()
    pipe.write("echo one\n")
    _wait_for(lambda: "one" in "".join(out))
    # the first answer came back before the second line was even written: a live session
    pipe.write("echo two; exit 4\n")
    worker.join(30)
    assert not worker.is_alive()
    result = box["r"]
    assert result.exit_code == 4
    assert result.output.split() == ["one", "two"]
    assert not [t for t in threading.enumerate() if t.name == "kdebug-stdin"]
    assert [r.exit_code for r in session.history.records] == [4]


def test_closing_the_pipe_is_end_of_input(session: engine.Session) -> None:
    pipe = engine.StdinPipe()
    pipe.write("echo before-eof\n")
    pipe.close()
    result = session.run("neato --image=busybox -i -- sh", stdin_stream=pipe)
    assert (result.exit_code, result.output.strip()) == (0, "before-eof")


def test_stop_ends_a_session_that_waits_for_input(session: engine.Session) -> None:
    pipe = engine.StdinPipe()
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    started = time.monotonic()
    result = session.run("neato --image=busybox -i -- sh", stdin_stream=pipe, stop=stop)
    assert time.monotonic() - started < 20
    assert result.interrupted
    assert not [t for t in threading.enumerate() if t.name == "kdebug-stdin"]
