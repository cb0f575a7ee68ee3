"""Pods over the official client: create (defaulting, validation), get, list, delete, update."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from kubernetes.client.exceptions import ApiException

#: a node that does not exist: pods bound to it stay Pending and run no process
PARKED = "parked-node"


def pod(name: str, *containers: dict[str, Any], **spec: Any) -> dict[str, Any]:
    if not containers:
        containers = ({"name": "app", "image": "busybox:1.36", "command": ["sleep", "3600"]},)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"nodeName": PARKED, "containers": list(containers), **spec},
    }


def raw(resp: Any) -> Any:
    return json.loads(resp.data)


def status_of(exc: ApiException) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(exc.body)
    assert body["kind"] == "Status" and body["code"] == exc.status
    return body


def test_create_applies_api_server_defaults(core_v1: Any, fresh_namespace: str) -> None:
    body = pod(
        "defaults",
        {"name": "latest", "image": "busybox"},
        {"name": "pinned", "image": "busybox:1.36", "ports": [{"containerPort": 80}]},
        {"name": "digest", "image": "busybox@sha256:" + "a" * 64},
    )
    created = raw(core_v1.create_namespaced_pod(fresh_namespace, body, _preload_content=False))
    meta, spec = created["metadata"], created["spec"]
    assert meta["namespace"] == fresh_namespace and meta["uid"] and meta["resourceVersion"]
    assert meta["creationTimestamp"].endswith("Z")
    assert spec["restartPolicy"] == "Always"
    assert spec["dnsPolicy"] == "ClusterFirst"
    assert spec["schedulerName"] == "default-scheduler"
    assert spec["terminationGracePeriodSeconds"] == 30
    assert spec["securityContext"] == {}
    assert spec["serviceAccountName"] == "default"
    pulls = {c["name"]: c["imagePullPolicy"] for c in spec["containers"]}
    assert pulls == {"latest": "Always", "pinned": "IfNotPresent", "digest": "IfNotPresent"}
    for c in spec["containers"]:
        assert c["terminationMessagePath"] == "/dev/termination-log"
        assert c["terminationMessagePolicy"] == "File"
        assert c["resources"] == {}
    assert spec["containers"][1]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert created["status"]["phase"] == "Pending"
    assert created["status"]["qosClass"] == "BestEffort"


def test_qos_class(core_v1: Any, fresh_namespace: str) -> None:
    limits = {"cpu": "100m", "memory": "64Mi"}
    guaranteed = pod("qos-g", {"name": "a", "image": "busybox", "resources": {"limits": limits}})
    burstable = pod("qos-b", {"name": "a", "image": "busybox", "resources": {"requests": {"cpu": "1m"}}})
    g = core_v1.create_namespaced_pod(fresh_namespace, guaranteed)
    b = core_v1.create_namespaced_pod(fresh_namespace, burstable)
    assert g.status.qos_class == "Guaranteed"
    assert g.spec.containers[0].resources.requests == limits
    assert b.status.qos_class == "Burstable"


def test_generate_name(core_v1: Any, fresh_namespace: str) -> None:
    body = pod("")
    body["metadata"] = {"generateName": "gen-"}
    created = core_v1.create_namespaced_pod(fresh_namespace, body)
    assert created.metadata.name.startswith("gen-") and len(created.metadata.name) == 9


def test_create_existing_is_409(core_v1: Any, fresh_namespace: str) -> None:
    core_v1.create_namespaced_pod(fresh_namespace, pod("twice"))
    with pytest.raises(ApiException) as err:
        core_v1.create_namespaced_pod(fresh_namespace, pod("twice"))
    body = status_of(err.value)
    assert err.value.status == 409 and body["reason"] == "AlreadyExists"
    assert body["message"] == 'pods "twice" already exists'
    assert body["details"] == {"name": "twice", "group": "", "kind": "pods"}


def test_create_in_missing_namespace_is_404(core_v1: Any) -> None:
    with pytest.raises(ApiException) as err:
        core_v1.create_namespaced_pod("no-such-ns", pod("x"))
    assert err.value.status == 404
    assert status_of(err.value)["message"] == 'namespaces "no-such-ns" not found'


@pytest.mark.parametrize(
    ("body", "field", "reason", "phrase"),
    [
        (pod("Bad_Name"), "metadata.name", "FieldValueInvalid", "a lowercase RFC 1123 subdomain"),
        ({"metadata": {}, "spec": {"containers": [{"name": "a", "image": "b"}]}},
         "metadata.name", "FieldValueRequired", "name or generateName is required"),
        (pod("noimage", {"name": "a"}), "spec.containers[0].image", "FieldValueRequired", "Required value"),
        (pod("badc", {"name": "Not_OK", "image": "busybox"}), "spec.containers[0].name",
         "FieldValueInvalid", "a lowercase RFC 1123 label"),
        (pod("dup", {"name": "a", "image": "x"}, {"name": "a", "image": "y"}),
         "spec.containers[1].name", "FieldValueDuplicate", 'Duplicate value: "a"'),
        (pod("dupinit", {"name": "a", "image": "x"}, initContainers=[{"name": "a", "image": "y"}]),
         "spec.containers[0].name", "FieldValueDuplicate", 'Duplicate value: "a"'),
        (pod("policy", restartPolicy="Sometimes"), "spec.restartPolicy", "FieldValueNotSupported",
         'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'),
        ({"metadata": {"name": "empty"}, "spec": {"containers": []}}, "spec.containers",
         "FieldValueRequired", "Required value"),
        (pod("eph", ephemeralContainers=[{"name": "e", "image": "busybox"}]),
         "spec.ephemeralContainers", "FieldValueForbidden", "cannot be set on create"),
        (pod("mount", {"name": "a", "image": "x", "volumeMounts": [{"name": "v", "mountPath": "/v"}]}),
         "spec.containers[0].volumeMounts[0].name", "FieldValueNotFound", 'Not found: "v"'),
    ],
)
def test_create_invalid_is_422(
    core_v1: Any, fresh_namespace: str, body: dict[str, Any], field: str, reason: str, phrase: str
) -> None:
    with pytest.raises(ApiException) as err:
        core_v1.create_namespaced_pod(fresh_namespace, body)
    status = status_of(err.value)
    assert err.value.status == 422 and status["reason"] == "Invalid"
    assert status["details"]["kind"] == "Pod"
    causes = {(c["field"], c["reason"]) for c in status["details"]["causes"]}
    assert (field, reason) in causes, status
    assert phrase in status["message"]
    assert status["message"].startswith(f'Pod "{body["metadata"].get("name", "")}" is invalid: ')


def test_several_causes_are_bracketed(core_v1: Any, fresh_namespace: str) -> None:
    with pytest.raises(ApiException) as err:
        core_v1.create_namespaced_pod(fresh_namespace, pod("two", {"name": "A"}))
    message = status_of(err.value)["message"]
    assert message.startswith('Pod "two" is invalid: [spec.containers[0].name: Invalid value: "A": ')
    assert message.endswith("spec.containers[0].image: Required value]")


def test_namespace_mismatch_is_400(core_v1: Any, fresh_namespace: str) -> None:
    body = pod("mismatch")
    body["metadata"]["namespace"] = "default"
    with pytest.raises(ApiException) as err:
        core_v1.create_namespaced_pod(fresh_namespace, body)
    assert err.value.status == 400
    assert "does not match the namespace sent on the request" in status_of(err.value)["message"]


def test_dry_run_create_stores_nothing(core_v1: Any, fresh_namespace: str) -> None:
    created = core_v1.create_namespaced_pod(fresh_namespace, pod("dry"), dry_run="All")
    assert created.spec.restart_policy == "Always"
    with pytest.raises(ApiException) as err:
        core_v1.read_namespaced_pod("dry", fresh_namespace)
    assert err.value.status == 404


def test_get_and_not_found(core_v1: Any, fresh_namespace: str) -> None:
    core_v1.create_namespaced_pod(fresh_namespace, pod("present"))
    got = raw(core_v1.read_namespaced_pod("present", fresh_namespace, _preload_content=False))
    assert got["kind"] == "Pod" and got["apiVersion"] == "v1"
    with pytest.raises(ApiException) as err:
        core_v1.read_namespaced_pod("absent", fresh_namespace)
    body = status_of(err.value)
    assert err.value.status == 404 and body["reason"] == "NotFound"
    assert body["message"] == 'pods "absent" not found'
    assert body["details"]["name"] == "absent"
    status = raw(core_v1.read_namespaced_pod_status("present", fresh_namespace, _preload_content=False))
    assert status["metadata"]["name"] == "present"


def post_raw(api_client: Any, namespace: str, content_type: str, body: bytes) -> tuple[int, Any]:
    method, url, headers, _, _ = api_client.param_serialize(
        "POST",
        f"/api/v1/namespaces/{namespace}/pods",
        header_params={"Content-Type": content_type, "Accept": "application/json"},
        auth_settings=["BearerToken"],
    )
    resp = api_client.rest_client.pool_manager.request(method, url, headers=headers, body=body)
    return resp.status, json.loads(resp.data)


def test_unsupported_body_type_is_415(api_client: Any, fresh_namespace: str) -> None:
    status, body = post_raw(api_client, fresh_namespace, "application/xml", b"<pod/>")
    assert status == 415 and body["reason"] == "UnsupportedMediaType"
    assert "accepted media types include: application/json" in body["message"]


def test_malformed_json_is_400(api_client: Any, fresh_namespace: str) -> None:
    status, body = post_raw(api_client, fresh_namespace, "application/json", b"{not json")
    assert status == 400 and body["reason"] == "BadRequest"


def test_bad_protobuf_is_415_with_decoder_message(api_client: Any, fresh_namespace: str) -> None:
    status, body = post_raw(
        api_client, fresh_namespace, "application/vnd.kubernetes.protobuf", b"k8s\x00\x0a\x02junk"
    )
    assert status == 415 and body["reason"] == "UnsupportedMediaType"
    assert body["message"]


def test_yaml_body(api_client: Any, fresh_namespace: str) -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-yaml\nspec:\n"
        f"  nodeName: {PARKED}\n  containers:\n  - name: a\n    image: busybox\n"
    )
    status, body = post_raw(api_client, fresh_namespace, "application/yaml", text.encode())
    assert status == 201
    assert body["spec"]["containers"][0]["imagePullPolicy"] == "Always"


def test_put_updates_image_and_labels_but_not_status(core_v1: Any, fresh_namespace: str) -> None:
    created = raw(core_v1.create_namespaced_pod(fresh_namespace, pod("upd"), _preload_content=False))
    created["metadata"]["labels"]["tier"] = "web"
    created["spec"]["containers"][0]["image"] = "busybox:1.37"
    created["status"] = {"phase": "Succeeded"}
    updated = raw(core_v1.replace_namespaced_pod("upd", fresh_namespace, created, _preload_content=False))
    assert updated["metadata"]["labels"]["tier"] == "web"
    assert updated["spec"]["containers"][0]["image"] == "busybox:1.37"
    assert updated["status"]["phase"] == "Pending"
    assert int(updated["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])


def test_put_stale_resource_version_is_conflict(core_v1: Any, fresh_namespace: str) -> None:
    created = raw(core_v1.create_namespaced_pod(fresh_namespace, pod("stale"), _preload_content=False))
    created["metadata"]["labels"]["a"] = "1"
    core_v1.replace_namespaced_pod("stale", fresh_namespace, created)
    created["metadata"]["labels"]["a"] = "2"
    with pytest.raises(ApiException) as err:
        core_v1.replace_namespaced_pod("stale", fresh_namespace, created)
    body = status_of(err.value)
    assert err.value.status == 409 and body["reason"] == "Conflict"
    assert body["message"].startswith('Operation cannot be fulfilled on pods "stale": the object has been modified')


def test_put_may_not_change_spec(core_v1: Any, fresh_namespace: str) -> None:
    created = raw(core_v1.create_namespaced_pod(fresh_namespace, pod("immut"), _preload_content=False))
    created["spec"]["containers"][0]["command"] = ["true"]
    with pytest.raises(ApiException) as err:
        core_v1.replace_namespaced_pod("immut", fresh_namespace, created)
    body = status_of(err.value)
    assert err.value.status == 422
    assert "pod updates may not change fields other than" in body["message"]


def test_delete_returns_pod_and_removes_it(core_v1: Any, fresh_namespace: str) -> None:
    core_v1.create_namespaced_pod(fresh_namespace, pod("gone"))
    answer = raw(
        core_v1.delete_namespaced_pod("gone", fresh_namespace, grace_period_seconds=0, _preload_content=False)
    )
    assert answer["kind"] == "Pod" and answer["metadata"]["name"] == "gone"
    with pytest.raises(ApiException) as err:
        core_v1.read_namespaced_pod("gone", fresh_namespace)
    assert err.value.status == 404
    with pytest.raises(ApiException) as err:
        core_v1.delete_namespaced_pod("gone", fresh_namespace)
    assert err.value.status == 404 and status_of(err.value)["message"] == 'pods "gone" not found'


def test_graceful_delete_of_running_pod(core_v1: Any, fresh_namespace: str) -> None:
    body = pod("graceful", terminationGracePeriodSeconds=5)
    del body["spec"]["nodeName"]
    core_v1.create_namespaced_pod(fresh_namespace, body)
    deadline = time.monotonic() + 20
    while core_v1.read_namespaced_pod("graceful", fresh_namespace).status.phase != "Running":
        assert time.monotonic() < deadline, "pod never ran"
        time.sleep(0.05)
    # DeleteOptions in the body win over nothing in the query.
    answer = raw(
        core_v1.delete_namespaced_pod(
            "graceful", fresh_namespace, body={"gracePeriodSeconds": 3}, _preload_content=False
        )
    )
    assert answer["metadata"]["deletionTimestamp"]
    assert answer["metadata"]["deletionGracePeriodSeconds"] == 3
    while True:
        try:
            core_v1.read_namespaced_pod("graceful", fresh_namespace)
        except ApiException as exc:
            assert exc.status == 404
            break
        assert time.monotonic() < deadline, "pod never went away"
        time.sleep(0.05)


def test_delete_uid_precondition(core_v1: Any, fresh_namespace: str) -> None:
    core_v1.create_namespaced_pod(fresh_namespace, pod("precond"))
    with pytest.raises(ApiException) as err:
        core_v1.delete_namespaced_pod(
            "precond", fresh_namespace, body={"preconditions": {"uid": "not-the-uid"}}
        )
    assert err.value.status == 409
    assert "Precondition failed: UID in precondition: not-the-uid" in status_of(err.value)["message"]


def test_unknown_fields_strict_warn_ignore(api_client: Any, core_v1: Any, fresh_namespace: str) -> None:
    def with_typos(name: str) -> bytes:
        body = pod(name)
        body["spec"]["containers"][0]["imagee"] = "typo"
        body["spec"]["restartPolicyy"] = "Never"
        return json.dumps(body).encode()

    def post(query: str, body: bytes) -> Any:
        method, url, headers, _, _ = api_client.param_serialize(
            "POST",
            f"/api/v1/namespaces/{fresh_namespace}/pods",
            query_params=[("fieldValidation", query)] if query else [],
            header_params={"Content-Type": "application/json", "Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        return api_client.rest_client.pool_manager.request(method, url, headers=headers, body=body)

    strict = post("Strict", with_typos("strict"))
    assert strict.status == 400
    assert json.loads(strict.data)["message"] == (
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: '
        'unknown field "spec.containers[0].imagee", unknown field "spec.restartPolicyy"'
    )
    warned = post("", with_typos("warned"))
    assert warned.status == 201
    assert warned.headers.getlist("Warning") == [
        '299 - "unknown field \\"spec.containers[0].imagee\\""',
        '299 - "unknown field \\"spec.restartPolicyy\\""',
    ]
    stored = json.loads(core_v1.read_namespaced_pod("warned", fresh_namespace, _preload_content=False).data)
    assert "imagee" not in stored["spec"]["containers"][0] and "restartPolicyy" not in stored["spec"]
    ignored = post("Ignore", with_typos("ignored"))
    assert ignored.status == 201 and "Warning" not in ignored.headers
