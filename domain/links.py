"""Action links (SPEC §4): signed, expiring, single-use, bound to one person, one action, one project.

A supervisor answers an invitation or evaluates, and the Office of Student Affairs verifies club hours,
from a link in a mail: `{public_url}/a/{token}`. The token is

    <token_id>.<signature>

where `token_id` is a random nonce (base64url) and `signature` is HMAC-SHA256, under
`settings.action_link_secret`, over the token id *and every claim* (who, which action, which project,
which invitation/submission/hours entry, until when). The claims themselves are kept server-side
(`store.tokens`, one row per token) and never travel in the URL.

Why this design rather than a self-contained token (claims inside the URL, signed and encrypted):

- Single use needs a server-side row anyway (its `used_at`), so a self-contained token saves nothing.
- Claims in a URL are readable unless encrypted; the standard library has no authenticated encryption
  and home-made encryption is a liability. A row id carries no personal data by construction.
- Signing the claims, not just the id, means a database row alone cannot act: a guessed id, or a row
  someone altered (another subject or project), no longer matches its signature; and a leaked table
  holds no usable links, because the signatures are not stored.
- Short URLs survive mail clients that wrap lines, and a row can be revoked.

This module is pure (no I/O, no clock, no randomness): the caller passes the nonce, the stored claims
and `now`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.errors import Code, RuleViolation
from domain.vocabulary import Role

_VERSION = "praxis-link-v1"  # domain separation: this key signs nothing else with this prefix
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_TOKEN = re.compile(r"^(?P<id>[A-Za-z0-9_-]{16,64})\.(?P<sig>[A-Za-z0-9_-]{43})$")


class LinkAction(StrEnum):
    """What an action link lets its holder do (SPEC §4 `/a/{token}`)."""

    RESPOND_INVITATION = "respond_invitation"  # R11: accept or decline supervising
    EVALUATE = "evaluate"  # R19: pass, fail or revise a closure report
    VERIFY_HOURS = "verify_hours"  # R15: OSA verifies club hours

    @property
    def role(self) -> Role:
        """The role the holder acts in; the API builds the `Actor` from it and `LinkClaims.subject_id`."""
        return Role.OSA if self is LinkAction.VERIFY_HOURS else Role.FACULTY


class LinkClaims(BaseModel):
    """What a token stands for, as stored server-side.

    `ref` names the exact situation: the invitation seq, the submission seq or the hours entry id, so a
    link for a superseded invitation or submission is recognisably stale.
    """

    model_config = ConfigDict(frozen=True)

    token_id: str
    subject_id: str
    action: LinkAction
    project_id: str
    ref: str
    expires_at: datetime
    used_at: datetime | None = None
    used_result: str | None = None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _signature(
    secret: str, *, token_id: str, subject_id: str, action: LinkAction, project_id: str, ref: str, expires_at: datetime
) -> str:
    if expires_at.tzinfo is None or expires_at.utcoffset() is None:
        raise ValueError("expires_at must be timezone-aware")
    # Whole seconds: the database may not keep sub-second precision, and the signature must survive it.
    message = json.dumps(
        [_VERSION, token_id, subject_id, action.value, project_id, ref, int(expires_at.timestamp())],
        separators=(",", ":"),
        ensure_ascii=True,
    ).encode("ascii")
    return _b64(hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest())


def issue_link_token(
    secret: str,
    *,
    subject_id: str,
    action: LinkAction,
    project_id: str,
    ref: str,
    expires_at: datetime,
    nonce: str,
) -> str:
    """The URL-safe token for these claims; the caller stores the claims under `token_id = nonce`.

    Deterministic: the same claims and nonce give the same token, so a retried mail carries the same link.
    `nonce` must be unguessable (e.g. `secrets.token_urlsafe(18)`) and base64url text of 16-64 characters.
    """
    if not secret:
        raise ValueError("an action link secret is required")
    if not _NONCE.fullmatch(nonce):
        raise ValueError("nonce must be 16-64 base64url characters")
    signature = _signature(
        secret,
        token_id=nonce,
        subject_id=subject_id,
        action=action,
        project_id=project_id,
        ref=ref,
        expires_at=expires_at,
    )
    return f"{nonce}.{signature}"


def token_id_of(token: str) -> str:
    """The id to look the stored claims up by; raises TOKEN_INVALID for anything not shaped like a token."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise RuleViolation(Code.TOKEN_INVALID, "This link is not valid. Please use the link exactly as mailed.")
    return match["id"]


def read_link_token(secret: str, token: str, now: datetime, stored: LinkClaims | None) -> LinkClaims:
    """Verify `token` against the claims stored under its id and return them.

    Raises RuleViolation with TOKEN_INVALID (malformed, unknown, or the signature does not match the
    stored claims), TOKEN_USED (already acted on) or TOKEN_EXPIRED, checked in that order: a forged
    token learns nothing about the real one's state.
    """
    token_id = token_id_of(token)
    signature = token.rpartition(".")[2]
    invalid = RuleViolation(Code.TOKEN_INVALID, "This link is not valid. Please use the link exactly as mailed.")
    if stored is None or not hmac.compare_digest(stored.token_id, token_id):
        raise invalid
    expected = _signature(
        secret,
        token_id=stored.token_id,
        subject_id=stored.subject_id,
        action=stored.action,
        project_id=stored.project_id,
        ref=stored.ref,
        expires_at=stored.expires_at,
    )
    if not hmac.compare_digest(signature, expected):
        raise invalid
    if stored.used_at is not None:
        result = f" ({stored.used_result})" if stored.used_result else ""
        raise RuleViolation(
            Code.TOKEN_USED, f"This link was already used on {stored.used_at.isoformat()}{result}; it works once."
        )
    if now >= stored.expires_at:
        raise RuleViolation(
            Code.TOKEN_EXPIRED,
            f"This link expired on {stored.expires_at.isoformat()}. Please act from the portal instead.",
        )
    return stored


def check_link_for(claims: LinkClaims, project_id: str, action: LinkAction, *, ref: str | None = None) -> None:
    """Refuse a valid token presented for another project, another action or a superseded situation."""
    if claims.project_id != project_id or claims.action is not action:
        raise RuleViolation(Code.TOKEN_INVALID, "This link is not for this action on this project.")
    if ref is not None and claims.ref != ref:
        raise RuleViolation(
            Code.TOKEN_INVALID,
            "This link belongs to an earlier invitation or submission that has since been replaced.",
        )


# --- read-only view links -------------------------------------------------------------------------------
#
# Without a university portal (in dev, or where none is configured), a student's or the center's mail links to
# a read-only page Praxis serves: `/v/projects/<id>.<signature>` (or `/v/groups/...`). The signature (HMAC under
# the action-link key, its own domain prefix) binds the page to the one project, so ids cannot be walked; it
# never expires and may be opened any number of times, as a portal page could. It shows, never acts.

_VIEW_VERSION = "praxis-view-v1"
_VIEW = re.compile(r"^(?P<id>[A-Za-z0-9_-]{1,64})\.(?P<sig>[A-Za-z0-9_-]{43})$")


class ViewKind(StrEnum):
    PROJECT = "projects"
    GROUP = "groups"


def _view_signature(secret: str, kind: ViewKind, ident: str) -> str:
    message = json.dumps([_VIEW_VERSION, kind.value, ident], separators=(",", ":"), ensure_ascii=True)
    return _b64(hmac.new(secret.encode("utf-8"), message.encode("ascii"), hashlib.sha256).digest())


def view_link_path(secret: str, kind: ViewKind, ident: str) -> str:
    """`/v/<kind>/<id>.<signature>`: the read-only page of one project or group."""
    if not secret:
        raise ValueError("an action link secret is required")
    return f"/v/{kind.value}/{ident}.{_view_signature(secret, kind, ident)}"


def read_view_token(secret: str, kind: ViewKind, token: str) -> str:
    """The project or group id a view link names; TOKEN_INVALID unless its signature is ours."""
    match = _VIEW.fullmatch(token)
    if match is None or not hmac.compare_digest(match["sig"], _view_signature(secret, kind, match["id"])):
        raise RuleViolation(Code.TOKEN_INVALID, "This link is not valid. Please use the link exactly as mailed.")
    return match["id"]
