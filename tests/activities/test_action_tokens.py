"""The server-side half of action links (store.tokens): stored claims, verification, single use (SPEC §4)."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col

from domain.errors import Code, RuleViolation
from domain.links import LinkAction, LinkClaims, check_link_for, issue_link_token
from store import tokens
from store.db import session
from store.models import ActionTokenRow

SECRET = "test-action-link-secret-0123456789abcdef"
NOW = datetime.now(UTC).replace(microsecond=0)


def issue(engine: Engine, *, project_id: str = "project-a", ref: str = "1", days: int = 30) -> tuple[str, LinkClaims]:
    claims = LinkClaims(
        token_id=secrets.token_urlsafe(18),
        subject_id="T0001",
        action=LinkAction.EVALUATE,
        project_id=project_id,
        ref=ref,
        expires_at=NOW + timedelta(days=days),
    )
    with session(engine) as s:
        tokens.save_link(s, claims, issued_at=NOW)
    token = issue_link_token(
        SECRET,
        subject_id=claims.subject_id,
        action=claims.action,
        project_id=claims.project_id,
        ref=claims.ref,
        expires_at=claims.expires_at,
        nonce=claims.token_id,
    )
    return token, claims


def load(engine: Engine, token: str, now: datetime = NOW) -> LinkClaims:
    with session(engine) as s:
        return tokens.load_link(s, SECRET, token, now)


def refused(engine: Engine, token: str, code: Code, now: datetime = NOW) -> None:
    with pytest.raises(RuleViolation) as caught:
        load(engine, token, now)
    assert caught.value.code is code


def test_stored_claims_round_trip(db_engine: Engine) -> None:
    """SPEC §4: the claims survive the database (aware UTC datetimes included) and verify against the token."""
    token, claims = issue(db_engine)
    assert load(db_engine, token) == claims


def test_a_token_works_once(db_engine: Engine) -> None:
    """SPEC §4: a link works once: the first mark_used wins, the second returns False (TOKEN_USED), and
    the page then says the link was used."""
    token, claims = issue(db_engine)
    with session(db_engine) as s:
        assert tokens.mark_used(s, claims.token_id, "pass", at=NOW) is True
    with session(db_engine) as s:
        assert tokens.mark_used(s, claims.token_id, "fail", at=NOW) is False
    refused(db_engine, token, Code.TOKEN_USED)
    with session(db_engine) as s:
        stored = tokens.get_link(s, claims.token_id)
    assert stored is not None and stored.used_result == "pass"


def test_two_racing_clicks_spend_a_token_once(db_engine: Engine) -> None:
    """Single use is one conditional UPDATE: of many concurrent uses exactly one succeeds."""
    _, claims = issue(db_engine)

    def use(n: int) -> bool:
        with session(db_engine) as s:
            return tokens.mark_used(s, claims.token_id, f"click {n}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(use, range(8)))
    assert results.count(True) == 1


def test_an_unknown_token_cannot_be_marked_used(db_engine: Engine) -> None:
    """mark_used on an id that was never issued is False, like a used one."""
    with session(db_engine) as s:
        assert tokens.mark_used(s, "never-issued-token-id-0000", "pass") is False


def test_expired_token(db_engine: Engine) -> None:
    """SPEC §4: links expire (evaluation links after 30 days by default)."""
    token, claims = issue(db_engine)
    refused(db_engine, token, Code.TOKEN_EXPIRED, now=claims.expires_at + timedelta(seconds=1))


def test_forged_and_unknown_tokens(db_engine: Engine) -> None:
    """A token whose signature does not match, or whose id was never issued, is TOKEN_INVALID."""
    token, _ = issue(db_engine)
    refused(db_engine, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), Code.TOKEN_INVALID)
    refused(db_engine, secrets.token_urlsafe(18) + "." + token.split(".")[1], Code.TOKEN_INVALID)


def test_a_row_altered_in_the_database_cannot_act(db_engine: Engine) -> None:
    """The signature covers the claims: pointing a stored token at another project voids it."""
    token, claims = issue(db_engine)
    with session(db_engine) as s:
        s.exec(
            update(ActionTokenRow).where(col(ActionTokenRow.token_id) == claims.token_id).values(project_id="project-b")
        )
    refused(db_engine, token, Code.TOKEN_INVALID)


def test_a_token_for_project_a_is_refused_for_project_b(db_engine: Engine) -> None:
    """SPEC §4: bound to one project; the action endpoint checks the project in the URL against the claims."""
    token, _ = issue(db_engine, project_id="project-a")
    claims = load(db_engine, token)
    check_link_for(claims, "project-a", LinkAction.EVALUATE)
    with pytest.raises(RuleViolation) as caught:
        check_link_for(claims, "project-b", LinkAction.EVALUATE)
    assert caught.value.code is Code.TOKEN_INVALID


def test_latest_ref_follows_the_newest_link(db_engine: Engine) -> None:
    """Reminders reuse the ref of the newest link of that kind to that person on that project."""
    with session(db_engine) as s:
        assert tokens.latest_ref(s, project_id="project-a", action=LinkAction.EVALUATE, subject_id="T0001") is None
    issue(db_engine, ref="1")
    _, newer = issue(db_engine, ref="2")
    with session(db_engine) as s:
        s.exec(
            update(ActionTokenRow)
            .where(col(ActionTokenRow.token_id) == newer.token_id)
            .values(issued_at=NOW + timedelta(minutes=1))
        )
        assert tokens.latest_ref(s, project_id="project-a", action=LinkAction.EVALUATE, subject_id="T0001") == "2"
        assert tokens.latest_ref(s, project_id="project-b", action=LinkAction.EVALUATE, subject_id="T0001") is None
