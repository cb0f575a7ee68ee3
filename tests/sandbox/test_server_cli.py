"""``kdebug-sandbox``: serve in the foreground, stop cleanly on a signal, list scenarios."""

from __future__ import annotations

import base64
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
import yaml
from kubectl_bin import http_json, wait_until

from kdebug_nb.sandbox.cli import main


def cli(*args: str) -> list[str]:
    exe = shutil.which("kdebug-sandbox", path=str(Path(sys.executable).parent))
    return [exe, *args] if exe else [sys.executable, "-m", "kdebug_nb.sandbox", *args]


class Served:
    """A ``kdebug-sandbox serve`` subprocess whose stdout is read on a thread."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            cli("serve", *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if m := re.search(pattern, line):
                return m
        assert self.proc.stderr is not None
        raise AssertionError(f"no {pattern!r} in {self.seen}; stderr: {self.proc.stderr.read()}")

    def close(self) -> None:
        # SIGTERM first: a SIGKILLed server could not stop its containers' processes.
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc.wait(10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def credentials(kubeconfig: Path) -> dict[str, Any]:
    """``http_json`` keywords for the admin token and CA a written kubeconfig holds."""
    conf = yaml.safe_load(kubeconfig.read_text())
    ca = base64.b64decode(conf["clusters"][0]["cluster"]["certificate-authority-data"])
    return {"token": conf["users"][0]["user"]["token"], "ca": ca}


@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name
)
def test_serve_until_signal_then_stop_everything(
    sig: signal.Signals, wait_gone: Callable[..., list[int]]
) -> None:
    served = Served("--port", "0")
    try:
        url = served.wait_for(r"serving at (https://127\.0\.0\.1:\d+)").group(1)
        kubeconfig = Path(served.wait_for(r"^kubeconfig: (\S+) \(context kdebug-sandbox").group(1))
        served.wait_for(rf"export KUBECONFIG={re.escape(str(kubeconfig))}$")
        served.wait_for("run as processes on this machine")
        assert kubeconfig.is_file()
        auth = credentials(kubeconfig)
        code, version = http_json(f"{url}/version", **auth)
        assert code == 200 and version["gitVersion"].startswith("v1.")
        neato = f"{url}/api/v1/namespaces/default/pods/neato"
        wait_until(
            lambda: http_json(neato, **auth)[1]["status"].get("phase") == "Running",
            what="neato Running",
        )
        pids = [p.pid for p in psutil.Process(served.proc.pid).children(recursive=True)]
        assert pids
        served.proc.send_signal(sig)
        assert served.proc.wait(30) == 0
        assert wait_gone(pids) == []
        assert not kubeconfig.exists()
    finally:
        served.close()


def test_serve_with_a_token_never_prints_it(tmp_path: Path) -> None:
    target = tmp_path / "kc.yaml"
    served = Served("--scenario", "locked-down", "--token", "hunter2", "--kubeconfig", str(target))
    try:
        url = served.wait_for(r"serving at (https://127\.0\.0\.1:\d+)").group(1)
        served.wait_for("Ctrl-C")
        ca = credentials(target)["ca"]
        assert credentials(target)["token"] == "hunter2"
        assert http_json(f"{url}/api/v1/namespaces", ca=ca)[0] == 401
        assert http_json(f"{url}/api/v1/namespaces", token="hunter2", ca=ca)[0] == 200
        served.proc.terminate()
        assert served.proc.wait(30) == 0
        assert "hunter2" not in "\n".join(served.seen)
        assert target.is_file()  # the user's own path is kept
    finally:
        served.close()


def test_insecure_http_warns_on_stderr() -> None:
    served = Served("--scenario", "locked-down", "--insecure-http")
    try:
        url = served.wait_for(r"serving at (http://127\.0\.0\.1:\d+)").group(1)
        served.wait_for("Ctrl-C")
        assert http_json(f"{url}/api/v1/namespaces")[0] == 200
        served.proc.terminate()
        assert served.proc.wait(30) == 0
        assert served.proc.stderr is not None
        warning = served.proc.stderr.read()
        assert warning.startswith("kdebug-sandbox: warning: this sandbox serves plain http")
        assert "runs commands as you" in warning and warning.count("\n") == 1
    finally:
        served.close()


def test_serve_bad_scenario_is_one_line_exit_1() -> None:
    proc = subprocess.run(
        cli("serve", "--scenario", "no-such"), capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("kdebug-sandbox: error: unknown scenario 'no-such'")
    assert proc.stderr.count("\n") == 1


def test_scenarios_lists_builtins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^default\s+The KEP-1441 user stories", out, re.M)
    assert re.search(r"^locked-down\s+", out, re.M)


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 1
    assert "serve" in capsys.readouterr().err


def test_python_dash_m_works() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "kdebug_nb.sandbox", "scenarios"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "locked-down" in proc.stdout


def test_serve_in_process_restores_signal_handlers_after_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = signal.getsignal(signal.SIGTERM)
    assert main(["serve", "--scenario", "no-such"]) == 1
    assert signal.getsignal(signal.SIGTERM) is before
    assert "unknown scenario 'no-such'" in capsys.readouterr().err


def test_tls_and_insecure_http_together_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--tls", "--insecure-http"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.endswith(
        "error: --tls and --insecure-http contradict each other; choose one\n"
    )
