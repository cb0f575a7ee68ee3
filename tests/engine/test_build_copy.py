"""Mode C builder: kubectl's ``generatePodCopyWithDebugContainer`` (staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go), worked examples (a)-(e) and the shareProcessNamespace table."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kdebug_nb.engine.builders import build_copy, build_plan
from kdebug_nb.engine.debug_options import DebugOptions
from kdebug_nb.engine.grammar import parse_args
from kdebug_nb.errors import UsageError

PROBE = {"httpGet": {"path": "/", "port": 80}}
ORIGINAL: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "namespace": "prod", "uid": "u1", "resourceVersion": "42",
                 "labels": {"app": "web"}, "annotations": {"team": "x"},
                 "ownerReferences": [{"kind": "ReplicaSet", "name": "web-5d9"}]},
    "spec": {"nodeName": "node-1", "restartPolicy": "Always", "securityContext": {},
             "initContainers": [{"name": "init", "image": "busybox"}],
             "containers": [{"name": "app", "image": "nginx", "args": ["-g", "daemon off;"],
                             "livenessProbe": PROBE, "readinessProbe": PROBE,
                             "startupProbe": PROBE}],
             "ephemeralContainers": [{"name": "debugger-old1", "image": "busybox"}]},
    "status": {"phase": "Running"},
}


def build(argv: str, pod: dict[str, Any] = ORIGINAL):
    before = copy.deepcopy(pod)
    plan = build_plan(pod, parse_args(argv), namespace="prod", suffix=lambda: "sfx")
    assert pod == before, "builders must not mutate their input"
    return plan


def test_a_new_debug_container_general_profile() -> None:
    plan = build("web -it --copy-to=web-debug --image=busybox")
    body = plan.body
    assert body["metadata"] == {"name": "web-debug", "namespace": "prod"}
    assert body["spec"] == {
        "restartPolicy": "Always", "securityContext": {}, "shareProcessNamespace": True,
        "initContainers": [{"name": "init", "image": "busybox"}],
        "containers": [
            {"name": "app", "image": "nginx", "args": ["-g", "daemon off;"]},
            {"name": "debugger-sfx", "image": "busybox", "stdin": True, "tty": True,
             "terminationMessagePolicy": "File",
             "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}]}
    assert "status" not in body
    assert (body["apiVersion"], body["kind"]) == ("v1", "Pod")
    assert plan.mode == "copy"
    assert (plan.namespace, plan.pod_name, plan.container) == ("prod", "web-debug", "debugger-sfx")
    assert plan.notices == ("Defaulting debug container name to debugger-sfx.",)
    assert plan.delete_original is None


def test_b_keep_flags_and_explicit_share_processes() -> None:
    plan = build("web -it --copy-to=web-debug --image=busybox --keep-labels "
                 "--keep-init-containers=false --keep-liveness --share-processes=false")
    body = plan.body
    assert body["metadata"] == {"name": "web-debug", "namespace": "prod", "labels": {"app": "web"}}
    assert "initContainers" not in body["spec"]
    app = body["spec"]["containers"][0]
    assert app == {"name": "app", "image": "nginx", "args": ["-g", "daemon off;"],
                   "livenessProbe": PROBE}
    assert body["spec"]["shareProcessNamespace"] is False


def test_c_existing_container_gets_the_command() -> None:
    plan = build("web --copy-to=web-debug -c app -- sleep 1d")
    spec = plan.body["spec"]
    assert spec["containers"] == [{
        "name": "app", "image": "nginx", "command": ["sleep", "1d"],
        "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}]
    assert plan.body["metadata"] == {"name": "web-debug", "namespace": "prod"}
    assert spec["shareProcessNamespace"] is True
    assert plan.container == "app" and plan.notices == ()
    assert plan.image == "nginx"


def test_d_set_image_only_run() -> None:
    plan = build("web -i --copy-to=web-debug --set-image=*=busybox")
    body = plan.body
    assert plan.container is None  # nothing to attach to, even with -i
    assert body["metadata"] == {"name": "web-debug", "namespace": "prod",
                                "labels": {"app": "web"}, "annotations": {"team": "x"}}
    spec = body["spec"]
    assert spec["containers"] == [{"name": "app", "image": "busybox",
                                   "args": ["-g", "daemon off;"], "livenessProbe": PROBE,
                                   "readinessProbe": PROBE, "startupProbe": PROBE}]
    assert spec["initContainers"] == [{"name": "init", "image": "busybox"}]
    assert "nodeName" not in spec and "ephemeralContainers" not in spec
    assert "shareProcessNamespace" not in spec
    assert plan.notices == () and plan.warnings == ()


def test_e_legacy_profile() -> None:
    plan = build("web -it --copy-to=web-debug --image=busybox --profile=legacy --keep-labels "
                 "--keep-init-containers=false")
    body = plan.body
    assert body["metadata"] == {"name": "web-debug", "namespace": "prod",
                                "annotations": {"team": "x"}}
    spec = body["spec"]
    assert spec["initContainers"] == [{"name": "init", "image": "busybox"}]
    assert spec["containers"][0] == ORIGINAL["spec"]["containers"][0]
    assert "securityContext" not in spec["containers"][1]
    assert "shareProcessNamespace" not in spec
    plan = build("web --copy-to=web-debug --image=busybox --profile=legacy --share-processes")
    assert plan.body["spec"]["shareProcessNamespace"] is True


# ---------------------------------------------------------------- shareProcessNamespace


def with_share(value: bool | None) -> dict[str, Any]:
    pod = copy.deepcopy(ORIGINAL)
    if value is not None:
        pod["spec"]["shareProcessNamespace"] = value
    return pod


@pytest.mark.parametrize("flag,profile,original,expected", [
    ("--share-processes=true", "legacy", False, True),
    ("--share-processes=false", "general", None, False),
    ("--share-processes", "restricted", False, True),
    ("", "general", None, True),
    ("", "baseline", None, True),
    ("", "restricted", None, True),
    ("", "netadmin", None, True),
    ("", "sysadmin", None, True),
    ("", "general", True, True),
    ("", "general", False, False),  # an explicit false in the original stays false
    ("", "sysadmin", False, False),
    ("", "legacy", None, None),
    ("", "legacy", False, False),
    ("", "legacy", True, True),
])
def test_share_processes_table(flag: str, profile: str, original: bool | None,
                               expected: bool | None) -> None:
    plan = build(f"web --copy-to=c --image=busybox --profile={profile} {flag}",
                 with_share(original))
    assert plan.body["spec"].get("shareProcessNamespace") == expected


@pytest.mark.parametrize("original", [None, True, False])
def test_share_processes_set_image_only_keeps_the_original(original: bool | None) -> None:
    plan = build("web --copy-to=c --set-image=app=busybox", with_share(original))
    assert plan.body["spec"].get("shareProcessNamespace") == original


# ---------------------------------------------------------------- copy details


def test_same_node_keeps_node_name_and_replace_deletes_the_original() -> None:
    plan = build("web --copy-to=c --image=busybox --same-node --replace")
    assert plan.body["spec"]["nodeName"] == "node-1"
    assert plan.delete_original == "web"


def test_set_image_explicit_name_beats_star_and_init_is_untouched() -> None:
    pod = copy.deepcopy(ORIGINAL)
    pod["spec"]["containers"].append({"name": "sidecar", "image": "envoy"})
    plan = build("web --copy-to=c --set-image=*=busybox,app=app-debugger --set-image=nope=x", pod)
    images = {c["name"]: c["image"] for c in plan.body["spec"]["containers"]}
    assert images == {"app": "app-debugger", "sidecar": "busybox"}
    assert plan.body["spec"]["initContainers"][0]["image"] == "busybox"


def test_set_image_with_a_new_debug_container() -> None:
    plan = build("web --copy-to=c --set-image=app=nginx:debug --image=busybox --profile=baseline")
    containers = plan.body["spec"]["containers"]
    assert [c["image"] for c in containers] == ["nginx:debug", "busybox"]


def test_c_naming_an_init_container_modifies_it() -> None:
    plan = build("web --copy-to=c -c init --image=busybox:1 --profile=baseline -- sh")
    spec = plan.body["spec"]
    assert spec["initContainers"] == [{"name": "init", "image": "busybox:1", "command": ["sh"]}]
    assert len(spec["containers"]) == 1
    assert plan.container == "init"


def test_c_naming_an_init_container_with_custom_fails() -> None:
    opts = DebugOptions(targets=("web",), copy_to="c", container="init", image="busybox",
                        custom_spec={"tty": True})
    with pytest.raises(UsageError, match="unable to find the init container in the pod c"):
        build_copy(ORIGINAL, opts)


def test_c_new_name_without_image_fails_at_build_time() -> None:
    with pytest.raises(UsageError, match="you must specify image when creating new container"):
        build("web --copy-to=c -c newname -- sh")


def test_c_with_set_image_only_ignores_unknown_c() -> None:
    plan = build("web --copy-to=c -c newname --set-image=*=busybox")
    assert plan.container is None
    assert [c["name"] for c in plan.body["spec"]["containers"]] == ["app"]


def test_existing_container_details() -> None:
    pod = copy.deepcopy(ORIGINAL)
    app = pod["spec"]["containers"][0]
    app.update(stdin=True, env=[{"name": "OLD", "value": "1"}], imagePullPolicy="Always",
               command=["nginx"], terminationMessagePolicy="FallbackToLogsOnError")
    plan = build("web --copy-to=c -c app --env=NEW=2 --image-pull-policy=Never "
                 "--arguments-only -- -x", pod)
    new = plan.body["spec"]["containers"][0]
    assert new["env"] == [{"name": "NEW", "value": "2"}]  # replaced, not merged
    assert new["imagePullPolicy"] == "Never"
    assert new["command"] == ["nginx"] and new["args"] == ["-x"]  # --arguments-only keeps command
    assert "stdin" not in new  # stdin is always set from -i
    assert new["terminationMessagePolicy"] == "FallbackToLogsOnError"


def test_existing_capabilities_are_appended_to() -> None:
    pod = copy.deepcopy(ORIGINAL)
    pod["spec"]["containers"][0]["securityContext"] = {"capabilities": {"add": ["NET_ADMIN"]}}
    plan = build("web --copy-to=c -c app -- sh", pod)
    sc = plan.body["spec"]["containers"][0]["securityContext"]
    assert sc == {"capabilities": {"add": ["NET_ADMIN", "SYS_PTRACE"]}}


def test_non_root_warning_in_copies() -> None:
    pod = copy.deepcopy(ORIGINAL)
    pod["spec"]["securityContext"] = {"runAsUser": 1000}
    plan = build("web --copy-to=c --image=busybox", pod)
    assert plan.warnings and "Non-root user" in plan.warnings[0]
    assert build("web --copy-to=c --set-image=*=busybox", pod).warnings == ()
    # an init debug container is not checked
    assert build("web --copy-to=c -c init --image=busybox -- sh", pod).warnings == ()


def test_generated_name_avoids_the_copy_names_only() -> None:
    pod = copy.deepcopy(ORIGINAL)
    pod["spec"]["ephemeralContainers"] = [{"name": "debugger-1", "image": "x"}]
    pod["spec"]["initContainers"] = [{"name": "debugger-2", "image": "x"}]
    suffixes = iter(["2", "1"])
    plan = build_plan(pod, parse_args("web --copy-to=c --image=busybox"), namespace="prod",
                      suffix=lambda: next(suffixes))
    # the copy has no ephemeral containers, so debugger-1 is free there
    assert plan.container == "debugger-1"
