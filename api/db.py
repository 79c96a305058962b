"""Store work from async handlers: each unit in a thread, committed before the handler answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from store.db import session

P = ParamSpec("P")
T = TypeVar("T")


class Store:
    """Runs one unit of store work in a thread and commits it before the handler answers.

    Sessions are synchronous (store/); running each unit in the thread pool keeps the event loop, and so
    every other request's Temporal call, free while SQLite or PostgreSQL works.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def run(self, work: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        def unit() -> T:
            with session(self.engine) as s:
                return work(s, *args, **kwargs)

        return await run_in_threadpool(unit)
