"""No write is lost: concurrent one-shots, stale writes and slow bodies.

The API server stores through etcd's compare-and-swap
(k8s.io/apiserver/pkg/storage/etcd3/store.go, ``GuaranteedUpdate``): a write
based on a stale read gets 409 Conflict, and a patch always applies to the
object as it is when it is written.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kubernetes.client.exceptions import ApiException

from kdebug_nb.engine import Session

RUNS = 50


def test_fifty_parallel_one_shots_on_one_pod_keep_every_container(
    engine: Session, core_v1: Any, fresh_namespace: str, running_target: str
) -> None:
    def one(i: int) -> tuple[int, str, str | None, int | None]:
        r = engine.debug(running_target, image="busybox", command=["echo", f"run-{i:02d}"],
                  namespace=fresh_namespace, timeout=240)
        return i, r.output, r.container, r.exit_code

    with ThreadPoolExecutor(RUNS) as pool:
        results = list(pool.map(one, range(RUNS)))
    assert [(out, code) for _, out, _, code in results] == [(f"run-{i:02d}\n", 0) for i in range(RUNS)]
    pod = core_v1.read_namespaced_pod(running_target, fresh_namespace)
    in_spec = {c.name for c in pod.spec.ephemeral_containers or []}
    assert in_spec == {c for _, _, c, _ in results}
    assert len(in_spec) == RUNS


def _slow_request(api_client: Any, method: str, path: str, first: bytes, second: bytes,
                  content_type: str, meanwhile: Any) -> tuple[int, Any]:
    """Send a request whose body arrives in two parts, running ``meanwhile()`` between them."""
    cfg = api_client.configuration
    headers = {"Content-Type": content_type, "Accept": "application/json"}
    for setting in cfg.auth_settings().values():
        if setting.get("in") == "header" and setting.get("value"):
            headers[setting["key"]] = setting["value"]

    def body() -> Iterator[bytes]:
        yield first
        time.sleep(0.5)  # the server has the request's head by now
        meanwhile()
        yield second

    pool = api_client.rest_client.pool_manager
    resp = pool.urlopen(method, cfg.host + path, body=body(), headers=headers, chunked=True,
                        preload_content=True, timeout=60)
    return resp.status, json.loads(resp.data)


def test_a_patch_applies_to_the_object_as_it_is_when_written(
    api_client: Any, core_v1: Any, fresh_namespace: str
) -> None:
    name = f"slow-{uuid.uuid4().hex[:6]}"
    core_v1.create_namespaced_pod(fresh_namespace, {
        "metadata": {"name": name}, "spec": {"nodeName": "nowhere", "containers": [
            {"name": "app", "image": "busybox"}]}})
    path = f"/api/v1/namespaces/{fresh_namespace}/pods/{name}"
    patch = json.dumps({"metadata": {"labels": {"slow": "yes"}}}).encode()

    def meanwhile() -> None:
        core_v1.patch_namespaced_pod(name, fresh_namespace, {"metadata": {"labels": {"fast": "yes"}}})

    status, body = _slow_request(api_client, "PATCH", path, patch[:10], patch[10:],
                                 "application/strategic-merge-patch+json", meanwhile)
    assert status == 200, body
    labels = core_v1.read_namespaced_pod(name, fresh_namespace).metadata.labels
    assert labels == {"slow": "yes", "fast": "yes"}


def test_a_stale_patch_is_refused_with_409(api_client: Any, core_v1: Any, fresh_namespace: str) -> None:
    name = f"stale-{uuid.uuid4().hex[:6]}"
    created = core_v1.create_namespaced_pod(fresh_namespace, {
        "metadata": {"name": name}, "spec": {"nodeName": "nowhere", "containers": [
            {"name": "app", "image": "busybox"}]}})
    read_rv = created.metadata.resource_version
    path = f"/api/v1/namespaces/{fresh_namespace}/pods/{name}"
    patch = json.dumps({"metadata": {"resourceVersion": read_rv, "labels": {"mine": "1"}}}).encode()

    def meanwhile() -> None:
        core_v1.patch_namespaced_pod(name, fresh_namespace, {"metadata": {"labels": {"theirs": "1"}}})

    status, body = _slow_request(api_client, "PATCH", path, patch[:10], patch[10:],
                                 "application/merge-patch+json", meanwhile)
    assert status == 409, body
    assert body["reason"] == "Conflict"
    assert body["message"] == (
        f'Operation cannot be fulfilled on pods "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )
    assert core_v1.read_namespaced_pod(name, fresh_namespace).metadata.labels == {"theirs": "1"}


def test_a_stale_delete_precondition_is_refused_with_409(core_v1: Any, fresh_namespace: str) -> None:
    name = f"pre-{uuid.uuid4().hex[:6]}"
    created = core_v1.create_namespaced_pod(fresh_namespace, {
        "metadata": {"name": name}, "spec": {"nodeName": "nowhere", "containers": [
            {"name": "app", "image": "busybox"}]}})
    core_v1.patch_namespaced_pod(name, fresh_namespace, {"metadata": {"labels": {"x": "1"}}})
    try:
        core_v1.delete_namespaced_pod(name, fresh_namespace, body={
            "preconditions": {"resourceVersion": created.metadata.resource_version}})
        raise AssertionError("a stale precondition deleted the pod")
    except ApiException as exc:
        assert exc.status == 409
        current = core_v1.read_namespaced_pod(name, fresh_namespace).metadata.resource_version
        assert json.loads(exc.body or "{}")["message"] == (
            f'Operation cannot be fulfilled on pods "{name}": Precondition failed: ResourceVersion '
            f"in precondition: {created.metadata.resource_version}, ResourceVersion in object meta: {current}"
        )
