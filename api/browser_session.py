"""Browser sign-ins that carry a Praxis token in an HttpOnly cookie: the codec server's (`api.codec_access`)
and the office's page (`api.routes.office`).

The cookie holds a token itself, checked exactly like a bearer header on every request, so no server-side
session exists to expire or to share between API instances: the token's own `exp` ends it, and the cookie's
`Max-Age` follows it. Scripts never see the cookie (HttpOnly); it goes only to its path, and only over HTTPS
when Praxis is served over HTTPS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlsplit

from fastapi import Request, Response

from api.auth import Claims
from config.settings import Settings


@dataclass(frozen=True)
class CookieSession:
    name: str
    path: str
    samesite: Literal["strict", "lax"] = "strict"

    def read(self, request: Request) -> str | None:
        return request.cookies.get(self.name) or None

    def set(self, response: Response, settings: Settings, token: str, claims: Claims) -> None:
        """Kept until the token expires, sent only to `path`."""
        response.set_cookie(
            self.name,
            token,
            max_age=max(0, int((claims.exp - datetime.now(UTC)).total_seconds())),
            path=self.path,
            secure=settings.public_url.startswith("https://"),
            httponly=True,
            samesite=self.samesite,
        )

    def clear(self, response: Response, settings: Settings) -> None:
        response.delete_cookie(
            self.name,
            path=self.path,
            secure=settings.public_url.startswith("https://"),
            httponly=True,
            samesite=self.samesite,
        )


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def posted_from(request: Request, settings: Settings, also: list[str] | None = None) -> bool:
    """Whether a browser's form POST came from one of our pages (or from `also`, e.g. the portal). Browsers
    name the page's origin on every POST; a request without one is not a browser's and is let through."""
    sent = request.headers.get("origin")
    if sent is None:
        return True
    allowed = {origin_of(settings.public_url), origin_of(str(request.base_url))} | {origin_of(o) for o in also or []}
    return origin_of(sent) in allowed
