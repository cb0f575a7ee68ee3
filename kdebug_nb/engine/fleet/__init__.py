"""Fleet runs: one debug command across every pod a selector matches, as a DataFrame.

>>> import kdebug_nb as kd
>>> fr = kd.debug(selector="app=web", all_namespaces=True, image="busybox",
...               command="id", max_concurrency=20)          # doctest: +SKIP
>>> fr.frame[["namespace", "pod", "exit_code", "output"]]     # doctest: +SKIP

``targets`` says what is selected, ``scheduler`` how it runs, ``result``
what comes back.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING

from kdebug_nb.engine.debug_options import DebugOptions
from kdebug_nb.engine.fleet.result import FRAME_COLUMNS, FleetEntry, FleetResult, cap_output
from kdebug_nb.engine.fleet.scheduler import (
    EntryFn,
    FleetProgress,
    ProgressFn,
    RunOne,
    run_fleet,
)
from kdebug_nb.engine.fleet.targets import FleetTarget, by_selector, is_fleet, iter_targets

if TYPE_CHECKING:
    from kdebug_nb.engine.client import ClusterClient


def run(
    opts: DebugOptions,
    run_one: RunOne,
    *,
    client: ClusterClient,
    on_progress: ProgressFn | None = None,
    on_entry: EntryFn | None = None,
    stop: threading.Event | None = None,
) -> FleetResult:
    """Validate ``opts``, list its targets with ``client`` and run ``run_one`` on each.

    ``client`` is the ``ClusterClient`` of the run's connection: it lists the
    targets, and its rate limit is set to ``--qps``/``--burst`` for the run
    (every client of the connection shares it) and restored after.
    """
    from kdebug_nb.engine.grammar import validate
    from kdebug_nb.engine.grammar.fleet import validate_fleet

    validate_fleet(opts)  # for several names too, which kubectl's checks alone accept
    # the --custom file is read once here, not once per pod
    opts = validate(opts).options
    if not opts.namespace:
        opts = replace(opts, namespace=client.namespace)
    gate = client.gate
    saved = (gate.bucket.qps, gate.bucket.burst)
    gate.configure(opts.qps, opts.burst)
    requests, throttled = gate.stats.requests, gate.stats.throttled
    total = None if by_selector(opts) else len(opts.targets)
    targets = iter_targets(opts, client, opts.namespace)
    try:
        result = run_fleet(
            opts, run_one, targets, on_progress=on_progress, on_entry=on_entry, stop=stop,
            total=total,
        )
    finally:
        gate.configure(*saved)  # the run's --qps/--burst were the run's, not the connection's
    result.requests = gate.stats.requests - requests
    result.throttled = gate.stats.throttled - throttled
    return result


__all__ = [
    "FRAME_COLUMNS",
    "EntryFn",
    "FleetEntry",
    "FleetProgress",
    "FleetResult",
    "FleetTarget",
    "ProgressFn",
    "RunOne",
    "cap_output",
    "is_fleet",
    "run",
]
