"""The one way every process (API, worker, CLI, tests) connects to Temporal, with the one data converter."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from config.settings import Settings
from config.startup import wait_async


async def connect(settings: Settings, *, retry_for: timedelta | None = None) -> Client:
    """With `retry_for`, a cluster that is still starting is retried with backoff for that long (the
    worker and the API at start); without, the first refusal raises (the CLI answers at once)."""
    if retry_for is not None:
        what = f"Temporal at {settings.temporal_address} (namespace {settings.temporal_namespace})"
        # temporalio raises RuntimeError for a refused or failed connection.
        return await wait_async(lambda: connect(settings), what, retry_for, (RuntimeError,))
    return await Client.connect(
        settings.temporal_address, namespace=settings.temporal_namespace, data_converter=pydantic_data_converter
    )
