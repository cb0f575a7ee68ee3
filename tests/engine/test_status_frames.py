"""Status frames from raw pod JSON: fixed columns, dtypes, one row per container/pod."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

pd = pytest.importorskip("pandas")

from kdebug_nb.engine.frames.status import PODS_COLUMNS, STATUS_COLUMNS, pods_frame, status_frame  # noqa: E402


def _pod(name: str = "web", ns: str = "default", *, ephemeral: bool = True) -> dict[str, Any]:
    pod: dict[str, Any] = {
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {
            "nodeName": "node-1",
            "initContainers": [{"name": "init", "image": "busybox"}],
            "containers": [
                {"name": "app", "image": "nginx"},
                {"name": "side", "image": "envoy"},
            ],
        },
        "status": {
            "phase": "Running",
            "podIP": "10.0.0.7",
            "initContainerStatuses": [
                {
                    "name": "init",
                    "ready": False,
                    "restartCount": 0,
                    "state": {
                        "terminated": {
                            "exitCode": 0,
                            "reason": "Completed",
                            "startedAt": "2026-01-01T00:00:01Z",
                            "finishedAt": "2026-01-01T00:00:02Z",
                        }
                    },
                }
            ],
            "containerStatuses": [
                {
                    "name": "app",
                    "ready": True,
                    "restartCount": 2,
                    "state": {"running": {"startedAt": "2026-01-01T00:00:03Z"}},
                },
                {
                    "name": "side",
                    "ready": False,
                    "restartCount": 1,
                    "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}},
                    "lastState": {
                        "terminated": {
                            "exitCode": 1,
                            "reason": "Error",
                            "startedAt": "2026-01-01T00:00:04Z",
                            "finishedAt": "2026-01-01T00:00:05Z",
                        }
                    },
                },
            ],
        },
    }
    if ephemeral:
        pod["spec"]["ephemeralContainers"] = [
            {"name": "debugger-abcde", "image": "busybox", "targetContainerName": "app"}
        ]
        pod["status"]["ephemeralContainerStatuses"] = [
            {
                "name": "debugger-abcde",
                "ready": False,
                "restartCount": 0,
                "state": {
                    "terminated": {
                        "exitCode": 3,
                        "reason": "Error",
                        "startedAt": "2026-01-01T00:01:00Z",
                        "finishedAt": "2026-01-01T00:01:05Z",
                    }
                },
            }
        ]
    return pod


def test_status_frame_rows_and_schema() -> None:
    df = status_frame([_pod()])
    assert tuple(df.columns) == STATUS_COLUMNS
    assert list(df["container"]) == ["init", "app", "side", "debugger-abcde"]
    assert list(df["kind"]) == ["init", "app", "app", "ephemeral"]
    assert str(df["exit_code"].dtype) == "Int64"
    assert str(df["started_at"].dtype) == "datetime64[ns, UTC]"
    assert str(df["finished_at"].dtype) == "datetime64[ns, UTC]"
    assert str(df["restarts"].dtype) == "int64"
    assert str(df["ready"].dtype) == "bool"
    eph = df.iloc[3]
    assert eph["exit_code"] == 3 and eph["state"] == "terminated" and eph["target"] == "app"
    assert pd.isna(df.iloc[1]["exit_code"]) and df.iloc[1]["state"] == "running"
    assert df.iloc[2]["reason"] == "CrashLoopBackOff"
    assert pd.isna(df.iloc[2]["started_at"])
    assert df.iloc[1]["started_at"] == pd.Timestamp("2026-01-01T00:00:03Z")


def test_status_frame_last_state_and_message() -> None:
    df = status_frame([_pod()])
    assert str(df["last_exit_code"].dtype) == "Int64"
    assert str(df["last_finished_at"].dtype) == "datetime64[ns, UTC]"
    assert df["last_reason"].dtype == object and df["message"].dtype == object
    side = df.iloc[2]
    assert (side["state"], side["reason"], side["message"]) == ("waiting", "CrashLoopBackOff", "back-off")
    assert side["last_reason"] == "Error" and side["last_exit_code"] == 1
    assert side["last_finished_at"] == pd.Timestamp("2026-01-01T00:00:05Z")
    app = df.iloc[1]  # restarted before, but no lastState reported: empty, not zero
    assert app["last_reason"] == "" and pd.isna(app["last_exit_code"]) and pd.isna(app["last_finished_at"])
    assert app["message"] == ""
    empty = status_frame([])
    assert str(empty["last_exit_code"].dtype) == "Int64"
    assert str(empty["last_finished_at"].dtype) == "datetime64[ns, UTC]"


def test_status_frame_accepts_a_pod_or_a_list_object_and_handles_missing_status() -> None:
    bare = {"metadata": {"name": "p", "namespace": "n"}, "spec": {"containers": [{"name": "c"}]}}
    one = status_frame(bare)
    assert len(one) == 1 and one.iloc[0]["state"] == "" and pd.isna(one.iloc[0]["exit_code"])
    listed = status_frame({"kind": "PodList", "items": [_pod("a"), _pod("b", ephemeral=False)]})
    assert len(listed) == 7


def test_empty_frames_keep_their_schema() -> None:
    assert tuple(status_frame([]).columns) == STATUS_COLUMNS
    empty = pods_frame([])
    assert tuple(empty.columns) == PODS_COLUMNS
    assert str(empty["age"].dtype) == "timedelta64[ns]"


def test_pods_frame_row() -> None:
    now = datetime(2026, 1, 1, 1, 0, 0, tzinfo=UTC)
    df = pods_frame([_pod()], now=now)
    assert tuple(df.columns) == PODS_COLUMNS
    row = df.iloc[0]
    assert row["name"] == "web" and row["phase"] == "Running" and row["ip"] == "10.0.0.7"
    assert row["ready"] == "1/2" and row["restarts"] == 3 and row["ephemeral"] == 1
    assert row["age"] == pd.Timedelta(hours=1)
    assert str(df["age"].dtype) == "timedelta64[ns]"


def test_frames_for_5000_pods_are_fast() -> None:
    pods = [_pod(f"p{i}", f"ns{i % 50}") for i in range(5000)]
    t0 = time.perf_counter()
    status = status_frame(pods)
    listing = pods_frame(pods)
    elapsed = time.perf_counter() - t0
    assert len(status) == 20000 and len(listing) == 5000
    assert elapsed < 5.0  # generous for slow CI; the benchmark reports the real figure
