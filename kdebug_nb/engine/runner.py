"""One debug run: read the target, build, apply, wait, capture (design decisions 2, 3).

Round trips of a one-shot run: GET the target, PATCH (or POST), LIST+WATCH
the pod until the debug container runs or ends, then follow its log from the
start — so nothing the command prints is lost to an attach race — and take
the exit code from the container's terminated state. Attach is used only when
there is stdin to send.

An addition over kubectl (behaviour doc §3.3, §14): in ephemeral mode a ``-c``
naming a container the pod already has (init, regular or ephemeral) fails
before the PATCH with ``errors.AlreadyExists`` and a line saying what to do —
with ``--detach`` too. kubectl sends the PATCH and shows the server's refusal
(a Duplicate value, or a forbidden change to the existing ephemeral container);
we send nothing, since nothing could come of it. The object a successful run
sends is unchanged, and ``--dry-run`` still shows kubectl's object.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from kdebug_nb import errors
from kdebug_nb.engine.cluster_io import ClusterClient
from kdebug_nb.engine.connection import Connection
from kdebug_nb.engine.options import DebugOptions, Plan
from kdebug_nb.engine.result import DebugResult
from kdebug_nb.engine.targets import TargetRef, file_targets, parse_target
from kdebug_nb.engine.waiting import PodWatch, container_status

OutputCallback = Callable[[str], None]


@dataclass(frozen=True)
class Progress:
    """A step of a run, for progress displays.

    ``state`` is one of: ``notice`` (an informational line kubectl prints to
    stdout), ``warning`` (a line kubectl prints to stderr), ``reading``,
    ``creating``, ``waiting``, ``running``, ``terminated``, ``deleting``, ``done``.
    """

    state: str
    reason: str = ""
    message: str = ""
    elapsed: float = 0.0


ProgressCallback = Callable[[Progress], None]

#: copy and node pods created by this process, for ``cleanup()``
CREATED_PODS: list[tuple[Connection, str, str]] = []


def resolve_targets(
    opts: DebugOptions, client: ClusterClient, explicit_namespace: bool = False
) -> list[TargetRef]:
    namespace = opts.namespace or client.namespace
    if opts.filenames:
        if opts.targets:
            raise errors.UsageError(
                "resource/name arguments cannot be provided when a path is specified"
            )
        return file_targets(opts.filenames, namespace, explicit_namespace)
    if not opts.targets:
        raise errors.UsageError("NAME or filename is required for debug")
    return [parse_target(t) for t in opts.targets]


def run_many(
    opts: DebugOptions,
    *,
    connection: Connection | None = None,
    on_output: OutputCallback | None = None,
    on_progress: ProgressCallback | None = None,
    stdin_data: str | None = None,
    suffix: Callable[[], str] | None = None,
) -> list[DebugResult]:
    """Every target in turn, as kubectl does; the first error stops the rest."""
    session = _Session.open(opts, connection, on_output, on_progress, suffix)
    refs = session.targets()
    return [session.run_target(ref, stdin_data) for ref in refs]


def run(
    opts: DebugOptions,
    *,
    connection: Connection | None = None,
    on_output: OutputCallback | None = None,
    on_progress: ProgressCallback | None = None,
    stdin_data: str | None = None,
    suffix: Callable[[], str] | None = None,
) -> DebugResult:
    """One run against one target (several targets: ``run_many``)."""
    session = _Session.open(opts, connection, on_output, on_progress, suffix)
    refs = session.targets()
    if len(refs) > 1:
        raise errors.UsageError(
            f"{len(refs)} targets given; debug one at a time here "
            "(the kdebug command and run_many() process several in turn)"
        )
    return session.run_target(refs[0], stdin_data)


def run_ref(
    opts: DebugOptions,
    ref: TargetRef,
    *,
    connection: Connection | None = None,
) -> DebugResult:
    """One run against a target already in hand (a fleet run's listed pod: no GET)."""
    session = _Session.open(opts, connection, None, None, None)
    return session.run_target(ref, None)


def build_only(
    opts: DebugOptions,
    *,
    connection: Connection | None = None,
    suffix: Callable[[], str] | None = None,
) -> list[Plan]:
    """The plans a run would apply: reads the targets, sends nothing."""
    session = _Session.open(opts, connection, None, None, suffix)
    refs = session.targets()
    plans = [session.plan(ref)[0] for ref in refs]
    for plan in plans:
        if plan.container and opts.stdin and not opts.detach:
            _stdin_once(plan)  # what a run would really send
    return plans


class _Session:
    """State shared by the targets of one invocation."""

    def __init__(
        self,
        opts: DebugOptions,
        client: ClusterClient,
        notices: list[str],
        on_output: OutputCallback | None,
        on_progress: ProgressCallback | None,
        suffix: Callable[[], str] | None,
    ) -> None:
        self.opts = opts
        self.client = client
        self.pending_notices = notices
        self.on_output = on_output
        self.on_progress = on_progress
        self.suffix = suffix
        self.t0 = time.monotonic()
        self._container = ""
        self.pending_warnings: list[str] = []
        self.explicit_namespace = False
        self._result: DebugResult | None = None

    @classmethod
    def open(
        cls,
        opts: DebugOptions,
        connection: Connection | None,
        on_output: OutputCallback | None,
        on_progress: ProgressCallback | None,
        suffix: Callable[[], str] | None,
    ) -> _Session:
        from kdebug_nb.engine.connection import get_default_connection
        from kdebug_nb.engine.grammar import validate

        checked = validate(opts)  # before any API call, like kubectl
        notices = list(checked)
        warnings = list(getattr(checked, "warnings", ()))
        conn = (connection or get_default_connection()).with_flags(
            opts.kubeconfig, opts.context, opts.namespace
        )
        client = ClusterClient(conn)
        explicit_ns = bool(opts.namespace)
        if not opts.namespace:
            opts = replace(opts, namespace=client.namespace)
        session = cls(opts, client, notices, on_output, on_progress, suffix)
        client.on_warning = session.server_warning
        session.pending_warnings = warnings
        session.explicit_namespace = explicit_ns
        return session

    def targets(self) -> list[TargetRef]:
        """What this invocation names, read with the session's namespace rules."""
        return resolve_targets(self.opts, self.client, self.explicit_namespace)

    # ---- events -----------------------------------------------------------

    def progress(self, state: str, reason: str = "", message: str = "") -> None:
        if self.on_progress is not None:
            self.on_progress(Progress(state, reason, message, time.monotonic() - self.t0))

    def server_warning(self, message: str) -> None:
        # kubectl prints the API server's warnings whatever -q says
        line = f"Warning: {message}"
        if self._result is not None:
            self._result.warnings = (*self._result.warnings, line)
        self.progress("warning", message=line)

    def emit_lines(self, plan_notices: tuple[str, ...], warnings: tuple[str, ...]) -> None:
        if not self.opts.quiet:
            for line in [*self.pending_notices, *plan_notices]:
                self.progress("notice", message=line)
        for line in [*self.pending_warnings, *warnings]:
            self.progress("warning", message=line)
        self.pending_notices = []
        self.pending_warnings = []

    # ---- steps ------------------------------------------------------------

    def read(self, ref: TargetRef) -> dict[str, Any]:
        if ref.obj is not None:
            return ref.obj
        self.progress("reading", message=ref.label)
        if ref.kind == "Node":
            return self.client.read_node(ref.name)
        return self.client.read_pod(self.opts.namespace, ref.name)

    def plan(self, ref: TargetRef) -> tuple[Plan, dict[str, Any]]:
        from kdebug_nb.engine.builders import build_plan

        target = self.read(ref)
        target.setdefault("kind", ref.kind)
        namespace = ref.namespace or self.opts.namespace
        opts = self.opts if namespace == self.opts.namespace else replace(self.opts, namespace=namespace)
        kwargs: dict[str, Any] = {"namespace": namespace}
        if self.suffix is not None:
            kwargs["suffix"] = self.suffix
        return build_plan(target, opts, **kwargs), target

    def run_target(self, ref: TargetRef, stdin_data: str | None) -> DebugResult:
        t_start = time.monotonic()
        plan, target = self.plan(ref)
        opts = self.opts
        result = DebugResult(
            pod=plan.pod_name,
            namespace=plan.namespace,
            container=plan.container,
            mode=plan.mode,
            image=plan.image,
            node=str((target.get("spec") or {}).get("nodeName") or "")
            if plan.mode != "node"
            else ref.name,
            command=tuple(opts.command),
            context=self.client.context,
            notices=tuple(self.pending_notices) + tuple(plan.notices),
            warnings=tuple(self.pending_warnings) + tuple(plan.warnings),
            sent=plan.body,
        )
        self._result = result
        if (
            plan.container
            and not opts.detach
            and (stdin_data is not None or opts.stdin)
        ):
            _stdin_once(plan)
        self.emit_lines(plan.notices, plan.warnings)
        if opts.dry_run:
            result.reason = "DryRun"
            result.duration = time.monotonic() - t_start
            return result
        if plan.mode == "ephemeral" and opts.container:
            _check_name_free(target, opts.container, plan.pod_name)
        created: list[str] = []
        try:
            self.apply(plan, created, result)
            result.created = tuple(created)
            if plan.container is None or opts.detach:
                result.reason = "Created"
                result.still_running = plan.container is not None
                return result
            self.follow(plan, result, stdin_data)
            # the one-shot is over once it has an exit code (the kubelet may be
            # restarting it already: restartPolicy Always) or was interrupted
            one_shot_over = result.exit_code is not None or result.interrupted
            if opts.rm and plan.mode in ("copy", "node") and one_shot_over:
                # after an interrupt too: deleting the pod stops what still runs
                self.remove(plan, created, result)
            self.progress("done", reason=result.reason)
            return result
        except KeyboardInterrupt:
            # between the create and the wait: say what exists, like any other failure
            raise errors.Interrupted(
                f"interrupted after creating {', '.join(created) or 'nothing'}",
                leftovers=tuple(created),
            ) from None
        except errors.KDebugError as exc:
            if opts.rm and plan.mode in ("copy", "node") and created:
                try:
                    self.remove(plan, created, result)
                except errors.KDebugError:
                    pass  # the original error matters more; the pod stays in leftovers
            if created and not exc.leftovers:
                exc.leftovers = tuple(created)
            raise
        finally:
            result.duration = time.monotonic() - t_start

    def remove(self, plan: Plan, created: list[str], result: DebugResult) -> None:
        """``--rm``: delete the copy or node pod this run created."""
        self.progress("deleting", message=f"pod/{plan.pod_name}")
        try:
            self.client.delete_pod(plan.namespace, plan.pod_name, grace_period=0)
        except errors.NotFound:
            pass
        label = f"pod/{plan.pod_name}"
        if label in created:
            created.remove(label)
        result.created = tuple(created)
        result.deleted = (*result.deleted, label)
        result.still_running = False
        entry = (self.client.connection, plan.namespace, plan.pod_name)
        if entry in CREATED_PODS:
            CREATED_PODS.remove(entry)

    def apply(self, plan: Plan, created: list[str], result: DebugResult) -> None:
        """The mutating requests, in kubectl's order (behaviour doc §11)."""
        client = self.client
        self.progress("creating", message=f"pod/{plan.pod_name}")
        if plan.mode == "ephemeral":
            pod = client.patch_ephemeral(plan.namespace, plan.pod_name, plan.body)
            created.append(f"pod/{plan.pod_name} ephemeral container {plan.container}")
        else:
            pod = client.create_pod(plan.namespace, plan.body)
            created.append(f"pod/{plan.pod_name}")
            CREATED_PODS.append((client.connection, plan.namespace, plan.pod_name))
            if plan.delete_original:
                client.delete_pod(plan.namespace, plan.delete_original, grace_period=0)
                result.deleted = (f"pod/{plan.delete_original}",)
        node = (pod.get("spec") or {}).get("nodeName")
        if node:
            result.node = str(node)

    def follow(self, plan: Plan, result: DebugResult, stdin_data: str | None) -> None:
        """Wait for the debug container, then capture its output and exit code."""
        assert plan.container is not None
        opts = self.opts
        self._container = plan.container
        deadline = time.monotonic() + opts.timeout if opts.timeout and opts.timeout > 0 else None
        parts: list[str] = []
        watch = PodWatch(self.client, plan.namespace, plan.pod_name, copy=plan.mode == "copy")
        try:
            pod = watch.until_started(plan.container, deadline, self._waiting)
            _record_pod(result, pod, plan.container)
            want_stdin = stdin_data is not None or opts.stdin
            if not opts.command and not want_stdin:
                # nothing to capture: the container is up (or already done)
                return
            if want_stdin and result.exit_code is None:
                # stdin goes in through attach; what the process prints comes out of its
                # log, read from the start, so nothing is lost to the attach race
                self.progress("running", message="sending stdin")
                try:
                    self.client.send_stdin(
                        plan.namespace, plan.pod_name, plan.container, stdin_data or ""
                    )
                except errors.ApiError:
                    # it ended before we could attach; its log and state still tell
                    pass
            self.progress("running")
            for chunk in self._log(plan):
                parts.append(chunk)
                if self.on_output is not None:
                    self.on_output(chunk)
            result.output = "".join(parts)
            pod = watch.until_finished(plan.container)
            _record_pod(result, pod, plan.container)
            if result.exit_code:
                # one more request, only when it failed: the events often say why (OOMKilled...)
                events = self.client.events_for(plan.namespace, plan.pod_name)
                result.events = tuple(events[-10:])
            self.progress("terminated", reason=result.reason, message=str(result.exit_code))
        except KeyboardInterrupt:
            result.output = result.output or "".join(parts)
            result.interrupted = True
            result.still_running = True
            result.reason = "Interrupted"
        finally:
            watch.close()

    def _waiting(self, state: str, reason: str = "", message: str = "") -> None:
        self.progress(state, reason, message)
        if state == "waiting" and message and not self.opts.quiet and self._container:
            # kubectl prints this on stderr for every update carrying a message
            self.progress("warning", message=f"Warning: container {self._container}: {message}")

    def _log(self, plan: Plan) -> Iterator[str]:
        assert plan.container is not None
        return self.client.follow_log(plan.namespace, plan.pod_name, plan.container)


#: where a pod keeps each kind of container, and how a message names it
_CONTAINER_KINDS = (
    ("initContainers", "init container"),
    ("containers", "container"),
    ("ephemeralContainers", "ephemeral container"),
)


def _check_name_free(pod: dict[str, Any], name: str, pod_name: str) -> None:
    """Refuse a ``-c`` name the pod already uses, before anything is sent.

    ``AlreadyExists`` (a name taken, like a ``--copy-to`` clash) rather than
    ``Invalid``: the request is not malformed, the name is just in use. It is
    raised by us, so ``status`` is 0.
    """
    spec = pod.get("spec") or {}
    for key, label in _CONTAINER_KINDS:
        if any(c.get("name") == name for c in spec.get(key) or []):
            raise errors.AlreadyExists(
                f'container name "{name}" is already used in pod "{pod_name}" ({label}) — '
                "choose another name with -c, or leave -c out to have one generated",
                reason="AlreadyExists",
            )


def _stdin_once(plan: Plan) -> None:
    """Mark the debug container ``stdinOnce`` so the stdin we send ends with EOF.

    kubectl debug never sets it (its interactive session never ends stdin);
    a notebook run sends a finite input and needs the process to see its end.
    These (``stdinOnce``, and ``stdin`` when data comes without ``-i``) are
    the only fields a non-detached run adds to kubectl's object; ``--detach``
    sends kubectl's object exactly.
    """
    spec = plan.body.get("spec") or {}
    for key in ("ephemeralContainers", "containers", "initContainers"):
        for container in spec.get(key) or []:
            if container.get("name") == plan.container:
                # stdin_data without -i (the Python API) still needs a stdin to send to
                container["stdin"] = True
                container["stdinOnce"] = True
                return


def _record_pod(result: DebugResult, pod: dict[str, Any], container: str) -> None:
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


__all__ = [
    "CREATED_PODS",
    "Progress",
    "build_only",
    "run",
    "run_many",
    "run_ref",
]
