"""SelfSubjectAccessReview (``kubectl auth can-i``): the answer comes from policy.rbac."""

from __future__ import annotations

from aiohttp import web

from kdebug_nb.sandbox.apiserver.common import REQUEST_USER, json_response, read_object
from kdebug_nb.sandbox.policy.rbac import AUTHZ_GROUP, access_review


async def post_access_review(request: web.Request) -> web.Response:
    body = await read_object(request)
    return json_response(access_review(request[REQUEST_USER], body), 201)


def routes() -> list[web.RouteDef]:
    return [web.post(f"/apis/{AUTHZ_GROUP}/v1/selfsubjectaccessreviews", post_access_review)]
