"""Loading, settings, help and errors: no cluster needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kdebug_nb.errors import ConfigError, UsageError
from kdebug_nb.magics import state_of
from kdebug_nb.magics.settings import Settings


def test_load_ext_is_cheap_and_lazy() -> None:
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "ip = InteractiveShell.instance()\n"
        "ip.run_line_magic('load_ext', 'kdebug_nb')\n"
        "assert {'kdebug', 'kstatus', 'khistory', 'ksandbox'} <= set(ip.magics_manager.magics['line'])\n"
        "assert 'kdebug' in ip.magics_manager.magics['cell']\n"
        "heavy = [m for m in ('kubernetes', 'pandas', 'aiohttp') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_config_lists_and_sets_settings(bare_shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    bare_shell.run_cell("%config KDebug")
    listing = capsys.readouterr().out
    for name in ("namespace", "context", "kubeconfig", "image", "profile", "timeout",
                 "history_path", "short_errors"):
        assert f"KDebug.{name}" in listing
    state = state_of(bare_shell)
    bare_shell.run_cell("%config KDebug.namespace = 'prod'\n%config KDebug.image = 'busybox'")
    try:
        settings = state.settings()
        assert isinstance(settings, Settings) and settings.namespace == "prod"
        with pytest.raises(AttributeError):
            settings.namespace = "x"  # type: ignore[misc]
    finally:
        bare_shell.run_cell("%config KDebug.namespace = ''\n%config KDebug.image = ''")


def test_settings_become_flags_that_the_line_overrides() -> None:
    from kdebug_nb.engine.grammar import parse_args

    s = Settings(namespace="prod", image="busybox", profile="netadmin", timeout=5)
    opts = parse_args([*s.default_flags(["web", "-n", "dev", "--profile=general", "--", "ps"]),
                       "web", "-n", "dev", "--profile=general", "--", "ps"])
    assert (opts.namespace, opts.profile, opts.image, opts.timeout) == ("dev", "general", "busybox", 5)
    # copy mode: a default image would replace a container's image, so none is added
    assert "--image=busybox" not in s.default_flags(["web", "--copy-to=x", "-c", "app", "--", "sh"])


def test_help_has_examples_and_the_engine_usage(bare_shell: Any) -> None:
    from kdebug_nb.engine import usage

    info = bare_shell.object_inspect("%kdebug")
    doc = info.get("docstring") or ""
    assert "%kdebug neato --image=busybox -- ps x" in doc
    assert usage("%kdebug").splitlines()[0] in doc
    for magic in ("%kstatus", "%khistory", "%ksandbox"):
        assert "Examples" in (bare_shell.object_inspect(magic).get("docstring") or "")


def _stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("cell", "phrase"),
    [
        ("%kdebug neato -- ps x", "you must specify --image"),
        ("%kdebug --image=busybox", "NAME or filename is required"),
        ("%kdebug neato --image=Busybox", "invalid reference format"),
        ("%kdebug neato --image=busybox --no-such-flag", "no-such-flag"),
        ("%kdebug neato --image=busybox -- sh -c 'unterminated", "cannot split"),
        ("%kstatus --bogus", "bogus"),
        ("%kstatus neato -A", "not both"),
        ("%khistory --export notes.txt", "--export wants a .md or .json"),
        ("%ksandbox explode", "explode"),
    ],
)
def test_usage_errors_are_one_line_with_usage(
    bare_shell: Any, capsys: pytest.CaptureFixture[str], cell: str, phrase: str
) -> None:
    bare_shell.run_cell(cell)
    lines = _stderr_lines(capsys)
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and phrase in lines[0]
    assert "usage: %k" in lines[0]


def test_no_cluster_configured_suggests_the_sandbox(
    bare_shell: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    for cell in ("%kdebug neato --image=busybox -- ps x", "%kstatus"):
        bare_shell.run_cell(cell)
        lines = _stderr_lines(capsys)
        assert len(lines) == 1, lines
        assert "no Kubernetes configuration found" in lines[0]
        assert "%ksandbox start" in lines[0] and "kdebug-sandbox" not in lines[0]


def test_short_errors_off_reraises(
    bare_shell: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    monkeypatch.setenv("HOME", str(tmp_path))
    bare_shell.run_cell("%config KDebug.short_errors = False")
    try:
        with pytest.raises(UsageError):
            bare_shell.run_cell("%kdebug neato -- ps x")
        with pytest.raises(ConfigError):
            bare_shell.run_cell("%kdebug neato --image=busybox -- ps x")
    finally:
        bare_shell.run_cell("%config KDebug.short_errors = True")


def test_unload_removes_everything(tmp_path: Path) -> None:
    from ipython_shell import make_shell

    shell = make_shell(tmp_path)
    shell.run_line_magic("load_ext", "kdebug_nb")
    state = state_of(shell)
    assert state is not None and state.config in shell.configurables
    shell.run_line_magic("unload_ext", "kdebug_nb")
    assert state_of(shell) is None
    assert "kdebug" not in shell.magics_manager.magics["line"]
    assert "kdebug" not in shell.magics_manager.magics["cell"]
    assert state.config not in shell.configurables
    assert "%kdebug" not in shell.strdispatchers["complete_command"].strs
    plain = shell.display_formatter.formatters["text/plain"]
    with pytest.raises(KeyError):
        plain.lookup_by_type("kdebug_nb.engine.runs.result.DebugResult")


def test_short_errors_off_shows_the_full_traceback(
    bare_shell: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    bare_shell.run_cell("%config KDebug.short_errors = False")
    try:
        with pytest.raises(UsageError) as info:
            bare_shell.run_cell("%kdebug neato -- ps x")
        rendered = "\n".join(info.value._render_traceback_())
        assert "Traceback" in rendered or "most recent call" in rendered
    finally:
        bare_shell.run_cell("%config KDebug.short_errors = True")
    capsys.readouterr()


def test_help_flag_prints_the_help(bare_shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    bare_shell.run_cell("%kdebug --help")
    out = capsys.readouterr().out
    assert "Examples" in out and "--copy-to" in out
