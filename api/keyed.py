"""Idempotency-Key for the routes no workflow update deduplicates (the directory's PUTs): the key, scoped by
caller, method and path, is stored with a fingerprint of the body and the answer (`store.idempotency`). The
same key with the same body answers what it answered first; with another body it is refused
(IDEMPOTENCY_KEY_REUSED), as the IETF Idempotency-Key draft says."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel

from api.auth import Claims
from api.db import Store
from clients.gateway import fingerprint, reused_key
from store import idempotency

Answer = TypeVar("Answer", bound=BaseModel)


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
    await store.run(idempotency.put_response, scope, digest, 200, answer.model_dump_json())
    return answer
