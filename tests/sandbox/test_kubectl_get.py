"""Real kubectl reads the sandbox: get, get -A, -o wide, -o json, get nodes, describe."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from kubectl_bin import wait_until

Kubectl = Callable[..., Any]


def rows(out: str) -> dict[str, list[str]]:
    """kubectl's table by first column (the header is under its first word)."""
    return {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}


def test_get_pods(any_kubectl: Kubectl) -> None:
    proc = any_kubectl("get", "pods")
    assert proc.returncode == 0, proc.stderr
    table = rows(proc.stdout)
    assert table["NAME"] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert {"neato", "web", "api", "crasher"} <= set(table)
    assert "audited" not in table  # another namespace
    assert table["web"][1].endswith("/2")


def test_get_pods_becomes_running(kubectl: Kubectl) -> None:
    def neato_running() -> bool:
        return rows(kubectl("get", "pods").stdout)["neato"][1:3] == ["1/1", "Running"]

    wait_until(neato_running, what="neato 1/1 Running")


def test_get_pods_all_namespaces(any_kubectl: Kubectl) -> None:
    proc = any_kubectl("get", "pods", "-A")
    assert proc.returncode == 0, proc.stderr
    lines = [line.split() for line in proc.stdout.splitlines()]
    assert lines[0][:2] == ["NAMESPACE", "NAME"]
    assert ["secure", "audited"] in [line[:2] for line in lines]
    assert ["default", "neato"] in [line[:2] for line in lines]


def test_get_pods_wide_shows_node_and_ip(any_kubectl: Kubectl) -> None:
    def neato_row() -> list[str] | None:
        proc = any_kubectl("get", "pods", "-o", "wide")
        assert proc.returncode == 0, proc.stderr
        header = proc.stdout.splitlines()[0]
        assert "NOMINATED NODE" in header and "READINESS GATES" in header
        row = rows(proc.stdout)["neato"]
        return row if row[5] != "<none>" else None

    row = wait_until(neato_row, what="neato to get an IP")
    assert row[6] == "node-1"


def test_get_pod_json_is_the_api_object(kubectl: Kubectl) -> None:
    proc = kubectl("get", "pod", "neato", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    pod = json.loads(proc.stdout)
    assert (pod["kind"], pod["metadata"]["name"]) == ("Pod", "neato")
    assert pod["spec"]["containers"][0]["image"] == "example.com/neato:1.0"


def test_get_nodes(any_kubectl: Kubectl) -> None:
    proc = any_kubectl("get", "nodes")
    assert proc.returncode == 0, proc.stderr
    table = rows(proc.stdout)
    assert table["NAME"] == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    for name in ("node-1", "node-2"):
        assert table[name][1] == "Ready"
        assert table[name][2] == "worker"
        assert table[name][4].startswith("v1.")


def test_get_missing_pod_is_not_found(any_kubectl: Kubectl) -> None:
    proc = any_kubectl("get", "pod", "no-such-pod")
    assert proc.returncode == 1
    assert 'pods "no-such-pod" not found' in proc.stderr


def test_describe_pod_shows_containers_and_events(kubectl: Kubectl) -> None:
    def described() -> str | None:
        proc = kubectl("describe", "pod", "api")
        assert proc.returncode == 0, proc.stderr
        return proc.stdout if "Started" in proc.stdout else None

    out = wait_until(described, what="api's Started event")
    for expected in (
        "Name:             api",
        "Namespace:        default",
        "Node:             node-",
        "Labels:           app=api",
        "kdebug.example.com/owner: team-payments",
        "Init Containers:",
        "  wait-for-db:",
        "Containers:",
        "  api:",
        "Liveness:",
        "Readiness:",
        "Events:",
        "Scheduled",
        "default-scheduler",
    ):
        assert expected in out, f"{expected!r} missing from describe:\n{out}"


def test_describe_node(kubectl: Kubectl) -> None:
    proc = kubectl("describe", "node", "node-2")
    assert proc.returncode == 0, proc.stderr
    assert "Taints:             dedicated=batch:NoSchedule" in proc.stdout


def test_get_events_tells_what_the_kubelet_did(any_kubectl: Kubectl) -> None:
    def scheduled() -> str | None:
        proc = any_kubectl("get", "events", "--field-selector", "involvedObject.name=neato")
        assert proc.returncode == 0, proc.stderr
        return proc.stdout if "Started" in proc.stdout else None

    out = wait_until(scheduled, what="neato's events")
    assert out.splitlines()[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    for reason in ("Scheduled", "Pulled", "Created", "Started"):
        assert f" {reason} " in out
    assert "pod/neato" in out


def test_wait_for_ready_uses_a_watch(any_kubectl: Kubectl) -> None:
    proc = any_kubectl("wait", "--for=condition=Ready", "pod/web", "--timeout=30s", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "pod/web condition met\n"


def test_label_and_field_selectors(any_kubectl: Kubectl) -> None:
    proc = any_kubectl("get", "pods", "-l", "tier in (frontend,backend)", "-o", "name")
    assert proc.returncode == 0, proc.stderr
    assert sorted(proc.stdout.split()) == ["pod/api", "pod/web"]
    proc = any_kubectl(
        "get", "pods", "-A", "--field-selector", "metadata.namespace=secure", "-o", "name"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["pod/audited"]
