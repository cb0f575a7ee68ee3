"""An interrupt stops launching, abandons or waits for what runs, and returns what there is."""

from __future__ import annotations

import os
import signal
import threading
import time

from fleet_support import make_pods
from runtime_support import ephemeral_names

from kdebug_nb.engine import Session
from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection
from kdebug_nb.engine.fleet import FleetProgress
from kdebug_nb.engine.grammar import parse_args


def test_stop_with_wait_lets_running_pods_finish_and_starts_no_more(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    names = make_pods(cc, fresh_namespace, [f"w-{i}" for i in range(6)], {"int": "wait"})
    stop = threading.Event()

    def stop_once_two_run(p: FleetProgress) -> None:
        if p.running >= 2:
            stop.set()

    fr = Session(record=False).fleet(parse_args(["-l", "int=wait", "-n", fresh_namespace, "--image=busybox",
                               "--max-concurrency=2", "--on-interrupt=wait", "-q", "--",
                               "sh", "-c", "sleep 1; echo finished"]),
                   connection=conn, on_progress=stop_once_two_run, stop=stop)
    assert fr.interrupted and len(fr) == 2
    assert list(fr.frame.output) == ["finished\n", "finished\n"]
    assert fr.counts()["ok"] == 2 and "interrupted" in fr.summary()
    started = {n for n in names if ephemeral_names(cc, fresh_namespace, n)}
    assert started == set(fr.frame.pod)  # nothing was launched after the stop


def test_ctrl_c_abandons_running_pods_and_returns_the_partial_result(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    make_pods(cc, fresh_namespace, [f"a-{i}" for i in range(5)], {"int": "abandon"})
    sent = threading.Event()

    def interrupt_when_three_run(p: FleetProgress) -> None:
        if p.running >= 3 and not sent.is_set():
            sent.set()
            # what Ctrl-C in a terminal or a kernel interrupt does to the calling thread
            threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()

    t0 = time.monotonic()
    fr = Session(record=False).fleet(parse_args(["-l", "int=abandon", "-n", fresh_namespace, "--image=busybox",
                               "--max-concurrency=3", "-q", "--", "sh", "-c",
                               "echo started; sleep 60"]),
                   connection=conn, on_progress=interrupt_when_three_run)
    assert time.monotonic() - t0 < 20
    assert fr.interrupted and len(fr) == 3
    assert set(fr.frame.reason) == {"Interrupted"}, fr.frame[["pod", "reason", "error"]]
    assert fr.counts()["interrupted"] == 3
    assert all(r.still_running for r in fr)  # an ephemeral container cannot be removed
