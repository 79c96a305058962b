"""Waiting for the read model, which workflows update moments after each change."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T]], until: Callable[[T], bool], timeout: float = 10.0) -> T:
    """Call `probe` until `until(result)` holds; the last result if it never does (the caller asserts)."""
    async with asyncio.timeout(timeout):
        while not until(result := await probe()):
            await asyncio.sleep(0.05)
    return result
