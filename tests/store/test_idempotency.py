"""Stored responses for Idempotency-Key (SPEC §4: a retried call with the same key does not act twice)."""

from __future__ import annotations

from sqlalchemy import Engine

from store import idempotency
from store.db import session


def test_unknown_key_has_no_response(db: Engine) -> None:
    """A first request finds nothing stored and goes on to act."""
    with session(db) as s:
        assert idempotency.get_response(s, "center:PUT /v1/faculty/T0001:k1") is None


def test_stored_response_is_replayed(db: Engine) -> None:
    """A retry finds the hash, status and body of the first response."""
    with session(db) as s:
        idempotency.put_response(s, "center:k1", "sha256:aa", 201, '{"id": "T0001"}')
    with session(db) as s:
        assert idempotency.get_response(s, "center:k1") == ("sha256:aa", 201, '{"id": "T0001"}')


def test_first_write_wins(db: Engine) -> None:
    """Two racing requests with one key: the response stored first is the one every retry replays."""
    with session(db) as s:
        idempotency.put_response(s, "center:k1", "sha256:aa", 201, '{"n": 1}')
    with session(db) as s:
        idempotency.put_response(s, "center:k1", "sha256:bb", 200, '{"n": 2}')
    with session(db) as s:
        stored = idempotency.get_response(s, "center:k1")
    assert stored is not None
    assert stored.request_hash == "sha256:aa"
    assert stored.response_json == '{"n": 1}'
