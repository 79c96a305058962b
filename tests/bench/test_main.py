"""The benchmark's command line (bench/__main__.py): which parts run, and which run in rounds."""

from __future__ import annotations

import pytest

from bench.__main__ import interleaved, parse


def test_http_is_a_default_part_between_sdk_and_api() -> None:
    """By default every part runs, http among them, so the rounds have three sides."""
    args = parse([])
    assert args.parts[:3] == ["sdk", "http", "api"]
    assert interleaved(args)


def test_sdk_and_api_alone_keep_two_sided_rounds() -> None:
    assert parse(["--only", "sdk,api"]).parts == ["sdk", "api"]


def test_http_runs_only_in_rounds_beside_sdk_and_api() -> None:
    """http's figures are ratios to the sdk and api loops of the same round: without both it has none."""
    assert parse(["--only", "api,http,sdk"]).parts == ["sdk", "http", "api"]
    for only in ("http", "sdk,http", "http,api"):
        with pytest.raises(SystemExit):
            parse(["--only", only])
