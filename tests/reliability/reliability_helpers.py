"""Helpers of the reliability suite: raw requests to the sandbox, pod bodies, polling.

A module of its own rather than the conftest, so tests import it by a name no
other test folder uses (``from conftest import`` resolves to whichever conftest
was imported first when several folders run together).

Raw requests go through the official client's own connection pool and
credentials (``ApiClient.param_serialize`` and its urllib3 pool), so they
reach the sandbox however its kubeconfig says to (plain or TLS, with or
without a token) with the body bytes exactly as given.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

Raw = Callable[..., tuple[int, Any]]


def raw_call(
    api_client: Any,
    method: str,
    path: str,
    body: bytes | None = None,
    content_type: str = "application/json",
    query: list[tuple[str, str]] | None = None,
) -> tuple[int, Any]:
    """Send ``body`` bytes exactly as given; return (status, decoded JSON or raw bytes)."""
    headers = {"Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = content_type
    method, url, headers, _, _ = api_client.param_serialize(
        method=method, resource_path=path, header_params=headers, auth_settings=["BearerToken"],
    )
    if query:
        # bytes on the wire: a lone surrogate goes out as the invalid UTF-8 it stands for
        url += "?" + "&".join(
            f"{quote(k, safe='', errors='surrogatepass')}={quote(v, safe='', errors='surrogatepass')}"
            for k, v in query
        )
    # urllib3 itself, as the client's REST layer re-encodes JSON bodies
    resp = api_client.rest_client.pool_manager.request(
        method, url, body=body, headers=headers, timeout=60, preload_content=True
    )
    status, data = resp.status, resp.data
    try:
        return status, json.loads(data)
    except (ValueError, TypeError):
        return status, data


def busybox_pod(name: str, command: list[str] | None = None, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "containers": [{"name": "app", "image": "busybox",
                            "command": command or ["sh", "-c", "while true; do sleep 1; done"]}],
            **spec,
        },
    }


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
