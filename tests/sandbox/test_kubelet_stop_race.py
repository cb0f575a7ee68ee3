"""A TERM at any moment after a container is reported Running reaches its command.

With PID namespaces the command runs under an init (PID 1 of the new
namespace); until that init has its signal handlers, the kernel drops a
TERM sent to it. The runtime therefore reports a container started only once
the init is ready (``ctrinit.py`` reports the command exec'd only after its
init blocked the signals it handles). These tests stop containers the
instant they are started, many times over, and want the command's own 143
and a stop in well under the grace period every time (a dropped TERM shows
as 137 after the grace period). Each runs in a child interpreter.
"""

from __future__ import annotations

import pytest
from kubelet_child import run_child

from kdebug_nb.sandbox.kubelet.namespaces import pid_namespace_reason, pid_namespaces

pytestmark = pytest.mark.skipif(not pid_namespaces(), reason=pid_namespace_reason())

RUNTIME = """
import signal
from kdebug_nb.sandbox.kubelet.images import ImageCatalogue
from kdebug_nb.sandbox.kubelet.launch import Isolation
from kdebug_nb.sandbox.kubelet.runtime import Runtime

async def main():
    loop = asyncio.get_running_loop()
    runtime = Runtime()
    image = ImageCatalogue.default().resolve("busybox")
    env = {"PATH": "/bin"}
    # a container of its own: its image root, a PID namespace with an init
    isolation = Isolation(pod_pid=None, identity={"uid": 0, "gid": 0, "caps": None})
    results = []
    for _ in range(ROUNDS):
        proc = await runtime.spawn(
            image, ["sleep", "30"], env=env, cwd=runtime.pod_dir("race"), stdin=False, tty=False,
            on_output=lambda stream, data: None, isolation=isolation,
        )
        t0 = loop.time()
        proc.signal(signal.SIGTERM)  # what a delete does the moment it is Running
        try:
            code = await asyncio.wait_for(asyncio.shield(proc.wait()), 2)
        except TimeoutError:
            proc.signal(signal.SIGKILL)  # the grace period's end
            code = await proc.wait()
        results.append([code, loop.time() - t0])
        runtime.forget(proc)
    await runtime.close()
    print(json.dumps({"results": results}))
"""

REPLACE = """
import copy

async def main():
    loop = asyncio.get_running_loop()
    cluster, kubelet = start_pod(["sleep", "30"])
    images = ["busybox:1.36", "busybox"]
    replaced = {}  # restartCount -> when its instance was replaced
    ended = {}  # restartCount -> [exit code of the instance before, seconds to restart]

    def on_event(event):
        if event.obj.get("kind") != "Pod":
            return
        st = ((event.obj.get("status") or {}).get("containerStatuses") or [{}])[0]
        count = st.get("restartCount", 0)
        if "running" not in st.get("state", {}) or count in replaced:
            return
        if count:
            code = st["lastState"]["terminated"]["exitCode"]
            ended[count] = [code, loop.time() - replaced[count - 1]]
        if count < ROUNDS:
            # the moment the kubelet publishes Running, change the image
            replaced[count] = loop.time()
            loop.call_soon(replace, count)

    def replace(count):
        pod = copy.deepcopy(cluster.get("Pod", "default", "p"))  # the kubelet holds the old spec
        pod["spec"]["containers"][0]["image"] = images[count % 2]
        cluster.put(pod)

    cluster.listeners.append(on_event)
    for _ in range(1000):
        if len(ended) >= ROUNDS:
            break
        await asyncio.sleep(0.01)
    await kubelet.shutdown()
    print(json.dumps({"results": [ended[n] for n in sorted(ended)]}))
"""


def _check(script: str, rounds: int) -> None:
    out = run_child(script.replace("ROUNDS", str(rounds)))
    results = out["results"]
    assert isinstance(results, list) and len(results) == rounds, results
    assert [code for code, _ in results] == [143] * rounds, results
    assert max(took for _, took in results) < 1.0, results  # the grace period is 30 s


def test_term_right_after_start_reaches_the_command() -> None:
    _check(RUNTIME, 40)


def test_replacing_a_container_right_after_it_runs() -> None:
    """A changed image replaces the running instance: TERM, 143, restart at once."""
    _check(REPLACE, 15)
