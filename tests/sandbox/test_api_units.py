"""Pure pieces of the API server: request info, selectors, Table cells, durations."""

from __future__ import annotations

import pytest

from kdebug_nb.sandbox.apiserver.request_info import parse_request_info
from kdebug_nb.sandbox.apiserver.selectors import exact_name, field_selector, label_selector
from kdebug_nb.sandbox.apiserver.tables import human_duration, pod_status_reason, wants_table
from kdebug_nb.sandbox.store.status import StatusError


@pytest.mark.parametrize(
    ("method", "path", "query", "expected"),
    [
        ("GET", "/api/v1/namespaces/default/pods", {}, ("list", "pods", "", "default", "")),
        ("GET", "/api/v1/namespaces/default/pods", {"watch": "1"}, ("watch", "pods", "", "default", "")),
        ("GET", "/api/v1/pods", {"watch": "true"}, ("watch", "pods", "", "", "")),
        ("GET", "/api/v1/namespaces/ns/pods/p", {}, ("get", "pods", "", "ns", "p")),
        ("PATCH", "/api/v1/namespaces/ns/pods/p/ephemeralcontainers", {},
         ("patch", "pods", "ephemeralcontainers", "ns", "p")),
        ("GET", "/api/v1/namespaces/ns/pods/p/exec", {}, ("create", "pods", "exec", "ns", "p")),
        ("POST", "/api/v1/namespaces/ns/pods/p/attach", {}, ("create", "pods", "attach", "ns", "p")),
        ("GET", "/api/v1/namespaces/ns/pods/p/log", {}, ("get", "pods", "log", "ns", "p")),
        ("DELETE", "/api/v1/namespaces/ns/pods", {}, ("deletecollection", "pods", "", "ns", "")),
        ("GET", "/api/v1/namespaces/ns", {}, ("get", "namespaces", "", "ns", "ns")),
        ("GET", "/api/v1/namespaces", {}, ("list", "namespaces", "", "", "")),
        ("PUT", "/api/v1/namespaces/ns/status", {}, ("update", "namespaces", "status", "ns", "ns")),
        ("GET", "/api/v1/nodes/n1", {}, ("get", "nodes", "", "", "n1")),
        ("GET", "/api/v1/watch/namespaces/ns/pods", {}, ("watch", "pods", "", "ns", "")),
        ("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {},
         ("create", "selfsubjectaccessreviews", "", "", "")),
    ],
)
def test_request_info(method: str, path: str, query: dict[str, str], expected: tuple[str, ...]) -> None:
    info = parse_request_info(method, path, query)
    assert info.is_resource
    assert (info.verb, info.resource, info.subresource, info.namespace, info.name) == expected


@pytest.mark.parametrize("path", ["/version", "/api", "/apis", "/api/v1", "/openapi/v3", "/healthz"])
def test_non_resource_paths(path: str) -> None:
    assert not parse_request_info("GET", path, {}).is_resource


def obj(labels: dict[str, str]) -> dict[str, object]:
    return {"metadata": {"name": "x", "labels": labels}}


@pytest.mark.parametrize(
    ("selector", "labels", "match"),
    [
        ("a=1", {"a": "1"}, True),
        ("a=1", {"a": "2"}, False),
        ("a!=1", {}, True),
        ("a in (1, 2)", {"a": "2"}, True),
        ("a notin (1,2)", {}, True),
        ("a", {"a": ""}, True),
        ("!a", {"a": ""}, False),
        ("app.kubernetes.io/name=web", {"app.kubernetes.io/name": "web"}, True),
        ("n>3", {"n": "4"}, True),
        ("n<3", {"n": "4"}, False),
        ("a=1,b in (x),!c", {"a": "1", "b": "x"}, True),
    ],
)
def test_label_selector(selector: str, labels: dict[str, str], match: bool) -> None:
    assert label_selector(selector)(obj(labels)) is match


@pytest.mark.parametrize("bad", ["a in 1", "a in (1", "=x", "a b"])
def test_bad_label_selector(bad: str) -> None:
    with pytest.raises(StatusError) as err:
        label_selector(bad)
    assert err.value.code == 400


def test_field_selector_escapes_and_fast_path() -> None:
    pod = {"metadata": {"name": "a,b", "namespace": "ns"}, "spec": {}, "status": {"phase": "Running"}}
    assert field_selector("Pod", r"metadata.name=a\,b")(pod)
    assert field_selector("Pod", "status.phase!=Pending,metadata.namespace==ns")(pod)
    assert exact_name("metadata.name=web") == "web"
    assert exact_name("metadata.name==web") == "web"
    assert exact_name("metadata.name!=web") is None
    assert exact_name("metadata.name=web,status.phase=Running") is None
    with pytest.raises(StatusError, match="field label not supported: spec.bogus"):
        field_selector("Pod", "spec.bogus=1")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (59, "59s"), (119, "119s"), (150, "2m30s"), (600, "10m"), (3 * 3600, "3h"),
     (3 * 3600 + 60 * 5, "3h5m"), (30 * 3600, "30h"), (3 * 86400 + 3600, "3d1h"), (40 * 86400, "40d"),
     (-5, "<invalid>")],
)
def test_human_duration(seconds: int, text: str) -> None:
    assert human_duration(seconds) == text


def status_pod(**status: object) -> dict[str, object]:
    return {
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "a"}], "initContainers": [{"name": "i"}]},
        "status": {"phase": "Pending", **status},
    }


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ({}, "Pending"),
        ({"initContainerStatuses": [{"name": "i", "state": {"running": {}}}]}, "Init:0/1"),
        ({"initContainerStatuses": [{"name": "i", "state": {"waiting": {"reason": "ErrImagePull"}}}]},
         "Init:ErrImagePull"),
        ({"initContainerStatuses": [{"name": "i", "state": {"terminated": {"exitCode": 2}}}]}, "Init:ExitCode:2"),
        ({"phase": "Running",
          "initContainerStatuses": [{"name": "i", "state": {"terminated": {"exitCode": 0}}}],
          "containerStatuses": [{"name": "a", "ready": True, "state": {"running": {}}}]}, "Running"),
        ({"phase": "Running",
          "initContainerStatuses": [{"name": "i", "state": {"terminated": {"exitCode": 0}}}],
          "containerStatuses": [{"name": "a", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]},
         "CrashLoopBackOff"),
        ({"phase": "Succeeded",
          "initContainerStatuses": [{"name": "i", "state": {"terminated": {"exitCode": 0}}}],
          "containerStatuses": [{"name": "a", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]},
         "Completed"),
    ],
)
def test_pod_status_column(status: dict[str, object], reason: str) -> None:
    assert pod_status_reason(status_pod(**status))[0] == reason


def test_terminating_column() -> None:
    pod = status_pod(phase="Running")
    pod["metadata"] = {"name": "p", "deletionTimestamp": "2026-01-01T00:00:00Z"}
    assert pod_status_reason(pod)[0] == "Terminating"


@pytest.mark.parametrize(
    ("accept", "version"),
    [
        ("application/json;as=Table;v=v1;g=meta.k8s.io,application/json", "meta.k8s.io/v1"),
        ("application/json;as=Table;v=v1beta1;g=meta.k8s.io", "meta.k8s.io/v1beta1"),
        ("application/json", None),
        ("application/json, application/json;as=Table;v=v1;g=meta.k8s.io", None),
        ("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io",
         "meta.k8s.io/v1"),
        ("", None),
    ],
)
def test_wants_table(accept: str, version: str | None) -> None:
    assert wants_table(accept) == version
