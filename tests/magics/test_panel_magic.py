"""%kdebug --panel: the debug panel on the magics' cluster and session, filled in from the line."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("ipywidgets")


def test_panel_magic_shows_a_panel_on_the_magics_cluster(ip: Any) -> None:
    from kdebug_nb.magics import state_of
    from kdebug_nb.widgets import DebugPanel

    ip.run_cell("p = %kdebug --panel")
    p = ip.user_ns["p"]
    try:
        assert isinstance(p, DebugPanel)
        assert p.error.value == ""
        assert p.connection is not None and p.connection.context == "kdebug-sandbox"
        assert "neato" in [name for _label, name in p.pod.options]
        p.pod.value = "neato"
        p.command.value = "echo from-the-panel"
        p.start()
        assert p.wait(60)
        ip.run_cell("h = %khistory")
        record = state_of(ip).store.records[-1]
        assert record.magic == "panel" and record.output.strip() == "from-the-panel"
        assert "echo from-the-panel" in list(ip.user_ns["h"]["command"])[-1]
    finally:
        p.close()


def test_panel_magic_fills_the_panel_from_the_line(ip: Any) -> None:
    ip.run_cell("p = %kdebug neato -n default --image=alpine --target=neato --panel -- ps x")
    p = ip.user_ns["p"]
    try:
        assert (p.namespace.value, p.pod.value, p.target.value) == ("default", "neato", "neato")
        assert (p.image.value, p.command.value) == ("alpine", "ps x")
        assert p.command_line() == (
            "neato -n default --image=alpine --target=neato --profile=general -- ps x"
        )
    finally:
        p.close()


def test_panel_after_the_command_separator_is_the_commands(ip: Any, capsys: Any) -> None:
    ip.run_cell("r = %kdebug neato --image=busybox -q -- echo --panel")
    assert ip.user_ns["r"].output.strip() == "--panel"
    capsys.readouterr()
