"""``%ksandbox``: a local sandbox cluster for this kernel, no kubeconfig edited.

``start`` runs ``kdebug_nb.sandbox.Sandbox`` on its own background thread and
makes it the default session's connection, so
``%kdebug``, ``%kstatus`` and ``kdebug_nb.debug(...)`` talk to it while the
user's kubeconfig file is left alone. ``stop`` gives the previous default back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from kdebug_nb.errors import KDebugError, UsageError
from kdebug_nb.magics.args import parse_magic_args
from kdebug_nb.magics.errors import guarded

if TYPE_CHECKING:
    from kdebug_nb.magics.state import KDebugState

USAGE = "%ksandbox start [--scenario NAME|PATH] | stop | status"


class SandboxFailed(KDebugError):
    """The sandbox could not start (a bad scenario, no free port...)."""


@dataclass(frozen=True)
class SandboxInfo:
    """Where this kernel's sandbox listens (``info = %ksandbox status``)."""

    running: bool
    url: str = ""
    kubeconfig: str = ""
    context: str = ""
    scenario: str = ""
    #: whether containers are isolated (namespaces) or plain processes, and why
    containers: str = ""

    def __repr__(self) -> str:
        if not self.running:
            return "sandbox: not running (start it with %ksandbox start)"
        return (
            f"sandbox: running at {self.url} (scenario {self.scenario}, context {self.context})\n"
            f"kubectl: kubectl --kubeconfig {self.kubeconfig} get pods"
            + (f"\ncontainers: {self.containers}" if self.containers else "")
        )


@magics_class
class SandboxMagics(Magics):
    """``%ksandbox``."""

    def __init__(self, shell: Any, state: KDebugState) -> None:
        super().__init__(shell)
        self.state = state

    @magic_arguments()
    @argument("action", choices=("start", "stop", "status"), help="What to do with the sandbox.")
    @argument("--scenario", default="", help="Built-in scenario (default, locked-down) or a YAML file.")
    @argument("--port", type=int, default=0, help="Port to listen on (default: any free port).")
    @line_magic
    def ksandbox(self, line: str) -> Any:
        """Start, stop or show a local sandbox cluster for this kernel.

        The sandbox is a Kubernetes-API-compatible server on 127.0.0.1 with a
        simulated kubelet; ``start`` points this kernel's magics and Python API
        at it without touching your kubeconfig file, ``stop`` points them back.
        The default scenario holds the distroless ``neato`` pod, a pod with a
        sidecar, a crashlooping pod, two nodes and a restricted namespace.

        Examples::

            %ksandbox start
            %ksandbox start --scenario locked-down
            info = %ksandbox status      # info.kubeconfig for kubectl
            %ksandbox stop
        """
        settings = self.state.settings()
        return guarded(settings.short_errors, USAGE, lambda: self._ksandbox(line), self.shell)

    def _ksandbox(self, line: str) -> Any:
        args = parse_magic_args(self.ksandbox, line, USAGE)
        if args.action == "start":
            return self.start(args.scenario or None, args.port)
        if args.scenario or args.port:
            raise UsageError("--scenario and --port only go with start")
        if args.action == "stop":
            was = self.info()
            self.state.close()
            print(f"sandbox stopped ({was.url})" if was.running else "sandbox: not running")
            return None
        return self.info()

    def start(self, scenario: str | None, port: int = 0) -> None:
        from kdebug_nb.engine import Connection, default_session
        from kdebug_nb.sandbox import Sandbox

        if self.state.sandbox is not None:
            print(f"{self.info()!r}\n(already running; %ksandbox stop first to change it)")
            return None
        try:
            sandbox = Sandbox(scenario, port=port).start()
            # notebooks run their next cell at once: let the scenario's pods come up first
            pending = sandbox.settle()
        except KDebugError:
            raise
        except Exception as exc:  # SandboxError, ScenarioError, OSError: one line each
            raise SandboxFailed(f"the sandbox did not start: {' '.join(str(exc).split())}") from exc
        session = default_session()
        self.state.previous_connection = session.connection
        self.state.sandbox = sandbox
        session.connection = Connection(
            kubeconfig=str(sandbox.kubeconfig), context=sandbox.context, namespace=None
        )
        print(
            f"sandbox running at {sandbox.url} (scenario {_scenario_name(sandbox)}); "
            "%kdebug, %kstatus and kdebug_nb.* in this kernel now use it "
            "(your kubeconfig is untouched; %ksandbox stop to switch back)"
        )
        if pending:
            print(f"note: {len(pending)} pod(s) still starting: {', '.join(pending[:5])}")
        settings = self.state.settings()
        if settings.kubeconfig or settings.context:
            print(
                "note: %config KDebug.kubeconfig/KDebug.context are set and still win over the "
                "sandbox; set them to '' to use it"
            )
        return None

    def info(self) -> SandboxInfo:
        sandbox = self.state.sandbox
        if sandbox is None:
            return SandboxInfo(running=False)
        return SandboxInfo(
            running=bool(getattr(sandbox, "running", True)),
            url=sandbox.url,
            kubeconfig=str(sandbox.kubeconfig),
            context=sandbox.context,
            scenario=_scenario_name(sandbox),
            containers=_containers(),
        )


def _containers() -> str:
    from kdebug_nb.sandbox.kubelet.runtime import describe_mode

    return describe_mode()


def _scenario_name(sandbox: Any) -> str:
    scenario = getattr(sandbox, "scenario", None)
    return str(getattr(scenario, "name", "") or "default")
