"""One pod's worker: schedule it, run its containers in order, publish status.

The worker is the only writer of its pod's ``status``. It recomputes the
whole kubelet-owned part of the status from its container runners on every
change (``publish``), so phase, conditions and container statuses always
agree.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import signal
from pathlib import Path
from typing import Any

from ..store.cluster import now_rfc3339
from . import podnet, security
from .containers import ContainerRunner
from .images import DEFAULT_PATH, Image
from .interfaces import ContainerRef, NodeAgent
from .launch import Isolation
from .podstatus import condition, is_sidecar, merge_conditions, phase_for, pod_conditions, qos_class
from .runtime import APPS_DIR, ConfigError, Process

Obj = dict[str, Any]
log = logging.getLogger(__name__)

SERVICE_ENV = {
    "KUBERNETES_SERVICE_HOST": "10.96.0.1",
    "KUBERNETES_SERVICE_PORT": "443",
    "KUBERNETES_SERVICE_PORT_HTTPS": "443",
    "KUBERNETES_PORT": "tcp://10.96.0.1:443",
    "KUBERNETES_PORT_443_TCP": "tcp://10.96.0.1:443",
    "KUBERNETES_PORT_443_TCP_PROTO": "tcp",
    "KUBERNETES_PORT_443_TCP_PORT": "443",
    "KUBERNETES_PORT_443_TCP_ADDR": "10.96.0.1",
}


class PodWorker:
    """Drives one pod (identified by its uid) from Pending to its end."""

    def __init__(self, kubelet: NodeAgent, pod: Obj) -> None:
        self.kubelet = kubelet
        self.cluster = kubelet.cluster
        meta = pod["metadata"]
        self.namespace: str = meta.get("namespace") or "default"
        self.name: str = meta["name"]
        self.uid: str = meta.get("uid", "")
        self.spec: Obj = pod.get("spec") or {}
        self.runners: dict[str, ContainerRunner] = {}
        self.init_runners = [self._runner("init", c) for c in self.spec.get("initContainers", [])]
        self.app_runners = [self._runner("app", c) for c in self.spec.get("containers", [])]
        for r in self.app_runners if self.init_runners else ():
            r.set_waiting("PodInitializing")
        for r in self.init_runners[1:]:
            r.set_waiting("PodInitializing")
        self.eph_runners: list[ContainerRunner] = []
        self.node_name = ""
        self.host_ip = ""
        self.pod_ip = ""
        self.start_time = ""
        self.scheduled = False
        self.unschedulable = ""
        self.sandbox_ready = False
        self.init_failed = False
        self.terminal = False
        self.terminating = False
        #: set when the sandbox stops with the pod running: the kubelet's
        #: graceful node shutdown gives the pod this reason and message
        #: (``pkg/kubelet/nodeshutdown/nodeshutdown_manager_linux.go``)
        self.node_shutdown = False
        self.task: asyncio.Task[None] | None = None
        self._terminate_task: asyncio.Future[None] | None = None
        self._events: dict[tuple[str, str, str, str], str] = {}
        #: processes started by ``exec`` in this pod's containers
        #: copies of ended ephemeral containers' statuses, by name (see _ephemeral_status)
        self._final_statuses: dict[str, tuple[ContainerRunner, Obj]] = {}
        self.exec_processes: set[Process] = set()
        #: holds the pod's PID namespace with shareProcessNamespace (the pause container)
        self.pause: Process | None = None
        #: isolated mode: holds the pod's user, network, UTS, IPC namespaces
        self.sandbox: Process | None = None
        self.sandbox_pid: int | None = None
        #: the kubelet's /etc files for this pod (mount path -> file)
        self.etc_files: dict[str, str] = {}

    def _runner(self, kind: str, spec: Obj) -> ContainerRunner:
        runner = ContainerRunner(self, kind, spec)
        self.runners[runner.name] = runner
        return runner

    # -- entry points ------------------------------------------------------

    def start(self) -> None:
        self.task = asyncio.ensure_future(self._main())

    def on_update(self, pod: Obj) -> None:
        """The API changed the pod: replace containers whose image changed and
        start ephemeral containers that were added."""
        self.spec = pod.get("spec") or self.spec
        for key in ("initContainers", "containers"):
            for spec in self.spec.get(key) or ():
                runner = self.runners.get(spec.get("name", ""))
                if runner is not None and runner.kind != "ephemeral":
                    runner.respec(spec)
        self.sync_ephemerals()

    def sync_ephemerals(self) -> None:
        for spec in self.spec.get("ephemeralContainers", []):
            if spec.get("name") in self.runners:
                continue
            runner = self._runner("ephemeral", spec)
            self.eph_runners.append(runner)
        if not self.scheduled or self.terminal or self.terminating:
            return
        for runner in self.eph_runners:
            if runner.task is None:
                runner.start()

    async def terminate(self, grace: float) -> None:
        """Stop every container (TERM, KILL after ``grace``); idempotent."""
        if self._terminate_task is None:
            self._terminate_task = asyncio.ensure_future(self._terminate(grace))
        elif grace <= 0:
            # a forced delete overtakes a graceful one already under way
            for runner in self.runners.values():
                if runner.process is not None:
                    runner.process.signal(signal.SIGKILL)
        await asyncio.shield(self._terminate_task)

    async def _terminate(self, grace: float) -> None:
        self.terminating = True
        for proc in list(self.exec_processes):
            proc.signal(signal.SIGKILL)
        await asyncio.gather(*(r.stop(grace) for r in self.runners.values()), return_exceptions=True)
        if self.task is not None and not self.task.done():
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self._release_pause()
        self.publish()

    def cleanup(self) -> None:
        for runner in self.runners.values():
            runner.logs.close()
        shutil.rmtree(self.kubelet.runtime.root / "pods" / self.uid, ignore_errors=True)

    # -- the pod's life ----------------------------------------------------

    async def _main(self) -> None:
        try:
            await self._run_pod()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("sandbox kubelet: pod %s/%s failed", self.namespace, self.name)

    async def _run_pod(self) -> None:
        if not await self._schedule():
            return
        self._setup_sandbox()
        self.publish()  # ContainerCreating while the pod's namespaces are made
        if self.kubelet.runtime.isolated:
            await self._start_pod_sandbox()
        self.publish()
        self.sync_ephemerals()
        for runner in self.init_runners:
            if self.terminating:
                return
            runner.start()
            if is_sidecar(runner.spec):
                await _first(runner.started.wait(), runner.done.wait())
                continue
            await runner.done.wait()
            if runner.last_exit != 0:
                if not self.terminating:
                    self.init_failed = True
                    await self._finish()
                return
        for runner in self.app_runners:
            runner.start()
        await asyncio.gather(*(r.done.wait() for r in self.app_runners))
        if not self.terminating:
            await self._finish()

    async def _finish(self) -> None:
        """The pod reached Succeeded/Failed: nothing else may keep running."""
        self.terminal = True
        await asyncio.gather(*(r.stop(0, announce=True) for r in self.runners.values() if r.task is not None))
        await self._release_pause()
        self.publish()

    async def _start_pod_sandbox(self) -> None:
        """The pod's namespaces (``podnet.py``) and its /etc files."""
        runtime = self.kubelet.runtime
        spec = self.spec
        host_network = bool(spec.get("hostNetwork"))
        hostname = spec.get("hostname") or self.name
        self.etc_files = podnet.write_pod_files(
            self.scratch_dir() / "etc", name=self.name, namespace=self.namespace, ip=self.pod_ip,
            hostname=hostname, subdomain=spec.get("subdomain") or "", host_network=host_network,
            owner=podnet.container_root_uid(),
        )
        if host_network or spec.get("hostPID"):
            return  # the node's namespaces: node debugging
        share = bool(spec.get("shareProcessNamespace"))
        try:
            process, sandbox = await runtime.network.pod(hostname, self.pod_ip, share_pid=share)
        except OSError:
            log.exception("sandbox kubelet: no pod sandbox for %s/%s", self.namespace, self.name)
            return
        assert isinstance(process, Process)
        self.sandbox, self.sandbox_pid = process, sandbox.pid
        process.holder = sandbox.pid
        if share:
            self.pause = process

    async def _release_pause(self) -> None:
        sandbox, self.sandbox = self.sandbox, None
        if sandbox is not None and sandbox is not self.pause:
            sandbox.signal(signal.SIGKILL)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sandbox.wait(), 5)
            self.kubelet.runtime.forget(sandbox)
        pause, self.pause = self.pause, None
        if pause is not None:
            pause.signal(signal.SIGKILL)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(pause.wait(), 5)
            self.kubelet.runtime.forget(pause)

    async def _schedule(self) -> bool:
        delay = 0.2
        reported = ""
        while not self.terminating:
            pod = self.current()
            if pod is None:
                return False
            spec = pod.get("spec") or {}
            wanted = spec.get("nodeName")
            if wanted:
                if self.cluster.get("Node", "", wanted) is not None:
                    self.node_name = wanted
                    self.scheduled = True
                    return True
            else:
                node, message = self.kubelet.pick_node(pod)
                if node is not None:
                    spec["nodeName"] = self.node_name = node["metadata"]["name"]
                    self.scheduled = True
                    self.kubelet.put(pod)
                    self.event(
                        None,
                        "Scheduled",
                        f"Successfully assigned {self.namespace}/{self.name} to {self.node_name}",
                        component="default-scheduler",
                    )
                    return True
                self.unschedulable = message
                if message != reported:
                    reported = message
                    self.event(None, "FailedScheduling", message, type_="Warning", component="default-scheduler")
                    self.publish()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
        return False

    def _setup_sandbox(self) -> None:
        node = self.cluster.get("Node", "", self.node_name) or {}
        self.host_ip = self.kubelet.node_ip(node)
        self.pod_ip = self.host_ip if self.spec.get("hostNetwork") else self.kubelet.allocate_pod_ip(self.node_name)
        self.start_time = now_rfc3339()
        self.sandbox_ready = True
        self.unschedulable = ""

    # -- helpers for runners -----------------------------------------------

    def container_setup(self, spec: Obj, image: Image) -> Isolation:
        """The container's isolation (identity, mounts); raises ConfigError
        for a container the kubelet refuses to create."""
        try:
            identity = security.identity(self.current() or {"metadata": {"name": self.name, "namespace": self.namespace, "uid": self.uid}, "spec": self.spec}, spec, image)
        except security.RunAsNonRootError as e:
            raise ConfigError(str(e)) from None
        binds: list[tuple[str, str, bool]] = [(src, dst, False) for dst, src in self.etc_files.items()]
        volumes = {v.get("name"): v for v in self.spec.get("volumes") or ()}
        for mount in spec.get("volumeMounts") or ():
            volume = volumes.get(mount.get("name")) or {}
            path = str(mount.get("mountPath") or "")
            if not path.startswith("/"):
                continue
            source = self._volume_source(volume)
            if source is None:
                continue
            if mount.get("subPath"):
                source = str(Path(source) / str(mount["subPath"]).lstrip("/"))
                Path(source).mkdir(parents=True, exist_ok=True)
            binds.append((source, path, bool(mount.get("readOnly"))))
        wanted = spec.get("workingDir") or image.working_dir or "/"
        return Isolation(
            pod_pid=self.sandbox_pid,
            binds=binds,
            identity=identity,
            host_pid=bool(self.spec.get("hostPID")),
            apps={name: str(APPS_DIR / f"{app}.py") for name, app in image.apps.items()},
            cwd=wanted if wanted.startswith("/") else "/" + wanted,
        )

    def _volume_source(self, volume: Obj) -> str | None:
        """Where a volume's files are on this machine (emptyDir: in the pod's
        directory, shared by its containers; hostPath: that path)."""
        if "emptyDir" in volume:
            path = self.scratch_dir() / "volumes" / str(volume.get("name"))
            if not path.is_dir():
                path.mkdir(parents=True, exist_ok=True)
                path.chmod(0o777)  # what the kubelet gives an emptyDir
            return str(path)
        host_path = volume.get("hostPath")
        if host_path and host_path.get("path"):
            path = Path(str(host_path["path"]))
            if not path.exists() and host_path.get("type") in ("DirectoryOrCreate",):
                path.mkdir(parents=True, exist_ok=True)
            return str(path) if path.exists() else None
        return None

    def pid_namespace_for(self, runner: ContainerRef) -> Process | None:
        """Whose PID namespace a container joins: the pod's pause with
        ``shareProcessNamespace``, a running target of an ephemeral
        container; None: one of its own (or the host's with ``hostPID``)."""
        if self.spec.get("hostPID"):
            return None
        if self.pause is not None:
            return self.pause
        target_name = runner.spec.get("targetContainerName") if runner.kind == "ephemeral" else None
        target = self.runners.get(target_name) if target_name else None
        if target is not None and target.process is not None and target.process.running:
            return target.process
        return None

    def current(self) -> Obj | None:
        pod = self.cluster.get("Pod", self.namespace, self.name)
        if pod is None or pod["metadata"].get("uid", "") != self.uid:
            return None
        return pod

    def scratch_dir(self) -> Path:
        return self.kubelet.runtime.pod_dir(self.uid)

    def working_dir(self, spec: Obj, image: Image) -> Path:
        """The container's working directory, inside the pod's scratch tree."""
        root = self.scratch_dir()
        wanted = (spec.get("workingDir") or image.working_dir or "/").strip("/")
        path = (root / wanted).resolve() if wanted else root
        if not path.is_relative_to(root.resolve()):
            path = root  # "/../.." must not reach outside the pod's tree
        path.mkdir(parents=True, exist_ok=True)
        return path

    def container_env(self, spec: Obj, image: Image) -> dict[str, str]:
        """The environment a runtime would give the container; raises ConfigError
        for references the sandbox cannot satisfy (it has no Secrets or ConfigMaps)."""
        from .containers import expand

        isolated = self.kubelet.runtime.isolated
        path = dict(image.env).get("PATH", DEFAULT_PATH) if isolated else str(self.kubelet.runtime.bindir(image))
        env: dict[str, str] = {"PATH": path}
        env["HOSTNAME"] = self.spec.get("hostname") or self.name
        env.update((k, v) for k, v in image.env if k != "PATH")
        if spec.get("tty"):
            env["TERM"] = "xterm"
        env.update(SERVICE_ENV)
        env["HOME"] = "/root" if isolated else str(self.scratch_dir())
        pod = self.current() or {}
        for source in spec.get("envFrom") or ():
            for kind, label in (("secretRef", "secret"), ("configMapRef", "configmap")):
                ref = source.get(kind)
                if ref and not ref.get("optional"):
                    raise ConfigError(f'{label} "{ref.get("name", "")}" not found')
        for item in spec.get("env") or ():
            name = item.get("name")
            if not name:
                continue
            if "value" in item:
                env[name] = expand(str(item.get("value") or ""), env)
            elif "valueFrom" in item:
                value = self._value_from(pod, item["valueFrom"])
                if value is not None:
                    env[name] = value
        return env

    def _value_from(self, pod: Obj, source: Obj) -> str | None:
        for kind, label in (("secretKeyRef", "secret"), ("configMapKeyRef", "configmap")):
            key_ref = source.get(kind)
            if key_ref is not None:
                if key_ref.get("optional"):
                    return None
                raise ConfigError(f'{label} "{key_ref.get("name", "")}" not found')
        ref = source.get("fieldRef")
        if not ref:
            return None
        path = ref.get("fieldPath", "")
        meta = pod.get("metadata", {})
        simple = {
            "metadata.name": self.name,
            "metadata.namespace": self.namespace,
            "metadata.uid": self.uid,
            "spec.nodeName": self.node_name,
            "spec.serviceAccountName": self.spec.get("serviceAccountName", "default"),
            "status.podIP": self.pod_ip,
            "status.podIPs": self.pod_ip,
            "status.hostIP": self.host_ip,
            "status.hostIPs": self.host_ip,
        }
        if path in simple:
            return simple[path]
        for prefix, field in (("metadata.labels['", "labels"), ("metadata.annotations['", "annotations")):
            if path.startswith(prefix) and path.endswith("']"):
                return str((meta.get(field) or {}).get(path[len(prefix) : -2], ""))
        return None

    def event(
        self,
        runner: ContainerRef | None,
        reason: str,
        message: str,
        *,
        type_: str = "Normal",
        component: str = "kubelet",
    ) -> None:
        """Record an event, counting repeats on one Event like the real recorder."""
        pod = self.current()
        if pod is None:
            return
        field_path = runner.field_path if runner is not None else ""
        key = (field_path, reason, message, type_)
        name = self._events.get(key)
        existing = self.cluster.get("Event", self.namespace, name) if name else None
        if existing is not None:
            existing["count"] = int(existing.get("count", 1)) + 1
            existing["lastTimestamp"] = now_rfc3339()
            self.cluster.put(existing)
            return
        ev = self.cluster.record_event(
            pod, reason, message, type_=type_, field_path=field_path, component=component
        )
        self._events[key] = ev["metadata"]["name"]

    # -- status ------------------------------------------------------------

    def publish(self) -> None:
        """Write the kubelet-owned part of the pod's status, if it changed."""
        pod = self.current()
        if pod is None:
            return
        status = pod.setdefault("status", {})
        new = self.render(status)
        if all(status.get(k) == v for k, v in new.items()):
            return
        status.update(new)
        self.kubelet.put(pod)

    def render(self, status: Obj) -> Obj:
        spec = self.spec
        init = [json_copy(r.status) for r in self.init_runners]
        app = [json_copy(r.status) for r in self.app_runners]
        out: Obj = {"qosClass": status.get("qosClass") or qos_class(spec)}
        if not self.scheduled:
            cond = condition("PodScheduled", False, "Unschedulable", self.unschedulable) if self.unschedulable else None
            out["phase"] = "Pending"
            if cond is not None:
                out["conditions"] = merge_conditions(status.get("conditions"), [cond])
            return out
        phase = phase_for(spec, init, app, init_failed=self.init_failed)
        out["phase"] = phase
        out["conditions"] = merge_conditions(
            status.get("conditions"),
            pod_conditions(spec, init, app, scheduled=True, sandbox_ready=self.sandbox_ready, phase=phase),
        )
        out["hostIP"] = self.host_ip
        out["hostIPs"] = [{"ip": self.host_ip}]
        out["podIP"] = self.pod_ip
        out["podIPs"] = [{"ip": self.pod_ip}]
        out["startTime"] = self.start_time
        if init:
            out["initContainerStatuses"] = init
        out["containerStatuses"] = app
        eph = [self._ephemeral_status(r) for r in self.eph_runners if r.task is not None]
        if eph:
            for s in eph:
                s.pop("ready", None)
                s["ready"] = False
            out["ephemeralContainerStatuses"] = eph
        if self.node_shutdown:
            out["reason"] = NODE_SHUTDOWN_REASON
            out["message"] = NODE_SHUTDOWN_MESSAGE
        return out

    def _ephemeral_status(self, runner: ContainerRunner) -> Obj:
        """A copy of an ephemeral container's status; one that has ended never
        changes again, so its copy is made once (a pod may carry hundreds)."""
        if not runner.done.is_set():
            status: Obj = json_copy(runner.status)
            return status
        final = self._final_statuses.get(runner.name)
        if final is None or final[0] is not runner:
            final = self._final_statuses[runner.name] = (runner, json_copy(runner.status))
        copied: Obj = final[1]
        return copied


NODE_SHUTDOWN_REASON = "Terminated"
NODE_SHUTDOWN_MESSAGE = "Pod was terminated in response to imminent node shutdown."


async def _first(*aws: Any) -> None:
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()


def json_copy(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars): what a status needs,
    several times cheaper than ``copy.deepcopy`` for a pod's hundreds of them."""
    if isinstance(value, dict):
        return {k: json_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_copy(v) for v in value]
    return value
