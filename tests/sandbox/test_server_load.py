"""A busy, slow cluster on demand: timing knobs and the in-flight throttle."""

from __future__ import annotations

import re
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from test_server_cli import Served

from kdebug_nb.sandbox.cli import main
from kdebug_nb.sandbox.scenario import ScenarioError, load_scenario
from kdebug_nb.sandbox.server import InsecureSandboxWarning, Sandbox
from kdebug_nb.sandbox.store.timing import TimingError, parse_duration, parse_timing_flag


@pytest.mark.parametrize(("text", "seconds"), [
    ("300ms", 0.3), ("1.5s", 1.5), ("1m30s", 90.0), ("250us", 0.00025), ("0", 0.0), (0, 0.0),
])
def test_durations_are_spelled_as_go_spells_them(text: object, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["300", "3 s", "ms", "1h30", "-1s", "11m", True])
def test_bad_durations_are_refused(text: object) -> None:
    with pytest.raises(TimingError):
        parse_duration(text, "imagePull")


def test_the_timing_flag() -> None:
    assert parse_timing_flag("imagePull=300ms,containerStart=50ms") == pytest.approx(
        {"imagePull": 0.3, "containerStart": 0.05})
    with pytest.raises(TimingError, match="unknown knob 'imagepull'"):
        parse_timing_flag("imagepull=1s")
    with pytest.raises(TimingError, match="expected KNOB=DURATION"):
        parse_timing_flag("imagePull")


def test_scenario_keys(tmp_path: Path) -> None:
    path = tmp_path / "busy.yaml"
    path.write_text("extends: default\ntiming: {imagePull: 300ms, apiLatency: 5ms}\n"
                    "throttle: {maxInFlight: 4}\n")
    sc = load_scenario(path)
    assert sc.timing == pytest.approx({"imagePull": 0.3, "apiLatency": 0.005})
    assert sc.throttle == {"maxInFlight": 4}
    assert load_scenario("default").timing == {}  # defaults stay as fast as they were
    for bad, message in [("timing: {pull: 1s}", "unknown knob 'pull'"),
                         ("timing: {imagePull: fast}", "invalid duration 'fast'"),
                         ("throttle: {maxInFlight: -1}", "must be a whole number >= 0"),
                         ("throttle: {retryAfter: 0}", "retryAfter must be at least 1"),
                         ("throttle: {burst: 3}", "unknown key 'burst'")]:
        path.write_text(bad + "\n")
        with pytest.raises(ScenarioError, match=re.escape(message)):
            load_scenario(path)


def test_image_pull_takes_the_time_it_is_given() -> None:
    with Sandbox(timing={"imagePull": 0.3}) as sb:
        from kdebug_nb.engine.client import ClusterClient
        from kdebug_nb.engine.client.connection import Connection

        cc = ClusterClient(Connection(str(sb.kubeconfig), sb.context))
        cc.create_pod("default", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pull"},
                                  "spec": {"containers": [{"name": "c", "image": "busybox",
                                                           "command": ["sleep", "60"]}]}})
        deadline = time.monotonic() + 30
        pulled: list[str] = []
        while not pulled and time.monotonic() < deadline:
            pulled = [e["message"] for e in cc.events_for("default", "pull") if e["reason"] == "Pulled"]
            time.sleep(0.05)
    assert pulled, "no Pulled event"
    took = re.search(r"in ([\d.]+)(ms|s) ", pulled[0])
    assert took is not None, pulled[0]
    seconds = float(took.group(1)) / (1000 if took.group(2) == "ms" else 1)
    assert seconds >= 0.3  # at least the pull time; more only when the machine is busy


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - the local sandbox
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_past_the_cap_requests_get_429_with_retry_after_but_watches_do_not_count() -> None:
    # plain http with anonymous admin callers: urllib here, no token or CA to handle
    sandbox = Sandbox(throttle={"maxInFlight": 1, "retryAfter": 2}, insecure_http=True)
    with pytest.warns(InsecureSandboxWarning):
        sb = sandbox.start()
    try:
        base = sb.url + "/api/v1/namespaces/default/pods"
        # an open watch is long-running: it never takes the only slot
        watch = threading.Thread(target=_get, args=(base + "?watch=true&timeoutSeconds=2",))
        watch.start()
        time.sleep(0.2)
        assert _get(base) == 200
        sb.timing.api_latency = 1.0  # a slow request now holds the slot
        slow = threading.Thread(target=_get, args=(base,))
        slow.start()
        deadline = time.monotonic() + 5
        while sb.throttle.in_flight < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            urllib.request.urlopen(base, timeout=30)  # noqa: S310
            raise AssertionError("no 429")
        except urllib.error.HTTPError as exc:
            assert exc.code == 429
            assert exc.headers["Retry-After"] == "2"
            import json

            body = json.loads(exc.read())
            assert body["reason"] == "TooManyRequests" and body["details"]["retryAfterSeconds"] == 2
        slow.join()
        watch.join()
        assert sb.throttle.rejected == 1
        assert [r.status for r in sb.requests if r.status == 429] == [429]
    finally:
        sb.stop()


def test_serve_prints_its_timing_and_throttle() -> None:
    served = Served("--timing", "imagePull=300ms,containerStart=50ms", "--max-in-flight", "8")
    try:
        served.wait_for(r"^timing: imagePull=300ms, containerStart=50ms$")
        served.wait_for(r"^throttle: 429 past 8 requests in flight \(Retry-After 1s\)$")
    finally:
        served.close()


def test_serve_refuses_a_bad_timing_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--timing", "imagePull=soon"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kdebug-sandbox: error: --timing.imagePull: invalid duration 'soon'")
