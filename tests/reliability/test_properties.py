"""Property-based: generated pod bodies, patches and query strings never get a 500.

Hypothesis throws JSON of every shape (and bytes that are not JSON) at the
places a client can put it; whatever the sandbox answers must be a 4xx or a
success, and it must still answer (and kubectl still list) afterwards.
Examples are derandomized and few, so the run is repeatable and bounded.
"""

from __future__ import annotations

import json
import urllib.parse
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import Raw

BOUNDED = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

scalars = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
# surrogates, NULs and friends, in keys and values
odd_text = st.text(st.characters(codec=None, categories=None), max_size=8) | st.sampled_from(
    ["\udcff", "\ud800x", "a\x00b", "\ufffd", "\U0001f600", "", " ", "-", "a" * 300]
)


def maybe(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(valid, json_values, odd_text)


string_lists = st.lists(odd_text, max_size=3)
containers = st.fixed_dictionaries(
    {"name": maybe(st.just("app")), "image": maybe(st.just("busybox"))},
    optional={
        "command": maybe(string_lists),
        "args": maybe(string_lists),
        "env": maybe(st.lists(st.fixed_dictionaries({"name": maybe(st.just("A")), "value": maybe(odd_text)}),
                              max_size=2)),
        "ports": maybe(st.lists(st.fixed_dictionaries({"containerPort": maybe(st.integers(0, 70000))}),
                                max_size=2)),
        "resources": maybe(st.fixed_dictionaries({"limits": maybe(st.dictionaries(odd_text, json_values))})),
        "securityContext": maybe(st.fixed_dictionaries({"runAsUser": maybe(st.integers())},
                                                       optional={"privileged": json_values})),
        "volumeMounts": maybe(st.lists(st.fixed_dictionaries({"name": maybe(odd_text),
                                                              "mountPath": maybe(odd_text)}), max_size=2)),
        "livenessProbe": maybe(st.fixed_dictionaries({"httpGet": maybe(st.fixed_dictionaries(
            {"port": maybe(st.integers())}))})),
        "targetContainerName": maybe(odd_text),
    },
)
specs = st.fixed_dictionaries(
    {"containers": maybe(st.lists(containers, max_size=3))},
    optional={
        "initContainers": maybe(st.lists(containers, max_size=2)),
        "ephemeralContainers": maybe(st.lists(containers, max_size=1)),
        "volumes": maybe(st.lists(st.fixed_dictionaries({"name": maybe(odd_text)}, optional={
            "hostPath": maybe(st.fixed_dictionaries({"path": maybe(odd_text)})),
            "configMap": json_values}), max_size=2)),
        "restartPolicy": maybe(st.sampled_from(["Always", "Never", "OnFailure"])),
        "securityContext": json_values,
        "tolerations": maybe(st.lists(json_values, max_size=2)),
        "terminationGracePeriodSeconds": maybe(st.integers()),
        "hostPID": json_values,
        "nodeSelector": maybe(st.dictionaries(odd_text, odd_text, max_size=2)),
    },
)
metas = st.fixed_dictionaries(
    {"name": maybe(st.builds(lambda: f"prop-{uuid.uuid4().hex[:8]}"))},
    optional={
        "labels": maybe(st.dictionaries(odd_text, odd_text, max_size=2)),
        "annotations": maybe(st.dictionaries(odd_text, odd_text, max_size=2)),
        "generateName": maybe(odd_text),
        "namespace": json_values,
        "resourceVersion": json_values,
    },
)
pods = st.fixed_dictionaries(
    {"metadata": maybe(metas), "spec": maybe(specs)},
    optional={"kind": maybe(st.just("Pod")), "apiVersion": maybe(st.just("v1")), "status": json_values},
)
BODY_TYPES = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]
PATCH_TYPES = ["application/merge-patch+json", "application/strategic-merge-patch+json",
               "application/json-patch+json"]
json_patch_ops = st.lists(st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "remove", "replace", "move", "copy", "test"]) | odd_text,
     "path": st.sampled_from(["/metadata/labels/x", "/spec/containers/0/image", "/spec",
                              "/spec/ephemeralContainers/-", "/status/phase", "/metadata"]) | odd_text},
    optional={"value": json_values, "from": odd_text}), max_size=3)


def _park(body: Any) -> Any:
    """Keep created pods from running anything: bind them to a node that does not exist."""
    if isinstance(body, dict) and isinstance(body.get("spec"), dict):
        body["spec"]["nodeName"] = "nowhere"
    return body


def _encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=True).encode()


@pytest.fixture(scope="module")
def arena(core_v1: Any) -> Any:
    """A namespace with one parked pod, deleted (with whatever was created) at the end."""
    name = f"t-properties-{uuid.uuid4().hex[:6]}"
    core_v1.create_namespace({"metadata": {"name": name}})
    core_v1.create_namespaced_pod(name, {"metadata": {"name": "target"}, "spec": {
        "nodeName": "nowhere", "containers": [{"name": "app", "image": "busybox"}]}})
    yield name
    core_v1.delete_namespace(name)


def _no_500(status: int, body: Any) -> None:
    assert status < 500, body


@BOUNDED
@given(pod=pods, ctype=st.sampled_from(BODY_TYPES), as_yaml=st.booleans())
def test_generated_pod_bodies(raw: Raw, arena: str, pod: Any, ctype: str, as_yaml: bool) -> None:
    data = _encode(_park(pod))
    status, body = raw("POST", f"/api/v1/namespaces/{arena}/pods", data,
                       content_type="application/yaml" if as_yaml else "application/json")
    _no_500(status, body)
    status, body = raw("PUT", f"/api/v1/namespaces/{arena}/pods/target", data)
    _no_500(status, body)


@BOUNDED
@given(data=st.binary(max_size=120), ctype=st.sampled_from(BODY_TYPES + PATCH_TYPES))
def test_bytes_that_are_not_json(raw: Raw, arena: str, data: bytes, ctype: str) -> None:
    method = "PATCH" if ctype in PATCH_TYPES else "POST"
    path = f"/api/v1/namespaces/{arena}/pods" + ("/target" if method == "PATCH" else "")
    status, body = raw(method, path, data, content_type=ctype)
    _no_500(status, body)


@BOUNDED
@given(
    patch=json_values | st.builds(_park, pods) | json_patch_ops,
    ctype=st.sampled_from(PATCH_TYPES),
    target=st.sampled_from(["pods/target", "pods/target/status", "pods/target/ephemeralcontainers", ""]),
)
def test_generated_patches(raw: Raw, arena: str, patch: Any, ctype: str, target: str) -> None:
    path = f"/api/v1/namespaces/{arena}" + (f"/{target}" if target else "")
    status, body = raw("PATCH", path, _encode(patch), content_type=ctype)
    _no_500(status, body)


QUERY_NAMES = ["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion",
               "resourceVersionMatch", "watch", "allowWatchBookmarks", "sendInitialEvents",
               "dryRun", "fieldValidation", "gracePeriodSeconds", "container", "tailLines",
               "limitBytes", "sinceSeconds", "follow", "timestamps", "previous"]


@BOUNDED
@given(
    params=st.lists(st.tuples(st.sampled_from(QUERY_NAMES) | odd_text, odd_text | st.sampled_from(
        ["true", "1", "0", "-1", "a=b", "a in (x", "metadata.name=x", "status.phase!=Running",
         "99999999999999999999", "All", "Strict", "NotOlderThan"])), max_size=4),
    path=st.sampled_from(["/api/v1/pods", "/api/v1/namespaces/{ns}/pods", "/api/v1/namespaces",
                          "/api/v1/nodes", "/api/v1/namespaces/{ns}/events",
                          "/api/v1/namespaces/{ns}/pods/target", "/api/v1/namespaces/{ns}/pods/target/log",
                          "/api/v1/namespaces/{ns}/pods/{odd}"]),
    odd=odd_text,
    method=st.sampled_from(["GET", "GET", "DELETE"]),
)
def test_generated_query_strings(raw: Raw, arena: str, params: list[tuple[str, str]], path: str,
                                 odd: str, method: str) -> None:
    # a watch must end: every request carries a short timeout (listed last, so it wins)
    query = [(k, v) for k, v in params if k not in ("timeoutSeconds", "follow")] + [("timeoutSeconds", "1")]
    where = path.format(ns=arena, odd=urllib.parse.quote(odd.encode("utf-8", "surrogatepass"), safe="") or "x")
    if method == "DELETE" and not where.endswith("/pods"):
        method = "GET"  # keep the arena: collection deletes only
    status, body = raw(method, where, query=query)
    _no_500(status, body)


def test_still_answering_afterwards(raw: Raw, kubectl: Any, arena: str) -> None:
    status, body = raw("GET", "/api/v1/pods")
    assert status == 200, body
    done = kubectl("get", "pods", "-A", "-o", "json")
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)
