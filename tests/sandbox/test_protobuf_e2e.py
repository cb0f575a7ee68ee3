"""End to end: real kubectl copies the maximal pod in the sandbox, over protobuf.

The maximal pod (every PodSpec field set) is created through the API, given an
ephemeral container through the subresource, then copied with ``kubectl debug
--copy-to ... --keep-*``. kubectl POSTs the copy as protobuf; the sandbox must
decode it exactly, so the stored copy has every field of the stored original.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_protobuf_encoder import bfield, encode, envelope
from test_protobuf_kubectl import known_to

Kubectl = Callable[..., Any]

DATA = Path(__file__).parent / "data"


def read_raw(core_v1: Any, name: str, namespace: str) -> dict[str, Any]:
    resp = core_v1.read_namespaced_pod(name, namespace, _preload_content=False)
    return json.loads(resp.data)  # type: ignore[no-any-return]


def send(
    api_client: Any, method: str, path: str, body: Any, content_type: str, *, expect: int = 0
) -> tuple[int, Any]:
    """Send a body through the official client's transport, bypassing its models
    (they predate some fields of the maximal pod and would reject them).

    Fails the test on an error status unless ``expect`` names that status.
    Returns (status, decoded JSON response).
    """
    method, url, headers, data, _ = api_client.param_serialize(
        method,
        path,
        header_params={"Content-Type": content_type, "Accept": "application/json"},
        body=body,
        auth_settings=["BearerToken"],
    )
    resp = api_client.call_api(method, url, header_params=headers, body=data)
    resp.read()
    if resp.status >= 300 and resp.status != expect:
        pytest.fail(f"the sandbox refused {method} {path}: {resp.status} {resp.data!r}")
    return resp.status, json.loads(resp.data)


def first_difference(want: Any, got: Any, path: str = "") -> str | None:
    """Where ``got`` fails to contain ``want``, or None.

    Defaulting may add keys to objects, and admission appends the default
    not-ready/unreachable tolerations, so ``tolerations`` may have more items.
    """
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return f"{path}: want an object, got {got!r}"
        for key, value in want.items():
            if key not in got:
                return f"{path}.{key}: missing"
            found = first_difference(value, got[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(want, list):
        appended = path.endswith(".tolerations") and isinstance(got, list)
        if not isinstance(got, list) or (len(got) != len(want) and not appended):
            return f"{path}: want {len(want)} items, got {got!r}"
        for i, (w, g) in enumerate(zip(want, got[: len(want)], strict=True)):
            found = first_difference(w, g, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if want == got else f"{path}: want {want!r}, got {got!r}"


def test_kubectl_copy_of_the_maximal_pod_keeps_every_field(
    any_kubectl: Kubectl,
    api_client: Any,
    core_v1: Any,
    fresh_namespace: str,
    request: pytest.FixtureRequest,
) -> None:
    ns = fresh_namespace
    pod = json.loads((DATA / "maximal_pod.json").read_text())
    pod["metadata"]["namespace"] = ns
    ephemeral = pod["spec"].pop("ephemeralContainers")  # not allowed on create
    pods = f"/api/v1/namespaces/{ns}/pods"
    send(api_client, "POST", pods, pod, "application/json")
    patch = {"spec": {"ephemeralContainers": ephemeral}}
    send(
        api_client,
        "PATCH",
        f"{pods}/maximal/ephemeralcontainers",
        patch,
        "application/strategic-merge-patch+json",
    )
    original = read_raw(core_v1, "maximal", ns)
    pod["spec"]["ephemeralContainers"] = ephemeral
    stored = first_difference(pod["spec"], original["spec"], "spec")
    assert stored is None, f"the sandbox did not store the maximal pod as sent: {stored}"

    proc = any_kubectl(
        "debug", "-n", ns, "maximal", "--copy-to=maximal-copy", "--image=busybox",
        "--keep-labels", "--keep-annotations", "--keep-liveness", "--keep-readiness",
        "--keep-startup", "--profile=general",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    copied = read_raw(core_v1, "maximal-copy", ns)

    assert copied["metadata"]["labels"] == original["metadata"]["labels"]
    assert copied["metadata"]["annotations"] == original["metadata"]["annotations"]
    version = request.node.callspec.params["any_kubectl"]
    want = known_to(version, original["spec"])
    got = dict(copied["spec"])
    debugger = got["containers"].pop()
    assert debugger["name"].startswith("debugger-") and debugger["image"] == "busybox"
    assert debugger["securityContext"] == {"capabilities": {"add": ["SYS_PTRACE"]}}
    del want["ephemeralContainers"]
    # nodeName: cleared by kubectl, then set again by the sandbox's scheduler.
    want.pop("nodeName")
    got.pop("nodeName", None)
    for key in sorted(set(want) | set(got)):
        assert got.get(key) == want.get(key), f"spec.{key} differs in the copy"


def test_kubectl_create_namespace_over_protobuf(any_kubectl: Kubectl, core_v1: Any) -> None:
    name = f"pb-ns-{uuid.uuid4().hex[:8]}"
    proc = any_kubectl("create", "namespace", name)
    assert proc.returncode == 0, proc.stderr
    try:
        assert core_v1.read_namespace(name).metadata.name == name
    finally:
        core_v1.delete_namespace(name)


PROTOBUF = "application/vnd.kubernetes.protobuf"


def test_protobuf_create_and_delete_through_the_api(
    api_client: Any, core_v1: Any, fresh_namespace: str
) -> None:
    ns = fresh_namespace
    spec = {
        "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "60"]}],
        "shareProcessNamespace": False,
        "terminationGracePeriodSeconds": 0,
    }
    body = envelope("Pod", encode("Pod", {"metadata": {"name": "pb"}, "spec": spec}))
    pods = f"/api/v1/namespaces/{ns}/pods"
    status, created = send(api_client, "POST", pods, body, PROTOBUF)
    assert status == 201
    assert created["spec"]["shareProcessNamespace"] is False
    assert created["spec"]["terminationGracePeriodSeconds"] == 0
    options = envelope("DeleteOptions", encode("DeleteOptions", {"gracePeriodSeconds": 0}))
    status, _ = send(api_client, "DELETE", f"{pods}/pb", options, PROTOBUF)
    assert status == 200


def test_unknown_protobuf_field_is_answered_415(api_client: Any, fresh_namespace: str) -> None:
    spec = encode("PodSpec", {"containers": [{"name": "c", "image": "busybox"}]})
    body = envelope("Pod", bfield(1, bfield(1, "odd")) + bfield(2, spec + bfield(99, "x")))
    pods = f"/api/v1/namespaces/{fresh_namespace}/pods"
    status, answer = send(api_client, "POST", pods, body, PROTOBUF, expect=415)
    assert status == 415
    assert answer["kind"] == "Status" and answer["reason"] == "UnsupportedMediaType"
    assert "unknown field 99" in answer["message"] and "v1.PodSpec" in answer["message"]
