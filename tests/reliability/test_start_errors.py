"""A debug container that cannot start says why: the runtime's reason and message.

Before (issue 8): a command missing from the image ended ``kdebug`` with exit
128 and nothing on stderr, though the pod's status held the StartError. The
exit code stays the runtime's (128, as the container's status says); a
warning line now carries the reason, the message and what to do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from typing import Any

import pytest
from reliability_helpers import busybox_pod

from kdebug_nb.engine import Connection, Session

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def target(core_v1: Any, fresh_namespace: str, running_pod: Any) -> tuple[str, str]:
    body = busybox_pod(f"se-{uuid.uuid4().hex[:6]}", ["sleep", "3600"])
    return fresh_namespace, running_pod(fresh_namespace, body)


def test_missing_command_prints_the_start_error(sandbox: Any, target: tuple[str, str]) -> None:
    namespace, pod = target
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    done = subprocess.run(
        [sys.executable, "-m", "kdebug_nb.cli", "--kubeconfig", str(sandbox.kubeconfig),
         pod, "-n", namespace, "-c", "dbg", "--image=busybox", "--", "no-such-command"],
        capture_output=True, text=True, timeout=90, env=env, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 128, (done.stdout, done.stderr)
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(
        f'Warning: debug container "dbg" in pod "{pod}" cannot start: StartError: '
    ), done.stderr
    assert 'exec: "no-such-command": executable file not found in $PATH' in done.stderr
    assert done.stderr.rstrip().endswith(
        "— check that the image has the command you gave (after --)"
    ), done.stderr


def test_copy_with_missing_command_is_removed_with_rm(
    sandbox: Any, core_v1: Any, target: tuple[str, str]
) -> None:
    namespace, pod = target
    session = Session(Connection(str(sandbox.kubeconfig), sandbox.context))
    result = session.run(f"{pod} -n {namespace} --copy-to={pod}-copy -c dbg --rm --image=busybox "
                         "-- no-such-command")
    assert (result.exit_code, result.reason) == (128, "StartError")
    assert any("StartError" in w and "executable file not found" in w for w in result.warnings)
    assert result.deleted == (f"pod/{pod}-copy",)
    names = [p.metadata.name for p in core_v1.list_namespaced_pod(namespace).items]
    assert f"{pod}-copy" not in names or core_v1.read_namespaced_pod(
        f"{pod}-copy", namespace
    ).metadata.deletion_timestamp
