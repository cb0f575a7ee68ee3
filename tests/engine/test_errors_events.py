"""Which events a start-failure line quotes (pure: event dicts in, text out).

The end-to-end lines are checked in test_errors_run.py against the sandbox;
these pin the selection rules on events shaped like the API's.
"""

from __future__ import annotations

from typing import Any

from kdebug_nb.engine.runs.waiting import (
    blocking_init_container,
    describe_events,
    init_state,
    start_hint,
)


def _event(reason: str, message: str, field_path: str = "", type_: str = "Normal") -> dict[str, Any]:
    involved: dict[str, Any] = {"kind": "Pod", "name": "neato"}
    if field_path:
        involved["fieldPath"] = field_path
    return {"reason": reason, "message": message, "type": type_, "involvedObject": involved}


PULL = 'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nope:1"'

EVENTS = [
    _event("Scheduled", "Successfully assigned default/neato to node-1"),
    _event("Pulled", 'Successfully pulled image "example.com/neato:1.0"', "spec.containers{neato}"),
    _event("Created", "Created container: neato", "spec.containers{neato}"),
    _event("Pulling", 'Pulling image "nope:1"', "spec.ephemeralContainers{dbg}"),
    _event("Failed", f'Failed to pull image "nope:1": {PULL}', "spec.ephemeralContainers{dbg}",
           "Warning"),
    _event("Failed", "Error: ErrImagePull", "spec.ephemeralContainers{dbg}", "Warning"),
    _event("BackOff", 'Back-off pulling image "nope:1"', "spec.ephemeralContainers{dbg}", "Warning"),
]


def test_only_the_debug_containers_events_and_nothing_already_said() -> None:
    known = f'debug container "dbg" in pod "neato" cannot start: ErrImagePull: {PULL}'
    # the two Failed events repeat the line; the other containers' events are not ours
    assert describe_events(EVENTS, ("dbg",), known=known) == 'BackOff: Back-off pulling image "nope:1"'


def test_warnings_win_and_normal_events_fill_in_when_there_are_none() -> None:
    normal = [e for e in EVENTS if e["type"] == "Normal"]
    assert describe_events(normal, ("dbg",)) == 'Pulling: Pulling image "nope:1"'
    assert describe_events(normal, ("neato",), pod_level=True) == (
        "Scheduled: Successfully assigned default/neato to node-1; "
        'Pulled: Successfully pulled image "example.com/neato:1.0"; Created: Created container: neato'
    )
    assert describe_events(normal, ("neato",), pod_level=True, limit=1) == (
        "Created: Created container: neato"
    )


def test_field_paths_of_every_container_kind_match_by_whole_name() -> None:
    events = [
        _event("Started", "Started container forever", "spec.initContainers{forever}"),
        _event("Started", "Started container dbg", "spec.containers{dbg}"),
        _event("Started", "Started container xdbg", "spec.containers{xdbg}"),
    ]
    assert describe_events(events, ("dbg", "forever")) == (
        "Started: Started container forever; Started: Started container dbg"
    )
    assert describe_events(events, ()) == ""


def test_repeats_and_long_messages() -> None:
    long = "x" * 500
    events = [_event("Failed", long, "spec.containers{dbg}", "Warning")] * 2
    text = describe_events(events, ("dbg",))
    assert text.startswith("Failed: xxx") and text.endswith("…")
    assert len(text) < 220 and ";" not in text


def test_blocking_init_container() -> None:
    pod: dict[str, Any] = {
        "spec": {"initContainers": [{"name": "done"}, {"name": "sidecar", "restartPolicy": "Always"},
                                    {"name": "forever"}, {"name": "later"}]},
        "status": {"initContainerStatuses": [
            {"name": "done", "state": {"terminated": {"exitCode": 0}}},
            {"name": "sidecar", "state": {"running": {}}},
            {"name": "forever", "state": {"running": {}}},
            {"name": "later", "state": {"waiting": {"reason": "PodInitializing"}}},
        ]},
    }
    assert blocking_init_container(pod) == "forever"
    assert init_state(pod, "forever") == "is still running"
    assert init_state(pod, "later") == "is waiting (PodInitializing)"
    pod["status"]["initContainerStatuses"][3] = {
        "name": "later", "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        "lastState": {"terminated": {"exitCode": 2}},
    }
    assert init_state(pod, "later") == "keeps failing with exit code 2"
    pod["status"]["initContainerStatuses"][2]["state"] = {"terminated": {"exitCode": 0}}
    assert blocking_init_container(pod) == "later"
    assert blocking_init_container({"spec": {"containers": [{"name": "app"}]}}) is None


def test_start_hints_say_what_to_do() -> None:
    assert start_hint("ImagePullBackOff", "", "p", "ns", "dbg") == (
        "check the image name, or that the cluster can pull it"
    )
    assert "--image-pull-policy=Never" in start_hint("ErrImageNeverPull", "", "p", "ns", "dbg")
    assert start_hint("CrashLoopBackOff", "", "p", "ns", "dbg").endswith(
        "kubectl logs p -c dbg -n ns"
    )
    assert start_hint("Weird", "", "p", "ns", "dbg") == "look at kubectl describe pod p -n ns"
