"""Lists read in pages (``limit`` + ``continue``), so no list is ever held whole.

The API server's chunked lists (``staging/src/k8s.io/apiserver/pkg/storage/
etcd3/store.go``, ``GetList``; kubectl's ``--chunk-size``, default 500) give
at most ``limit`` items and a ``continue`` token for the rest, all from one
consistent snapshot. A fleet run over a selector matching 10,000 pods
holds one page at a time: the next page is read only when the previous one
has been handed out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

JSON = dict[str, Any]
#: kubectl's default ``--chunk-size``
PAGE_SIZE = 500


def iter_pages(fetch: Callable[[int, str], JSON], limit: int = PAGE_SIZE) -> Iterator[list[JSON]]:
    """Yield each page's items; ``fetch(limit, continue_token)`` reads one page."""
    token = ""
    while True:
        page = fetch(limit, token)
        yield list(page.get("items") or [])
        token = str((page.get("metadata") or {}).get("continue") or "")
        if not token:
            return


def iter_items(fetch: Callable[[int, str], JSON], limit: int = PAGE_SIZE) -> Iterator[JSON]:
    """Every item of every page, one page in memory at a time."""
    for items in iter_pages(fetch, limit):
        yield from items


__all__ = ["PAGE_SIZE", "iter_items", "iter_pages"]
