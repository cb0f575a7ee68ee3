"""Waiting for a debug container with a deadline, failing fast.

kubectl waits forever on an image that cannot be pulled; we end the wait at
the first waiting reason that cannot resolve itself and say why, in one line:
the waiting reason and message, the events that add to them (only those about
the debug container — and, for a timeout, about the pod itself and the init
container it is stuck behind), then what to do after `` — ``. One WATCH,
started at the resourceVersion the PATCH or POST returned, serves the whole
run: it is kept open while the log is followed, and read again for the
terminated state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, Any

from kdebug_nb import errors

if TYPE_CHECKING:
    from kdebug_nb.engine.client import Cancel, ClusterClient

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

#: terminated reasons of a container whose command never ran: containerd's
#: ``StartError`` (exit 128, e.g. the command is not in the image) and
#: dockershim's ``ContainerCannotRun``
NEVER_RAN = frozenset({"StartError", "ContainerCannotRun"})


def never_ran(pod: JSON, container: str) -> str:
    """``Reason: message`` when ``container`` terminated without its command ever running."""
    status = container_status(pod, container) or {}
    term = (status.get("state") or {}).get("terminated") or {}
    if term.get("reason") not in NEVER_RAN:
        return ""
    message = " ".join(str(term.get("message") or "").split())
    return f"{term['reason']}: {message}" if message else str(term["reason"])

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


def describe_events(
    events: list[JSON],
    containers: Collection[str] = (),
    *,
    pod_level: bool = False,
    known: str = "",
    limit: int = 3,
) -> str:
    """The events worth adding to a message, as ``Reason: message; ...``.

    Only events about ``containers`` (``involvedObject.fieldPath`` ending in
    ``{name}``) are kept, plus the pod's own ones with ``pod_level``. Warnings
    win over normal events when there are any, since they say why. An event
    whose message ``known`` (the text written so far) already says is dropped,
    and so is a repeat; the last ``limit`` remain.
    """
    relevant = [e for e in events if _about(e, containers, pod_level)]
    warnings = [e for e in relevant if e.get("type") == "Warning"]
    chosen: list[tuple[str, str]] = []
    seen: set[str] = set()
    for event in warnings or relevant:
        message = " ".join(str(event.get("message", "")).split())
        core = message.removeprefix("Error: ")
        if not core or core in known or core in seen or _repeats(core, known):
            continue
        seen.add(core)
        if len(message) > _EVENT_CHARS:
            message = message[: _EVENT_CHARS - 1].rstrip() + "…"
        chosen.append((str(event.get("reason", "")), message))
    return "; ".join(f"{reason}: {message}" if reason else message for reason, message in chosen[-limit:])


#: longest event message quoted in an error line
_EVENT_CHARS = 200


def _about(event: JSON, containers: Collection[str], pod_level: bool) -> bool:
    path = str((event.get("involvedObject") or {}).get("fieldPath") or "")
    if not path:
        return pod_level
    return any(path.endswith(f"{{{name}}}") for name in containers)


def _repeats(message: str, known: str) -> bool:
    """True when ``message`` only wraps something ``known`` already quotes.

    ``Failed to pull image "x": <the waiting message>`` adds nothing to a line
    that quotes the waiting message; a quoted part of 20+ characters counts.
    """
    _head, sep, tail = message.partition(": ")
    return bool(sep) and len(tail) >= 20 and tail in known


def blocking_init_container(pod: JSON) -> str | None:
    """The init container a pod is stuck behind: the first one not yet done."""
    spec = pod.get("spec") or {}
    statuses = {
        s.get("name"): s for s in (pod.get("status") or {}).get("initContainerStatuses") or []
    }
    for container in spec.get("initContainers") or []:
        if container.get("restartPolicy") == "Always":
            continue  # a sidecar: the next init container starts once it runs
        state = (statuses.get(container.get("name")) or {}).get("state") or {}
        term = state.get("terminated")
        if term is None or int(term.get("exitCode", 1)) != 0:
            return str(container.get("name", ""))
    return None


def init_state(pod: JSON, name: str) -> str:
    """A few words on where init container ``name`` is: ``is still running``, ``exited with code 3``."""
    status = container_status(pod, name) or {}
    state = status.get("state") or {}
    last = (status.get("lastState") or {}).get("terminated") or {}
    if "running" in state:
        return "is still running"
    if "terminated" in state:
        return f"exited with code {(state['terminated'] or {}).get('exitCode', '?')}"
    if last:
        return f"keeps failing with exit code {last.get('exitCode', '?')}"
    reason = (state.get("waiting") or {}).get("reason")
    return f"is waiting ({reason})" if reason else "has not started"


def start_hint(reason: str, message: str, pod: str, namespace: str, container: str) -> str:
    """What to do about a waiting reason that will not resolve itself."""
    if reason == "ErrImageNeverPull":
        return "the image is not on the node and --image-pull-policy=Never forbids pulling it"
    if reason in IMAGE_REASONS:
        return "check the image name, or that the cluster can pull it"
    if reason == "CreateContainerConfigError" and "runAsNonRoot" in message:
        return "the image runs as root: pick an image with a non-root user, or another --profile"
    if reason == "CrashLoopBackOff":
        return f"it keeps exiting; read why with kubectl logs {pod} -c {container} -n {namespace}"
    if reason in ("RunContainerError", "StartError", "CreateContainerError", "ContainerCannotRun"):
        return "check that the image has the command you gave (after --)"
    return f"look at kubectl describe pod {pod} -n {namespace}"


def finished(pod: JSON, container: str) -> bool:
    """True once the container has a terminated state (or restarted after one)."""
    status = container_status(pod, container) or {}
    state = status.get("state") or {}
    if "terminated" in state:
        return True
    # restarted already (restartPolicy Always): the previous run is in lastState
    return "terminated" in (status.get("lastState") or {}) and int(status.get("restartCount", 0)) > 0


class Stopped(Exception):
    """The run's :class:`Cancel` fired while waiting (a stop request)."""


class PodWatch:
    """One pod's WATCH, consumed in phases with their own deadlines.

    ``since`` is the pod as the PATCH or POST returned it: the watch starts at
    its resourceVersion, so no LIST is needed.
    """

    def __init__(
        self,
        client: ClusterClient,
        namespace: str,
        pod: str,
        *,
        copy: bool = False,
        since: JSON | None = None,
        cancel: Cancel | None = None,
    ) -> None:
        self.client = client
        self.namespace = namespace
        self.pod = pod
        self.since = since
        self.cancel = cancel
        #: the pod is a copy (--copy-to): its init containers came from the original
        self.copy = copy
        self.deadline: float | None = None
        self.last: JSON = {}
        self._events: Iterator[tuple[str, JSON]] | None = None

    def _next_events(self) -> Iterator[tuple[str, JSON]]:
        if self._events is None:
            self._events = self.client.watch_pod(
                self.namespace,
                self.pod,
                deadline=lambda: self.deadline,
                since=self.since,
                cancel=self.cancel,
            )
            self.since = None  # a resumed watch after the deadline lists afresh
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
            phase = str((obj.get("status") or {}).get("phase", ""))
            if status is None:
                if phase in ("Succeeded", "Failed"):
                    raise self._pod_finished(container, phase)
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
            if phase in ("Succeeded", "Failed"):
                # e.g. a copy whose init container failed under restartPolicy Never
                raise self._pod_finished(container, phase)
            if reason in FAIL_REASONS:
                raise self._cannot_start(container, reason, message)
        self._events = None
        if self.cancel is not None and self.cancel.cancelled:
            raise Stopped(self.cancel.reason)
        raise self._timed_out(container, waiting_for)

    def until_finished(self, container: str, grace: float = EXIT_GRACE) -> JSON:
        """The pod once ``container`` has terminated (its log has just ended).

        The kubelet writes the terminated state a moment after the process's
        output closes, so this is usually the next event of the open watch.
        """
        if self.last and finished(self.last, container):
            return self.last
        if self.cancel is not None and self.cancel.cancelled:
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
        text = f'debug container "{container}" in pod "{self.pod}" cannot start: {reason}'
        if message:
            text += f": {message}"
        events = describe_events(
            self.client.events_for(self.namespace, self.pod), (container,), known=text
        )
        if events:
            text += f" (events: {events})"
        text += " — " + start_hint(reason, message, self.pod, self.namespace, container)
        cls = errors.ImageError if reason in IMAGE_REASONS else errors.StartFailed
        return cls(text)

    def _blocker(self, container: str) -> str | None:
        # a copy pod keeps the original's init containers: one that never ends blocks ours
        blocker = blocking_init_container(self.last) if self.last else None
        return blocker if blocker != container else None

    def _blocker_clause(self, container: str) -> tuple[str, str | None]:
        """The blocking init container (if any) and the clause naming it, so a
        finished pod and a timeout describe the blocker in the same words."""
        blocker = self._blocker(container)
        if not blocker:
            return "", None
        return f'; init container "{blocker}" {init_state(self.last, blocker)}', blocker

    def _describe(self) -> str:
        return f"look at kubectl describe pod {self.pod} -n {self.namespace}"

    def _pod_finished(self, container: str, phase: str) -> errors.StartFailed:
        text = (
            f'debug container "{container}" in pod "{self.pod}" cannot start: the pod has '
            f"already finished (phase {phase}"
        )
        clause, blocker = self._blocker_clause(container)
        text += clause
        if blocker and self.copy:
            hint = "the copy keeps the original's init containers; leave them out with " \
                   "--keep-init-containers=false"
        elif self.copy:
            hint = self._describe()
        else:
            hint = "a finished pod runs no new containers; debug a copy of it instead with " \
                   "--copy-to=NAME"
        return errors.StartFailed(f"{text}) — {hint}")

    def _timed_out(self, container: str, waiting_for: str) -> errors.StartTimeout:
        text = (
            f'debug container "{container}" in pod "{self.pod}" did not start within the timeout '
            f"(last state: {waiting_for}"
        )
        clause, blocker = self._blocker_clause(container)
        text += clause + ")"
        about = (container, blocker) if blocker else (container,)
        events = describe_events(
            self.client.events_for(self.namespace, self.pod), about, pod_level=True, known=text
        )
        if events:
            text += f" (events: {events})"
        hint = "raise --timeout, "
        if blocker and self.copy:
            hint += "leave the original's init containers out with --keep-init-containers=false, "
        text += f" — {hint}or {self._describe()}"
        return errors.StartTimeout(text)
