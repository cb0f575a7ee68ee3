"""One container's life: pull, create, start, wait, restart with back-off.

A ``ContainerRunner`` owns its container status dict (the entry the pod
shows in ``containerStatuses`` / ``initContainerStatuses`` /
``ephemeralContainerStatuses``) and asks its pod worker to publish whenever
it changes. Events are worded like the real kubelet's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import signal
import time
from typing import Any

from ..store.cluster import now_rfc3339
from ..store.timing import timing_of
from .images import Image, ImageNotFound, InvalidImageName, parse_reference
from .interfaces import PodHost
from .launch import Isolation
from .logs import ContainerLogs
from .runtime import (
    ConfigError,
    ExecNotFound,
    Process,
    create_error_message,
    nul_error,
    start_error_message,
)

Obj = dict[str, Any]
log = logging.getLogger(__name__)

#: back-off for crash loops and failing pulls: short, so the sandbox stays lively
BACKOFF_START = 1.0
BACKOFF_CAP = 10.0
#: a container that ran this long without failing gets its back-off reset
BACKOFF_RESET_AFTER = 60.0
EPOCH = "1970-01-01T00:00:00Z"

FIELD = {"init": "initContainers", "app": "containers", "ephemeral": "ephemeralContainers"}
_VAR_REF = re.compile(r"\$(\$|\(([A-Za-z_][A-Za-z0-9_.-]*)\))")


def go_duration(seconds: float) -> str:
    """Format like Go's time.Duration.String (enough for what we print)."""
    if seconds >= 60:
        m, s = divmod(int(seconds), 60)
        return f"{m}m{s}s"
    if seconds >= 1:
        return f"{seconds:.9f}".rstrip("0").rstrip(".") + "s"
    ms = seconds * 1000
    if ms >= 1:
        return f"{ms:.6f}".rstrip("0").rstrip(".") + "ms"
    return f"{seconds * 1e6:.3f}".rstrip("0").rstrip(".") + "µs"


def expand(value: str, env: dict[str, str]) -> str:
    """Kubernetes' $(VAR) expansion: known names replaced, $$ escapes, others kept."""

    def sub(m: re.Match[str]) -> str:
        if m.group(1) == "$":
            return "$"
        name = m.group(2)
        return env[name] if name in env else m.group(0)

    return _VAR_REF.sub(sub, value)


def default_pull_policy(ref: str) -> str:
    try:
        parsed = parse_reference(ref)
    except InvalidImageName:
        return "IfNotPresent"
    explicit_tag = ":" in ref.rsplit("/", 1)[-1].split("@", 1)[0]
    if parsed.digest is None and (not explicit_tag or parsed.tag == "latest"):
        return "Always"
    return "IfNotPresent"


class ContainerRunner:
    """Runs one container of a pod until it will not run again."""

    def __init__(self, worker: PodHost, kind: str, spec: Obj) -> None:
        self.worker = worker
        self.kind = kind
        self.spec = spec
        self.name: str = spec["name"]
        self.field_path = f"spec.{FIELD[kind]}{{{self.name}}}"
        self.status: Obj = {
            "name": self.name,
            "state": {"waiting": {"reason": "ContainerCreating"}},
            "lastState": {},
            "ready": False,
            "restartCount": 0,
            "image": spec.get("image", ""),
            "imageID": "",
            "started": False,
        }
        self.logs = ContainerLogs()
        self.process: Process | None = None
        self.image: Image | None = None
        self.env: dict[str, str] = {}
        self.attempts = 0
        self.last_exit: int | None = None
        self.stopping = False
        self._stop = asyncio.Event()
        #: the spec changed: cut any back-off short and look again
        self._kick = asyncio.Event()
        #: the running instance is being replaced because the spec changed
        self._changed = False
        self.started = asyncio.Event()
        self.done = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.stdin_closed = False
        self.isolation: Isolation | None = None

    # -- control -----------------------------------------------------------

    def start(self) -> None:
        if self.task is None:
            self.task = asyncio.ensure_future(self._main())

    def set_waiting(self, reason: str, message: str = "") -> None:
        waiting: Obj = {"reason": reason}
        if message:
            waiting["message"] = message
        self.status["state"] = {"waiting": waiting}

    def _waiting_on_error(self, reason: str, message: str) -> None:
        """A failed image step, as the kubelet reports it: a Failed event
        "Error: <reason>", then Waiting(reason) published."""
        self.worker.event(self, "Failed", f"Error: {reason}", type_="Warning")
        self.set_waiting(reason, message)
        self.worker.publish()

    async def stop(self, grace: float, *, announce: bool = True) -> None:
        """TERM the running process, KILL after ``grace`` seconds; no restarts after."""
        self.stopping = True
        self._stop.set()
        if self.task is None:
            self.done.set()
            return
        proc = self.process
        if proc is not None and proc.running:
            if announce:
                self.worker.event(self, "Killing", f"Stopping container {self.name}")
            if grace > 0:
                proc.signal(signal.SIGTERM)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(self.done.wait()), grace)
            proc.signal(signal.SIGKILL)
        try:
            await asyncio.wait_for(asyncio.shield(self.done.wait()), 5)
        except TimeoutError:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def _sleep(self, seconds: float | None) -> bool:
        """Sleep unless stopped or kicked; True when stopped."""
        stop = asyncio.ensure_future(self._stop.wait())
        kick = asyncio.ensure_future(self._kick.wait())
        try:
            await asyncio.wait([stop, kick], timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            kick.cancel()
        self._kick.clear()
        return self.stopping

    def respec(self, spec: Obj) -> None:
        """The API changed the container (only its image may change): like the
        kubelet, replace a running instance and retry a failing pull at once."""
        old = self.spec.get("image")
        self.spec = spec
        if spec.get("image") == old or self.stopping:
            return
        self._kick.set()
        proc = self.process
        if proc is not None and proc.running:
            self._changed = True
            self.worker.event(self, "Killing", f"Container {self.name} definition changed, will be restarted")
            grace = float(self.worker.spec.get("terminationGracePeriodSeconds", 30) or 0)
            asyncio.ensure_future(_terminate(proc, grace))

    def should_restart(self, exit_code: int) -> bool:
        if self.kind == "ephemeral":
            return False
        if self.spec.get("restartPolicy") == "Always":  # sidecar init container
            return True
        policy = self.worker.spec.get("restartPolicy", "Always")
        if self.kind == "init":
            return policy != "Never" and exit_code != 0
        if policy == "Always":
            return True
        return policy == "OnFailure" and exit_code != 0

    # -- the life cycle ----------------------------------------------------

    async def _main(self) -> None:
        try:
            await self._run()
        except asyncio.CancelledError:
            pass
        except Exception as exc:
            log.exception("sandbox kubelet: container %s of pod %s/%s failed", self.name, self.worker.namespace, self.worker.name)
            if "waiting" in self.status["state"]:
                # Never leave a container waiting for a start that will not come.
                self.status["state"] = {"terminated": {
                    "exitCode": 128, "reason": "StartError", "message": create_error_message(str(exc)),
                    "startedAt": EPOCH, "finishedAt": now_rfc3339(),
                }}
        finally:
            if self.process is not None and self.process.running:
                self.process.signal(signal.SIGKILL)
            self.logs.close()
            self.done.set()
            self.worker.publish()

    async def _run(self) -> None:
        backoff = BACKOFF_START
        while not self.stopping:
            if self.status["state"].get("waiting", {}).get("reason") == "PodInitializing":
                self.set_waiting("ContainerCreating")
                self.worker.publish()
            image = await self._pull()
            if image is None:
                return
            try:
                self.env = self.worker.container_env(self.spec, image)
                self.isolation = self.worker.container_setup(self.spec, image)
                own_home = any(e.get("name") == "HOME" for e in self.spec.get("env") or ())
                if self.worker.kubelet.runtime.isolated and self.isolation.identity.get("uid") and not own_home:
                    self.env["HOME"] = "/"  # runc's HOME for a user without a home
            except ConfigError as e:
                self.worker.event(self, "Failed", f"Error: {e}", type_="Warning")
                self.set_waiting("CreateContainerConfigError", str(e))
                self.worker.publish()
                if await self._sleep(backoff):
                    return
                backoff = min(backoff * 2, BACKOFF_CAP)
                continue
            # the runtime's create + start, which a scenario's timing may make slow
            start_time = timing_of(self.worker.kubelet.cluster).container_start
            if start_time > 0 and await self._sleep(start_time):
                return
            exit_code, terminated, ran_for = await self._run_once(image)
            self.last_exit = exit_code
            self.status["state"] = {"terminated": terminated}
            self.status["ready"] = False
            self.status["started"] = False
            self.worker.publish()
            if self.stopping:
                return
            if self._changed:
                self._changed = False
                self.status["lastState"] = {"terminated": terminated}
                backoff = BACKOFF_START
                continue
            if not self.should_restart(exit_code):
                return
            if ran_for >= BACKOFF_RESET_AFTER:
                backoff = BACKOFF_START
            w = self.worker
            self.status["lastState"] = {"terminated": terminated}
            self.set_waiting(
                "CrashLoopBackOff",
                f"back-off {go_duration(backoff)} restarting failed container={self.name} "
                f"pod={w.name}_{w.namespace}({w.uid})",
            )
            w.event(
                self,
                "BackOff",
                f"Back-off restarting failed container {self.name} in pod {w.name}_{w.namespace}({w.uid})",
                type_="Warning",
            )
            w.publish()
            if await self._sleep(backoff):
                return
            backoff = min(backoff * 2, BACKOFF_CAP)

    async def _run_once(self, image: Image) -> tuple[int, Obj, float]:
        w = self.worker
        self.attempts += 1
        self.status["restartCount"] = self.attempts - 1
        container_id = "containerd://" + secrets.token_hex(32)
        argv = [expand(a, self.env) for a in image.argv(self.spec.get("command"), self.spec.get("args"))]
        log = self.logs.new_instance(container_id)
        if not argv:
            message = "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: args must not be empty: unknown"
            return self._start_failed(message, container_id)
        bad = nul_error(argv, self.env, str(self.spec.get("workingDir") or ""))
        if bad is not None:
            return self._start_failed(create_error_message(bad), container_id)
        w.event(self, "Created", f"Created container: {self.name}")
        join = w.pid_namespace_for(self)
        try:
            proc = await w.kubelet.runtime.spawn(
                image,
                argv,
                env=self.env,
                cwd=w.working_dir(self.spec, image),
                stdin=bool(self.spec.get("stdin")),
                tty=bool(self.spec.get("tty")),
                on_output=log.write,
                join=join,
                isolation=self.isolation,
            )
        except ExecNotFound as e:
            return self._start_failed(start_error_message(e.name), container_id)
        except OSError as e:
            return self._start_failed(
                f"failed to create containerd task: failed to create shim task: OCI runtime create failed: {e}: unknown",
                container_id,
            )
        self.process = proc
        self.stdin_closed = False
        if self.stopping:
            proc.signal(signal.SIGKILL)
        started_at = now_rfc3339()
        t0 = time.monotonic()
        self.status.update(
            state={"running": {"startedAt": started_at}},
            containerID=container_id,
            started=True,
            ready=self.kind != "ephemeral",
        )
        w.event(self, "Started", f"Started container {self.name}")
        self.started.set()
        w.publish()
        try:
            code = await proc.wait()
        finally:
            w.kubelet.runtime.forget(proc)
            log.close()
        terminated: Obj = {
            "exitCode": code,
            "reason": "Completed" if code == 0 else "Error",
            "startedAt": started_at,
            "finishedAt": now_rfc3339(),
            "containerID": container_id,
        }
        if code != 0 and self.spec.get("terminationMessagePolicy") == "FallbackToLogsOnError":
            message = log.tail(80, 2048)
            if message:
                terminated["message"] = message
        return code, terminated, time.monotonic() - t0

    def _start_failed(self, message: str, container_id: str) -> tuple[int, Obj, float]:
        self.worker.event(self, "Failed", f"Error: {message}", type_="Warning")
        self.logs.close()
        self.status["containerID"] = container_id
        terminated = {
            "exitCode": 128,
            "reason": "StartError",
            "message": message,
            "startedAt": EPOCH,
            "finishedAt": now_rfc3339(),
            "containerID": container_id,
        }
        return 128, terminated, 0.0

    async def _pull(self) -> Image | None:
        """Resolve the image like a pull; None when stopped before it worked."""
        w = self.worker
        backoff = BACKOFF_START
        while not self.stopping:
            ref = self.spec.get("image", "")
            policy = self.spec.get("imagePullPolicy") or default_pull_policy(ref)
            try:
                image = w.kubelet.images.resolve(ref)
            except InvalidImageName as e:
                w.event(self, "InspectFailed", str(e), type_="Warning")
                self._waiting_on_error("InvalidImageName", str(e))
                if await self._sleep(None):
                    return None
                continue
            except ImageNotFound as e:
                if policy == "Never":
                    msg = f'Container image "{ref}" is not present with pull policy of Never'
                    w.event(self, "ErrImageNeverPull", msg, type_="Warning")
                    self._waiting_on_error("ErrImageNeverPull", msg)
                    if await self._sleep(backoff):
                        return None
                    backoff = min(backoff * 2, BACKOFF_CAP)
                    continue
                w.event(self, "Pulling", f'Pulling image "{ref}"')
                w.event(self, "Failed", f'Failed to pull image "{ref}": {e}', type_="Warning")
                self._waiting_on_error("ErrImagePull", str(e))
                if await self._sleep(backoff):
                    return None
                if self.spec.get("image", "") != ref:
                    continue  # fixed meanwhile: pull the new image now
                msg = f'Back-off pulling image "{ref}"'
                w.event(self, "BackOff", msg)
                self._waiting_on_error("ImagePullBackOff", msg)
                if await self._sleep(backoff):
                    return None
                backoff = min(backoff * 2, BACKOFF_CAP)
                continue
            present = w.kubelet.node_images(w.node_name)
            if policy == "Never" or (policy == "IfNotPresent" and image.image_id in present):
                w.event(self, "Pulled", f'Container image "{ref}" already present on machine')
            else:
                t0 = time.monotonic()
                w.event(self, "Pulling", f'Pulling image "{ref}"')
                pull_time = timing_of(w.kubelet.cluster).image_pull
                if pull_time > 0 and await self._sleep(pull_time):
                    return None
                took = go_duration(max(time.monotonic() - t0, 0.001))
                w.event(
                    self,
                    "Pulled",
                    f'Successfully pulled image "{ref}" in {took} ({took} including waiting). '
                    f"Image size: {image.size} bytes.",
                )
            present.add(image.image_id)
            self.image = image
            self.status["image"] = str(parse_reference(ref))
            self.status["imageID"] = image.image_id
            return image
        return None


async def _terminate(proc: Process, grace: float) -> None:
    proc.signal(signal.SIGTERM)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(proc.finished.wait(), grace)
    proc.signal(signal.SIGKILL)
