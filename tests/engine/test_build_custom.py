"""--custom (``applyCustomProfile`` and ``applyCustomProfileEphemeral`` in staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go): typed normalisation of the spec and its strategic merge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kdebug_nb.engine.builders import build_plan
from kdebug_nb.engine.builders.custom import (
    apply_custom,
    merge_keyed_list,
    normalize_container_spec,
)
from kdebug_nb.engine.grammar import parse_args, validate
from kdebug_nb.engine.grammar.custom_file import load_custom_file
from kdebug_nb.errors import UsageError

POD = {"kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
       "spec": {"containers": [{"name": "app", "image": "nginx"}], "securityContext": {}}}
NODE = {"kind": "Node", "metadata": {"name": "node-1"}}

DOC_EXAMPLE = """\
env: [{name: TRACE, value: "1"}]
securityContext: {runAsUser: 0, capabilities: {add: [NET_ADMIN]}}
volumeMounts: [{name: data, mountPath: /data, readOnly: true}]
"""


def debug_container(argv: str, custom: str, tmp_path: Path, target: dict[str, Any] = POD,
                    name: str = "custom.yaml") -> dict[str, Any]:
    path = tmp_path / name
    path.write_text(custom)
    plan = build_plan(target, validate(parse_args(f"--custom={path} {argv}")).options,
                      namespace="default",
                      suffix=lambda: "sfx")
    if plan.mode == "ephemeral":
        return plan.body["spec"]["ephemeralContainers"][-1]
    return next(c for c in plan.body["spec"]["containers"] if c["name"] == plan.container)


def test_doc_example_over_general_ephemeral(tmp_path: Path) -> None:
    container = debug_container("web --image=busybox", DOC_EXAMPLE, tmp_path)
    assert container == {
        "name": "debugger-sfx", "image": "busybox", "resources": {},
        "terminationMessagePolicy": "File",
        "env": [{"name": "TRACE", "value": "1"}],
        # lists other than env/volumeMounts/ports replace: SYS_PTRACE is gone
        "securityContext": {"runAsUser": 0, "capabilities": {"add": ["NET_ADMIN"]}},
        "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": True}],
    }


def test_json_file_is_read_as_json(tmp_path: Path) -> None:
    container = debug_container("web --image=busybox --profile=baseline",
                                '{"workingDir": "/tmp"}', tmp_path, name="c.json")
    assert container["workingDir"] == "/tmp"


def test_objects_merge_field_by_field(tmp_path: Path) -> None:
    container = debug_container("web --image=busybox --profile=restricted",
                                "securityContext: {runAsNonRoot: false}\n", tmp_path)
    assert container["securityContext"] == {
        "runAsNonRoot": False, "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}


def test_plain_false_booleans_cannot_switch_a_flag_off(tmp_path: Path) -> None:
    container = debug_container("web -it --image=busybox --profile=sysadmin",
                                "stdin: false\ntty: false\nsecurityContext: {privileged: false}\n",
                                tmp_path)
    assert container["stdin"] is True and container["tty"] is True
    assert container["securityContext"] == {"privileged": False}  # a pointer bool applies


def test_custom_can_turn_stdin_and_tty_on(tmp_path: Path) -> None:
    container = debug_container("web --image=busybox", "stdin: true\ntty: true\n", tmp_path)
    assert container["stdin"] is True and container["tty"] is True


def test_unknown_fields_vanish(tmp_path: Path) -> None:
    container = debug_container("web --image=busybox --profile=baseline",
                                "bogus: 1\nsecurityContext: {nonsense: true, runAsUser: 5}\n",
                                tmp_path)
    assert "bogus" not in container
    assert container["securityContext"] == {"runAsUser": 5}


def test_custom_mount_in_node_mode_merges_by_mount_path(tmp_path: Path) -> None:
    container = debug_container(
        "node/node-1 --image=busybox",
        "volumeMounts: [{name: host-root, mountPath: /host, readOnly: true}]\n", tmp_path, NODE)
    assert container["volumeMounts"] == [
        {"name": "host-root", "mountPath": "/host", "readOnly": True}]


def test_copy_mode_merges_into_an_existing_container(tmp_path: Path) -> None:
    pod = {"kind": "Pod", "metadata": {"name": "web", "namespace": "d"},
           "spec": {"containers": [{
               "name": "app", "image": "nginx", "args": ["a"],
               "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
               "ports": [{"containerPort": 80, "protocol": "TCP"}],
               "envFrom": [{"configMapRef": {"name": "cm"}}]}]}}
    custom = ("env: [{name: B, value: '3'}]\n"
              "ports: [{containerPort: 80, name: http}]\n"
              "args: [b]\n"
              "envFrom: [{secretRef: {name: s}}]\n")
    container = debug_container("web --copy-to=c -c app --profile=baseline -- sh", custom,
                                tmp_path, pod)
    assert container["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}]
    assert container["ports"] == [{"containerPort": 80, "protocol": "TCP", "name": "http"}]
    assert container["args"] == ["b"]
    # envFrom is replaced by the merge, but Go decodes the result onto the old
    # element 0, so its configMapRef survives (kubectl 1.35 does exactly this)
    assert container["envFrom"] == [{"configMapRef": {"name": "cm"}, "secretRef": {"name": "s"}}]
    assert container["command"] == ["sh"]


def test_go_decoding_quirk_when_a_merge_shifts_elements(tmp_path: Path) -> None:
    pod = {"kind": "Pod", "metadata": {"name": "web", "namespace": "d"},
           "spec": {"containers": [{
               "name": "app", "image": "nginx",
               "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
               "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": True}]}]}}
    custom = ("ports: [{containerPort: 9090}, {containerPort: 8080, name: web}]\n"
              "volumeMounts: [{name: data, mountPath: /d2}]\n")
    container = debug_container("web --copy-to=c -c app --profile=baseline -- sh", custom,
                                tmp_path, pod)
    # the new port lands on index 0 and keeps the old element's name and protocol
    assert container["ports"] == [{"containerPort": 9090, "name": "http", "protocol": "TCP"},
                                  {"containerPort": 8080, "name": "web", "protocol": "TCP"}]
    assert container["volumeMounts"] == [{"name": "data", "mountPath": "/d2", "readOnly": True},
                                         {"name": "data", "mountPath": "/data", "readOnly": True}]


def test_custom_targets_regular_containers_only_in_copies(tmp_path: Path) -> None:
    pod = {"kind": "Pod", "metadata": {"name": "web", "namespace": "d"},
           "spec": {"initContainers": [{"name": "init", "image": "x"}],
                    "containers": [{"name": "app", "image": "nginx"}]}}
    path = tmp_path / "c.yaml"
    path.write_text("tty: true\n")
    with pytest.raises(UsageError, match="unable to find the init container in the pod c"):
        opts = validate(parse_args(f"web --copy-to=c -c init --image=b --custom={path}")).options
        build_plan(pod, opts, namespace="d")


# ---------------------------------------------------------------- keyed list order


def keys(items: list[dict[str, Any]]) -> list[str]:
    return [i["name"] for i in items]


@pytest.mark.parametrize("original,patch,expected", [
    (["A", "B"], ["B"], ["A", "B"]),
    (["A", "B"], ["A"], ["A", "B"]),
    (["A", "B"], ["C"], ["C", "A", "B"]),  # new entries come before the server-only ones
    (["A", "B"], ["B", "C"], ["A", "B", "C"]),
    (["A", "B"], ["C", "A"], ["C", "A", "B"]),
    (["A", "B", "C"], ["C", "A"], ["B", "C", "A"]),
    ([], ["A"], ["A"]),
])
def test_keyed_merge_order_follows_the_go_library(original: list[str], patch: list[str],
                                                  expected: list[str]) -> None:
    merged = merge_keyed_list([{"name": k} for k in original], [{"name": k} for k in patch],
                              "name")
    assert keys(merged) == expected


# ---------------------------------------------------------------- normalisation


def test_normalisation_rules() -> None:
    spec = normalize_container_spec({
        "Stdin": True,  # Go matches keys case-insensitively
        "tty": False, "workingDir": "", "args": [], "env": None,
        "ports": [{"containerPort": 0}],
        "securityContext": {"privileged": False, "seccompProfile": {}},
        "livenessProbe": {"httpGet": {"path": "/"}},
        "resources": {"limits": {"cpu": 1}},
    })
    assert spec == {
        "name": "", "ports": [{"containerPort": 0}],
        "resources": {"limits": {"cpu": "1"}},
        "livenessProbe": {"httpGet": {"path": "/", "port": 0}},
        "securityContext": {"privileged": False, "seccompProfile": {"type": ""}},
        "stdin": True,
    }


@pytest.mark.parametrize("spec,fragment", [
    ({"stdin": "yes"}, "Container.stdin of type bool"),
    ({"env": {"A": "1"}}, "Container.env"),
    ({"ports": [{"containerPort": "80"}]}, "ContainerPort.containerPort of type int32"),
    ([1, 2], "cannot unmarshal array into Go value of type v1.Container"),
])
def test_type_errors(spec: Any, fragment: str) -> None:
    with pytest.raises(UsageError) as info:
        normalize_container_spec(spec, "f.yaml")
    assert str(info.value).startswith("f.yaml does not contain a valid container spec: ")
    assert fragment in str(info.value)


def test_empty_or_null_file_means_no_custom_profile(tmp_path: Path) -> None:
    for content in ("", "null", "~\n"):
        path = tmp_path / "c"
        path.write_text(content)
        assert load_custom_file(str(path)) is None


def test_apply_custom_keeps_the_name_and_adds_empty_resources() -> None:
    merged = apply_custom({"name": "dbg", "image": "b"}, {"name": "", "tty": True})
    assert merged == {"name": "dbg", "image": "b", "tty": True, "resources": {}}


# ---------------------------------------------------------------- values as Go re-encodes them
# (expected values observed with kubectl 1.35 -v=2 against the sandbox)


@pytest.mark.parametrize("given,canonical", [
    ("0.5", "500m"), ("1", "1"), ("1000", "1k"), ("1000m", "1"), ("100M", "100M"),
    ("1.5Gi", "1536Mi"), ("2048Ki", "2Mi"), ("512Ki", "512Ki"), ("0.5Ki", "512"),
    ("1.1Ki", "1126400m"), ("1e3", "1e3"), ("12e6", "12e6"), ("1500e-3", "1500e-3"),
    ("0.0000000001", "1n"), ("1024", "1024"), ("0.1", "100m"), ("129M", "129M"),
    ("123456789", "123456789"), ("1.5", "1500m"), ("2.5e-3", "2500e-6"), ("0", "0"),
])
def test_quantities_are_canonical(given: str, canonical: str) -> None:
    from kdebug_nb.engine.builders.quantity import canonical_quantity

    assert canonical_quantity(given) == canonical


def test_resource_quantities_in_a_custom_spec(tmp_path: Path) -> None:
    custom = ("resources: {limits: {cpu: 0.5, memory: 1e3}, requests: {cpu: '0.25'}}\n"
              "env: [{name: X, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}]\n")
    container = debug_container("web --image=busybox --profile=baseline", custom, tmp_path)
    assert container["resources"] == {"limits": {"cpu": "500m", "memory": "1k"},
                                      "requests": {"cpu": "250m"}}
    # a Quantity is a struct: its zero value is always written
    assert container["env"] == [{"name": "X", "valueFrom": {
        "resourceFieldRef": {"resource": "limits.cpu", "divisor": "0"}}}]


def test_bad_quantity(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text("resources: {limits: {cpu: lots}}\n")
    with pytest.raises(UsageError, match="quantities must match the regular expression"):
        load_custom_file(str(path))


def test_yaml_scalars_in_string_fields_become_strings(tmp_path: Path) -> None:
    custom = ("env: [{name: Y, value: 1}, {name: N, value: 0.5}, {name: yes, value: on}, "
              "{name: A, value: 1234567.0}, {name: B, value: 3.14159265}, "
              "{name: C, value: 0.000123456}, {name: D, value: 1e3}, {name: E, value: y}]\n"
              "args: [1, true, 2.5, n]\nworkingDir: 7\nstdin: y\ntty: yes\n")
    container = debug_container("web --image=busybox --profile=baseline", custom, tmp_path)
    assert container["env"] == [
        {"name": "true", "value": "1"}, {"name": "false", "value": "0.5"},
        {"name": "true", "value": "true"}, {"name": "A", "value": "1.234567e+06"},
        {"name": "B", "value": "3.1415927"}, {"name": "C", "value": "0.000123456"},
        {"name": "D", "value": "1000"}, {"name": "E", "value": "true"}]
    assert container["args"] == ["1", "true", "2.5", "false"]
    assert container["workingDir"] == "7"
    assert container["stdin"] is True and container["tty"] is True


def test_json_with_a_type_mismatch_is_read_again_as_yaml(tmp_path: Path) -> None:
    container = debug_container("web --image=busybox --profile=baseline",
                                '{"workingDir": 5, "args": [1, 2], "stdinOnce": true}', tmp_path,
                                name="c.json")
    assert container["workingDir"] == "5" and container["args"] == ["1", "2"]
    assert container["stdinOnce"] is True


def test_python_specs_stay_strict() -> None:
    with pytest.raises(UsageError, match="Container.workingDir of type string"):
        normalize_container_spec({"workingDir": 5})
