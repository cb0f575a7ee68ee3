"""The API's wire format, in and out: parsing bodies, and errors worded once.

Pure functions used by ``client.rest`` and ``client.streams`` (the only I/O): a Status
body or a transport failure becomes the matching ``kdebug_nb.errors``
exception, with the server's own message first and, for the common ones, what
to do after `` — ``. This is the one place those hints
are written; they use only the request (method, path, object sent) and the
answer, so every caller — runs, ``status()``, ``pods()`` — gets the same line.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote

from kdebug_nb import errors

JSON = dict[str, Any]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic GC while building many small objects (big lists, frames).

    A 5,000-pod list is ~1M dicts and lists; with the collector running,
    parsing it spends two thirds of its time in collections that free nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_body(raw: bytes | str | None) -> JSON:
    if not raw:
        return {}
    try:
        if len(raw) > 256 * 1024:
            with paused_gc():
                doc = json.loads(raw)
        else:
            doc = json.loads(raw)
    except ValueError:
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        return {"kind": "Status", "message": text.strip()[:500]}
    return doc if isinstance(doc, dict) else {"items": doc}


def status_error(
    code: int, body: JSON, path: str, *, method: str = "", sent: JSON | None = None
) -> errors.ApiError:
    """A Status answer (or any non-2xx) as the matching engine error.

    ``method``, ``path`` and ``sent`` (the object of the request) only shape
    the hint appended to the server's message; the class depends on the answer.
    """
    message = str(body.get("message") or f"the server responded with status {code}")
    reason = str(body.get("reason") or "")
    details = body.get("details") or {}
    kw: dict[str, Any] = {"status": code, "reason": reason, "body": body}
    if code == 404:
        if path.endswith("/ephemeralcontainers") and not details.get("name"):
            return errors.EphemeralContainersDisabled(
                "ephemeral containers are disabled for this cluster "
                f'(error from server: "{message}") — debug a copy instead with --copy-to=NAME',
                **kw,
            )
        return errors.NotFound(message + _not_found_hint(message, details, path), **kw)
    if code == 403:
        return errors.Forbidden(message + _forbidden_hint(message, path, sent), **kw)
    if code == 409 and reason == "AlreadyExists":
        return errors.AlreadyExists(message + _exists_hint(method, path, details), **kw)
    if code == 422:
        # kubectl words Invalid errors as 'The Pod "x" is invalid: ...'
        if details.get("kind") and not message.startswith("The "):
            message = f"The {message}"
        return errors.Invalid(message, **kw)
    if code == 401:
        return errors.ApiError(
            f"you must be logged in to the server (Unauthorized): {message}", **kw
        )
    return errors.ApiError(message, **kw)


# ---- hints ------------------------------------------------------------------

_PATH = re.compile(r"^/api/v1/(?:namespaces/(?P<ns>[^/]+)/?)?(?P<rest>.*)$")
_NOT_FOUND = re.compile(r'^(?P<kind>[\w.]+) "(?P<name>[^"]*)" not found$')
_RBAC = re.compile(
    r'User "[^"]*" cannot (?P<verb>\S+) resource "(?P<resource>[^"]+)" in API group "(?P<group>[^"]*)"'
    r'(?: in the namespace "(?P<ns>[^"]+)")?'
)
_PSA_LEVEL = re.compile(r'violates PodSecurity "(?P<level>\w+):')
_PSA_CONTAINERS = re.compile(r'containers? ("[^"]+"(?:, "[^"]+")*)')
#: capabilities that only the general, netadmin and sysadmin profiles add
_PROFILE_CAPS = frozenset({"SYS_PTRACE", "NET_ADMIN", "NET_RAW"})


def _namespace_of(path: str) -> str:
    match = _PATH.match(path)
    return unquote(match.group("ns")) if match and match.group("ns") else ""


def _not_found_hint(message: str, details: JSON, path: str) -> str:
    match = _NOT_FOUND.match(message)
    kind = str(details.get("kind") or (match.group("kind") if match else ""))
    ns = _namespace_of(path)
    if kind == "pods" and ns:
        return (
            f' — in namespace "{ns}" (-n picks another); see which exist with '
            f'kubectl get pods -n {ns} or kdebug_nb.pods("{ns}")'
        )
    if kind == "nodes":
        return " — see which exist with kubectl get nodes"
    if kind == "namespaces":
        return " — check the -n value; see which exist with kubectl get namespaces"
    return ""


def _exists_hint(method: str, path: str, details: JSON) -> str:
    # only a copy (or node) pod is ever POSTed by a run, and node pods get random names
    if method != "POST" or not path.endswith("/pods") or details.get("kind") not in (None, "pods"):
        return ""
    name = str(details.get("name") or "NAME")
    ns = _namespace_of(path)
    return (
        " — choose another --copy-to name, or delete the old copy: "
        f"kubectl delete pod {name}" + (f" -n {ns}" if ns else "")
    )


def _forbidden_hint(message: str, path: str, sent: JSON | None) -> str:
    rbac = _RBAC.search(message)
    if rbac:
        group = rbac.group("group")
        what = f"{rbac.group('resource')}" + (f" (API group {group})" if group else "")
        where = f' in namespace "{rbac.group("ns")}"' if rbac.group("ns") else ""
        return (
            f" — ask for permission to {rbac.group('verb')} {what}{where}, "
            "or use another context (--context)"
        )
    psa = _PSA_LEVEL.search(message)
    if psa and sent is not None:
        return _pod_security_hint(psa.group("level"), message, path, sent)
    return ""


def _pod_security_hint(level: str, message: str, path: str, sent: JSON) -> str:
    """Suggest a --profile only where one would pass ``level``.

    A violation the profile did not cause (an explicit --custom, or the
    restricted profile already in use) gets no profile hint: it would not help.
    """
    ns = _namespace_of(path)
    enforces = f'namespace "{ns}" enforces' if ns else "the namespace enforces"
    if level == "restricted":
        named = {n.strip('"') for group in _PSA_CONTAINERS.findall(message) for n in group.split(", ")}
        containers = [c for c in _containers(sent) if c.get("name") in named]
        if containers and all(_is_restricted(c) for c in containers):
            return ""
        return f' — try --profile=restricted ({enforces} Pod Security "restricted")'
    if level == "baseline" and _has_profile_powers(sent):
        return f' — try --profile=baseline or --profile=restricted ({enforces} Pod Security "baseline")'
    return ""


def _containers(obj: JSON) -> list[JSON]:
    spec = obj.get("spec") or {}
    out: list[JSON] = []
    for key in ("initContainers", "containers", "ephemeralContainers"):
        out.extend(c for c in spec.get(key) or [] if isinstance(c, dict))
    return out


def _is_restricted(container: JSON) -> bool:
    """What --profile=restricted sets on the debug container (--custom may add to it)."""
    sc = container.get("securityContext") or {}
    caps = sc.get("capabilities") or {}
    return (
        sc.get("runAsNonRoot") is True
        and sc.get("allowPrivilegeEscalation") is False
        and "ALL" in (caps.get("drop") or [])
    )


def _has_profile_powers(obj: JSON) -> bool:
    """Host namespaces, the host-root volume, privilege or extra capabilities a profile adds."""
    spec = obj.get("spec") or {}
    if any(spec.get(k) is True for k in ("hostNetwork", "hostPID", "hostIPC")):
        return True
    if any("hostPath" in (v or {}) for v in spec.get("volumes") or []):
        return True
    for container in _containers(obj):
        sc = container.get("securityContext") or {}
        if sc.get("privileged") is True:
            return True
        if _PROFILE_CAPS & set((sc.get("capabilities") or {}).get("add") or []):
            return True
    return False


def translate_transport(
    exc: BaseException, server: str, timeout: float | None = None
) -> errors.KDebugError:
    """A transport failure of a request whose read timeout was ``timeout`` seconds."""
    from kubernetes.client.exceptions import ApiException

    if isinstance(exc, ApiException) and exc.status:
        return status_error(exc.status, parse_body(exc.body), "")
    return unreachable(server, exc, timeout)


def unreachable(
    server: str, exc: BaseException, timeout: float | None = None
) -> errors.ConnectionFailed:
    """The error for a server that could not be reached, naming its URL.

    A read that timed out after ``timeout`` seconds says so: the server took
    the connection and did not answer (frozen, overloaded, or not an API server).
    """
    why = _why(exc)
    if why == "timed out" and timeout is not None:
        error = errors.ConnectionFailed(
            f"the Kubernetes API server at {server} did not answer within {timeout:g}s "
            "(--request-timeout) — is the cluster running? A busy one may need a longer "
            "--request-timeout",
        )
        error.timed_out = True
        return error
    return errors.ConnectionFailed(
        f"cannot reach the Kubernetes API server at {server}: {why} — is the cluster running?",
        suggest_cluster=True,
    )


def lost(server: str, exc: BaseException, when: str = "") -> errors.ConnectionFailed:
    """The error for a server that went away while a stream (watch, log) was open.

    ``when`` (e.g. `` just after dbg exited``) goes before the hint.
    """
    return errors.ConnectionFailed(
        f"lost the connection to the Kubernetes API server at {server} ({_why(exc)}){when} — "
        "is the cluster still running?",
    )


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps: urllib3 keeps the cause in ``.reason``."""
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and all(cur is not seen for seen in chain):
        chain.append(cur)
        reason = getattr(cur, "reason", None)
        cur = reason if isinstance(reason, BaseException) else (cur.__cause__ or cur.__context__)
    return chain


#: http.client/urllib3 errors for an answer the server stopped sending halfway
_BROKEN_ANSWER = frozenset({"IncompleteRead", "InvalidChunkLength", "ProtocolError"})


def _why(exc: BaseException) -> str:
    """A few words for why a connection failed (``connection refused``, ...)."""
    chain = _causes(exc)
    text = " ".join(str(e) for e in chain).lower()
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
        return "connection refused"
    if "timed out" in text or "timeout" in text:
        return "timed out"
    if "name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    if "certificate" in text or "ssl" in text:
        return "TLS handshake failed"
    if any(isinstance(e, ConnectionResetError) for e in chain) or "reset" in text:
        return "connection reset"
    if "remote end closed" in text or "connection aborted" in text:
        return "connection closed by the server"
    if any(type(e).__name__ in _BROKEN_ANSWER for e in chain) or "connection broken" in text:
        # http.client's words for a body cut off mid-chunk: b'' where a chunk size was due
        return "connection closed by the server mid-answer"
    last = str(chain[-1]).splitlines()[0] if str(chain[-1]) else type(chain[-1]).__name__
    return last[:200]


_WARNING = re.compile(r'\d{3} \S+ "((?:[^"\\]|\\.)*)"')


def warning_messages(values: list[str]) -> list[str]:
    """The texts of RFC 7234 ``Warning`` headers (``299 - "text"``), as kubectl prints them."""
    out: list[str] = []
    for value in values:
        for quoted in _WARNING.findall(value):
            out.append(re.sub(r"\\(.)", r"\1", quoted))
    return out
