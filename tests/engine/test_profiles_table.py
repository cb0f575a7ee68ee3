"""Profiles (staging/src/k8s.io/kubectl/pkg/cmd/debug/profiles.go): the table per mode, and the primitives' quirks."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kdebug_nb.engine.builders.profiles import (
    PROFILE_APPLIERS,
    add_capability,
    apply_profile,
    find_container,
    mount_root,
    share_process_namespace,
    strip,
)
from kdebug_nb.engine.debug_options import PROFILES, DebugOptions
from kdebug_nb.errors import UsageError

PROBE = {"exec": {"command": ["true"]}}


def pod_with(debug: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "metadata": {"name": "p", "labels": {"a": "1"}, "annotations": {"b": "2"}},
        "spec": {
            "initContainers": [{"name": "init", "image": "x"}],
            "containers": [{"name": "app", "image": "x", "livenessProbe": PROBE,
                            "readinessProbe": PROBE, "startupProbe": PROBE,
                            "securityContext": {"runAsUser": 7}}],
            "ephemeralContainers": [debug or {"name": "dbg", "image": "busybox"}],
        },
    }


def run(profile: str, style: str, pod: dict[str, Any] | None = None,
        name: str = "dbg", **keep: bool) -> dict[str, Any]:
    pod = pod or pod_with()
    apply_profile(pod, name, style, DebugOptions(profile=profile, **keep))  # type: ignore[arg-type]
    return pod


def debug_sc(pod: dict[str, Any]) -> Any:
    return pod["spec"]["ephemeralContainers"][0].get("securityContext")


def test_every_profile_has_an_applier() -> None:
    assert set(PROFILE_APPLIERS) == set(PROFILES)
    with pytest.raises(UsageError, match="unknown profile: nope"):
        run("nope", "ephemeral")


# ---------------------------------------------------------------- ephemeral column


@pytest.mark.parametrize("profile,expected", [
    ("legacy", {"securityContext": {"runAsUser": 3}}),
    ("general", {"securityContext": {"runAsUser": 3, "capabilities": {"add": ["SYS_PTRACE"]}}}),
    ("baseline", {}),
    ("restricted", {"securityContext": {"runAsNonRoot": True, "capabilities": {"drop": ["ALL"]},
                                        "allowPrivilegeEscalation": False,
                                        "seccompProfile": {"type": "RuntimeDefault"}}}),
    ("netadmin", {"securityContext": {"runAsUser": 3,
                                      "capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}}}),
    ("sysadmin", {"securityContext": {"runAsUser": 3, "privileged": True}}),
])
def test_ephemeral_column(profile: str, expected: dict[str, Any]) -> None:
    pod = run(profile, "ephemeral",
              pod_with({"name": "dbg", "image": "b", "securityContext": {"runAsUser": 3}}))
    assert debug_sc(pod) == expected.get("securityContext")
    # the pod itself is untouched in this style
    assert pod["metadata"]["labels"] == {"a": "1"}
    assert "shareProcessNamespace" not in pod["spec"]
    assert pod["spec"]["containers"][0]["livenessProbe"] == PROBE
    assert "hostPID" not in pod["spec"]


# ---------------------------------------------------------------- copy column


@pytest.mark.parametrize("profile", ["general", "baseline", "restricted", "netadmin", "sysadmin"])
def test_copy_column_strips_and_shares(profile: str) -> None:
    pod = run(profile, "copy", name="app")
    assert "labels" not in pod["metadata"] and "annotations" not in pod["metadata"]
    app = pod["spec"]["containers"][0]
    assert not {"livenessProbe", "readinessProbe", "startupProbe"} & set(app)
    assert pod["spec"]["initContainers"]  # kept by default
    assert pod["spec"]["shareProcessNamespace"] is True
    assert "hostPID" not in pod["spec"] and "volumes" not in pod["spec"]


@pytest.mark.parametrize("profile,expected", [
    ("general", {"runAsUser": 7, "capabilities": {"add": ["SYS_PTRACE"]}}),
    ("baseline", None),  # the existing container's securityContext is wiped
    ("restricted", {"runAsNonRoot": True, "capabilities": {"drop": ["ALL"]},
                    "allowPrivilegeEscalation": False,
                    "seccompProfile": {"type": "RuntimeDefault"}}),
    ("netadmin", {"runAsUser": 7, "capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}}),
    ("sysadmin", {"runAsUser": 7, "privileged": True}),
])
def test_copy_column_on_an_existing_container(profile: str, expected: Any) -> None:
    pod = run(profile, "copy", name="app")
    assert pod["spec"]["containers"][0].get("securityContext") == expected


def test_legacy_copy_removes_labels_only() -> None:
    pod = run("legacy", "copy", name="app", keep_labels=True, keep_init_containers=False)
    assert "labels" not in pod["metadata"]
    assert pod["metadata"]["annotations"] == {"b": "2"}
    assert pod["spec"]["containers"][0]["livenessProbe"] == PROBE
    assert pod["spec"]["initContainers"]
    assert "shareProcessNamespace" not in pod["spec"]
    assert pod["spec"]["containers"][0]["securityContext"] == {"runAsUser": 7}


@pytest.mark.parametrize("keep", ["labels", "annotations", "liveness", "readiness", "startup"])
def test_each_keep_flag(keep: str) -> None:
    pod = run("general", "copy", name="app", **{f"keep_{keep}": True})
    meta, app = pod["metadata"], pod["spec"]["containers"][0]
    kept = {
        "labels": "labels" in meta, "annotations": "annotations" in meta,
        "liveness": "livenessProbe" in app, "readiness": "readinessProbe" in app,
        "startup": "startupProbe" in app,
    }
    assert kept == {k: k == keep for k in kept}


def test_keep_init_containers_false() -> None:
    assert "initContainers" not in run("sysadmin", "copy", keep_init_containers=False)["spec"]


def test_strip_touches_regular_containers_only() -> None:
    pod = pod_with()
    pod["spec"]["initContainers"][0]["livenessProbe"] = PROBE
    pod["spec"]["ephemeralContainers"][0]["readinessProbe"] = PROBE
    strip(pod, DebugOptions())
    assert pod["spec"]["initContainers"][0]["livenessProbe"] == PROBE
    assert pod["spec"]["ephemeralContainers"][0]["readinessProbe"] == PROBE


# ---------------------------------------------------------------- primitives


def test_first_match_by_name_init_then_regular_then_ephemeral() -> None:
    pod = pod_with({"name": "init", "image": "b"})
    pod["spec"]["containers"].append({"name": "init", "image": "c"})
    add_capability(pod, "init", "X")
    assert pod["spec"]["initContainers"][0]["securityContext"] == {"capabilities": {"add": ["X"]}}
    assert "securityContext" not in pod["spec"]["containers"][1]
    assert "securityContext" not in pod["spec"]["ephemeralContainers"][0]
    assert find_container(pod, "init", ("containers",)) is pod["spec"]["containers"][1]


def test_add_capability_does_not_deduplicate() -> None:
    pod = pod_with({"name": "dbg", "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}})
    run("general", "ephemeral", pod)
    assert debug_sc(pod) == {"capabilities": {"add": ["SYS_PTRACE", "SYS_PTRACE"]}}


def test_restricted_removes_existing_add_and_keeps_nothing_else() -> None:
    pod = pod_with({"name": "dbg", "securityContext": {
        "privileged": True, "capabilities": {"add": ["NET_ADMIN"], "drop": ["X"]}}})
    run("restricted", "ephemeral", pod)
    assert debug_sc(pod)["capabilities"] == {"drop": ["ALL"]}
    assert "privileged" not in debug_sc(pod)


def test_mount_root_only_looks_at_regular_containers() -> None:
    pod = pod_with()
    mount_root(pod, "dbg")  # an ephemeral container: no mount, but the volume is added
    assert pod["spec"]["volumes"] == [{"name": "host-root", "hostPath": {"path": "/"}}]
    assert "volumeMounts" not in pod["spec"]["ephemeralContainers"][0]


def test_share_pid_only_when_unset() -> None:
    pod: dict[str, Any] = {"spec": {"shareProcessNamespace": False}}
    share_process_namespace(pod)
    assert pod["spec"]["shareProcessNamespace"] is False
    pod = {"spec": {}}
    share_process_namespace(pod)
    assert pod["spec"]["shareProcessNamespace"] is True


def test_profiles_do_nothing_when_the_container_is_missing() -> None:
    for profile in PROFILES:
        pod = pod_with()
        before = copy.deepcopy(pod)
        apply_profile(pod, "nobody", "ephemeral", DebugOptions(profile=profile))
        assert pod == before
