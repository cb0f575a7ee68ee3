"""Where the engine's API requests go: kubeconfig, context and namespace.

A ``Connection`` names a cluster the way kubectl does (``--kubeconfig``,
``--context``, ``-n``). ``resolve()`` turns it into an authenticated
``ApiClient`` plus the effective namespace, once per process: loading a
kubeconfig (and running an exec credential plugin) is far slower than a
request, so clients are cached per Connection.

Lookup order: explicit kubeconfig/context, then ``$KUBECONFIG`` (read as
kubectl reads the list: ``client.kubeconfig_files``) or ``~/.kube/config``,
then ``--server`` alone, then the in-cluster service account (JupyterHub
running on Kubernetes). kubectl's other connection flags apply on top
(``Connection.with_overrides``). Credentials never leave the client configuration: nothing
here logs, prints or stores a token or certificate.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypedDict

from kdebug_nb.engine.client.kubeconfig_files import KubeconfigFile, read_kubeconfigs
from kdebug_nb.engine.ratelimit import RequestGate
from kdebug_nb.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from kubernetes.client.api_client import ApiClient

    from kdebug_nb.engine.debug_options import DebugOptions

_SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


@dataclass(frozen=True)
class Connection:
    """A cluster as kubectl's global flags name it; ``None`` means "the default".

    Beyond ``--kubeconfig/--context/-n``, kubectl's connection overrides
    (``--server``, ``--token``, ``--as``, ``--certificate-authority``,
    ``--insecure-skip-tls-verify``, ``--request-timeout``) apply on top of the
    kubeconfig as client-go's ``ConfigOverrides`` do; ``--server`` alone works
    with no kubeconfig at all. The token never shows in ``repr``.
    """

    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    server: str | None = None
    token: str | None = field(default=None, repr=False)
    #: ``--as``: the user to impersonate (``Impersonate-User`` header)
    impersonate: str | None = None
    certificate_authority: str | None = None
    insecure_skip_tls_verify: bool = False
    #: ``--request-timeout`` in seconds for ordinary requests; None: the
    #: engine's default (60 s a request), ``math.inf``: no limit (kubectl's 0)
    request_timeout: float | None = None

    def resolve(self) -> Resolved:
        """The cached, authenticated client for this connection."""
        signature = _signature(self.kubeconfig)
        # One client per cluster and user, whatever the namespace: runs in many
        # namespaces (a fleet run with -A) share its connections and rate limit.
        key = replace(self, namespace=None) if self.namespace else self
        with _LOCK:
            cached = _CACHE.get(key)
            if cached is None or cached[0] != signature:
                resolved = _load(key)
                # a rewritten kubeconfig (a restarted sandbox on a new port) is reloaded
                _CACHE[key] = (signature, resolved)
                if cached is not None:
                    _close_quietly(cached[1])
                cached = _CACHE[key]
        base = cached[1]
        return replace(base, namespace=self.namespace) if self.namespace else base

    def with_flags(
        self, kubeconfig: str = "", context: str = "", namespace: str = ""
    ) -> Connection:
        """This connection with kubectl's ``--kubeconfig/--context/-n`` applied on top."""
        if not (kubeconfig or context or namespace):
            return self
        return replace(
            self,
            kubeconfig=kubeconfig or self.kubeconfig,
            context=context or self.context,
            namespace=namespace or self.namespace,
        )

    def with_overrides(self, overrides: ConnectionOverrides) -> Connection:
        """This connection with kubectl's other connection flags applied on top."""
        changes: dict[str, Any] = {k: v for k, v in overrides.items() if v}
        return replace(self, **changes) if changes else self


class ConnectionOverrides(TypedDict, total=False):
    """kubectl's connection flags beyond ``--kubeconfig/--context/-n`` (empty: not given)."""

    server: str
    token: str
    impersonate: str
    certificate_authority: str
    insecure_skip_tls_verify: bool
    request_timeout: float


@dataclass(frozen=True)
class Resolved:
    """A loaded connection: the client and what it resolved to."""

    api_client: ApiClient
    namespace: str
    server: str
    context: str  # context name, "in-cluster", or "" (flags only)
    #: seconds an ordinary request may take (``--request-timeout``); None: the
    #: default, ``math.inf``: no limit
    request_timeout: float | None = None
    #: the rate limit and 429 policy every client of this connection shares
    gate: RequestGate = field(default_factory=RequestGate, compare=False)


_LOCK = threading.Lock()
_CACHE: dict[Connection, tuple[tuple[Any, ...], Resolved]] = {}


def clear_cache() -> None:
    """Forget every loaded client (e.g. after a kubeconfig file was rewritten)."""
    with _LOCK:
        for _sig, resolved in _CACHE.values():
            _close_quietly(resolved)
        _CACHE.clear()


def _close_quietly(resolved: Resolved) -> None:
    try:
        resolved.api_client.close()
    except Exception:  # closing is best effort; the pool may be gone
        pass


def _signature(explicit: str | None) -> tuple[Any, ...]:
    """What the loaded configuration depends on: files' identity and the environment."""
    env = os.environ.get("KUBECONFIG", "")
    paths = [explicit] if explicit else env.split(os.pathsep) if env else ["~/.kube/config"]
    sig: list[Any] = [env, os.environ.get("KUBERNETES_SERVICE_HOST", "")]
    for p in paths:
        try:
            st = os.stat(os.path.expanduser(p))
            sig.append((p, st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            sig.append((p, None))
    return tuple(sig)


def _load(conn: Connection) -> Resolved:
    if conn.kubeconfig and not os.path.exists(os.path.expanduser(conn.kubeconfig)):
        raise ConfigError(f"kubeconfig {conn.kubeconfig} does not exist", suggest_cluster=True)
    files, missing = read_kubeconfigs(conn.kubeconfig)
    if files:
        return _load_kubeconfig(conn, files)
    if conn.context:
        raise ConfigError(
            f'context "{conn.context}" not found: no kubeconfig found', suggest_cluster=True
        )
    if conn.server:
        return _load_flags_only(conn)
    if os.environ.get("KUBERNETES_SERVICE_HOST") and os.path.exists(f"{_SA_DIR}/token"):
        return _load_incluster(conn)
    if os.environ.get("KUBECONFIG") and missing:
        raise ConfigError(
            "no Kubernetes configuration found: $KUBECONFIG names no file that exists "
            f"(missing: {', '.join(missing)})",
            suggest_cluster=True,
        )
    raise ConfigError(
        "no Kubernetes configuration found (no --kubeconfig, $KUBECONFIG, ~/.kube/config "
        "or in-cluster service account)",
        suggest_cluster=True,
    )


def _load_kubeconfig(conn: Connection, files: list[KubeconfigFile]) -> Resolved:
    from kubernetes.client.api_client import ApiClient
    from kubernetes.client.configuration import Configuration
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.kube_config import load_kube_config

    paths = [f.path for f in files]
    shown = os.pathsep.join(paths)
    merged: dict[str, Any] = {"contexts": [], "current-context": ""}
    for f in files:
        merged["contexts"].extend(f.doc.get("contexts") or [])
        # kubectl: the first file that sets current-context wins
        merged["current-context"] = merged["current-context"] or f.doc.get("current-context", "")
    names = [c.get("name") for c in merged["contexts"] if isinstance(c, dict)]
    context = conn.context or merged["current-context"]
    if not context and conn.server:
        return _load_flags_only(conn)
    if not context:
        raise ConfigError(f"kubeconfig {shown} has no current context; pass --context", suggest_cluster=True)
    if context not in names:
        available = ", ".join(str(n) for n in names) or "none"
        raise ConfigError(
            f'context "{context}" not found in kubeconfig {shown} (available: {available})'
        )
    entry = next(c for c in merged["contexts"] if c.get("name") == context)
    ctx_ns = ((entry.get("context") or {}).get("namespace")) or "default"

    cfg = Configuration()
    try:
        load_kube_config(
            config_file=os.pathsep.join(paths),
            context=context,
            client_configuration=cfg,
            persist_config=False,
        )
    except (ConfigException, OSError, KeyError, TypeError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"invalid kubeconfig {shown} (context {context}): {first}") from exc
    _override(cfg, conn)
    _tune(cfg)
    client = ApiClient(cfg)
    _impersonate(client, conn)
    return Resolved(client, conn.namespace or ctx_ns, cfg.host, context, conn.request_timeout)


def _load_flags_only(conn: Connection) -> Resolved:
    """A cluster named by ``--server`` (and the other flags) alone, as kubectl allows."""
    from kubernetes.client.api_client import ApiClient
    from kubernetes.client.configuration import Configuration

    cfg = Configuration()
    _override(cfg, conn)
    _tune(cfg)
    client = ApiClient(cfg)
    _impersonate(client, conn)
    return Resolved(client, conn.namespace or "default", cfg.host, "", conn.request_timeout)


def _override(cfg: Any, conn: Connection) -> None:
    """client-go's ``ConfigOverrides``, applied to a loaded configuration.

    As in ``staging/src/k8s.io/client-go/tools/clientcmd/client_config.go``
    (``getClusterInfo``, ``getUserIdentificationPartialConfig``): the flags win
    over the kubeconfig's values, ``--token`` replaces the kubeconfig user's token
    (an exec plugin's too), and ``--insecure-skip-tls-verify`` drops its CA.
    """
    if conn.certificate_authority and conn.insecure_skip_tls_verify:
        raise UsageError(
            "specifying a root certificates file with the insecure flag is not allowed: "
            "give --certificate-authority or --insecure-skip-tls-verify, not both"
        )
    if conn.server:
        cfg.host = conn.server.rstrip("/")
    if conn.certificate_authority:
        path = os.path.expanduser(conn.certificate_authority)
        if not os.path.isfile(path):
            raise ConfigError(f"--certificate-authority {conn.certificate_authority} does not exist")
        cfg.ssl_ca_cert = path
        cfg.verify_ssl = True
    if conn.insecure_skip_tls_verify:
        import urllib3

        cfg.ssl_ca_cert = None
        cfg.verify_ssl = False
        # asked for explicitly, as in kubectl: no warning on every request
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    if conn.token:
        cfg.api_key = {"authorization": f"Bearer {conn.token}"}
        cfg.api_key_prefix = {}
        # an exec plugin's refresh would put its own token back
        cfg.refresh_api_key_hook = None


def _impersonate(client: Any, conn: Connection) -> None:
    if conn.impersonate:
        client.set_default_header("Impersonate-User", conn.impersonate)


def overrides_of(opts: DebugOptions) -> ConnectionOverrides:
    """The connection flags of a parsed command line (``kdebug --token=... POD``)."""
    out = ConnectionOverrides(
        server=opts.server,
        token=opts.token,
        impersonate=opts.impersonate,
        certificate_authority=opts.certificate_authority,
        insecure_skip_tls_verify=opts.insecure_skip_tls_verify,
    )
    if opts.request_timeout is not None:
        if opts.request_timeout < 0:
            raise UsageError(
                f"invalid --request-timeout {opts.request_timeout:g}s: it must not be negative"
            )
        # kubectl's 0 means "no limit"
        out["request_timeout"] = opts.request_timeout or math.inf
    return out


def _load_incluster(conn: Connection) -> Resolved:
    from kubernetes.client.api_client import ApiClient
    from kubernetes.client.configuration import Configuration
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.incluster_config import InClusterConfigLoader

    cfg = Configuration()
    try:
        # the official loader (token refresh included), pointed at our _SA_DIR
        InClusterConfigLoader(
            token_filename=f"{_SA_DIR}/token", cert_filename=f"{_SA_DIR}/ca.crt"
        ).load_and_set(cfg)
    except ConfigException as exc:
        raise ConfigError(f"in-cluster configuration is broken: {exc}", suggest_cluster=True) from exc
    namespace = conn.namespace or ""
    if not namespace:
        try:
            with open(f"{_SA_DIR}/namespace", encoding="utf-8") as f:
                namespace = f.read().strip()
        except OSError:
            namespace = ""
    _tune(cfg)
    return Resolved(ApiClient(cfg), namespace or "default", cfg.host, "in-cluster")


def _tune(cfg: Any) -> None:
    # Several requests may run at once (a watch next to a log follow, fleet
    # runs); the default pool of 4 connections would serialise them. A fleet
    # run holds up to two streams per pod in flight (--max-concurrency <= 100).
    cfg.connection_pool_maxsize = max(cfg.connection_pool_maxsize or 0, 256)
    # One retry on connection errors: a refused connection must fail fast, the
    # way kubectl does, instead of three silent attempts. None after a
    # timeout: a second attempt would double --request-timeout. 429s are not
    # retried here (urllib3 would give up with a MaxRetryError after one):
    # the engine's RequestGate waits them out, as client-go does.
    cfg.retries = _retry_once_unless_timed_out()


def _retry_once_unless_timed_out() -> Any:
    from urllib3.exceptions import MaxRetryError
    from urllib3.exceptions import TimeoutError as Urllib3Timeout
    from urllib3.util.retry import Retry

    def timed_out(error: BaseException | None) -> bool:
        seen: list[BaseException] = []
        while error is not None and all(error is not e for e in seen):
            if isinstance(error, (TimeoutError, Urllib3Timeout)):
                return True
            seen.append(error)
            # urllib3 wraps the socket's error (ProtocolError("Connection aborted.", err))
            inner = [a for a in getattr(error, "args", ()) if isinstance(a, BaseException)]
            error = inner[0] if inner else error.__cause__ or error.__context__
        return False

    class OnceUnlessTimedOut(Retry):
        def increment(self, method: Any = None, url: Any = None, response: Any = None,
                      error: Any = None, _pool: Any = None, _stacktrace: Any = None) -> Any:
            if timed_out(error):
                raise MaxRetryError(_pool, url or "", error) from error
            return super().increment(method, url, response, error, _pool, _stacktrace)

    return OnceUnlessTimedOut(total=1, respect_retry_after_header=False, raise_on_status=False)
