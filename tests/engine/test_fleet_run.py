"""Fleet runs on the sandbox: a selector over 50 pods, per-pod failures as rows, every mode."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from fleet_support import add_user, make_pods, user_connection
from runtime_support import pod_names

from kdebug_nb.engine import Session
from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection
from kdebug_nb.engine.fleet import FRAME_COLUMNS, FleetResult
from kdebug_nb.engine.grammar import parse_args

if TYPE_CHECKING:
    from kdebug_nb.sandbox.server import Sandbox

#: the exit code each pod's command returns: from the digits of its name
EXIT_BY_NAME = "sh -c 'n=${HOSTNAME##*-}; echo \"pod $HOSTNAME\"; exit $(( 1$n % 3 ))'"


def expected_exit(name: str) -> int:
    return int("1" + name.rsplit("-", 1)[1]) % 3


def test_selector_over_50_pods_with_mixed_exits_and_a_forbidden_namespace(
    sandbox: Sandbox, cc: ClusterClient, core_v1: object, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    allowed, forbidden = f"fleet-ok-{tag}", f"fleet-no-{tag}"
    for ns in (allowed, forbidden):
        core_v1.create_namespace({"metadata": {"name": ns}})  # type: ignore[attr-defined]
    try:
        names = make_pods(cc, allowed, [f"f-{i:02d}" for i in range(50)], {"audit": tag})
        make_pods(cc, forbidden, [f"g-{i:02d}" for i in range(5)], {"audit": tag})
        # an auditor who may read pods everywhere but add debug containers in one namespace only
        token = f"auditor-{tag}"
        add_user(sandbox, "auditor", token,
                 {"pods": {"get", "list", "watch"}, "events": {"list"}},
                 {allowed: {"pods/ephemeralcontainers": {"patch"}, "pods/log": {"get"}}})
        conn = user_connection(sandbox, tmp_path, token)

        fr = Session(record=False).debug(selector=f"audit={tag}", all_namespaces=True, image="busybox",
                       command=EXIT_BY_NAME, max_concurrency=10, quiet=True, connection=conn)

        assert isinstance(fr, FleetResult) and len(fr) == 55
        frame = fr.frame
        assert list(frame.columns) == list(FRAME_COLUMNS)
        mine = frame[frame.namespace == allowed].set_index("pod")
        assert sorted(mine.index) == names
        for name in names:
            row = mine.loc[name]
            assert row.exit_code == expected_exit(name), (name, row.to_dict())
            assert row.output == f"pod {name}\n" and row.error == ""
            assert row.node and row.container.startswith("debugger-") and row.image == "busybox"
        denied = frame[frame.namespace == forbidden]
        assert len(denied) == 5 and set(denied.reason) == {"Forbidden"}
        assert denied.exit_code.isna().all()
        assert all("auditor" in e and "forbidden" in e for e in denied.error)
        counts = fr.counts()
        zeros = sum(expected_exit(n) == 0 for n in names)
        assert counts["ok"] == zeros and counts["failed"] == 55 - zeros and not fr.ok
        assert fr.summary().startswith(f"55 pods: {zeros} ok, {55 - zeros} failed, 0 timed out")
        # each pod's result is a DebugResult of its own
        assert fr["f-07"].exit_code == expected_exit("f-07") and fr["f-07"].pod == "f-07"
    finally:
        for ns in (allowed, forbidden):
            core_v1.delete_namespace(ns)  # type: ignore[attr-defined]


def test_copy_mode_with_rm_leaves_no_pods_and_unknown_images_fail_their_rows(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    good = make_pods(cc, fresh_namespace, ["c-1", "c-2", "c-3"], {"tier": "copy"})
    bad = make_pods(cc, fresh_namespace, ["c-4", "c-5"], {"tier": "copy"},
                    image="registry.example.com/nothing-here:9.9", wait=False)
    before = pod_names(cc, fresh_namespace)
    # the copy changes each pod's own container's command and keeps its image
    fr = Session(record=False).fleet(parse_args(["-l", "tier=copy", "-n", fresh_namespace, "--copy-to={pod}-dbg",
                               "-c", "app", "--rm", "-q", "--timeout=20", "--",
                               "sh", "-c", "echo copied $HOSTNAME"]), connection=conn)
    rows = fr.frame.set_index("pod")
    for name in good:
        assert rows.loc[name, "exit_code"] == 0 and rows.loc[name, "output"] == f"copied {name}-dbg\n"
        assert fr[name].deleted == (f"pod/{name}-dbg",)
    for name in bad:
        assert rows.loc[name, "reason"] in ("ErrImagePull", "ImagePullBackOff"), rows.loc[name].to_dict()
        assert "nothing-here" in rows.loc[name, "error"]
    assert pod_names(cc, fresh_namespace) == before  # every copy deleted, pass or fail


def test_node_mode_over_named_nodes_with_rm(conn: Connection, cc: ClusterClient,
                                            fresh_namespace: str) -> None:
    fr = Session(record=False).debug(["node/node-1", "node/node-2"], image="busybox", command="cat /etc/hostname",
                   namespace=fresh_namespace, rm=True, quiet=True, connection=conn)
    assert fr.ok, fr
    frame = fr.frame
    assert sorted(frame.node) == ["node-1", "node-2"] and set(frame.namespace) == {""}
    assert all(p.startswith("node-debugger-") for p in frame.pod)
    assert fr.summary().startswith("2 nodes: 2 ok")
    assert pod_names(cc, fresh_namespace) == set()


def test_nodes_by_label(conn: Connection, fresh_namespace: str) -> None:
    opts = parse_args(["nodes", "-l", "workload=batch", "-n", fresh_namespace, "--image=busybox",
                       "--rm", "-q", "--", "true"])
    fr = Session(record=False).fleet(opts, connection=conn)
    assert list(fr.frame.node) == ["node-2"] and fr.ok


def test_output_is_capped_per_pod_and_escaped_in_html(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    make_pods(cc, fresh_namespace, ["big", "html"], {"out": "x"})
    script = ("if [ $HOSTNAME = big ]; then yes 0123456789 | head -c 100000; "
              "else echo '<script>alert(1)</script>'; fi")
    fr = Session(record=False).fleet(parse_args(["-l", "out=x", "-n", fresh_namespace, "--max-output=1Ki",
                               "--image=busybox", "-q", "--", "sh", "-c", script]), connection=conn)
    big = fr["big"].output
    assert big.startswith("0123456789\n") and len(big.encode()) < 1200
    assert big.endswith("[kdebug: output cut at 1024 bytes; 98976 more bytes not kept]\n")
    page = fr._repr_html_()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_kdebug_command_prefixes_each_pods_lines_and_fails_when_one_fails(
    sandbox: Sandbox, cc: ClusterClient, fresh_namespace: str
) -> None:
    make_pods(cc, fresh_namespace, ["p-10", "p-11"], {"cli": "x"})
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    done = subprocess.run(
        [sys.executable, "-m", "kdebug_nb.cli", "--kubeconfig", str(sandbox.kubeconfig),
         "-l", "cli=x", "-n", fresh_namespace, "--image=busybox", "-c", "dbg", "-q", "--",
         "sh", "-c", EXIT_BY_NAME.split(" ", 2)[2].strip("'")],
        capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL,
    )
    lines = sorted(done.stdout.splitlines())
    assert lines == ["[pod/p-10/dbg] pod p-10", "[pod/p-11/dbg] pod p-11"], done.stderr
    # p-10 exits 110 % 3 = 2, p-11 exits 0
    assert done.returncode == 1
    assert "[pod/p-10/dbg] exit 2 (Error)" in done.stderr
    assert "2 pods: 1 ok, 1 failed, 0 timed out" in done.stderr


def test_several_names_are_a_fleet_and_every_pods_run_is_in_the_history(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    make_pods(cc, fresh_namespace, ["n-1"], {"x": "y"})
    session = Session(conn)
    fr = session.debug(["n-1", "n-missing"], image="busybox", command="true", quiet=True,
                       namespace=fresh_namespace)
    rows = fr.frame.set_index("pod")
    assert rows.loc["n-1", "exit_code"] == 0
    assert rows.loc["n-missing", "reason"] == "NotFound"
    assert 'pods "n-missing" not found' in rows.loc["n-missing", "error"]
    history = session.history.to_frame().set_index("target")
    assert sorted(history.index) == ["pod/n-1", "pod/n-missing"]
    assert history.loc["pod/n-1", "status"] == "ok" and history.loc["pod/n-1", "exit_code"] == 0
    assert history.loc["pod/n-missing", "status"] == "error"
    assert all(r.line.startswith("pod/n-") for r in session.history.records)
