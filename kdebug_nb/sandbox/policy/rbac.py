"""Authentication and authorization, worded like the API server's RBAC.

Bearer tokens name ``cluster.users``; with no token and ``require_auth`` off
(only a sandbox started with ``insecure_http``) the caller is the cluster admin.
Discovery and health paths are open to any authenticated user, as the
``system:discovery`` role makes them on a real cluster, and so is asking
what one may do (SelfSubjectAccessReview, i.e. ``kubectl auth can-i``).
"""

from __future__ import annotations

from typing import Any

from kdebug_nb.sandbox.apiserver.request_info import RequestInfo
from kdebug_nb.sandbox.store.cluster import Cluster, User
from kdebug_nb.sandbox.store.status import StatusError, forbidden

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


def impersonate(cluster: Cluster, user: User, name: str | None) -> User:
    """The user an ``Impersonate-User`` header (``kubectl --as``) asks to act as.

    As the API server's impersonation filter does, the caller needs the
    ``impersonate`` verb on ``users``; the impersonated user then gets exactly
    its own rights (a name the scenario does not know gets none).
    """
    if not name:
        return user
    if user is not ADMIN and not user.can("impersonate", "users"):
        raise forbidden(
            f'users "{name}" is forbidden: User "{user.name}" cannot impersonate resource '
            '"users" in API group "" at the cluster scope',
            name=name,
            kind="users",
        )
    if name == ADMIN.name:
        return ADMIN
    known = next((u for u in cluster.users.values() if u.name == name), None)
    return known or User(name=name, token="")


def authorize(user: User, info: RequestInfo) -> None:
    """Raise 403 unless ``user`` may do what ``info`` asks."""
    if not info.is_resource or user is ADMIN:
        return
    if info.api_group == AUTHZ_GROUP and info.resource.startswith("selfsubject"):
        return
    if user.can(info.verb, info.rbac_resource, info.namespace):
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


# -- SelfSubjectAccessReview (kubectl auth can-i) ---------------------------

AUTHZ_GROUP = "authorization.k8s.io"


def access_review(user: User, body: dict[str, Any]) -> dict[str, Any]:
    """Answer a SelfSubjectAccessReview for ``user`` with the rules above."""
    raw_spec = body.get("spec")
    spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
    attrs = spec.get("resourceAttributes")
    if not isinstance(attrs, dict):
        # Non-resource URLs (discovery, /version...) are open to every user.
        allowed = isinstance(spec.get("nonResourceAttributes"), dict)
        if not allowed:
            raise StatusError(
                422,
                'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: '
                "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified",
            )
        review_status: dict[str, Any] = {"allowed": True}
    else:
        resource = str(attrs.get("resource", ""))
        sub = str(attrs.get("subresource", ""))
        full = f"{resource}/{sub}" if sub else resource
        verb, namespace = str(attrs.get("verb", "")), str(attrs.get("namespace") or "")
        allowed = user is ADMIN or user.can(verb, full, namespace)
        review_status = {"allowed": allowed}
        if allowed and user is not ADMIN:
            review_status["reason"] = f'allowed by the sandbox rules for user "{user.name}"'
    return {
        "kind": "SelfSubjectAccessReview",
        "apiVersion": f"{AUTHZ_GROUP}/v1",
        "metadata": {"creationTimestamp": None},
        "spec": spec,
        "status": review_status,
    }
