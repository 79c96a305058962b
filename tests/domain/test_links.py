"""Action link tokens (SPEC §4 "Action links"): signed, bound, expiring, single-use, nothing personal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import Code, RuleViolation
from domain.links import (
    LinkAction,
    LinkClaims,
    ViewKind,
    check_link_for,
    issue_link_token,
    read_link_token,
    read_view_token,
    token_id_of,
    view_link_path,
)
from domain.vocabulary import Role

SECRET = "test-action-link-secret-0123456789abcdef"
NOW = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)
NONCE = "q1w2e3r4t5y6u7i8o9p0AZ"
STORED = LinkClaims(
    token_id=NONCE,
    subject_id="T0001",
    action=LinkAction.RESPOND_INVITATION,
    project_id="7d0c3f0e-5b1e-4a55-9d7a-0a0c1c2e3f40",
    ref="1",
    expires_at=NOW + timedelta(days=14),
)


def issue(claims: LinkClaims = STORED, secret: str = SECRET) -> str:
    return issue_link_token(
        secret,
        subject_id=claims.subject_id,
        action=claims.action,
        project_id=claims.project_id,
        ref=claims.ref,
        expires_at=claims.expires_at,
        nonce=claims.token_id,
    )


def refused(code: Code, token: str, stored: LinkClaims | None, now: datetime = NOW) -> None:
    with pytest.raises(RuleViolation) as caught:
        read_link_token(SECRET, token, now, stored)
    assert caught.value.code is code


def test_round_trip_returns_the_stored_claims() -> None:
    """SPEC §4: a link is signed and bound to one person, one action, one project; reading it back yields them."""
    token = issue()
    assert token_id_of(token) == NONCE
    assert read_link_token(SECRET, token, NOW, STORED) == STORED


def test_token_is_deterministic_so_a_retried_mail_carries_the_same_link() -> None:
    """Outbox retries re-issue the token from stored claims; the link in the mail must not change."""
    assert issue() == issue()


def test_url_carries_nothing_personal() -> None:
    """SPEC §4 / STYLE: no personal data readable in the URL: neither the person nor the project appears."""
    token = issue()
    assert STORED.subject_id not in token
    assert STORED.project_id not in token
    assert token.split(".")[0] == NONCE


def test_forged_signature_is_invalid() -> None:
    """SPEC §4: a link is signed; a token with another signature is refused as TOKEN_INVALID."""
    token = issue()
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    refused(Code.TOKEN_INVALID, forged, STORED)
    refused(Code.TOKEN_INVALID, issue(secret="another-secret-entirely-0123456789"), STORED)


def test_altered_stored_claims_no_longer_match_the_signature() -> None:
    """The signature covers every claim: a row changed to another person or project cannot act."""
    token = issue()
    refused(Code.TOKEN_INVALID, token, STORED.model_copy(update={"subject_id": "T0002"}))
    refused(Code.TOKEN_INVALID, token, STORED.model_copy(update={"project_id": "another-project"}))
    refused(Code.TOKEN_INVALID, token, STORED.model_copy(update={"expires_at": NOW + timedelta(days=400)}))


@pytest.mark.parametrize("token", ["", "nonsense", "a.b", f"{NONCE}.", f"{NONCE}.{'x' * 42}!", "../etc/passwd"])
def test_malformed_or_unknown_tokens_are_invalid(token: str) -> None:
    """A link that is not one of ours is TOKEN_INVALID, whatever its shape."""
    refused(Code.TOKEN_INVALID, token, STORED)


def test_unknown_token_id_is_invalid() -> None:
    """A well-formed token with no stored claims (never issued, or deleted) is TOKEN_INVALID."""
    refused(Code.TOKEN_INVALID, issue(), None)


def test_expired_token() -> None:
    """SPEC §4: a link expires; at and after `expires_at` it is TOKEN_EXPIRED."""
    token = issue()
    refused(Code.TOKEN_EXPIRED, token, STORED, now=STORED.expires_at)
    assert read_link_token(SECRET, token, STORED.expires_at - timedelta(seconds=1), STORED) == STORED


def test_used_token() -> None:
    """SPEC §4: a link works once; claims marked used are TOKEN_USED, and say what it was used for."""
    used = STORED.model_copy(update={"used_at": NOW, "used_result": "accepted"})
    with pytest.raises(RuleViolation) as caught:
        read_link_token(SECRET, issue(), NOW, used)
    assert caught.value.code is Code.TOKEN_USED
    assert "accepted" in caught.value.detail


def test_a_link_for_project_a_is_refused_for_project_b() -> None:
    """SPEC §4: a link is bound to one project and one action."""
    check_link_for(STORED, STORED.project_id, LinkAction.RESPOND_INVITATION)
    with pytest.raises(RuleViolation) as caught:
        check_link_for(STORED, "project-b", LinkAction.RESPOND_INVITATION)
    assert caught.value.code is Code.TOKEN_INVALID
    with pytest.raises(RuleViolation) as caught:
        check_link_for(STORED, STORED.project_id, LinkAction.EVALUATE)
    assert caught.value.code is Code.TOKEN_INVALID


def test_a_link_for_a_superseded_invitation_is_stale() -> None:
    """R12: a new invitation replaces the old one; the old link's `ref` no longer matches and is refused."""
    check_link_for(STORED, STORED.project_id, LinkAction.RESPOND_INVITATION, ref="1")
    with pytest.raises(RuleViolation) as caught:
        check_link_for(STORED, STORED.project_id, LinkAction.RESPOND_INVITATION, ref="2")
    assert caught.value.code is Code.TOKEN_INVALID


def test_actions_name_the_role_the_holder_acts_in() -> None:
    """SPEC §1: supervisors answer and evaluate from links (faculty); OSA verifies hours from links."""
    assert LinkAction.RESPOND_INVITATION.role is Role.FACULTY
    assert LinkAction.EVALUATE.role is Role.FACULTY
    assert LinkAction.VERIFY_HOURS.role is Role.OSA


def test_issuing_refuses_weak_inputs() -> None:
    """An empty secret, a short or non-URL-safe nonce, or a naive expiry would make a guessable or ambiguous link."""
    with pytest.raises(ValueError, match="secret"):
        issue(secret="")
    with pytest.raises(ValueError, match="nonce"):
        issue(STORED.model_copy(update={"token_id": "short"}))
    with pytest.raises(ValueError, match="nonce"):
        issue(STORED.model_copy(update={"token_id": "has/slash+plus" * 2}))
    with pytest.raises(ValueError, match="aware"):
        issue(STORED.model_copy(update={"expires_at": datetime(2026, 9, 21, 2, 0)}))


def test_a_view_link_names_its_project_and_nothing_else() -> None:
    """Issue 12: the read-only page's link is signed for one project (or group): it reads back its id; another
    id, another kind, another key or a changed signature is TOKEN_INVALID."""
    path = view_link_path("secret-a", ViewKind.PROJECT, "p-123")
    assert path.startswith("/v/projects/p-123.")
    token = path.rsplit("/", 1)[1]
    assert read_view_token("secret-a", ViewKind.PROJECT, token) == "p-123"
    signature = token.split(".")[1]
    forged = [
        f"p-124.{signature}",
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        "p-123",
        "../p-123." + signature,
    ]
    for attempt in forged:
        with pytest.raises(RuleViolation) as refused:
            read_view_token("secret-a", ViewKind.PROJECT, attempt)
        assert refused.value.code is Code.TOKEN_INVALID, attempt
    for kind, secret in ((ViewKind.GROUP, "secret-a"), (ViewKind.PROJECT, "secret-b")):
        with pytest.raises(RuleViolation):
            read_view_token(secret, kind, token)
