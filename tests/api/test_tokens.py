"""Bearer tokens (SPEC §4): HS256, signed with settings.jwt_secret, claims sub/role/name/email/exp."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import SecretStr

from api.auth import TokenError, decode_token, issue_token
from config.settings import Settings
from domain.vocabulary import Role

SECRET = "test-secret-that-is-long-enough-for-hs256-0123"


@pytest.fixture
def settings() -> Settings:
    return Settings(env="test", jwt_secret=SecretStr(SECRET))


def test_round_trip_keeps_every_claim(settings: Settings) -> None:
    """A token issued for a person decodes to the same sub, role, name and email, expiring after ttl."""
    before = datetime.now(UTC).replace(microsecond=0)
    token = issue_token(
        settings,
        sub="B11000001",
        role="student",
        name="林小明",
        email="b11000001@mail.ntust.edu.tw",
        ttl=timedelta(hours=2),
    )
    claims = decode_token(settings, token)
    assert (claims.sub, claims.role, claims.name, claims.email) == (
        "B11000001",
        Role.STUDENT,
        "林小明",
        "b11000001@mail.ntust.edu.tw",
    )
    assert before + timedelta(hours=2) <= claims.exp <= datetime.now(UTC) + timedelta(hours=2)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_optional_claims_may_be_absent(settings: Settings) -> None:
    """name and email are optional claims (SPEC §4)."""
    claims = decode_token(settings, issue_token(settings, sub="T001", role=Role.FACULTY))
    assert claims.name is None
    assert claims.email is None


def test_expired_token_is_unauthenticated(settings: Settings) -> None:
    """An expired token raises TokenError with code UNAUTHENTICATED and reason expired."""
    past = datetime.now(UTC) - timedelta(minutes=5)
    token = jwt.encode({"sub": "B1", "role": "student", "exp": past}, SECRET, algorithm="HS256")
    with pytest.raises(TokenError) as caught:
        decode_token(settings, token)
    assert (caught.value.code, caught.value.reason) == ("UNAUTHENTICATED", "expired")


def test_tampered_payload_is_rejected(settings: Settings) -> None:
    """Changing the payload (a student promoting themself to center) breaks the signature."""
    header, payload, signature = issue_token(settings, sub="B1", role="student").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "center"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(TokenError) as caught:
        decode_token(settings, f"{header}.{forged}.{signature}")
    assert (caught.value.code, caught.value.reason) == ("UNAUTHENTICATED", "invalid")


def test_other_secret_or_algorithm_is_rejected(settings: Settings) -> None:
    """Only HS256 with our secret is accepted: not another key, not alg=none, not garbage."""
    exp = datetime.now(UTC) + timedelta(hours=1)
    claims = {"sub": "B1", "role": "student", "exp": exp}
    for token in (
        jwt.encode(claims, "another-secret-that-is-long-enough-0123456789", algorithm="HS256"),
        jwt.encode(claims, "", algorithm="none"),  # "" is the none algorithm's empty key
        "not-a-jwt",
    ):
        with pytest.raises(TokenError, match="invalid"):
            decode_token(settings, token)


def test_missing_or_unknown_role_is_rejected(settings: Settings) -> None:
    """A signed token without a usable role cannot authenticate anyone."""
    exp = datetime.now(UTC) + timedelta(hours=1)
    for claims in (
        {"sub": "B1", "exp": exp},
        {"sub": "B1", "role": "dean", "exp": exp},
        {"sub": "x", "role": "system", "exp": exp},
    ):
        with pytest.raises(TokenError):
            decode_token(settings, jwt.encode(claims, SECRET, algorithm="HS256"))


def test_issue_refuses_what_could_not_be_decoded(settings: Settings) -> None:
    """The system actor, an empty subject and a non-positive ttl are refused when issuing."""
    with pytest.raises(ValueError, match="system"):
        issue_token(settings, sub="x", role=Role.SYSTEM)
    with pytest.raises(ValueError, match="sub"):
        issue_token(settings, sub="", role=Role.CENTER)
    with pytest.raises(ValueError, match="ttl"):
        issue_token(settings, sub="x", role=Role.CENTER, ttl=timedelta(0))


def test_a_remembered_token_still_expires(settings: Settings) -> None:
    """A token's signature is checked once per session, its expiry at every call: once past `exp` it is refused."""
    token = issue_token(settings, sub="B11000002", role=Role.STUDENT, ttl=timedelta(minutes=10))
    claims = decode_token(settings, token)
    assert decode_token(settings, token, now=claims.exp - timedelta(seconds=1)) == claims
    with pytest.raises(TokenError) as caught:
        decode_token(settings, token, now=claims.exp)
    assert caught.value.reason == "expired"


def test_a_remembered_token_is_refused_under_another_secret(settings: Settings) -> None:
    """Remembering a verified token never outlives the secret: after a rotation the old token is invalid."""
    token = issue_token(settings, sub="B11000003", role=Role.STUDENT)
    decode_token(settings, token)
    rotated = Settings(env="test", jwt_secret=SecretStr(SECRET + "-rotated"))
    with pytest.raises(TokenError) as caught:
        decode_token(rotated, token)
    assert caught.value.reason == "invalid"
