"""The files repo2docker reads from binder/ agree with pyproject.toml.

repo2docker (https://repo2docker.readthedocs.io/en/latest/config_files.html) reads, from
``binder/`` when that folder exists: ``runtime.txt`` (the Python version),
``requirements.txt``, ``apt.txt``, ``postBuild`` and ``start``. An ``environment.yml``
would switch it to conda and ignore ``requirements.txt``, so there must be none.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
REPO2DOCKER_FILES = {"runtime.txt", "requirements.txt", "apt.txt", "postBuild", "start"}


def runtime_python() -> str:
    """The ``X.Y`` that ``binder/runtime.txt`` asks repo2docker for."""
    text = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", text)
    assert match, f"binder/runtime.txt must read python-X.Y, not {text!r}"
    return match.group(1)


def requirement_lines() -> list[Requirement]:
    lines = (BINDER / "requirements.txt").read_text().splitlines()
    return [Requirement(line) for line in (ln.split("#")[0].strip() for ln in lines) if line]


def postbuild_extras() -> list[str]:
    """The extras of every ``pip install ... .[extra,...]`` of this checkout in postBuild."""
    extras = []
    for line in (BINDER / "postBuild").read_text().splitlines():
        words = shlex.split(line, comments=True)
        if words[:2] != ["pip", "install"]:
            continue
        for word in words[2:]:
            match = re.fullmatch(r"\.\[([\w,-]+)\]", word)
            if match:
                extras += match.group(1).split(",")
    return extras


def declared_requirements() -> dict[str, list[Requirement]]:
    project = PYPROJECT["project"]
    found: dict[str, list[Requirement]] = {}
    for text in project["dependencies"] + sum(project["optional-dependencies"].values(), []):
        req = Requirement(text)
        found.setdefault(req.name.lower(), []).append(req)
    return found


def test_binder_holds_only_files_repo2docker_reads() -> None:
    present = {p.name for p in BINDER.iterdir()}
    assert present - {"README.md"} == REPO2DOCKER_FILES
    assert not (ROOT / "environment.yml").exists()


def test_runtime_pins_a_python_the_package_supports() -> None:
    version = Version(runtime_python())
    assert version in SpecifierSet(PYPROJECT["project"]["requires-python"])
    assert runtime_python() == PYPROJECT["tool"]["mypy"]["python_version"]


def test_requirements_appear_in_pyproject_with_the_same_specifier() -> None:
    declared = declared_requirements()
    for req in requirement_lines():
        assert req.name.lower() in declared, f"{req} is not declared in pyproject.toml"
        assert any(d.specifier == req.specifier for d in declared[req.name.lower()]), req


def test_postbuild_installs_this_checkout_with_an_extra_that_exists() -> None:
    extras = postbuild_extras()
    assert extras == ["notebook"]
    assert set(extras) <= set(PYPROJECT["project"]["optional-dependencies"])
    notebook = {Requirement(r).name for r in PYPROJECT["project"]["optional-dependencies"]["notebook"]}
    # what the notebooks import besides the package's own dependencies
    assert {"ipykernel", "ipywidgets", "matplotlib"} <= notebook


def test_start_starts_nothing_and_execs_the_server(tmp_path: Path) -> None:
    start = BINDER / "start"
    assert start.stat().st_mode & 0o111, "binder/start must be executable"
    code = [ln.strip() for ln in start.read_text().splitlines() if ln.strip()]
    code = [ln for ln in code if not ln.startswith("#")]
    assert code[-1] == 'exec "$@"'
    assert not any(ln.endswith("&") or "nohup" in ln for ln in code), code
    done = subprocess.run([str(start), "echo", "server ran"], capture_output=True, text=True,
                          timeout=30, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "server ran\n")
    assert list(tmp_path.iterdir()) == []


def test_apt_packages_are_debian_packages() -> None:
    names = [ln.strip() for ln in (BINDER / "apt.txt").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert names == ["busybox-static"]
    if subprocess.run(["which", "apt-cache"], capture_output=True).returncode != 0:
        pytest.skip("no apt-cache here to look the packages up")
    shown = subprocess.run(["apt-cache", "show", *names], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr


def test_readme_binder_badge_points_at_this_repository() -> None:
    repo = PYPROJECT["project"]["urls"]["Repository"]
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+)", repo)
    assert match, f"[project.urls] Repository must be a GitHub URL, not {repo!r}"
    readme = (ROOT / "README.md").read_text()
    badges = re.findall(r"\(https://mybinder\.org/v2/gh/([^)]+)\)", readme)
    assert badges, "README has no binder badge"
    for target in badges:
        path, _, query = target.partition("?")
        assert path == f"{match.group(1)}/HEAD", target
        labpath = re.search(r"labpath=([^&]+)", query)
        assert labpath, target
        assert (ROOT / labpath.group(1).replace("%2F", "/")).is_file(), target
