"""The notebooks run in an environment made only from binder/'s files (slow).

What repo2docker does, minus Docker: a fresh virtual environment on the Python that
``binder/runtime.txt`` names, ``pip install -r binder/requirements.txt``, ``binder/postBuild``
run from the repository root, then every notebook executed in that environment's own
kernel, started through ``binder/start``. Nothing from the test's own environment leaks in.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_binder_files import BINDER, ROOT, runtime_python

pytestmark = pytest.mark.slow

RUN_NOTEBOOKS = r"""
import sys, pathlib, nbformat, nbclient
failed = []
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    scratch = pathlib.Path(sys.argv[2]) / path.stem
    scratch.mkdir()
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(scratch)}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    print(path.stem, "errors:", len(errors), flush=True)
    # the postmortem notebook shows one failed command on purpose
    if path.stem != "postmortem" and errors:
        failed.append(f"{path.stem}: {errors[0].ename}: {errors[0].evalue}")
print("kernel python:", sys.executable)
sys.exit("\n".join(failed) or None)
"""


def _python_for(version: str) -> str:
    found = shutil.which(f"python{version}")
    if found is None:
        if f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
            return sys.executable
        pytest.fail(f"binder/runtime.txt asks for Python {version}, which is not installed here")
    return found


def test_notebooks_run_in_an_environment_made_from_binder_files(tmp_path: Path) -> None:
    version = runtime_python()
    env_dir = tmp_path / "env"
    subprocess.run([_python_for(version), "-m", "venv", str(env_dir)], check=True, timeout=120)
    bin_dir = env_dir / "bin"
    env = {
        "PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "jupyter-runtime"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")),
        "LANG": "C.UTF-8",
    }
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_TRUSTED_HOST"):
        if name in os.environ:
            env[name] = os.environ[name]

    def step(*cmd: str, timeout: float = 600) -> str:
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
        assert done.returncode == 0, f"{' '.join(cmd)}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
        return done.stdout

    step("pip", "install", "-q", "-r", str(BINDER / "requirements.txt"))
    step(str(BINDER / "postBuild"))
    out = step(str(BINDER / "start"), "python", "-c", RUN_NOTEBOOKS,
               str(ROOT / "notebooks"), str(tmp_path))
    assert f"kernel python: {bin_dir / 'python'}" in out
    ran = [ln.split()[0] for ln in out.splitlines() if " errors: " in ln]
    assert sorted(ran) == sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert subprocess.run([str(bin_dir / "python"), "-c", "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, sys.argv[1].split('.'))))", version]).returncode == 0
