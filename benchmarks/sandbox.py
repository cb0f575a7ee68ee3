"""How the sandbox API server holds up: big lists, many watchers, one ephemeral container.

Machines are noisy, so every figure is printed next to a baseline measured in
the same run against the same server, and as a ratio to it:

1. **List 5,000 pods.** Server time (from the sandbox's request log) and
   client time with the official client, raw JSON (``_preload_content=False``
   + ``json.loads``, what the engine does) vs deserialised ``V1Pod`` models.
   Baselines: ``GET /version`` and ``GET`` of one of those pods through the
   same client (so "list = 0.3x 5,000 single GETs" reads as per-pod cost).
2. **100 watchers.** Time from sending a write (a label PATCH) to the *last*
   of 100 concurrent watch streams receiving it, vs the same with 1 watcher.
3. **Ephemeral container.** A container running ``true`` added with the
   strategic-merge PATCH kubectl sends, timed from the PATCH to the watch
   event showing it Terminated (median over ``--runs``), vs a GET round trip:
   once fully isolated (its image root, the pod's namespaces; where this
   machine allows namespaces) and once as a plain process (the fallback,
   ``KDEBUG_SANDBOX_PIDNS=0``, in a child interpreter), with the ratio of
   the two medians (the target: isolation costs at most 3x).

How 5,000 pods exist without 5,000 processes: they are created through the
API server's own ``create_pod`` (so they are defaulted and validated like any
create, just without 5,000 HTTP round trips) and bound with ``spec.nodeName``
to ``gone-node``, a node that is not in the cluster. As on a real cluster,
nothing runs a pod bound to a node that has no kubelet: they stay Pending,
and the simulated kubelet only re-checks for the node now and then (that
background work is present for the baselines too). Their size is that of a
typical small pod (labels, an annotation, env, ports, resources, a probe).

4. **Growth** (``sandbox_growth.py``): the sandbox's RSS after 300 one-shots
   on one pod and after 5 runs printing 50 MB each, and a run's latency on a
   pod with 300 ephemeral containers against the first.

    .venv/bin/python benchmarks/sandbox.py [--pods 5000] [--watchers 100] [--runs 10]
        [--oneshots 300] [--big-runs 5] [--growth-only]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from kubernetes import client, config
from sandbox_growth import bench_growth

from kdebug_nb.sandbox.kubelet import namespaces
from kdebug_nb.sandbox.scenario import Scenario
from kdebug_nb.sandbox.server import Sandbox

NS = "bench"
#: the 5,000 pods' own namespace, so the list holds exactly them
FLEET = "fleet"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def session_for(sb: Sandbox, **kwargs: Any) -> aiohttp.ClientSession:
    """An aiohttp session that talks to ``sb`` as its kubeconfig does (its token, its CA)."""
    user = sb.kubeconfig_dict()["users"][0]["user"]
    context = ssl.create_default_context(cadata=sb.ca_pem.decode()) if sb.ca_pem else None
    headers = {"Authorization": f"Bearer {user['token']}"} if "token" in user else {}
    return aiohttp.ClientSession(
        headers=headers, connector=aiohttp.TCPConnector(limit=0, ssl=context or True), **kwargs
    )


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_pod(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"app-{i:05d}",
            "labels": {"app": "bench", "shard": str(i % 16)},
            "annotations": {"kdebug.example.com/owner": "bench"},
        },
        "spec": {
            "nodeName": "gone-node",
            "containers": [
                {
                    "name": "app",
                    "image": "registry.k8s.io/pause:3.10",
                    "env": [{"name": "SHARD", "value": str(i % 16)}],
                    "ports": [{"containerPort": 8080, "name": "http"}],
                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                    "readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 10},
                }
            ],
        },
    }


def pause_pod(name: str, node: str) -> dict[str, Any]:
    """A pod bound to ``node`` running the pause image (``gone-node``: never runs)."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "nodeName": node,
            "containers": [{"name": "pause", "image": "registry.k8s.io/pause:3.10"}],
        },
    }


def create_pods(sb: Sandbox, n: int) -> float:
    from kdebug_nb.sandbox.store.pods import create_pod

    def create_all() -> None:
        for i in range(n):
            create_pod(sb.cluster, FLEET, bench_pod(i))

    t0 = time.perf_counter()
    sb.call(create_all, timeout=600)
    return time.perf_counter() - t0


def server_median(sb: Sandbox, start: int, path: str) -> float:
    durations = [
        r.duration
        for r in sb.requests[start:]
        if r.path.rstrip("/") == path and r.method == "GET"
    ]
    return statistics.median(durations)


def bench_list(sb: Sandbox, api: client.ApiClient, n: int, runs: int) -> None:
    # Any: with _preload_content=False the client returns raw responses, not the typed models
    core: Any = client.CoreV1Api(api)
    version = client.VersionApi(api)
    took = create_pods(sb, n)
    print(f"created {n} pods in-process via create_pod: {took:.2f} s")

    def raw() -> None:
        resp = core.list_namespaced_pod(FLEET, _preload_content=False)
        items = json.loads(resp.data)["items"]
        assert len(items) == n

    def models() -> None:
        assert len(core.list_namespaced_pod(FLEET).items) == n

    def get_one() -> None:
        resp = core.read_namespaced_pod("app-00000", FLEET, _preload_content=False)
        assert json.loads(resp.data)["metadata"]["name"] == "app-00000"

    # Interleaved rounds, so a noisy neighbour slows baselines and lists alike.
    version.get_code()
    mark = len(sb.requests)
    samples: dict[str, list[float]] = {"version": [], "get": [], "raw": [], "models": []}
    for i in range(runs):
        for _ in range(5):
            samples["version"].append(timed(version.get_code))
            samples["get"].append(timed(get_one))
        samples["raw"].append(timed(raw))
        if i % 3 == 0:
            samples["models"].append(timed(models))
    base_client, get_client, raw_client, model_client = (
        statistics.median(samples[k]) for k in ("version", "get", "raw", "models")
    )
    base_server = server_median(sb, mark, "/version")
    get_server = server_median(sb, mark, f"/api/v1/namespaces/{FLEET}/pods/app-00000")
    # model runs list the same path; the server does the same work for them
    list_server = server_median(sb, mark, f"/api/v1/namespaces/{FLEET}/pods")
    size = len(core.list_namespaced_pod(FLEET, _preload_content=False).data)

    print(f"\n== list {n} pods ({size / 1e6:.1f} MB JSON), medians ==")
    print(f"GET /version       server {ms(base_server)}   client {ms(base_client)}")
    print(f"GET one pod        server {ms(get_server)}   client {ms(get_client)}")
    print(
        f"list {n} pods    server {ms(list_server)}   ({list_server / base_server:7.0f}x /version,"
        f" {list_server / (n * get_server):.2f}x {n} single GETs)"
    )
    print(
        f"  client raw JSON         {ms(raw_client)}   ({raw_client / base_client:7.0f}x /version,"
        f" {raw_client / (n * get_client):.3f}x {n} single GETs)"
    )
    print(
        f"  client V1Pod models     {ms(model_client)}   ({model_client / base_client:7.0f}x /version,"
        f" {model_client / raw_client:.1f}x raw JSON)"
    )


# -- watches -------------------------------------------------------------------------


async def fan_out(sb: Sandbox, watchers: int, writes: int) -> list[float]:
    """Seconds from each write to the last of ``watchers`` streams seeing it."""
    target = "watched"
    pods = f"{sb.url}/api/v1/namespaces/{NS}/pods"
    async with session_for(sb) as session:
        async with session.post(pods, json=pause_pod(target, "gone-node")) as resp:
            # 409: made by an earlier call
            assert resp.status in (201, 409), await resp.text()
        async with session.get(f"{pods}/{target}") as resp:
            rv = (await resp.json())["metadata"]["resourceVersion"]
        seen: list[asyncio.Queue[tuple[str, float]]] = [asyncio.Queue() for _ in range(watchers)]

        async def watch(q: asyncio.Queue[tuple[str, float]]) -> None:
            params = {
                "watch": "1",
                "resourceVersion": rv,
                "fieldSelector": f"metadata.name={target}",
            }
            async with session.get(pods, params=params, timeout=aiohttp.ClientTimeout()) as resp:
                async for line in resp.content:
                    event = json.loads(line)
                    mark = event["object"]["metadata"].get("labels", {}).get("mark", "")
                    q.put_nowait((mark, time.perf_counter()))

        tasks = [asyncio.create_task(watch(q)) for q in seen]

        async def write(mark: str) -> float:
            patch = {"metadata": {"labels": {"mark": mark}}}
            t0 = time.perf_counter()
            headers = {"Content-Type": "application/merge-patch+json"}
            async with session.patch(f"{pods}/{target}", json=patch, headers=headers) as resp:
                assert resp.status == 200, await resp.text()
            return t0

        async def last_seen(mark: str) -> float:
            latest = 0.0
            for q in seen:
                while True:
                    got, when = await asyncio.wait_for(q.get(), 30)
                    if got == mark:
                        latest = max(latest, when)
                        break
            return latest

        # A first write proves every stream is subscribed before timing starts.
        await write("warm-up")
        await last_seen("warm-up")
        out = []
        for i in range(writes):
            t0 = await write(f"m{i}")
            out.append(await last_seen(f"m{i}") - t0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return out


def bench_watch(sb: Sandbox, watchers: int, runs: int) -> None:
    one = statistics.median(asyncio.run(fan_out(sb, 1, runs)))
    many = statistics.median(asyncio.run(fan_out(sb, watchers, runs)))
    print(f"\n== watch fan-out: write -> last watcher received, medians over {runs} writes ==")
    print(f"1 watcher          {ms(one)}")
    print(f"{watchers} watchers       {ms(many)}   ({many / one:7.1f}x one watcher)")


# -- ephemeral container ---------------------------------------------------------------


async def ephemeral_runs(sb: Sandbox, runs: int) -> tuple[list[float], list[float]]:
    pod = "target"
    base = f"{sb.url}/api/v1/namespaces/{NS}/pods"
    async with session_for(sb) as session:
        async with session.post(base, json=pause_pod(pod, "node-1")) as resp:
            assert resp.status == 201, await resp.text()
        deadline = time.monotonic() + 60
        while True:
            async with session.get(f"{base}/{pod}") as resp:
                obj = await resp.json()
            if obj["status"].get("phase") == "Running":
                break
            assert time.monotonic() < deadline, "target pod never ran"
            await asyncio.sleep(0.05)

        gets, results = [], []
        for i in range(runs):
            # the baseline in the same rounds: noise hits both alike
            for _ in range(5):
                t0 = time.perf_counter()
                async with session.get(f"{base}/{pod}") as resp:
                    obj = await resp.json()
                gets.append(time.perf_counter() - t0)
            name = f"dbg-{i}"
            rv = obj["metadata"]["resourceVersion"]
            params = {"watch": "1", "resourceVersion": rv, "fieldSelector": f"metadata.name={pod}"}
            async with session.get(base, params=params, timeout=aiohttp.ClientTimeout()) as watch:
                patch = {
                    "spec": {
                        "ephemeralContainers": [
                            {
                                "name": name,
                                "image": "busybox",
                                "command": ["true"],
                                "terminationMessagePolicy": "File",
                                "imagePullPolicy": "Always",
                                "stdin": False,
                                "tty": False,
                            }
                        ]
                    }
                }
                headers = {"Content-Type": "application/strategic-merge-patch+json"}
                t0 = time.perf_counter()
                async with session.patch(
                    f"{base}/{pod}/ephemeralcontainers", json=patch, headers=headers
                ) as resp:
                    assert resp.status == 200, await resp.text()
                async for line in watch.content:
                    obj = json.loads(line)["object"]
                    statuses = obj["status"].get("ephemeralContainerStatuses", [])
                    state: dict[str, Any] = next(
                        (s["state"] for s in statuses if s["name"] == name), {}
                    )
                    if "terminated" in state:
                        assert state["terminated"]["exitCode"] == 0, state
                        results.append(time.perf_counter() - t0)
                        break
    return gets, results


def bench_ephemeral(sb: Sandbox, runs: int) -> None:
    """This interpreter's mode (isolated where namespaces work), then the
    plain-process fallback in a child interpreter (the mode is chosen once
    per interpreter), each against its own GET baseline."""
    gets, runs_s = asyncio.run(ephemeral_runs(sb, runs))
    mode = "isolated" if namespaces.pid_namespaces() else "fallback"
    print(f"\n== ephemeral container `true`: PATCH -> Terminated, median over {runs} ==")
    eph = report_ephemeral(mode, gets, runs_s)
    if mode != "isolated":
        print(f"(no isolation here: {namespaces.pid_namespace_reason()})")
        return
    child = subprocess.run(
        [sys.executable, __file__, "--ephemeral-json", "--runs", str(runs)],
        capture_output=True, text=True, env=dict(os.environ, KDEBUG_SANDBOX_PIDNS="0"), timeout=600,
    )
    if child.returncode != 0:
        print(f"fallback run failed: {child.stderr.strip()[-500:]}")
        return
    fallback = json.loads(child.stdout.strip().splitlines()[-1])
    plain = report_ephemeral("fallback", fallback["gets"], fallback["runs"])
    print(f"isolation costs {eph / plain:.2f}x the plain-process fallback (median; target <= 3x)")


def report_ephemeral(mode: str, gets: list[float], runs_s: list[float]) -> float:
    get_ms, eph = statistics.median(gets), statistics.median(runs_s)
    print(
        f"{mode:<9} ephemeral `true` {ms(eph)}   ({eph / get_ms:7.1f}x its GET of {get_ms * 1000:.2f} ms;"
        f" min {min(runs_s) * 1000:.1f} ms, max {max(runs_s) * 1000:.1f} ms)"
    )
    return eph


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--watchers", type=int, default=100)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--ephemeral-json", action="store_true", help="only the ephemeral runs, as JSON (internal)")
    parser.add_argument("--oneshots", type=int, default=300)
    parser.add_argument("--big-runs", type=int, default=5)
    parser.add_argument("--growth-only", action="store_true", help="only the memory/latency growth part")
    args = parser.parse_args()
    scenario = Scenario(
        name="bench",
        source="benchmarks/sandbox.py",
        namespaces=[{"name": NS}, {"name": FLEET}],
        nodes=[{"name": "node-1"}],
    )
    if args.ephemeral_json:  # the fallback's half of bench_ephemeral, in a child interpreter
        with Sandbox(scenario) as sb:
            gets, runs_s = asyncio.run(ephemeral_runs(sb, args.runs))
        print(json.dumps({"gets": gets, "runs": runs_s}))
        return 0
    bench_growth(args.oneshots, args.big_runs)
    if args.growth_only:
        return 0
    with Sandbox(scenario) as sb:
        api = config.new_client_from_config(config_file=str(sb.kubeconfig), context=sb.context)
        try:
            bench_ephemeral(sb, args.runs)
            bench_list(sb, api, args.pods, args.runs)
            bench_watch(sb, args.watchers, args.runs)
        finally:
            api.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
