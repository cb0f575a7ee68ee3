"""Running one debug command across many pods at once (design: "fleet runs").

The targets are listed lazily (one page at a time) and launched on a pool of
``--max-concurrency`` threads, so the waits that dominate a debug run (the
image pull, the container start, the command itself) overlap: N pods take
about N / concurrency times one run. Each pod's run is an ordinary run of
the engine: its failure is that pod's row, never the others' end.

Bounds: each pod's run keeps its own ``--timeout`` (the wait for its
container to start) and ``--run-timeout`` (how long its command may then run:
the run stops following and the row says ``RunTimeout``); output kept per pod
is capped at ``--max-output``.

An interrupt (``KeyboardInterrupt`` in the calling thread, or ``stop`` set
by a caller such as a panel's Stop button) stops launching pods at once.
With ``--on-interrupt=abandon`` (the default) every running pod's run is
stopped as an interrupted single run would be (``--rm`` copies deleted,
ephemeral containers left to finish) and their rows say ``Interrupted``; with
``wait`` they are let finish. A second interrupt abandons without waiting.
Either way the result so far is returned, marked interrupted.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace

from kdebug_nb import errors
from kdebug_nb.engine.debug_options import DEFAULT_MAX_CONCURRENCY, DebugOptions
from kdebug_nb.engine.fleet.result import FleetEntry, FleetResult, cap_output
from kdebug_nb.engine.fleet.targets import FleetTarget, copy_name
from kdebug_nb.engine.runs.result import DebugResult

#: runs one pod's debug: (that pod's options, the target, its stop event) → result
RunOne = Callable[[DebugOptions, FleetTarget, threading.Event], DebugResult]
#: how often progress is reported while nothing finishes (elapsed time moves on)
TICK = 0.25
#: how long abandoning waits for stopped runs to clean up (--rm) before leaving them
ABANDON_GRACE = 15.0

_CANNOT_START = re.compile(r"cannot start: (\w+)")


@dataclass(frozen=True)
class FleetProgress:
    """Where a fleet run stands; ``total`` is None while targets are still being listed."""

    done: int
    failed: int
    running: int
    total: int | None
    elapsed: float
    #: the target that just finished ("" on a tick)
    last: str = ""
    interrupted: bool = False

    @property
    def line(self) -> str:
        """``12/50 done · 1 failed · 10 running · 3.2s``."""
        of = f"/{self.total}" if self.total is not None else ""
        text = (f"{self.done}{of} done · {self.failed} failed · {self.running} running · "
                f"{self.elapsed:.1f}s")
        return text + (" · interrupted, finishing" if self.interrupted else "")


ProgressFn = Callable[[FleetProgress], None]
#: receives each target's row as soon as it is known
EntryFn = Callable[[FleetEntry], None]


@dataclass
class _Slot:
    index: int
    target: FleetTarget
    opts: DebugOptions
    stop: threading.Event
    started: float


#: the fleet's own options at their defaults: a pod's run (and its history line) is a plain run
_FLEET_DEFAULTS = {
    name: getattr(DebugOptions(), name)
    for name in ("selector", "field_selector", "all_namespaces", "max_concurrency", "max_output",
                 "on_interrupt", "qps", "burst")
}


def pod_options(opts: DebugOptions, target: FleetTarget) -> DebugOptions:
    """The single-run options for one target of the fleet."""
    return replace(
        opts,
        targets=(target.label,),
        namespace=target.namespace or opts.namespace,
        copy_to=copy_name(opts.copy_to, target) if opts.copy_to else "",
        **_FLEET_DEFAULTS,
    )


def run_fleet(
    opts: DebugOptions,
    run_one: RunOne,
    targets: Iterator[FleetTarget],
    *,
    on_progress: ProgressFn | None = None,
    on_entry: EntryFn | None = None,
    stop: threading.Event | None = None,
    total: int | None = None,
) -> FleetResult:
    """Run ``run_one`` for every target, ``--max-concurrency`` at a time."""
    concurrency = opts.max_concurrency or DEFAULT_MAX_CONCURRENCY
    t0 = time.monotonic()
    entries: dict[int, FleetEntry] = {}
    pending: dict[Future[DebugResult], _Slot] = {}
    counts = {"done": 0, "failed": 0}
    listed: list[int] = [0]
    exhausted = False
    interrupted = False
    list_error: errors.KDebugError | None = None

    def report(last: str = "") -> None:
        if on_progress is not None:
            on_progress(FleetProgress(
                counts["done"], counts["failed"], len(pending),
                total if total is not None else (listed[0] if exhausted else None),
                time.monotonic() - t0, last, interrupted,
            ))

    def collect(future: Future[DebugResult]) -> None:
        slot = pending.pop(future)
        entry = _entry(slot, future, opts.max_output, time.monotonic())
        entries[slot.index] = entry
        if on_entry is not None:
            on_entry(entry)
        counts["done"] += 1
        if entry.status != "ok":
            counts["failed"] += 1
        report(slot.target.label)

    def abandon(slot: _Slot) -> None:
        namespace = slot.target.namespace if slot.target.kind == "Pod" else ""
        failed = _failed(slot, "Abandoned", time.monotonic())
        failed.still_running = True
        entries[slot.index] = FleetEntry(
            slot.target.label, namespace, failed,
            "abandoned after the interrupt; it may still be running",
        )
        if on_entry is not None:
            on_entry(entries[slot.index])

    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="kdebug-fleet")
    try:
        try:
            while True:
                while not exhausted and len(pending) < concurrency:
                    if stop is not None and stop.is_set():
                        raise KeyboardInterrupt
                    try:
                        target = next(targets)
                    except StopIteration:
                        exhausted = True
                        break
                    except errors.KDebugError as exc:
                        if not listed[0]:
                            raise  # nothing started: the listing's error is the run's
                        list_error, exhausted = exc, True
                        break
                    _launch(pool, pending, listed[0], target, opts, run_one)
                    listed[0] += 1
                if not pending:
                    break
                done, _ = wait(list(pending), timeout=TICK, return_when=FIRST_COMPLETED)
                for future in done:
                    collect(future)
                if not done:
                    report()
                if stop is not None and stop.is_set():
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            interrupted = True
            report()
            _wind_down(pending, opts.on_interrupt, collect, report, abandon)
    finally:
        # never block here: an abandoned run that ignores its stop must not hold the caller
        pool.shutdown(wait=False, cancel_futures=True)
    return FleetResult(
        entries=[entries[i] for i in sorted(entries)],
        elapsed=time.monotonic() - t0,
        concurrency=concurrency,
        interrupted=interrupted or list_error is not None,
        list_error=list_error.one_line() if list_error is not None else "",
    )


def _launch(
    pool: ThreadPoolExecutor,
    pending: dict[Future[DebugResult], _Slot],
    index: int,
    target: FleetTarget,
    opts: DebugOptions,
    run_one: RunOne,
) -> None:
    slot = _Slot(index, target, pod_options(opts, target), threading.Event(), time.monotonic())
    future = pool.submit(run_one, slot.opts, slot.target, slot.stop)
    pending[future] = slot


def _wind_down(
    pending: dict[Future[DebugResult], _Slot],
    on_interrupt: str,
    collect: Callable[[Future[DebugResult]], None],
    report: Callable[[], None],
    abandon: Callable[[_Slot], None],
) -> None:
    """After an interrupt: stop (abandon) or let finish (wait) what is running."""
    if on_interrupt == "abandon":
        for slot in pending.values():
            slot.stop.set()
    deadline = time.monotonic() + ABANDON_GRACE if on_interrupt == "abandon" else None
    try:
        while pending:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            done, _ = wait(list(pending), timeout=min(TICK, left) if left else TICK,
                           return_when=FIRST_COMPLETED)
            for future in done:
                collect(future)
            if not done:
                report()
    except KeyboardInterrupt:
        for slot in pending.values():
            slot.stop.set()  # a second interrupt: stop everything, wait no more
    for future in list(pending):
        slot = pending[future]
        if future.done():
            collect(future)
            continue
        slot.stop.set()
        future.cancel()
        pending.pop(future)
        abandon(slot)  # its thread winds down on its own; the row says so


def _entry(slot: _Slot, future: Future[DebugResult], max_output: int, now: float) -> FleetEntry:
    target = slot.target
    namespace = target.namespace if target.kind == "Pod" else ""
    try:
        result = future.result()
    except errors.KDebugError as exc:
        return FleetEntry(target.label, namespace, _failed(slot, _reason(exc), now),
                          exc.one_line())
    except Exception as exc:  # noqa: BLE001 - one pod's bug must not end the others
        return FleetEntry(target.label, namespace, _failed(slot, type(exc).__name__, now),
                          f"{type(exc).__name__}: {exc}")
    result.output = cap_output(result.output, max_output)
    if result.duration is None:
        result.duration = now - slot.started
    return FleetEntry(target.label, namespace, result, "")


def _failed(slot: _Slot, reason: str, now: float) -> DebugResult:
    target, opts = slot.target, slot.opts
    mode = "node" if target.kind == "Node" else "copy" if opts.copy_to else "ephemeral"
    pod = (opts.copy_to or target.name) if target.kind == "Pod" else ""
    node = target.name if target.kind == "Node" else ""
    if target.obj is not None and target.kind == "Pod":
        node = str((target.obj.get("spec") or {}).get("nodeName") or "")
    return DebugResult(
        pod=pod, namespace=opts.namespace, container=opts.container or None, mode=mode,
        image=opts.image, node=node, command=tuple(opts.command), reason=reason,
        duration=now - slot.started,
    )


def _reason(exc: errors.KDebugError) -> str:
    """A short reason for the row: the waiting reason for start failures, else the error's kind."""
    if isinstance(exc, (errors.ImageError, errors.StartFailed)):
        match = _CANNOT_START.search(exc.message)
        if match:
            return match.group(1)
    if isinstance(exc, errors.ApiError) and exc.reason:
        return exc.reason
    return type(exc).__name__


__all__ = ["EntryFn", "FleetProgress", "ProgressFn", "RunOne", "pod_options", "run_fleet"]
