"""Docstrings and comments cite what a reader of this repo can open.

Upstream source by file and function, or a page under ``docs/``; never a
section of a document that lives outside the repo.
"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "kdebug_nb"

#: ways of pointing at documents a reader of the repo does not have
UNOPENABLE = re.compile(
    r"§|behaviou?r doc|design decision|design doc|/work/shared|shared/reference", re.IGNORECASE
)


def test_no_citation_of_documents_outside_the_repo() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if UNOPENABLE.search(line):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
    assert found == []


def test_docs_pages_cited_exist() -> None:
    root = PACKAGE.parent
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for page in re.findall(r"\bdocs/[\w./-]+\.md\b", path.read_text()):
            if not (root / page).exists():
                missing.append(f"{path.relative_to(root)}: {page}")
    assert missing == []
