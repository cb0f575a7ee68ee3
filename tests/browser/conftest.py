"""Fixtures for the real-browser tier: one JupyterLab server and one Chromium per session.

Chromium is Debian's (``apt-get install chromium``), driven by PyPI ``playwright`` through
``executable_path``; ``playwright install`` (a browser download) is never used. Without
Chromium or playwright the tests skip with the reason, except under ``CI=true``, where
``.ci/run`` installs both and their absence is a failure. Every test leaves a screenshot in
``test-artifacts/browser/`` (``KDEBUG_TEST_ARTIFACTS`` moves it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lab_server import ARTIFACTS, LabServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/lib/chromium/chromium")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: .ci/run installs it, so this is a failure)")
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


# Module scope, not session: playwright's sync API keeps an asyncio loop running on the
# main thread while it is open, which would break later tests calling asyncio.run();
# and JupyterLab's memory is given back as soon as the browser tests are done.
@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        _unavailable(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[browser]')")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        print(f"chromium {browser.version}")
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab serving a scratch copy of notebooks/ (their history files land there)."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(ROOT / "notebooks", root)
    server = LabServer(root=root, base=base).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser page at 1400x1000; its screenshot is saved when the test ends."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        finally:
            context.close()
