"""What the request guard lets through: the sandbox's own names and origin, typed writes.

Its refusals are the attacks in ``tests/reliability/test_sandbox_security.py``.
"""

from __future__ import annotations

import http.client
import json
import ssl
import uuid
from typing import Any

import pytest
from kubectl_bin import sandbox_json, sandbox_token

from kdebug_nb.sandbox.server import Sandbox

PATCH_415 = (
    "the body of the request was in an unknown format - accepted media types include: "
    "application/json-patch+json, application/merge-patch+json, "
    "application/apply-patch+yaml, application/strategic-merge-patch+json"
)


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "127.0.0.1", "localhost:{port}", "LOCALHOST"])
def test_the_loopback_names_are_served(sandbox: Sandbox, host: str) -> None:
    headers = {"Host": host.format(port=sandbox.port)}
    assert sandbox_json(sandbox, "/api/v1/namespaces", headers=headers)[0] == 200


@pytest.mark.parametrize("origin", ["https://127.0.0.1:{port}", "https://localhost:{port}"])
def test_the_sandbox_own_origin_is_served(sandbox: Sandbox, origin: str) -> None:
    # websocket-client (under kubernetes.stream) sends the server's own origin
    headers = {"Origin": origin.format(port=sandbox.port)}
    assert sandbox_json(sandbox, "/api/v1/namespaces", headers=headers)[0] == 200


def ns_body(name: str) -> bytes:
    return json.dumps({"metadata": {"name": name}}).encode()


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "application/yaml"]
)
def test_typed_writes_pass(sandbox: Sandbox, content_type: str) -> None:
    name = f"typed-{uuid.uuid4().hex[:6]}"
    headers = {"Content-Type": content_type}
    code, _ = sandbox_json(
        sandbox, "/api/v1/namespaces", method="POST", headers=headers, data=ns_body(name)
    )
    assert code == 201
    assert sandbox_json(sandbox, f"/api/v1/namespaces/{name}", method="DELETE")[0] == 200


def untyped_post(sb: Sandbox, path: str, body: bytes, token: str) -> int:
    """POST with no Content-Type at all (urllib would add a form type)."""
    assert sb.ca_pem is not None
    context = ssl.create_default_context(cadata=sb.ca_pem.decode())
    conn = http.client.HTTPSConnection(sb.host, sb.port, context=context, timeout=10)
    try:
        conn.request("POST", path, body=body, headers={"Authorization": f"Bearer {token}"})
        return conn.getresponse().status
    finally:
        conn.close()


def test_an_untyped_body_with_a_token_is_json_as_the_api_server_reads_it(
    sandbox: Sandbox, core_v1: Any
) -> None:
    # The official client (37.x) sends create bodies without a Content-Type.
    name = f"untyped-{uuid.uuid4().hex[:6]}"
    assert untyped_post(sandbox, "/api/v1/namespaces", ns_body(name), sandbox_token(sandbox)) == 201
    core_v1.delete_namespace(name)


@pytest.mark.parametrize("content_type", [None, "application/json", "text/plain"])
def test_a_patch_needs_a_patch_type(sandbox: Sandbox, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    code, body = sandbox_json(
        sandbox,
        "/api/v1/namespaces/default",
        method="PATCH",
        headers=headers,
        data=b'{"metadata": {"labels": {"x": "y"}}}',
    )
    assert (code, body["message"]) == (415, PATCH_415)


def test_a_delete_body_of_a_foreign_type_is_415(sandbox: Sandbox) -> None:
    code, body = sandbox_json(
        sandbox,
        "/api/v1/namespaces/default/pods/no-such-pod",
        method="DELETE",
        headers={"Content-Type": "text/plain"},
        data=b"{}",
    )
    assert code == 415 and body["reason"] == "UnsupportedMediaType"
