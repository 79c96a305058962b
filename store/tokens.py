"""The server-side half of action links (domain.links): the claims behind each token, and its single use.

A token in a URL is only `<token_id>.<signature>`; the claims it stands for live here. `load_link`
verifies a presented token against them; `mark_used` spends it exactly once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from domain.links import LinkAction, LinkClaims, read_link_token, token_id_of
from store.models import ActionTokenRow
from store.upsert import FRESH


def _claims(row: ActionTokenRow) -> LinkClaims:
    return LinkClaims.model_validate(row, from_attributes=True)


def save_link(s: Session, claims: LinkClaims, *, issued_at: datetime) -> None:
    """Store the claims of a newly issued token (`domain.links.issue_link_token` with nonce = token_id)."""
    s.add(
        ActionTokenRow(
            token_id=claims.token_id,
            subject_id=claims.subject_id,
            action=claims.action.value,
            project_id=claims.project_id,
            ref=claims.ref,
            issued_at=issued_at,
            expires_at=claims.expires_at,
        )
    )
    s.flush()


def get_link(s: Session, token_id: str) -> LinkClaims | None:
    row = s.get(ActionTokenRow, token_id, populate_existing=True)
    return _claims(row) if row is not None else None


def load_link(s: Session, secret: str, token: str, now: datetime) -> LinkClaims:
    """The claims of a presented token, verified: raises RuleViolation TOKEN_INVALID, TOKEN_USED or TOKEN_EXPIRED.

    The GET of an action page calls this (it only shows); the POST calls it and then `mark_used`.
    """
    return read_link_token(secret, token, now, get_link(s, token_id_of(token)))


def mark_used(s: Session, token_id: str, result: str, *, at: datetime | None = None) -> bool:
    """Spend a token once. False means it was already used (TOKEN_USED) or does not exist.

    One conditional UPDATE (`… WHERE used_at IS NULL`): of two clicks racing, exactly one gets True.
    """
    outcome = s.exec(
        update(ActionTokenRow)
        .where(col(ActionTokenRow.token_id) == token_id, col(ActionTokenRow.used_at).is_(None))
        .values(used_at=at or datetime.now(UTC), used_result=result)
    )
    return outcome.rowcount == 1


def latest_ref(s: Session, *, project_id: str, action: LinkAction, subject_id: str) -> str | None:
    """The `ref` of the newest link of this kind sent to this person on this project.

    Reminders do not repeat the invitation or submission seq in their context; the link the first mail
    carried does, and reminders follow it in delivery order.
    """
    return s.exec(
        select(ActionTokenRow.ref)
        .where(
            ActionTokenRow.project_id == project_id,
            ActionTokenRow.action == action.value,
            ActionTokenRow.subject_id == subject_id,
        )
        .order_by(col(ActionTokenRow.issued_at).desc(), col(ActionTokenRow.token_id).desc())
        .limit(1)
        .execution_options(**FRESH)
    ).first()


def open_link(s: Session, *, project_id: str, action: LinkAction, subject_id: str, now: datetime) -> LinkClaims | None:
    """The newest link of this kind sent to this person on this project that still works (unused, unexpired):
    the one their latest mail carries, if it does."""
    row = s.exec(
        select(ActionTokenRow)
        .where(
            ActionTokenRow.project_id == project_id,
            ActionTokenRow.action == action.value,
            ActionTokenRow.subject_id == subject_id,
        )
        .order_by(col(ActionTokenRow.issued_at).desc(), col(ActionTokenRow.token_id).desc())
        .limit(1)
        .execution_options(**FRESH)
    ).first()
    if row is None:
        return None
    claims = _claims(row)
    return claims if claims.used_at is None and now < claims.expires_at else None
