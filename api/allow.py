"""`Allow` (RFC 9110 §10.2.1) for a path served by several routes: Starlette names only the first route that
matches the path, so a 405 on `/v1/projects` said `Allow: POST` although GET works too. This middleware answers
`OPTIONS` with every method the path takes, and puts the same list on every 405. CORS preflights (with
`Access-Control-Request-Method`) are left to the CORS middleware."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def allowed_methods(routes: Sequence[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route serves at this path, with OPTIONS; empty if no route has the path. Asked of
    the routes themselves, method by method, so routers nested in routers answer too."""
    methods = {
        method
        for method in METHODS
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)
    }
    return sorted(methods | {"OPTIONS"}) if methods else []


class AllowedMethods:
    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        preflight = "access-control-request-method" in Headers(scope=scope)
        methods = allowed_methods(self.routes, scope) if scope["method"] == "OPTIONS" and not preflight else []
        if methods:
            await send(
                {"type": "http.response.start", "status": 204, "headers": [(b"allow", ", ".join(methods).encode())]}
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                allowed = allowed_methods(self.routes, scope)
                if allowed:
                    MutableHeaders(scope=message)["Allow"] = ", ".join(allowed)
            await send(message)

        await self.app(scope, receive, send_with_allow)
