"""The container's bytes reach ``kdebug ... > file`` and ``DebugResult`` unchanged.

Before (issue 8): the CLI decoded the log as UTF-8 and wrote the text back,
so 2,000 random bytes became about 3,600 (every invalid byte a U+FFFD).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import uuid
from typing import Any

import pytest
from reliability_helpers import busybox_pod

from kdebug_nb.engine import Connection, Session

pytestmark = pytest.mark.timeout(120)


def printf_all(data: bytes) -> list[str]:
    """A command printing exactly ``data``: busybox printf with one octal escape a byte."""
    return ["printf", "".join(f"\\{b:03o}" for b in data)]


def random_bytes(n: int) -> bytes:
    rng = random.Random(8)  # the same bytes each run, so a failure can be replayed
    return bytes(rng.randrange(256) for _ in range(n))


@pytest.fixture
def target(core_v1: Any, fresh_namespace: str, running_pod: Any) -> tuple[str, str]:
    body = busybox_pod(f"bin-{uuid.uuid4().hex[:6]}", ["sleep", "3600"])
    return fresh_namespace, running_pod(fresh_namespace, body)


def test_kdebug_writes_the_containers_bytes_unchanged(sandbox: Any, target: tuple[str, str]) -> None:
    namespace, pod = target
    data = random_bytes(2000)
    assert b"\xff" in data and b"\x00" in data  # not valid UTF-8, and a NUL among them
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    done = subprocess.run(
        [sys.executable, "-m", "kdebug_nb.cli", "--kubeconfig", str(sandbox.kubeconfig),
         pod, "-n", namespace, "-q", "--image=busybox", "--", *printf_all(data)],
        capture_output=True, timeout=90, env=env, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    assert len(done.stdout) == 2000
    assert done.stdout == data


def test_debug_result_keeps_the_bytes_beside_the_text(sandbox: Any, target: tuple[str, str]) -> None:
    namespace, pod = target
    # a multi-byte character, invalid bytes, and text around them
    data = "héllo ✓\n".encode() + b"\xff\xfe\x00raw\n" + random_bytes(500)
    session = Session(Connection(str(sandbox.kubeconfig), sandbox.context))
    result = session.run(
        f"{pod} -n {namespace} -q --image=busybox -- " + " ".join(
            f"'{w}'" for w in printf_all(data)
        )
    )
    assert result.exit_code == 0
    assert result.output_bytes == data
    assert result.output == data.decode("utf-8", "replace")
    assert "output_bytes" not in result.to_dict()  # the history keeps the text
