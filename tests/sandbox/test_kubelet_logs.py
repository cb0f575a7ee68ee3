"""The pod log subresource: parameters, streaming, errors worded like the API server."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from kubectl_bin import sandbox_request
from kubernetes.client.exceptions import ApiException
from test_kubelet_support import create, make_pod, wait_pod, wait_reason, wait_state

TS = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z) (.*)$")


def _done(pod: dict[str, Any]) -> bool:
    return pod["status"].get("phase") in ("Succeeded", "Failed")


def _error(exc: pytest.ExceptionInfo[ApiException]) -> tuple[int, str]:
    return exc.value.status, json.loads(exc.value.body)["message"]


def test_follow_streams_while_running(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    cmd = ["sh", "-c", "for i in 1 2 3 4 5; do echo tick $i; sleep 0.3; done"]
    create(core_v1, ns, make_pod("ticker", [{"name": "c", "image": "busybox", "command": cmd}]))
    wait_state(core_v1, ns, "ticker", "c", "running")
    t0 = time.monotonic()
    resp = core_v1.read_namespaced_pod_log("ticker", ns, follow=True, _preload_content=False)
    arrivals = []
    body = b""
    for chunk in resp.stream(16):
        arrivals.append(time.monotonic() - t0)
        body += chunk
    resp.release_conn()
    assert body == b"".join(b"tick %d\n" % i for i in range(1, 6))
    # chunks arrive as written, not all at the end; the stream ends with the container
    assert arrivals[-1] - arrivals[0] > 0.5
    assert _done(wait_pod(core_v1, ns, "ticker", _done, timeout=5))


def test_timestamps_tail_and_limit(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    cmd = ["sh", "-c", "for i in 1 2 3 4 5; do echo line $i; done; echo err >&2"]
    create(core_v1, ns, make_pod("lines", [{"name": "c", "image": "busybox", "command": cmd}]))
    wait_pod(core_v1, ns, "lines", _done)
    full = core_v1.read_namespaced_pod_log("lines", ns)
    assert full == "line 1\nline 2\nline 3\nline 4\nline 5\nerr\n"
    assert core_v1.read_namespaced_pod_log("lines", ns, tail_lines=2) == "line 5\nerr\n"
    assert core_v1.read_namespaced_pod_log("lines", ns, tail_lines=0) == ""
    assert core_v1.read_namespaced_pod_log("lines", ns, tail_lines=100) == full
    assert core_v1.read_namespaced_pod_log("lines", ns, limit_bytes=9) == "line 1\nli"
    stamped = core_v1.read_namespaced_pod_log("lines", ns, timestamps=True).splitlines()
    assert len(stamped) == 6
    for line, want in zip(stamped, full.splitlines(), strict=True):
        m = TS.match(line)
        assert m is not None, line
        assert m.group(3) == want
        stamp = datetime.fromisoformat(m.group(1)[:26].rstrip("Z") + "+00:00")
        assert abs((datetime.now(UTC) - stamp).total_seconds()) < 60
    tail_stamped = core_v1.read_namespaced_pod_log("lines", ns, timestamps=True, tail_lines=1)
    assert tail_stamped.endswith(" err\n") and TS.match(tail_stamped.rstrip("\n"))


def test_since_seconds_and_since_time(sandbox: Any, core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    cmd = ["sh", "-c", "echo old; sleep 1.5; echo new; sleep 30"]
    create(core_v1, ns, make_pod("since", [{"name": "c", "image": "busybox", "command": cmd}]))
    wait_state(core_v1, ns, "since", "c", "running")
    wait_pod(core_v1, ns, "since", lambda p: "new" in core_v1.read_namespaced_pod_log("since", ns), timeout=10)
    assert core_v1.read_namespaced_pod_log("since", ns, since_seconds=1) == "new\n"
    assert core_v1.read_namespaced_pod_log("since", ns, since_seconds=60) == "old\nnew\n"
    stamped = core_v1.read_namespaced_pod_log("since", ns, timestamps=True).splitlines()
    new_at = TS.match(stamped[1])
    assert new_at is not None
    # sinceTime is inclusive and has second precision on the wire
    # (the generated client has no sinceTime parameter: plain HTTP)
    path = f"/api/v1/namespaces/{ns}/pods/since/log?sinceTime={new_at.group(1)}"
    assert sandbox_request(sandbox, path) == (200, b"new\n")
    with pytest.raises(ApiException) as err:
        core_v1.read_namespaced_pod_log("since", ns, since_seconds=0)
    assert err.value.status == 422


def test_previous_instance(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    create(core_v1, ns, make_pod("once", [{"name": "c", "image": "busybox", "command": ["true"]}]))
    wait_pod(core_v1, ns, "once", _done)
    with pytest.raises(ApiException) as err:
        core_v1.read_namespaced_pod_log("once", ns, previous=True)
    assert _error(err) == (400, 'previous terminated container "c" in pod "once" not found')

    # the first run fails, the second keeps running
    script = 'if [ -e ran ]; then echo run 2; exec sleep 30; fi; touch ran; echo run 1; exit 1'
    container = {"name": "c", "image": "busybox", "command": ["sh", "-c", script], "workingDir": "/data",
                 "volumeMounts": [{"name": "data", "mountPath": "/data"}]}
    spec = make_pod("again", [container], volumes=[{"name": "data", "emptyDir": {}}])
    spec["spec"]["restartPolicy"] = "Always"
    create(core_v1, ns, spec)
    wait_pod(
        core_v1, ns, "again",
        lambda p: p["status"]["containerStatuses"][0]["restartCount"] == 1
        and "running" in p["status"]["containerStatuses"][0]["state"],
        what="second run running",
    )
    wait_pod(core_v1, ns, "again", lambda p: core_v1.read_namespaced_pod_log("again", ns) == "run 2\n")
    assert core_v1.read_namespaced_pod_log("again", ns, previous=True) == "run 1\n"


def test_not_started_and_other_errors(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    spec = make_pod(
        "slow",
        [{"name": "app", "image": "busybox", "command": ["true"]}, {"name": "side", "image": "busybox", "command": ["true"]}],
        initContainers=[{"name": "wait", "image": "busybox", "command": ["sleep", "30"]}],
    )
    create(core_v1, ns, spec)
    wait_state(core_v1, ns, "slow", "wait", "running")
    with pytest.raises(ApiException) as err:
        core_v1.read_namespaced_pod_log("slow", ns, container="app")
    assert _error(err) == (400, 'container "app" in pod "slow" is waiting to start: PodInitializing')
    with pytest.raises(ApiException) as err:
        core_v1.read_namespaced_pod_log("slow", ns)
    assert _error(err) == (
        400,
        "a container name must be specified for pod slow, choose one of: [app side] or one of the init containers: [wait]",
    )
    with pytest.raises(ApiException) as err:
        core_v1.read_namespaced_pod_log("slow", ns, container="nope")
    assert _error(err) == (400, "container nope is not valid for pod slow")
    with pytest.raises(ApiException) as err:
        core_v1.read_namespaced_pod_log("no-such-pod", ns)
    assert _error(err) == (404, 'pods "no-such-pod" not found')

    create(core_v1, ns, make_pod("ghost", [{"name": "c", "image": "nope"}]))
    wait_reason(core_v1, ns, "ghost", "c", "ImagePullBackOff")
    with pytest.raises(ApiException) as err:
        core_v1.read_namespaced_pod_log("ghost", ns)
    status, message = _error(err)
    assert status == 400
    assert message in (
        'container "c" in pod "ghost" is waiting to start: trying and failing to pull image',
        'container "c" in pod "ghost" is waiting to start: image can\'t be pulled',
    )


def test_ten_megabytes_of_output(core_v1: Any, fresh_namespace: str) -> None:
    ns = fresh_namespace
    size = (12 * 1024 * 1024 // 100 + 1) * 100  # over 10 MiB, whole lines
    # 100-byte lines: 99 x's and a newline, once a follower is there
    cmd = ["sh", "-c", f"sleep 1; yes {'x' * 99} | head -c {size}"]
    create(core_v1, ns, make_pod("big", [{"name": "c", "image": "busybox", "command": cmd}]))
    wait_state(core_v1, ns, "big", "c", "running")
    # A follower gets all of it, across the rotation at containerLogMaxSize (10 MiB).
    resp = core_v1.read_namespaced_pod_log("big", ns, follow=True, _preload_content=False)
    data = resp.data
    assert len(data) == size
    assert data[:100] == b"x" * 99 + b"\n"
    wait_pod(core_v1, ns, "big", _done, timeout=60)
    # A later read sees the current file only, as the kubelet's reader does.
    rest = core_v1.read_namespaced_pod_log("big", ns, _preload_content=False).data
    assert 0 < len(rest) < 10 * 1024 * 1024 and data.endswith(rest)
    assert core_v1.read_namespaced_pod_log("big", ns, tail_lines=3) == ("x" * 99 + "\n") * 3
    assert core_v1.read_namespaced_pod_log("big", ns, limit_bytes=5) == "xxxxx"
