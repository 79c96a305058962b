"""Idempotency-Key for the routes no workflow update deduplicates (the directory's PUTs): the key, scoped by
caller, method and path, is stored with a fingerprint of the body and the answer (`store.idempotency`). The
same key with the same body answers what it answered first; with another body it is refused
(IDEMPOTENCY_KEY_REUSED), as the IETF Idempotency-Key draft says."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import Request, Response, status
from pydantic import BaseModel

from api.auth import Claims
from api.db import Store
from api.schemas.projects import Envelope
from clients.gateway import fingerprint, reused_key
from store import idempotency

Answer = TypeVar("Answer", bound=Envelope)


def status_of(answer: Envelope) -> int:
    """201 when the PUT created the entry (`created_id` set), 200 when it replaced one."""
    return status.HTTP_201_CREATED if answer.created_id is not None else status.HTTP_200_OK


def answered(response: Response, answer: Answer, location: str) -> Answer:
    """The answer's status, and a `Location` when it created the entry; a replayed key answers the same body,
    so the same status."""
    response.status_code = status_of(answer)
    if answer.created_id is not None:
        response.headers["Location"] = location
    return answer


async def once_per_key(
    store: Store,
    request: Request,
    user: Claims,
    key: str | None,
    body: BaseModel,
    act: Callable[[], Awaitable[Answer]],
    answer_type: type[Answer],
) -> Answer:
    """Run `act` unless this caller sent `key` to this route before: then answer the same, or refuse a
    different body under it."""
    if key is None:
        return await act()
    scope = f"{user.role.value}:{user.sub}:{request.method} {request.url.path}:{key}"
    digest = fingerprint(f"{request.method} {request.url.path}", body)
    stored = await store.run(idempotency.get_response, scope)
    if stored is not None:
        if stored.request_hash != digest:
            raise reused_key()
        return answer_type.model_validate_json(stored.response_json)
    answer = await act()
    await store.run(idempotency.put_response, scope, digest, status_of(answer), answer.model_dump_json())
    return answer
