"""Scenario files: the built-ins load, bad files fail with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kdebug_nb.sandbox.scenario import (
    ScenarioError,
    apply_scenario,
    builtin_scenarios,
    load_scenario,
)
from kdebug_nb.sandbox.store.cluster import Cluster


def write(tmp_path: Path, text: str, name: str = "story.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_builtins_are_listed_with_descriptions() -> None:
    scenarios = builtin_scenarios()
    assert {"default", "locked-down"} <= set(scenarios)
    assert all(scenarios.values())
    assert all("\n" not in d for d in scenarios.values())


def test_default_tells_the_kep_stories() -> None:
    sc = load_scenario("default")
    pods = {(p["metadata"].get("namespace", "default"), p["metadata"]["name"]): p for p in sc.pods}
    neato = pods[("default", "neato")]
    assert neato["metadata"]["labels"] == {"app": "neato"}
    assert len(pods[("default", "web")]["spec"]["containers"]) == 2
    api = pods[("default", "api")]
    assert api["spec"]["initContainers"] and api["metadata"]["annotations"]
    assert {"livenessProbe", "readinessProbe", "startupProbe"} <= set(api["spec"]["containers"][0])
    assert pods[("default", "crasher")]["spec"]["restartPolicy"] == "Always"
    assert ("secure", "audited") in pods
    assert [n["name"] for n in sc.nodes] == ["node-1", "node-2"]
    assert any(n.get("taints") for n in sc.nodes)
    secure = next(ns for ns in sc.namespaces if ns["name"] == "secure")
    assert secure["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    viewer = next(u for u in sc.users if u["name"] == "viewer")
    assert viewer["token"] == "viewer-token"
    assert all(set(v) <= {"get", "list", "watch"} for v in viewer["allow"].values())
    assert sc.policy["ephemeralContainers"] is True
    # its tokens are public (in this file), so none of them may drive the sandbox
    assert sc.admin_token() is None


def test_locked_down_extends_default_with_ephemeral_containers_off() -> None:
    locked, default = load_scenario("locked-down"), load_scenario("default")
    assert locked.name == "locked-down"
    assert locked.policy["ephemeralContainers"] is False
    assert [p["metadata"]["name"] for p in locked.pods] == [
        p["metadata"]["name"] for p in default.pods
    ]


def test_none_means_default() -> None:
    assert load_scenario(None).name == "default"


def test_unknown_builtin_names_the_choices() -> None:
    with pytest.raises(ScenarioError, match=r"unknown scenario 'nope' \(built-in: .*default"):
        load_scenario("nope")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read scenario .*missing.yaml"):
        load_scenario(tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("podz: []\n", r"story.yaml: unknown key 'podz' \(known: "),
        ("nodes:\n  - labels: {a: b}\n", r"nodes\[0\]: missing name"),
        ("nodes:\n  - name: n1\n    tains: []\n", r"node 'n1': unknown key 'tains'"),
        ("namespaces:\n  - name: x\n    label: {}\n", r"namespace 'x': unknown key 'label'"),
        ("users:\n  - name: u\n", r"user 'u': missing token"),
        (
            "users:\n  - name: u\n    token: t\n    allow: {pods: [look]}\n",
            r"unknown verb 'look' for 'pods'",
        ),
        ("policy: {ephemeralContainers: maybe}\n", r"policy.ephemeralContainers must be true or false"),
        ("policy: {ephemeral: false}\n", r"policy: unknown key 'ephemeral'"),
        ("pods:\n  - spec: {}\n", r"pods\[0\]: missing metadata.name"),
        ("pods:\n  - kind: Node\n    metadata: {name: n}\n", r"kind must be Pod"),
        ("images:\n  - entrypoint: [x]\n", r"images\[0\]: missing ref"),
        ("- just\n- a list\n", r"a scenario must be a mapping"),
        ("nodes: node-1\n", r"nodes must be a list"),
    ],
)
def test_bad_files_fail_with_one_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as info:
        load_scenario(write(tmp_path, text))
    assert "\n" not in str(info.value)


def test_yaml_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "nodes:\n  - name: n1\n  - name: [unclosed\n")
    with pytest.raises(ScenarioError, match=r"story.yaml: line \d+: invalid YAML") as info:
        load_scenario(path)
    assert "\n" not in str(info.value)


def test_user_file_extends_a_neighbour(tmp_path: Path) -> None:
    write(tmp_path, "nodes:\n  - name: base-node\n", name="base.yaml")
    path = write(tmp_path, "extends: base.yaml\nnodes:\n  - name: extra\n")
    assert [n["name"] for n in load_scenario(path).nodes] == ["base-node", "extra"]


def test_extends_itself_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "extends: story.yaml\n")
    with pytest.raises(ScenarioError, match="no cycles"):
        load_scenario(path)


def test_apply_creates_namespaces_nodes_users_and_policy(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
namespaces:
  - name: team-a
    labels: {owner: a}
nodes:
  - name: n1
    taints: [{key: k, value: v, effect: NoSchedule}]
    conditions: [{type: Ready, status: "False", reason: KubeletNotReady}]
    capacity: {cpu: "8"}
users:
  - {name: ro, token: ro-token, allow: {pods: [get, list]}}
policy: {ephemeralContainers: false, requireAuth: true}
""",
    )
    cluster = Cluster()
    apply_scenario(cluster, load_scenario(path))
    names = {ns["metadata"]["name"] for ns in cluster.list("Namespace")}
    assert names == {"default", "kube-system", "kube-public", "kube-node-lease", "team-a"}
    team = cluster.get("Namespace", "", "team-a")
    assert team is not None
    assert team["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team-a", "owner": "a"}
    assert team["status"]["phase"] == "Active"
    node = cluster.get("Node", "", "n1")
    assert node is not None
    assert node["spec"]["taints"] == [{"key": "k", "value": "v", "effect": "NoSchedule"}]
    ready = next(c for c in node["status"]["conditions"] if c["type"] == "Ready")
    assert (ready["status"], ready["reason"]) == ("False", "KubeletNotReady")
    assert node["status"]["capacity"]["cpu"] == "8"
    assert node["metadata"]["labels"]["kubernetes.io/hostname"] == "n1"
    assert {a["type"] for a in node["status"]["addresses"]} == {"InternalIP", "Hostname"}
    user = cluster.users["ro-token"]
    assert user.can("list", "pods") and not user.can("delete", "pods")
    assert cluster.policy.ephemeral_containers is False
    assert cluster.policy.require_auth is True


def test_scenario_images_extend_the_catalogue(tmp_path: Path) -> None:
    from kubectl_bin import sandbox_json, sandbox_request, wait_until

    from kdebug_nb.sandbox.server import Sandbox

    path = write(
        tmp_path,
        """
nodes: [{name: n1}]
images:
  - ref: example.com/shop:2.1
    cmd: [sh, -c, "echo shop up; sleep 3600"]
    binaries: ["@busybox"]
pods:
  - metadata: {name: shop}
    spec: {containers: [{name: shop, image: example.com/shop:2.1}]}
  - metadata: {name: box}
    spec: {restartPolicy: Never, containers: [{name: box, image: busybox, command: ["true"]}]}
""",
    )
    with Sandbox(path) as sb:
        base = "/api/v1/namespaces/default/pods"

        def phase(name: str) -> str:
            return str(sandbox_json(sb, f"{base}/{name}")[1]["status"].get("phase"))

        wait_until(lambda: phase("shop") == "Running", what="shop Running")
        wait_until(lambda: phase("box") == "Succeeded", what="busybox still in the catalogue")
        # Running means the process exists, not that it has printed yet.
        wait_until(
            lambda: sandbox_request(sb, f"{base}/shop/log") == (200, b"shop up\n"),
            what="shop's first line in its log",
        )


def test_a_pod_in_an_undeclared_namespace_fails_start(tmp_path: Path) -> None:
    from kdebug_nb.sandbox.server import Sandbox

    path = write(
        tmp_path,
        "pods:\n  - metadata: {name: lost, namespace: nowhere}\n"
        "    spec: {containers: [{name: c, image: busybox}]}\n",
    )
    with pytest.raises(ScenarioError, match=r"story.yaml: pod nowhere/lost: .*nowhere.* not found"):
        Sandbox(path).start()


def test_a_bad_image_ref_is_a_scenario_error(tmp_path: Path) -> None:
    path = write(tmp_path, "images:\n  - ref: Example.com/UPPER:1\n")
    with pytest.raises(ScenarioError, match=r"story.yaml: images: .*must be lowercase"):
        apply_scenario(Cluster(), load_scenario(path))
