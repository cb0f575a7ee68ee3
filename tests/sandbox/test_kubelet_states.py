"""Pod and container states the simulated kubelet shows through the API."""

from __future__ import annotations

import time
from typing import Any

from test_kubelet_support import (
    create,
    cstatus,
    get_pod,
    make_pod,
    pod_events,
    state_of,
    wait_event,
    wait_pod,
    wait_reason,
    wait_state,
)


def _cond(pod: dict[str, Any], type_: str) -> dict[str, Any]:
    return next(c for c in pod["status"]["conditions"] if c["type"] == type_)


def test_run_to_completion(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    create(core_v1, ns, make_pod("done", [{"name": "main", "image": "busybox", "command": ["sh", "-c", "echo hi"]}]))
    pod = wait_pod(core_v1, ns, "done", lambda p: p["status"].get("phase") == "Succeeded", what="Succeeded")
    st = pod["status"]
    assert st["qosClass"] == "BestEffort"
    assert st["hostIP"] and st["podIP"] and st["podIPs"] == [{"ip": st["podIP"]}] and st["startTime"]
    assert pod["spec"]["nodeName"] in ("node-1", "node-2")
    s = cstatus(pod, "main")
    assert s is not None
    term = s["state"]["terminated"]
    assert term["exitCode"] == 0 and term["reason"] == "Completed"
    assert term["startedAt"] and term["finishedAt"] and term["containerID"].startswith("containerd://")
    assert s["containerID"] == term["containerID"]
    assert s["imageID"].startswith("docker.io/library/busybox@sha256:")
    assert s["image"] == "docker.io/library/busybox:latest"
    assert s["ready"] is False and s["started"] is False and s["restartCount"] == 0
    assert _cond(pod, "PodScheduled")["status"] == "True"
    assert _cond(pod, "Initialized")["status"] == "True"
    assert _cond(pod, "Ready")["status"] == "False" and _cond(pod, "Ready")["reason"] == "PodCompleted"
    reasons = [e["reason"] for e in pod_events(core_v1, ns, "done")]
    for reason in ("Scheduled", "Pulling", "Pulled", "Created", "Started"):
        assert reason in reasons
    scheduled = next(e for e in pod_events(core_v1, ns, "done") if e["reason"] == "Scheduled")
    assert scheduled["source"]["component"] == "default-scheduler"
    assert scheduled["message"] == f"Successfully assigned {ns}/done to {pod['spec']['nodeName']}"
    started = next(e for e in pod_events(core_v1, ns, "done") if e["reason"] == "Started")
    assert started["message"] == "Started container main"
    assert started["involvedObject"]["fieldPath"] == "spec.containers{main}"
    created = next(e for e in pod_events(core_v1, ns, "done") if e["reason"] == "Created")
    assert created["message"] == "Created container: main"


def test_running_then_failed(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    cmd = ["sh", "-c", "sleep 1; exit 3"]
    create(core_v1, ns, make_pod("fails", [{"name": "main", "image": "busybox", "command": cmd}]))
    pod = wait_state(core_v1, ns, "fails", "main", "running")
    assert pod["status"]["phase"] == "Running"
    assert _cond(pod, "Ready")["status"] == "True" and _cond(pod, "ContainersReady")["status"] == "True"
    s = cstatus(pod, "main")
    assert s and s["ready"] and s["started"]
    pod = wait_pod(core_v1, ns, "fails", lambda p: p["status"]["phase"] == "Failed", what="Failed")
    kind, term = state_of(pod, "main")
    assert kind == "terminated" and term["exitCode"] == 3 and term["reason"] == "Error"
    assert _cond(pod, "Ready")["reason"] == "PodFailed"


def test_crash_loop_back_off(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    spec = make_pod("crash", [{"name": "main", "image": "busybox", "command": ["sh", "-c", "echo boom; exit 2"]}])
    spec["spec"]["restartPolicy"] = "Always"
    create(core_v1, ns, spec)
    pod = wait_reason(core_v1, ns, "crash", "main", "CrashLoopBackOff")
    s = cstatus(pod, "main")
    assert s is not None
    assert s["state"]["waiting"]["message"].startswith("back-off 1s restarting failed container=main pod=crash_")
    last = s["lastState"]["terminated"]
    assert last["exitCode"] == 2 and last["reason"] == "Error"
    assert pod["status"]["phase"] == "Running"
    # it restarts, counting, with a growing back-off
    pod = wait_pod(core_v1, ns, "crash", lambda p: (cstatus(p, "main") or {}).get("restartCount", 0) >= 2, what="2 restarts")
    pod = wait_reason(core_v1, ns, "crash", "main", "CrashLoopBackOff")
    assert "back-off 2s" in state_of(pod, "main")[1]["message"] or "back-off 4s" in state_of(pod, "main")[1]["message"]
    backoff = wait_event(core_v1, ns, "crash", "BackOff")
    assert backoff["type"] == "Warning"
    assert backoff["message"].startswith("Back-off restarting failed container main in pod crash_")


def test_on_failure_stops_after_success(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    # fails the first time, succeeds the second (a marker file in an emptyDir:
    # a restarted container gets a fresh root filesystem, the pod's volumes stay)
    script = "if [ -e marker ]; then echo second; exit 0; fi; touch marker; exit 1"
    container = {"name": "main", "image": "busybox", "command": ["sh", "-c", script], "workingDir": "/data",
                 "volumeMounts": [{"name": "data", "mountPath": "/data"}]}
    spec = make_pod("flaky", [container], volumes=[{"name": "data", "emptyDir": {}}])
    spec["spec"]["restartPolicy"] = "OnFailure"
    create(core_v1, ns, spec)
    pod = wait_pod(core_v1, ns, "flaky", lambda p: p["status"]["phase"] == "Succeeded", what="Succeeded")
    s = cstatus(pod, "main")
    assert s and s["restartCount"] == 1 and s["lastState"]["terminated"]["exitCode"] == 1


def test_init_containers_run_first_in_order(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    spec = make_pod(
        "init",
        [{"name": "app", "image": "busybox", "command": ["sh", "-c", "echo app"]}],
        initContainers=[
            {"name": "one", "image": "busybox", "command": ["sh", "-c", "sleep 1"]},
            {"name": "two", "image": "busybox", "command": ["sh", "-c", "echo two"]},
        ],
    )
    create(core_v1, ns, spec)
    pod = wait_state(core_v1, ns, "init", "one", "running")
    assert pod["status"]["phase"] == "Pending"
    assert state_of(pod, "two") == ("waiting", {"reason": "PodInitializing"})
    assert state_of(pod, "app") == ("waiting", {"reason": "PodInitializing"})
    init = _cond(pod, "Initialized")
    assert init["status"] == "False" and init["message"] == "containers with incomplete status: [one two]"
    pod = wait_pod(core_v1, ns, "init", lambda p: p["status"]["phase"] == "Succeeded", what="Succeeded")
    one, two, app = (state_of(pod, c)[1] for c in ("one", "two", "app"))
    assert one["finishedAt"] <= two["startedAt"] <= two["finishedAt"] <= app["startedAt"]
    assert _cond(pod, "Initialized")["status"] == "True"


def test_failed_init_container_fails_the_pod(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    spec = make_pod(
        "badinit",
        [{"name": "app", "image": "busybox", "command": ["true"]}],
        initContainers=[{"name": "setup", "image": "busybox", "command": ["false"]}],
    )
    create(core_v1, ns, spec)
    pod = wait_pod(core_v1, ns, "badinit", lambda p: p["status"]["phase"] == "Failed", what="Failed")
    assert state_of(pod, "setup")[1]["exitCode"] == 1
    assert state_of(pod, "app")[0] == "waiting"


def test_unknown_image_never_runs(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    create(core_v1, ns, make_pod("ghost", [{"name": "c", "image": "nope"}]))
    seen: set[str] = set()

    def backing_off(pod: dict[str, Any]) -> bool:
        kind, detail = state_of(pod, "c")
        assert kind in ("", "waiting"), pod["status"]
        assert pod["status"]["phase"] == "Pending"
        if detail.get("reason"):
            seen.add(detail["reason"])
        return "ImagePullBackOff" in seen and "ErrImagePull" in seen

    pod = wait_pod(core_v1, ns, "ghost", backing_off, what="ErrImagePull then ImagePullBackOff")
    assert state_of(pod, "c")[1]["message"] == 'Back-off pulling image "nope"'
    messages = {(e["reason"], e["message"]) for e in pod_events(core_v1, ns, "ghost")}
    assert ("Failed", "Error: ErrImagePull") in messages
    assert ("Failed", "Error: ImagePullBackOff") in messages
    assert ("BackOff", 'Back-off pulling image "nope"') in messages
    assert any(
        r == "Failed" and m.startswith('Failed to pull image "nope": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nope:latest"')
        for r, m in messages
    )
    pull = wait_pod(core_v1, ns, "ghost", lambda p: state_of(p, "c")[1].get("reason") == "ErrImagePull")
    assert "not found" in state_of(pull, "c")[1]["message"]


def test_invalid_image_name(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    # the API server accepts it; the kubelet refuses it
    create(core_v1, ns, make_pod("badref", [{"name": "c", "image": "Bad:"}]))
    pod = wait_reason(core_v1, ns, "badref", "c", "InvalidImageName")
    assert state_of(pod, "c")[1]["message"] == (
        'Failed to apply default image tag "Bad:": couldn\'t parse image name "Bad:": invalid reference format'
    )
    time.sleep(0.3)
    assert state_of(get_pod(core_v1, ns, "badref"), "c")[1]["reason"] == "InvalidImageName"


def test_never_pull_policy(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    create(core_v1, ns, make_pod("never", [{"name": "c", "image": "nope:1.0", "imagePullPolicy": "Never"}]))
    pod = wait_reason(core_v1, ns, "never", "c", "ErrImageNeverPull")
    assert state_of(pod, "c")[1]["message"] == 'Container image "nope:1.0" is not present with pull policy of Never'


def test_missing_executable_is_a_start_error(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    create(core_v1, ns, make_pod("nosh", [{"name": "c", "image": "example.com/neato:1.0", "command": ["sh", "-c", "true"]}]))
    pod = wait_pod(core_v1, ns, "nosh", lambda p: p["status"]["phase"] == "Failed", what="Failed")
    kind, term = state_of(pod, "c")
    assert kind == "terminated" and term["reason"] == "StartError" and term["exitCode"] == 128
    assert 'exec: "sh": executable file not found in $PATH' in term["message"]
    assert term["message"].startswith("failed to create containerd task: failed to create shim task: OCI runtime create failed")
    failed = [e for e in pod_events(core_v1, ns, "nosh") if e["reason"] == "Failed"]
    assert failed and failed[0]["message"] == "Error: " + term["message"]


def test_image_default_command_and_env(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    env = [
        {"name": "GREETING", "value": "hello"},
        {"name": "WHO", "value": "$(GREETING) world"},
        {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
    ]
    cmd = ["sh", "-c", "echo $HOSTNAME $WHO $POD $KUBERNETES_SERVICE_HOST; echo $(GREETING)"]
    spec = make_pod("envs", [{"name": "c", "image": "busybox", "command": cmd, "env": env}])
    create(core_v1, ns, spec)
    wait_pod(core_v1, ns, "envs", lambda p: p["status"]["phase"] == "Succeeded")
    log = core_v1.read_namespaced_pod_log("envs", ns)
    assert log == "envs hello world envs 10.96.0.1\nhello\n"


def test_ephemeral_container_runs_once(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    spec = make_pod("target", [{"name": "app", "image": "example.com/neato:1.0"}], restartPolicy="Always")
    create(core_v1, ns, spec)
    wait_state(core_v1, ns, "target", "app", "running")
    patch = {"spec": {"ephemeralContainers": [{"name": "dbg", "image": "busybox", "command": ["sh", "-c", "echo dbg; exit 4"]}]}}
    t0 = time.monotonic()
    core_v1.patch_namespaced_pod_ephemeralcontainers("target", ns, patch, _preload_content=False)
    pod = wait_state(core_v1, ns, "target", "dbg", "terminated")
    elapsed = time.monotonic() - t0
    kind, term = state_of(pod, "dbg")
    assert term["exitCode"] == 4
    s = cstatus(pod, "dbg")
    assert s and s["ready"] is False
    assert [c["name"] for c in pod["status"]["ephemeralContainerStatuses"]] == ["dbg"]
    assert pod["status"]["phase"] == "Running"  # ephemeral containers don't change the phase
    assert elapsed < 5
    started = [e for e in pod_events(core_v1, ns, "target") if e["reason"] == "Started"]
    assert any(e["involvedObject"].get("fieldPath") == "spec.ephemeralContainers{dbg}" for e in started)
    assert core_v1.read_namespaced_pod_log("target", ns, container="dbg") == "dbg\n"
    time.sleep(1.2)  # longer than the first back-off: an ephemeral container is never restarted
    s = cstatus(get_pod(core_v1, ns, "target"), "dbg")
    assert s and s["restartCount"] == 0 and "terminated" in s["state"]


def test_scheduler_honours_selectors_and_taints(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    # node-2 of the default scenario carries dedicated=batch:NoSchedule and workload=batch
    tolerate = [{"key": "dedicated", "operator": "Equal", "value": "batch", "effect": "NoSchedule"}]
    batch = make_pod("batch", [{"name": "c", "image": "busybox", "command": ["true"]}],
                     nodeSelector={"workload": "batch"}, tolerations=tolerate)
    create(core_v1, ns, batch)
    pod = wait_pod(core_v1, ns, "batch", lambda p: bool(p["spec"].get("nodeName")))
    assert pod["spec"]["nodeName"] == "node-2"
    stuck = make_pod("stuck", [{"name": "c", "image": "busybox", "command": ["true"]}], nodeSelector={"workload": "batch"})
    create(core_v1, ns, stuck)
    pod = wait_pod(
        core_v1, ns, "stuck",
        lambda p: any(c.get("reason") == "Unschedulable" for c in p["status"].get("conditions", [])),
        what="Unschedulable",
    )
    cond = _cond(pod, "PodScheduled")
    assert cond["status"] == "False"
    assert cond["message"].startswith("0/2 nodes are available:")
    assert pod["status"]["phase"] == "Pending" and not pod["spec"].get("nodeName")
    assert wait_event(core_v1, ns, "stuck", "FailedScheduling")["type"] == "Warning"


def test_missing_secret_is_a_config_error(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    env = [{"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]
    create(core_v1, ns, make_pod("secretive", [{"name": "c", "image": "busybox", "command": ["true"], "env": env}]))
    pod = wait_reason(core_v1, ns, "secretive", "c", "CreateContainerConfigError")
    assert state_of(pod, "c")[1]["message"] == 'secret "db" not found'
    assert pod["status"]["phase"] == "Pending"
    failed = [e for e in pod_events(core_v1, ns, "secretive") if e["reason"] == "Failed"]
    assert failed and failed[0]["message"] == 'Error: secret "db" not found'


def test_working_dir_argv0_and_termination_message(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    cmd = ["/bin/sh", "-c", 'basename "$(pwd)"; echo $0; echo last words; exit 5']
    container = {
        "name": "c", "image": "busybox", "command": cmd, "workingDir": "/srv/app",
        "terminationMessagePolicy": "FallbackToLogsOnError",
    }
    create(core_v1, ns, make_pod("wd", [container]))
    pod = wait_pod(core_v1, ns, "wd", lambda p: p["status"].get("phase") == "Failed")
    assert core_v1.read_namespaced_pod_log("wd", ns) == "app\n/bin/sh\nlast words\n"
    assert state_of(pod, "c")[1]["message"] == "app\n/bin/sh\nlast words\n"


def test_fixing_the_image_starts_the_container(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    create(core_v1, ns, make_pod("typo", [{"name": "c", "image": "busybxo", "command": ["sleep", "30"]}]))

    def second_failure(_: dict[str, Any]) -> bool:
        errors = [e for e in pod_events(core_v1, ns, "typo") if e["message"] == "Error: ErrImagePull"]
        return bool(errors) and errors[0]["count"] >= 2

    wait_pod(core_v1, ns, "typo", second_failure, what="a second pull failure")
    t0 = time.monotonic()  # now in a 2 s back-off
    core_v1.patch_namespaced_pod("typo", ns, {"spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    pod = wait_state(core_v1, ns, "typo", "c", "running")
    assert time.monotonic() - t0 < 1.5  # no waiting out the pull back-off
    assert cstatus(pod, "c")["image"] == "docker.io/library/busybox:latest"  # type: ignore[index]
    # changing the image of a running container replaces it
    core_v1.patch_namespaced_pod("typo", ns, {"spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}})
    pod = wait_pod(
        core_v1, ns, "typo",
        lambda p: (cstatus(p, "c") or {}).get("restartCount") == 1 and state_of(p, "c")[0] == "running",
        what="restarted with the new image",
    )
    s = cstatus(pod, "c")
    assert s and s["image"] == "docker.io/library/busybox:1.36"
    assert s["lastState"]["terminated"]["exitCode"] == 143
    messages = [e["message"] for e in pod_events(core_v1, ns, "typo") if e["reason"] == "Killing"]
    assert messages == ["Container c definition changed, will be restarted"]
