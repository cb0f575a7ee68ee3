"""``Sandbox``: a local Kubernetes-API-compatible server on its own thread.

The aiohttp application runs on a private event loop in a daemon thread, so
it works the same from a script, a test session or a Jupyter kernel (whose
own loop is never touched, and ``run_app`` is never used). It listens on
127.0.0.1 only and writes a kubeconfig for clients::

    with Sandbox() as sb:
        subprocess.run(["kubectl", "--kubeconfig", str(sb.kubeconfig), "get", "pods"])

Its containers are processes of whoever started it, so by default only the
holder of that kubeconfig can drive it: the server speaks https with a
throwaway certificate (``tls.py``; the kubeconfig trusts it) and requires a
random bearer token that only the kubeconfig holds (kubectl, client-go, sends
tokens only over TLS); anonymous requests get 401. A scenario's users
(``kubectl --token viewer-token``) authenticate beside it. ``insecure_http=True``
serves plain http to anonymous callers as the admin, with a warning.
Either way ``apiserver/request_guard.py`` refuses what a web page could send.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import inspect
import ssl
import threading
import time
import warnings
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

from kdebug_nb.sandbox.apiserver.throttle import Throttle, apply_throttle, throttle_of
from kdebug_nb.sandbox.kubeconfig import (
    CONTEXT,
    KubeconfigRefused,
    check_kubeconfig_path,
    kubeconfig_dict,
    remove_kubeconfig,
    write_kubeconfig,
)
from kdebug_nb.sandbox.scenario import Scenario, apply_scenario, load_scenario
from kdebug_nb.sandbox.store.cluster import Cluster, User
from kdebug_nb.sandbox.store.timing import Timing, timing_of
from kdebug_nb.sandbox.tls import new_token, server_context, throwaway_identity

if TYPE_CHECKING:
    from aiohttp import web

    from kdebug_nb.sandbox.apiserver.middleware import RequestRecord

T = TypeVar("T")

#: how long start() waits for the server to listen, and stop() for it to wind down
START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0


class SandboxError(RuntimeError):
    """The sandbox could not start (bad scenario, port in use, ...); one-line message."""


class InsecureSandboxWarning(UserWarning):
    """A sandbox serves plain http to anonymous callers: anyone reaching its port is its admin."""


class Sandbox:
    """A sandbox cluster: API server + simulated kubelet, started and stopped explicitly.

    ``scenario`` is a built-in name (``"default"``, ``"locked-down"``), a path
    to a scenario YAML file, an already loaded ``Scenario``, or None for the
    default. The server speaks https and requires a bearer token, which the
    kubeconfig it writes holds: ``token`` chooses it (otherwise it is random).
    ``kubeconfig_path`` says where to write the kubeconfig (never over a file a
    sandbox did not write); otherwise a private temp file is used and removed
    on ``stop()``. ``insecure_http`` serves plain http with anonymous callers
    as the admin (the scenario's ``requireAuth`` aside), and warns. ``tls``
    is for older callers: https is the default, so True changes nothing and
    False is refused (plain http is ``insecure_http``).
    ``timing`` (``{"imagePull": 0.3}``, seconds) and ``throttle``
    (``{"maxInFlight": 4, "retryAfter": 1}``) override the scenario's.
    """

    context = CONTEXT
    host = "127.0.0.1"

    def __init__(
        self,
        scenario: str | Path | Scenario | None = None,
        *,
        port: int = 0,
        token: str | None = None,
        kubeconfig_path: str | Path | None = None,
        insecure_http: bool = False,
        tls: bool | None = None,
        timing: Mapping[str, float] | None = None,
        throttle: Mapping[str, int] | None = None,
    ) -> None:
        if tls is False:
            raise SandboxError("tls=False: plain http is insecure_http=True, which warns")
        if insecure_http and tls:
            raise SandboxError("tls=True and insecure_http=True contradict each other")
        if insecure_http and token is not None:
            raise SandboxError(
                "a token needs TLS (kubectl sends tokens only over https); drop insecure_http"
            )
        self.scenario: Scenario = (
            scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        )
        #: knob → seconds and throttle settings applied over the scenario's
        #: (``kdebug_nb.sandbox.store.timing``, ``kdebug_nb.sandbox.apiserver.throttle``)
        self._timing = dict(timing or {})
        self._throttle = dict(throttle or {})
        self.requested_port = port
        self.requested_kubeconfig = Path(kubeconfig_path) if kubeconfig_path else None
        self.tls = not insecure_http
        #: the certificate served over TLS (PEM), also in the kubeconfig as its CA
        self.ca_pem: bytes | None = None
        self._ssl: ssl.SSLContext | None = None
        # The kubeconfig's credential, the admin's. Plain http carries none, unless the
        # scenario requires one; then its first all-powerful user's (kubectl will not send it).
        self._kube_token: str | None = (
            (token or new_token()) if self.tls else self.scenario.admin_token()
        )
        self.port = 0
        self.url = ""
        self.kubeconfig: Path | None = None
        self.requests: list[RequestRecord] = []
        self.cluster = Cluster()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._stopping = False

    # -- lifecycle -----------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stopping

    def start(self) -> Sandbox:
        """Start serving; returns once the port is open and the scenario is applied."""
        if self._thread is not None:
            raise SandboxError("this sandbox was already started; create a new Sandbox()")
        if self.requested_kubeconfig is not None:
            try:
                check_kubeconfig_path(self.requested_kubeconfig)
            except KubeconfigRefused as exc:
                raise SandboxError(f"cannot write the kubeconfig: {exc}") from None
        if self.tls:
            identity = throwaway_identity(self.host)
            self._ssl = server_context(identity)
            self.ca_pem = identity.cert_pem
        else:
            warnings.warn(
                "this sandbox serves plain http and takes anonymous requests as its admin: "
                "any local user or process reaching its port runs commands as you",
                InsecureSandboxWarning,
                stacklevel=2,
            )
        ready: Future[None] = Future()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name=f"kdebug-sandbox-{id(self):x}", daemon=True
        )
        self._thread.start()
        try:
            ready.result(timeout=START_TIMEOUT)
        except BaseException:
            # A failed start stops on its own; an interrupted (Ctrl-C in a kernel) or slow one
            # must not leave a server and its processes running with nobody to stop them.
            with contextlib.suppress(BaseException):
                ready.result(timeout=STOP_TIMEOUT)
            self.stop()
            raise
        self.url = f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"
        try:
            self.kubeconfig = write_kubeconfig(
                self.url, self.requested_kubeconfig, token=self._kube_token, ca_pem=self.ca_pem
            )
        except (KubeconfigRefused, OSError) as exc:
            self.stop()
            raise SandboxError(f"cannot write the kubeconfig: {exc}") from None
        atexit.register(self.stop)
        return self

    def _run(self, ready: Future[None]) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # noqa: BLE001 - handed to start(), which re-raises
            # Closed before start() hears of it, so its stop() finds no loop to talk to.
            try:
                self._close_loop()
            finally:
                if not ready.done():
                    ready.set_exception(exc)
            return
        # Ready only once run_forever runs: stop() right after start() must find the loop running.
        loop.call_soon(ready.set_result, None)
        try:
            loop.run_forever()
        finally:
            self._close_loop()

    def _close_loop(self) -> None:
        loop = self._loop
        assert loop is not None
        try:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()

    async def _serve(self) -> None:
        # Imported here: the API and kubelet are heavy, and `import kdebug_nb.sandbox`
        # (or this module) must stay cheap.
        from aiohttp import web

        from kdebug_nb.sandbox.apiserver.app import create_app
        from kdebug_nb.sandbox.kubelet import Kubelet

        cluster = self.cluster
        try:
            apply_scenario(cluster, self.scenario)
            timing_of(cluster).update(self._timing)
            apply_throttle(throttle_of(cluster), self._throttle)
            if self.tls:
                # Anonymous auth off, as kube-apiserver --anonymous-auth=false.
                cluster.policy.require_auth = True
                assert self._kube_token is not None
                cluster.users[self._kube_token] = User(
                    "kubernetes-admin", self._kube_token, {"*": {"*"}}
                )
            kubelet = Kubelet(cluster)
            cluster.extensions["kubelet"] = kubelet
            kubelet.start()
            app = create_app(cluster, request_log=self.requests)
            # Short shutdown timeout: open watches and log follows would otherwise hold stop().
            # handler_cancellation: like the API server, a request whose client has
            # gone away ends at once (an idle watch would otherwise linger until its
            # next write or its timeoutSeconds, holding a subscription and its log line).
            runner = web.AppRunner(
                app, handle_signals=False, shutdown_timeout=1.0, handler_cancellation=True
            )
            await runner.setup()
            self._runner = runner
            site = web.TCPSite(
                runner, self.host, self.requested_port, reuse_address=True, ssl_context=self._ssl
            )
            try:
                await site.start()
            except OSError as exc:
                raise SandboxError(
                    f"cannot listen on {self.host}:{self.requested_port}: {exc.strerror or exc}"
                ) from None
        except BaseException:
            # Whatever got started (kubelet processes, the runner) must not outlive a failed start.
            await self._shutdown()
            raise
        self.port = int(runner.addresses[0][1])

    async def _shutdown(self) -> None:
        kubelet = self.cluster.extensions.get("kubelet")
        try:
            if kubelet is not None:
                await kubelet.shutdown()
        finally:
            # Ends open watches (they wait on these queues) before the runner closes them.
            for q in list(self.cluster.watchers):
                q.put_nowait(None)
            if self._runner is not None:
                await self._runner.cleanup()
                self._runner = None

    def stop(self) -> None:
        """Stop every process the kubelet started, then the server and its thread.

        Idempotent; also runs at interpreter exit for a sandbox left running.
        """
        if self._stopping or self._thread is None:
            return
        if threading.current_thread() is self._thread:
            # Waiting for the loop from the loop itself would deadlock.
            raise SandboxError("stop() was called from the sandbox's own loop; call it elsewhere")
        self._stopping = True
        atexit.unregister(self.stop)
        loop = self._loop
        try:
            if loop is not None and loop.is_running():
                fut = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
                try:
                    fut.result(timeout=STOP_TIMEOUT)
                finally:
                    loop.call_soon_threadsafe(loop.stop)
        finally:
            self._join()
            if self.kubeconfig is not None and self.requested_kubeconfig is None:
                remove_kubeconfig(self.kubeconfig)

    def _join(self) -> None:
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=STOP_TIMEOUT)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def settle(self, timeout: float = 30.0) -> list[str]:
        """Wait until no pod is still starting (see ``_starting``); return those that still are.

        A cluster someone opens a notebook on has its pods up already; a fresh
        sandbox's take a moment (image roots, pod networks), and a selector with
        ``status.phase=Running`` would miss them meanwhile.
        """
        deadline = time.monotonic() + timeout
        while True:
            pending = self.call(
                lambda: [
                    f"{p['metadata'].get('namespace', '')}/{p['metadata']['name']}"
                    for p in self.cluster.list("Pod")
                    if _starting(p)
                ]
            )
            if not pending or time.monotonic() >= deadline:
                return pending
            time.sleep(0.05)

    def requests_since(self, mark: float) -> list[RequestRecord]:
        """Requests that arrived at or after ``mark`` (a ``time.monotonic()`` value).

        ``requests`` is in order of completion, so slicing it at a length
        taken earlier can catch an older stream that ended meanwhile.
        """
        return [r for r in list(self.requests) if r.started >= mark]

    @property
    def timing(self) -> Timing:
        """The simulated waits; set a field (seconds) to change them while running."""
        return timing_of(self.cluster)

    @property
    def throttle(self) -> Throttle:
        """The in-flight cap: ``sb.throttle.max_in_flight = 4`` switches it on, 0 off."""
        return throttle_of(self.cluster)

    def kubeconfig_dict(self) -> dict[str, Any]:
        """The written kubeconfig as a dict (``kubernetes.config.new_client_from_config_dict``)."""
        if not self.url:
            raise SandboxError("the sandbox is not running; call start() first")
        return kubeconfig_dict(self.url, token=self._kube_token, ca_pem=self.ca_pem)

    # -- reaching into the cluster -------------------------------------------------

    @overload
    def call(self, fn: Callable[[], Awaitable[T]], timeout: float | None = 30.0) -> T: ...
    @overload
    def call(self, fn: Callable[[], T], timeout: float | None = 30.0) -> T: ...
    def call(self, fn: Callable[[], Any], timeout: float | None = 30.0) -> Any:
        """Run ``fn()`` on the sandbox loop and return its result.

        The cluster is not thread-safe; this is the only way other threads may
        touch it. ``fn`` may be a plain function or return an awaitable (an
        ``async def``), which is awaited on the loop.
        """
        loop = self._loop
        if loop is None or not loop.is_running():
            raise SandboxError("the sandbox is not running; call start() first")

        async def runner() -> Any:
            result = fn()
            if inspect.isawaitable(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(runner(), loop).result(timeout=timeout)

    def __repr__(self) -> str:
        state = self.url if self.running else "stopped"
        return f"<Sandbox scenario={self.scenario.name!r} {state}>"


#: waiting reasons of a container the kubelet is still setting up; any other
#: (ErrImagePull, CreateContainerConfigError...) is where the pod stays
_SETTING_UP = frozenset({"", "ContainerCreating", "PodInitializing"})


def _starting(pod: dict[str, Any]) -> bool:
    """A scheduled pod the kubelet has not yet brought past its start."""
    status = pod.get("status") or {}
    if status.get("phase", "Pending") != "Pending" or not (pod.get("spec") or {}).get("nodeName"):
        return False
    statuses = [*status.get("initContainerStatuses", ()), *status.get("containerStatuses", ())]
    if not statuses:
        return True
    return any(
        "waiting" in (cs.get("state") or {})
        and (cs["state"]["waiting"] or {}).get("reason", "") in _SETTING_UP
        for cs in statuses
    )
