"""The one way every process (API, worker, CLI, tests) connects to Temporal, with the one data converter."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

from config.settings import Settings


def data_converter(settings: Settings) -> DataConverter:
    """Pydantic models in and out of every payload."""
    return pydantic_data_converter


async def connect(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address, namespace=settings.temporal_namespace, data_converter=data_converter(settings)
    )
