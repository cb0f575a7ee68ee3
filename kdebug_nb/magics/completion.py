"""Tab completion for the magics, in every frontend (IPython's completer hook).

Cluster lookups (pods, nodes, namespaces, containers) run on one background
thread and are cached for a few seconds; a completion request waits at most
``KDebug.completion_timeout`` for a fresh answer and otherwise returns what
the cache has (possibly nothing), so a slow or absent cluster never blocks a
keystroke.
"""

from __future__ import annotations

import re
import shlex
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from kdebug_nb.magics.state import KDebugState

#: seconds a cluster answer is considered fresh
CACHE_TTL = 10.0
IMAGES = ("busybox", "busybox:1.36", "alpine", "nicolaka/netshoot", "ubuntu")


class LookupCache:
    """Cached cluster lookups that never make a caller wait longer than asked."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        # re-entrant: add_done_callback runs the callback at once when the
        # lookup already finished, while get() still holds the lock
        self._lock = threading.RLock()
        self._cache: dict[tuple[Any, ...], tuple[float, list[str]]] = {}
        self._pending: dict[tuple[Any, ...], Future[list[str]]] = {}

    def get(self, key: tuple[Any, ...], fetch: Callable[[], list[str]], wait: float) -> list[str]:
        # imported on first completion, not at %load_ext time
        from concurrent.futures import ThreadPoolExecutor
        from concurrent.futures import TimeoutError as FutureTimeout

        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and now - hit[0] < CACHE_TTL:
                return hit[1]
            future = self._pending.get(key)
            if future is None:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(1, thread_name_prefix="kdebug-complete")
                future = self._pool.submit(fetch)
                self._pending[key] = future
                future.add_done_callback(partial(self._store, key))
        try:
            return future.result(timeout=max(wait, 0.0))
        except FutureTimeout:
            return hit[1] if hit is not None else []
        except Exception:  # an unreachable cluster completes nothing
            return hit[1] if hit is not None else []

    def _store(self, key: tuple[Any, ...], future: Future[list[str]]) -> None:
        with self._lock:
            self._pending.pop(key, None)
            if future.exception() is None:
                self._cache[key] = (time.monotonic(), future.result())

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _words(text: str) -> list[str]:
    """Words of the line so far; an unfinished quote is closed for splitting."""
    for closing in ("", '"', "'"):
        try:
            words = shlex.split(text + closing)
            break
        except ValueError:
            continue
    else:
        words = text.split()
    if text and text[-1].isspace():
        words.append("")
    return words or [""]


class Completer:
    """The ``complete_command`` hook for ``%kdebug``, ``%%kdebug``, ``%kstatus``, ..."""

    def __init__(self, state: KDebugState) -> None:
        self.state = state
        self.cache = LookupCache()

    # IPython calls hooks as methods of the shell: (shell, event)
    def __call__(self, _shell: Any, event: Any) -> list[str]:
        line = getattr(event, "text_until_cursor", None) or event.line
        words = _words(line.lstrip())
        magic, words = words[0].lstrip("%"), words[1:] or [""]
        try:
            return self.complete(magic, words)
        except Exception:  # completion must never raise into the frontend
            return []

    def complete(self, magic: str, words: list[str]) -> list[str]:
        """Candidates for the last word of ``words`` (the words after the magic's name)."""
        if magic == "ksandbox":
            return self._simple(words, ["start", "stop", "status", "--scenario", "--port"],
                                {"--scenario": ["default", "locked-down"]})
        if magic == "khistory":
            return self._simple(words, ["--export", "--all", "--clear"], {})
        if magic == "kstatus":
            return self._kstatus(words)
        if magic in ("klogs", "kevents"):
            return self._pod_reader(magic, words)
        return self._kdebug(words)

    # ---- per magic ----------------------------------------------------------

    def _simple(self, words: list[str], options: list[str], values: dict[str, list[str]]) -> list[str]:
        current, prev = words[-1], (words[-2] if len(words) > 1 else "")
        if prev in values:
            return values[prev]
        return [o for o in options if o.startswith(current)]

    def _kstatus(self, words: list[str]) -> list[str]:
        current, prev = words[-1], (words[-2] if len(words) > 1 else "")
        namespace = _flag_value(words[:-1], ("-n", "--namespace"))
        if prev in ("-n", "--namespace"):
            return self.namespaces()
        if prev in ("-l", "--selector"):
            return []
        if current.startswith("-"):
            return [f for f in ("-n", "--namespace", "-l", "--selector", "-A", "--all-namespaces")
                    if f.startswith(current)]
        return self.pods(namespace)

    def _pod_reader(self, magic: str, words: list[str]) -> list[str]:
        """``%klogs POD [-c C] [-p] [--tail N] [--since D] [-n NS]``, ``%kevents [POD] [-l S] ...``."""
        current, prev = words[-1], (words[-2] if len(words) > 1 else "")
        before = words[:-1]
        namespace = _flag_value(before, ("-n", "--namespace"))
        if prev in ("-n", "--namespace"):
            return self.namespaces()
        if prev in ("-c", "--container"):
            pod = _positional(before, _READER_VALUES)
            return [c for c in self.containers(namespace, pod) if c.startswith(current)] if pod else []
        if prev in _READER_VALUES:
            return []
        if current.startswith("-"):
            flags = _READER_FLAGS[magic]
            return [f for f in flags if f.startswith(current)]
        return [p for p in self.pods(namespace) if p.startswith(current)]

    def _kdebug(self, words: list[str]) -> list[str]:
        if "--" in words[:-1]:
            return []  # the command: not ours to complete
        current, prev = words[-1], (words[-2] if len(words) > 1 else "")
        before = words[:-1]
        namespace = _flag_value(before, ("-n", "--namespace"))
        flag, value = current, None
        if current.startswith("--") and "=" in current:
            flag, value = current.split("=", 1)
        elif prev.startswith("-") and _takes_value(prev) and "=" not in prev:
            flag, value = prev, current
        if value is not None:
            return self._values(flag, value, before, namespace)
        if current.startswith("-"):
            return [f for f in _flag_names() if f.startswith(current)]
        if re.match(r"^(node|nodes|no)/", current):
            kind = current.split("/", 1)[0]
            return [f"{kind}/{n}" for n in self.nodes()]
        return [*self.pods(namespace), *(f"node/{n}" for n in self.nodes())]

    def _values(self, flag: str, value: str, before: list[str], namespace: str) -> list[str]:
        spec = _flag(flag)
        name = spec.name if spec is not None else flag.lstrip("-")
        if spec is not None and spec.choices:
            out = list(spec.choices)  # --profile, -o, --image-pull-policy, --dry-run
        elif name == "namespace":
            out = self.namespaces()
        elif name in ("container", "target"):
            target = _first_target(before)
            out = self.containers(namespace, target) if target else []
        elif name == "image":
            out = list(IMAGES)
        elif name == "context":
            out = self.contexts()
        else:
            out = []
        return [v for v in out if v.startswith(value)]

    # ---- cluster lookups ------------------------------------------------------

    def _lookup(self, key: tuple[Any, ...], fetch: Callable[[Any], list[str]]) -> list[str]:
        settings = self.state.settings()
        conn = self.state.connection(settings)
        if conn is None:
            from kdebug_nb.engine import default_session

            conn = default_session().connection

        def run() -> list[str]:
            from kdebug_nb.engine import ClusterClient

            return fetch(ClusterClient(conn))

        return self.cache.get((conn, *key), run, settings.completion_timeout)

    def _ns(self, namespace: str) -> str:
        return namespace or self.state.settings().namespace

    def pods(self, namespace: str = "") -> list[str]:
        ns = self._ns(namespace)
        return self._lookup(("pods", ns), lambda c: _names(c.list_pods(ns or c.namespace)))

    def nodes(self) -> list[str]:
        return self._lookup(("nodes",), lambda c: _names(c.list_nodes()))

    def namespaces(self) -> list[str]:
        return self._lookup(("namespaces",), lambda c: _names(c.list_namespaces()))

    def containers(self, namespace: str, pod: str) -> list[str]:
        ns = self._ns(namespace)
        pod = pod.split("/", 1)[1] if "/" in pod else pod

        def fetch(c: Any) -> list[str]:
            spec = c.read_pod(ns or c.namespace, pod).get("spec") or {}
            return [
                str(x.get("name"))
                for key in ("containers", "initContainers", "ephemeralContainers")
                for x in spec.get(key) or []
            ]

        return self._lookup(("containers", ns, pod), fetch)

    def contexts(self) -> list[str]:
        def fetch() -> list[str]:
            from kubernetes.config import list_kube_config_contexts

            try:
                contexts, _ = list_kube_config_contexts(self.state.settings().kubeconfig or None)
            except Exception:
                return []
            return [str(c.get("name")) for c in contexts]

        return self.cache.get(("contexts",), fetch, self.state.settings().completion_timeout)


#: flags of %klogs/%kevents that take the next word as their value
_READER_VALUES = ("-n", "--namespace", "-c", "--container", "--tail", "--since", "-l", "--selector")
_READER_FLAGS = {
    "klogs": ("-c", "--container", "-p", "--previous", "--tail", "--since", "-n", "--namespace"),
    "kevents": ("-l", "--selector", "--tail", "-n", "--namespace"),
}


def _positional(words: list[str], valued: tuple[str, ...]) -> str:
    """The first word that is neither a flag nor a flag's value."""
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in valued:
            skip = True
        elif not word.startswith("-"):
            return word
    return ""


def _names(listing: dict[str, Any]) -> list[str]:
    return sorted(str((i.get("metadata") or {}).get("name", "")) for i in listing.get("items") or [])


def _flag(word: str) -> Any:
    """The grammar's Flag for ``--name``/``-x`` (None for an unknown word)."""
    from kdebug_nb.engine import FLAGS

    for f in FLAGS:
        if word == f"--{f.name}" or (f.short and word == f"-{f.short}"):
            return f
    return None


def _flag_names() -> list[str]:
    from kdebug_nb.engine import FLAGS

    names = [f"--{f.name}" for f in FLAGS if f.group != "fleet"]
    names += [f"-{f.short}" for f in FLAGS if f.short and f.group != "fleet"]
    return sorted(names)


def _takes_value(word: str) -> bool:
    spec = _flag(word)
    return spec is not None and bool(spec.takes_value)


def _flag_value(words: list[str], names: tuple[str, ...]) -> str:
    value = ""
    for i, word in enumerate(words):
        if word in names and i + 1 < len(words):
            value = words[i + 1]
        for name in names:
            if name.startswith("--") and word.startswith(name + "="):
                value = word.split("=", 1)[1]
    return value


def _first_target(words: list[str]) -> str:
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word == "--":
            break
        if word.startswith("-"):
            skip = "=" not in word and _takes_value(word)
            continue
        if not word.startswith(("node/", "nodes/", "no/")):
            return word
    return ""
