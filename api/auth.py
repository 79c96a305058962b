"""Who calls the API (SPEC §4): HS256 bearer JWTs signed with `settings.jwt_secret`, and the dependencies
routes declare to admit a role.

`praxis token` issues tokens for local use and the API decodes them; both go through this module so the
algorithm, required claims and error shape are decided once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Literal

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, ValidationError

from config.settings import Settings
from domain.actors import Actor
from domain.entries import control_characters
from domain.errors import Code, RuleViolation
from domain.vocabulary import Channel, Role

ALGORITHM = "HS256"

# `system` is the workflows' own actor; no person may hold a token claiming it.
TOKEN_ROLES: frozenset[Role] = frozenset(Role) - {Role.SYSTEM}


class Claims(BaseModel):
    """What a verified token says about its holder."""

    model_config = ConfigDict(frozen=True)

    sub: str
    role: Role
    name: str | None = None
    email: str | None = None
    exp: datetime
    iat: datetime | None = None


class ClaimRefused(ValueError):
    """A well-signed token whose claims hold what no name, id or address may (a line break): VALIDATION_ERROR."""


def _check_text_claims(claims: dict[str, object]) -> None:
    for claim in ("sub", "name", "email"):
        value = claims.get(claim)
        if isinstance(value, str) and control_characters(value):
            raise ClaimRefused(f"the token's `{claim}` claim must be one line of text without control characters")


class TokenError(Exception):
    """A token that must not be trusted; the API answers it with 401 and `code`."""

    code = "UNAUTHENTICATED"

    def __init__(self, reason: Literal["expired", "invalid"], detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def issue_token(
    settings: Settings,
    *,
    sub: str,
    role: Role | str,
    name: str | None = None,
    email: str | None = None,
    ttl: timedelta = timedelta(hours=12),
) -> str:
    """Sign a token for `sub` acting as `role`, valid for `ttl` from now."""
    role = Role(role)
    _check_text_claims({"sub": sub, "name": name, "email": email})
    if role not in TOKEN_ROLES:
        raise ValueError(f"role {role.value!r} cannot hold a token")
    if not sub:
        raise ValueError("sub must not be empty")
    if ttl <= timedelta(0):
        raise ValueError("ttl must be positive")
    now = datetime.now(UTC)
    payload: dict[str, object] = {"sub": sub, "role": role.value, "iat": now, "exp": now + ttl}
    if name is not None:
        payload["name"] = name
    if email is not None:
        payload["email"] = email
    return jwt.encode(payload, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)


def decode_token(settings: Settings, token: str, *, now: datetime | None = None) -> Claims:
    """Verify signature, expiry and claims; raise `TokenError` for anything untrustworthy, `ClaimRefused` for a
    name, id or address with a control character in it.

    A portal sends the same token with every call of a session: its signature and claims are checked once and
    remembered (`_verified`), its expiry at every call."""
    claims = _verified(settings.jwt_secret.get_secret_value(), token)
    if claims.exp <= (now or datetime.now(UTC)):
        raise TokenError("expired", "the token has expired")
    return claims


# Verified tokens remembered, most recently used first: a few thousand portal sessions' worth. Only what passed
# every check is kept (a refusal raises, and raises again next time); the secret is part of the key, so a token
# signed with a secret the settings no longer hold is checked afresh, and refused.
VERIFIED_TOKENS = 4096


@lru_cache(maxsize=VERIFIED_TOKENS)
def _verified(secret: str, token: str) -> Claims:
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "role", "exp"]})
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("expired", "the token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise TokenError("invalid", f"the token is invalid: {exc}") from exc
    _check_text_claims(payload)
    try:
        claims = Claims.model_validate(payload)
    except ValidationError as exc:
        raise TokenError("invalid", "the token's claims are malformed") from exc
    if claims.role not in TOKEN_ROLES:
        raise TokenError("invalid", f"role {claims.role.value!r} cannot hold a token")
    return claims


# --- the routes' dependencies ---------------------------------------------------------------------
def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_settings(request: Request) -> Settings:
    return settings_of(request)


_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An HS256 JWT with `sub`, `role` (student, faculty, center, osa) and `exp`; "
    "`praxis token --role R --sub ID` prints one for local use.",
)


def authenticate(settings: Settings, credentials: HTTPAuthorizationCredentials | None) -> Claims:
    """401 UNAUTHENTICATED without a bearer token, or with one that is forged, malformed or expired."""
    if credentials is None:
        raise RuleViolation(Code.UNAUTHENTICATED, "Send `Authorization: Bearer <token>`.")
    try:
        return decode_token(settings, credentials.credentials)
    except TokenError as error:
        raise RuleViolation(Code.UNAUTHENTICATED, f"The bearer token was refused: {error.detail}.") from None
    except ClaimRefused as error:
        raise RuleViolation(Code.VALIDATION_ERROR, f"The bearer token was refused: {error}.") from None


Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def require(*roles: Role) -> Callable[[Request, HTTPAuthorizationCredentials | None], Awaitable[Claims]]:
    """A dependency admitting only `roles`: 401 for no valid token, 403 FORBIDDEN for any other authenticated
    caller. One dependency (beside the bearer scheme the docs show), as every request pays for each it solves."""
    allowed = frozenset(roles)

    async def guard(request: Request, credentials: Bearer) -> Claims:
        user = authenticate(settings_of(request), credentials)
        if user.role not in allowed:
            names = " or ".join(sorted(r.value for r in allowed))
            raise RuleViolation(Code.FORBIDDEN, f"Only {names} may do this; you are signed in as {user.role.value}.")
        return user

    return guard


Student = Annotated[Claims, Depends(require(Role.STUDENT))]
Faculty = Annotated[Claims, Depends(require(Role.FACULTY))]
Center = Annotated[Claims, Depends(require(Role.CENTER))]
Osa = Annotated[Claims, Depends(require(Role.OSA))]
FacultyOrCenter = Annotated[Claims, Depends(require(Role.FACULTY, Role.CENTER))]
Reader = Annotated[Claims, Depends(require(Role.STUDENT, Role.FACULTY, Role.CENTER, Role.OSA))]
# SPEC §4: projects are read by their student, their supervisor and the center; OSA verifies club hours from
# the links mailed to it (R15) and reads no project.
ProjectReader = Annotated[Claims, Depends(require(Role.STUDENT, Role.FACULTY, Role.CENTER))]


def actor(user: Claims) -> Actor:
    """The audit trail's who and how (R24): every API call arrives through the portal."""
    return Actor(id=user.sub, role=user.role, channel=Channel.PORTAL)
