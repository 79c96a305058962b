"""Waiting for what a process needs at start (Temporal, the database) while a cluster comes up.

Containers start in any order and a database restarts under a running stack; a process that died on
its first refused connection would turn a few seconds of start-up into a crash loop. These helpers
retry one connection attempt with jittered exponential backoff, log each wait on one line that says
what is awaited and why, and give up after a bound with an `Unavailable` that says the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_before_delay,
    wait_exponential,
    wait_random,
)

log = structlog.get_logger(__name__)

T = TypeVar("T")
R = TypeVar("R", Retrying, AsyncRetrying)

# The first retry comes quickly (a server a second from ready), later ones settle at a few seconds.
FIRST_WAIT_SECONDS = 0.25
LONGEST_WAIT_SECONDS = 5.0
JITTER_SECONDS = 0.5


class Unavailable(RuntimeError):
    """A dependency did not answer within the start-up bound; the message names it and the last error."""


def _announce(what: str) -> Callable[[RetryCallState], None]:
    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            f"waiting for {what}",
            attempt=state.attempt_number,
            retry_in_seconds=round(state.upcoming_sleep, 2),
            waited_seconds=round(state.seconds_since_start or 0.0, 1),
            error=str(error),
        )

    return before_sleep


def _retrying(kind: type[R], what: str, within: timedelta, retry_on: tuple[type[BaseException], ...]) -> R:
    return kind(
        # stop_before_delay: no attempt starts after the bound, so the bound holds to one attempt's length.
        stop=stop_before_delay(within.total_seconds()),
        # The jitter keeps replicas that started together from knocking in step.
        wait=wait_exponential(multiplier=FIRST_WAIT_SECONDS, max=LONGEST_WAIT_SECONDS) + wait_random(0, JITTER_SECONDS),
        retry=retry_if_exception_type(retry_on),
        before_sleep=_announce(what),
    )


def _answered(what: str, state: RetryCallState) -> None:
    if state.attempt_number > 1:
        log.info(f"{what} answered", attempt=state.attempt_number)


def _gave_up(what: str, within: timedelta, failure: RetryError) -> Unavailable:
    last = failure.last_attempt.exception()
    return Unavailable(f"{what} did not answer within {within.total_seconds():g} s: {last}")


async def wait_async(
    attempt: Callable[[], Awaitable[T]],
    what: str,
    within: timedelta,
    retry_on: tuple[type[BaseException], ...],
) -> T:
    """`await attempt()` until it succeeds, retrying only `retry_on` errors for at most `within`."""
    try:
        async for trial in _retrying(AsyncRetrying, what, within, retry_on):
            with trial:
                result = await attempt()
                _answered(what, trial.retry_state)
                return result
    except RetryError as failure:
        raise _gave_up(what, within, failure) from failure.last_attempt.exception()
    raise AssertionError("unreachable: tenacity either returns, raises or retries")


def wait(attempt: Callable[[], T], what: str, within: timedelta, retry_on: tuple[type[BaseException], ...]) -> T:
    """The blocking twin of `wait_async`, for synchronous clients such as SQLAlchemy's."""
    try:
        for trial in _retrying(Retrying, what, within, retry_on):
            with trial:
                result = attempt()
                _answered(what, trial.retry_state)
                return result
    except RetryError as failure:
        raise _gave_up(what, within, failure) from failure.last_attempt.exception()
    raise AssertionError("unreachable: tenacity either returns, raises or retries")
