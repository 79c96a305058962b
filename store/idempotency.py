"""Stored responses for `Idempotency-Key` (SPEC §4) on calls that no workflow id deduplicates.

The API hashes the request, looks the key up, and replays the stored response if the hash matches; it
stores a response only after acting. The key is scoped by the caller (e.g. `"<sub>:<method> <path>:<key>"`)
so two users' keys never collide.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from sqlmodel import Session

from store.models import IdempotencyRow
from store.upsert import insert


class StoredResponse(NamedTuple):
    request_hash: str
    status_code: int
    response_json: str


def get_response(s: Session, key: str) -> StoredResponse | None:
    row = s.get(IdempotencyRow, key)
    return StoredResponse(row.request_hash, row.status_code, row.response_json) if row is not None else None


def put_response(s: Session, key: str, request_hash: str, status_code: int, response_json: str) -> None:
    """Keep the response to `key`; the first one stored wins, so a racing retry cannot replace it."""
    values = {
        "key": key,
        "request_hash": request_hash,
        "status_code": status_code,
        "response_json": response_json,
        "created_at": datetime.now(UTC),
    }
    s.exec(insert(s, IdempotencyRow).values(values).on_conflict_do_nothing(index_elements=["key"]))
