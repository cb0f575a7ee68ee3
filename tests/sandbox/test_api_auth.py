"""Authentication, RBAC wording, and Pod Security admission."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from kubectl_bin import sandbox_token
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from kdebug_nb.sandbox.kubeconfig import kubeconfig_dict

PARKED = "parked-node"
SMP = "application/strategic-merge-patch+json"


def client_as(sandbox: Any, token: str) -> Any:
    """An ApiClient for ``sandbox`` (trusting its certificate) sending ``token``."""
    conf = kubeconfig_dict(sandbox.url, token=token, ca_pem=sandbox.ca_pem)
    return config.new_client_from_config_dict(conf)


def api_as(sandbox: Any, token: str) -> Iterator[Any]:
    api = client_as(sandbox, token)
    try:
        yield client.CoreV1Api(api)
    finally:
        api.close()


@pytest.fixture
def viewer(sandbox: Any) -> Iterator[Any]:
    yield from api_as(sandbox, "viewer-token")


def status(exc: ApiException) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(exc.body)
    assert body["kind"] == "Status" and body["code"] == exc.status
    return body


def test_unknown_token_is_401(sandbox: Any) -> None:
    for api in api_as(sandbox, "no-such-token"):
        with pytest.raises(ApiException) as err:
            api.list_namespaced_pod("default")
        assert err.value.status == 401
        assert status(err.value)["reason"] == "Unauthorized"
        assert status(err.value)["message"] == "Unauthorized"


def test_viewer_may_read(viewer: Any) -> None:
    assert viewer.read_namespaced_pod("neato", "default").metadata.name == "neato"
    assert viewer.list_node().items


def test_viewer_may_not_patch_ephemeral_containers(viewer: Any) -> None:
    with pytest.raises(ApiException) as err:
        viewer.patch_namespaced_pod_ephemeralcontainers(
            "neato", "default", {"spec": {"ephemeralContainers": []}}, _content_type=SMP
        )
    body = status(err.value)
    assert err.value.status == 403 and body["reason"] == "Forbidden"
    assert body["message"] == (
        'pods "neato" is forbidden: User "viewer" cannot patch resource '
        '"pods/ephemeralcontainers" in API group "" in the namespace "default"'
    )
    assert body["details"] == {"name": "neato", "kind": "pods"}


def test_viewer_may_not_create_or_delete(viewer: Any) -> None:
    with pytest.raises(ApiException) as err:
        viewer.create_namespaced_pod(
            "default", {"metadata": {"name": "x"}, "spec": {"containers": [{"name": "a", "image": "b"}]}}
        )
    assert status(err.value)["message"] == (
        'pods is forbidden: User "viewer" cannot create resource "pods" in API group "" '
        'in the namespace "default"'
    )
    with pytest.raises(ApiException) as err:
        viewer.delete_namespaced_pod("neato", "default")
    assert 'cannot delete resource "pods"' in status(err.value)["message"]


def test_cluster_scope_wording(viewer: Any) -> None:
    with pytest.raises(ApiException) as err:
        viewer.create_namespace({"metadata": {"name": "nope"}})
    assert status(err.value)["message"] == (
        'namespaces is forbidden: User "viewer" cannot create resource "namespaces" '
        'in API group "" at the cluster scope'
    )


def test_viewer_may_not_exec(sandbox: Any) -> None:
    for api in api_as(sandbox, "viewer-token"):
        with pytest.raises(ApiException) as err:
            api.connect_post_namespaced_pod_exec("neato", "default", command=["true"])
        assert err.value.status == 403
        assert 'cannot create resource "pods/exec"' in status(err.value)["message"]


def test_discovery_is_open_to_any_user(sandbox: Any, viewer: Any) -> None:
    assert viewer.get_api_resources().group_version == "v1"


# -- Pod Security admission ------------------------------------------------


@pytest.fixture
def psa_ns(core_v1: Any) -> Iterator[Any]:
    made: list[str] = []

    def make(level: str) -> str:
        name = f"psa-{level}-{uuid.uuid4().hex[:6]}"
        labels = {"pod-security.kubernetes.io/enforce": level}
        core_v1.create_namespace({"metadata": {"name": name, "labels": labels}})
        made.append(name)
        return name

    yield make
    for name in made:
        core_v1.delete_namespace(name)


def podspec(name: str, **spec: Any) -> dict[str, Any]:
    spec.setdefault("containers", [{"name": "c", "image": "busybox"}])
    return {"metadata": {"name": name}, "spec": {"nodeName": PARKED, **spec}}


RESTRICTED_SC = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}


def test_restricted_refuses_plain_pod(core_v1: Any, psa_ns: Any) -> None:
    ns = psa_ns("restricted")
    with pytest.raises(ApiException) as err:
        core_v1.create_namespaced_pod(ns, podspec("plain"))
    body = status(err.value)
    assert err.value.status == 403 and body["reason"] == "Forbidden"
    assert body["message"] == (
        'pods "plain" is forbidden: violates PodSecurity "restricted:latest": '
        'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), '
        'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), '
        'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), '
        'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'
    )


def test_restricted_admits_compliant_pod(core_v1: Any, psa_ns: Any) -> None:
    ns = psa_ns("restricted")
    body = podspec("ok", containers=[{"name": "c", "image": "busybox", "securityContext": RESTRICTED_SC}])
    assert core_v1.create_namespaced_pod(ns, body).metadata.name == "ok"


def test_baseline_checks_in_order(core_v1: Any, psa_ns: Any) -> None:
    ns = psa_ns("baseline")
    body = podspec(
        "bad",
        hostPID=True,
        hostNetwork=True,
        volumes=[{"name": "root", "hostPath": {"path": "/"}}],
        containers=[
            {"name": "a", "image": "busybox", "securityContext": {"privileged": True}},
            {"name": "b", "image": "busybox",
             "securityContext": {"capabilities": {"add": ["SYS_ADMIN", "NET_ADMIN", "CHOWN"]}}},
        ],
    )
    with pytest.raises(ApiException) as err:
        core_v1.create_namespaced_pod(ns, body)
    assert status(err.value)["message"] == (
        'pods "bad" is forbidden: violates PodSecurity "baseline:latest": '
        'non-default capabilities (container "b" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add), '
        "host namespaces (hostNetwork=true, hostPID=true), "
        'hostPath volumes (volume "root"), '
        'privileged (container "a" must not set securityContext.privileged=true)'
    )
    # The baseline capability set and an unprivileged pod are fine.
    fine = podspec("fine", containers=[{"name": "c", "image": "busybox",
                                         "securityContext": {"capabilities": {"add": ["CHOWN", "KILL"]}}}])
    core_v1.create_namespaced_pod(ns, fine)


def test_restricted_pod_level_context_counts(core_v1: Any, psa_ns: Any) -> None:
    ns = psa_ns("restricted")
    body = podspec(
        "podlevel",
        securityContext={"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        initContainers=[{"name": "i", "image": "busybox",
                         "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}],
        containers=[{"name": "c", "image": "busybox",
                     "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"], "add": ["SYS_PTRACE"]}}}],
    )
    with pytest.raises(ApiException) as err:
        core_v1.create_namespaced_pod(ns, body)
    assert status(err.value)["message"].endswith(
        'violates PodSecurity "restricted:latest": unrestricted capabilities '
        '(container "c" must not include "SYS_PTRACE" in securityContext.capabilities.add)'
    )


def test_ephemeral_container_is_admitted_too(core_v1: Any, psa_ns: Any) -> None:
    ns = psa_ns("restricted")
    core_v1.create_namespaced_pod(
        ns,
        podspec("app", securityContext={"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                containers=[{"name": "c", "image": "busybox", "securityContext": {
                    "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}]),
    )
    general = {"name": "dbg", "image": "busybox", "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}
    with pytest.raises(ApiException) as err:
        core_v1.patch_namespaced_pod_ephemeralcontainers(
            "app", ns, {"spec": {"ephemeralContainers": [general]}}, _content_type=SMP
        )
    message = status(err.value)["message"]
    assert err.value.status == 403
    assert message.startswith('pods "app" is forbidden: violates PodSecurity "restricted:latest": ')
    assert 'allowPrivilegeEscalation != false (container "dbg" must set' in message
    assert 'container "dbg" must not include "SYS_PTRACE"' in message
    restricted = {"name": "dbg", "image": "busybox", "securityContext": RESTRICTED_SC}
    pod = core_v1.patch_namespaced_pod_ephemeralcontainers(
        "app", ns, {"spec": {"ephemeralContainers": [restricted]}}, _content_type=SMP
    )
    assert pod.spec.ephemeral_containers[0].name == "dbg"


def test_warn_label_adds_warning_header(core_v1: Any) -> None:
    name = f"psa-warn-{uuid.uuid4().hex[:6]}"
    core_v1.create_namespace(
        {"metadata": {"name": name, "labels": {"pod-security.kubernetes.io/warn": "baseline"}}}
    )
    try:
        body = podspec("loud", hostPID=True)
        resp = core_v1.create_namespaced_pod(name, body, _preload_content=False)
        assert resp.status == 201
        assert resp.headers["Warning"] == (
            '299 - "would violate PodSecurity \\"baseline:latest\\": host namespaces (hostPID=true)"'
        )
        quiet = core_v1.create_namespaced_pod(name, podspec("quiet"), _preload_content=False)
        assert "Warning" not in quiet.headers
    finally:
        core_v1.delete_namespace(name)


def review(sandbox: Any, token: str, attrs: dict[str, str]) -> Any:
    with client_as(sandbox, token) as api:
        body = {"spec": {"resourceAttributes": attrs}}
        return client.AuthorizationV1Api(api).create_self_subject_access_review(body)


def test_self_subject_access_review(sandbox: Any) -> None:
    patch_ec = {"namespace": "default", "verb": "patch", "resource": "pods",
                "subresource": "ephemeralcontainers"}
    assert review(sandbox, "viewer-token", patch_ec).status.allowed is False
    assert review(sandbox, "viewer-token", {"namespace": "default", "verb": "list", "resource": "pods"}).status.allowed
    assert review(sandbox, sandbox_token(sandbox), patch_ec).status.allowed  # the kubeconfig's admin


def test_kubectl_auth_can_i(kubectl: Any) -> None:
    proc = kubectl("auth", "can-i", "patch", "pods", "--subresource=ephemeralcontainers")
    assert proc.returncode == 0 and proc.stdout.strip() == "yes", proc.stderr


@pytest.mark.parametrize(
    ("level", "pod", "expected"),
    [
        ("baseline", podspec("sysctl", securityContext={"sysctls": [{"name": "kernel.msgmax", "value": "1"},
                                                                  {"name": "net.ipv4.tcp_syncookies", "value": "1"}]}),
         "forbidden sysctls (kernel.msgmax)"),
        ("baseline", podspec("selinux", containers=[{"name": "c", "image": "busybox", "securityContext": {
            "seLinuxOptions": {"type": "spc_t", "user": "root"}}}]),
         'seLinuxOptions (container "c" set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set)'),
        ("baseline", podspec("ports", containers=[
            {"name": "a", "image": "busybox", "ports": [{"containerPort": 80, "hostPort": 8080}]},
            {"name": "b", "image": "busybox", "ports": [{"containerPort": 81, "hostPort": 443}]}]),
         'hostPort (containers "a", "b" use hostPorts 443, 8080)'),
        ("baseline", {**podspec("apparmor"), "metadata": {"name": "apparmor", "annotations": {
            "container.apparmor.security.beta.kubernetes.io/c": "unconfined"}}},
         'forbidden AppArmor profile (container.apparmor.security.beta.kubernetes.io/c="unconfined")'),
        ("restricted", podspec("vols", securityContext={"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                              volumes=[{"name": "n", "nfs": {"server": "s", "path": "/"}},
                                       {"name": "h", "hostPath": {"path": "/"}}, {"name": "ok", "emptyDir": {}}],
                              containers=[{"name": "c", "image": "busybox", "securityContext": RESTRICTED_SC}]),
         'restricted volume types (volumes "n", "h" use restricted volume types "hostPath", "nfs")'),
    ],
)
def test_more_pod_security_checks(core_v1: Any, psa_ns: Any, level: str, pod: dict[str, Any], expected: str) -> None:
    ns = psa_ns(level)
    with pytest.raises(ApiException) as err:
        core_v1.create_namespaced_pod(ns, pod)
    assert status(err.value)["message"].endswith(f'violates PodSecurity "{level}:latest": {expected}')


def test_baseline_seccomp_and_proc_mount(core_v1: Any, psa_ns: Any) -> None:
    ns = psa_ns("baseline")
    body = podspec(
        "unconfined",
        securityContext={"seccompProfile": {"type": "Unconfined"}},
        containers=[{"name": "c", "image": "busybox", "securityContext": {
            "seccompProfile": {"type": "Unconfined"}, "procMount": "Unmasked"}}],
    )
    with pytest.raises(ApiException) as err:
        core_v1.create_namespaced_pod(ns, body)
    assert status(err.value)["message"].endswith(
        'violates PodSecurity "baseline:latest": '
        'procMount (container "c" must not set securityContext.procMount to "Unmasked"), '
        'seccompProfile (pod and container "c" must not set securityContext.seccompProfile.type to "Unconfined")'
    )
