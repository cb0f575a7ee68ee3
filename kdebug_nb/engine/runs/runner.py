"""One ``kubectl debug`` invocation: check, read, build, apply, follow, clean up.

Round trips of a one-shot ephemeral run: GET the target, PATCH it, WATCH the
pod from the resourceVersion the PATCH returned until the debug container
runs, follow its log from the start, and read its exit code from the same
watch: 4 requests. Several targets (kubectl's ``TYPE/NAME...`` or ``-f``)
run in turn, each a run with its own events; the first error stops the rest,
as in kubectl (``staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go``, ``Run``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from kdebug_nb import errors
from kdebug_nb.engine.client import Cancel, ClusterClient, Connection
from kdebug_nb.engine.client.connection import overrides_of
from kdebug_nb.engine.debug_options import DebugOptions, Plan
from kdebug_nb.engine.grammar import TargetRef, Validated, validate
from kdebug_nb.engine.grammar.fleet import needs_fleet
from kdebug_nb.engine.runs.apply import CreatedPods, apply, remove
from kdebug_nb.engine.runs.events import (
    RunEvent,
    RunFailed,
    RunFinished,
    RunInterrupted,
    RunStarted,
    new_run_id,
    utc_now,
)
from kdebug_nb.engine.runs.follow import follow
from kdebug_nb.engine.runs.plan import (
    check_name_free,
    plan_for,
    read_target,
    resolve_targets,
    stdin_once,
)
from kdebug_nb.engine.runs.report import Reporter
from kdebug_nb.engine.runs.result import DebugResult
from kdebug_nb.engine.runs.stdin import StdinPipe
from kdebug_nb.engine.runs.watchdog import STOPPED, Watchdog


class Invocation:
    """The targets of one command line, run in turn with the same options."""

    def __init__(
        self,
        opts: DebugOptions,
        *,
        connection: Connection,
        emit: Callable[[RunEvent], None],
        registry: CreatedPods,
        line: str = "",
        source: str = "python",
        stdin_data: str | None = None,
        stdin_stream: StdinPipe | None = None,
        stop: threading.Event | None = None,
        suffix: Callable[[], str] | None = None,
        terminal: Any = None,
    ) -> None:
        self.opts = opts
        #: the adapter's TerminalInput for -it (client.tty), None elsewhere
        self.terminal = terminal
        self.connection = connection
        self.report = Reporter(emit)
        self.emit = emit
        self.registry = registry
        self.line = line
        self.source = source
        self.stdin_data = stdin_data
        self.stdin_stream = stdin_stream
        self.stop = stop
        self.suffix = suffix
        self.client: ClusterClient | None = None
        self.checked: Validated | None = None
        self.explicit_namespace = bool(opts.namespace)
        self._pending_notices: list[str] = []
        self._pending_warnings: list[str] = []
        self._result: DebugResult | None = None

    # ---- entry points -----------------------------------------------------

    def run(self, *, single: bool) -> list[DebugResult]:
        """Every target in turn; ``single`` refuses more than one."""
        refs = self._begin(single)
        results = []
        for index, ref in enumerate(refs):
            if index:
                self._start_event()
            results.append(self._run_target(ref))
        return results

    def run_ref(self, ref: TargetRef) -> DebugResult:
        """One run against a target already in hand, with the usual events.

        A fleet run lists its pods and hands each one here with its JSON
        (``ref.obj``), so the target is not read again: one request fewer per pod.
        """
        self._start_event()
        try:
            checked = validate(self.opts)
            self._pending_notices = list(checked.notices)
            self._pending_warnings = list(checked.warnings)
            self._open(checked)
        except BaseException as exc:
            raise self._failed(exc) from None
        return self._run_target(ref)

    def plans(self) -> list[Plan]:
        """What a run would send for each target: reads them, sends nothing, emits nothing."""
        checked = validate(self.opts)
        self._open(checked)
        plans = []
        for ref in resolve_targets(checked, self.opts.namespace, self.explicit_namespace):
            assert self.client is not None
            plan = plan_for(read_target(self.client, self.opts, ref), ref, self.opts, self.suffix)
            if plan.container and self.opts.stdin and not self.opts.detach:
                stdin_once(plan)  # what a run would really send
            plans.append(plan)
        return plans

    # ---- steps ------------------------------------------------------------

    def _start_event(self) -> None:
        self.report.run_id = new_run_id()
        self.report.t0 = time.monotonic()
        self.emit(
            RunStarted(
                self.report.run_id,
                self.opts,
                self.line,
                self.source,
                utc_now(),
                self.stdin_data or "",
            )
        )

    def _begin(self, single: bool) -> list[TargetRef]:
        self._start_event()
        try:
            checked = validate(self.opts)  # before any API call, like kubectl
            self._pending_notices = list(checked.notices)
            self._pending_warnings = list(checked.warnings)
            if needs_fleet(self.opts):
                raise errors.UsageError(
                    "-l/--selector, -A, --field-selector and --max-concurrency pick many pods: "
                    "run this as a fleet with kdebug_nb.run_fleet(...) or kdebug_nb.debug(...)"
                )
            self._open(checked)
            refs = resolve_targets(checked, self.opts.namespace, self.explicit_namespace)
            if single and len(refs) > 1:
                raise errors.UsageError(
                    f"{len(refs)} targets given; debug one at a time here, or run them in "
                    "turn with kdebug_nb.default_session().run_all(...), or at once with "
                    "kdebug_nb.run_fleet(...)"
                )
            return refs
        except BaseException as exc:
            raise self._failed(exc) from None

    def _open(self, checked: Validated) -> None:
        conn = self.connection.with_flags(
            self.opts.kubeconfig, self.opts.context, self.opts.namespace
        ).with_overrides(overrides_of(self.opts))
        client = ClusterClient(conn)
        client.on_warning = self._server_warning
        self.client = client
        opts = checked.options
        if not opts.namespace:
            opts = replace(opts, namespace=client.namespace)
        self.opts = opts
        self.checked = checked

    def _failed(self, exc: BaseException) -> BaseException:
        """Emit ``RunFailed`` for ``exc``; return what the caller should raise."""
        if isinstance(exc, KeyboardInterrupt):
            error: errors.KDebugError = errors.Interrupted("interrupted before anything was created")
        elif isinstance(exc, errors.KDebugError):
            error = exc
        else:
            error = errors.KDebugError(f"{type(exc).__name__}: {exc}")
        client = self.client
        self.emit(
            RunFailed(
                self.report.run_id,
                error,
                context=client.context if client else self.opts.context,
                namespace=self.opts.namespace or (client.namespace if client else ""),
            )
        )
        return error if isinstance(exc, KeyboardInterrupt) else exc

    def _server_warning(self, message: str) -> None:
        # kubectl prints the API server's warnings whatever -q says
        line = f"Warning: {message}"
        if self._result is not None:
            self._result.warnings = (*self._result.warnings, line)
        self.report.notice(line, "warning")

    def _emit_lines(self, plan: Plan) -> None:
        if not self.opts.quiet:
            for line in [*self._pending_notices, *plan.notices]:
                self.report.notice(line)
        for line in [*self._pending_warnings, *plan.warnings]:
            self.report.notice(line, "warning")
        self._pending_notices = []
        self._pending_warnings = []

    def _run_target(self, ref: TargetRef) -> DebugResult:
        try:
            result = self._execute(ref)
        except BaseException as exc:
            raise self._failed(exc) from None
        if result.interrupted:
            self.emit(RunInterrupted(self.report.run_id, result))
        else:
            self.emit(RunFinished(self.report.run_id, result))
        return result

    def _execute(self, ref: TargetRef) -> DebugResult:
        client, opts = self.client, self.opts
        assert client is not None
        t_start = time.monotonic()
        if ref.obj is None:
            self.report.waiting("reading", message=ref.label)
        target = read_target(client, opts, ref)
        plan = plan_for(target, ref, opts, self.suffix)
        result = _new_result(plan, target, ref, opts, client.context)
        result.notices = tuple(self._pending_notices) + tuple(plan.notices)
        result.warnings = tuple(self._pending_warnings) + tuple(plan.warnings)
        self._result = result
        wants_stdin = self.stdin_data is not None or self.stdin_stream is not None or opts.stdin
        if plan.container and not opts.detach and wants_stdin:
            stdin_once(plan)
        self._emit_lines(plan)
        if opts.dry_run:
            result.reason = "DryRun"
            result.duration = time.monotonic() - t_start
            return result
        if plan.mode == "ephemeral" and opts.container:
            check_name_free(target, opts.container, plan.pod_name)
        if self.stop is not None and self.stop.is_set():
            raise errors.Interrupted("stopped before anything was created")
        created: list[str] = []
        cancel = Cancel()
        watchdog = Watchdog(cancel, self.stop)
        try:
            self.report.waiting("creating", message=f"pod/{plan.pod_name}")
            since = apply(client, plan, created, result, self.registry)
            result.created = tuple(created)
            if plan.container is None or opts.detach:
                result.reason = "Created"
                result.still_running = plan.container is not None
                return result
            follow(
                client,
                opts,
                plan,
                result,
                stdin_data=self.stdin_data,
                stdin_stream=self.stdin_stream,
                since=since,
                cancel=cancel,
                watchdog=watchdog,
                report=self.report,
                terminal=self.terminal,
            )
            # the one-shot is over once it has an exit code (the kubelet may be
            # restarting it already: restartPolicy Always), was stopped, or ran out of time
            one_shot_over = result.exit_code is not None or result.still_running
            if opts.rm and plan.mode in ("copy", "node") and one_shot_over:
                # after a stop too: deleting the pod stops what still runs
                self.report.waiting("deleting", message=f"pod/{plan.pod_name}")
                remove(client, plan, created, result, self.registry)
            return result
        except KeyboardInterrupt:
            # between the create and the wait: say what exists, like any other failure
            raise errors.Interrupted(
                f"interrupted after creating {', '.join(created) or 'nothing'}",
                leftovers=tuple(created),
            ) from None
        except errors.KDebugError as exc:
            error = exc
            if cancel.reason == STOPPED and not isinstance(exc, errors.Interrupted):
                # the stop shut a stream down mid-request: report the stop, not the broken pipe
                error = errors.Interrupted(f"stopped: {exc.one_line()}")
            # a server that went away or stopped answering would hold a delete for the
            # whole request timeout again: report the pod as left behind instead
            reachable = not isinstance(error, errors.ConnectionFailed)
            if opts.rm and plan.mode in ("copy", "node") and created and reachable:
                try:
                    remove(client, plan, created, result, self.registry)
                except errors.KDebugError:
                    pass  # the original error matters more; the pod stays in leftovers
            if created and not error.leftovers:
                error.leftovers = tuple(created)
            if error is exc:
                raise
            raise error from exc
        finally:
            watchdog.close()
            result.duration = time.monotonic() - t_start


def _new_result(
    plan: Plan, target: dict[str, Any], ref: TargetRef, opts: DebugOptions, context: str
) -> DebugResult:
    node = ref.name if plan.mode == "node" else str((target.get("spec") or {}).get("nodeName") or "")
    return DebugResult(
        pod=plan.pod_name,
        namespace=plan.namespace,
        container=plan.container,
        mode=plan.mode,
        image=plan.image,
        node=node,
        command=tuple(opts.command),
        context=context,
        sent=plan.body,
    )
