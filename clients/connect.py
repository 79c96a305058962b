"""The one way every process (API, worker, CLI, tests) connects to Temporal, with the one data converter."""

from __future__ import annotations

import dataclasses

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes

from clients.codec import EncryptionCodec
from config.settings import Settings


def data_converter(settings: Settings) -> DataConverter:
    """Pydantic payloads sealed by the codec; failure messages and stack traces travel sealed too."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec.from_settings(settings),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address, namespace=settings.temporal_namespace, data_converter=data_converter(settings)
    )
