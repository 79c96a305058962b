"""Every error the API answers is `application/problem+json` (RFC 9457) with a stable `code` (SPEC §4).

One code has one HTTP status, whoever raises it: a workflow validator (RuleViolation), the API itself,
FastAPI's request validation, or Starlette's routing. A refusal with several reasons (R18) lists each
in `problems`; a request that fails validation names each offending field in `errors`.

Past ~300 lines because the code table is one table (status and title per code, kept side by side with
the handlers that use it), so a code and its status cannot drift apart across modules.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError

from clients.gateway import NO_WORKER, Unavailable
from config.settings import Settings
from domain.errors import Code, Problem, RuleViolation
from telemetry import metrics

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
INTERNAL_ERROR = "INTERNAL_ERROR"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"

STATUS: dict[Code, int] = {
    Code.VALIDATION_ERROR: 422,
    Code.UNAUTHENTICATED: 401,
    Code.FORBIDDEN: 403,
    Code.NOT_FOUND: 404,
    Code.INVALID_STAGE: 409,
    Code.CONFLICT: 409,
    Code.SUPERVISOR_NOT_FOUND: 422,
    Code.SUPERVISOR_NOT_ELIGIBLE: 422,
    Code.HOURS_BELOW_MINIMUM: 422,
    Code.PHOTOS_MISSING: 422,
    Code.REFLECTION_RECORD_MISSING: 422,
    Code.SUPERVISOR_NOT_CONFIRMED: 422,
    Code.UPLOAD_INVALID: 422,
    Code.DUPLICATE_EVIDENCE: 409,  # R16: the same picture is already on record
    Code.REFLECTION_FORMAT_MISMATCH: 422,  # R17
    Code.RATE_LIMITED: 429,
    # Action links (the /a/{token} pages): a forged or unknown link reveals nothing, a spent one is gone.
    Code.TOKEN_INVALID: 404,
    Code.TOKEN_EXPIRED: 410,
    Code.TOKEN_USED: 410,
    Code.UNAVAILABLE: 503,
    Code.PRECONDITION_FAILED: 412,
    # The IETF Idempotency-Key draft: the same key with another request body is the client's error.
    Code.IDEMPOTENCY_KEY_REUSED: 422,
}

TITLES: dict[str, str] = {
    Code.VALIDATION_ERROR: "The request is not valid",
    Code.UNAUTHENTICATED: "Authentication required",
    Code.FORBIDDEN: "Not allowed for your role",
    Code.NOT_FOUND: "Not found",
    Code.INVALID_STAGE: "Not possible at the project's current stage",
    Code.CONFLICT: "Conflicts with the current state",
    Code.SUPERVISOR_NOT_FOUND: "Teacher not in the faculty directory",
    Code.SUPERVISOR_NOT_ELIGIBLE: "Teacher cannot supervise",
    Code.HOURS_BELOW_MINIMUM: "Not enough counted hours",
    Code.PHOTOS_MISSING: "Participation photos missing",
    Code.REFLECTION_RECORD_MISSING: "Reflection record missing",
    Code.SUPERVISOR_NOT_CONFIRMED: "No confirmed supervisor",
    Code.UPLOAD_INVALID: "Upload refused",
    Code.DUPLICATE_EVIDENCE: "This image is already on record",
    Code.REFLECTION_FORMAT_MISMATCH: "Record does not fit the agreed reflection format",
    Code.RATE_LIMITED: "Too soon",
    Code.TOKEN_INVALID: "Link not valid",
    Code.TOKEN_EXPIRED: "Link expired",
    Code.TOKEN_USED: "Link already used",
    Code.UNAVAILABLE: "Temporarily unavailable",
    Code.PRECONDITION_FAILED: "The project changed since you read it",
    Code.IDEMPOTENCY_KEY_REUSED: "Idempotency-Key already used for another request",
    INTERNAL_ERROR: "Internal error",
    METHOD_NOT_ALLOWED: "Method not allowed",
}


class FieldError(BaseModel):
    """One field that failed validation: where it is in the request and what is wrong with it."""

    loc: list[str | int]
    msg: str
    type: str


class ProblemDetails(BaseModel):
    """An RFC 9457 problem. Branch on `code`, show `detail` to people."""

    type: str = Field(description="A URI naming the problem type: `urn:praxis:problem:<code>`.")
    title: str
    status: int
    detail: str
    code: str = Field(
        description="Stable problem code: one of the SPEC §4 codes ("
        + ", ".join(c.value for c in Code)
        + f"), or {METHOD_NOT_ALLOWED} / {INTERNAL_ERROR}.",
        examples=[Code.INVALID_STAGE.value],
    )
    instance: str | None = Field(default=None, description="The request path the problem occurred on.")
    problems: list[Problem] | None = Field(
        default=None, description="Every reason, when an action was refused for several (R18)."
    )
    errors: list[FieldError] | None = Field(default=None, description="The offending fields (VALIDATION_ERROR).")


class ProblemException(HTTPException):
    """A problem raised where only an HTTPException passes through unchanged (request body parsing)."""

    def __init__(self, code: Code, detail: str) -> None:
        super().__init__(STATUS[code], detail)
        self.code = code


def status_of(code: Code) -> int:
    return STATUS[code]


def problem_response(
    code: str,
    detail: str,
    *,
    status: int,
    instance: str | None = None,
    problems: Sequence[Problem] | None = None,
    errors: Sequence[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    metrics.PROBLEMS.labels(code=code, status=str(status)).inc()
    body = ProblemDetails(
        type=f"urn:praxis:problem:{code}",
        title=TITLES.get(code, "Error"),
        status=status,
        detail=detail,
        code=code,
        instance=instance,
        problems=list(problems) if problems else None,
        errors=list(errors) if errors else None,
    )
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True), status_code=status, headers=headers, media_type=PROBLEM_JSON
    )


def retry_after_seconds(until: datetime, now: datetime | None = None) -> int:
    """Whole seconds until `until`, at least one (RFC 9110 `Retry-After` delay-seconds)."""
    remaining = (until - (now or datetime.now(UTC))).total_seconds()
    return max(1, math.ceil(remaining))


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _rule_violation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RuleViolation)
    headers: dict[str, str] = {}
    if exc.code is Code.UNAUTHENTICATED:
        headers["WWW-Authenticate"] = 'Bearer realm="praxis"'
    if exc.code is Code.RATE_LIMITED:
        seconds = retry_after_seconds(exc.retry_after) if exc.retry_after else _settings(request).retry_after_seconds
        headers["Retry-After"] = str(seconds)
    return problem_response(
        exc.code.value,
        exc.detail,
        status=STATUS[exc.code],
        instance=request.url.path,
        problems=exc.problems if len(exc.problems) > 1 else None,
        headers=headers,
    )


async def _temporal_unreachable(request: Request, exc: Exception) -> JSONResponse:
    """A Temporal call no facade translated (a route talking to a workflow of its own): "no worker / no server
    in time" is 503 like the facades' `Unavailable`; anything else is an internal error."""
    if isinstance(exc, RPCError) and exc.status not in NO_WORKER:
        return await _unexpected(request, exc)
    return await _unavailable(request, Unavailable(f"Temporal did not answer in time: {exc}", maybe_applied=True))


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database is locked past its busy timeout, restarting or unreachable: 503, like a missing worker.
    An action may have been applied before its record could be written, so the answer does not say otherwise."""
    return await _unavailable(
        request,
        Unavailable(
            f"The database did not answer in time ({type(exc).__name__}). An action may have been applied: retry "
            "with the same Idempotency-Key to learn its outcome.",
            maybe_applied=True,
        ),
    )


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Unavailable)
    seconds = _settings(request).retry_after_seconds
    log.warning("project unavailable", path=request.url.path, error=str(exc))
    if exc.maybe_applied:
        detail = f"{exc} Try again in {seconds} seconds."
    else:
        detail = f"The project did not answer in time; nothing was changed. Try again in {seconds} seconds."
    return problem_response(
        Code.UNAVAILABLE.value,
        detail,
        status=503,
        instance=request.url.path,
        headers={"Retry-After": str(seconds)},
    )


def field_errors(errors: Iterable[Any]) -> list[FieldError]:
    return [
        FieldError(
            loc=[part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
            msg=str(error.get("msg", "")),
            type=str(error.get("type", "")),
        )
        for error in errors
    ]


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(exc.errors())
    where = "; ".join(f"{'.'.join(str(p) for p in e.loc)}: {e.msg}" for e in errors[:5])
    return problem_response(
        Code.VALIDATION_ERROR.value,
        f"The request is not valid: {where}." if where else "The request is not valid.",
        status=422,
        instance=request.url.path,
        errors=errors,
    )


# Starlette's own refusals (unknown path, wrong method, unparsable body) in the same shape.
_HTTP_CODES: dict[int, tuple[str, int]] = {
    400: (Code.VALIDATION_ERROR.value, 422),
    401: (Code.UNAUTHENTICATED.value, 401),
    403: (Code.FORBIDDEN.value, 403),
    404: (Code.NOT_FOUND.value, 404),
    405: (METHOD_NOT_ALLOWED, 405),
    409: (Code.CONFLICT.value, 409),
    413: (Code.VALIDATION_ERROR.value, 422),
    422: (Code.VALIDATION_ERROR.value, 422),
}


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if isinstance(exc, ProblemException):
        code, status = exc.code.value, exc.status_code
    else:
        code, status = _HTTP_CODES.get(exc.status_code, (f"HTTP_{exc.status_code}", exc.status_code))
    headers = dict(exc.headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="praxis"')
    return problem_response(code, str(exc.detail), status=status, instance=request.url.path, headers=headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", path=request.url.path, exc_info=exc)
    return problem_response(
        INTERNAL_ERROR,
        "Something went wrong on our side; nothing is known to have changed. Try again later.",
        status=500,
        instance=request.url.path,
    )


def install(app: FastAPI) -> None:
    """Answer every error as a problem (the app must carry `state.settings`)."""
    app.add_exception_handler(RuleViolation, _rule_violation)
    app.add_exception_handler(Unavailable, _unavailable)
    app.add_exception_handler(RPCError, _temporal_unreachable)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(WorkflowUpdateRPCTimeoutOrCancelledError, _temporal_unreachable)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(HTTPException, _http_exception)
    app.add_exception_handler(Exception, _unexpected)


# --- OpenAPI ---------------------------------------------------------------------------------------

_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}}
_WWW_AUTHENTICATE = {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}}
PROBLEM_SCHEMA_REF = {"$ref": "#/components/schemas/ProblemDetails"}


def problems(*codes: Code) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting each problem a route can answer, grouped by status."""
    by_status: dict[int, list[Code]] = {}
    for code in codes:
        by_status.setdefault(STATUS[code], []).append(code)
    documented: dict[int | str, dict[str, Any]] = {}
    for status, listed in sorted(by_status.items()):
        entry: dict[str, Any] = {
            "description": "Problem: " + ", ".join(f"`{c.value}`" for c in listed),
            "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA_REF}},
        }
        if status in (429, 503):
            entry["headers"] = _RETRY_AFTER
        if status == 401:
            entry["headers"] = _WWW_AUTHENTICATE
        documented[status] = entry
    return documented


AUTH = (Code.UNAUTHENTICATED, Code.FORBIDDEN, Code.VALIDATION_ERROR)
READ = (*AUTH, Code.NOT_FOUND, Code.UNAVAILABLE)
ACT = (*READ, Code.INVALID_STAGE, Code.CONFLICT, Code.PRECONDITION_FAILED)
