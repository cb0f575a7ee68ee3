"""Waiting for a debug container with a deadline, failing fast (design decision 3).

kubectl waits forever on an image that cannot be pulled; we end the wait at
the first waiting reason that cannot resolve itself and say why, with the
pod's recent events.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kdebug_nb import errors

if TYPE_CHECKING:
    from kdebug_nb.engine.cluster_io import ClusterClient

JSON = dict[str, Any]

#: waiting reasons that mean "this container will not start"
IMAGE_REASONS = frozenset({"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"})
FAIL_REASONS = IMAGE_REASONS | {
    "CreateContainerError",
    "CreateContainerConfigError",
    "RunContainerError",
    "StartError",
    "CrashLoopBackOff",
}

#: how long to wait for the terminated state after a log ends
_EXIT_GRACE = 10.0


def container_status(pod: JSON, name: str) -> JSON | None:
    """The status of container ``name`` among init, regular and ephemeral statuses."""
    status = pod.get("status") or {}
    for key in ("ephemeralContainerStatuses", "containerStatuses", "initContainerStatuses"):
        for entry in status.get(key) or []:
            if entry.get("name") == name:
                return dict(entry)
    return None


def describe_events(events: list[JSON], limit: int = 4) -> str:
    """The last few events as ``Reason: message; ...``."""
    recent = events[-limit:]
    return "; ".join(f"{e.get('reason', '')}: {e.get('message', '')}".strip() for e in recent)


def wait_for_container(
    client: ClusterClient,
    namespace: str,
    pod: str,
    container: str,
    deadline: float | None,
    progress: Callable[[str, str, str], None],
) -> JSON:
    """Watch until ``container`` runs or has terminated; return the pod as last seen."""
    last: tuple[str, str] = ("", "")
    waiting_for = "Pending"
    for kind, obj in client.watch_pod(namespace, pod, deadline=deadline):
        if kind == "DELETED" or (obj.get("metadata") or {}).get("deletionTimestamp"):
            raise errors.PodGone(
                f'pod "{pod}" was deleted while waiting for debug container "{container}" to start'
            )
        status = container_status(obj, container)
        if status is None:
            phase = (obj.get("status") or {}).get("phase", "")
            if phase in ("Succeeded", "Failed"):
                raise errors.StartFailed(
                    f'debug container "{container}" in pod "{pod}" cannot start: the pod has '
                    f"already finished (phase {phase})"
                )
            continue
        state = status.get("state") or {}
        if "running" in state:
            progress("running", "Running", "")
            return obj
        if "terminated" in state:
            term = state["terminated"] or {}
            progress("terminated", str(term.get("reason", "")), str(term.get("exitCode", "")))
            return obj
        waiting = state.get("waiting") or {}
        reason, message = str(waiting.get("reason", "")), str(waiting.get("message", ""))
        waiting_for = reason or waiting_for
        if (reason, message) != last:
            last = (reason, message)
            progress("waiting", reason, message)
        if reason in FAIL_REASONS:
            raise _cannot_start(client, namespace, pod, container, reason, message)
    events = describe_events(client.events_for(namespace, pod))
    raise errors.StartTimeout(
        f'debug container "{container}" in pod "{pod}" did not start within the timeout '
        f"(last state: {waiting_for})" + (f" (events: {events})" if events else "")
    )


def wait_for_exit(client: ClusterClient, namespace: str, pod: str, container: str) -> JSON:
    """The pod once ``container`` has a terminated state (its log has just ended).

    The kubelet writes the terminated state a moment after the process's
    output closes; usually one GET is enough.
    """
    obj = client.read_pod(namespace, pod)
    if _finished(obj, container):
        return obj
    for kind, obj in client.watch_pod(
        namespace, pod, deadline=time.monotonic() + _EXIT_GRACE
    ):
        if kind == "DELETED":
            break
        if _finished(obj, container):
            return obj
    return obj


def _finished(pod: JSON, container: str) -> bool:
    status = container_status(pod, container) or {}
    state = status.get("state") or {}
    if "terminated" in state:
        return True
    # restarted already (restartPolicy Always): the previous run is in lastState
    return "terminated" in (status.get("lastState") or {}) and int(status.get("restartCount", 0)) > 0


def _cannot_start(
    client: ClusterClient, namespace: str, pod: str, container: str, reason: str, message: str
) -> errors.KDebugError:
    events = describe_events(client.events_for(namespace, pod))
    text = f'debug container "{container}" in pod "{pod}" cannot start: {reason}'
    if message:
        text += f": {message}"
    if events:
        text += f" (events: {events})"
    cls = errors.ImageError if reason in IMAGE_REASONS else errors.StartFailed
    return cls(text)
