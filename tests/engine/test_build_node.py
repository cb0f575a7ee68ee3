"""Mode N builder (``generateNodeDebugPod``) and build_plan's dispatch on kind (``visitNode``/``visitPod``), both in staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go."""

from __future__ import annotations

from typing import Any

import pytest

from kdebug_nb.engine.builders import build_node, build_plan, unsupported_kind_message
from kdebug_nb.engine.debug_options import DebugOptions
from kdebug_nb.engine.grammar import parse_args
from kdebug_nb.errors import UsageError

NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"},
        "spec": {"taints": [{"key": "k", "effect": "NoSchedule"}]}}
HOST_NS = {"hostNetwork": True, "hostPID": True, "hostIPC": True}
VOLUME = [{"name": "host-root", "hostPath": {"path": "/"}}]
MOUNT = [{"name": "host-root", "mountPath": "/host"}]


def build(argv: str, namespace: str = "default"):
    return build_plan(NODE, parse_args(argv), namespace=namespace, suffix=lambda: "sfx")


def test_worked_example_general() -> None:
    plan = build("node/node-1 -it --image=busybox")
    assert plan.body["metadata"] == {"name": "node-debugger-node-1-sfx",
                                     "labels": {"app.kubernetes.io/managed-by": "kubectl-debug"}}
    assert plan.body["spec"] == {
        "nodeName": "node-1", "restartPolicy": "Never",
        "hostNetwork": True, "hostPID": True, "hostIPC": True,
        "tolerations": [{"operator": "Exists"}],
        "volumes": [{"name": "host-root", "hostPath": {"path": "/"}}],
        "containers": [{"name": "debugger", "image": "busybox", "stdin": True, "tty": True,
                        "terminationMessagePolicy": "File",
                        "volumeMounts": [{"name": "host-root", "mountPath": "/host"}]}]}
    assert plan.mode == "node"
    assert (plan.namespace, plan.pod_name, plan.container) == (
        "default", "node-debugger-node-1-sfx", "debugger")
    assert plan.notices == (
        "Creating debugging pod node-debugger-node-1-sfx with container debugger on node node-1.",)
    assert plan.warnings == ()


@pytest.mark.parametrize("profile,host_ns,mounted,security_context", [
    ("legacy", True, True, None),
    ("general", True, True, None),
    ("baseline", False, False, None),
    ("restricted", False, False, {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
                                  "capabilities": {"drop": ["ALL"]},
                                  "seccompProfile": {"type": "RuntimeDefault"}}),
    ("netadmin", True, False, {"capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}}),
    ("sysadmin", True, True, {"privileged": True}),
])
def test_profile_table_for_nodes(profile: str, host_ns: bool, mounted: bool,
                                 security_context: dict[str, Any] | None) -> None:
    spec = build(f"node/node-1 --image=busybox --profile={profile}").body["spec"]
    for key in HOST_NS:
        assert spec.get(key) is (True if host_ns else None)
    (container,) = spec["containers"]
    assert spec.get("volumes") == (VOLUME if mounted else None)
    assert container.get("volumeMounts") == (MOUNT if mounted else None)
    assert container.get("securityContext") == security_context


def test_container_name_namespace_command_and_quiet() -> None:
    plan = build("node/node-1 -q -c dbg --image=busybox --arguments-only --env=A=1 "
                 "--image-pull-policy=IfNotPresent -- ls /host", namespace="tools")
    (container,) = plan.body["spec"]["containers"]
    assert container == {"name": "dbg", "image": "busybox", "args": ["ls", "/host"],
                         "env": [{"name": "A", "value": "1"}],
                         "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent",
                         "volumeMounts": MOUNT}
    assert plan.namespace == "tools" and plan.container == "dbg" and plan.notices == ()
    assert "namespace" not in plan.body["metadata"]  # kubectl leaves it to the URL


def test_copy_and_target_flags_are_ignored_for_nodes() -> None:
    plan = build("node/node-1 --image=busybox --copy-to=x --target=app --share-processes "
                 "--keep-labels")
    assert plan.mode == "node" and plan.delete_original is None
    assert "shareProcessNamespace" not in plan.body["spec"]
    assert "targetContainerName" not in plan.body["spec"]["containers"][0]


def test_no_non_root_warning_for_nodes() -> None:
    plan = build("node/node-1 --image=busybox --profile=sysadmin")
    assert plan.warnings == ()


def test_custom_mount_turns_the_profile_mount_read_only() -> None:
    opts = DebugOptions(targets=("node/node-1",), image="busybox",
                        custom_spec={"volumeMounts": [{"name": "host-root", "mountPath": "/host",
                                                       "readOnly": True}]})
    plan = build_node(NODE, opts, namespace="default", suffix=lambda: "sfx")
    assert plan.body["spec"]["containers"][0]["volumeMounts"] == [
        {"name": "host-root", "mountPath": "/host", "readOnly": True}]


def test_long_node_names_are_not_shortened() -> None:
    node = {"kind": "Node", "metadata": {"name": "n" * 250}}
    plan = build_plan(node, parse_args("node/x --image=busybox"), namespace="d",
                      suffix=lambda: "sfx")
    assert plan.pod_name == f"node-debugger-{'n' * 250}-sfx"


# ---------------------------------------------------------------- dispatch on kind


def test_unsupported_kinds() -> None:
    with pytest.raises(UsageError) as info:
        build_plan({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}},
                   parse_args("deployment/web --image=busybox"), namespace="default")
    assert str(info.value) == '"apps/v1, Kind=Deployment" not supported by debug'
    assert unsupported_kind_message("v1", "Service") == '"/v1, Kind=Service" not supported by debug'


def test_pod_dispatch() -> None:
    pod = {"kind": "Pod", "metadata": {"name": "p", "namespace": "n"},
           "spec": {"containers": [{"name": "a", "image": "x"}]}}
    assert build_plan(pod, parse_args("p --image=busybox"), namespace="n").mode == "ephemeral"
    assert build_plan(pod, parse_args("p --image=busybox --copy-to=c"),
                      namespace="n").mode == "copy"


def test_duplicate_env_pairs_from_the_python_api_collapse() -> None:
    opts = DebugOptions(targets=("node/node-1",), image="busybox",
                        env=(("A", "1"), ("B", "2"), ("A", "3")))
    plan = build_node(NODE, opts, namespace="default", suffix=lambda: "sfx")
    assert plan.body["spec"]["containers"][0]["env"] == [{"name": "A", "value": "3"},
                                                         {"name": "B", "value": "2"}]
