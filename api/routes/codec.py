"""The codec server the Temporal UI calls to show encrypted payloads (SPEC §6; docs/operators.md).

The remote codec protocol (Temporal's samples-go `codec-server/protocol.md`): `POST /codec/decode` and
`POST /codec/encode` take and answer a `Payloads` message as protobuf JSON, `{"payloads": [{"metadata":
{k: base64}, "data": base64}]}`, and name the namespace in `X-Namespace`. Both use the codec of this process's
own Temporal client, so they open exactly what the workers seal. A body that is not Payloads JSON, or a
payload that cannot be opened, is a 422 VALIDATION_ERROR like every malformed request here (the protocol
says 400; the UI treats any non-2xx as a failed decode).

`/codec/session` is where an operator's browser signs in, so the UI's credentialed requests carry a token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated
from urllib.parse import urlsplit

import structlog
from fastapi import APIRouter, FastAPI, Form, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.converter import PayloadCodec

from api.auth import Claims
from api.codec_access import (
    COOKIE,
    PREFIX,
    CodecCors,
    CodecReader,
    clear_session_cookie,
    set_session_cookie,
    verify_reader,
)
from api.deps import SettingsDep, TemporalDep
from api.pages import render
from clients.codec import PayloadDecryptionError
from config.settings import Settings
from domain.errors import Code, RuleViolation

log = structlog.get_logger(__name__)

router = APIRouter(prefix=PREFIX, tags=["codec"], include_in_schema=False)

Namespace = Annotated[str, Header(alias="X-Namespace", min_length=1, max_length=1000)]
Transform = Callable[[Sequence[Payload]], Awaitable[list[Payload]]]


def install(app: FastAPI, settings: Settings) -> None:
    """The routes, and CORS for the Temporal UI's origins on them alone."""
    app.include_router(router)
    app.add_middleware(CodecCors, origins=settings.codec_cors_origins)


@router.post("/decode")
async def decode(
    request: Request, reader: CodecReader, namespace: Namespace, settings: SettingsDep, temporal: TemporalDep
) -> JSONResponse:
    """Open sealed payloads for the Temporal UI; payloads that were never sealed come back as they are."""
    codec = _codec_for(temporal, settings, namespace)
    return await _apply(request, reader, codec.decode, "decoded")


@router.post("/encode")
async def encode(
    request: Request, reader: CodecReader, namespace: Namespace, settings: SettingsDep, temporal: TemporalDep
) -> JSONResponse:
    """Seal payloads an operator typed in the UI (a signal's or an update's input) as the workers would."""
    codec = _codec_for(temporal, settings, namespace)
    return await _apply(request, reader, codec.encode, "encoded")


@router.get("/session", response_class=HTMLResponse)
async def session_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """Who this browser is signed in as for the codec, and the form to sign in."""
    reader: Claims | None = None
    token = request.cookies.get(COOKIE)
    if token:
        try:
            reader = verify_reader(settings, token)
        except RuleViolation:
            reader = None
    return _page(settings, reader=reader)


@router.post("/session", response_class=HTMLResponse)
async def sign_in(
    request: Request, settings: SettingsDep, token: Annotated[str, Form(max_length=4096)] = ""
) -> HTMLResponse:
    """Checks the pasted token like every codec call will, then keeps it in this browser's codec cookie."""
    _from_our_page(request, settings)
    token = token.strip()
    try:
        reader = verify_reader(settings, token)
    except RuleViolation as refusal:
        status = 401 if refusal.code is Code.UNAUTHENTICATED else 403
        return _page(settings, problem=refusal.detail, status=status)
    response = _page(settings, reader=reader)
    set_session_cookie(response, settings, token, reader)
    log.info("codec sign-in", reader=reader.sub, role=reader.role.value)
    return response


@router.post("/session/end")
async def sign_out(request: Request, settings: SettingsDep) -> RedirectResponse:
    _from_our_page(request, settings)
    response = RedirectResponse(f"{PREFIX}/session", status_code=303)
    clear_session_cookie(response, settings)
    return response


def _codec_for(temporal: TemporalDep, settings: Settings, namespace: str) -> PayloadCodec:
    if namespace != settings.temporal_namespace:
        raise RuleViolation(
            Code.FORBIDDEN, f"This codec serves namespace {settings.temporal_namespace!r} only, not {namespace!r}."
        )
    codec = temporal.data_converter.payload_codec
    if codec is None:  # a client built without clients.connect.data_converter: nothing here is sealed
        raise RuntimeError("the API's Temporal client has no payload codec")
    return codec


async def _apply(request: Request, reader: Claims, transform: Transform, what: str) -> JSONResponse:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise RuleViolation(Code.VALIDATION_ERROR, "Send the payloads as `Content-Type: application/json`.")
    try:
        payloads = json_format.Parse(await request.body(), Payloads(), ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError) as error:
        raise RuleViolation(Code.VALIDATION_ERROR, f"The body is not Payloads JSON: {error}") from None
    try:
        result = await transform(list(payloads.payloads))
    except PayloadDecryptionError as error:
        log.warning("codec refused a payload", reader=reader.sub, error=str(error))
        raise RuleViolation(Code.VALIDATION_ERROR, f"A payload cannot be decoded: {error}.") from None
    # Who read personal data, and how much of it: the payloads themselves are never logged.
    log.info(f"payloads {what}", reader=reader.sub, role=reader.role.value, count=len(result))
    return JSONResponse(json_format.MessageToDict(Payloads(payloads=result)))


def _page(
    settings: Settings, *, reader: Claims | None = None, problem: str | None = None, status: int = 200
) -> HTMLResponse:
    return render(
        "codec_session.html",
        status=status,
        reader=reader,
        problem=problem,
        prefix=PREFIX,
        endpoint=settings.public_url.rstrip("/") + PREFIX,
        center_email=settings.center_email,
        course=settings.profile.course,
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _from_our_page(request: Request, settings: Settings) -> None:
    """A browser's form POST names its page's origin: another site must not sign this browser in or out."""
    sent = request.headers.get("origin")
    if sent is not None and _origin(sent) not in {_origin(settings.public_url), _origin(str(request.base_url))}:
        raise RuleViolation(Code.FORBIDDEN, "Sign in from the Praxis codec page itself.")
