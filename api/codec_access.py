"""Who may use the codec server, and from which browser origins (docs/operators.md, "Reading payloads").

Decoded payloads are personal data, so every codec call needs a Praxis token of role `center` or
`operator`: as `Authorization: Bearer <token>` (scripts, or a UI whose access token is a Praxis token), or
as the `praxis_codec` cookie that `/codec/session` sets, which the Temporal UI sends when its codec
setting "include cross-origin credentials" is on. The cookie holds the token itself, so it is checked
exactly like the header, expires with it, and needs no server-side session.

CORS applies to `/codec/*` only, and only for the configured Temporal UI origins: the rest of the API is
for the portal's server, not for browsers on other origins.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Cookie, Depends, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import ClaimRefused, Claims, TokenError, decode_token
from api.browser_session import CookieSession
from api.deps import SettingsDep
from config.settings import Settings
from domain.errors import Code, RuleViolation
from domain.vocabulary import Role

PREFIX = "/codec"
COOKIE = "praxis_codec"
READERS = frozenset({Role.CENTER, Role.OPERATOR})
# What the Temporal UI sends (ui: src/lib/utilities/encode-payload.ts): JSON, the namespace, and the user's
# access token when "pass access token" is on.
UI_HEADERS = ["Authorization", "Content-Type", "X-Namespace"]

_bearer = HTTPBearer(auto_error=False)


def verify_reader(settings: Settings, token: str | None) -> Claims:
    """401 without a usable token, 403 for any role but center and operator."""
    if not token:
        raise RuleViolation(
            Code.UNAUTHENTICATED,
            f"Decoded payloads are personal data: sign in at {PREFIX}/session, "
            "or send `Authorization: Bearer <token>`.",
        )
    try:
        claims = decode_token(settings, token)
    except TokenError as error:
        raise RuleViolation(Code.UNAUTHENTICATED, f"The token was refused: {error.detail}.") from None
    except ClaimRefused as error:
        raise RuleViolation(Code.VALIDATION_ERROR, f"The token was refused: {error}.") from None
    if claims.role not in READERS:
        raise RuleViolation(
            Code.FORBIDDEN, f"Only center or operator may read payloads; you are signed in as {claims.role.value}."
        )
    return claims


async def codec_reader(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Cookie(alias=COOKIE)] = None,
) -> Claims:
    """The header wins over the cookie, so a script's explicit token is the one checked."""
    return verify_reader(settings, credentials.credentials if credentials else cookie)


CodecReader = Annotated[Claims, Depends(codec_reader)]


# HttpOnly (the UI's scripts never see it), SameSite=Strict (sent only from pages of the same site, as the
# Temporal UI on the same host is), sent only to /codec, and gone when the token expires.
SESSION = CookieSession(COOKIE, PREFIX, samesite="strict")


def set_session_cookie(response: Response, settings: Settings, token: str, claims: Claims) -> None:
    SESSION.set(response, settings, token, claims)


def clear_session_cookie(response: Response, settings: Settings) -> None:
    SESSION.clear(response, settings)


class CodecCors:
    """Starlette's CORS, with credentials, for `/codec/*` alone; every other path passes by untouched."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["POST"],
            allow_headers=UI_HEADERS,
            allow_credentials=True,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX + "/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
