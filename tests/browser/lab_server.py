"""A throwaway JupyterLab server for the browser tests.

Bound to 127.0.0.1 on a port the OS picks (``--port=0``; the server's runtime file says
which), with a random token, every Jupyter directory under a temporary folder (nothing
written to ``~``) and the news/update toasts switched off through
``labconfig/default_setting_overrides.json`` (jupyterlab_server's ``settings_utils.py``,
``_get_overrides``), so screenshots show the notebook and nothing else.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: where screenshots go (a CI job keeps this folder as its artifacts)
ARTIFACTS = Path(os.environ.get("KDEBUG_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "browser"

QUIET_LAB = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    }
}


@dataclass
class LabServer:
    root: Path
    base: Path
    token: str = ""
    url: str = ""
    process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> LabServer:
        self.token = secrets.token_hex(16)
        runtime = self.base / "runtime"
        config = self.base / "config"
        (config / "labconfig").mkdir(parents=True)
        (config / "labconfig" / "default_setting_overrides.json").write_text(
            json.dumps(QUIET_LAB)
        )
        env = dict(
            os.environ,
            JUPYTER_RUNTIME_DIR=str(runtime),
            JUPYTER_CONFIG_DIR=str(config),
            JUPYTER_DATA_DIR=str(self.base / "data"),
            JUPYTER_PLATFORM_DIRS="1",
            HOME=str(self.base / "home"),
        )
        env.pop("KUBECONFIG", None)  # the notebooks start their own sandbox
        log = (self.base / "server.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
             "--ip=127.0.0.1", "--port=0", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.root}", f"--LabApp.workspaces_dir={self.base / 'ws'}"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited: {self.log_tail()}")
            info = list(runtime.glob(f"jpserver-{self.process.pid}.json"))
            if info:
                port = json.loads(info[0].read_text())["port"]
                self.url = f"http://127.0.0.1:{port}"
                if self._ready():
                    return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"jupyter lab not ready within {timeout:.0f} s: {self.log_tail()}")

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2):
                return True
        except OSError:
            return False

    def lab_url(self, notebook: str) -> str:
        return f"{self.url}/lab/tree/{notebook}?reset&token={self.token}"

    def log_tail(self, chars: int = 3000) -> str:
        path = self.base / "server.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self) -> None:
        """SIGTERM the server's process group: the server and the kernels it started."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
