"""Shared fixtures: one sandbox cluster per test session, clients pointed at it.

Most tests share the session's ``sandbox`` (default scenario) and isolate
themselves with ``fresh_namespace`` or unique pod names instead of starting
servers of their own. Every sandbox here is the secure default: https with a
throwaway certificate and a token only its kubeconfig holds, so clients reach
it through that kubeconfig (or ``kubectl_bin.sandbox_json`` and friends).
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from kubectl_bin import KUBECTL_VERSIONS, kubectl135_path, kubectl_path, run_kubectl, wait_until

if TYPE_CHECKING:
    from kdebug_nb.sandbox.server import Sandbox

Kubectl = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """The session's sandbox on the default scenario (stopped, processes and all, at the end)."""
    from kdebug_nb.sandbox.server import Sandbox

    sb = Sandbox().start()
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture(scope="session")
def api_client(sandbox: Sandbox) -> Iterator[Any]:
    """An official ``kubernetes.client.ApiClient`` configured from the sandbox kubeconfig."""
    from kubernetes import config

    client = config.new_client_from_config(
        config_file=str(sandbox.kubeconfig), context=sandbox.context
    )
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="session")
def core_v1(api_client: Any) -> Any:
    """``kubernetes.client.CoreV1Api`` talking to the session sandbox."""
    from kubernetes import client

    return client.CoreV1Api(api_client)


@pytest.fixture(scope="session")
def kubectl_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private discovery cache so kubectl never writes to ~/.kube."""
    return tmp_path_factory.mktemp("kubectl-cache")


def _runner(binary: str | None, name: str, kubeconfig: Path | None, cache: Path) -> Kubectl:
    if binary is None:
        pytest.skip(f"{name} not found on PATH")
    assert kubeconfig is not None

    def kubectl(
        *args: str, timeout: float = 60.0, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return run_kubectl(
            binary,
            kubeconfig,
            args,
            timeout=timeout,
            input=input,
            env={"KUBECACHEDIR": str(cache)},
        )

    kubectl.binary = binary  # type: ignore[attr-defined]
    return kubectl


@pytest.fixture(scope="session")
def kubectl(sandbox: Sandbox, kubectl_cache: Path) -> Kubectl:
    """Run the real kubectl (1.32) against the session sandbox: ``kubectl("get", "pods")``.

    Returns the CompletedProcess (text; never raises on a non-zero exit).
    Skips the test when kubectl is not installed.
    """
    return _runner(kubectl_path(), "kubectl", sandbox.kubeconfig, kubectl_cache)


@pytest.fixture(scope="session")
def kubectl135(sandbox: Sandbox, kubectl_cache: Path) -> Kubectl:
    """Like ``kubectl`` but kubectl 1.35 (skips when that binary is absent)."""
    return _runner(kubectl135_path(), "kubectl 1.35", sandbox.kubeconfig, kubectl_cache)


@pytest.fixture(params=KUBECTL_VERSIONS)
def any_kubectl(request: pytest.FixtureRequest) -> Kubectl:
    """``kubectl`` and then ``kubectl135``: a test using this runs once with each binary."""
    return request.getfixturevalue("kubectl" if request.param == "1.32" else "kubectl135")  # type: ignore[no-any-return]


@pytest.fixture
def fresh_namespace(core_v1: Any, request: pytest.FixtureRequest) -> Iterator[str]:
    """A namespace created through the API for this test only; deleted (pods and all) after."""
    from kubernetes.client.exceptions import ApiException

    slug = "".join(c if c.isalnum() else "-" for c in request.node.name.lower())
    slug = "-".join(filter(None, slug.split("-")))[:40].strip("-")
    name = f"t-{slug}-{uuid.uuid4().hex[:6]}"
    core_v1.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    try:
        yield name
    finally:
        # The namespace takes its pods (and their processes) with it, as on a real cluster.
        try:
            core_v1.delete_namespace(name)
        except ApiException:
            pass


@pytest.fixture
def running_pod(core_v1: Any) -> Callable[..., str]:
    """``running_pod(namespace, manifest)``: create the pod through the API, wait until it runs.

    Returns the pod's name; fails the test if it is not Running within ``timeout`` seconds.
    """

    def make(namespace: str, body: dict[str, Any], *, timeout: float = 30.0) -> str:
        core_v1.create_namespaced_pod(namespace, body)
        name = str(body["metadata"]["name"])
        wait_until(
            lambda: core_v1.read_namespaced_pod(name, namespace).status.phase == "Running",
            timeout=timeout,
            what=f"{namespace}/{name} Running",
        )
        return name

    return make


def still_alive(pids: list[int], timeout: float = 10.0) -> list[int]:
    """Which of ``pids`` are still running after waiting up to ``timeout`` (zombies are gone)."""
    import psutil

    deadline = time.monotonic() + timeout
    while True:
        alive = []
        for pid in pids:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    alive.append(pid)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


@pytest.fixture
def wait_gone() -> Callable[..., list[int]]:
    """``wait_gone(pids)`` -> the PIDs still alive after a short grace period (want [])."""
    return still_alive


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any test left a process behind (and stop it, so CI does not hang)."""
    import psutil

    try:
        children = psutil.Process().children(recursive=True)
    except psutil.Error:
        return
    leaked = still_alive([p.pid for p in children], timeout=5.0)
    if not leaked:
        return
    lines = []
    for pid in leaked:
        try:
            proc = psutil.Process(pid)
            lines.append(f"  pid {pid}: {' '.join(proc.cmdline())[:200]}")
            proc.kill()
        except psutil.Error:
            pass
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = "tests left processes running (now killed):\n" + "\n".join(lines)
    if reporter is not None:
        reporter.write_line("\n" + message, red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow", action="store_true", help="run tests marked slow (always run under CI=true)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests (a fresh environment built from scratch) run in CI and on request only."""
    import os

    if config.getoption("--run-slow") or os.environ.get("CI", "").lower() == "true":
        return
    skip = pytest.mark.skip(reason="slow (builds an environment from scratch): use --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
