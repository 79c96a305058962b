"""The garbage collector's setting for the long-running processes (config/collector.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from config.collector import YOUNG_GENERATION_THRESHOLD, tune_collector


@pytest.fixture
def restored() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield before
    gc.set_threshold(*before)


def test_young_generation_waits_for_ten_thousand_allocations(restored: tuple[int, int, int]) -> None:
    """Only the young generation's threshold changes; the older generations keep Python's."""
    tune_collector()
    assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, 10, 10)
    assert YOUNG_GENERATION_THRESHOLD == 10_000
