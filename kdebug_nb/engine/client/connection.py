"""Where the engine's API requests go: kubeconfig, context and namespace.

A ``Connection`` names a cluster the way kubectl does (``--kubeconfig``,
``--context``, ``-n``). ``resolve()`` turns it into an authenticated
``ApiClient`` plus the effective namespace, once per process: loading a
kubeconfig (and running an exec credential plugin) is far slower than a
request, so clients are cached per Connection.

Lookup order: explicit kubeconfig/context, then ``$KUBECONFIG`` or
``~/.kube/config``, then the in-cluster service account (JupyterHub running
on Kubernetes). Credentials never leave the client configuration: nothing
here logs, prints or stores a token or certificate.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kdebug_nb.errors import ConfigError

if TYPE_CHECKING:
    from kubernetes.client.api_client import ApiClient

_SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


@dataclass(frozen=True)
class Connection:
    """A cluster as kubectl's global flags name it; ``None`` means "the default"."""

    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None

    def resolve(self) -> Resolved:
        """The cached, authenticated client for this connection."""
        signature = _signature(self.kubeconfig)
        with _LOCK:
            cached = _CACHE.get(self)
            if cached is not None and cached[0] == signature:
                return cached[1]
            resolved = _load(self)
            # a rewritten kubeconfig (a restarted sandbox on a new port) is reloaded
            _CACHE[self] = (signature, resolved)
            if cached is not None:
                _close_quietly(cached[1])
            return resolved

    def with_flags(
        self, kubeconfig: str = "", context: str = "", namespace: str = ""
    ) -> Connection:
        """This connection with kubectl's ``--kubeconfig/--context/-n`` applied on top."""
        if not (kubeconfig or context or namespace):
            return self
        return Connection(
            kubeconfig or self.kubeconfig,
            context or self.context,
            namespace or self.namespace,
        )


@dataclass(frozen=True)
class Resolved:
    """A loaded connection: the client and what it resolved to."""

    api_client: ApiClient
    namespace: str
    server: str
    context: str  # context name, or "in-cluster"


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


def _kubeconfig_paths(explicit: str | None) -> list[str]:
    if explicit:
        path = os.path.expanduser(explicit)
        if not os.path.exists(path):
            raise ConfigError(f"kubeconfig {explicit} does not exist", suggest_cluster=True)
        return [path]
    env = os.environ.get("KUBECONFIG", "")
    if env:
        return [os.path.expanduser(p) for p in env.split(os.pathsep) if p]
    default = os.path.expanduser("~/.kube/config")
    return [default] if os.path.exists(default) else []


def _load(conn: Connection) -> Resolved:
    paths = [p for p in _kubeconfig_paths(conn.kubeconfig) if os.path.exists(p)]
    if paths:
        return _load_kubeconfig(conn, paths)
    if conn.context:
        raise ConfigError(
            f'context "{conn.context}" not found: no kubeconfig found', suggest_cluster=True
        )
    if os.environ.get("KUBERNETES_SERVICE_HOST") and os.path.exists(f"{_SA_DIR}/token"):
        return _load_incluster(conn)
    raise ConfigError(
        "no Kubernetes configuration found (no --kubeconfig, $KUBECONFIG, ~/.kube/config "
        "or in-cluster service account)",
        suggest_cluster=True,
    )


def _load_kubeconfig(conn: Connection, paths: list[str]) -> Resolved:
    import yaml
    from kubernetes.client.api_client import ApiClient
    from kubernetes.client.configuration import Configuration
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.kube_config import load_kube_config

    shown = os.pathsep.join(paths)
    merged: dict[str, Any] = {"contexts": [], "current-context": ""}
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
        except (OSError, yaml.YAMLError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigError(f"cannot read kubeconfig {path}: {first}", suggest_cluster=True) from exc
        if not isinstance(doc, dict):
            raise ConfigError(f"kubeconfig {path} is empty or not a kubeconfig", suggest_cluster=True)
        merged["contexts"].extend(doc.get("contexts") or [])
        # kubectl: the first file that sets current-context wins
        merged["current-context"] = merged["current-context"] or doc.get("current-context", "")
    names = [c.get("name") for c in merged["contexts"] if isinstance(c, dict)]
    context = conn.context or merged["current-context"]
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
    _tune(cfg)
    return Resolved(ApiClient(cfg), conn.namespace or ctx_ns, cfg.host, context)


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
    # runs); the default pool of 4 connections would serialise them.
    cfg.connection_pool_maxsize = max(cfg.connection_pool_maxsize or 0, 16)
    # One retry on connection errors: a refused connection must fail fast, the
    # way kubectl does, instead of three silent attempts.
    cfg.retries = 1
