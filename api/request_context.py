"""Every request's context: a request id in every log line it causes (and in `X-Request-ID` on the answer),
the project or group it names, one access log line, and the request metrics.

A pure ASGI middleware, so the request id is bound in the very task that runs the route (structlog's
contextvars then reach every log line, the Temporal client's included) and streamed answers pass untouched.
"""

from __future__ import annotations

import random
import re
import time

import structlog
from fastapi import Request
from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from telemetry import metrics

log = structlog.get_logger("api.access")

HEADER = "X-Request-ID"
# A caller's (or a proxy's) id is kept when it is a plain token; anything else is replaced by a fresh one,
# so a log line never carries what a client chose to inject.
_ACCEPTED = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Path parameters that name what a request is about; bound for its log lines.
PATH_IDS = ("project_id", "group_id")
UNMATCHED = "unmatched"


def request_id(supplied: str | None) -> str:
    """The caller's id if it is a plain token of at most 128 characters, else a new random one.

    An id only correlates log lines, it guards nothing: 128 bits from the process's own generator (reseeded in
    every forked child) make it unique without a system call per request, which uuid4 costs."""
    if supplied and _ACCEPTED.match(supplied):
        return supplied
    return f"{random.getrandbits(128):032x}"


async def bind_path_ids(request: Request) -> None:
    """An app-wide dependency (it runs once the route is matched): the project or group id in every log line.
    Async, so it binds in the request's own task rather than a thread pool's copy of the context."""
    structlog.contextvars.bind_contextvars(
        **{name: request.path_params[name] for name in PATH_IDS if name in request.path_params}
    )


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


def _trace_ids() -> dict[str, str]:
    """The trace this request is part of, when tracing is on (its server span is opened outside this one)."""
    context = trace.get_current_span().get_span_context()
    return {"trace_id": format(context.trace_id, "032x")} if context.is_valid else {}


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        supplied = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None)
        rid = request_id(supplied)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (HEADER.lower().encode(), rid.encode())]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=rid, **_trace_ids()):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                seconds = time.perf_counter() - started
                route = route_template(scope)
                method = scope["method"]
                metrics.REQUESTS.labels(route=route, method=method, status=str(status)).inc()
                metrics.REQUEST_SECONDS.labels(route=route, method=method).observe(seconds)
                log.info(
                    "request",
                    method=method,
                    path=scope["path"],
                    route=route,
                    status=status,
                    duration_ms=round(seconds * 1000, 1),
                )
                structlog.contextvars.unbind_contextvars(*PATH_IDS)
