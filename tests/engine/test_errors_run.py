"""Every error a run can meet: one line, the server's words, then what to do, nothing left behind."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from runtime_support import ephemeral_names, make_pod, mutating_requests, pod_names, uid, wait_gone

from kdebug_nb import errors
from kdebug_nb.engine import run
from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection
from kdebug_nb.engine.grammar import parse_args
from kdebug_nb.sandbox.kubeconfig import write_kubeconfig


def _run(conn: Connection, *argv: str) -> Any:
    return run(parse_args(list(argv)), connection=conn)


def _one_line(exc: BaseException) -> str:
    msg = str(exc)
    assert "\n" not in msg and msg
    return msg


def test_pod_not_found(conn: Connection, fresh_namespace: str) -> None:
    ns = fresh_namespace
    with pytest.raises(errors.NotFound) as info:
        _run(conn, "nope", "-n", ns, "--image=busybox", "--", "true")
    assert _one_line(info.value) == (
        f'pods "nope" not found — in namespace "{ns}" (-n picks another); see which exist with '
        f'kubectl get pods -n {ns} or kdebug_nb.pods("{ns}")'
    )


def test_node_not_found(conn: Connection, cc: ClusterClient, fresh_namespace: str) -> None:
    with pytest.raises(errors.NotFound) as info:
        _run(conn, "node/nope", "-n", fresh_namespace, "--image=busybox", "--", "true")
    assert _one_line(info.value) == 'nodes "nope" not found — see which exist with kubectl get nodes'
    assert pod_names(cc, fresh_namespace) == set()


def test_namespace_not_found(conn: Connection) -> None:
    with pytest.raises(errors.NotFound) as info:
        _run(conn, "node/node-1", "-n", "no-such-ns", "--image=busybox", "--", "true")
    assert _one_line(info.value) == (
        'namespaces "no-such-ns" not found — check the -n value; '
        "see which exist with kubectl get namespaces"
    )


def test_forbidden_for_the_viewer(
    sandbox: Any, cc: ClusterClient, fresh_namespace: str, tmp_path: Path
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    path = write_kubeconfig(
        sandbox.url, tmp_path / "viewer.yaml", token="viewer-token", ca_pem=sandbox.ca_pem
    )
    viewer = Connection(str(path))
    with pytest.raises(errors.Forbidden) as info:
        _run(viewer, pod, "-n", fresh_namespace, "--image=busybox", "--", "true")
    msg = _one_line(info.value)
    assert msg.startswith(f'pods "{pod}" is forbidden: User "viewer" cannot patch resource '
                          '"pods/ephemeralcontainers"')
    assert msg.endswith(
        f' — ask for permission to patch pods/ephemeralcontainers in namespace "{fresh_namespace}", '
        "or use another context (--context)"
    )
    assert "viewer-token" not in msg
    assert ephemeral_names(cc, fresh_namespace, pod) == []


def test_forbidden_copy_for_the_viewer(
    sandbox: Any, cc: ClusterClient, fresh_namespace: str, tmp_path: Path
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    path = write_kubeconfig(
        sandbox.url, tmp_path / "viewer.yaml", token="viewer-token", ca_pem=sandbox.ca_pem
    )
    with pytest.raises(errors.Forbidden) as info:
        _run(Connection(str(path)), pod, "-n", fresh_namespace, "--copy-to=c1",
             "--image=busybox", "--", "true")
    msg = _one_line(info.value)
    assert msg.startswith('pods is forbidden: User "viewer" cannot create resource "pods"')
    assert msg.endswith(
        f' — ask for permission to create pods in namespace "{fresh_namespace}", '
        "or use another context (--context)"
    )
    assert pod_names(cc, fresh_namespace) == {pod}


def test_ephemeral_containers_disabled() -> None:
    from kdebug_nb.sandbox.server import Sandbox

    with Sandbox("locked-down") as locked:
        conn = Connection(str(locked.kubeconfig), locked.context)
        with pytest.raises(errors.EphemeralContainersDisabled) as info:
            _run(conn, "neato", "--image=busybox", "--", "true")
        msg = _one_line(info.value)
        assert msg.startswith('ephemeral containers are disabled for this cluster (error from server: "')
        assert msg.endswith('") — debug a copy instead with --copy-to=NAME')
        assert ephemeral_names(ClusterClient(conn), "default", "neato") == []


@pytest.mark.parametrize(
    ("argv", "phrase"),
    [
        (["web", "--attach=true"], "you must specify --container or create a new container using --image in order to attach"),
        (["web", "--copy-to=x"], "you must specify --image, --set-image or command arguments"),
        (["web", "--copy-to=x", "--", "ls"], "you must specify an existing container or a new image when specifying args"),
        (["web", "--image=busybox", "--replace"], "--replace may only be used with --copy-to"),
        (["web", "--image=busybox", "--same-node"], "--same-node may only be used with --copy-to"),
        (["web", "--image=busybox", "--set-image=a=b"], "--set-image may only be used with --copy-to"),
        (["web"], "you must specify --image when not using --copy-to"),
        (["web", "--image=Busybox"], 'invalid image name "Busybox": invalid reference format'),
        (["--image=busybox"], "NAME or filename is required for debug"),
        (["web", "--image=busybox", "--image-pull-policy=Sometimes"], "invalid image pull policy: Sometimes"),
        (["web", "--copy-to=x", "--set-image=app=NOPE"], 'invalid image name "NOPE" for container "app": invalid reference format'),
        (["web", "--copy-to=x", "--image=busybox", "--target=app"], "--target is incompatible with --copy-to. Use --share-processes instead"),
        (["web", "--image=busybox", "-t"], "-i/--stdin is required for containers with -t/--tty=true"),
        (["web", "--image=busybox", "--profile=weird"], "unknown profile: weird"),
        (["web", "--image=busybox", "--env=NOEQUALS"], "must be formatted as key=value"),
    ],
)
def test_invalid_flags_fail_before_any_request(
    sandbox: Any, conn: Connection, argv: list[str], phrase: str
) -> None:
    mark = time.monotonic()
    with pytest.raises(errors.UsageError) as info:
        run(parse_args(argv), connection=conn)
    assert phrase in _one_line(info.value)
    assert sandbox.requests_since(mark) == []


def test_invalid_custom_files(sandbox: Any, conn: Connection, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "sneaky", "env": [{"name": "A", "value": "1"}]}))
    before = len(sandbox.requests)
    with pytest.raises(errors.UsageError) as info:
        run(parse_args(["web", "--image=busybox", f"--custom={bad}"]), connection=conn)
    assert "not modifiable via custom profile" in _one_line(info.value)
    with pytest.raises(errors.UsageError) as info:
        run(parse_args(["web", "--image=busybox", f"--custom={tmp_path / 'missing.json'}"]),
            connection=conn)
    assert "must pass a container spec json file for custom profile" in str(info.value)
    garbage = tmp_path / "garbage.yaml"
    garbage.write_text("env: [unclosed\n")
    with pytest.raises(errors.UsageError) as info:
        run(parse_args(["web", "--image=busybox", f"--custom={garbage}"]), connection=conn)
    assert "does not contain a valid container spec" in str(info.value)
    assert mutating_requests(sandbox.requests[before:]) == []


def _clash(pod: str, name: str, kind: str) -> str:
    return (
        f'container name "{name}" is already used in pod "{pod}" ({kind}) — '
        "choose another name with -c, or leave -c out to have one generated"
    )


@pytest.mark.parametrize("detach", [False, True], ids=["attached", "detach"])
def test_container_name_already_in_use(
    sandbox: Any, conn: Connection, cc: ClusterClient, fresh_namespace: str, detach: bool
) -> None:
    # kubectl sends the PATCH and shows the server's "Duplicate value"; we refuse before it
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    extra = ["--detach"] if detach else []
    before = len(sandbox.requests)
    with pytest.raises(errors.ApiError) as info:
        _run(conn, pod, "-n", fresh_namespace, "--image=busybox", "-c", "app", *extra, "--", "true")
    assert isinstance(info.value, errors.AlreadyExists)
    assert _one_line(info.value) == _clash(pod, "app", "container")
    assert info.value.leftovers == ()
    assert mutating_requests(sandbox.requests[before:]) == []
    assert ephemeral_names(cc, fresh_namespace, pod) == []


def test_container_name_clash_with_init_and_ephemeral_containers(
    sandbox: Any, conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    ns = fresh_namespace
    pod = make_pod(cc, ns, init=[{"name": "prep", "image": "busybox", "command": ["true"]}])
    name = pod["metadata"]["name"]
    before = len(sandbox.requests)
    with pytest.raises(errors.AlreadyExists) as info:
        _run(conn, name, "-n", ns, "--image=busybox", "-c", "prep", "--", "true")
    assert _one_line(info.value) == _clash(name, "prep", "init container")
    # a first debug container named dbg, then the same name again
    _run(conn, name, "-n", ns, "--image=busybox", "-c", "dbg", "--detach", "--", "sleep", "30")
    sent = len(sandbox.requests)
    for extra in ([], ["--detach"]):
        with pytest.raises(errors.AlreadyExists) as info:
            _run(conn, name, "-n", ns, "--image=busybox", "-c", "dbg", *extra, "--", "true")
        assert _one_line(info.value) == _clash(name, "dbg", "ephemeral container")
    assert mutating_requests(sandbox.requests[sent:]) == []
    assert [m for m, _p in mutating_requests(sandbox.requests[before:])] == ["PATCH"]
    assert ephemeral_names(cc, ns, name) == ["dbg"]


def test_dry_run_still_shows_a_clashing_object(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    # --dry-run shows what kubectl would send, clash or not
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    result = _run(conn, pod, "-n", fresh_namespace, "--image=busybox", "-c", "app",
                  "--dry-run", "--", "true")
    assert result.reason == "DryRun"
    assert [c["name"] for c in result.sent["spec"]["ephemeralContainers"]] == ["app"]


def test_target_container_that_does_not_exist(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    with pytest.raises(errors.Invalid) as info:
        _run(conn, pod, "-n", fresh_namespace, "--image=busybox", "--target=nope", "--", "true")
    assert _one_line(info.value).startswith(f'The Pod "{pod}" is invalid: ')
    assert 'targetContainerName: Not found: "nope"' in str(info.value)
    assert ephemeral_names(cc, fresh_namespace, pod) == []


@pytest.mark.parametrize("mode", ["ephemeral", "copy"])
def test_pod_security_admission_refusal(conn: Connection, cc: ClusterClient, mode: str) -> None:
    copy = uid("copy")
    extra = [f"--copy-to={copy}"] if mode == "copy" else []
    before = ephemeral_names(cc, "secure", "audited")
    with pytest.raises(errors.Forbidden) as info:
        _run(conn, "audited", "-n", "secure", "--image=busybox", "--profile=general", *extra,
             "--", "true")
    msg = _one_line(info.value)
    assert 'is forbidden: violates PodSecurity "restricted:latest"' in msg
    assert '"SYS_PTRACE"' in msg
    assert msg.endswith(' — try --profile=restricted (namespace "secure" enforces Pod Security '
                        '"restricted")')
    assert ephemeral_names(cc, "secure", "audited") == before
    assert copy not in pod_names(cc, "secure")


@pytest.mark.parametrize("mode", ["ephemeral", "node"])
def test_the_pod_security_hint_helps(conn: Connection, cc: ClusterClient, mode: str) -> None:
    # what the hint suggests is admitted (and the run completes). A node
    # debugger has no pod uid to run as: under restricted's runAsNonRoot the
    # kubelet refuses a root image, so it takes an image with a non-root user
    target, rm, image = (
        ("audited", [], "busybox") if mode == "ephemeral" else ("node/node-1", ["--rm"], "curlimages/curl")
    )
    result = _run(conn, target, "-n", "secure", f"--image={image}", "--profile=restricted",
                  *rm, "--", "true")
    assert result.exit_code == 0


def test_no_profile_hint_where_a_profile_cannot_help(
    conn: Connection, tmp_path: Path
) -> None:
    # the restricted profile is already there; what breaks the level is the --custom part
    custom = tmp_path / "caps.json"
    custom.write_text(json.dumps({"securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}))
    with pytest.raises(errors.Forbidden) as info:
        _run(conn, "node/node-1", "-n", "secure", "--image=busybox", "--profile=restricted",
             f"--custom={custom}", "--", "true")
    msg = _one_line(info.value)
    assert msg.endswith('must not include "NET_ADMIN" in securityContext.capabilities.add)')
    assert "--profile" not in msg


@pytest.fixture
def baseline_namespace(core_v1: Any) -> Any:
    name = uid("baseline")
    labels = {"pod-security.kubernetes.io/enforce": "baseline"}
    core_v1.create_namespace({"metadata": {"name": name, "labels": labels}})
    yield name
    core_v1.delete_namespace(name)


@pytest.mark.parametrize("mode", ["ephemeral", "copy", "node"])
def test_pod_security_baseline_hint(
    conn: Connection, cc: ClusterClient, baseline_namespace: str, mode: str
) -> None:
    ns = baseline_namespace
    pod = make_pod(cc, ns)["metadata"]["name"]
    target = "node/node-1" if mode == "node" else pod
    extra = [f"--copy-to={uid('copy')}"] if mode == "copy" else []
    with pytest.raises(errors.Forbidden) as info:
        _run(conn, target, "-n", ns, "--image=busybox", "--profile=sysadmin", *extra, "--", "true")
    msg = _one_line(info.value)
    assert 'is forbidden: violates PodSecurity "baseline:latest": ' in msg
    assert msg.endswith(f' — try --profile=baseline or --profile=restricted (namespace "{ns}" '
                        'enforces Pod Security "baseline")')
    rm = [] if mode == "ephemeral" else ["--rm"]
    result = _run(conn, target, "-n", ns, "--image=busybox", "--profile=baseline", *extra,
                  *rm, "--", "true")
    assert result.exit_code == 0


def test_copy_name_already_taken(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    other = make_pod(cc, fresh_namespace, wait=False)["metadata"]["name"]
    with pytest.raises(errors.AlreadyExists) as info:
        _run(conn, pod, "-n", fresh_namespace, f"--copy-to={other}", "--image=busybox",
             "--", "true")
    assert _one_line(info.value) == (
        f'pods "{other}" already exists — choose another --copy-to name, or delete the old copy: '
        f"kubectl delete pod {other} -n {fresh_namespace}"
    )
    assert pod_names(cc, fresh_namespace) == {pod, other}


def _pod_with_endless_init(cc: ClusterClient, namespace: str) -> str:
    """A pod whose init container never finishes: a copy of it keeps that init
    container, so the copy's debug container never starts."""
    name: str = make_pod(
        cc, namespace, init=[{"name": "forever", "image": "busybox",
                              "command": ["sleep", "3600"]}], wait=False,
    )["metadata"]["name"]
    return name


def test_start_timeout(conn: Connection, cc: ClusterClient, fresh_namespace: str) -> None:
    # the copy keeps the original's init container, which never finishes
    pod = _pod_with_endless_init(cc, fresh_namespace)
    copy = uid("copy")
    t0 = time.monotonic()
    with pytest.raises(errors.StartTimeout) as info:
        _run(conn, pod, "-n", fresh_namespace, f"--copy-to={copy}", "--image=busybox",
             "--timeout=2", "--rm", "--", "true")
    elapsed = time.monotonic() - t0
    msg = _one_line(info.value)
    assert msg.startswith('debug container "debugger-')
    assert (f'in pod "{copy}" did not start within the timeout (last state: PodInitializing; '
            'init container "forever" is still running)') in msg
    assert msg.endswith(
        " — raise --timeout, leave the original's init containers out with "
        f"--keep-init-containers=false, or look at kubectl describe pod {copy} -n {fresh_namespace}"
    )
    # the events quoted are about the pod, the blocking init container or ours: not "app"
    assert "container app" not in msg and "container: app" not in msg
    assert 2.0 <= elapsed < 10.0
    wait_gone(cc, fresh_namespace, copy)


def test_failed_init_container_of_a_copy_fails_fast(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    # restartPolicy Never and a failing init container: the copy can never start ours
    pod = make_pod(
        cc, fresh_namespace, init=[{"name": "boom", "image": "busybox",
                                    "command": ["sh", "-c", "exit 3"]}],
        wait=False, restartPolicy="Never",
    )["metadata"]["name"]
    copy = uid("copy")
    t0 = time.monotonic()
    with pytest.raises(errors.StartFailed) as info:
        _run(conn, pod, "-n", fresh_namespace, f"--copy-to={copy}", "--image=busybox", "-c", "dbg",
             "--timeout=30", "--rm", "--", "true")
    assert time.monotonic() - t0 < 10
    assert _one_line(info.value) == (
        f'debug container "dbg" in pod "{copy}" cannot start: the pod has already finished '
        '(phase Failed; init container "boom" exited with code 3) — the copy keeps the '
        "original's init containers; leave them out with --keep-init-containers=false"
    )
    wait_gone(cc, fresh_namespace, copy)
    result = _run(conn, pod, "-n", fresh_namespace, f"--copy-to={copy}", "--image=busybox",
                  "--keep-init-containers=false", "--rm", "--", "true")
    assert result.exit_code == 0


def test_image_pull_failure_fails_fast(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    t0 = time.monotonic()
    with pytest.raises(errors.ImageError) as info:
        _run(conn, pod, "-n", fresh_namespace, "--image=example.com/nope:1", "-c", "dbg",
             "--timeout=60", "--", "true")
    assert time.monotonic() - t0 < 20.0
    msg = _one_line(info.value)
    assert msg.startswith(f'debug container "dbg" in pod "{pod}" cannot start: ')
    assert "ErrImagePull" in msg or "ImagePullBackOff" in msg
    assert "example.com/nope" in msg
    assert msg.endswith(" — check the image name, or that the cluster can pull it")
    # only events about dbg that add something: the target's own "app" events are left out,
    # and so is "Failed to pull image ...", which repeats the waiting message
    assert "container app" not in msg and "container: app" not in msg
    assert "Failed to pull image" not in msg
    # an ephemeral container cannot be removed: the error says it is there
    assert info.value.leftovers == (f"pod/{pod} ephemeral container dbg",)


def test_image_pull_failure_with_rm_removes_the_copy(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    copy = uid("copy")
    with pytest.raises(errors.ImageError) as info:
        _run(conn, pod, "-n", fresh_namespace, f"--copy-to={copy}",
             "--image=example.com/nope:1", "--rm", "--", "true")
    assert info.value.leftovers == ()
    wait_gone(cc, fresh_namespace, copy)


def test_pod_deleted_while_waiting(conn: Connection, cc: ClusterClient, fresh_namespace: str) -> None:
    pod = _pod_with_endless_init(cc, fresh_namespace)
    copy = uid("copy")
    timer = threading.Timer(1.0, cc.delete_pod, (fresh_namespace, copy), {"grace_period": 0})
    timer.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(errors.PodGone) as info:
            _run(conn, pod, "-n", fresh_namespace, f"--copy-to={copy}", "--image=busybox",
                 "-c", "dbg", "--timeout=30", "--", "true")
    finally:
        timer.cancel()
    assert time.monotonic() - t0 < 10
    assert _one_line(info.value) == (
        f'pod "{copy}" was deleted while waiting for debug container "dbg" to start'
    )
    wait_gone(cc, fresh_namespace, copy)
