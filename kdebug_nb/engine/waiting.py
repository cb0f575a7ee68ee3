"""Waiting for a debug container with a deadline, failing fast (design decision 3).

kubectl waits forever on an image that cannot be pulled; we end the wait at
the first waiting reason that cannot resolve itself and say why, with the
pod's recent events. One LIST+WATCH serves the whole run: it is kept open
while the log is followed, and read again for the terminated state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from kdebug_nb import errors

if TYPE_CHECKING:
    from kdebug_nb.engine.cluster_io import ClusterClient

JSON = dict[str, Any]
ProgressFn = Callable[[str, str, str], None]

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
EXIT_GRACE = 10.0


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


def finished(pod: JSON, container: str) -> bool:
    """True once the container has a terminated state (or restarted after one)."""
    status = container_status(pod, container) or {}
    state = status.get("state") or {}
    if "terminated" in state:
        return True
    # restarted already (restartPolicy Always): the previous run is in lastState
    return "terminated" in (status.get("lastState") or {}) and int(status.get("restartCount", 0)) > 0


class PodWatch:
    """One pod's LIST+WATCH, consumed in phases with their own deadlines."""

    def __init__(self, client: ClusterClient, namespace: str, pod: str) -> None:
        self.client = client
        self.namespace = namespace
        self.pod = pod
        self.deadline: float | None = None
        self.last: JSON = {}
        self._events: Iterator[tuple[str, JSON]] | None = None

    def _next_events(self) -> Iterator[tuple[str, JSON]]:
        if self._events is None:
            self._events = self.client.watch_pod(
                self.namespace, self.pod, deadline=lambda: self.deadline
            )
        return self._events

    def close(self) -> None:
        if self._events is not None:
            self._events.close()  # type: ignore[attr-defined]
            self._events = None

    def until_started(self, container: str, deadline: float | None, progress: ProgressFn) -> JSON:
        """Watch until ``container`` runs or has terminated; return the pod as last seen."""
        self.deadline = deadline
        last: tuple[str, str] = ("", "")
        waiting_for = "Pending"
        for kind, obj in self._next_events():
            self._check_gone(kind, obj, container)
            self.last = obj
            status = container_status(obj, container)
            if status is None:
                phase = (obj.get("status") or {}).get("phase", "")
                if phase in ("Succeeded", "Failed"):
                    raise errors.StartFailed(
                        f'debug container "{container}" in pod "{self.pod}" cannot start: the '
                        f"pod has already finished (phase {phase})"
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
                raise self._cannot_start(container, reason, message)
        self._events = None
        events = describe_events(self.client.events_for(self.namespace, self.pod))
        raise errors.StartTimeout(
            f'debug container "{container}" in pod "{self.pod}" did not start within the timeout '
            f"(last state: {waiting_for})" + (f" (events: {events})" if events else "")
        )

    def until_finished(self, container: str, grace: float = EXIT_GRACE) -> JSON:
        """The pod once ``container`` has terminated (its log has just ended).

        The kubelet writes the terminated state a moment after the process's
        output closes, so this is usually the next event of the open watch.
        """
        if self.last and finished(self.last, container):
            return self.last
        self.deadline = time.monotonic() + grace
        for kind, obj in self._next_events():
            if kind == "DELETED" or not obj:
                break
            self.last = obj
            if finished(obj, container):
                return obj
        self._events = None
        return self.last

    def _check_gone(self, kind: str, obj: JSON, container: str) -> None:
        if kind == "DELETED" or (obj.get("metadata") or {}).get("deletionTimestamp"):
            raise errors.PodGone(
                f'pod "{self.pod}" was deleted while waiting for debug container "{container}" '
                "to start"
            )

    def _cannot_start(self, container: str, reason: str, message: str) -> errors.KDebugError:
        events = describe_events(self.client.events_for(self.namespace, self.pod))
        text = f'debug container "{container}" in pod "{self.pod}" cannot start: {reason}'
        if message:
            text += f": {message}"
        if events:
            text += f" (events: {events})"
        cls = errors.ImageError if reason in IMAGE_REASONS else errors.StartFailed
        return cls(text)
