"""Waiting for the debug container, then capturing its output and exit code.

The output is read by following the container's log from its start, so
nothing printed between start and attach is lost; the exit code comes from
the container's terminated state, seen on the same watch that waited for it
to start. Attach is used only to send stdin, and for an interactive terminal
(``-it`` with a ``TerminalInput``), whose output comes through the attach.
"""

from __future__ import annotations

import codecs
import time
from typing import Any

from kdebug_nb import errors
from kdebug_nb.engine.client import Cancel, ClusterClient
from kdebug_nb.engine.client.wire import lost
from kdebug_nb.engine.debug_options import DebugOptions, Plan
from kdebug_nb.engine.runs.liveness import Liveness
from kdebug_nb.engine.runs.report import Reporter
from kdebug_nb.engine.runs.result import DebugResult
from kdebug_nb.engine.runs.stdin import StdinPipe, StdinPump
from kdebug_nb.engine.runs.waiting import (
    PodWatch,
    Stopped,
    container_status,
    never_ran,
    start_hint,
)
from kdebug_nb.engine.runs.watchdog import RUN_TIMEOUT, Watchdog


def follow(
    client: ClusterClient,
    opts: DebugOptions,
    plan: Plan,
    result: DebugResult,
    *,
    stdin_data: str | None,
    stdin_stream: StdinPipe | None = None,
    since: dict[str, Any] | None,
    cancel: Cancel,
    watchdog: Watchdog,
    report: Reporter,
    terminal: Any = None,
) -> None:
    """Wait for the debug container, then capture its output and exit code into ``result``."""
    assert plan.container is not None
    container = plan.container
    deadline = time.monotonic() + opts.timeout if opts.timeout and opts.timeout > 0 else None
    parts: list[str] = []
    raw: list[bytes] = []
    pump: StdinPump | None = None
    watch = PodWatch(
        client, plan.namespace, plan.pod_name, copy=plan.mode == "copy", since=since, cancel=cancel
    )

    def waiting(state: str, reason: str = "", message: str = "") -> None:
        report.waiting(state, reason, message)
        if state == "waiting" and message and not opts.quiet:
            # kubectl prints this on stderr for every update carrying a message
            report.notice(f"Warning: container {container}: {message}", "warning")

    # a frozen server would hold the silent watch and log below forever
    liveness = Liveness(client, cancel)
    liveness.start()
    try:
        pod = watch.until_started(container, deadline, waiting)
        record_pod(result, pod, container)
        why = never_ran(pod, container)
        if why:
            # exit 128 alone does not say the command never ran; the runtime's message does
            line = (
                f'Warning: debug container "{container}" in pod "{plan.pod_name}" cannot start: '
                f"{why} — {start_hint(result.reason, why, plan.pod_name, plan.namespace, container)}"
            )
            result.warnings = (*result.warnings, line)
            report.notice(line, "warning")
        want_stdin = stdin_data is not None or stdin_stream is not None or opts.stdin
        if not opts.command and not want_stdin:
            # nothing to capture: the container is up (or already done)
            return
        if opts.run_timeout:
            watchdog.arm(opts.run_timeout)
        if terminal is not None and opts.tty and opts.stdin and result.exit_code is None:
            _terminal_session(client, opts, plan, container, terminal, parts, raw, cancel, report)
        else:
            if stdin_stream is not None and result.exit_code is None:
                pump = StdinPump(client, plan.namespace, plan.pod_name, container, stdin_stream, cancel)
            elif want_stdin and result.exit_code is None:
                # stdin goes in through attach; what the process prints comes out of its
                # log, read from the start, so nothing is lost to the attach race
                report.waiting("running", message="sending stdin")
                try:
                    client.send_stdin(plan.namespace, plan.pod_name, container, stdin_data or "")
                except errors.ApiError:
                    # it ended before we could attach; its log and state still tell
                    pass
            report.waiting("running")
            decoder = codecs.getincrementaldecoder("utf-8")("replace")
            for data in client.follow_log_bytes(plan.namespace, plan.pod_name, container, cancel=cancel):
                raw.append(data)
                text = decoder.decode(data)
                parts.append(text)
                report.output(text, data)
            tail = decoder.decode(b"", final=True)
            if tail:
                parts.append(tail)
                report.output(tail)
        result.output = "".join(parts)
        result.output_bytes = b"".join(raw)
        if cancel.cancelled:
            _raise_failure(cancel)
            _cut_short(result, cancel.reason, opts)
            return
        pod = watch.until_finished(container)
        _raise_failure(cancel)
        record_pod(result, pod, container)
        if result.exit_code:
            # one more request, only when it failed: the events often say why (OOMKilled...)
            try:
                events = client.events_for(plan.namespace, plan.pod_name, unreachable_raises=True)
            except errors.ConnectionFailed as exc:
                # e.g. a sandbox stopping kills its containers, then closes: the
                # exit code is real, but the reason for it is the server's going
                when = f" just after {container} exited with code {result.exit_code}"
                line = f"Warning: {lost(client.server, exc.__cause__ or exc, when).message}"
                result.warnings = (*result.warnings, line)
                report.notice(line, "warning")
                events = []
            result.events = tuple(events[-10:])
            _pod_ended_it(pod, plan, result, report)
        report.waiting("terminated", result.reason, str(result.exit_code))
    except (KeyboardInterrupt, Stopped):
        result.output = result.output or "".join(parts)
        result.output_bytes = result.output_bytes or b"".join(raw)
        _raise_failure(cancel)
        _cut_short(result, "", opts)
    finally:
        liveness.close()
        if pump is not None:
            pump.finish()
        watch.close()


def _terminal_session(
    client: ClusterClient,
    opts: DebugOptions,
    plan: Plan,
    container: str,
    terminal: Any,
    parts: list[str],
    raw: list[bytes],
    cancel: Cancel,
    report: Reporter,
) -> None:
    """``-it`` at a terminal: attach with a tty, as kubectl's attach does after the wait."""

    def shown(text: str, data: bytes) -> None:
        parts.append(text)
        raw.append(data)
        report.output(text, data)

    report.waiting("running", message="attached to a terminal")
    if not opts.quiet:
        # kubectl's attach prints this on stderr before a raw terminal session
        report.notice("If you don't see a command prompt, try pressing enter.", "warning")
    try:
        client.attach_terminal(
            plan.namespace, plan.pod_name, container, terminal, shown, cancel=cancel
        )
    except errors.ApiError:
        pass  # it ended before we could attach; its state still tells the exit code


def _pod_ended_it(pod: dict[str, Any], plan: Plan, result: DebugResult, report: Reporter) -> None:
    """Say why the pod ended the command, when the kubelet gave the pod a reason.

    An eviction or a node shutdown kills every container of the pod and sets
    ``status.reason``/``message`` on it (``Evicted``, ``Terminated``); the
    exit code alone (137) would not tell.
    """
    status = pod.get("status") or {}
    reason, message = str(status.get("reason") or ""), str(status.get("message") or "")
    if not (reason or message):
        return
    line = f"Warning: pod {plan.pod_name}: {reason}" + (f": {message}" if message else "")
    result.warnings = (*result.warnings, line)
    report.notice(line, "warning")


def _raise_failure(cancel: Cancel) -> None:
    """End the run with the error of a cancel that was a failure (the server stopped answering)."""
    if cancel.error is not None:
        raise cancel.error


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
