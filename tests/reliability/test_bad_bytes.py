"""Bad bytes never poison the sandbox: U+FFFD as Go decodes them, start errors for NUL.

Go's ``encoding/json`` decodes invalid UTF-8 and unpaired ``\\ud800``-style
escapes to U+FFFD; the kubelet's runtime (runc) refuses a NUL byte in what it
hands to ``execve`` with EINVAL, which the kubelet reports as the container's
StartError.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from reliability_helpers import Raw, wait_for

from kdebug_nb.engine import Session


def test_a_lone_surrogate_in_a_command_is_stored_as_u_fffd(
    engine: Session, core_v1: Any, fresh_namespace: str, running_target: str, kubectl: Any
) -> None:
    # what `kdebug ... -- echo $'\xff'` passes on: Python's argv decoding gives "\udcff"
    r = engine.debug(running_target, image="busybox", command=["echo", "\udcff"],
              namespace=fresh_namespace, timeout=60)
    assert r.exit_code == 0 and r.output == "\ufffd\n"
    listed = kubectl("get", "pods", "-n", fresh_namespace, "-o", "json")
    assert listed.returncode == 0, listed.stderr
    ecs = json.loads(listed.stdout)["items"][0]["spec"]["ephemeralContainers"]
    assert ecs[0]["command"] == ["echo", "\ufffd"]
    again = engine.debug(running_target, image="busybox", command=["echo", "ok"],
                  namespace=fresh_namespace, timeout=60)
    assert again.exit_code == 0 and again.output == "ok\n"


def test_invalid_utf8_in_a_body_becomes_u_fffd_per_byte(raw: Raw, fresh_namespace: str) -> None:
    name = f"bytes-{uuid.uuid4().hex[:6]}"
    body = (b'{"apiVersion":"v1","kind":"Pod","metadata":{"name":"' + name.encode()
            + b'","annotations":{"note":"a\xffb\xe2\x82c"}},"spec":{"nodeName":"nowhere",'
            b'"containers":[{"name":"app","image":"busybox"}]}}')
    status, created = raw("POST", f"/api/v1/namespaces/{fresh_namespace}/pods", body)
    assert status == 201, created
    assert created["metadata"]["annotations"]["note"] == "a\ufffdb\ufffd\ufffdc"
    status, listed = raw("GET", f"/api/v1/namespaces/{fresh_namespace}/pods")
    assert status == 200 and listed["items"][0]["metadata"]["annotations"]["note"] == "a\ufffdb\ufffd\ufffdc"


def test_surrogate_escapes_in_keys_and_values_and_patches(raw: Raw, fresh_namespace: str) -> None:
    name = f"esc-{uuid.uuid4().hex[:6]}"
    body = ('{"metadata":{"name":"NAME","labels":{"ok":"x"},"annotations":{"k\\udc80":"\\ud800v",'
            '"pair":"\\ud83d\\ude00"}},"spec":{"nodeName":"nowhere","containers":[{"name":"app",'
            '"image":"busybox"}]}}').replace("NAME", name).encode()
    status, created = raw("POST", f"/api/v1/namespaces/{fresh_namespace}/pods", body)
    assert status == 201, created
    assert created["metadata"]["annotations"] == {"k\ufffd": "\ufffdv", "pair": "\U0001f600"}
    patch = b'{"metadata":{"annotations":{"later":"\\udfff"}}}'
    status, patched = raw("PATCH", f"/api/v1/namespaces/{fresh_namespace}/pods/{name}", patch,
                          content_type="application/merge-patch+json")
    assert status == 200, patched
    assert patched["metadata"]["annotations"]["later"] == "\ufffd"
    status, _ = raw("GET", "/api/v1/pods")
    assert status == 200


def _terminated(core_v1: Any, ns: str, pod: str, container: str) -> Any:
    p = core_v1.read_namespaced_pod(pod, ns)
    for s in p.status.ephemeral_container_statuses or []:
        if s.name == container and s.state.terminated:
            return s.state.terminated
    return None


def test_a_nul_byte_in_an_argument_is_a_start_error(
    engine: Session, core_v1: Any, fresh_namespace: str, running_target: str
) -> None:
    r = engine.debug(running_target, image="busybox", command=["echo", "a\x00b"],
              namespace=fresh_namespace, timeout=60)
    assert r.exit_code == 128 and r.reason == "StartError"
    term = wait_for(lambda: _terminated(core_v1, fresh_namespace, running_target, r.container or ""),
                    10, "terminated state")
    assert term.reason == "StartError" and term.exit_code == 128
    assert term.message == (
        "failed to create containerd task: failed to create shim task: OCI runtime create failed: "
        "runc create failed: unable to start container process: error during container init: "
        "exec echo: invalid argument: unknown"
    )


def test_a_nul_byte_in_the_program_or_an_env_value_is_a_start_error(
    engine: Session, core_v1: Any, fresh_namespace: str, running_target: str
) -> None:
    r = engine.debug(running_target, image="busybox", command=["ec\x00ho", "x"],
              namespace=fresh_namespace, timeout=60)
    assert r.exit_code == 128 and r.reason == "StartError"
    term = _terminated(core_v1, fresh_namespace, running_target, r.container or "")
    assert term is not None and 'exec: "ec\\x00ho": invalid argument' in term.message
    r = engine.debug(running_target, image="busybox", command=["env"], env={"A": "x\x00y"},
              namespace=fresh_namespace, timeout=60)
    assert r.exit_code == 128 and r.reason == "StartError"


def test_a_nul_byte_in_an_exec_command_is_the_runtime_exec_error(
    core_v1: Any, fresh_namespace: str, running_target: str
) -> None:
    # kubectl cannot put a NUL in argv; the official client's websocket exec can.
    from kubernetes.stream import stream

    resp = stream(core_v1.connect_get_namespaced_pod_exec, running_target, fresh_namespace,
                  command=["echo", "a\x00b"], stderr=True, stdout=True, stdin=False, tty=False,
                  _preload_content=False)
    resp.run_forever(timeout=20)
    error = json.loads(resp.read_channel(3))
    assert error["status"] == "Failure"
    assert re.fullmatch(
        "Internal error occurred: error executing command in container: failed to exec in container: "
        'failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start '
        "container process: error during container init: exec echo: invalid argument: unknown",
        error["message"],
    ), error["message"]


def test_requests_over_three_mebibytes_get_413(raw: Raw, fresh_namespace: str) -> None:
    pod = {"metadata": {"name": "huge", "annotations": {"blob": "x" * (3 * 1024 * 1024)}},
           "spec": {"containers": [{"name": "app", "image": "busybox"}]}}
    status, body = raw("POST", f"/api/v1/namespaces/{fresh_namespace}/pods", json.dumps(pod).encode())
    assert status == 413, body
    assert body["reason"] == "RequestEntityTooLarge"
    assert body["message"] == "Request entity too large: limit is 3145728"
    status, _ = raw("GET", f"/api/v1/namespaces/{fresh_namespace}/pods")
    assert status == 200


def test_annotations_over_256_kib_get_422(raw: Raw, fresh_namespace: str) -> None:
    pod: dict[str, Any] = {"metadata": {"name": "annotated", "annotations": {"blob": "x" * (256 * 1024)}},
           "spec": {"containers": [{"name": "app", "image": "busybox"}]}}
    status, body = raw("POST", f"/api/v1/namespaces/{fresh_namespace}/pods", json.dumps(pod).encode())
    assert status == 422, body
    assert body["message"] == (
        'Pod "annotated" is invalid: metadata.annotations: Too long: must have at most 262144 bytes'
    )
    pod["metadata"]["annotations"] = {"small": "y"}
    status, _ = raw("POST", f"/api/v1/namespaces/{fresh_namespace}/pods", json.dumps(pod).encode())
    assert status == 201
    big = {"metadata": {"annotations": {"blob": "x" * (256 * 1024)}}}
    status, body = raw("PATCH", f"/api/v1/namespaces/{fresh_namespace}/pods/annotated",
                       json.dumps(big).encode(), content_type="application/merge-patch+json")
    assert status == 422 and "metadata.annotations: Too long" in body["message"]
    status, body = raw("PATCH", f"/api/v1/namespaces/{fresh_namespace}", json.dumps(big).encode(),
                       content_type="application/merge-patch+json")
    assert status == 422 and body["message"] == (
        f'Namespace "{fresh_namespace}" is invalid: metadata.annotations: Too long: must have at most 262144 bytes'
    )


def test_wrong_json_types_are_400_like_the_api_servers_decoder(raw: Raw, fresh_namespace: str) -> None:
    cases = [
        ({"containers": "busybox"},
         "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container"),
        ({"containers": [{"name": "a", "image": "busybox", "command": "ls"}]},
         "json: cannot unmarshal string into Go struct field Container.spec.containers.command of type []string"),
        ({"containers": [{"name": 7, "image": "busybox"}]},
         "json: cannot unmarshal number into Go struct field Container.spec.containers.name of type string"),
        ({"containers": [{"name": "a", "image": "busybox", "ports": [{"containerPort": "80"}]}]},
         "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"),
        ({"volumes": [7], "containers": [{"name": "a", "image": "busybox"}]},
         "json: cannot unmarshal number into Go struct field PodSpec.spec.volumes of type v1.Volume"),
    ]
    for spec, message in cases:
        pod = {"metadata": {"name": "typed"}, "spec": spec}
        status, body = raw("POST", f"/api/v1/namespaces/{fresh_namespace}/pods", json.dumps(pod).encode())
        assert (status, body["message"]) == (400, f'Pod in version "v1" cannot be handled as a Pod: {message}')


def test_kubectl_still_lists_after_bad_input(kubectl: Any, raw: Raw, fresh_namespace: str) -> None:
    raw("POST", f"/api/v1/namespaces/{fresh_namespace}/pods", b'{"metadata":{"name":"\xff\xfe"}}')
    raw("POST", f"/api/v1/namespaces/{fresh_namespace}/pods", b'{"spec":{"containers":[null,1,"x"]}}')
    done = kubectl("get", "pods", "-A", "-o", "json")
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout)["items"], list)
