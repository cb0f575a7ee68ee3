"""What one debug run asks for, and what the builders answer.

``DebugOptions`` is the parsed form of kubectl debug's flags plus the
notebook's own; ``kdebug_nb.engine.grammar`` produces it from argv, the Python
API from keyword arguments. ``Plan`` is what a pure builder returns: the exact
object to send and where the debug container will live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from kdebug_nb.engine.ratelimit import DEFAULT_BURST, DEFAULT_QPS

Mode = Literal["ephemeral", "copy", "node"]
PROFILES: tuple[str, ...] = ("legacy", "general", "baseline", "restricted", "netadmin", "sysadmin")
DEFAULT_PROFILE = "general"
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_CONCURRENCY = 10
MAX_CONCURRENCY_LIMIT = 100
DEFAULT_MAX_OUTPUT = 1024 * 1024
ON_INTERRUPT = ("abandon", "wait")


@dataclass(frozen=True)
class DebugOptions:
    """kubectl debug's flags (names as kubectl's, dashes as underscores).

    ``None`` means "not given" wherever kubectl distinguishes an explicit
    value from a default (``attach``, ``share_processes``).
    """

    targets: tuple[str, ...] = ()
    command: tuple[str, ...] = ()
    # kubectl debug flags
    arguments_only: bool = False
    attach: bool | None = None
    container: str = ""
    copy_to: str = ""
    custom: str = ""
    env: tuple[tuple[str, str], ...] = ()  # command-line order, later key wins
    filenames: tuple[str, ...] = ()
    image: str = ""
    image_pull_policy: str = ""
    keep_annotations: bool = False
    keep_init_containers: bool = True
    keep_labels: bool = False
    keep_liveness: bool = False
    keep_readiness: bool = False
    keep_startup: bool = False
    profile: str = DEFAULT_PROFILE
    quiet: bool = False
    replace: bool = False
    same_node: bool = False
    set_image: tuple[tuple[str, str], ...] = ()
    share_processes: bool | None = None
    stdin: bool = False
    target: str = ""
    tty: bool = False
    # kubectl globals
    namespace: str = ""
    context: str = ""
    kubeconfig: str = ""
    server: str = ""
    token: str = field(default="", repr=False)
    impersonate: str = ""  # --as
    certificate_authority: str = ""
    insecure_skip_tls_verify: bool = False
    #: seconds a single request may take; None: the default (60 s), 0: no limit
    request_timeout: float | None = None
    # kdebug_nb's own
    detach: bool = False
    timeout: float = DEFAULT_TIMEOUT
    #: seconds the command may run before following stops (0: no bound)
    run_timeout: float = 0.0
    rm: bool = False
    dry_run: bool = False
    output: str = ""  # "yaml" | "json" with dry_run
    # fleet runs (kdebug_nb.engine.fleet)
    selector: str = ""
    all_namespaces: bool = False
    field_selector: str = ""
    #: 0: the default, DEFAULT_MAX_CONCURRENCY
    max_concurrency: int = 0
    #: bytes of output kept per pod (the rest is dropped and the drop marked)
    max_output: int = DEFAULT_MAX_OUTPUT
    #: what an interrupt does to the runs already going: "abandon" or "wait"
    on_interrupt: str = "abandon"
    #: client-side rate limit of the run's requests (client-go's QPS and Burst; qps 0: none)
    qps: float = DEFAULT_QPS
    burst: int = DEFAULT_BURST
    verbose: bool = False
    #: -h/--help was given: adapters show ``grammar.USAGE`` and run nothing
    help: bool = False
    #: a partial container spec given inline (Python API, tests) instead of a
    #: ``--custom`` file; same rules as the file's content
    custom_spec: dict[str, Any] | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class Plan:
    """The result of a pure builder: what to send, and where to look after."""

    mode: Mode
    namespace: str
    #: the pod that holds the debug container (original, copy or node pod)
    pod_name: str
    #: None for a set-image-only copy: there is no debug container
    container: str | None
    #: the PATCH body (ephemeral) or the Pod to POST (copy, node)
    body: dict[str, Any]
    #: informational lines kubectl prints to stdout (the builders leave them out with -q)
    notices: tuple[str, ...] = ()
    #: warnings kubectl prints to stderr even with -q
    warnings: tuple[str, ...] = ()
    #: --replace: the original pod to delete after the copy is created
    delete_original: str | None = None
    #: the image of the debug container, for results and history
    image: str = ""
