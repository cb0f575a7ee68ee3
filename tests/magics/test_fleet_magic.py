"""``%kdebug`` as a fleet run: a FleetResult back, a progress bar while it runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kdebug_nb.engine.fleet import FleetProgress, FleetResult
from kdebug_nb.magics.fleet import FleetProgressBar


def _pod(name: str, namespace: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": {"fleet": "magic"}},
            "spec": {"containers": [{"name": "app", "image": "busybox", "command": ["sleep", "600"]}]}}


def test_a_selector_line_returns_a_fleet_result(
    ip: Any, fresh_namespace: str, running_pod: Callable[..., str]
) -> None:
    for name in ("m-1", "m-2"):
        running_pod(fresh_namespace, _pod(name, fresh_namespace))
    fr = ip.run_line_magic("kdebug", f"-l fleet=magic -n {fresh_namespace} --image=busybox -q "
                                     "-- sh -c 'echo hi from $HOSTNAME'")
    assert isinstance(fr, FleetResult) and fr.ok
    assert sorted(fr.frame.output) == ["hi from m-1\n", "hi from m-2\n"]
    assert "2 pods: 2 ok" in fr._repr_html_()


def test_the_cell_form_refuses_a_fleet_in_one_line(
    ip: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ip.run_cell_magic("kdebug", "-l fleet=magic --image=busybox", "echo hi\n") is None
    err = capsys.readouterr().err
    assert err.startswith("error: -i/-t attach to one container; a fleet run cannot share a "
                          "terminal between pods")
    assert len(err.splitlines()) == 1


def test_the_progress_bar_counts_and_ends_coloured_by_the_outcome() -> None:
    bar = FleetProgressBar(rich=True)
    bar(FleetProgress(done=0, failed=0, running=3, total=None, elapsed=0.1))
    assert bar.bar is not None and bar.bar.max == 3 and bar.bar.value == 0
    bar(FleetProgress(done=4, failed=1, running=2, total=10, elapsed=1.5, last="pod/x"))
    assert (bar.bar.max, bar.bar.value, bar.bar.bar_style) == (10, 4, "warning")
    assert bar.label.value == "4/10 done · 1 failed · 2 running · 1.5s"
    bar.finish(FleetResult(elapsed=2.0, concurrency=3))
    assert bar.bar.bar_style == "success" and bar.label.value.startswith("0 pods: 0 ok")


def test_no_frontend_no_terminal_no_output(capsys: pytest.CaptureFixture[str]) -> None:
    bar = FleetProgressBar(rich=False)
    bar(FleetProgress(done=1, failed=0, running=0, total=1, elapsed=0.2))
    bar.finish(FleetResult())
    assert capsys.readouterr() == ("", "") and bar.last.startswith("1/1 done")
