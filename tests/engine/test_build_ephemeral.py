"""Mode E builder: kubectl's ``generateDebugContainer`` (staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go), worked examples verbatim."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from kdebug_nb.engine.builders import build_ephemeral, build_plan, counter_suffix
from kdebug_nb.engine.builders.names import ALPHABET, random_suffix, unique_container_name
from kdebug_nb.engine.debug_options import DebugOptions
from kdebug_nb.engine.grammar import parse_args
from kdebug_nb.errors import UsageError

WEB = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
    "spec": {"containers": [{"name": "app", "image": "nginx"}], "securityContext": {}},
    "status": {"phase": "Running"},
}


def fixed(value: str):
    return lambda: value


def build(argv: str, pod: dict[str, Any] = WEB, suffix: Any = None):
    pod_before = copy.deepcopy(pod)
    plan = build_plan(pod, parse_args(argv), namespace="default",
                      suffix=suffix or fixed("k7x2q"))
    assert pod == pod_before, "builders must not mutate their input"
    return plan


def test_worked_example_default_profile() -> None:
    plan = build("web -it --image=busybox")
    assert plan.body == {"spec": {"ephemeralContainers": [{
        "name": "debugger-k7x2q", "image": "busybox", "resources": {},
        "terminationMessagePolicy": "File", "stdin": True, "tty": True,
        "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}]}}
    assert plan.notices == ("Defaulting debug container name to debugger-k7x2q.",)
    assert plan.mode == "ephemeral"
    assert (plan.namespace, plan.pod_name, plan.container) == ("default", "web", "debugger-k7x2q")
    assert plan.warnings == () and plan.delete_original is None and plan.image == "busybox"


def test_worked_example_restricted_with_target() -> None:
    plan = build("web --profile=restricted -c dbg --target=app -i --image=busybox")
    assert plan.body["spec"]["ephemeralContainers"] == [{
        "name": "dbg", "image": "busybox", "resources": {}, "stdin": True,
        "targetContainerName": "app", "terminationMessagePolicy": "File",
        "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
                            "capabilities": {"drop": ["ALL"]},
                            "seccompProfile": {"type": "RuntimeDefault"}}}]
    assert plan.notices == ()  # no "Defaulting" notice when -c is given


def test_existing_ephemeral_containers_give_set_element_order() -> None:
    pod = copy.deepcopy(WEB)
    pod["spec"]["ephemeralContainers"] = [{"name": "debugger-old1", "image": "busybox",
                                           "terminationMessagePolicy": "File"}]
    plan = build("web --image=busybox", pod)
    assert plan.body == {"spec": {
        "$setElementOrder/ephemeralContainers": [{"name": "debugger-old1"},
                                                 {"name": "debugger-k7x2q"}],
        "ephemeralContainers": [{
            "name": "debugger-k7x2q", "image": "busybox", "resources": {},
            "terminationMessagePolicy": "File",
            "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}],
    }}


def test_quiet_suppresses_the_defaulting_notice() -> None:
    assert build("web -q --image=busybox").notices == ()


def test_command_env_pull_policy_and_arguments_only() -> None:
    plan = build("web --image=busybox --env=A=1 --env=EMPTY= --image-pull-policy=Never "
                 "--profile=baseline -- ps x")
    (container,) = plan.body["spec"]["ephemeralContainers"]
    assert container == {"name": "debugger-k7x2q", "image": "busybox", "command": ["ps", "x"],
                         "env": [{"name": "A", "value": "1"}, {"name": "EMPTY"}],
                         "resources": {}, "terminationMessagePolicy": "File",
                         "imagePullPolicy": "Never"}
    plan = build("web --image=busybox --arguments-only --profile=baseline -- ps x")
    (container,) = plan.body["spec"]["ephemeralContainers"]
    assert container["args"] == ["ps", "x"] and "command" not in container


# ---------------------------------------------------------------- names (computeDebugContainerName)


def test_generated_name_avoids_every_container_name() -> None:
    pod = copy.deepcopy(WEB)
    pod["spec"]["containers"].append({"name": "debugger-1", "image": "x"})
    pod["spec"]["initContainers"] = [{"name": "debugger-2", "image": "x"}]
    pod["spec"]["ephemeralContainers"] = [{"name": "debugger-3", "image": "x"}]
    plan = build("web --image=busybox", pod, counter_suffix())
    assert plan.container == "debugger-4"
    assert plan.notices == ("Defaulting debug container name to debugger-4.",)


def test_counter_generator_like_kubectl_unit_tests() -> None:
    draw = counter_suffix()
    assert [build("web --image=busybox", WEB, draw).container for _ in range(2)] == [
        "debugger-1", "debugger-2"]


def test_random_suffix_alphabet() -> None:
    assert ALPHABET == "bcdfghjklmnpqrstvwxz2456789"
    for _ in range(200):
        assert re.fullmatch(r"[bcdfghjklmnpqrstvwxz2456789]{5}", random_suffix())
    assert re.fullmatch(r"debugger-[bcdfghjklmnpqrstvwxz2456789]{5}",
                        build_ephemeral(WEB, parse_args("web --image=busybox")).container or "")


def test_a_stuck_generator_fails_instead_of_looping_forever() -> None:
    with pytest.raises(Exception, match="could not generate"):
        unique_container_name({"debugger-x"}, fixed("x"))


# ---------------------------------------------------------------- -c clashes


def test_clash_with_a_regular_container_puts_the_profile_change_there() -> None:
    plan = build("web -c app --image=busybox")
    spec = plan.body["spec"]
    # first match by name (init -> regular -> ephemeral): the regular container gets SYS_PTRACE
    assert spec["containers"] == [
        {"name": "app", "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}]
    assert spec["$setElementOrder/containers"] == [{"name": "app"}]
    assert spec["ephemeralContainers"] == [{
        "name": "app", "image": "busybox", "resources": {}, "terminationMessagePolicy": "File"}]
    assert plan.notices == ()


# ---------------------------------------------------------------- --custom and the profiles in mode E


def test_custom_spec_merges_into_the_ephemeral_container() -> None:
    opts = DebugOptions(targets=("web",), image="busybox", profile="restricted",
                        custom_spec={"securityContext": {"runAsNonRoot": False},
                                     "env": [{"name": "TRACE", "value": "1"}]})
    plan = build_ephemeral(WEB, opts, suffix=fixed("k7x2q"))
    (container,) = plan.body["spec"]["ephemeralContainers"]
    assert container["securityContext"] == {
        "runAsNonRoot": False, "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}
    assert container["env"] == [{"name": "TRACE", "value": "1"}]


def test_non_root_warning_in_mode_e() -> None:
    pod = copy.deepcopy(WEB)
    pod["spec"]["securityContext"] = {"runAsUser": 1000}
    plan = build("web --image=busybox", pod)
    assert len(plan.warnings) == 1
    assert plan.warnings[0].startswith(
        "Warning: Non-root user is configured for the entire target Pod")
    assert build("web --image=busybox -q", pod).warnings == plan.warnings  # not suppressed
    assert build("web --image=busybox --profile=baseline", pod).warnings == ()


def test_pod_without_security_context_is_fine() -> None:
    pod = copy.deepcopy(WEB)
    del pod["spec"]["securityContext"]  # a hand-written -f manifest
    assert build("web --image=busybox", pod).warnings == ()


def test_rm_is_refused_in_mode_e_even_from_a_manifest() -> None:
    with pytest.raises(UsageError, match="--rm needs --copy-to or a node target"):
        build("-f pod.yaml --image=busybox --rm -- ps")


def test_build_plan_gives_a_namespace_to_manifest_pods() -> None:
    pod = copy.deepcopy(WEB)
    del pod["metadata"]["namespace"]
    plan = build_plan(pod, parse_args("web --image=busybox"), namespace="ns1",
                      suffix=fixed("aaaaa"))
    assert plan.namespace == "ns1"


def test_clash_with_an_existing_ephemeral_container_gives_kubectls_patch() -> None:
    # observed with kubectl 1.35 -v=2 against the sandbox
    pod = copy.deepcopy(WEB)
    pod["spec"]["ephemeralContainers"] = [{
        "name": "dbg-one", "image": "busybox", "imagePullPolicy": "Always", "resources": {},
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
        "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}]
    plan = build("web --image=busybox:1.37 --profile=general -c dbg-one", pod)
    assert plan.body == {"spec": {
        "$setElementOrder/ephemeralContainers": [{"name": "dbg-one"}, {"name": "dbg-one"}],
        "ephemeralContainers": [
            {"image": "busybox:1.37", "imagePullPolicy": None, "name": "dbg-one",
             "securityContext": None, "terminationMessagePath": None},
            {"image": "busybox", "imagePullPolicy": "Always", "name": "dbg-one", "resources": {},
             "securityContext": {"capabilities": {"add": ["SYS_PTRACE", "SYS_PTRACE"]}},
             "terminationMessagePath": "/dev/termination-log",
             "terminationMessagePolicy": "File"}]}}


@pytest.mark.parametrize("pod_sc,container_sc,warned", [
    ({"runAsUser": 1000}, {"capabilities": {"add": ["SYS_PTRACE"]}}, True),
    ({"runAsUser": 1000}, {"privileged": True}, True),
    ({"runAsUser": 1000}, {"runAsUser": 5, "privileged": True}, True),
    ({"runAsUser": 0}, {"privileged": True}, False),           # 1. pod runs as root
    ({}, {"privileged": True}, False),                         # 1. pod sets no user
    ({"runAsUser": 1000}, None, False),                        # 2. no container securityContext
    ({"runAsUser": 1000}, {"runAsUser": 0, "privileged": True}, False),  # 3. container is root
    ({"runAsUser": 1000}, {"privileged": False}, False),       # 4. nothing granted
    ({"runAsUser": 1000}, {"capabilities": {"add": []}}, False),
    ({"runAsUser": 1000}, {"capabilities": {"drop": ["ALL"]}}, False),
])
def test_non_root_warning_conditions(pod_sc: dict[str, Any], container_sc: Any,
                                     warned: bool) -> None:
    from kdebug_nb.engine.builders.common import NON_ROOT_WARNING, non_root_warnings

    pod = {"spec": {"securityContext": pod_sc}}
    container: dict[str, Any] = {"name": "d"}
    if container_sc is not None:
        container["securityContext"] = container_sc
    assert non_root_warnings(pod, container) == ((NON_ROOT_WARNING,) if warned else ())
    assert NON_ROOT_WARNING.startswith(
        "Warning: Non-root user is configured for the entire target Pod, and some capabilities "
        "granted by debug profile may not work.")
