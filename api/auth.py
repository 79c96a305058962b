"""Bearer tokens for the portal (SPEC §4): HS256 JWTs signed with `settings.jwt_secret`.

`praxis token` issues them for local use and the API decodes them; both go through this module so the
algorithm, required claims and error shape are decided once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt
from pydantic import BaseModel, ConfigDict, ValidationError

from config.settings import Settings
from domain.vocabulary import Role

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


def decode_token(settings: Settings, token: str) -> Claims:
    """Verify signature, expiry and claims; raise `TokenError` for anything untrustworthy."""
    try:
        payload = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[ALGORITHM],
            options={"require": ["sub", "role", "exp"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("expired", "the token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise TokenError("invalid", f"the token is invalid: {exc}") from exc
    try:
        claims = Claims.model_validate(payload)
    except ValidationError as exc:
        raise TokenError("invalid", "the token's claims are malformed") from exc
    if claims.role not in TOKEN_ROLES:
        raise TokenError("invalid", f"role {claims.role.value!r} cannot hold a token")
    return claims
