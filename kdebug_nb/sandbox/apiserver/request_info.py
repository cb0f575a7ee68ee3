"""What a request asks for, derived from its method, path and query alone.

This mirrors the API server's ``RequestInfoFactory``: it runs before routing,
so authorization and the request log see the same verb/resource/name for
every path, including the kubelet's streaming ones and paths no route serves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: subresources that open a connection to a container; RBAC wants "create"
#: for them whatever the HTTP method (websockets arrive as GET)
CONNECT_SUBRESOURCES = frozenset({"exec", "attach", "portforward", "proxy"})

_TRUE = frozenset({"1", "true", "True", "TRUE", "yes"})


@dataclass(frozen=True)
class RequestInfo:
    path: str
    is_resource: bool
    verb: str
    api_group: str = ""
    api_version: str = ""
    namespace: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""

    @property
    def rbac_resource(self) -> str:
        """``pods`` or ``pods/ephemeralcontainers`` — what RBAC rules name."""
        return f"{self.resource}/{self.subresource}" if self.subresource else self.resource


def is_true(value: str | None) -> bool:
    return value is not None and value in _TRUE


def parse_request_info(method: str, path: str, query: Mapping[str, str]) -> RequestInfo:
    parts = [p for p in path.strip("/").split("/") if p]
    lower = method.lower()
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return RequestInfo(path=path, is_resource=False, verb=lower)
    if not rest:
        return RequestInfo(path=path, is_resource=False, verb=lower)

    watch_prefix = False
    if rest[0] == "watch":
        watch_prefix, rest = True, rest[1:]
        if not rest:
            return RequestInfo(path=path, is_resource=False, verb=lower)

    namespace = ""
    if rest[0] == "namespaces" and len(rest) == 2:
        # The API server files a namespace object under its own namespace.
        namespace, resource, name, sub = rest[1], "namespaces", rest[1], ""
    elif rest[0] == "namespaces" and len(rest) >= 3:
        # /namespaces/{ns}/{resource}... — except namespace subresources
        # like /namespaces/{ns}/status, which are the namespace itself.
        if rest[2] in ("status", "finalize") and len(rest) == 3:
            namespace, resource, name, sub = rest[1], "namespaces", rest[1], rest[2]
        else:
            namespace = rest[1]
            resource = rest[2]
            name = rest[3] if len(rest) > 3 else ""
            sub = "/".join(rest[4:])
    else:
        resource = rest[0]
        name = rest[1] if len(rest) > 1 else ""
        sub = "/".join(rest[2:])

    verb = {
        "get": "get",
        "head": "get",
        "post": "create",
        "put": "update",
        "patch": "patch",
        "delete": "delete",
    }.get(lower, lower)
    if verb == "get" and (watch_prefix or is_true(query.get("watch"))):
        verb = "watch"
    elif verb == "get" and not name:
        verb = "list"
    elif verb == "delete" and not name:
        verb = "deletecollection"
    if sub in CONNECT_SUBRESOURCES:
        verb = "create"
    return RequestInfo(
        path=path,
        is_resource=True,
        verb=verb,
        api_group=group,
        api_version=version,
        namespace=namespace,
        resource=resource,
        subresource=sub,
        name=name,
    )
