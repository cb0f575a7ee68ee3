"""%kdebug and %%kdebug against the session sandbox, in a real IPython shell."""

from __future__ import annotations

import html
import json
import threading
import time
import uuid
from typing import Any

import pytest


def test_line_magic_streams_output_and_returns_the_result(
    ip: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ip.run_cell("r = %kdebug neato --image=busybox -- echo hello from kdebug")
    out = capsys.readouterr().out
    r = ip.user_ns["r"]
    assert "hello from kdebug" in out
    assert r.exit_code == 0 and r.pod == "neato" and r.mode == "ephemeral"
    assert "hello from kdebug" in r.output
    # the displays are a status line, never the output a second time
    shown, _ = ip.display_formatter.format(r)
    assert "hello from kdebug" not in shown["text/html"]
    assert "hello from kdebug" not in shown["text/plain"]
    assert "neato" in shown["text/html"] and "neato" in shown["text/plain"]


def test_cell_magic_sends_the_body_as_stdin(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_cell("%%kdebug neato --image=busybox\necho line-one\necho line-two $((40 + 2))\n")
    out = capsys.readouterr().out
    assert "line-one" in out and "line-two 42" in out


def test_variables_are_expanded(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ip.user_ns.update(target="neato", img="busybox", word="expanded-ok")
    ip.run_cell("r2 = %kdebug {target} --image=$img -- echo {word}")
    assert "expanded-ok" in capsys.readouterr().out
    assert ip.user_ns["r2"].pod == "neato"


def test_settings_supply_defaults(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_cell("%config KDebug.image = 'busybox'\nr3 = %kdebug neato -- echo default-image")
    assert "default-image" in capsys.readouterr().out
    assert ip.user_ns["r3"].image.startswith("busybox")


def test_no_command_creates_and_says_where(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_cell("r4 = %kdebug neato --image=busybox")
    r = ip.user_ns["r4"]
    assert r.pod == "neato" and r.container
    assert r.container in r._repr_html_()


def test_dry_run_yaml_is_highlighted_and_escaped(ip: Any) -> None:
    ip.run_cell("m = %kdebug neato --image=busybox --dry-run -o yaml -- echo '<script>x</script>'")
    m = ip.user_ns["m"]
    text = repr(m)
    assert "ephemeralContainers" in text and "<script>x</script>" in text
    page = m._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<span" in page  # pygments colours
    ip.run_cell("j = %kdebug neato --image=busybox --dry-run -o json -- id")
    assert json.loads(str(ip.user_ns["j"]))["spec"]["ephemeralContainers"]


def test_script_output_is_inert_in_html(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    payload = "<script>alert('pwned')</script><img src=x onerror=alert(1)>"
    ip.run_cell(f'r5 = %kdebug neato --image=busybox -- echo "{payload}"')
    capsys.readouterr()
    r = ip.user_ns["r5"]
    assert payload in r.output
    assert "<script>" not in r._repr_html_() and "<img" not in r._repr_html_()
    ip.run_cell("h = %khistory")
    page = ip.user_ns["h"]._repr_html_()
    assert "<script>" not in page and "<img" not in page
    assert html.escape("<script>alert(") in page


def test_runtime_errors_are_one_line(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_cell("%kdebug no-such-pod --image=busybox -- true")
    lines = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "no-such-pod" in lines[0]
    ip.run_cell("%kdebug neato -n no-such-namespace --image=busybox -- true")
    lines = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")


def test_nonzero_exit_is_reported_not_raised(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_cell("r6 = %kdebug neato --image=busybox -- sh -c 'echo failing; exit 3'")
    assert ip.user_ns["r6"].exit_code == 3
    assert "failing" in capsys.readouterr().out
    from kdebug_nb.magics import state_of

    assert state_of(ip).store.records[-1].status == "error"


def test_copy_mode_with_rm(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    copy = f"neato-copy-{uuid.uuid4().hex[:6]}"
    ip.run_cell(f"r7 = %kdebug neato --image=busybox --copy-to={copy} --rm -- echo in-copy")
    r = ip.user_ns["r7"]
    assert r.mode == "copy" and r.pod == copy and "in-copy" in capsys.readouterr().out


def test_interrupt_stops_the_run_and_history_says_so(
    ip: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A kernel interrupt is SIGINT to the thread running the cell; send one mid-run."""
    import signal

    from kdebug_nb.magics import state_of

    store = state_of(ip).store
    before = len(store.records)
    sent, finished = threading.Event(), threading.Event()
    main = threading.main_thread().ident
    assert main is not None

    def interrupt_when_running() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not finished.is_set():
            recs = store.records
            if len(recs) > before and recs[-1].status == "started":
                time.sleep(1.0)  # let the command start sleeping
                if not finished.is_set():
                    sent.set()
                    signal.pthread_kill(main, signal.SIGINT)
                return
            time.sleep(0.05)

    t = threading.Thread(target=interrupt_when_running, daemon=True)
    t0 = time.monotonic()
    try:
        t.start()
        ip.run_cell("%kdebug neato --image=busybox -- sleep 30")
        finished.set()
        t.join(5)
    except KeyboardInterrupt:  # only if it landed outside the run: keep it from pytest
        finished.set()
        pytest.fail("the interrupt arrived outside the %kdebug run")
    assert sent.is_set()
    assert time.monotonic() - t0 < 20
    assert store.records[-1].status == "interrupted"
    capsys.readouterr()


def test_a_pasted_kubectl_command_works(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_cell("%kdebug kubectl debug neato --image=busybox -- echo pasted-ok")
    assert "pasted-ok" in capsys.readouterr().out
