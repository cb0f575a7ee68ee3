"""What a crash-loop runbook reads: last states, events, previous logs — against the sandbox.

The default scenario's ``crasher`` pod prints ``starting`` on stdout and a
``fatal:`` line on stderr, then exits 1, again and again. Real kubectl reads
the same pod as the oracle (``get -o json``, ``get events``, ``logs --previous``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from kubectl_bin import wait_until
from runtime_support import make_pod, uid, wait_pod

from kdebug_nb import engine as api
from kdebug_nb import errors
from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection
from kdebug_nb.engine.client.logs import log_query
from kdebug_nb.engine.frames.events import EVENT_COLUMNS

FATAL = "fatal: /etc/crasher/config.yaml not found"


def _crashed(conn: Connection) -> pd.DataFrame:
    """The crasher's status once a terminated instance is on record."""

    def probe() -> list[pd.DataFrame]:
        df = api.status("crasher", connection=conn)
        return [df] if df.iloc[0]["last_reason"] else []

    return wait_until(probe, timeout=30, what="crasher's lastState")[0]


def test_status_shows_why_the_crasher_died(conn: Connection, kubectl: Any) -> None:
    row = _crashed(conn).iloc[0]
    assert row["last_exit_code"] == 1 and row["last_reason"] == "Error"
    assert isinstance(row["last_finished_at"], pd.Timestamp)
    if row["reason"] == "CrashLoopBackOff":  # between restarts (it may be running again)
        assert row["state"] == "waiting" and row["message"].startswith("back-off ")
    got = kubectl("get", "pod", "crasher", "-o", "json")
    assert got.returncode == 0, got.stderr
    last = json.loads(got.stdout)["status"]["containerStatuses"][0]["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (1, "Error")


def test_events_of_the_crasher_have_backoff_rows(conn: Connection, kubectl: Any) -> None:
    _crashed(conn)

    def backoff() -> list[pd.DataFrame]:
        df = api.events("crasher", connection=conn)
        return [df] if (df["reason"] == "BackOff").any() else []

    df = wait_until(backoff, timeout=30, what="a BackOff event")[0]
    assert tuple(df.columns) == EVENT_COLUMNS
    assert str(df["last_seen"].dtype) == "datetime64[ns, UTC]" and str(df["count"].dtype) == "int64"
    assert set(df["object"]) == {"pod/crasher"}
    row = df[df["reason"] == "BackOff"].iloc[-1]
    assert row["type"] == "Warning" and row["count"] >= 1
    assert row["message"].startswith("Back-off restarting failed container crasher")
    assert df["last_seen"].is_monotonic_increasing  # newest last
    oracle = kubectl("get", "events", "--field-selector", "involvedObject.name=crasher", "-o", "json")
    assert oracle.returncode == 0, oracle.stderr
    reasons = {e["reason"] for e in json.loads(oracle.stdout)["items"]}
    assert set(df["reason"]) <= reasons and {"Scheduled", "BackOff"} <= reasons


def test_events_by_selector_and_of_the_namespace(conn: Connection) -> None:
    _crashed(conn)
    picked = api.events(selector="app=crasher", connection=conn)
    assert len(picked) and set(picked["object"]) == {"pod/crasher"}
    everything = api.events(connection=conn)
    assert {"pod/crasher", "pod/neato"} <= set(everything["object"])
    assert everything["last_seen"].is_monotonic_increasing
    assert api.events(selector="app=no-such-app", connection=conn).empty
    assert tuple(api.events("no-such-pod", connection=conn).columns) == EVENT_COLUMNS
    with pytest.raises(errors.UsageError, match="not both"):
        api.events("crasher", selector="app=crasher", connection=conn)


def test_previous_logs_hold_the_crash(conn: Connection, kubectl: Any) -> None:
    _crashed(conn)
    text = api.logs("crasher", previous=True, connection=conn)
    assert FATAL in text and "starting" in text
    oracle = kubectl("logs", "crasher", "--previous")
    assert oracle.returncode == 0, oracle.stderr
    assert text == oracle.stdout
    assert api.logs("crasher", previous=True, tail=1, connection=conn) == FATAL + "\n"
    assert api.logs("crasher", previous=True, tail=0, connection=conn) == ""
    assert api.logs("pod/crasher", previous=True, tail=1, connection=conn) == FATAL + "\n"
    assert (api.events("pod/crasher", connection=conn)["object"] == "pod/crasher").all()
    with pytest.raises(errors.UsageError, match="only pods"):
        api.logs("deploy/crasher", connection=conn)


def test_previous_log_of_a_container_that_never_restarted(conn: Connection, kubectl: Any) -> None:
    with pytest.raises(errors.ApiError) as info:
        api.logs("neato", previous=True, connection=conn)
    assert info.value.status == 400
    assert str(info.value) == 'previous terminated container "neato" in pod "neato" not found'
    oracle = kubectl("logs", "neato", "--previous")
    assert oracle.returncode == 1 and str(info.value) in oracle.stderr
    with pytest.raises(errors.NotFound, match='pods "no-such-pod" not found'):
        api.logs("no-such-pod", connection=conn)


def test_logs_default_container_tail_and_since(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    name = uid("logs")
    cc.create_pod(
        fresh_namespace,
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": name,
                "annotations": {"kubectl.kubernetes.io/default-container": "second"},
            },
            "spec": {
                "containers": [
                    {"name": "first", "image": "busybox", "command": ["sh", "-c", "echo one; sleep 3600"]},
                    {"name": "second", "image": "busybox",
                     "command": ["sh", "-c", "echo a; echo b; echo c; sleep 3600"]},
                ]
            },
        },
    )
    wait_pod(cc, fresh_namespace, name, lambda p: (p.get("status") or {}).get("phase") == "Running")

    def logs(**kw: Any) -> str:
        return api.logs(name, namespace=fresh_namespace, connection=conn, **kw)

    wait_until(lambda: logs() == "a\nb\nc\n", timeout=10, what="the second container's lines")
    # the pod is Running once both processes exist, not once each has printed
    wait_until(lambda: logs(container="first") == "one\n", timeout=10, what="the first container's line")
    assert logs(tail=2) == "b\nc\n" and logs(tail=-1) == "a\nb\nc\n"
    assert logs(since="1h") == "a\nb\nc\n" and logs(since=3600) == "a\nb\nc\n"
    assert logs(since=datetime.now(UTC) + timedelta(hours=1)) == ""
    with pytest.raises(errors.ApiError, match='container nope is not valid for pod'):
        logs(container="nope")


def test_log_options_follow_kubectl() -> None:
    assert log_query("c") == [("container", "c")]
    assert log_query("c", previous=True, tail=5, since=90) == [
        ("container", "c"), ("previous", "true"), ("tailLines", "5"), ("sinceSeconds", "90")
    ]
    assert log_query("c", tail=-1, since=0.4) == [("container", "c")]  # rounds to 0: no limit
    assert log_query("c", since=timedelta(minutes=2)) == [("container", "c"), ("sinceSeconds", "120")]
    assert log_query("c", since="2026-01-01T00:00:00Z")[-1] == ("sinceTime", "2026-01-01T00:00:00Z")
    with pytest.raises(errors.UsageError, match="not be negative"):
        log_query("c", since=-5)
    with pytest.raises(errors.UsageError, match="time zone"):
        log_query("c", since=datetime(2026, 1, 1))
    with pytest.raises(errors.UsageError, match="not an RFC 3339 time"):
        log_query("c", since="5m")  # durations are the session's to turn into seconds


def test_since_durations_and_bad_values(conn: Connection) -> None:
    _crashed(conn)
    assert FATAL in api.logs("crasher", previous=True, since="1h30m", connection=conn)
    for bad in ("5x", "m", "1h 2m", "soon"):
        with pytest.raises(errors.UsageError, match=f'invalid duration "{bad}"'):
            api.logs("crasher", since=bad, connection=conn)


def test_events_of_a_fresh_pod_read_like_kubectl_describe(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    df = api.events(pod, namespace=fresh_namespace, connection=conn)
    # lastTimestamp has whole seconds: events of one second have no order to sort by
    assert df["last_seen"].is_monotonic_increasing and df["last_seen"].notna().all()
    assert {"Scheduled", "Pulled", "Created", "Started"} <= set(df["reason"])
    assert set(df["type"]) == {"Normal"} and (df["count"] >= 1).all()
