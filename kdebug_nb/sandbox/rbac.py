"""Authentication and authorization, worded like the API server's RBAC.

Bearer tokens name ``cluster.users``; with no token and ``require_auth`` off
the caller is the cluster admin, as with a typical kind/minikube kubeconfig.
Discovery and health paths are open to any authenticated user, as the
``system:discovery`` role makes them on a real cluster.
"""

from __future__ import annotations

from kdebug_nb.sandbox.cluster import Cluster, User
from kdebug_nb.sandbox.request_info import RequestInfo
from kdebug_nb.sandbox.status import StatusError, forbidden

ADMIN = User(name="kubernetes-admin", token="", allow={"*": {"*"}})


def authenticate(cluster: Cluster, authorization: str | None) -> User:
    """Return the caller, or raise 401 like the API server does."""
    if authorization:
        scheme, _, token = authorization.partition(" ")
        user = cluster.users.get(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise StatusError(401, "Unauthorized")
        return user
    if cluster.policy.require_auth:
        raise StatusError(401, "Unauthorized")
    return ADMIN


def authorize(user: User, info: RequestInfo) -> None:
    """Raise 403 unless ``user`` may do what ``info`` asks."""
    if not info.is_resource or user is ADMIN:
        return
    if user.can(info.verb, info.rbac_resource):
        return
    raise forbidden(forbidden_message(user.name, info), name=info.name, kind=info.resource)


def forbidden_message(username: str, info: RequestInfo) -> str:
    scope = (
        f'in the namespace "{info.namespace}"' if info.namespace else "at the cluster scope"
    )
    why = (
        f'User "{username}" cannot {info.verb} resource "{info.rbac_resource}" '
        f'in API group "{info.api_group}" {scope}'
    )
    qualified = f"{info.resource}.{info.api_group}" if info.api_group else info.resource
    if info.name:
        return f'{qualified} "{info.name}" is forbidden: {why}'
    return f"{qualified} is forbidden: {why}"
