"""The pod subresources a kubelet serves: ``log``, ``exec`` and ``attach``.

``stream_routes(cluster)`` returns aiohttp route definitions that sandbox-api
mounts; its middleware already did authentication, RBAC, the request log
and renders every ``StatusError`` raised here as a Status body.

``log`` answers like the API server + kubelet pair (same 400 messages for a
container that has not started, no previous instance, ...). ``exec`` and
``attach`` speak the WebSocket remotecommand protocols ``v5.channel.k8s.io``
and ``v4.channel.k8s.io`` (and bare ``channel.k8s.io``): binary frames whose
first byte is the channel (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize;
v5 adds ``[255, n]`` = "channel n closed"). SPDY (``POST`` + ``Upgrade:
SPDY/3.1``) is not spoken; kubectl 1.30+ tries WebSockets first.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import signal
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..store.cluster import Cluster
from ..store.status import StatusError, invalid, not_found
from .logs import LogOptions
from .remotecommand import Session, internal_error, query_bool
from .runtime import ExecNotFound, exec_error_message, nul_error

if TYPE_CHECKING:
    from .containers import ContainerRunner
    from .kubelet import Kubelet
    from .worker import PodWorker

Obj = dict[str, Any]

POD_PATH = "/api/v1/namespaces/{namespace}/pods/{name}"


def stream_routes(cluster: Cluster) -> list[web.RouteDef]:
    streams = _Streams(cluster)
    return [
        web.get(POD_PATH + "/log", streams.log, allow_head=False),
        web.get(POD_PATH + "/exec", streams.exec, allow_head=False),
        web.post(POD_PATH + "/exec", streams.exec),
        web.get(POD_PATH + "/attach", streams.attach, allow_head=False),
        web.post(POD_PATH + "/attach", streams.attach),
    ]


# -- query parsing ----------------------------------------------------------


def _int(query: Any, key: str) -> int | None:
    value = query.get(key)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise StatusError(400, f'strconv.ParseInt: parsing "{value}": invalid syntax') from None


_RFC3339 = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)")


def _time_ns(value: str) -> int:
    """RFC3339 (with up to nanoseconds) to integer nanoseconds, exactly."""
    m = _RFC3339.fullmatch(value.strip())
    if m is None:
        raise StatusError(
            400, f'parsing time "{value}" as "2006-01-02T15:04:05Z07:00": cannot parse "{value}"'
        )
    zone = "+00:00" if m.group(3) == "Z" else m.group(3)
    secs = int(datetime.fromisoformat(m.group(1) + zone).timestamp())
    return secs * 1_000_000_000 + int((m.group(2) or "0").ljust(9, "0"))


def log_options(name: str, query: Any) -> tuple[LogOptions, bool]:
    """(options, previous) from the query, validated like PodLogOptions."""
    tail = _int(query, "tailLines")
    since_s = _int(query, "sinceSeconds")
    since_t = query.get("sinceTime")
    limit = _int(query, "limitBytes")
    causes = []
    if tail is not None and tail < 0:
        causes.append(("FieldValueInvalid", "tailLines", f"Invalid value: {tail}: must be greater than or equal to 0"))
    if limit is not None and limit < 1:
        causes.append(("FieldValueInvalid", "limitBytes", f"Invalid value: {limit}: must be greater than 0"))
    if since_s is not None and since_t:
        causes.append(("FieldValueForbidden", "", "at most one of `sinceTime` or `sinceSeconds` may be specified"))
    elif since_s is not None and since_s < 1:
        causes.append(("FieldValueInvalid", "sinceSeconds", f"Invalid value: {since_s}: must be greater than 0"))
    if causes:
        raise invalid("PodLogOptions", name, causes)
    since_ns = None
    if since_s is not None:
        since_ns = time.time_ns() - since_s * 1_000_000_000
    elif since_t:
        since_ns = _time_ns(since_t)
    opts = LogOptions(
        follow=query_bool(query, "follow"),
        timestamps=query_bool(query, "timestamps"),
        tail_lines=tail,
        since_ns=since_ns,
        limit_bytes=limit,
    )
    return opts, query_bool(query, "previous")


def _names(containers: list[Obj]) -> str:
    return " ".join(c.get("name", "") for c in containers)


def pick_container(pod: Obj, requested: str | None) -> str:
    """The container a subresource request means, or the API server's 400."""
    spec = pod.get("spec") or {}
    name = pod["metadata"]["name"]
    if not requested:
        containers = spec.get("containers") or []
        if len(containers) == 1:
            return str(containers[0]["name"])
        if not containers:
            raise StatusError(400, f"a container name must be specified for pod {name}")
        msg = f"a container name must be specified for pod {name}, choose one of: [{_names(containers)}]"
        if spec.get("initContainers"):
            msg += f" or one of the init containers: [{_names(spec['initContainers'])}]"
        if spec.get("ephemeralContainers"):
            msg += f" or one of the ephemeral containers: [{_names(spec['ephemeralContainers'])}]"
        raise StatusError(400, msg)
    for key in ("containers", "initContainers", "ephemeralContainers"):
        if any(c.get("name") == requested for c in spec.get(key) or ()):
            return requested
    raise StatusError(400, f"container {requested} is not valid for pod {name}")


# -- handlers ---------------------------------------------------------------


class _Streams:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def _kubelet(self) -> Kubelet | None:
        return self.cluster.extensions.get("kubelet")

    def _pod(self, request: web.Request) -> Obj:
        ns = request.match_info["namespace"]
        name = request.match_info["name"]
        pod = self.cluster.get("Pod", ns, name)
        if pod is None:
            raise not_found("pods", name)
        return pod

    def _runner(self, pod: Obj, container: str) -> tuple[PodWorker | None, ContainerRunner | None]:
        kubelet = self._kubelet()
        meta = pod["metadata"]
        worker = kubelet.worker(meta.get("namespace") or "default", meta["name"]) if kubelet else None
        if worker is None or worker.uid != meta.get("uid", ""):
            return None, None
        return worker, worker.runners.get(container)

    # -- log ---------------------------------------------------------------

    async def log(self, request: web.Request) -> web.StreamResponse:
        pod = self._pod(request)
        name = pod["metadata"]["name"]
        container = pick_container(pod, request.query.get("container"))
        opts, previous = log_options(name, request.query)
        if not (pod.get("spec") or {}).get("nodeName"):
            return web.Response(body=b"", content_type="text/plain")
        _, runner = self._runner(pod, container)
        if runner is None:
            raise StatusError(400, f'container "{container}" in pod "{name}" is not available')
        log = runner.logs.get(_log_container_id(runner.status, container, name, previous))
        resp = web.StreamResponse(headers={"Content-Type": "text/plain"})
        if log is None:
            resp.content_length = 0
            await resp.prepare(request)
            return resp
        if not opts.follow:
            body = b"".join([chunk async for chunk in log.read(opts)])
            return web.Response(body=body, content_type="text/plain")
        await resp.prepare(request)
        transport = request.transport

        def alive() -> bool:
            return transport is not None and not transport.is_closing()

        with contextlib.suppress(ConnectionError):
            async for chunk in log.read(opts, alive):
                await resp.write(chunk)
            await resp.write_eof()
        return resp

    # -- exec / attach -----------------------------------------------------

    def _target(self, request: web.Request, verb: str) -> tuple[Obj, str, PodWorker | None, ContainerRunner | None]:
        pod = self._pod(request)
        container = pick_container(pod, request.query.get("container"))
        phase = (pod.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed"):
            what = "exec into" if verb == "exec" else "attach to"
            raise StatusError(400, f"cannot {what} a container in a completed pod; current phase is {phase}")
        worker, runner = self._runner(pod, container)
        return pod, container, worker, runner

    def _precheck(self, request: web.Request, container: str, runner: ContainerRunner | None) -> web.Response | None:
        """Refuse what cannot be upgraded, as the kubelet (behind the API server) would."""
        upgrade = request.headers.get("Upgrade", "").lower()
        if runner is None or runner.process is None or not runner.process.running or runner.image is None:
            # the kubelet's plain-text error, passed through by the API server's proxy
            return web.Response(status=500, text=f'container not found ("{container}")')
        if request.method == "POST" or upgrade.startswith("spdy"):
            raise StatusError(
                400,
                "the kdebug sandbox does not speak SPDY; use a WebSocket client "
                "(kubectl 1.30+, kubernetes.stream)",
            )
        if upgrade != "websocket":
            raise StatusError(400, "Upgrade request required")
        return None

    async def exec(self, request: web.Request) -> web.StreamResponse:
        _, container, worker, runner = self._target(request, "exec")
        q = request.query
        command = q.getall("command", [])
        if not command:
            raise StatusError(400, "you must specify at least 1 command")
        refused = self._precheck(request, container, runner)
        if refused is not None:
            return refused
        assert worker is not None and runner is not None and runner.image is not None
        session = await Session.open(request, q)
        kubelet = worker.kubelet
        bad = nul_error(command, runner.env)
        if bad is not None:
            message = (
                "error executing command in container: failed to exec in container: failed to start exec "
                f'"{secrets.token_hex(32)}": OCI runtime exec failed: exec failed: unable to start '
                f"container process: {bad}: unknown"
            )
            await session.finish(internal_error(message))
            return session.ws
        try:
            proc = await kubelet.runtime.spawn(
                runner.image,
                command,
                env=runner.env,
                cwd=worker.working_dir(runner.spec, runner.image),
                stdin=session.stdin,
                tty=session.tty,
                on_output=session.output,
                join=runner.process,
                isolation=runner.isolation,
                exec_into=True,
            )
        except ExecNotFound as e:
            message = (
                "error executing command in container: failed to exec in container: failed to start exec "
                f'"{secrets.token_hex(32)}": {exec_error_message(e.name)}'
            )
            await session.finish(internal_error(message))
            return session.ws
        except OSError as e:  # the container's namespace went away meanwhile
            await session.finish(internal_error(f"error executing command in container: {e}"))
            return session.ws
        except BaseException:  # cancelled while starting: no task of the session may linger
            await session.abort()
            raise
        worker.exec_processes.add(proc)
        try:
            code = await session.run(proc)
        finally:
            if proc.running:  # the handler itself was cancelled
                proc.signal(signal.SIGKILL)
            worker.exec_processes.discard(proc)
            kubelet.runtime.forget(proc)
        if code is None:
            return session.ws
        if code == 0:
            await session.finish({"metadata": {}, "status": "Success"})
        else:
            await session.finish(
                {
                    "metadata": {},
                    "status": "Failure",
                    "message": (
                        "command terminated with non-zero exit code: error executing command "
                        f"[{' '.join(command)}], exit code {code}"
                    ),
                    "reason": "NonZeroExitCode",
                    "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]},
                }
            )
        return session.ws

    async def attach(self, request: web.Request) -> web.StreamResponse:
        _, container, worker, runner = self._target(request, "attach")
        refused = self._precheck(request, container, runner)
        if refused is not None:
            return refused
        assert runner is not None and runner.process is not None
        proc = runner.process
        log = runner.logs.current
        session = await Session.open(request, request.query, wire_stdin=bool(runner.spec.get("stdin")))

        def stdin_done() -> None:
            # stdinOnce: the container's stdin closes with the first attach's stdin
            if session.stdin and runner.spec.get("stdinOnce") and not runner.stdin_closed:
                runner.stdin_closed = True
                proc.close_stdin()

        if log is not None:
            log.subscribe(session.attached_output)
        try:
            code = await session.run(proc, owns_process=False, on_stdin_closed=stdin_done)
        finally:
            if log is not None:
                log.unsubscribe(session.attached_output)
            stdin_done()
        if code is not None:
            await session.finish({"metadata": {}, "status": "Success"})
        return session.ws


def _log_container_id(status: Obj, container: str, pod: str, previous: bool) -> str:
    """Which instance's log to read, by the kubelet's rules (validateContainerLogStatus)."""
    state = status.get("state") or {}
    last = (status.get("lastState") or {}).get("terminated")
    if previous:
        if not last or not last.get("containerID"):
            raise StatusError(400, f'previous terminated container "{container}" in pod "{pod}" not found')
        return str(last["containerID"])
    if "running" in state:
        return str(status.get("containerID", ""))
    if "terminated" in state:
        cid = state["terminated"].get("containerID") or (last or {}).get("containerID")
        if not cid:
            raise StatusError(400, f'container "{container}" in pod "{pod}" is terminated')
        return str(cid)
    if last:
        if not last.get("containerID"):
            raise StatusError(400, f'container "{container}" in pod "{pod}" is terminated')
        return str(last["containerID"])
    reason = (state.get("waiting") or {}).get("reason")
    if reason == "ErrImagePull":
        detail = "image can't be pulled"
    elif reason == "ImagePullBackOff":
        detail = "trying and failing to pull image"
    elif reason:
        detail = reason
    else:
        raise StatusError(400, f'container "{container}" in pod "{pod}" is waiting to start - no logs yet')
    raise StatusError(400, f'container "{container}" in pod "{pod}" is waiting to start: {detail}')
