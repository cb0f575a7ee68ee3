"""Waiting for the debug container, then capturing its output and exit code.

The output is read by following the container's log from its start, so
nothing printed between start and attach is lost; the exit code comes from
the container's terminated state, seen on the same watch that waited for it
to start. Attach is used only to send stdin.
"""

from __future__ import annotations

import time
from typing import Any

from kdebug_nb import errors
from kdebug_nb.engine.client import Cancel, ClusterClient
from kdebug_nb.engine.options import DebugOptions, Plan
from kdebug_nb.engine.runs.report import Reporter
from kdebug_nb.engine.runs.result import DebugResult
from kdebug_nb.engine.runs.waiting import PodWatch, Stopped, container_status
from kdebug_nb.engine.runs.watchdog import RUN_TIMEOUT, Watchdog


def follow(
    client: ClusterClient,
    opts: DebugOptions,
    plan: Plan,
    result: DebugResult,
    *,
    stdin_data: str | None,
    since: dict[str, Any] | None,
    cancel: Cancel,
    watchdog: Watchdog,
    report: Reporter,
) -> None:
    """Wait for the debug container, then capture its output and exit code into ``result``."""
    assert plan.container is not None
    container = plan.container
    deadline = time.monotonic() + opts.timeout if opts.timeout and opts.timeout > 0 else None
    parts: list[str] = []
    watch = PodWatch(
        client, plan.namespace, plan.pod_name, copy=plan.mode == "copy", since=since, cancel=cancel
    )

    def waiting(state: str, reason: str = "", message: str = "") -> None:
        report.waiting(state, reason, message)
        if state == "waiting" and message and not opts.quiet:
            # kubectl prints this on stderr for every update carrying a message
            report.notice(f"Warning: container {container}: {message}", "warning")

    try:
        pod = watch.until_started(container, deadline, waiting)
        record_pod(result, pod, container)
        want_stdin = stdin_data is not None or opts.stdin
        if not opts.command and not want_stdin:
            # nothing to capture: the container is up (or already done)
            return
        if opts.run_timeout:
            watchdog.arm(opts.run_timeout)
        if want_stdin and result.exit_code is None:
            # stdin goes in through attach; what the process prints comes out of its
            # log, read from the start, so nothing is lost to the attach race
            report.waiting("running", message="sending stdin")
            try:
                client.send_stdin(plan.namespace, plan.pod_name, container, stdin_data or "")
            except errors.ApiError:
                # it ended before we could attach; its log and state still tell
                pass
        report.waiting("running")
        for chunk in client.follow_log(plan.namespace, plan.pod_name, container, cancel=cancel):
            parts.append(chunk)
            report.output(chunk)
        result.output = "".join(parts)
        if cancel.cancelled:
            _cut_short(result, cancel.reason, opts)
            return
        pod = watch.until_finished(container)
        record_pod(result, pod, container)
        if result.exit_code:
            # one more request, only when it failed: the events often say why (OOMKilled...)
            result.events = tuple(client.events_for(plan.namespace, plan.pod_name)[-10:])
        report.waiting("terminated", result.reason, str(result.exit_code))
    except (KeyboardInterrupt, Stopped):
        result.output = result.output or "".join(parts)
        _cut_short(result, "", opts)
    finally:
        watch.close()


def _cut_short(result: DebugResult, reason: str, opts: DebugOptions) -> None:
    """The run stopped following a command that still runs: say so, and why."""
    result.still_running = True
    if reason == RUN_TIMEOUT:
        result.reason = "RunTimeout"
        result.run_timeout = opts.run_timeout
    else:
        result.interrupted = True
        result.reason = "Interrupted"


def record_pod(result: DebugResult, pod: dict[str, Any], container: str) -> None:
    """Copy node, state, exit code and times of the debug container into the result."""
    node = (pod.get("spec") or {}).get("nodeName")
    if node:
        result.node = str(node)
    status = container_status(pod, container) or {}
    state = status.get("state") or {}
    term = state.get("terminated")
    if term is None and state:
        # restarted already (a copy of a restartPolicy Always pod): the last run's exit
        term = (status.get("lastState") or {}).get("terminated")
        if "running" in state:
            result.started_at = (state.get("running") or {}).get("startedAt") or result.started_at
        if term is None:
            result.reason = "Running" if "running" in state else str(
                (state.get("waiting") or {}).get("reason") or "Waiting"
            )
            result.still_running = "running" in state
            return
    if term is not None:
        result.exit_code = int(term.get("exitCode", 0))
        result.reason = str(term.get("reason") or ("Completed" if result.exit_code == 0 else "Error"))
        result.started_at = term.get("startedAt") or result.started_at
        result.finished_at = term.get("finishedAt")
        # the kubelet may already have started it again
        result.still_running = "running" in state
